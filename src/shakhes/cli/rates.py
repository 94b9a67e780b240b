"""``shakhes rates load|list``: exchange rates to the reporting currency."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

rates_app = typer.Typer(help="Exchange rates to the reporting currency.", no_args_is_help=True)


@rates_app.command("load")
def rates_load(
    file: Annotated[Path, typer.Argument(help="CSV with date, currency, rate.")],
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load exchange rates: `rate` is the value of one unit of `currency` in the reporting
    currency; each rate holds until the next one of its currency."""
    from shakhes.cli.console import out
    from shakhes.service import rates

    ws = open_workspace(workspace, wait)
    try:
        loaded = rates.load(ws, file)
        reporting = ws.settings.currency
    finally:
        ws.close()
    out.print(
        f"Loaded rates to {reporting} for {', '.join(loaded.currencies)}: "
        f"{loaded.days:,} currency-days from {loaded.first} to {loaded.last}.",
        markup=False,
    )


@rates_app.command("list")
def rates_list(wait: WaitOpt = DEFAULT_WAIT, workspace: WorkspaceOpt = None) -> None:
    """Each currency's rates: first and last day, and the latest rate."""
    from shakhes.cli.console import out, wide
    from shakhes.service import rates

    ws = open_workspace(workspace, wait)
    try:
        summary = rates.summary(ws)
        reporting = ws.settings.currency
    finally:
        ws.close()
    console = wide(out)
    for row in summary:
        console.print(
            f"{row.currency}: {row.first} … {row.last}, latest 1 "
            f"{row.currency} = {row.latest:.10g} {reporting}",
            markup=False,
        )
    if not summary:
        console.print("No rates loaded.")
