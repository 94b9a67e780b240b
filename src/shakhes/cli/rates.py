"""``shakhes rates load|list``: exchange rates to the reporting currency."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.output import wide
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data.access import DEFAULT_WAIT
from shakhes.data.warehouse import RATES_TABLE

rates_app = typer.Typer(help="Exchange rates to the reporting currency.", no_args_is_help=True)


@rates_app.command("load")
def rates_load(
    file: Annotated[Path, typer.Argument(help="CSV with date, currency, rate.")],
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load exchange rates: `rate` is the value of one unit of `currency` in the reporting
    currency; each rate holds until the next one of its currency."""
    ws = open_workspace(workspace, wait)
    try:
        loaded = ws.load_rates(file)
        reporting = ws.settings.currency
    finally:
        ws.close()
    Console().print(
        f"Loaded rates to {reporting} for {', '.join(loaded.currencies)}: "
        f"{loaded.days:,} currency-days from {loaded.first} to {loaded.last}."
    )


@rates_app.command("list")
def rates_list(wait: WaitOpt = DEFAULT_WAIT, workspace: WorkspaceOpt = None) -> None:
    """Each currency's rates: first and last day, and the latest rate."""
    ws = open_workspace(workspace, wait)
    try:
        with ws.reading() as session:
            con = session.warehouse.backend
            t = con.table(RATES_TABLE)
            latest = t.filter(t.date == t.date.max().over(group_by=t.currency))
            summary = con.to_pyarrow(
                latest.join(
                    t.group_by("currency").aggregate(first=t.date.min(), last=t.date.max()),
                    "currency",
                )
                .select("currency", "first", "last", "rate")
                .order_by("currency")
            ).to_pylist()
        reporting = ws.settings.currency
    finally:
        ws.close()
    out = wide(Console())
    for row in summary:
        out.print(
            f"{row['currency']}: {row['first']} … {row['last']}, latest 1 "
            f"{row['currency']} = {row['rate']:.10g} {reporting}",
            markup=False,
        )
    if not summary:
        out.print("No rates loaded.")
