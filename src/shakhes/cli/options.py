"""Options that many commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SHAKHES_WORKSPACE, "
        "else the nearest folder with shakhes.toml at or above the current one).",
    ),
]
