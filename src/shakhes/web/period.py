"""The period a page shows and what it is compared with, read from the URL.

``?period=`` is a period named as people name it (``2025-11``, ``1404-08``, ``1404-Q2``,
``2025``, ``2025-10-01..2025-10-31``), read by shakhes' one period parser,
:func:`shakhes.spec.periods.parse_period`, in the workspace's calendar; it is computed at the
grain the parser names (a Jalali month at ``jalali_month``, so ``compare=previous`` is the
month before, as ``shakhes compute --grain jalali_month --compare previous`` has it; a range
of days as one ``total`` period, compared with as many days before it). Without ``?period=``
it is the period of the workspace's grain holding the last day with data (what ``shakhes
report`` shows by default). A bad period is the parser's ``invalid_period`` error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shakhes.engine.calendar import Grain, Period, period_of, periods
from shakhes.errors import QueryError
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
    """The selection ``?period=text&compare=compare`` names (the parser's
    :class:`~shakhes.errors.PeriodError`, or a ``bad_compare`` :class:`~shakhes.errors.
    QueryError`, otherwise)."""
    from shakhes.service.status import default_day
    from shakhes.spec.periods import parse_period

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
    named = parse_period(text, ws.calendar, calendar_of(ws))
    return Selection(named.grain, named.period, text, compare, data_end)


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
