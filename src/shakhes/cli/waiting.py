"""Opening a workspace from a command: how long to wait for a turn, and saying what we wait for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.data import DEFAULT_WAIT

if TYPE_CHECKING:
    from shakhes.data.access import Waiting
    from shakhes.workspace import Workspace

WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="How long to wait while another command writes to the workspace "
        f"(default {DEFAULT_WAIT:g}; 0: do not wait).",
    ),
]


def say_waiting(waiting: Waiting) -> None:
    """Print what a command waits for on stderr: ``waiting for import of ads.csv by alice
    (pid 4242, since 14:02:11)…``."""
    from shakhes.cli.console import err

    err.print(str(waiting), markup=False, highlight=False)


def open_workspace(workspace: Path | None, wait: float = DEFAULT_WAIT) -> Workspace:
    """The workspace a command works on, waiting up to ``wait`` seconds for each turn."""
    from shakhes.workspace import Workspace

    return Workspace.open(workspace, wait=wait, on_wait=say_waiting)
