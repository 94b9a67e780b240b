"""The CLI's words for core errors.

The core names no command-line option (the REST API has none); where the fix is an option, the
error carries a ``code`` (and ``params``) and the hint is written here. An error whose code has
no entry shows the core's own hint.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from shakhes.errors import ShakhesError


def _undo_then_import(params: dict[str, Any]) -> str:
    """The exact commands that import a file again with other options, when its earlier
    import must be undone first."""
    flags = [
        f"--{name} {shlex.quote(str(params[name]))}"
        for name in ("source", "currency", "account", "mapping", "encoding")
        if params.get(name)
    ]
    command = " ".join(["shakhes import", shlex.quote(str(params["file"])), *flags])
    return f"Run `shakhes imports undo {params['import_id']}`, then `{command}`."


HINTS: dict[str, str | Callable[[dict[str, Any]], str]] = {
    # workspaces (shakhes.workspace)
    "not_a_workspace": "Create one with `shakhes init {path}`.",
    "no_workspace": "Create one with `shakhes init PATH` (or `shakhes demo`), go to its folder, "
    "or pass --workspace PATH.",
    "unknown_import": "`shakhes imports list` shows the imports of this workspace.",
    # compute (shakhes.engine)
    # (an unknown_kpi error without a 'kpi' param keeps its own hint: see hint_for)
    "unknown_kpi": "There is no KPI '{kpi}' here: `shakhes kpi list` shows every KPI of this "
    "workspace.",
    "unknown_goal": "`shakhes goal list` shows the goals of this workspace.",
    "unknown_target": "`shakhes target list` shows the targets of this workspace.",
    "goal_exists": "Change it in YAML: `shakhes export -o defs.yml`, edit the goal, then "
    "`shakhes apply defs.yml`.",
    "goal_has_targets": lambda p: (
        f"Remove them (`shakhes target remove {p['targets'][0]}`) or unlink them "
        f"(`shakhes target set {p['kpis'][0]} --id {p['targets'][0]} --goal ''`), then "
        f"`shakhes goal remove {p['goal']}` again."
    ),
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
    # import and load (shakhes.imports)
    "reimport_needs_undo": _undo_then_import,
    "no_currency": "Pass --currency CODE (an ISO code: USD, EUR, IRR for rial, IRT for toman).",
    "no_account": "Pass --account NAME, or set it in the mapping file (constants: account: …).",
    "unrecognised_layout": "Pass --source NAME (one of: {layouts}), or describe the file with "
    "--mapping FILE.yml (`shakhes import --suggest-mapping FILE` writes a starting one).",
    "platform_export": lambda p: (
        f"`shakhes import {shlex.quote(p['file'])}` reads it as it "
        "is; `shakhes load` and `--source canonical` take files in the canonical format only."
    ),
    "load_problems": "Fix the file and load it again, or `shakhes import` it to load the good "
    "rows and quarantine the rest.",
    "unknown_lang": "Use --lang en or --lang fa.",
    "busy": "Try again when it is done, or wait longer with --wait SECONDS.",
    "store_outdated": "Upgrade it with `shakhes db upgrade` (back up the metadata store first "
    "if you wish).",
    "warehouse_outdated": "Run `shakhes db upgrade` (it adds what this version needs; nothing "
    "is lost).",
}
"""Error code → the CLI's hint: a template formatted with the error's ``params``, or a function
of them (for a hint that is a command built from several optional values)."""


def hint_for(error: ShakhesError) -> str | None:
    """The hint to print under ``error``."""
    template = HINTS.get(error.code)
    if template is None:
        return error.hint
    try:
        if callable(template):
            return template(error.params)
        return template.format(**error.params)
    except (KeyError, IndexError):
        return error.hint
