"""Calendars and periods: Gregorian, week, fiscal and Jalali (Solar Hijri) grains.

The engine never converts fact dates row by row. It joins fact rows, in the warehouse, to a small
mapping table built here (:func:`period_map`, :func:`window_map`), derived from a date dimension
(:func:`date_dimension`) that holds the Gregorian and Jalali parts of every day 1900–2100. All
period arithmetic (the period of a day, the periods of a range, shifting, last year, comparison
windows) lives here too, so that the mapping tables and the arithmetic cannot disagree.

Label conventions (``Period.label`` / ``Period.label_fa``)::

    grain            label          label_fa
    day              2024-03-05     ۱۴۰۲/۱۲/۱۵            (the Jalali date of the day)
    week             W 2024-03-04   هفته ۱۴۰۲/۱۲/۱۴       (named by its first day; Jalali in fa)
    month            2024-03        مارس ۲۰۲۴
    quarter          2024-Q1        سه‌ماهه ۱ ۲۰۲۴
    year             2024           ۲۰۲۴
    fiscal_year      FY2024         سال مالی ۲۰۲۴         (fiscal year starting in January)
                     FY2024/25      سال مالی ۲۰۲۴/۲۵      (any other start month)
    jalali_month     1404-07        مهر ۱۴۰۴
    jalali_quarter   1404-Q3        فصل ۳ ۱۴۰۴
    jalali_year      1404           ۱۴۰۴
    total            2024-01-01 – 2024-06-30   ۱۴۰۲/۱۰/۱۱ – ۱۴۰۳/۰۴/۱۰   (the whole range)

A day and a week belong to no calendar's months, so their Persian labels show the Jalali date a
Persian reader uses; Gregorian months, quarters and years keep Gregorian names and numbers (with
Persian digits), because their bounds are Gregorian. A fiscal year is named by the calendar year
in which it starts. Labels of one grain sort in time order as plain strings.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from persiantools.jdatetime import JalaliDate

from shakhes.engine import arrow
from shakhes.text import to_persian_digits

__all__ = [
    "CALENDAR_GRAINS",
    "GREGORIAN_MONTHS_FA",
    "JALALI_MONTHS_AF",
    "JALALI_MONTHS_FA",
    "CalendarSettings",
    "Grain",
    "Period",
    "comparison_window",
    "date_dimension",
    "period_map",
    "period_of",
    "periods",
    "same_period_last_year",
    "shift",
    "to_persian_digits",
    "total_comparison",
    "total_period",
    "window_map",
]

JALALI_MONTHS_FA: tuple[str, ...] = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
"""Jalali month names as used in Iran, Farvardin first."""

JALALI_MONTHS_AF: tuple[str, ...] = (
    "حمل",
    "ثور",
    "جوزا",
    "سرطان",
    "اسد",
    "سنبله",
    "میزان",
    "عقرب",
    "قوس",
    "جدی",
    "دلو",
    "حوت",
)
"""Jalali month names as used in Afghanistan (Hamal … Hut), same months as the Iranian ones."""

GREGORIAN_MONTHS_FA: tuple[str, ...] = (
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
)
"""Gregorian month names in Iranian Persian (as in CLDR ``fa``), January first."""

DIMENSION_START = date(1900, 1, 1)
DIMENSION_END = date(2100, 12, 31)

_EPOCH = date(1970, 1, 1)
_DAY = timedelta(days=1)
# persiantools' JalaliDate constructor has no annotations; call it through a typed name.
_jalali_date = cast("Callable[..., Any]", JalaliDate)


class Grain(StrEnum):
    """The length of a period a KPI is computed over."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    FISCAL_YEAR = "fiscal_year"
    JALALI_MONTH = "jalali_month"
    JALALI_QUARTER = "jalali_quarter"
    JALALI_YEAR = "jalali_year"
    TOTAL = "total"
    """The whole requested range as one period: it has no calendar periods, so the functions of
    this module refuse it; the planner lays it out (:func:`total_period`)."""


CALENDAR_GRAINS: tuple[Grain, ...] = tuple(g for g in Grain if g is not Grain.TOTAL)
"""The grains whose periods come from a calendar (every grain but ``total``)."""


@dataclass(frozen=True)
class CalendarSettings:
    """Workspace calendar settings.

    ``week_start`` is a Python weekday number: 0 = Monday … 5 = Saturday, 6 = Sunday (Iranian
    workspaces use 5). ``fiscal_year_start_month`` is the Gregorian month (1-12) in which the
    fiscal year starts: 4 means April 1 – March 31.
    """

    week_start: int = 0
    fiscal_year_start_month: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.week_start <= 6:
            raise ValueError(f"week_start must be 0 (Monday) … 6 (Sunday), got {self.week_start}")
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise ValueError(
                f"fiscal_year_start_month must be 1 … 12, got {self.fiscal_year_start_month}"
            )


DEFAULT_SETTINGS = CalendarSettings()


@dataclass(frozen=True)
class Period:
    """One whole period of a grain: ``start`` to ``end`` inclusive, with display labels."""

    start: date
    end: date
    label: str
    label_fa: str

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# --- period index arithmetic ---------------------------------------------------------------
# Every grain numbers its periods with consecutive integers; a period is built from its index.
# ``_index_of`` maps a day to its period's index and ``_start_of`` an index to its first day, so
# the end of period i is the day before the start of period i + 1.

_PERIODS_PER_YEAR: dict[Grain, int] = {
    Grain.MONTH: 12,
    Grain.QUARTER: 4,
    Grain.YEAR: 1,
    Grain.FISCAL_YEAR: 1,
    Grain.JALALI_MONTH: 12,
    Grain.JALALI_QUARTER: 4,
    Grain.JALALI_YEAR: 1,
}


def _jalali_ymd(day: date) -> tuple[int, int, int]:
    j = _jalali_date(day)
    return int(j.year), int(j.month), int(j.day)


def _jalali_to_date(year: int, month: int, day: int = 1) -> date:
    g = _jalali_date(year, month, day).to_gregorian()
    return date(g.year, g.month, g.day)


def _index_of(grain: Grain, day: date, settings: CalendarSettings) -> int:
    match grain:
        case Grain.DAY:
            return day.toordinal()
        case Grain.WEEK:
            # date.toordinal() is 1 on Monday 0001-01-01, so (ordinal - 1) % 7 is the weekday.
            return (day.toordinal() - 1 - settings.week_start) // 7
        case Grain.MONTH:
            return day.year * 12 + day.month - 1
        case Grain.QUARTER:
            return day.year * 4 + (day.month - 1) // 3
        case Grain.YEAR:
            return day.year
        case Grain.FISCAL_YEAR:
            month_index = day.year * 12 + day.month - 1
            return (month_index - (settings.fiscal_year_start_month - 1)) // 12
        case Grain.JALALI_MONTH:
            jy, jm, _ = _jalali_ymd(day)
            return jy * 12 + jm - 1
        case Grain.JALALI_QUARTER:
            jy, jm, _ = _jalali_ymd(day)
            return jy * 4 + (jm - 1) // 3
        case Grain.JALALI_YEAR:
            return _jalali_ymd(day)[0]
    raise ValueError(f"grain {grain.value!r} has no calendar periods")


def _start_of(grain: Grain, index: int, settings: CalendarSettings) -> date:
    match grain:
        case Grain.DAY:
            return date.fromordinal(index)
        case Grain.WEEK:
            return date.fromordinal(index * 7 + 1 + settings.week_start)
        case Grain.MONTH:
            return date(index // 12, index % 12 + 1, 1)
        case Grain.QUARTER:
            return date(index // 4, (index % 4) * 3 + 1, 1)
        case Grain.YEAR:
            return date(index, 1, 1)
        case Grain.FISCAL_YEAR:
            month_index = index * 12 + settings.fiscal_year_start_month - 1
            return date(month_index // 12, month_index % 12 + 1, 1)
        case Grain.JALALI_MONTH:
            return _jalali_to_date(index // 12, index % 12 + 1)
        case Grain.JALALI_QUARTER:
            return _jalali_to_date(index // 4, (index % 4) * 3 + 1)
        case Grain.JALALI_YEAR:
            return _jalali_to_date(index, 1)
    raise ValueError(f"unknown grain {grain!r}")  # pragma: no cover


def _jalali_slash_fa(day: date) -> str:
    jy, jm, jd = _jalali_ymd(day)
    return to_persian_digits(f"{jy:04d}/{jm:02d}/{jd:02d}")


def _labels(grain: Grain, index: int, start: date, settings: CalendarSettings) -> tuple[str, str]:
    fa = to_persian_digits
    match grain:
        case Grain.DAY:
            return start.isoformat(), _jalali_slash_fa(start)
        case Grain.WEEK:
            return f"W {start.isoformat()}", f"هفته {_jalali_slash_fa(start)}"
        case Grain.MONTH:
            return (
                f"{start.year:04d}-{start.month:02d}",
                f"{GREGORIAN_MONTHS_FA[start.month - 1]} {fa(str(start.year))}",
            )
        case Grain.QUARTER:
            q = index % 4 + 1
            return f"{start.year:04d}-Q{q}", f"سه‌ماهه {fa(str(q))} {fa(str(start.year))}"
        case Grain.YEAR:
            return f"{start.year:04d}", fa(f"{start.year:04d}")
        case Grain.FISCAL_YEAR:
            if settings.fiscal_year_start_month == 1:
                name = f"{start.year:04d}"
            else:
                name = f"{start.year:04d}/{(start.year + 1) % 100:02d}"
            return f"FY{name}", f"سال مالی {fa(name)}"
        case Grain.JALALI_MONTH:
            jy, jm = divmod(index, 12)
            return f"{jy:04d}-{jm + 1:02d}", f"{JALALI_MONTHS_FA[jm]} {fa(str(jy))}"
        case Grain.JALALI_QUARTER:
            jy, jq = divmod(index, 4)
            return f"{jy:04d}-Q{jq + 1}", f"فصل {fa(str(jq + 1))} {fa(str(jy))}"
        case Grain.JALALI_YEAR:
            return f"{index:04d}", fa(f"{index:04d}")
    raise ValueError(f"unknown grain {grain!r}")  # pragma: no cover


def _period(grain: Grain, index: int, settings: CalendarSettings) -> Period:
    start = _start_of(grain, index, settings)
    end = _start_of(grain, index + 1, settings) - _DAY
    label, label_fa = _labels(grain, index, start, settings)
    return Period(start=start, end=end, label=label, label_fa=label_fa)


# --- public period arithmetic ----------------------------------------------------------------


def period_of(grain: Grain, day: date, settings: CalendarSettings = DEFAULT_SETTINGS) -> Period:
    """The whole period of ``grain`` that contains ``day``.

    >>> period_of(Grain.JALALI_MONTH, date(2025, 9, 23)).label_fa
    'مهر ۱۴۰۴'
    >>> period_of(Grain.WEEK, date(2024, 3, 6), CalendarSettings(week_start=5)).start
    datetime.date(2024, 3, 2)
    """
    return _period(Grain(grain), _index_of(Grain(grain), day, settings), settings)


def periods(
    grain: Grain, start: date, end: date, settings: CalendarSettings = DEFAULT_SETTINGS
) -> list[Period]:
    """Every period of ``grain`` that intersects ``[start, end]``, in time order, with full bounds.

    The first and last periods may reach outside the range; the periods are contiguous and do
    not overlap.

    >>> [p.label for p in periods(Grain.MONTH, date(2024, 1, 15), date(2024, 3, 1))]
    ['2024-01', '2024-02', '2024-03']
    """
    if start > end:
        raise ValueError(f"range start {start} is after its end {end}")
    grain = Grain(grain)
    first = _index_of(grain, start, settings)
    last = _index_of(grain, end, settings)
    return [_period(grain, i, settings) for i in range(first, last + 1)]


def shift(
    grain: Grain, period: Period, n: int, settings: CalendarSettings = DEFAULT_SETTINGS
) -> Period:
    """The period ``n`` periods after ``period`` (``n = -1`` is the previous one).

    ``period`` is identified by its start day: any period of ``grain`` containing that day.

    >>> shift(Grain.JALALI_MONTH, period_of(Grain.JALALI_MONTH, date(2025, 3, 21)), -1).label
    '1403-12'
    """
    grain = Grain(grain)
    return _period(grain, _index_of(grain, period.start, settings) + n, settings)


def same_period_last_year(
    grain: Grain, period: Period, settings: CalendarSettings = DEFAULT_SETTINGS
) -> Period:
    """The period one year before ``period``.

    - day: the same calendar date a year earlier; 29 February maps to 28 February.
    - week: the week that starts 364 days (52 weeks) earlier, so weekdays line up.
    - month, quarter, year, fiscal year: the same month, quarter or year a year earlier.
    - Jalali month, quarter, year: the same Jalali month or quarter of Jalali year − 1, or the
      previous Jalali year.

    >>> same_period_last_year(Grain.MONTH, period_of(Grain.MONTH, date(2024, 3, 5))).label
    '2023-03'
    """
    grain = Grain(grain)
    if grain is Grain.DAY:
        return period_of(grain, _year_before(period.start), settings)
    if grain is Grain.WEEK:
        return period_of(grain, period.start - timedelta(days=364), settings)
    return shift(grain, period, -_PERIODS_PER_YEAR[grain], settings)


def comparison_window(
    grain: Grain,
    period: Period,
    covered: tuple[date, date],
    kind: Literal["previous", "last_year"],
    settings: CalendarSettings = DEFAULT_SETTINGS,
) -> tuple[date, date]:
    """The window of days to compare ``covered`` with, inside the previous or last year's period.

    ``covered`` is the part of ``period`` inside the requested range. When it is the whole
    period, the answer is the whole other period (March is compared with all of February).
    When it is partial, the answer starts at the same offset from the other period's start and
    has the same number of days, clipped to the other period's end; a start that would fall
    beyond that end is clipped to it as well, so the window is never empty.

    >>> comparison_window(
    ...     Grain.MONTH,
    ...     period_of(Grain.MONTH, date(2024, 3, 1)),
    ...     (date(2024, 3, 1), date(2024, 3, 10)),
    ...     "previous",
    ... )
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 10))
    """
    lo, hi = covered
    if lo > hi or lo < period.start or hi > period.end:
        raise ValueError(
            f"covered days {lo}..{hi} are not a range inside the period "
            f"{period.start}..{period.end}"
        )
    if kind == "previous":
        other = shift(grain, period, -1, settings)
    elif kind == "last_year":
        other = same_period_last_year(grain, period, settings)
    else:
        raise ValueError(f"comparison kind must be 'previous' or 'last_year', got {kind!r}")
    if (lo, hi) == (period.start, period.end):
        return other.start, other.end
    start = min(other.start + (lo - period.start), other.end)
    end = min(start + (hi - lo), other.end)
    return start, end


def total_period(start: date, end: date) -> Period:
    """The ``total`` grain's one period: the whole range ``[start, end]``, labelled by its first
    and last day (Jalali dates in the Persian label).

    >>> total_period(date(2024, 3, 20), date(2024, 3, 31)).label
    '2024-03-20 – 2024-03-31'
    >>> total_period(date(2024, 3, 20), date(2024, 3, 31)).label_fa
    '۱۴۰۳/۰۱/۰۱ – ۱۴۰۳/۰۱/۱۲'
    """
    if start > end:
        raise ValueError(f"range start {start} is after its end {end}")
    return Period(
        start,
        end,
        f"{start.isoformat()} – {end.isoformat()}",
        f"{_jalali_slash_fa(start)} – {_jalali_slash_fa(end)}",
    )


def _year_before(day: date) -> date:
    """The same calendar date a year earlier; 29 February maps to 28 February."""
    if day.month == 2 and day.day == 29:
        day = day.replace(day=28)
    return day.replace(year=day.year - 1)


def total_comparison(
    start: date, end: date, kind: Literal["previous", "last_year"]
) -> tuple[date, date]:
    """The days a ``total`` range is compared with: as many days just before it (``previous``),
    or the same dates a year before (``last_year``; 29 February counts as 28 February).

    >>> total_comparison(date(2024, 3, 1), date(2024, 3, 10), "previous")
    (datetime.date(2024, 2, 20), datetime.date(2024, 2, 29))
    >>> total_comparison(date(2024, 2, 29), date(2024, 3, 1), "last_year")
    (datetime.date(2023, 2, 28), datetime.date(2023, 3, 1))
    """
    if kind == "previous":
        days = end - start + _DAY
        return start - days, start - _DAY
    if kind == "last_year":
        return _year_before(start), _year_before(end)
    raise ValueError(f"comparison kind must be 'previous' or 'last_year', got {kind!r}")


# --- date dimension and mapping tables ------------------------------------------------------

_IntArray = npt.NDArray[np.int64]


def _epoch_days(day: date) -> int:
    return (day - _EPOCH).days


def _date32(days: _IntArray) -> pa.Array:
    return arrow.array(days, pa.date32())


def _int32(values: _IntArray) -> pa.Array:
    return arrow.array(values, pa.int32())


def _day_range(start: date, end: date) -> _IntArray:
    if start > end:
        raise ValueError(f"range start {start} is after its end {end}")
    return np.arange(_epoch_days(start), _epoch_days(end) + 1, dtype=np.int64)


def _jalali_parts(days: _IntArray) -> dict[str, _IntArray]:
    """Jalali year, month, day and period starts of epoch ``days`` (ascending), vectorised.

    Only the first day of each Jalali year (Nowruz) comes from persiantools, a few hundred
    calls; every day is then placed by its offset from Nowruz: months 1-6 have 31 days,
    months 7-11 have 30, and Esfand has 29 or 30 (the rest of the year).
    """
    first_year = _jalali_ymd(_EPOCH + timedelta(days=int(days[0])))[0]
    last_year = _jalali_ymd(_EPOCH + timedelta(days=int(days[-1])))[0]
    years = np.arange(first_year, last_year + 1, dtype=np.int64)
    nowruz = np.array([_epoch_days(_jalali_to_date(int(y), 1)) for y in years], dtype=np.int64)
    which = np.searchsorted(nowruz, days, side="right") - 1
    year_start = nowruz[which]
    day_of_year = days - year_start  # 0-based
    first_half = day_of_year < 186
    rest = day_of_year - 186
    month = np.where(first_half, day_of_year // 31 + 1, rest // 30 + 7)
    day = np.where(first_half, day_of_year % 31 + 1, rest % 30 + 1)
    quarter = (month - 1) // 3 + 1
    # Offsets of the quarter starts from Nowruz: 0, 93, 186 and 276 days.
    quarter_offset = np.array([0, 93, 186, 276], dtype=np.int64)[quarter - 1]
    return {
        "jalali_year": years[which],
        "jalali_month": month,
        "jalali_day": day,
        "jalali_quarter": quarter,
        "jalali_month_start": days - (day - 1),
        "jalali_quarter_start": year_start + quarter_offset,
        "jalali_year_start": year_start,
    }


@functools.lru_cache(maxsize=8)
def date_dimension(start: date = DIMENSION_START, end: date = DIMENSION_END) -> pa.Table:
    """One row per day from ``start`` to ``end``: the Gregorian and Jalali parts of each day.

    Columns: ``date``, ``year``, ``quarter``, ``month``, ``day``, ``iso_weekday`` (1 = Monday …
    7 = Sunday), ``jalali_year``, ``jalali_month``, ``jalali_day``, ``jalali_quarter``,
    ``jalali_month_name`` (Iranian), ``jalali_month_name_af`` (Afghan), ``month_start``,
    ``quarter_start``, ``year_start``, ``jalali_month_start``, ``jalali_quarter_start``,
    ``jalali_year_start``. Dates are ``date32``, numbers ``int32``. Built vectorised and cached.

    >>> dim = date_dimension(date(2025, 9, 23), date(2025, 9, 23))
    >>> dim.column("jalali_month_name").to_pylist(), dim.column("jalali_day").to_pylist()
    (['مهر'], [1])
    """
    days = _day_range(start, end)
    as_dates = days.astype("datetime64[D]")
    months = as_dates.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    year = months // 12 + 1970
    month = months % 12 + 1
    month_start = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    quarter_start_month = months - months % 3
    jalali = _jalali_parts(days)
    names_fa = np.array(JALALI_MONTHS_FA, dtype=object)[jalali["jalali_month"] - 1]
    names_af = np.array(JALALI_MONTHS_AF, dtype=object)[jalali["jalali_month"] - 1]
    columns: dict[str, pa.Array] = {
        "date": _date32(days),
        "year": _int32(year),
        "quarter": _int32((month - 1) // 3 + 1),
        "month": _int32(month),
        "day": _int32(days - month_start + 1),
        "iso_weekday": _int32((days + 3) % 7 + 1),  # 1970-01-01 was a Thursday
        "jalali_year": _int32(jalali["jalali_year"]),
        "jalali_month": _int32(jalali["jalali_month"]),
        "jalali_day": _int32(jalali["jalali_day"]),
        "jalali_quarter": _int32(jalali["jalali_quarter"]),
        "jalali_month_name": pa.array(names_fa, type=pa.string()),
        "jalali_month_name_af": pa.array(names_af, type=pa.string()),
        "month_start": _date32(month_start),
        "quarter_start": _date32(
            quarter_start_month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        ),
        "year_start": _date32(
            (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
        ),
        "jalali_month_start": _date32(jalali["jalali_month_start"]),
        "jalali_quarter_start": _date32(jalali["jalali_quarter_start"]),
        "jalali_year_start": _date32(jalali["jalali_year_start"]),
    }
    return pa.table(columns)


_JALALI_START_COLUMN: dict[Grain, str] = {
    Grain.JALALI_MONTH: "jalali_month_start",
    Grain.JALALI_QUARTER: "jalali_quarter_start",
    Grain.JALALI_YEAR: "jalali_year_start",
}


def _period_starts(
    grain: Grain, start: date, end: date, days: _IntArray, settings: CalendarSettings
) -> _IntArray:
    """The epoch day of the period start of each of ``days`` (the range ``start``..``end``)."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    def month_starts(month_index: _IntArray) -> _IntArray:
        as_days = month_index.astype("datetime64[M]").astype("datetime64[D]")
        return as_days.astype(np.int64)

    match grain:
        case Grain.DAY:
            return days
        case Grain.WEEK:
            weekday = (days + 3) % 7  # Python weekday: 1970-01-01 was a Thursday (3)
            return days - (weekday - settings.week_start) % 7
        case Grain.MONTH:
            return month_starts(months)
        case Grain.QUARTER:
            return month_starts(months - months % 3)
        case Grain.YEAR:
            return month_starts(months - months % 12)
        case Grain.FISCAL_YEAR:
            return month_starts(months - (months - (settings.fiscal_year_start_month - 1)) % 12)
        case Grain.JALALI_MONTH | Grain.JALALI_QUARTER | Grain.JALALI_YEAR:
            if start >= DIMENSION_START and end <= DIMENSION_END:
                dim = date_dimension().slice((start - DIMENSION_START).days, len(days))
            else:
                dim = date_dimension(start, end)
            column = dim.column(_JALALI_START_COLUMN[grain])
            return np.asarray(column.to_numpy().astype("datetime64[D]").astype(np.int64))
    raise ValueError(f"unknown grain {grain!r}")  # pragma: no cover


@functools.lru_cache(maxsize=64)
def period_map(
    grain: Grain, start: date, end: date, settings: CalendarSettings = DEFAULT_SETTINGS
) -> pa.Table:
    """The table the engine joins fact rows to: one row per day of ``[start, end]``.

    Columns ``date`` and ``period_start`` (both ``date32``): the first day of the period of
    ``grain`` containing ``date``, the same as ``period_of(grain, date).start``. Jalali grains
    come from :func:`date_dimension`, never from converting each day.

    >>> period_map(Grain.MONTH, date(2024, 1, 31), date(2024, 2, 1)).to_pylist()[1]
    {'date': datetime.date(2024, 2, 1), 'period_start': datetime.date(2024, 2, 1)}
    """
    grain = Grain(grain)
    days = _day_range(start, end)
    starts = _period_starts(grain, start, end, days, settings)
    return pa.table({"date": _date32(days), "period_start": _date32(starts)})


def window_map(windows: Sequence[tuple[date, date]], *, overlapping: bool = False) -> pa.Table:
    """A mapping table for explicit windows: every day of each window with the window's index.

    Columns ``date`` (``date32``) and ``period_index`` (``int32``, the position of the window in
    ``windows``). Windows are inclusive ``(start, end)`` pairs and must not overlap, so that each
    fact row joins to at most one window — unless ``overlapping``: then a day that windows
    share (a period and the one it is compared with) has a row for each of them, and a fact
    row of that day joins to each.

    >>> window_map([(date(2024, 1, 1), date(2024, 1, 2))]).column("period_index").to_pylist()
    [0, 0]
    """
    for lo, hi in windows:
        if lo > hi:
            raise ValueError(f"window start {lo} is after its end {hi}")
    ordered = [] if overlapping else sorted(range(len(windows)), key=lambda i: windows[i][0])
    for before, after in itertools.pairwise(ordered):
        if windows[after][0] <= windows[before][1]:
            raise ValueError(
                f"windows {windows[before][0]}..{windows[before][1]} and "
                f"{windows[after][0]}..{windows[after][1]} overlap"
            )
    ranges = [_day_range(lo, hi) for lo, hi in windows]
    days = np.concatenate(ranges) if ranges else np.empty(0, dtype=np.int64)
    index = np.repeat(np.arange(len(ranges), dtype=np.int64), [len(r) for r in ranges])
    return pa.table({"date": _date32(days), "period_index": _int32(index)})
