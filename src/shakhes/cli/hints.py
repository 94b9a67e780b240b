"""The CLI's words for core errors.

The core names no command-line option (the REST API has none); where the fix is an option, the
error carries a ``code`` (and ``params``) and the hint is written here. An error whose code has
no entry shows the core's own hint.
"""

from __future__ import annotations

from shakhes.errors import ShakhesError

HINTS: dict[str, str] = {
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
