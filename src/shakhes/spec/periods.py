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
from shakhes.errors import DefinitionError
from shakhes.spec.goals import Calendar, DateRange, Every, PeriodSpec
from shakhes.text import to_ascii_digits, to_persian_digits

__all__ = [
    "PeriodInstance",
    "bounds_problems",
    "grain_of",
    "instance_of",
    "instances",
    "named_period",
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


_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|–|—|/| to )\s*(\d{4}-\d{2}-\d{2})")
_YEAR = re.compile(r"(?:FY)?(\d{4})(?:/(\d{2}))?", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)

PERIOD_FORMS = (
    "a range (2025-03-21..2026-03-20), a year (2025; in the Jalali calendar 1404; fiscal "
    "FY2025), a quarter (2025-Q2, 1404-Q1) or a month (2025-04, 1404-01)"
)


def _invalid(text: str, why: str = "") -> DefinitionError:
    return DefinitionError(
        f"'{text}' is not a period{': ' + why if why else ''}; write {PERIOD_FORMS}",
        code="invalid_period",
        params={"period": text},
    )


def _first_day(calendar: Calendar, year: int, month: int, text: str) -> date:
    """The first day of ``year``/``month`` in ``calendar`` (fiscal months are Gregorian)."""
    try:
        if calendar is Calendar.JALALI:
            return _jalali_to_date(year, month, 1)
        return date(year, month, 1)
    except (ValueError, OverflowError) as error:
        raise _invalid(text, str(error.args[0]) if error.args else "") from None


def named_period(
    text: str, calendar: Calendar, settings: CalendarSettings = DEFAULT_SETTINGS
) -> DateRange:
    """The days of a period named in ``calendar``: a range ``START..END`` (any calendar), a
    year, a quarter or a month. A fiscal year is named by the year it starts in (``FY2025`` or
    ``2025``), its quarters ``2025-Q1`` …; Persian digits are read too.

    >>> named_period("۱۴۰۴", Calendar.JALALI).describe()
    '2025-03-21 – 2026-03-20'
    >>> named_period("2025-Q1", Calendar.FISCAL, CalendarSettings(fiscal_year_start_month=4))
    DateRange(start=datetime.date(2025, 4, 1), end=datetime.date(2025, 6, 30))
    """
    found = _named_period(to_ascii_digits(text).strip(), text, calendar, settings)
    if not (found.start >= DIMENSION_START and found.end <= DIMENSION_END):
        raise _invalid(
            text,
            f"{found.describe()} is outside the calendar shakhes knows "
            f"({DIMENSION_START.year}–{DIMENSION_END.year}; a Jalali year is written 1404, "
            "a Gregorian one 2025)",
        )
    return found


def _named_period(
    clean: str, text: str, calendar: Calendar, settings: CalendarSettings
) -> DateRange:
    if match := _RANGE.fullmatch(clean):
        try:
            start, end = (date.fromisoformat(part) for part in match.groups())
        except ValueError as error:
            raise _invalid(text, str(error)) from None
        if start > end:
            raise _invalid(text, f"it starts ({start}) after it ends ({end})")
        return DateRange(start=start, end=end)
    if match := _QUARTER.fullmatch(clean):
        year, number = int(match[1]), int(match[2])
        if calendar is Calendar.FISCAL:
            first = _first_day(calendar, year, settings.fiscal_year_start_month, text)
            year_period = period_of(Grain.FISCAL_YEAR, first, settings)
            month = shift(Grain.MONTH, period_of(Grain.MONTH, first), 3 * (number - 1))
            quarter = _fiscal_quarter(month.start, settings)
            assert quarter.start >= year_period.start
            return DateRange(start=quarter.start, end=quarter.end)
        grain = Grain.JALALI_QUARTER if calendar is Calendar.JALALI else Grain.QUARTER
        found = period_of(grain, _first_day(calendar, year, 3 * number - 2, text), settings)
        return DateRange(start=found.start, end=found.end)
    if match := _MONTH.fullmatch(clean):
        year, month_number = int(match[1]), int(match[2])
        grain = Grain.JALALI_MONTH if calendar is Calendar.JALALI else Grain.MONTH
        found = period_of(grain, _first_day(calendar, year, month_number, text), settings)
        return DateRange(start=found.start, end=found.end)
    if (match := _YEAR.fullmatch(clean)) and (
        calendar is Calendar.FISCAL or not clean.upper().startswith("FY")
    ):
        year = int(match[1])
        if match[2] is not None and int(match[2]) != (year + 1) % 100:
            raise _invalid(text, f"the year after {year} is {year + 1}, not …{match[2]}")
        if calendar is Calendar.FISCAL:
            first = _first_day(calendar, year, settings.fiscal_year_start_month, text)
            found = period_of(Grain.FISCAL_YEAR, first, settings)
        else:
            grain = Grain.JALALI_YEAR if calendar is Calendar.JALALI else Grain.YEAR
            found = period_of(grain, _first_day(calendar, year, 1, text), settings)
        return DateRange(start=found.start, end=found.end)
    raise _invalid(text)
