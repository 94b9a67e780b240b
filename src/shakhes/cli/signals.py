"""``shakhes leads`` and ``shakhes anomalies``: which KPIs move before which, and which days
break from the expected.

Each command parses its options, calls :mod:`shakhes.service.leads` or
:mod:`shakhes.service.anomalies` and prints a table, or with ``--format json`` the service's
records (every number the table shows, and more). The statistics live in
:mod:`shakhes.analysis`; nothing here computes.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shakhes.cli.compute import parse_date
from shakhes.cli.options import FormatOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

if TYPE_CHECKING:
    from shakhes.service.anomalies import AnomaliesReport
    from shakhes.service.leads import LeadsReport
    from shakhes.spec.kpi import KpiSpec


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def leads(
    lagging: Annotated[
        str, typer.Argument(help="The lagging KPI: an outcome such as orders or revenue.")
    ],
    candidates: Annotated[
        str | None,
        typer.Option(
            help="Candidate leading KPIs, comma-separated (default: the KPIs the goals link "
            "as leading to it, else cost, impressions, clicks, sessions, emails_delivered, "
            "leads)."
        ),
    ] = None,
    max_lag: Annotated[
        int | None,
        typer.Option("--max-lag", help="Longest lag tested (default 7 days, or 4 weeks)."),
    ] = None,
    grain: Annotated[str, typer.Option(help="day or week.")] = "day",
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Which KPIs move before LAGGING, by how many days, and how surely: cross-correlations
    of the de-seasoned series at each lag, a Granger test and a verdict in plain words."""
    from shakhes.service import leads as service

    query = service.LeadsQuery(
        lagging,
        candidates,
        max_lag,
        grain,
        parse_date(from_, "--from"),
        parse_date(to, "--to"),
    )
    ws = open_workspace(workspace, wait)
    try:
        report = service.leads(ws, query)
    finally:
        ws.close()
    if format_ == "json":
        _print_json(service.records(report))
        return
    _leads_table(report)


def _leads_table(report: LeadsReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    from shakhes.analysis.leads import format_p
    from shakhes.cli.console import out, wide
    from shakhes.cli.tables import keep_whole

    unit = report.grain
    source = {"given": "as given", "goals": "from the goals", "default": "the default set"}
    heading = (
        f"What leads {report.lagging}: {'daily' if unit == 'day' else 'weekly'} totals "
        f"{report.start} … {report.end}, lags 0–{report.max_lag} {unit}s, candidates "
        f"{source[report.candidates_from]}"
    )
    console = wide(out)
    console.print(heading, markup=False, highlight=False)
    table = Table(box=None, pad_edge=False)
    for col, justify in (
        ("candidate", "left"),
        ("verdict", "left"),
        ("lag", "right"),
        ("r", "right"),
        ("bound", "right"),
        ("Granger", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for answer in report.results:
        table.add_row(
            escape(answer.candidate),
            answer.verdict.value.replace("_", " "),
            str(answer.best_lag),
            f"{answer.r:.2f}",
            f"±{answer.correlations.bound:.2f}",
            format_p(answer.granger.p),
        )
    console.print(keep_whole(table, "candidate", "lag", "r", "bound", "Granger"))
    for answer in report.results:
        console.print(f"• {answer.text}", markup=False, highlight=False)
    for kpi, reason in report.skipped.items():
        console.print(f"• {kpi}: not tested — {reason}", markup=False, highlight=False)


def anomalies(
    kpis: Annotated[
        list[str] | None,
        typer.Argument(
            help="KPI id(s), space- or comma-separated (default: cost, impressions, clicks, "
            "ctr, cpc, conversions, conversion_rate, cpa, roas, sessions, orders, revenue, "
            "new_customers, leads)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="First day to report (YYYY-MM-DD; default: the last 28 days of data)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            help="The dimension that explains each anomaly (default: the finest of campaign, "
            "platform and channel where one value explains most of it)."
        ),
    ] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Days on which a KPI breaks from its expected value (the weekday's usual share of the
    recent level), with their size, severity and the dimension value that explains most of
    each."""
    from shakhes.service import anomalies as service

    names = [k for item in kpis or [] for k in item.split(",") if k.strip()]
    query = service.AnomaliesQuery(names or None, parse_date(since, "--since"), by)
    ws = open_workspace(workspace, wait)
    try:
        report = service.anomalies(ws, query)
        specs = ws.definitions()
    finally:
        ws.close()
    if format_ == "json":
        _print_json(service.records(report))
        return
    _anomalies_table(report, specs, ws.settings.currency, ws.settings.locale)


def _anomalies_table(
    report: AnomaliesReport, specs: dict[str, KpiSpec], currency: str, locale: str
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.console import out, wide
    from shakhes.cli.tables import keep_whole
    from shakhes.display import format_change, format_value

    console = wide(out)
    if not report.found:
        console.print(
            f"No anomalies from {report.since} to {report.end} in {', '.join(report.kpis)}.",
            markup=False,
            highlight=False,
        )
    else:
        title = f"Anomalies {report.since} … {report.end}"
        table = Table(title=escape(title), box=None, pad_edge=False)
        for col, justify in (
            ("date", "left"),
            ("KPI", "left"),
            ("value", "right"),
            ("expected", "right"),
            ("change", "right"),
            ("z", "right"),
            ("severity", "left"),
            ("kind", "left"),
            ("explained by", "left"),
        ):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for found in report.found:
            a, e, spec = found.anomaly, found.explanation, specs[found.kpi]
            money = {"currency": currency, "locale": locale}
            why = "—"
            if e is not None:
                why = (
                    f"{e.dimension} {e.value}: {format_value(e.change, spec, **money)} "
                    f"({e.share:.0%} of the change)"
                )
            table.add_row(
                found.day.isoformat(),
                escape(found.kpi),
                format_value(a.value, spec, **money),
                format_value(a.expected, spec, **money),
                format_change(a.change_pct, locale),
                f"{a.z:+.1f}",
                a.severity,
                "new level" if a.kind.value == "shift" else "one-off",
                escape(why),
            )
        console.print(keep_whole(table, "date", "KPI", words=("value", "expected", "change")))
    for kpi, reason in report.skipped.items():
        console.print(f"• {kpi}: not looked at — {reason}", markup=False, highlight=False)
