"""The calendar of a run: its days, weekdays and the demand every volume follows.

``demand_t`` = trend × yearly seasonality × weekday multiplier, normalised to mean 1 over the
period. The yearly curve interpolates monthly anchors (Q4 peak, summer dip).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from shakhes.data.demo._arrays import BoolArray, DateArray, FloatArray, IntArray
from shakhes.data.demo._media import WINDOWS
from shakhes.data.demo._world import DEMAND_MONTH_ANCHORS, DEMAND_WEEKDAY, TREND_ANNUAL_GROWTH


@dataclass(frozen=True, eq=False)
class Calendar:
    """The days from ``start`` to ``end`` (index ``t``) and their demand."""

    start: datetime.date
    end: datetime.date
    n_days: int
    dates: DateArray
    dow: IntArray
    """Day of the week of each day, 0 = Monday."""
    yearly: FloatArray
    trend: FloatArray
    weekday: FloatArray
    """Demand multiplier per day of the week (Mon..Sun), mean 1."""
    demand_norm: float
    demand: FloatArray

    def window_mask(self, window: str) -> BoolArray:
        """The days inside the seasonal window ``window`` (of any year)."""
        month, day, length = WINDOWS[window]
        mask = np.zeros(self.n_days, dtype=np.bool_)
        for year in range(self.start.year - 1, self.end.year + 1):
            first = (datetime.date(year, month, day) - self.start).days
            lo, hi = max(first, 0), min(first + length, self.n_days)
            if lo < hi:
                mask[lo:hi] = True
        return mask


def make_calendar(start: datetime.date, end: datetime.date) -> Calendar:
    """The calendar from ``start`` to ``end`` inclusive."""
    n_days = (end - start).days + 1
    dates = np.datetime64(start, "D") + np.arange(n_days)
    epoch = dates.astype(np.int64)
    dow = ((epoch + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    year_start = dates.astype("datetime64[Y]").astype("datetime64[D]")
    next_year = (dates.astype("datetime64[Y]") + 1).astype("datetime64[D]")
    doy = (dates - year_start).astype(np.float64)
    year_len = (next_year - year_start).astype(np.float64)
    x = (doy + 0.5) / year_len * 12.0
    anchors = np.asarray(DEMAND_MONTH_ANCHORS)
    xp = np.arange(-0.5, 13.0, 1.0)
    fp = np.concatenate([[anchors[-1]], anchors, [anchors[0]]])
    yearly = np.interp(x, xp, fp)
    t = np.arange(n_days, dtype=np.float64)
    trend = (1.0 + TREND_ANNUAL_GROWTH) ** (t / 365.25)
    weekday = np.asarray(DEMAND_WEEKDAY) / np.mean(DEMAND_WEEKDAY)
    raw = yearly * trend * weekday[dow]
    demand_norm = float(np.mean(raw))
    demand: FloatArray = raw / demand_norm
    return Calendar(
        start=start,
        end=end,
        n_days=n_days,
        dates=dates,
        dow=dow,
        yearly=yearly,
        trend=trend,
        weekday=weekday,
        demand_norm=demand_norm,
        demand=demand,
    )
