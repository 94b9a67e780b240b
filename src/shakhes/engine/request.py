"""What a caller asks the engine for, and the windows of time a plan computes over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shakhes.engine.calendar import Grain

Compare = Literal["previous", "last_year"]


@dataclass(frozen=True)
class Request:
    """A compute request: KPIs, time grain, breakdown, date range, filter and comparison.

    ``start`` and ``end`` are inclusive; ``None`` means the range of the data the KPIs read.
    ``grain`` ``total`` makes the whole range one period.
    """

    kpis: tuple[str, ...]
    grain: Grain = Grain.MONTH
    by: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    where: str | None = None
    compare: Compare | None = None


@dataclass(frozen=True)
class Window:
    """One output period: the days it covers (``start`` … ``end``: the part of the calendar
    period inside the requested range and, where they overlap, the data's range) and the whole
    calendar period it belongs to (``full_start`` … ``full_end``), with its labels."""

    index: int
    start: dt.date
    end: dt.date
    label: str
    label_fa: str
    full_start: dt.date
    full_end: dt.date

    @property
    def whole(self) -> bool:
        """True when the window covers its whole calendar period."""
        return (self.start, self.end) == (self.full_start, self.full_end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
