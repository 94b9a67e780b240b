"""Options that many commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from shakhes.errors import ShakhesError

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SHAKHES_WORKSPACE, "
        "else the nearest folder with shakhes.toml at or above the current one).",
    ),
]


def _one_of(*formats: str) -> Callable[[str], str]:
    """A ``--format`` check: a format not in ``formats`` is refused with the ones allowed."""

    def check(value: str) -> str:
        if value not in formats:
            allowed = ", ".join(formats[:-1]) + " or " + formats[-1]
            raise ShakhesError(
                f"unknown format '{value}'",
                code="unknown_format",
                params={"format": value, "allowed": list(formats)},
                hint=f"Use {allowed}.",
            )
        return value

    return check


FormatOpt = Annotated[
    str, typer.Option("--format", help="table or json.", callback=_one_of("table", "json"))
]
"""``--format table|json``: how a command prints what it read (JSON carries every number)."""

TableCsvJsonOpt = Annotated[
    str,
    typer.Option("--format", help="table, csv or json.", callback=_one_of("table", "csv", "json")),
]
"""``--format table|csv|json``, for a command whose rows are a table (``compute``)."""
