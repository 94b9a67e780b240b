"""A period as a person writes it — ``2025-11``, ``2025-Q3``, ``2025``, Jalali ``1404-08`` —
read back into the calendar's grain and period.

It reads what ``shakhes compute`` shows as ``period_label`` (see
:mod:`shakhes.engine.calendar`), so a period copied from a table is understood, and the usual
variations: Persian or Arabic-Indic digits, ``/`` for ``-`` (``1404/08``), a space before the
quarter (``2025 Q3``), lower case (``2025-q3``, ``fy2024``).

A year before 1700 is a Jalali (Solar Hijri) year: the calendar covers 1900–2100, which is
Jalali 1278–1479, so the two never overlap and no setting is needed to tell them apart.

>>> grain, period = parse_period("1404-08")
>>> grain.value, period.start, period.end
('jalali_month', datetime.date(2025, 10, 23), datetime.date(2025, 11, 21))
>>> parse_period("2025-Q3")[1].label
'2025-Q3'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, cast

from persiantools.jdatetime import JalaliDate

from shakhes.engine.calendar import (
    DEFAULT_SETTINGS,
    DIMENSION_END,
    DIMENSION_START,
    CalendarSettings,
    Grain,
    Period,
    period_of,
)
from shakhes.errors import QueryError
from shakhes.text import to_ascii_digits

FORMS = (
    "2025-11 (a month), 2025-Q3 (a quarter), 2025 (a year), FY2025 (a fiscal year), "
    "2025-11-05 (a day), W 2025-11-03 (the week of that day), and in the Jalali calendar "
    "1404-08, 1404-Q2, 1404 or 1404-08-15"
)
"""The forms a period may be written in, for messages."""

JALALI_BEFORE = 1700
"""Years below this are Jalali."""

# persiantools' JalaliDate has no annotations; call it through a typed name (as the calendar does).
_jalali_date = cast("Callable[..., Any]", JalaliDate)

_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WEEK = re.compile(r"W\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q(\d)")
_YEAR = re.compile(r"(\d{4})")
_FISCAL = re.compile(r"FY\s*(\d{4})(?:/(\d{2}))?")


def parse_period(text: str, settings: CalendarSettings = DEFAULT_SETTINGS) -> tuple[Grain, Period]:
    """The grain and whole period ``text`` names; a :class:`~shakhes.errors.QueryError`
    (``bad_period``) saying which forms are understood otherwise.

    >>> parse_period("fy2024/25", CalendarSettings(fiscal_year_start_month=4))[1].start
    datetime.date(2024, 4, 1)
    """
    clean = to_ascii_digits(text).strip().upper().replace("/", "-")
    if m := _FISCAL.fullmatch(to_ascii_digits(text).strip().upper()):
        year = int(m.group(1))
        if m.group(2) is not None and int(m.group(2)) != (year + 1) % 100:
            raise _bad(text, f"FY{year}/{m.group(2)} is not one fiscal year")
        if not _gregorian(year):
            raise _bad(text, "a fiscal year is named by the Gregorian year it starts in")
        day = _date(text, year, settings.fiscal_year_start_month, 1)
        return _period(text, Grain.FISCAL_YEAR, day, settings)
    if m := _WEEK.fullmatch(clean):
        return _period(text, Grain.WEEK, _date(text, *map(int, m.groups())), settings)
    if m := _DAY.fullmatch(clean):
        return _period(text, Grain.DAY, _date(text, *map(int, m.groups())), settings)
    if m := _QUARTER.fullmatch(clean):
        year, quarter = int(m.group(1)), int(m.group(2))
        if not 1 <= quarter <= 4:
            raise _bad(text, f"there is no quarter {quarter}")
        month = (quarter - 1) * 3 + 1
        if year < JALALI_BEFORE:
            return _period(text, Grain.JALALI_QUARTER, _jalali(text, year, month), settings)
        return _period(text, Grain.QUARTER, _date(text, year, month, 1), settings)
    if m := _MONTH.fullmatch(clean):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise _bad(text, f"there is no month {month}")
        if year < JALALI_BEFORE:
            return _period(text, Grain.JALALI_MONTH, _jalali(text, year, month), settings)
        return _period(text, Grain.MONTH, _date(text, year, month, 1), settings)
    if m := _YEAR.fullmatch(clean):
        year = int(m.group(1))
        if year < JALALI_BEFORE:
            return _period(text, Grain.JALALI_YEAR, _jalali(text, year, 1), settings)
        return _period(text, Grain.YEAR, _date(text, year, 1, 1), settings)
    raise _bad(text)


def _gregorian(year: int) -> bool:
    return year >= JALALI_BEFORE


def _date(text: str, year: int, month: int, day: int) -> dt.date:
    """A Gregorian date, or a Jalali one for a year before :data:`JALALI_BEFORE`."""
    if not _gregorian(year):
        return _jalali(text, year, month, day)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _bad(text, str(exc)) from None


def _jalali(text: str, year: int, month: int, day: int = 1) -> dt.date:
    try:
        g = _jalali_date(year, month, day).to_gregorian()
    except ValueError as exc:
        raise _bad(text, str(exc)) from None
    return dt.date(g.year, g.month, g.day)


def _period(
    text: str, grain: Grain, day: dt.date, settings: CalendarSettings
) -> tuple[Grain, Period]:
    if not DIMENSION_START <= day <= DIMENSION_END:
        raise _bad(text, f"shakhes knows the years {DIMENSION_START.year}–{DIMENSION_END.year}")
    return grain, period_of(grain, day, settings)


def _bad(text: str, why: str | None = None) -> QueryError:
    return QueryError(
        f"'{text}' is not a period" + (f" ({why})" if why else ""),
        code="bad_period",
        params={"period": text},
        hint=f"Write a period as {FORMS}.",
    )
