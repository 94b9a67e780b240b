"""Daily series: the input of pacing and forecasts, one number per calendar day.

A KPI's history reaches the analysis as a :class:`DailySeries` (an additive KPI: cost, clicks,
revenue) or a :class:`RatioSeries` (a ratio KPI: its numerator and denominator, each additive,
as the engine computes them). Days are contiguous from ``start``: the analysis indexes days by
their distance from it, so a gap would silently shift every weekday. :meth:`DailySeries.from_days`
builds one from (day, value) pairs as the engine returns them, where a day without rows is a
day with nothing (0 clicks, 0 cost), not an unknown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class DailySeries:
    """One value per day, from ``start`` to ``start + len(values) - 1``, all finite.

    >>> s = DailySeries.from_days([(dt.date(2025, 1, 1), 2.0), (dt.date(2025, 1, 3), 5.0)])
    >>> s.end, s.values.tolist()
    (datetime.date(2025, 1, 3), [2.0, 0.0, 5.0])
    """

    start: dt.date
    values: FloatArray

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError("a daily series is one-dimensional")
        if not np.all(np.isfinite(values)):
            raise ValueError("a daily series has finite values only (an unknown day is not 0)")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    @classmethod
    def from_days(
        cls, pairs: Iterable[tuple[dt.date, float]], *, start: dt.date | None = None
    ) -> DailySeries:
        """The series of ``(day, value)`` pairs: days without a pair are 0, a day given twice
        is summed. ``start`` extends the series back with zeros (it must not cut pairs off)."""
        items = list(pairs)
        if not items and start is None:
            raise ValueError("an empty series needs a start day")
        first = min([d for d, _ in items] + ([start] if start is not None else []))
        last = max([d for d, _ in items], default=first)
        values = np.zeros((last - first).days + 1)
        for day, value in items:
            values[(day - first).days] += float(value)
        return cls(first, values)

    @property
    def end(self) -> dt.date:
        """The last day with a value (the day before ``start`` when the series is empty)."""
        return self.start + dt.timedelta(days=len(self.values) - 1)

    def index(self, day: dt.date) -> int:
        """Position of ``day`` counted from ``start`` (negative before it)."""
        return (day - self.start).days

    def through(self, day: dt.date) -> DailySeries:
        """The series cut at ``day``, or extended with zeros up to it (data through ``day``)."""
        n = self.index(day) + 1
        if n < 0:
            raise ValueError(f"{day} is before the series starts ({self.start})")
        if n <= len(self.values):
            return DailySeries(self.start, self.values[:n])
        return DailySeries(
            self.start, np.concatenate([self.values, np.zeros(n - len(self.values))])
        )

    def total(self, first: dt.date, last: dt.date) -> float:
        """Sum of the values from ``first`` to ``last`` inclusive (days outside count 0)."""
        i = max(self.index(first), 0)
        j = min(self.index(last), len(self.values) - 1)
        return float(self.values[i : j + 1].sum()) if j >= i else 0.0

    @property
    def non_negative(self) -> bool:
        """Whether no day is negative (then a running total can only grow)."""
        return bool(np.all(self.values >= 0))


@dataclass(frozen=True, eq=False)
class RatioSeries:
    """A ratio KPI's daily numerator and denominator, over the same days.

    The KPI's value over any span is Σ numerator / Σ denominator; a constant factor of the
    formula (a CPM's × 1000) belongs in the numerator."""

    numerator: DailySeries
    denominator: DailySeries

    def __post_init__(self) -> None:
        n, d = self.numerator, self.denominator
        if n.start != d.start or len(n.values) != len(d.values):
            raise ValueError("numerator and denominator must cover the same days")

    @classmethod
    def from_days(
        cls,
        pairs: Iterable[tuple[dt.date, float, float]],
        *,
        start: dt.date | None = None,
    ) -> RatioSeries:
        """The series of ``(day, numerator, denominator)`` triples (see
        :meth:`DailySeries.from_days`)."""
        items = list(pairs)
        num = DailySeries.from_days([(d, n) for d, n, _ in items], start=start)
        den = DailySeries.from_days([(d, x) for d, _, x in items], start=num.start)
        return cls(num, den.through(num.end))

    @property
    def start(self) -> dt.date:
        return self.numerator.start

    @property
    def end(self) -> dt.date:
        return self.numerator.end

    def through(self, day: dt.date) -> RatioSeries:
        """Both series cut at, or extended with zeros up to, ``day``."""
        return RatioSeries(self.numerator.through(day), self.denominator.through(day))

    def ratio(self, first: dt.date, last: dt.date) -> float:
        """Σ numerator / Σ denominator from ``first`` to ``last``; NaN when Σ denominator is 0."""
        den = self.denominator.total(first, last)
        return self.numerator.total(first, last) / den if den != 0 else math.nan
