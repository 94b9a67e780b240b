"""Opening a workspace from a command: how long to wait for a turn, and saying what we wait for."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shakhes.data.access import DEFAULT_WAIT, Waiting
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

_err = Console(stderr=True, soft_wrap=True)


def say_waiting(waiting: Waiting) -> None:
    """Print what a command waits for on stderr: ``waiting for import of ads.csv by alice
    (pid 4242, since 14:02:11)…``."""
    _err.print(str(waiting), markup=False, highlight=False)


def open_workspace(workspace: Path | None, wait: float = DEFAULT_WAIT) -> Workspace:
    """The workspace a command works on, waiting up to ``wait`` seconds for each turn."""
    return Workspace.open(workspace, wait=wait, on_wait=say_waiting)
