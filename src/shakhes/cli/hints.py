"""The CLI's words for core errors.

The core names no command-line option (the REST API has none); where the fix is an option, the
error carries a ``code`` (and ``params``) and the hint is written here. An error whose code has
no entry shows the core's own hint.
"""

from __future__ import annotations

from shakhes.errors import ShakhesError

HINTS: dict[str, str] = {
    # compute (shakhes.engine)
    # (an unknown_kpi error without a 'kpi' param keeps its own hint: see hint_for)
    "unknown_kpi": "There is no KPI '{kpi}' here: `shakhes kpi list` shows every KPI of this "
    "workspace.",
    "unknown_comparison": "Use --compare previous or --compare last-year.",
    "no_data_range": "Load data first (`shakhes import` or `shakhes load`), or give --from and "
    "--to.",
    "date_breakdown": "Dates are broken down with --grain: day, week, month, quarter, year, "
    "fiscal_year, jalali_month, jalali_quarter, jalali_year or total.",
    "non_additive": "Use --grain day, or write approx_sum({table}.{column}) in the formula to ask "
    "for the sum explicitly as an upper-bound approximation.",
    "mixed_currencies": "Narrow to one with --where \"currency = '{example}'\", or break down "
    "with --by currency.",
    "missing_rates": "Load rates with `shakhes rates load FILE` (date, currency, rate), or leave "
    "{currency} out with --where \"currency != '{currency}'\".",
    # demo (shakhes.demo)
    "demo_exists": "Pass --force to rebuild it, or choose another folder.",
    "not_a_demo": "Choose another folder: --force replaces only a workspace that "
    "`shakhes demo` made.",
    "busy": "Try again when it is done, or wait longer with --wait SECONDS.",
    "store_outdated": "Upgrade it with `shakhes db upgrade` (back up the metadata store first "
    "if you wish).",
}
"""Error code → the CLI's hint, formatted with the error's ``params``."""


def hint_for(error: ShakhesError) -> str | None:
    """The hint to print under ``error``."""
    template = HINTS.get(error.code)
    if template is None:
        return error.hint
    try:
        return template.format(**error.params)
    except (KeyError, IndexError):
        return error.hint
