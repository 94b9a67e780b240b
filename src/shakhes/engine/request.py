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
    """One output period: the full calendar period and the part of it the request covers."""

    index: int
    start: dt.date
    end: dt.date
    label: str
    label_fa: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
