"""The demo's scorecard: headline KPIs for the last full month against the month before."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shakhes.cli.output import PREVIOUS_PARTIAL, WORDS, as_number
from shakhes.display import format_change, format_value
from shakhes.engine.calendar import CalendarSettings, Grain, Period, period_of, shift
from shakhes.spec.kpi import Direction
from shakhes.workspace import Workspace

SCORECARD = (
    "cost",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "conversions",
    "conversion_rate",
    "cpa",
    "roas",
    "revenue",
    "orders",
    "aov",
    "roi",
    "new_customers",
    "cac",
    "churn_rate",
    "sessions",
    "engagement_rate",
    "leads",
    "cost_per_lead",
    "email_open_rate",
)


def last_full_period(grain: Grain, data_end: dt.date, calendar: CalendarSettings) -> Period:
    """The last period of ``grain`` that the data covers to its end."""
    period = period_of(grain, data_end, calendar)
    return period if period.end == data_end else shift(grain, period, -1, calendar)


def print_scorecard(ws: Workspace, console: Console) -> None:
    """Print the scorecard of the last full month of data (a Jalali month in a Jalali
    workspace) against the month before it."""
    with ws.reading() as session:
        rng = session.warehouse.date_range("ad_performance")
    if rng is None:
        console.print("No data yet.")
        return
    grain = ws.default_grain
    period = last_full_period(grain, rng[1], ws.calendar)
    before = shift(grain, period, -1, ws.calendar)
    specs = ws.definitions()
    kpis = [k for k in SCORECARD if k in specs]
    result = ws.engine.compute(
        kpis, grain=grain, period=(period.start, period.end), compare="previous"
    )
    fa = ws.settings.locale == "fa"
    if fa:
        title = f"کارنامه {period.label_fa} در برابر {before.label_fa}"
        headers = ("شاخص", "مقدار", "دوره قبل", "تغییر")
    else:
        title = f"Scorecard {period.label} vs {before.label}"
        headers = ("KPI", "value", "previous", "change")
    table = Table(title=title, box=None, pad_edge=False)
    for col, justify in zip(headers, ("left", "right", "right", "right"), strict=True):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    money = {"currency": result.currency or ws.settings.currency, "locale": ws.settings.locale}
    partial = False
    for row in result.records():
        spec = specs[str(row["kpi"])]
        delta = as_number(row["change"])
        change = format_change(as_number(row["change_pct"]), ws.settings.locale)
        if delta:
            good = (delta > 0) == (spec.direction is Direction.HIGHER_IS_BETTER)
            change = f"[{'green' if good else 'red'}]{change}[/]"
        if row["previous_complete"] is False:
            change += PREVIOUS_PARTIAL
            partial = True
        table.add_row(
            escape(spec.name.fa if fa else spec.name.en),
            format_value(as_number(row["value"]), spec, **money),
            format_value(as_number(row["previous_value"]), spec, **money),
            change,
        )
    console.print(table)
    if partial:
        words = WORDS["fa" if fa else "en"]
        console.print(f"{PREVIOUS_PARTIAL} {words['previous_partial']}", markup=False)
