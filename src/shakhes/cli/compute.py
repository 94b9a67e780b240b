"""``shakhes compute``: KPIs per period, as a table, CSV or JSON."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.cli.options import TableCsvJsonOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT
from shakhes.data.model import TABLES
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from shakhes.engine.engine import Result
    from shakhes.service.computed import Computed
    from shakhes.spec.kpi import KpiSpec

DIMENSIONS = sorted({d for t in TABLES.values() for d in t.dimensions})
"""Every dimension a KPI may be broken down by (each KPI by those of the tables it reads)."""


def parse_date(value: str | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD`` given to ``option``; a clear error otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ShakhesError(
            f"{option} '{value}' is not a date",
            code="bad_date",
            hint="Write dates as YYYY-MM-DD, e.g. 2024-03-31.",
        ) from None


def compute(
    kpis: Annotated[str, typer.Argument(help="KPI id(s), comma-separated: ctr,cpc,roas.")],
    grain: Annotated[
        str | None,
        typer.Option(
            help="day, week, month, quarter, year, fiscal_year, jalali_month, jalali_quarter, "
            "jalali_year, or total (one value over the whole range) (default: month, or "
            "jalali_month in a Jalali workspace)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help=f"Break down by dimension(s), comma-separated: {', '.join(DIMENSIONS)}."),
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    where: Annotated[str | None, typer.Option(help="Filter: \"channel = 'search'\".")] = None,
    compare: Annotated[str | None, typer.Option(help="previous or last-year.")] = None,
    format_: TableCsvJsonOpt = "table",
    components: Annotated[
        bool,
        typer.Option("--components", help="Also show each ratio KPI's numerator and denominator."),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the plan and SQL instead.")
    ] = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Compute KPIs per period, optionally broken down, filtered and compared. Partial
    periods are marked; a KPI that cannot be computed shows why, and the others compute."""
    from shakhes.service.computed import Query

    query = Query(
        kpis,
        grain,
        by or (),
        parse_date(from_, "--from"),
        parse_date(to, "--to"),
        where,
        compare,
    )
    if not explain:
        # Asked before, for the workspace as it is now: the result kept in its folder, without
        # importing the engine (shakhes.service.stored).
        from shakhes.service.stored import lookup

        kept = lookup(workspace, query)
        if kept is not None:
            settings = kept.settings
            _write(
                kept.computed, kept.specs, settings.currency, settings.locale, format_, components
            )
            return
    from shakhes.cli.console import out
    from shakhes.service import compute as service

    ws = open_workspace(workspace, wait)
    try:
        if explain:
            out.print(str(service.explain(ws, query)), markup=False, highlight=False)
            return
        result, specs = service.compute_kept(ws, query)
    finally:
        ws.close()
    _write(result, specs, ws.settings.currency, ws.settings.locale, format_, components)


def _write(
    result: Result | Computed,
    specs: Mapping[str, KpiSpec],
    currency: str,
    locale: str,
    format_: str,
    components: bool,
) -> None:
    """``result`` on standard output, as ``--format`` says."""
    from shakhes.cli import output
    from shakhes.cli.console import out

    if format_ == "csv":
        sys.stdout.write(output.to_csv(result, components=components))
    elif format_ == "json":
        sys.stdout.write(output.to_json(result, components=components) + "\n")
    else:
        output.to_table(
            result,
            specs,
            currency=currency,
            locale=locale,
            console=out,
            components=components,
        )
