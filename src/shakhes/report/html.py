"""The report page: the data of :func:`shakhes.service.report.build` through a Jinja2 template.

The page stands alone: its CSS is inline, its fonts are the system's (a Persian-capable stack
in Persian), Plotly's JavaScript is inlined once from the installed ``plotly`` package and each
chart is a ``<div>`` with its script. Every number shown is also in the page, unrounded: in a
``data-value`` attribute of its cell and in the JSON of ``<script id="report-data">`` (the
report's :meth:`~shakhes.service.report.Report.to_dict`), so a reader (or a test) can check it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shakhes.display import (
    DASH,
    format_change,
    format_day,
    format_number,
    format_plain,
    format_value,
    percent_sign,
)
from shakhes.report.words import WORDS, digits

if TYPE_CHECKING:
    from shakhes.service.report import Mover, Report
    from shakhes.service.status import GoalStatus, KpiStatus, TargetStatus
    from shakhes.spec.kpi import KpiSpec

FONTS = {
    "en": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
    "fa": 'Vazirmatn, "Noto Sans Arabic", "Noto Naskh Arabic", Tahoma, "Segoe UI", '
    "system-ui, sans-serif",
}
"""Fonts already on the reader's machine: nothing is downloaded."""


def render(report: Report) -> str:
    """The report as one HTML page."""
    import jinja2
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("shakhes.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = _page(report)
    # Markup: script bodies, not HTML; _script_safe keeps them from closing their element.
    return env.get_template("report.html.j2").render(
        page=page,
        w=page["w"],
        plotly_js=Markup(_script_safe(get_plotlyjs())),  # noqa: S704
        data_json=Markup(  # noqa: S704
            _script_safe(json.dumps(report.to_dict(), ensure_ascii=False))
        ),
    )


def _script_safe(text: str) -> str:
    """``text`` that cannot end the ``<script>`` element it sits in."""
    return text.replace("</", "<\\/")


class _View:
    """How one report writes its numbers, days and words."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.lang = report.lang
        self.words = WORDS[report.lang]
        self.calendar = report.calendar
        self.currency = report.currency

    def day(self, value: Any) -> str:
        import datetime as dt

        if value is None:
            return DASH
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return format_day(value, self.lang, self.calendar, "long")

    def value(self, value: float | None, spec: KpiSpec, currency: str | None = None) -> str:
        return format_value(value, spec, currency=currency or self.currency, locale=self.lang)

    def cell(self, text: str, raw: float | None, field: str, **keys: str) -> dict[str, Any]:
        return {"text": text, "raw": json.dumps(raw), "field": field, "keys": keys}

    def name(self, spec: KpiSpec | None, kpi: str) -> str:
        if spec is None:
            return kpi
        return spec.name.fa if self.lang == "fa" else spec.name.en

    def status(self, value: str | None) -> dict[str, str]:
        key = value or "no_status"
        return {"key": key, "text": self.words[key]}


def _page(report: Report) -> dict[str, Any]:
    from shakhes.report.charts import figure_html

    v = _View(report)
    period = report.period
    tracked = report.status
    charts = {}
    for t in tracked.targets:
        chart = report.charts.get(t.spec.id)
        if chart is not None:
            charts[t.spec.id] = figure_html(
                chart,
                t,
                lang=v.lang,
                calendar=v.calendar,
                currency=report.currency,
                font=FONTS[v.lang],
            )
    return {
        "lang": v.lang,
        "dir": "rtl" if v.lang == "fa" else "ltr",
        "font": FONTS[v.lang],
        "w": v.words,
        "title": f"{v.words['title']} — {period.label_fa if v.lang == 'fa' else period.label}",
        "period_label": period.label_fa if v.lang == "fa" else period.label,
        "period_range": f"{v.day(period.start)} {v.words['to']} {v.day(period.end)}",
        "on": v.day(tracked.on),
        "goals": [_goal(v, g, charts) for g in tracked.goals],
        "without_goal": [_kpi(v, k, charts) for k in tracked.without_goal],
        "has_targets": bool(tracked.targets) or bool(tracked.goals),
        "movers": [_mover(v, m) for m in report.movers],
        "movers_problem": report.movers_problem,
        "anomalies": report.anomalies,
        "anomaly_rows": [_anomaly(v, a, report) for a in report.anomalies.items],
    }


def _goal(v: _View, goal: GoalStatus, charts: dict[str, str]) -> dict[str, Any]:
    title = goal.goal.title
    text = (title.fa or title.en) if v.lang == "fa" else (title.en or title.fa)
    counts = [
        {"status": v.status(k), "count": digits(str(n), v.lang)}
        for k, n in goal.counts().items()
        if n
    ]
    return {
        "id": goal.goal.id,
        "title": text,
        "owner": goal.goal.owner,
        "range": f"{v.day(goal.goal.period.start)} {v.words['to']} {v.day(goal.goal.period.end)}",
        "status": v.status(goal.status.value if goal.status else None),
        "counts": counts,
        "kpis": [_kpi(v, k, charts) for k in goal.kpis],
    }


def _kpi(v: _View, kpi: KpiStatus, charts: dict[str, str]) -> dict[str, Any]:
    return {
        "id": kpi.kpi,
        "name": v.name(kpi.spec, kpi.kpi),
        "status": v.status(kpi.status.value if kpi.status else None),
        "targets": [_target(v, t, charts.get(t.spec.id)) for t in kpi.targets],
    }


def _target(v: _View, t: TargetStatus, chart: str | None) -> dict[str, Any]:
    spec, kpi = t.spec, t.kpi
    numbers = t.to_dict()
    target_id = spec.id

    def cell(field: str, text: str | None = None) -> dict[str, Any]:
        raw = numbers.get(field)
        return v.cell(text if text is not None else v.value(raw, kpi), raw, field, target=target_id)

    goal_cells = [cell("value")] if spec.value is not None else [cell("min"), cell("max")]
    probability = numbers.get("probability")
    return {
        "id": target_id,
        "scope": spec.scope or v.words["all"],
        "status": v.status(numbers["status"]),
        "data_through": v.day(numbers["data_through"]),
        "period": f"{v.day(t.instance.start)} {v.words['to']} {v.day(t.instance.end)}",
        "target": goal_cells,
        "actual": cell("actual"),
        "expected": cell("expected"),
        "forecast": cell("forecast"),
        "forecast_low": cell("forecast_low"),
        "forecast_high": cell("forecast_high"),
        "probability": cell(
            "probability",
            DASH
            if probability is None
            else format_number(probability * 100, 0, v.lang, significant=1) + percent_sign(v.lang),
        ),
        "problem": t.problem.message if t.problem is not None else None,
        "chart": chart,
    }


def _anomaly(v: _View, a: dict[str, Any], report: Report) -> dict[str, Any]:
    """One anomaly's row: its day, KPI, value against the expected one, change, severity and
    the dimension value that explains most of it."""
    kpi = a["kpi"]
    spec = report.kpis.get(kpi)
    keys = {"kpi": kpi, "date": a["date"]}

    def value(field: str) -> dict[str, Any]:
        raw = a[field]
        text = v.value(raw, spec) if spec is not None else format_plain(raw, v.lang)
        return v.cell(text, raw, field, **keys)

    by = a["explained_by"]
    return {
        "day": v.day(a["date"]),
        "name": v.name(spec, kpi),
        "value": value("value"),
        "expected": value("expected"),
        "change": v.cell(
            format_change(a["change_pct"], v.lang), a["change_pct"], "change_pct", **keys
        ),
        "severity": v.words.get(str(a["severity"]), str(a["severity"])),
        "explained_by": None if by is None else f"{by['dimension']} = {by['value']}",
    }


def _mover(v: _View, m: Mover) -> dict[str, Any]:
    kpi = m.spec.id
    explanation = m.explanation or {}
    return {
        "id": kpi,
        "name": v.name(m.spec, kpi),
        "previous": v.cell(
            v.value(m.previous, m.spec, m.currency), m.previous, "previous", kpi=kpi
        ),
        "value": v.cell(v.value(m.value, m.spec, m.currency), m.value, "value", kpi=kpi),
        "change": v.cell(format_change(m.change_pct, v.lang), m.change_pct, "change_pct", kpi=kpi),
        "summary": explanation.get("summary"),
        "problem": m.problem,
    }
