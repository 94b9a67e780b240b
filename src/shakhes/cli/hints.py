"""The CLI's words for core errors.

The core names no command-line option (the REST API has none); where the fix is an option, the
error carries a ``code`` (and ``params``) and the hint is written here. An error whose code has
no entry shows the core's own hint.
"""

from __future__ import annotations

from shakhes.errors import ShakhesError

HINTS: dict[str, str] = {
    "no_currency": "Pass --currency CODE (an ISO code: USD, EUR, IRR for rial, IRT for toman).",
    "no_account": "Pass --account NAME, or set it in the mapping file (constants: account: …).",
    "unrecognised_layout": "Pass --source NAME (one of: {layouts}), or describe the file with "
    "--mapping FILE.yml (`shakhes import --suggest-mapping FILE` writes a starting one).",
    "load_problems": "Fix the file and load it again, or `shakhes import` it to load the good "
    "rows and quarantine the rest.",
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
