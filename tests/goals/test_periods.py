"""Period instances of targets, against dates worked out by hand: Gregorian, Jalali (1403 is a
leap year, 1404 is not) and fiscal years starting in April."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.engine.calendar import CALENDAR_GRAINS, CalendarSettings, Grain, period_of
from shakhes.errors import PeriodError
from shakhes.spec.goals import Calendar, PeriodSpec
from shakhes.spec.periods import (
    bounds_problems,
    instance_of,
    instances,
    named_period,
    parse_period,
)
from shakhes.text import to_persian_digits

APRIL = CalendarSettings(fiscal_year_start_month=4)


def every(unit: str, calendar: str, **bounds: date) -> PeriodSpec:
    return PeriodSpec.model_validate({"every": unit, "calendar": calendar, **bounds})


@pytest.mark.parametrize(
    ("unit", "calendar", "day", "start", "end", "label"),
    [
        # Farvardin 1404 has 31 days from Nowruz, 21 March 2025.
        ("month", "jalali", date(2025, 3, 21), date(2025, 3, 21), date(2025, 4, 20), "1404-01"),
        ("month", "jalali", date(2025, 4, 20), date(2025, 3, 21), date(2025, 4, 20), "1404-01"),
        # Esfand of the leap year 1403 has 30 days and ends the day before Nowruz 1404.
        ("month", "jalali", date(2025, 3, 1), date(2025, 2, 19), date(2025, 3, 20), "1403-12"),
        # Mehr 1404: the first 30-day month (months 1-6 have 31 days: 186 days after Nowruz).
        ("month", "jalali", date(2025, 10, 1), date(2025, 9, 23), date(2025, 10, 22), "1404-07"),
        # Spring 1404: three 31-day months, 93 days.
        ("quarter", "jalali", date(2025, 5, 5), date(2025, 3, 21), date(2025, 6, 21), "1404-Q1"),
        # Winter 1404: Dey and Bahman (30) and Esfand of a common year (29): 89 days.
        ("quarter", "jalali", date(2026, 1, 1), date(2025, 12, 22), date(2026, 3, 20), "1404-Q4"),
        ("year", "jalali", date(2025, 12, 31), date(2025, 3, 21), date(2026, 3, 20), "1404"),
        ("year", "jalali", date(2025, 3, 20), date(2024, 3, 20), date(2025, 3, 20), "1403"),
        ("month", "gregorian", date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("quarter", "gregorian", date(2025, 5, 5), date(2025, 4, 1), date(2025, 6, 30), "2025-Q2"),
        ("year", "gregorian", date(2025, 5, 5), date(2025, 1, 1), date(2025, 12, 31), "2025"),
        # A fiscal year from April: named by the year it starts in.
        ("year", "fiscal", date(2025, 2, 1), date(2024, 4, 1), date(2025, 3, 31), "FY2024/25"),
        ("year", "fiscal", date(2025, 4, 1), date(2025, 4, 1), date(2026, 3, 31), "FY2025/26"),
        # Fiscal quarters: three months each from April.
        (
            "quarter",
            "fiscal",
            date(2025, 5, 15),
            date(2025, 4, 1),
            date(2025, 6, 30),
            "FY2025/26-Q1",
        ),
        (
            "quarter",
            "fiscal",
            date(2026, 1, 10),
            date(2026, 1, 1),
            date(2026, 3, 31),
            "FY2025/26-Q4",
        ),
        (
            "quarter",
            "fiscal",
            date(2025, 3, 31),
            date(2025, 1, 1),
            date(2025, 3, 31),
            "FY2024/25-Q4",
        ),
        ("month", "fiscal", date(2025, 3, 31), date(2025, 3, 1), date(2025, 3, 31), "2025-03"),
    ],
)
def test_instance_of_a_recurring_period(
    unit: str, calendar: str, day: date, start: date, end: date, label: str
) -> None:
    instance = instance_of(every(unit, calendar), day, APRIL)
    assert instance is not None
    assert (instance.start, instance.end, instance.label) == (start, end, label)
    assert day in instance
    assert instance.days == (end - start).days + 1


def test_persian_labels() -> None:
    farvardin = instance_of(every("month", "jalali"), date(2025, 4, 1))
    assert farvardin is not None and farvardin.label_fa == "فروردین ۱۴۰۴"
    quarter = instance_of(every("quarter", "fiscal"), date(2025, 5, 1), APRIL)
    assert quarter is not None and quarter.label_fa == "سه‌ماهه ۱ سال مالی ۲۰۲۵/۲۶"


def test_a_fiscal_year_from_january_is_the_calendar_year() -> None:
    january = CalendarSettings(fiscal_year_start_month=1)
    year = instance_of(every("year", "fiscal"), date(2025, 7, 1), january)
    quarter = instance_of(every("quarter", "fiscal"), date(2025, 8, 1), january)
    assert year is not None and (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert quarter is not None
    assert (quarter.start, quarter.end) == (date(2025, 7, 1), date(2025, 9, 30))


def test_a_fixed_range_applies_only_inside_it() -> None:
    period = PeriodSpec(start=date(2025, 3, 21), end=date(2025, 6, 21))
    inside = instance_of(period, date(2025, 3, 21))
    assert inside is not None
    assert (inside.start, inside.end, inside.days) == (date(2025, 3, 21), date(2025, 6, 21), 93)
    assert instance_of(period, date(2025, 3, 20)) is None
    assert instance_of(period, date(2025, 6, 22)) is None


def test_bounds_of_a_recurring_period() -> None:
    bounded = every("month", "jalali", start=date(2025, 4, 21), end=date(2025, 6, 21))
    assert bounds_problems(bounded) == []
    assert instance_of(bounded, date(2025, 4, 20)) is None  # before it starts
    assert instance_of(bounded, date(2025, 6, 22)) is None  # after it ends
    found = instances(bounded, date(2025, 1, 1), date(2025, 12, 31))
    assert [(i.label, i.start, i.end) for i in found] == [
        ("1404-02", date(2025, 4, 21), date(2025, 5, 21)),
        ("1404-03", date(2025, 5, 22), date(2025, 6, 21)),
    ]
    misaligned = every("month", "jalali", start=date(2025, 4, 1), end=date(2025, 4, 30))
    start_problem, end_problem = bounds_problems(misaligned)
    assert "start 2025-04-01 is not the first day of a Jalali month" in start_problem
    assert "starts 2025-03-21, the next one 2025-04-21" in start_problem
    assert "end 2025-04-30 is not the last day of a Jalali month" in end_problem
    assert "ends 2025-05-21" in end_problem


def test_instances_over_a_range_are_whole_and_in_order() -> None:
    found = instances(every("quarter", "fiscal"), date(2025, 3, 15), date(2025, 10, 2), APRIL)
    assert [(i.start, i.end) for i in found] == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
    ]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    unit=st.sampled_from(["month", "quarter", "year"]),
    calendar=st.sampled_from(["gregorian", "jalali", "fiscal"]),
    start_month=st.integers(1, 12),
)
def test_instances_hold_their_day_and_follow_each_other(
    day: date, unit: str, calendar: str, start_month: int
) -> None:
    cal = CalendarSettings(fiscal_year_start_month=start_month)
    period = every(unit, calendar)
    instance = instance_of(period, day, cal)
    assert instance is not None and day in instance
    following = instance_of(period, instance.end + timedelta(days=1), cal)
    assert following is not None and following.start == instance.end + timedelta(days=1)
    assert instance_of(period, instance.start, cal) == instance


@pytest.mark.parametrize(
    ("text", "calendar", "start", "end"),
    [
        ("1404", Calendar.JALALI, date(2025, 3, 21), date(2026, 3, 20)),
        ("۱۴۰۴", Calendar.JALALI, date(2025, 3, 21), date(2026, 3, 20)),
        ("1404-01", Calendar.JALALI, date(2025, 3, 21), date(2025, 4, 20)),
        ("1404-Q4", Calendar.JALALI, date(2025, 12, 22), date(2026, 3, 20)),
        ("2025", Calendar.GREGORIAN, date(2025, 1, 1), date(2025, 12, 31)),
        ("2024-02", Calendar.GREGORIAN, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-Q3", Calendar.GREGORIAN, date(2025, 7, 1), date(2025, 9, 30)),
        ("FY2025", Calendar.FISCAL, date(2025, 4, 1), date(2026, 3, 31)),
        ("2025", Calendar.FISCAL, date(2025, 4, 1), date(2026, 3, 31)),
        ("2025-Q4", Calendar.FISCAL, date(2026, 1, 1), date(2026, 3, 31)),
        ("2025-03-21..2025-04-02", Calendar.GREGORIAN, date(2025, 3, 21), date(2025, 4, 2)),
    ],
)
def test_named_periods(text: str, calendar: Calendar, start: date, end: date) -> None:
    found = named_period(text, calendar, APRIL)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("text", ["1404-13", "2025-Q5", "next year", "2025-04-02..2025-03-01"])
def test_bad_period_names(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        named_period(text, Calendar.JALALI)
    assert info.value.code == "invalid_period"
    assert f"'{text}' is not a period" in info.value.message


@pytest.mark.parametrize(
    ("text", "calendar", "why"),
    [
        # A Jalali year in the Gregorian calendar is the year 1404 AD; a Gregorian one in the
        # Jalali calendar is 2646 AD: both outside the calendar, never a goal's period.
        ("1404", Calendar.GREGORIAN, "outside the calendar shakhes knows"),
        ("2025", Calendar.JALALI, "outside the calendar shakhes knows"),
        ("1404-03", Calendar.GREGORIAN, "outside the calendar shakhes knows"),
        ("FY2025/27", Calendar.FISCAL, "the year after 2025 is 2026"),
    ],
)
def test_a_year_in_the_wrong_calendar_is_refused(text: str, calendar: Calendar, why: str) -> None:
    with pytest.raises(PeriodError) as info:
        named_period(text, calendar, APRIL)
    assert info.value.code == "invalid_period" and why in info.value.message


def test_a_fiscal_year_named_with_its_end_year_is_read() -> None:
    found = named_period("FY2025/26", Calendar.FISCAL, APRIL)
    assert (found.start, found.end) == (date(2025, 4, 1), date(2026, 3, 31))


# ---- the period language without a declared calendar (explain, report) ------------------------

D = dt.date


@pytest.mark.parametrize(
    ("text", "grain", "start", "end", "label"),
    [
        ("2025-11", Grain.MONTH, D(2025, 11, 1), D(2025, 11, 30), "2025-11"),
        ("2024-2", Grain.MONTH, D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
        ("2025-Q3", Grain.QUARTER, D(2025, 7, 1), D(2025, 9, 30), "2025-Q3"),
        ("2025 q3", Grain.QUARTER, D(2025, 7, 1), D(2025, 9, 30), "2025-Q3"),
        ("2025", Grain.YEAR, D(2025, 1, 1), D(2025, 12, 31), "2025"),
        ("FY2025", Grain.FISCAL_YEAR, D(2025, 4, 1), D(2026, 3, 31), "FY2025/26"),
        ("fy2025/26", Grain.FISCAL_YEAR, D(2025, 4, 1), D(2026, 3, 31), "FY2025/26"),
        # A fiscal year from April: its quarters are calendar quarters, one later.
        ("FY2025/26-Q1", Grain.QUARTER, D(2025, 4, 1), D(2025, 6, 30), "FY2025/26-Q1"),
        ("FY2025-Q4", Grain.QUARTER, D(2026, 1, 1), D(2026, 3, 31), "FY2025/26-Q4"),
        ("2025-11-05", Grain.DAY, D(2025, 11, 5), D(2025, 11, 5), "2025-11-05"),
        # 5 November 2025 is a Wednesday; weeks start on Monday by default.
        ("W 2025-11-05", Grain.WEEK, D(2025, 11, 3), D(2025, 11, 9), "W 2025-11-03"),
        ("2025-01-01..2025-01-31", Grain.TOTAL, D(2025, 1, 1), D(2025, 1, 31), None),
        ("2025-01-01 – 2025-01-31", Grain.TOTAL, D(2025, 1, 1), D(2025, 1, 31), None),
        ("2025-01-01 to 2025-01-31", Grain.TOTAL, D(2025, 1, 1), D(2025, 1, 31), None),
        # Jalali: 1 Aban 1404 is 23 October 2025; Nowruz 1404 is 21 March 2025.
        ("1404-08", Grain.JALALI_MONTH, D(2025, 10, 23), D(2025, 11, 21), "1404-08"),
        ("۱۴۰۴/۰۸", Grain.JALALI_MONTH, D(2025, 10, 23), D(2025, 11, 21), "1404-08"),
        ("1404-Q1", Grain.JALALI_QUARTER, D(2025, 3, 21), D(2025, 6, 21), "1404-Q1"),
        ("1404", Grain.JALALI_YEAR, D(2025, 3, 21), D(2026, 3, 20), "1404"),
        ("1404-08-01", Grain.DAY, D(2025, 10, 23), D(2025, 10, 23), "2025-10-23"),
        ("1404-08-01..1404-08-30", Grain.TOTAL, D(2025, 10, 23), D(2025, 11, 21), None),
    ],
)
def test_the_forms_people_write(
    text: str, grain: Grain, start: D, end: D, label: str | None
) -> None:
    found = parse_period(text, APRIL)
    assert (found.grain, found.start, found.end) == (grain, start, end)
    assert found.label == (label or f"{start} – {end}")


def test_a_fiscal_quarter_that_is_no_calendar_quarter_is_a_range_of_days() -> None:
    february = CalendarSettings(fiscal_year_start_month=2)
    found = parse_period("FY2025/26-Q2", february)
    assert (found.grain, found.start, found.end) == (Grain.TOTAL, D(2025, 5, 1), D(2025, 7, 31))
    assert found.label == "FY2025/26-Q2"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-13", "no month 13"),
        ("2025-Q5", "no quarter 5"),
        ("FY2025-Q0", "no quarter 0"),
        ("2025-02-30", "day is out of range"),
        ("1404-13", "no month 13"),
        ("FY2024/26", "the year after 2024 is 2025"),
        ("FY1404", "Gregorian year"),
        ("2200", "1900–2100"),
        ("2025-02-01..2025-01-01", "after it ends"),
        ("last month", None),
        ("", None),
    ],
)
def test_what_is_not_a_period_says_why_and_how_to_write_one(text: str, why: str | None) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    error = caught.value
    assert error.code == "invalid_period" and f"'{text}' is not a period" in error.message
    if why:
        assert why in error.message
    for form in ("2025-Q3", "1404-08", "FY2025/26-Q1", "W 2025-11-03", "2025-01-01..2025-01-31"):
        assert form in error.message


@given(
    st.sampled_from(CALENDAR_GRAINS),
    st.dates(D(1950, 1, 1), D(2090, 12, 31)),
    st.sampled_from([1, 4, 7]),
)
def test_every_label_compute_shows_reads_back_as_its_period(
    grain: Grain, day: D, fiscal_start: int
) -> None:
    cal = CalendarSettings(week_start=5, fiscal_year_start_month=fiscal_start)
    period = period_of(grain, day, cal)
    found = parse_period(period.label, cal)
    assert (found.grain, found.period) == (grain, period)
    assert parse_period(to_persian_digits(period.label), cal).period == period
