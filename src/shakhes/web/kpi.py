"""The KPI page's data: the KPI over the selection and its comparison, its targets' charts,
a breakdown, the SMART card, why it moved, its anomalies and its leading/lagging links.

Every number comes from the service layer, as the CLI gets it: the value and change are
``compute --grain G --from S --to E --compare C``; the day-by-day chart is ``compute --grain
day`` over the period and over the comparison window the engine chose (``previous_start`` …
``previous_end``); each target's chart is the report's (:func:`shakhes.service.report.
target_charts`); the breakdown is ``compute --by DIM``; the SMART card ``shakhes check KPI``;
the panel "why did it move" ``shakhes explain KPI --by DIM``; anomalies ``shakhes anomalies
KPI``; links the goals' leading → lagging links.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from shakhes.data.model import table
from shakhes.engine.calendar import Grain, total_comparison
from shakhes.errors import UnknownKpiError, nearest
from shakhes.web.look import raw
from shakhes.web.overview import safe, target_row

if TYPE_CHECKING:
    import pyarrow as pa

    from shakhes.service.status import TargetStatus
    from shakhes.spec.kpi import KpiSpec
    from shakhes.web.look import Look
    from shakhes.web.period import Selection
    from shakhes.workspace import Workspace

PREFERRED_BY = ("channel", "campaign", "platform", "source")
"""The breakdown shown first: the first of these the KPI allows."""


class WebNumbers:
    """How the SMART card writes its numbers (:class:`shakhes.analysis.smart_words.Numbers`)."""

    def __init__(self, look: Look, spec: KpiSpec) -> None:
        self.look, self.spec = look, spec

    def value(self, number: float) -> str:
        return self.look.value(number, self.spec)

    def change(self, number: float) -> str:
        return self.look.change(number)

    def number(self, number: float) -> str:
        return self.look.plain(number)

    def date(self, day: dt.date) -> str:
        return self.look.day(day)


def spec_of(ws: Workspace, kpi: str) -> KpiSpec:
    """The KPI ``kpi`` (an :class:`~shakhes.errors.UnknownKpiError` otherwise)."""
    specs = ws.definitions()
    if kpi not in specs:
        guess = nearest(kpi, list(specs))
        raise UnknownKpiError(
            f"unknown KPI '{kpi}'" + (f" — did you mean '{guess}'?" if guess else ""),
            params={"kpi": kpi},
            hint="Pick a KPI on the overview.",
        )
    return specs[kpi]


def dimensions(spec: KpiSpec, tables: tuple[str, ...]) -> list[str]:
    """The dimensions ``spec`` may be broken down by: those of every table it reads (and of
    its own list, when it has one)."""
    if not tables:
        return []
    found = [
        d
        for d in table(tables[0]).dimensions
        if all(table(t).has_column(d) and table(t).column(d).is_dimension for t in tables)
    ]
    return [d for d in found if not spec.dimensions or d in spec.dimensions]


PANELS = ("targets", "why", "smart", "anomalies")
"""The panels the KPI page loads after the page (each a fragment of its own,
:func:`build_panel`): the targets' charts with their forecasts, why it moved, the SMART card
and the anomalies — together most of a cold page's time (docs/web.md). The page itself shows
the value, the day-by-day chart, the breakdown and the links."""


def build(
    ws: Workspace,
    look: Look,
    kpi: str,
    period: str | None,
    compare: str | None,
    by: str | None,
    *,
    panels: bool = True,
) -> dict[str, Any]:
    """The page of ``kpi`` for ``?period=…&compare=…&by=…``: its selection (``sel``) and
    ``data``, kept for the workspace's state (:mod:`shakhes.service.cache`). With ``panels``
    (``?panels=all``) the :data:`PANELS` are in it; without, ``data["later"]`` names them."""
    from shakhes.service.cache import cached
    from shakhes.web.period import select

    parts = frozenset(("main", *PANELS)) if panels else frozenset(("main",))

    def make() -> dict[str, Any]:
        sel = select(ws, period, compare)
        return {"sel": sel, "data": page(ws, look, sel, kpi, by, parts)}

    key = (look.lang, kpi, period, compare, by, panels)
    return cached(ws, "web.kpi", key, make, warm=True)


def build_panel(
    ws: Workspace,
    look: Look,
    kpi: str,
    period: str | None,
    compare: str | None,
    by: str | None,
    panel: str,
) -> dict[str, Any]:
    """One of the :data:`PANELS` of the page of ``kpi`` (``data`` holds only what it shows;
    the anomalies' also the day-by-day chart with them marked), kept like :func:`build`."""
    from shakhes.errors import ShakhesError
    from shakhes.service.cache import cached
    from shakhes.web.period import select

    if panel not in PANELS:
        raise ShakhesError(
            f"no panel '{panel}' on a KPI page",
            code="not_found",
            params={"panel": panel, "allowed": list(PANELS)},
            hint="Open the KPI's page.",
        )

    def make() -> dict[str, Any]:
        sel = select(ws, period, compare)
        return {"sel": sel, "data": page(ws, look, sel, kpi, by, frozenset((panel,)))}

    key = (look.lang, kpi, period, compare, by, panel)
    return cached(ws, "web.kpi.panel", key, make, warm=True)


def page(
    ws: Workspace,
    look: Look,
    sel: Selection,
    kpi: str,
    by: str | None,
    parts: frozenset[str] = frozenset(("main", *PANELS)),
) -> dict[str, Any]:
    """What the KPI template shows: its ``parts`` — ``main`` (the value, the day-by-day chart,
    the breakdown and the links) and any of the :data:`PANELS` (the others are ``later``)."""
    from shakhes.service.compute import Query, compute, records

    spec = spec_of(ws, kpi)
    period = sel.period
    query = Query(
        (kpi,), grain=sel.grain.value, start=period.start, end=period.end, compare=sel.compare
    )
    result, problem = safe(compute, ws, query)  # a KPI this grain cannot sum: said on the page
    row: dict[str, Any] = records(result)[0] if result is not None else {"value": None}
    error = result.errors.get(kpi) if result is not None else None
    message = error.message if error is not None else problem
    tables = result.plan.kpis[0].tables if result is not None and result.plan.kpis else ()
    dims = dimensions(spec, tables)
    chosen = by if by in dims else next((d for d in PREFERRED_BY if d in dims), None)
    if chosen is None and dims:
        chosen = dims[0]
    main = "main" in parts
    anomalies: list[dict[str, Any]] = []
    anomalies_problem = None
    if "anomalies" in parts or "targets" in parts:  # the targets' charts mark them too
        found_anomalies, anomalies_problem = safe(_anomalies, ws, kpi, sel)
        anomalies = found_anomalies or []
    marks = tuple(
        (dt.date.fromisoformat(a["date"]), f"{look.words['anomaly']}: {look.day(a['date'])}")
        for a in anomalies
    )
    chart = main or "anomalies" in parts  # the anomalies' panel brings the chart marked
    return {
        "id": spec.id,
        "name": look.name(spec),
        "description": spec.description.fa if look.lang == "fa" else spec.description.en,
        "formula": spec.formula,
        "value": {"text": look.value(row["value"], spec), "raw": raw(row["value"])},
        "previous": {
            "text": look.value(row.get("previous_value"), spec),
            "raw": raw(row.get("previous_value")),
            "span": look.span(
                dt.date.fromisoformat(row["previous_start"]),
                dt.date.fromisoformat(row["previous_end"]),
            )
            if row.get("previous_start")
            else "",
        },
        "change": {"text": look.change(row.get("change_pct")), "raw": raw(row.get("change_pct"))},
        "error": message,
        "later": [p for p in PANELS if p not in parts],
        "daily_chart": None
        if message or not chart
        else _daily_chart(ws, look, spec, sel, row, marks),
        "targets": _targets(ws, look, spec, sel, marks) if "targets" in parts else [],
        "dimensions": dims,
        "by": chosen,
        "breakdown": _breakdown(ws, look, spec, sel, chosen)
        if chosen and not message and main
        else None,
        "smart": _smart(ws, look, spec, sel) if "smart" in parts else {"problem": None, "rows": []},
        "why": _why(ws, look, spec, sel, chosen)
        if chosen and not message and "why" in parts
        else None,
        "anomalies": [_anomaly(look, spec, a) for a in anomalies] if "anomalies" in parts else [],
        "anomalies_problem": anomalies_problem,
        "links": _links(ws, look, kpi) if main else {"drives": [], "driven_by": []},
    }


def _daily_chart(
    ws: Workspace,
    look: Look,
    spec: KpiSpec,
    sel: Selection,
    row: dict[str, Any],
    marks: tuple[tuple[dt.date, str], ...],
) -> str:
    from shakhes.report.charts import daily_html

    period = sel.period
    end = min(period.end, sel.data_end) if sel.data_end >= period.start else period.end
    days = tuple(period.start + dt.timedelta(days=i) for i in range((end - period.start).days + 1))

    spans = [(period.start, end)]
    if row.get("previous_start"):
        spans.append(
            (
                dt.date.fromisoformat(row["previous_start"]),
                dt.date.fromisoformat(row["previous_end"]),
            )
        )
    at = _days(ws, spec.id, spans)

    def by_day(start: dt.date, last: dt.date) -> list[float | None]:
        """The KPI on each of the ``len(days)`` days from ``start`` (None after ``last``)."""
        return [
            at.get(start + dt.timedelta(days=i)) if start + dt.timedelta(days=i) <= last else None
            for i in range(len(days))
        ]

    values = by_day(*spans[0])
    comparison = tuple(by_day(*spans[1])) if len(spans) > 1 else None
    return daily_html(
        spec,
        days,
        tuple(values),
        comparison=comparison,
        marks=marks,
        lang=look.lang,
        calendar=look.calendar,
        currency=ws.settings.currency,
        font=look.font,
        div_id=f"daily-{spec.id}",
    )


def _days(
    ws: Workspace, kpi: str, spans: list[tuple[dt.date, dt.date]]
) -> dict[dt.date, float | None]:
    """The KPI on each day of ``spans`` (first and last days): from its whole day-by-day
    series where a span is within the days it has data for — one query per state for the KPI
    and its peers (:func:`shakhes.service.anomalies.day_series`), the very one the page's
    anomaly search reads, so that the pages of other periods and of its peers and the
    anomalies compute no more days (a day's value is the same whatever range it is asked in) —
    else from a query of that span (a year before the data began, say: its days are counted,
    as 0 where a sum has no rows; or no data yet at all)."""
    from shakhes.errors import ShakhesError
    from shakhes.service.anomalies import day_series
    from shakhes.service.compute import Query, compute

    try:
        whole = day_series(ws, kpi)
    except ShakhesError:  # no data yet (no range to compute over): each span on its own
        whole = None
    at: dict[dt.date, float | None] = {}
    for start, end in spans:
        if whole is not None and whole.plan.start <= start and end <= whole.plan.end:
            found = whole
        else:
            found = compute(ws, Query((kpi,), grain="day", start=start, end=end))
        at.update(_day_values(found.table, kpi, start, end))
    return at


def _day_values(
    table: pa.Table, kpi: str, start: dt.date, end: dt.date
) -> dict[dt.date, float | None]:
    """The value of ``kpi`` on each day from ``start`` to ``end`` in ``table`` (a result at
    day grain)."""
    import pyarrow.compute as pc

    day = table.column("period_start")
    span = pc.and_(pc.greater_equal(day, start), pc.less_equal(day, end))
    rows = table.filter(pc.and_(span, pc.equal(table.column("kpi"), kpi)))
    values = map(_number, rows.column("value").to_pylist())
    return dict(zip(rows.column("period_start").to_pylist(), values, strict=True))


def _targets(
    ws: Workspace,
    look: Look,
    spec: KpiSpec,
    sel: Selection,
    marks: tuple[tuple[dt.date, str], ...],
) -> list[dict[str, Any]]:
    """Each target of the KPI tracked on the selection's day, with the report's chart (and
    the KPI to date over the comparison window's days beside it)."""
    from shakhes.report.charts import figure_html
    from shakhes.service import goals
    from shakhes.service.report import target_charts
    from shakhes.service.status import KpiStatus, StatusReport, track_targets

    active = [t for t in goals.active_targets(ws, on=sel.on) if t.kpi.id == spec.id]
    if not active:
        return []
    tracked = list(track_targets(ws, active, sel.on).values())
    report = StatusReport(
        sel.on, "given", (), (KpiStatus(spec.id, spec, spec.kind, (), tuple(tracked)),)
    )
    charts = target_charts(ws, report)
    out = []
    for t in tracked:
        chart = charts.get(t.spec.id)
        html = None
        if chart is not None:
            html = figure_html(
                chart,
                t,
                lang=look.lang,
                calendar=look.calendar,
                currency=ws.settings.currency,
                font=look.font,
                comparison=_to_date(ws, t, chart.days, sel.compare),
                marks=marks if not t.spec.scope else (),  # anomalies are of the whole KPI
            )
        out.append({**target_row(look, t), "chart": html})
    return out


def _to_date(
    ws: Workspace, t: TargetStatus, days: tuple[dt.date, ...], compare: str
) -> tuple[float | None, ...] | None:
    """The KPI to date on each day of the comparison window of the target's period (as many
    days before it, or the same days a year before), placed on the target's days."""
    from shakhes.analysis.series import RatioSeries
    from shakhes.service.history import daily_histories

    kind = "last_year" if compare == "last_year" else "previous"
    first, last = total_comparison(t.instance.start, t.instance.end, kind)  # type: ignore[arg-type]
    history = daily_histories(ws, [t.kpi.id], scope=t.spec.scope, start=first, end=last)
    series = history[t.kpi.id].series
    if series is None or series.start > first:
        return None
    out: list[float | None] = []
    for i in range(len(days)):
        day = first + dt.timedelta(days=i)
        if day > series.end or day > last:
            out.append(None)
        elif isinstance(series, RatioSeries):
            out.append(_number(series.ratio(first, day)))
        else:
            out.append(_number(series.total(first, day)))
    return tuple(out)


def _breakdown(
    ws: Workspace, look: Look, spec: KpiSpec, sel: Selection, by: str
) -> dict[str, Any] | None:
    from shakhes.service.compute import Query, compute, records

    period = sel.period
    query = Query(
        (spec.id,), grain=sel.grain.value, by=(by,), start=period.start, end=period.end,
        compare=sel.compare,
    )  # fmt: skip
    result, problem = safe(compute, ws, query)
    if result is None:
        return {"problem": problem, "rows": []}
    rows = []
    found = sorted(records(result), key=lambda r: -(_number(r["value"]) or -math.inf))
    for r in found:
        rows.append(
            {
                "segment": r[by] if r[by] not in (None, "") else "—",
                "value": {"text": look.value(r["value"], spec), "raw": raw(r["value"])},
                "previous": {
                    "text": look.value(r.get("previous_value"), spec),
                    "raw": raw(r.get("previous_value")),
                },
                "change": {
                    "text": look.change(r.get("change_pct")),
                    "raw": raw(r.get("change_pct")),
                },
            }
        )
    return {"problem": None, "rows": rows}


def _smart(ws: Workspace, look: Look, spec: KpiSpec, sel: Selection) -> dict[str, Any]:
    from shakhes.service import smart

    report, problem = safe(smart.check, ws, [spec.id], on=sel.on)
    if report is None or not report.rows:
        return {"problem": problem, "rows": []}
    return {
        "problem": None,
        "rows": [smart.row_record(row, look.lang, WebNumbers(look, spec)) for row in report.rows],
    }


def _why(ws: Workspace, look: Look, spec: KpiSpec, sel: Selection, by: str) -> dict[str, Any]:
    from shakhes.service import why

    if sel.grain is Grain.TOTAL:
        query = why.ExplainQuery(
            spec.id, by, start=sel.period.start, end=sel.period.end, against=sel.compare
        )
    else:
        query = why.ExplainQuery(spec.id, by, period=sel.period.label, against=sel.compare)
    movement, problem = safe(why.explain, ws, query)
    if movement is None:
        return {"problem": problem, "summary": None, "parts": []}
    found = why.record(movement, look.lang)
    return {"problem": None, "summary": found["summary"], "parts": found["parts"][:8]}


def _anomalies(ws: Workspace, kpi: str, sel: Selection) -> list[dict[str, Any]]:
    from shakhes.service.anomalies import AnomaliesQuery, anomalies, records

    if sel.period.start > sel.data_end:
        return []
    query = AnomaliesQuery(kpis=[kpi], since=sel.period.start, until=sel.period.end, shared=True)
    found: list[dict[str, Any]] = records(anomalies(ws, query))["anomalies"]
    return found


def _anomaly(look: Look, spec: KpiSpec, a: dict[str, Any]) -> dict[str, Any]:
    by = a["explained_by"]
    return {
        "day": look.day(a["date"]),
        "value": {"text": look.value(a["value"], spec), "raw": raw(a["value"])},
        "expected": {"text": look.value(a["expected"], spec), "raw": raw(a["expected"])},
        "change": {"text": look.change(a["change_pct"]), "raw": raw(a["change_pct"])},
        "severity": look.words.get(str(a["severity"]), str(a["severity"])),
        "explained_by": None if by is None else f"{by['dimension']} = {by['value']}",
    }


def _links(ws: Workspace, look: Look, kpi: str) -> dict[str, list[dict[str, str]]]:
    from shakhes.service.goals import driver_links

    specs = ws.definitions()

    def named(kpi_id: str, goal: str) -> dict[str, str]:
        return {"id": kpi_id, "name": look.name(specs.get(kpi_id), kpi_id), "goal": goal}

    links = driver_links(ws)
    return {
        "drives": [named(x.lagging, x.goal) for x in links if x.leading == kpi],
        "driven_by": [named(x.leading, x.goal) for x in links if x.lagging == kpi],
    }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
