"""The period a page shows and what it is compared with, read from the URL.

``?period=`` is a period named as people name it (``2025-11``, ``1404-08``, ``1404-Q2``,
``2025``, ``2025-10-01..2025-10-31``): read by the one parser of named periods,
:func:`shakhes.spec.periods.named_period`, in the workspace's calendar. The grain it is
computed at is the month, quarter or year of that calendar whose period it is (so
``compare=previous`` is the month before, as ``shakhes compute --grain jalali_month
--compare previous`` has it); any other range of days is one ``total`` period, compared with
as many days before it. Without ``?period=`` it is the period of the workspace's grain holding
the last day with data (what ``shakhes report`` shows by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shakhes.engine.calendar import Grain, Period, period_of, periods, total_period
from shakhes.errors import DefinitionError, QueryError
from shakhes.spec.goals import Calendar

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

COMPARES = ("previous", "last_year")
PICKER_MONTHS = 24
"""How many months back the period picker offers (quarters and years over the same span)."""

_GRAINS = {
    Calendar.GREGORIAN: (Grain.MONTH, Grain.QUARTER, Grain.YEAR),
    Calendar.JALALI: (Grain.JALALI_MONTH, Grain.JALALI_QUARTER, Grain.JALALI_YEAR),
}


@dataclass(frozen=True)
class Selection:
    """The period shown (``grain`` and ``period``), its text in the URL, the comparison, and
    the last day with data (``data_end``)."""

    grain: Grain
    period: Period
    text: str
    compare: str
    data_end: dt.date

    @property
    def on(self) -> dt.date:
        """The day targets are tracked on: the period's last day, or the last day with data
        when that is earlier (never before the period's first day)."""
        return max(self.period.start, min(self.period.end, self.data_end))


def calendar_of(ws: Workspace) -> Calendar:
    return Calendar.JALALI if ws.settings.calendar.value == "jalali" else Calendar.GREGORIAN


def select(ws: Workspace, text: str | None, compare: str | None) -> Selection:
    """The selection ``?period=text&compare=compare`` names (a ``bad_period`` or
    ``bad_compare`` :class:`~shakhes.errors.QueryError` otherwise)."""
    from shakhes.service.status import default_day
    from shakhes.spec.periods import named_period

    compare = (compare or "previous").replace("-", "_")
    if compare not in COMPARES:
        raise QueryError(
            f"'{compare}' is not a comparison",
            code="bad_compare",
            hint="Compare with previous (the period before) or last_year.",
        )
    data_end, _ = default_day(ws)
    if not text:
        period = period_of(ws.default_grain, data_end, ws.calendar)
        return Selection(ws.default_grain, period, period.label, compare, data_end)
    try:
        days = named_period(text, calendar_of(ws), ws.calendar)
    except DefinitionError as error:
        raise QueryError(
            error.message,
            code="bad_period",
            params={"period": text},
            hint="Pick a period in the list, or write one as 2025-11, 2025-Q3, 2025 "
            "(1404-08, 1404-Q2, 1404 in a Jalali workspace) or 2025-10-01..2025-10-31.",
        ) from None
    for grain in _GRAINS[calendar_of(ws)]:
        period = period_of(grain, days.start, ws.calendar)
        if (period.start, period.end) == (days.start, days.end):
            return Selection(grain, period, text, compare, data_end)
    return Selection(Grain.TOTAL, total_period(days.start, days.end), text, compare, data_end)


def choices(ws: Workspace, data_end: dt.date) -> list[tuple[Grain, list[Period]]]:
    """The periods the picker offers, newest first: the last :data:`PICKER_MONTHS` months of
    the workspace's calendar up to the one holding ``data_end``, and the quarters and years
    over the same span."""
    grains = _GRAINS[calendar_of(ws)]
    last = period_of(grains[0], data_end, ws.calendar)
    first_day = last.start
    for _ in range(PICKER_MONTHS - 1):
        first_day = period_of(grains[0], first_day - dt.timedelta(days=1), ws.calendar).start
    return [
        (grain, list(reversed(periods(grain, first_day, data_end, ws.calendar))))
        for grain in grains
    ]
