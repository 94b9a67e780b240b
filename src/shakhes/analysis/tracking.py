"""Tracking a target: where a KPI stands in its period, where it will end, and what that means.

:func:`track` answers, for one KPI, one period and one target, what ``shakhes status`` shows:

* **actual to date** and **expected to date** — the target paced by the KPI's own profile
  (:mod:`shakhes.analysis.pacing`): for an additive KPI the target × the share of the period's
  expected volume already past; for a ratio KPI the target × (share of the numerator's volume
  past ÷ share of the denominator's), the ratio to date that ends on target if both keep their
  rhythm — the target itself under linear pacing;
* **forecast** at period end with an 80 % interval (:mod:`shakhes.analysis.forecast`): an
  additive KPI's actual plus the outcomes of its remaining days; a ratio KPI's
  (N to date + N ahead) ÷ (D to date + D ahead) over joint outcomes of N and D — never a forecast
  of the ratio's own series; the point forecast is the median outcome;
* **probability** of meeting the target: the share of outcomes that meet it (at or above it
  when higher is better, at or below when lower is better, inside a band's bounds);
* **run rate needed**: per remaining day, what the rest of the period must average to meet the
  target (for a ratio, the ratio the remaining forecast denominator must carry), beside the
  forecast's own run rate;
* **status** (:class:`Status`, thresholds in :class:`Thresholds`): ``achieved`` and ``missed``
  when the period is over or the outcome can no longer change (an additive KPI that never goes
  down already above a higher-is-better target, or above a lower-is-better one or a band's
  top), else ``on_track`` (probability ≥ 0.7), ``at_risk`` (≥ 0.3) or ``off_track``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from shakhes.analysis.forecast import SpanForecast, Spread, forecast_ratio, forecast_span
from shakhes.analysis.pacing import Pacing, estimate_profile
from shakhes.analysis.series import DailySeries, FloatArray, RatioSeries
from shakhes.spec.kpi import Direction

INTERVAL = 0.8
"""Coverage of the forecast interval: the 10th to the 90th percentile of outcomes."""


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"


@dataclass(frozen=True)
class Thresholds:
    """Probability of meeting the target from which a running target is on track / at risk;
    below ``at_risk`` it is off track."""

    on_track: float = 0.7
    at_risk: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.at_risk <= self.on_track <= 1:
            raise ValueError("thresholds need 0 ≤ at_risk ≤ on_track ≤ 1")

    def status(self, probability: float) -> Status:
        if probability >= self.on_track:
            return Status.ON_TRACK
        if probability >= self.at_risk:
            return Status.AT_RISK
        return Status.OFF_TRACK


@dataclass(frozen=True)
class Target:
    """A value to reach (``value``, read with the KPI's direction) or a band
    (``low``..``high``, inclusive) to end inside."""

    value: float | None = None
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        band = (self.low, self.high)
        if (self.value is None) == (band == (None, None)) or (
            None in band and band != (None, None)
        ):
            raise ValueError("a target is a value or a band (low and high)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("a band's low is above its high")

    @classmethod
    def of(cls, target: float | tuple[float, float] | Target) -> Target:
        """A target from a number or a (low, high) pair."""
        if isinstance(target, Target):
            return target
        if isinstance(target, tuple):
            return cls(low=float(target[0]), high=float(target[1]))
        return cls(value=float(target))

    def bounds(self, direction: Direction) -> tuple[float, float]:
        """The final values that meet the target, as [low, high] (infinite where open)."""
        if self.value is None:
            return float(self.low), float(self.high)  # type: ignore[arg-type]
        if direction == Direction.HIGHER_IS_BETTER:
            return self.value, math.inf
        return -math.inf, self.value

    def centre(self) -> float:
        """The value pacing aims at: the target, or a band's middle."""
        if self.value is not None:
            return self.value
        return (float(self.low) + float(self.high)) / 2  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tracking:
    """Every number of one tracked target (see the module docstring); ``to_dict`` is JSON-ready.

    Ratio KPIs also carry their numerator's and denominator's actual and forecast; rates are
    per remaining day (additive) or on the remaining forecast denominator (ratio)."""

    kind: str
    """``additive`` or ``ratio``."""
    direction: Direction
    target: float | None
    target_low: float | None
    target_high: float | None
    period_start: dt.date
    period_end: dt.date
    data_through: dt.date
    days_in_period: int
    days_elapsed: int
    days_remaining: int
    pacing: Pacing
    spread: Spread | None
    """None when the period is over (nothing left to forecast)."""
    actual: float | None
    """None for a ratio whose denominator is still 0."""
    expected: float
    elapsed_share: float
    """Share of the period's expected volume (a ratio: of its denominator) already past."""
    forecast: float | None
    forecast_low: float | None
    forecast_high: float | None
    probability: float
    run_rate: float | None
    """The forecast's own rate over the remaining days; None when none remain."""
    run_rate_needed_min: float | None
    """The least rate that still meets the target (never below 0); None when there is no floor."""
    run_rate_needed_max: float | None
    """The most rate that still meets the target (negative: too late); None when no ceiling."""
    status: Status
    numerator: float | None = None
    denominator: float | None = None
    forecast_numerator: float | None = None
    forecast_denominator: float | None = None
    interval: float = field(default=INTERVAL)

    def to_dict(self) -> dict[str, Any]:
        """The numbers as JSON data: ISO dates, enum values, null for NaN and infinities."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, StrEnum):
                value = value.value
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            out[key] = value
        return out


def track(
    history: DailySeries | RatioSeries,
    period: tuple[dt.date, dt.date],
    data_through: dt.date,
    target: float | tuple[float, float] | Target,
    direction: Direction | str,
    *,
    thresholds: Thresholds = Thresholds(),
) -> Tracking:
    """Track ``target`` for the KPI of ``history`` over ``period`` (first and last day,
    inclusive) with data through ``data_through`` (days after it in ``history`` are ignored,
    days missing up to it are 0).

    >>> days = DailySeries(dt.date(2025, 1, 1), np.full(100, 10.0))
    >>> april = (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    >>> t = track(days, april, dt.date(2025, 4, 10), 300, "higher_is_better")
    >>> t.actual, t.expected, t.forecast, t.probability, t.status.value
    (100.0, 100.0, 300.0, 1.0, 'on_track')
    """
    first, last = period
    if last < first:
        raise ValueError("a period ends on or after its first day")
    direction = Direction(direction)
    goal = Target.of(target)
    history = history.through(data_through)
    if isinstance(history, RatioSeries):
        return _track_ratio(history, first, last, data_through, goal, direction, thresholds)
    return _track_additive(history, first, last, data_through, goal, direction, thresholds)


@dataclass(frozen=True)
class _Clock:
    """Days of the period: in all, past and still to come."""

    days: int
    elapsed: int
    remaining: int
    ahead: tuple[dt.date, dt.date] | None
    """The days still to come, when there are any."""

    @classmethod
    def of(cls, first: dt.date, last: dt.date, through: dt.date) -> _Clock:
        days = (last - first).days + 1
        elapsed = min(max((through - first).days + 1, 0), days)
        start = max(first, through + dt.timedelta(days=1))
        return cls(days, elapsed, days - elapsed, (start, last) if start <= last else None)


def _track_additive(
    history: DailySeries,
    first: dt.date,
    last: dt.date,
    through: dt.date,
    target: Target,
    direction: Direction,
    thresholds: Thresholds,
) -> Tracking:
    clock = _Clock.of(first, last, through)
    actual = history.total(first, min(through, last))
    low, high = target.bounds(direction)
    rate = needed_min = needed_max = None
    spread = None
    if clock.ahead is None:
        profile = estimate_profile(history, last)
        outcomes = np.array([actual])
    else:
        span = forecast_span(history, *clock.ahead)
        profile, spread = span.profile, span.spread
        outcomes = actual + span.outcomes
        rate = float(np.median(span.outcomes)) / clock.remaining
        if math.isfinite(low):
            needed_min = max((low - actual) / clock.remaining, 0.0)
        if math.isfinite(high):
            needed_max = (high - actual) / clock.remaining
    share = profile.share(first, through, last)
    forecast, f_low, f_high = _summary(outcomes)
    probability = _probability(outcomes, low, high)
    grows = history.non_negative  # the total so far can only grow: some outcomes are sure
    if clock.ahead is None:
        status = Status.ACHIEVED if low <= actual <= high else Status.MISSED
    elif grows and actual > high:
        status = Status.MISSED
    elif grows and math.isinf(high) and actual >= low:
        status = Status.ACHIEVED
    else:
        status = thresholds.status(probability)
    return Tracking(
        kind="additive",
        direction=direction,
        target=target.value,
        target_low=target.low,
        target_high=target.high,
        period_start=first,
        period_end=last,
        data_through=through,
        days_in_period=clock.days,
        days_elapsed=clock.elapsed,
        days_remaining=clock.remaining,
        pacing=profile.kind,
        spread=spread,
        actual=actual,
        expected=target.centre() * share,
        elapsed_share=share,
        forecast=forecast,
        forecast_low=f_low,
        forecast_high=f_high,
        probability=probability,
        run_rate=rate,
        run_rate_needed_min=needed_min,
        run_rate_needed_max=needed_max,
        status=status,
    )


def _track_ratio(
    history: RatioSeries,
    first: dt.date,
    last: dt.date,
    through: dt.date,
    target: Target,
    direction: Direction,
    thresholds: Thresholds,
) -> Tracking:
    clock = _Clock.of(first, last, through)
    end = min(through, last)
    num, den = history.numerator.total(first, end), history.denominator.total(first, end)
    actual = num / den if den != 0 else None
    low, high = target.bounds(direction)
    rate = needed_min = needed_max = f_num = f_den = None
    spread = None
    if clock.ahead is None:
        profiles = [estimate_profile(s, last) for s in (history.numerator, history.denominator)]
        outcomes = np.array([actual if actual is not None else math.nan])
    else:
        n_span, d_span = forecast_ratio(history.numerator, history.denominator, *clock.ahead)
        profiles, spread = [n_span.profile, d_span.profile], n_span.spread
        outcomes = _ratio_outcomes(num, den, n_span, d_span)
        n_ahead, d_ahead = float(np.median(n_span.outcomes)), float(np.median(d_span.outcomes))
        f_num, f_den = num + n_ahead, den + d_ahead
        if d_ahead > 0:
            rate = n_ahead / d_ahead
            if math.isfinite(low):
                needed_min = max((low * (den + d_ahead) - num) / d_ahead, 0.0)
            if math.isfinite(high):
                needed_max = (high * (den + d_ahead) - num) / d_ahead
    share_n, share_d = (p.share(first, through, last) for p in profiles)
    # the ratio to date that ends on target when N and D both keep their rhythm
    paced = share_n / share_d if share_d > 0 else 1.0
    forecast, f_low, f_high = _summary(outcomes)
    probability = _probability(outcomes, low, high)
    if clock.ahead is None:
        met = actual is not None and low <= actual <= high
        status = Status.ACHIEVED if met else Status.MISSED
    else:
        status = thresholds.status(probability)
    return Tracking(
        kind="ratio",
        direction=direction,
        target=target.value,
        target_low=target.low,
        target_high=target.high,
        period_start=first,
        period_end=last,
        data_through=through,
        days_in_period=clock.days,
        days_elapsed=clock.elapsed,
        days_remaining=clock.remaining,
        pacing=_least(profiles[0].kind, profiles[1].kind),
        spread=spread,
        actual=actual,
        expected=target.centre() * paced,
        elapsed_share=share_d,
        forecast=forecast,
        forecast_low=f_low,
        forecast_high=f_high,
        probability=probability,
        run_rate=rate,
        run_rate_needed_min=needed_min,
        run_rate_needed_max=needed_max,
        status=status,
        numerator=num,
        denominator=den,
        forecast_numerator=f_num,
        forecast_denominator=f_den,
    )


def _ratio_outcomes(
    num: float, den: float, n_span: SpanForecast, d_span: SpanForecast
) -> FloatArray:
    """(N to date + N ahead) ÷ (D to date + D ahead) for each joint outcome; outcomes with no
    denominator at all are left out (the ratio has no value there)."""
    total_d = den + d_span.outcomes
    keep = total_d != 0
    out: FloatArray = (num + n_span.outcomes[keep]) / total_d[keep]
    return out


def _summary(outcomes: FloatArray) -> tuple[float | None, float | None, float | None]:
    """Median and the 80 % interval of the outcomes (None when there are none)."""
    finite = outcomes[np.isfinite(outcomes)]
    if len(finite) == 0:
        return None, None, None
    tail = (1 - INTERVAL) / 2
    low, mid, high = np.quantile(finite, [tail, 0.5, 1 - tail])
    return float(mid), float(low), float(high)


def _probability(outcomes: FloatArray, low: float, high: float) -> float:
    """Share of the outcomes that end inside [low, high]."""
    finite = outcomes[np.isfinite(outcomes)]
    if len(finite) == 0:
        return 0.0
    return float(np.mean((finite >= low) & (finite <= high)))


_ORDER = (Pacing.LINEAR, Pacing.DAY_OF_WEEK, Pacing.SEASONAL)


def _least(a: Pacing, b: Pacing) -> Pacing:
    """The simpler of two pacings (what both series of a ratio could use)."""
    return _ORDER[min(_ORDER.index(a), _ORDER.index(b))]
