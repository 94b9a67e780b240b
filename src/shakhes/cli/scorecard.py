"""The demo's scorecard: headline KPIs for the last full month against the month before."""

from __future__ import annotations

import datetime as dt
import math

from rich.console import Console
from rich.table import Table

from shakhes.cli.format import format_change, format_value
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


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def print_scorecard(ws: Workspace, console: Console, *, today: dt.date | None = None) -> None:
    """Print the scorecard of the last full month of data against the month before it."""
    rng = ws.warehouse.date_range("ad_performance")
    if rng is None:
        console.print("No data yet.")
        return
    start, end = last_full_month(rng[1] + dt.timedelta(days=1))
    specs = ws.definitions()
    kpis = [k for k in SCORECARD if k in specs]
    result = ws.engine.compute(kpis, grain="month", period=(start, end), compare="previous")
    fa = ws.settings.locale == "fa"
    frame = result.frame
    title = f"Scorecard {frame.period_label.iloc[0]} vs {frame.previous_start.iloc[0]:%Y-%m}"
    table = Table(title=title, box=None, pad_edge=False)
    for col, justify in (
        ("KPI", "left"),
        ("value", "right"),
        ("previous", "right"),
        ("change", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    money = {"currency": ws.settings.currency, "locale": ws.settings.locale}
    for row in frame.to_dict("records"):
        spec = specs[str(row["kpi"])]
        delta = _number(row["change"])
        change = format_change(_number(row["change_pct"]), ws.settings.locale)
        if delta:
            good = (delta > 0) == (spec.direction is Direction.HIGHER_IS_BETTER)
            change = f"[{'green' if good else 'red'}]{change}[/]"
        table.add_row(
            spec.name.fa if fa else spec.name.en,
            format_value(_number(row["value"]), spec, **money),
            format_value(_number(row["previous_value"]), spec, **money),
            change,
        )
    console.print(table)


def _number(value: object) -> float | None:
    """A float, or None for a missing value (None or NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
