"""The days a target's period covers: the instance of a recurring period that holds a day, every
instance in a range, and periods named the way people name them (``1404``, ``2025-Q2``).

All calendar arithmetic is the engine's (:mod:`shakhes.engine.calendar`), so that a target's
Jalali month is the very month ``compute --grain jalali_month`` reports. The engine has no fiscal
quarter; one is three Gregorian months counted from the start of its fiscal year.

>>> from shakhes.spec.goals import PeriodSpec
>>> monthly = PeriodSpec(every="month", calendar="jalali")
>>> instance_of(monthly, date(2025, 4, 1))
PeriodInstance(start=datetime.date(2025, 3, 21), end=datetime.date(2025, 4, 20), label='1404-01', label_fa='فروردین ۱۴۰۴')
"""  # noqa: E501

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shakhes.engine.calendar import (
    DEFAULT_SETTINGS,
    DIMENSION_END,
    DIMENSION_START,
    CalendarSettings,
    Grain,
    Period,
    _jalali_to_date,
    period_of,
    shift,
    total_period,
)
from shakhes.errors import PeriodError
from shakhes.spec.goals import Calendar, DateRange, Every, PeriodSpec
from shakhes.text import to_ascii_digits, to_persian_digits

__all__ = [
    "PERIOD_FORMS",
    "NamedPeriod",
    "PeriodInstance",
    "bounds_problems",
    "grain_of",
    "instance_of",
    "instances",
    "named_period",
    "parse_period",
]

_DAY = timedelta(days=1)

_GRAINS: dict[tuple[Every, Calendar], Grain] = {
    (Every.MONTH, Calendar.GREGORIAN): Grain.MONTH,
    (Every.QUARTER, Calendar.GREGORIAN): Grain.QUARTER,
    (Every.YEAR, Calendar.GREGORIAN): Grain.YEAR,
    (Every.MONTH, Calendar.JALALI): Grain.JALALI_MONTH,
    (Every.QUARTER, Calendar.JALALI): Grain.JALALI_QUARTER,
    (Every.YEAR, Calendar.JALALI): Grain.JALALI_YEAR,
    (Every.MONTH, Calendar.FISCAL): Grain.MONTH,
    (Every.YEAR, Calendar.FISCAL): Grain.FISCAL_YEAR,
}
"""The engine's grain of each recurrence; a fiscal month is a Gregorian month (fiscal years
start on the first of a month), and a fiscal quarter has no grain (see :func:`_fiscal_quarter`)."""


@dataclass(frozen=True)
class PeriodInstance:
    """One occurrence of a target's period: ``start`` to ``end`` inclusive, with labels as
    the engine writes them (``1404-01`` / ``فروردین ۱۴۰۴``)."""

    start: date
    end: date
    label: str
    label_fa: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def grain_of(every: Every, calendar: Calendar) -> Grain | None:
    """The engine grain a recurrence follows (``compute --grain`` of it); None for a fiscal
    quarter, which the engine does not have."""
    return _GRAINS.get((every, calendar))


def _from_period(period: Period) -> PeriodInstance:
    return PeriodInstance(period.start, period.end, period.label, period.label_fa)


def _fiscal_quarter(day: date, settings: CalendarSettings) -> PeriodInstance:
    """The fiscal quarter holding ``day``: the first, second, third or fourth three months of
    its fiscal year."""
    year = period_of(Grain.FISCAL_YEAR, day, settings)
    month = period_of(Grain.MONTH, day, settings)
    months_in = (month.start.year - year.start.year) * 12 + month.start.month - year.start.month
    number = months_in // 3 + 1
    first = shift(Grain.MONTH, period_of(Grain.MONTH, year.start, settings), 3 * (number - 1))
    last = shift(Grain.MONTH, first, 2)
    fa_number = to_persian_digits(str(number))
    return PeriodInstance(
        first.start,
        last.end,
        f"{year.label}-Q{number}",
        f"سه‌ماهه {fa_number} {year.label_fa}",
    )


def _recurring_instance(
    period: PeriodSpec, day: date, settings: CalendarSettings
) -> PeriodInstance:
    assert period.every is not None and period.calendar is not None
    grain = grain_of(period.every, period.calendar)
    if grain is None:
        return _fiscal_quarter(day, settings)
    return _from_period(period_of(grain, day, settings))


def instance_of(
    period: PeriodSpec, day: date, settings: CalendarSettings = DEFAULT_SETTINGS
) -> PeriodInstance | None:
    """The instance of ``period`` that ``day`` falls in, None when the period does not apply
    on that day (outside a fixed range, or outside a recurring period's bounds).

    >>> from shakhes.spec.goals import PeriodSpec
    >>> fiscal = PeriodSpec(every="year", calendar="fiscal")
    >>> instance_of(fiscal, date(2025, 2, 1), CalendarSettings(fiscal_year_start_month=4)).label
    'FY2024/25'
    """
    if (period.start is not None and day < period.start) or (
        period.end is not None and day > period.end
    ):
        return None
    if not period.recurring:
        assert period.start is not None and period.end is not None
        return _from_period(total_period(period.start, period.end))
    return _recurring_instance(period, day, settings)


def instances(
    period: PeriodSpec, start: date, end: date, settings: CalendarSettings = DEFAULT_SETTINGS
) -> list[PeriodInstance]:
    """Every instance of ``period`` that has a day in ``[start, end]``, in time order, each
    whole (the first and last may reach outside the range)."""
    if start > end:
        raise ValueError(f"range start {start} is after its end {end}")
    first = max(start, period.start) if period.start is not None else start
    last = min(end, period.end) if period.end is not None else end
    found: list[PeriodInstance] = []
    day = first
    while day <= last:
        instance = instance_of(period, day, settings)
        assert instance is not None
        found.append(instance)
        day = instance.end + _DAY
    return found


def bounds_problems(period: PeriodSpec, settings: CalendarSettings = DEFAULT_SETTINGS) -> list[str]:
    """Why a recurring period's ``start`` or ``end`` is not where one of its periods starts or
    ends (an empty list when they are, or for a fixed range)."""
    if not period.recurring:
        return []
    assert period.every is not None
    problems: list[str] = []
    if period.start is not None:
        holding = _recurring_instance(period, period.start, settings)
        if holding.start != period.start:
            problems.append(
                f"start {period.start} is not the first day of a {_name(period)}: the one it "
                f"falls in ({holding.label}) starts {holding.start}, the next one "
                f"{holding.end + _DAY}"
            )
    if period.end is not None:
        holding = _recurring_instance(period, period.end, settings)
        if holding.end != period.end:
            problems.append(
                f"end {period.end} is not the last day of a {_name(period)}: the one it falls "
                f"in ({holding.label}) ends {holding.end}"
            )
    return problems


def _name(period: PeriodSpec) -> str:
    """``month``, ``Jalali quarter``, ``fiscal year``: what one instance of ``period`` is."""
    assert period.every is not None and period.calendar is not None
    prefix = {Calendar.GREGORIAN: "", Calendar.JALALI: "Jalali ", Calendar.FISCAL: "fiscal "}
    return prefix[period.calendar] + period.every.value


# ---- periods named in text ------------------------------------------------------------------
# One language for a period, wherever one is typed: a target's or goal's period, and the period
# ``shakhes explain`` and ``shakhes report`` look at. Forms are tried from the most specific.

_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_RANGE = re.compile(rf"({_DATE})\s*(?:\.\.|–|—|/|\s+TO\s+)\s*({_DATE})")
_FISCAL = re.compile(r"FY\s*(\d{4})(?:/(\d{2}))?(?:\s*-?\s*Q(\d))?")
_WEEK = re.compile(rf"W\s*({_DATE})")
_ONE_DAY = re.compile(_DATE)
_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q(\d)")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")

JALALI_BEFORE = 1700
"""Where the calendar is read from the text, a year below this is a Jalali (Solar Hijri) year:
shakhes' calendar covers 1900–2100, which is Jalali 1278–1479, so the two never overlap."""

PERIOD_FORMS = (
    "a month (2025-11; Jalali 1404-08), a quarter (2025-Q3; Jalali 1404-Q2), a year (2025; "
    "Jalali 1404), a fiscal year (FY2025 or FY2025/26) or fiscal quarter (FY2025/26-Q1), a week "
    "(W 2025-11-03: the week holding that day), a day (2025-11-05) or a range of days "
    "(2025-01-01..2025-01-31); Persian digits and / for - are read too (۱۴۰۴/۰۸)"
)
"""The forms a period may be written in, for messages and help."""


@dataclass(frozen=True)
class NamedPeriod:
    """A period named in text: its days, its labels, and the engine grain it is one period of
    (``compute --grain``) — :attr:`Grain.TOTAL` for a range of days, and for a fiscal quarter
    that is not a calendar quarter (the engine has no fiscal quarter)."""

    grain: Grain
    start: date
    end: date
    label: str
    label_fa: str

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.label, self.label_fa)

    @property
    def dates(self) -> DateRange:
        return DateRange(start=self.start, end=self.end)


def _invalid(text: str, why: str = "") -> PeriodError:
    return PeriodError(
        f"'{text}' is not a period{' (' + why + ')' if why else ''}; write {PERIOD_FORMS}",
        params={"period": text},
    )


def parse_period(
    text: str,
    settings: CalendarSettings = DEFAULT_SETTINGS,
    calendar: Calendar | None = None,
) -> NamedPeriod:
    """The period ``text`` names (see :data:`PERIOD_FORMS`), a
    :class:`~shakhes.errors.PeriodError` naming the text and the valid forms otherwise.

    ``calendar`` is the calendar a target's period is declared in: its months, quarters and
    years are read in it (``2025`` in the fiscal calendar is the fiscal year from 2025; a year
    outside the calendar, such as ``2025`` in the Jalali one, is refused). Without it the
    calendar is read from the text: ``FY`` names a fiscal year, a year before 1700 is Jalali,
    any other Gregorian. Days, weeks and ranges are Gregorian dates, or Jalali ones when their
    year is before 1700; ``FY`` is always fiscal.

    >>> parse_period("1404-08").label
    '1404-08'
    >>> april = CalendarSettings(fiscal_year_start_month=4)
    >>> found = parse_period("FY2025/26-Q1", april)
    >>> (found.grain.value, found.start, found.end, found.label)
    ('quarter', datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), 'FY2025/26-Q1')
    >>> parse_period("۱۴۰۴", calendar=Calendar.JALALI).dates.describe()
    '2025-03-21 – 2026-03-20'
    """
    found = _parse(to_ascii_digits(text).strip().upper(), text, calendar, settings)
    if not (found.start >= DIMENSION_START and found.end <= DIMENSION_END):
        raise _invalid(
            text,
            f"{found.start} – {found.end} is outside the calendar shakhes knows "
            f"({DIMENSION_START.year}–{DIMENSION_END.year}; a Jalali year is written 1404, "
            "a Gregorian one 2025)",
        )
    return found


def named_period(
    text: str, calendar: Calendar, settings: CalendarSettings = DEFAULT_SETTINGS
) -> DateRange:
    """The days of a period named in ``calendar`` (:func:`parse_period` with that calendar).

    >>> named_period("2025-Q1", Calendar.FISCAL, CalendarSettings(fiscal_year_start_month=4))
    DateRange(start=datetime.date(2025, 4, 1), end=datetime.date(2025, 6, 30))
    """
    return parse_period(text, settings, calendar).dates


def _parse(
    clean: str, text: str, calendar: Calendar | None, settings: CalendarSettings
) -> NamedPeriod:
    if match := _RANGE.fullmatch(clean):
        start, end = (_day(text, part) for part in match.groups())
        if start > end:
            raise _invalid(text, f"it starts ({start}) after it ends ({end})")
        return _total(start, end)
    if match := _FISCAL.fullmatch(clean):
        return _fiscal(text, int(match[1]), match[2], match[3], settings)
    clean = clean.replace("/", "-")
    if match := _WEEK.fullmatch(clean):
        return _of(Grain.WEEK, _day(text, match[1]), settings)
    if _ONE_DAY.fullmatch(clean):
        return _of(Grain.DAY, _day(text, clean), settings)
    if calendar is None:
        calendar = _calendar_of(clean)
    if match := _QUARTER.fullmatch(clean):
        if calendar is Calendar.FISCAL:
            return _fiscal(text, int(match[1]), None, match[2], settings)
        year, number = int(match[1]), _quarter_number(text, match[2])
        grain = Grain.JALALI_QUARTER if calendar is Calendar.JALALI else Grain.QUARTER
        return _of(grain, _first_day(calendar, year, 3 * number - 2, text), settings)
    if match := _MONTH.fullmatch(clean):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _invalid(text, f"there is no month {month}")
        grain = Grain.JALALI_MONTH if calendar is Calendar.JALALI else Grain.MONTH
        return _of(grain, _first_day(calendar, year, month, text), settings)
    if match := _YEAR.fullmatch(clean):
        year = int(match[1])
        if calendar is Calendar.FISCAL:
            return _fiscal(text, year, None, None, settings)
        grain = Grain.JALALI_YEAR if calendar is Calendar.JALALI else Grain.YEAR
        return _of(grain, _first_day(calendar, year, 1, text), settings)
    raise _invalid(text)


def _calendar_of(clean: str) -> Calendar:
    """The calendar a period's year says it is in (a year before 1700 is Jalali)."""
    year = _YEAR.match(clean)
    return Calendar.JALALI if year and int(year[1]) < JALALI_BEFORE else Calendar.GREGORIAN


def _quarter_number(text: str, digits: str) -> int:
    number = int(digits)
    if not 1 <= number <= 4:
        raise _invalid(text, f"there is no quarter {number}")
    return number


def _of(grain: Grain, day: date, settings: CalendarSettings) -> NamedPeriod:
    found = period_of(grain, day, settings)
    return NamedPeriod(grain, found.start, found.end, found.label, found.label_fa)


def _total(start: date, end: date) -> NamedPeriod:
    found = total_period(start, end)
    return NamedPeriod(Grain.TOTAL, found.start, found.end, found.label, found.label_fa)


def _fiscal(
    text: str, year: int, end_year: str | None, quarter: str | None, settings: CalendarSettings
) -> NamedPeriod:
    """The fiscal year named by the Gregorian ``year`` it starts in (``FY2025/26``: ``end_year``
    must be the year after), or its ``quarter``."""
    if year < JALALI_BEFORE:
        raise _invalid(text, "a fiscal year is named by the Gregorian year it starts in")
    if end_year is not None and int(end_year) != (year + 1) % 100:
        raise _invalid(text, f"the year after {year} is {year + 1}, not …{end_year}")
    first = _first_day(Calendar.FISCAL, year, settings.fiscal_year_start_month, text)
    if quarter is None:
        return _of(Grain.FISCAL_YEAR, first, settings)
    number = _quarter_number(text, quarter)
    month = shift(Grain.MONTH, period_of(Grain.MONTH, first), 3 * (number - 1))
    found = _fiscal_quarter(month.start, settings)
    grain = Grain.QUARTER if found.start.month % 3 == 1 else Grain.TOTAL
    return NamedPeriod(grain, found.start, found.end, found.label, found.label_fa)


def _day(text: str, iso: str) -> date:
    """A day written year-month-day: Gregorian, or Jalali when its year is before 1700."""
    year, month, day = (int(part) for part in iso.split("-"))
    try:
        if year < JALALI_BEFORE:
            return _jalali_to_date(year, month, day)
        return date(year, month, day)
    except (ValueError, OverflowError) as error:
        raise _invalid(text, str(error.args[0]) if error.args else "") from None


def _first_day(calendar: Calendar, year: int, month: int, text: str) -> date:
    """The first day of ``year``/``month`` in ``calendar`` (fiscal months are Gregorian)."""
    try:
        if calendar is Calendar.JALALI:
            return _jalali_to_date(year, month, 1)
        return date(year, month, 1)
    except (ValueError, OverflowError) as error:
        raise _invalid(text, str(error.args[0]) if error.args else "") from None
