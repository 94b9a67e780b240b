"""Everything ``shakhes report`` shows, as data: what the HTML page (:mod:`shakhes.report`) draws.

:func:`build` gathers, for one period (``--period``; by default the period of the workspace's
grain — a month, or a Jalali month — holding the last day with data):

* the **status tree** of :func:`shakhes.service.status.status`, taken on the period's last day
  (or the last day with data, when that is earlier): goals, their KPIs, each target's actual,
  expected, forecast with its 80 % interval, probability and status — the very numbers of
  ``shakhes status --format json``;
* per tracked target, a **chart** (:class:`TargetChart`): the KPI to date on each day of the
  target's period (a running total, or a ratio's Σ numerator ÷ Σ denominator so far), the
  pacing line (the target paced by the profile tracking used, so that it meets the status's
  ``expected`` on the last day with data) and the forecast band from that day to the period's
  end. The band's end points are the status's forecast and interval; the days between follow
  the profile's share of the volume still to come (a drawing of the path, not a forecast of
  each day);
* the **biggest movers**: every KPI of the workspace computed for the period and the one before
  (as ``compute --compare previous``), the :data:`MOVERS` with the largest relative change,
  each explained by channel as ``shakhes explain`` does (:func:`shakhes.service.why.explain`);
* the **anomalies** of the period (:mod:`shakhes.service.anomalies`: days where a KPI broke
  from its expected value, and the dimension value that explains most of it).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from shakhes.analysis.forecast import forecast_ratio, forecast_span
from shakhes.analysis.pacing import Profile, estimate_profile
from shakhes.analysis.series import DailySeries, RatioSeries
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from shakhes.analysis.tracking import Tracking
    from shakhes.engine.calendar import Grain, Period
    from shakhes.service.status import StatusReport, TargetStatus
    from shakhes.spec.kpi import KpiSpec
    from shakhes.workspace import Workspace

__all__ = [
    "MOVERS",
    "AnomalySection",
    "Mover",
    "Report",
    "TargetChart",
    "build",
    "report_period",
]

MOVERS = 5
"""How many KPIs the biggest movers list."""
EXPLAIN_BY = ("channel", "campaign")
"""Dimensions a mover's change is split by: the first its KPI's tables have."""


@dataclass(frozen=True)
class TargetChart:
    """One target's period day by day: the KPI to date, the pacing line, the forecast band.

    Lists run over every day of the period (``days``); a value is None where it does not apply
    (``actual`` after the last day with data, the forecast before it)."""

    target: str
    days: tuple[dt.date, ...]
    actual: tuple[float | None, ...]
    expected: tuple[float | None, ...]
    forecast: tuple[float | None, ...]
    forecast_low: tuple[float | None, ...]
    forecast_high: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "days": [d.isoformat() for d in self.days],
            "actual": list(self.actual),
            "expected": list(self.expected),
            "forecast": list(self.forecast),
            "forecast_low": list(self.forecast_low),
            "forecast_high": list(self.forecast_high),
        }


@dataclass(frozen=True)
class Mover:
    """A KPI's change from the previous period, and its explanation (``shakhes explain``'s
    record, in the report's language) or why there is none."""

    spec: KpiSpec
    value: float
    previous: float
    change_pct: float
    currency: str | None
    explanation: dict[str, Any] | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.spec.id,
            "value": self.value,
            "previous": self.previous,
            "change_pct": self.change_pct,
            "currency": self.currency,
            "explanation": self.explanation,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class AnomalySection:
    """The period's anomalies; ``available`` is False (with a ``note``) when shakhes cannot
    detect them yet."""

    available: bool
    items: tuple[dict[str, Any], ...] = ()
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "items": list(self.items), "note": self.note}


@dataclass(frozen=True)
class Report:
    """What the report page shows (see the module docstring); ``to_dict`` is the JSON the page
    embeds, every number it shows unrounded."""

    grain: Grain
    period: Period
    lang: str
    calendar: str
    currency: str
    status: StatusReport
    charts: dict[str, TargetChart]
    movers: tuple[Mover, ...]
    anomalies: AnomalySection
    movers_problem: str | None = None
    kpis: dict[str, KpiSpec] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "grain": self.grain.value,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "label": self.period.label,
                "label_fa": self.period.label_fa,
            },
            "lang": self.lang,
            "calendar": self.calendar,
            "currency": self.currency,
            "status": self.status.to_dict(),
            "charts": {k: c.to_dict() for k, c in self.charts.items()},
            "movers": [m.to_dict() for m in self.movers],
            "movers_problem": self.movers_problem,
            "anomalies": self.anomalies.to_dict(),
        }


def report_period(ws: Workspace, period: str | None) -> tuple[Grain, Period]:
    """The grain and period ``period`` names (see :func:`~shakhes.spec.periods.parse_period`;
    an ``invalid_period`` error otherwise); None: the
    period of the workspace's grain holding the last day with data (today without data)."""
    from shakhes.engine.calendar import period_of
    from shakhes.service.status import default_day
    from shakhes.spec.periods import parse_period

    if period is not None:
        named = parse_period(period, ws.calendar)
        return named.grain, named.period
    day, _ = default_day(ws)
    grain = ws.default_grain
    return grain, period_of(grain, day, ws.calendar)


def build(ws: Workspace, period: str | None = None, lang: str | None = None) -> Report:
    """The report of ``period`` (see :func:`report_period`) in ``lang`` (``en`` or ``fa``;
    default: the workspace's locale)."""
    from shakhes.service.status import default_day, status

    lang = lang or ws.settings.locale.value
    if lang not in ("en", "fa"):
        raise ShakhesError(
            f"unknown language '{lang}'", code="unknown_lang", hint="Languages: en, fa."
        )
    grain, span = report_period(ws, period)
    last_data, _ = default_day(ws)
    on = max(span.start, min(span.end, last_data))
    tracked = status(ws, on=on)
    charts = target_charts(ws, tracked)
    movers, movers_problem = _movers(ws, grain, span, lang)
    return Report(
        grain=grain,
        period=span,
        lang=lang,
        calendar=ws.settings.calendar.value,
        currency=ws.settings.currency,
        status=tracked,
        charts=charts,
        movers=movers,
        anomalies=_anomalies(ws, span),
        movers_problem=movers_problem,
        kpis=ws.definitions(),
    )


# ---- a target's chart -----------------------------------------------------------------------


def target_charts(ws: Workspace, tracked: StatusReport) -> dict[str, TargetChart]:
    """The chart of each tracked target (target id → chart; targets not tracked have none).

    Each KPI's history is read as :func:`shakhes.service.status.track_targets` reads it (one
    query per scope, from the same first day), so the profile and forecast are the ones
    tracking used."""
    from shakhes.service.history import daily_histories
    from shakhes.service.status import HISTORY_DAYS

    by_scope: dict[str, list[TargetStatus]] = {}
    for t in tracked.targets:
        by_scope.setdefault(t.spec.scope, []).append(t)
    out: dict[str, TargetChart] = {}
    for scope, group in by_scope.items():
        first = min(t.instance.start for t in group) - dt.timedelta(days=HISTORY_DAYS)
        kpis = sorted({t.kpi.id for t in group})
        histories = daily_histories(ws, kpis, scope=scope, start=first, end=tracked.on)
        for t in group:
            series = histories[t.kpi.id].series
            chart = target_chart(t, series) if series is not None else None
            if chart is not None:
                out[t.spec.id] = chart
    return out


def target_chart(target: TargetStatus, series: DailySeries | RatioSeries) -> TargetChart | None:
    """The chart of a target from its KPI's daily ``series`` (None when it is not tracked)."""
    tracking = target.tracking
    if tracking is None:
        return None
    first, last, through = tracking.period_start, tracking.period_end, tracking.data_through
    series = series.through(through)
    days = tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    centre = (
        tracking.target
        if tracking.target is not None
        else ((tracking.target_low or 0.0) + (tracking.target_high or 0.0)) / 2
    )
    ahead = (max(first, through + dt.timedelta(days=1)), last) if through < last else None
    if isinstance(series, RatioSeries):
        num_profile, den_profile = _ratio_profiles(series, ahead, last)
        actual = [_ratio_to_date(series, first, d) if d <= through else None for d in days]
        expected = [centre * _paced(num_profile, den_profile, first, d, last) for d in days]
        remaining = den_profile
    else:
        profile = _profile(series, ahead, last)
        actual = [series.total(first, d) if d <= through else None for d in days]
        expected = [centre * profile.share(first, d, last) for d in days]
        remaining = profile
    band = _band(days, through, last, remaining, tracking)
    return TargetChart(
        target.spec.id,
        days,
        tuple(_finite(a) for a in actual),
        tuple(_finite(e) for e in expected),
        *band,
    )


def _profile(series: DailySeries, ahead: tuple[dt.date, dt.date] | None, last: dt.date) -> Profile:
    """The profile tracking paced the target with (the forecast's, or the history's when the
    period is over)."""
    if ahead is None:
        return estimate_profile(series, last)
    return forecast_span(series, *ahead).profile


def _ratio_profiles(
    series: RatioSeries, ahead: tuple[dt.date, dt.date] | None, last: dt.date
) -> tuple[Profile, Profile]:
    if ahead is None:
        return estimate_profile(series.numerator, last), estimate_profile(series.denominator, last)
    n_span, d_span = forecast_ratio(series.numerator, series.denominator, *ahead)
    return n_span.profile, d_span.profile


def _paced(num: Profile, den: Profile, first: dt.date, day: dt.date, last: dt.date) -> float:
    """The share that paces a ratio's target (as :func:`shakhes.analysis.tracking.track`)."""
    share_d = den.share(first, day, last)
    return num.share(first, day, last) / share_d if share_d > 0 else 1.0


def _ratio_to_date(series: RatioSeries, first: dt.date, day: dt.date) -> float | None:
    value = series.ratio(first, day)
    return value if math.isfinite(value) else None


def _band(
    days: tuple[dt.date, ...],
    through: dt.date,
    last: dt.date,
    profile: Profile,
    tracking: Tracking,
) -> tuple[tuple[float | None, ...], tuple[float | None, ...], tuple[float | None, ...]]:
    """The forecast, its low and its high on each day from ``through`` to ``last``: from the
    actual on ``through`` to the status's end points, along the profile's share of the volume
    still to come; None before ``through`` (and everywhere when there is no forecast)."""
    found = (tracking.forecast, tracking.forecast_low, tracking.forecast_high)
    ends = [e for e in found if e is not None]
    start = tracking.actual
    if through >= last or start is None or len(ends) < len(found):
        empty: tuple[float | None, ...] = tuple(None for _ in days)
        return empty, empty, empty
    weights = profile.span(through + dt.timedelta(days=1), last)
    total = float(weights.sum())
    steps = len(weights)
    cumulative = np.cumsum(weights) / total if total > 0 else np.arange(1, steps + 1) / steps
    out: list[list[float | None]] = [[], [], []]
    for day in days:
        for line, end in zip(out, ends, strict=True):
            if day < through:
                line.append(None)
            elif day == through:
                line.append(start)
            else:
                share = float(cumulative[(day - through).days - 1])
                line.append(start + (end - start) * share)
    a, b, c = out
    return tuple(a), tuple(b), tuple(c)


# ---- the biggest movers ---------------------------------------------------------------------


def _movers(
    ws: Workspace, grain: Grain, span: Period, lang: str
) -> tuple[tuple[Mover, ...], str | None]:
    """The :data:`MOVERS` KPIs with the largest relative change from the previous period, each
    explained by the first of :data:`EXPLAIN_BY` it can be split by."""
    from shakhes.service.compute import Query, compute

    specs = ws.definitions()
    try:
        result = compute(
            ws,
            Query(
                tuple(sorted(specs)),
                grain=grain.value,
                start=span.start,
                end=span.end,
                compare="previous",
            ),
        )
    except ShakhesError as exc:
        return (), exc.message
    found: list[Mover] = []
    for row in result.records():
        value, before = _number(row.get("value")), _number(row.get("previous_value"))
        if value is None or before is None or before == 0 or row["kpi"] not in specs:
            continue
        change = (value - before) / abs(before)
        found.append(Mover(specs[row["kpi"]], value, before, change, result.currency))
    found.sort(key=lambda m: (-abs(m.change_pct), m.spec.id))
    return tuple(_explained(ws, m, span, lang) for m in found[:MOVERS]), None


def _explained(ws: Workspace, mover: Mover, span: Period, lang: str) -> Mover:
    from shakhes.service import why

    problem = None
    for by in EXPLAIN_BY:
        try:
            movement = why.explain(ws, why.ExplainQuery(mover.spec.id, by, span.label))
        except ShakhesError as exc:
            problem = problem or exc.message
            continue
        return Mover(
            mover.spec,
            mover.value,
            mover.previous,
            mover.change_pct,
            mover.currency,
            why.record(movement, lang),
        )
    return Mover(
        mover.spec, mover.value, mover.previous, mover.change_pct, mover.currency, None, problem
    )


# ---- anomalies --------------------------------------------------------------------------------


def _anomalies(ws: Workspace, span: Period) -> AnomalySection:
    """The anomalies of the period's days (of the default KPIs of ``shakhes anomalies``), as
    its JSON records, latest first."""
    from shakhes.service.anomalies import AnomaliesQuery, anomalies, records

    try:
        found = records(anomalies(ws, AnomaliesQuery(since=span.start, until=span.end)))
    except ShakhesError as error:  # no data to look at: say why, the rest of the report stands
        return AnomalySection(False, note=error.message)
    return AnomalySection(True, tuple(found["anomalies"]))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
