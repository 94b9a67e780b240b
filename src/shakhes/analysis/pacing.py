"""Pacing: how much of a period's volume should be in by a given day, from the KPI's own rhythm.

A straight line (day 10 of 30 → a third of the target) is wrong for almost every marketing KPI:
weekends are quieter (or busier), November is not July. A :class:`Profile` gives each day its
expected share of volume, estimated from the KPI's history:

* **day of week** — with at least :data:`MIN_WEEKDAY_DAYS` days (8 weeks): each day's value
  divided by its centred 7-day mean, averaged per weekday with the top and bottom 10 % trimmed
  (a sale day or an outage does not move the factor), over the last 52 weeks; normalised to a
  mean of 1.
* **time of year** — with at least :data:`MIN_SEASONAL_DAYS` days (a year to read the shape
  from, plus the level's 4 weeks and half the smoothing window): day ``t`` weighs like the
  same weekday a year (:data:`YEAR` = 364 days) earlier, smoothed over :data:`SMOOTHING_DAYS`
  days and with last year's weekday pattern divided out, then damped (to the power
  :data:`SHAPE_POWER`). This carries the yearly curve, recurring sale windows and last year's
  growth within the year.
* **linear** — with less history every day weighs the same.

A profile's weights are relative: only their ratios mean anything. The forecast
(:mod:`shakhes.analysis.forecast`) scales them by a level; pacing uses their shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from shakhes.analysis.series import DailySeries, FloatArray

MIN_WEEKDAY_DAYS = 56
"""Days of history (8 weeks) before the day-of-week pattern is estimated; linear below."""
MIN_SEASONAL_DAYS = 400
"""Days of history before the time-of-year shape is used; day of week only below."""
YEAR = 364
"""Last year's "same day": 52 weeks earlier, so it falls on the same weekday."""
SMOOTHING_DAYS = 15
"""Width of the centred window that smooths last year's values into a time-of-year shape."""
SHAPE_POWER = 0.7
"""Last year's shape is raised to this power, which pulls it towards flat: a single year's
shape also carries that year's one-offs (a paused campaign, a budget change) that will not
come back. In the backtest 0.7 beat both 1 (the shape as it was) and 0.5, with one and with
two years of history before the year tested."""
LEVEL_DAYS = 28
"""The last 4 weeks: the forecast's level is measured over them, so the profile must know them."""
WEEKDAY_HISTORY = 364
"""The weekday factors are read from the last 52 weeks (patterns change over years)."""
TRIM = 0.1
"""Share of the lowest and of the highest day ratios left out of each weekday's mean."""


class Pacing(StrEnum):
    """Which profile paces a KPI (chosen by the length of its history)."""

    LINEAR = "linear"
    DAY_OF_WEEK = "day_of_week"
    SEASONAL = "seasonal"


@dataclass(frozen=True, eq=False)
class Profile:
    """Relative expected volume of each day from ``start``; NaN where it is not known.

    Known on the last :data:`LEVEL_DAYS` days of the history (where the level is measured) and
    on the days the profile was asked to cover. ``weekday`` are the Monday..Sunday factors (all
    1 when linear)."""

    kind: Pacing
    start: dt.date
    weights: FloatArray
    weekday: tuple[float, ...]
    mirror: FloatArray | None = None
    """Seasonal only, for the forecast's track record: the weights of the history's days with
    the time of year read a year *later* (NaN where that is not in the history). The first
    year has no year before it; the year after is as good a stand-in for "another year's
    shape", so the track record also covers the first year."""

    def span(self, first: dt.date, last: dt.date) -> FloatArray:
        """The weights of the days ``first..last``; where the profile does not know them all
        (before the history, or a year back not yet in it), the weekday factors alone."""
        i, j = (first - self.start).days, (last - self.start).days
        if j < i:
            raise ValueError(f"{first} to {last} is not a span of days")
        if i >= 0 and j < len(self.weights):
            known = self.weights[i : j + 1]
            if not np.isnan(known).any():
                return known
        weekday: FloatArray = np.asarray(self.weekday)[(first.weekday() + np.arange(j - i + 1)) % 7]
        return weekday

    def share(self, first: dt.date, through: dt.date, last: dt.date) -> float:
        """Expected share of the volume of ``first..last`` that falls on ``first..through``
        (0 before ``first``, 1 from ``last`` on).

        >>> p = linear_profile(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        >>> round(p.share(dt.date(2025, 4, 1), dt.date(2025, 4, 10), dt.date(2025, 4, 30)), 4)
        0.3333
        """
        if through < first:
            return 0.0
        if through >= last:
            return 1.0
        weights = self.span(first, last)
        whole = float(weights.sum())
        if whole <= 0:  # a period with no expected volume: days instead
            return ((through - first).days + 1) / len(weights)
        return float(weights[: (through - first).days + 1].sum()) / whole


def linear_profile(start: dt.date, last: dt.date) -> Profile:
    """Every day from ``start`` to ``last`` weighs 1."""
    return Profile(Pacing.LINEAR, start, np.ones((last - start).days + 1), (1.0,) * 7)


def estimate_profile(history: DailySeries, last: dt.date, *, seasonal: bool = True) -> Profile:
    """The profile of ``history``'s KPI over its days and on to ``last``.

    The kind follows the history's length (see the module docstring); the time of year is
    also dropped when last year does not reach ``last`` (a period more than ~50 weeks ahead)
    or when last year had a stretch of :data:`SMOOTHING_DAYS` days without volume where it is
    needed (the KPI was not running then: its shape says nothing about this year).
    ``seasonal=False`` stops at day of week.

    >>> s = DailySeries(dt.date(2025, 1, 6), np.tile([2.0, 1, 1, 1, 1, 1, 0], 8))  # Mon..Sun
    >>> p = estimate_profile(s, dt.date(2025, 3, 9))
    >>> p.kind.value, [round(w, 2) for w in p.weekday]
    ('day_of_week', [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    """
    y = history.values
    n = len(y)
    total = max((last - history.start).days + 1, n)
    if n < MIN_WEEKDAY_DAYS:
        return linear_profile(history.start, history.start + dt.timedelta(days=total - 1))
    recent = y[-WEEKDAY_HISTORY:]
    factors = _weekday_factors(recent, (history.start.weekday() + n - len(recent)) % 7)
    if factors is None:
        return linear_profile(history.start, history.start + dt.timedelta(days=total - 1))
    weekday_of = (np.arange(total) + history.start.weekday()) % 7
    dow = factors[weekday_of]
    if seasonal and n >= MIN_SEASONAL_DAYS:
        shape = _shape(y, dow, total, YEAR)
        needed = shape[n - LEVEL_DAYS :]  # the level's window and the days ahead
        if not np.isnan(needed).any() and bool(np.all(needed > 0)):
            weights = dow * shape**SHAPE_POWER
            mirror = dow[:n] * _shape(y, dow, n, -YEAR) ** SHAPE_POWER
            weekday = tuple(factors.tolist())
            return Profile(Pacing.SEASONAL, history.start, weights, weekday, mirror)
    return Profile(Pacing.DAY_OF_WEEK, history.start, dow, tuple(factors.tolist()))


def _weekday_factors(y: FloatArray, first_weekday: int) -> FloatArray | None:
    """Monday..Sunday factors (mean 1) of the days ``y``, the first a ``first_weekday``
    (0 = Monday); None when there is no volume to read them from."""
    kernel = np.ones(7) / 7
    mean7 = np.convolve(y, kernel, mode="valid")  # mean7[i] is centred on day i + 3
    centre = y[3 : 3 + len(mean7)]
    weekday = (np.arange(3, 3 + len(mean7)) + first_weekday) % 7
    ok = mean7 > 0
    factors = np.zeros(7)
    for d in range(7):
        ratios = np.sort(centre[ok & (weekday == d)] / mean7[ok & (weekday == d)])
        if len(ratios) == 0:
            return None
        cut = int(len(ratios) * TRIM)
        factors[d] = max(float(ratios[cut : len(ratios) - cut].mean()), 0.0)
    if factors.sum() <= 0:
        return None
    out: FloatArray = factors / factors.mean()
    return out


def _shape(y: FloatArray, dow: FloatArray, total: int, lag: int) -> FloatArray:
    """Time-of-year factor of each of ``total`` days: the volume around the same day ``lag``
    days earlier (Σ y / Σ weekday factor over :data:`SMOOTHING_DAYS` days centred there); NaN
    where that is not fully in the history."""
    n = len(y)
    k = SMOOTHING_DAYS // 2
    cy = np.concatenate([[0.0], np.cumsum(y)])
    cw = np.concatenate([[0.0], np.cumsum(dow[:n])])
    shape = np.full(total, np.nan)
    t = np.arange(total)
    lo, hi = t - lag - k, t - lag + k
    ok = (lo >= 0) & (hi <= n - 1)
    weights = cw[hi[ok] + 1] - cw[lo[ok]]
    with np.errstate(divide="ignore", invalid="ignore"):
        shape[ok] = np.where(weights > 0, (cy[hi[ok] + 1] - cy[lo[ok]]) / weights, np.nan)
    return shape
