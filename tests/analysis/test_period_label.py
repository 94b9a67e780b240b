"""Reading a period as a person writes it (and as ``compute`` labels it)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shakhes.analysis.period_label import parse_period
from shakhes.engine.calendar import CALENDAR_GRAINS, CalendarSettings, Grain, period_of
from shakhes.errors import QueryError
from shakhes.text import to_persian_digits

D = dt.date


@pytest.mark.parametrize(
    ("text", "grain", "start", "end"),
    [
        ("2025-11", Grain.MONTH, D(2025, 11, 1), D(2025, 11, 30)),
        ("2024-2", Grain.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-Q3", Grain.QUARTER, D(2025, 7, 1), D(2025, 9, 30)),
        ("2025 q3", Grain.QUARTER, D(2025, 7, 1), D(2025, 9, 30)),
        ("2025", Grain.YEAR, D(2025, 1, 1), D(2025, 12, 31)),
        ("FY2025", Grain.FISCAL_YEAR, D(2025, 1, 1), D(2025, 12, 31)),
        ("2025-11-05", Grain.DAY, D(2025, 11, 5), D(2025, 11, 5)),
        ("W 2025-11-05", Grain.WEEK, D(2025, 11, 3), D(2025, 11, 9)),  # a Wednesday's week
        # Jalali: 1 Aban 1404 is 23 October 2025; Nowruz 1404 is 21 March 2025.
        ("1404-08", Grain.JALALI_MONTH, D(2025, 10, 23), D(2025, 11, 21)),
        ("۱۴۰۴/۰۸", Grain.JALALI_MONTH, D(2025, 10, 23), D(2025, 11, 21)),
        ("1404-Q1", Grain.JALALI_QUARTER, D(2025, 3, 21), D(2025, 6, 21)),
        ("1404", Grain.JALALI_YEAR, D(2025, 3, 21), D(2026, 3, 20)),
        ("1404-08-01", Grain.DAY, D(2025, 10, 23), D(2025, 10, 23)),
    ],
)
def test_the_forms_people_write(text: str, grain: Grain, start: D, end: D) -> None:
    found, period = parse_period(text)
    assert (found, period.start, period.end) == (grain, start, end)


def test_a_fiscal_year_follows_the_workspace_setting() -> None:
    april = CalendarSettings(fiscal_year_start_month=4)
    for text in ("FY2024/25", "fy2024"):
        grain, period = parse_period(text, april)
        assert (grain, period.start, period.end) == (
            Grain.FISCAL_YEAR,
            D(2024, 4, 1),
            D(2025, 3, 31),
        )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-13", "no month 13"),
        ("2025-Q5", "no quarter 5"),
        ("2025-02-30", "day is out of range"),
        ("1404-13", "no month 13"),
        ("FY2024/26", "not one fiscal year"),
        ("FY1404", "Gregorian year"),
        ("2200", "1900–2100"),
        ("last month", None),
        ("", None),
    ],
)
def test_what_is_not_a_period_says_why_and_how_to_write_one(text: str, why: str | None) -> None:
    with pytest.raises(QueryError) as caught:
        parse_period(text)
    error = caught.value
    assert error.code == "bad_period" and f"'{text}' is not a period" in error.message
    if why:
        assert why in error.message
    assert error.hint is not None and "2025-Q3" in error.hint and "1404-08" in error.hint


@given(
    st.sampled_from(CALENDAR_GRAINS),
    st.dates(D(1950, 1, 1), D(2090, 12, 31)),
    st.sampled_from([1, 4, 7]),
)
def test_every_label_compute_shows_reads_back_as_its_period(
    grain: Grain, day: D, fiscal_start: int
) -> None:
    settings = CalendarSettings(week_start=5, fiscal_year_start_month=fiscal_start)
    period = period_of(grain, day, settings)
    found, back = parse_period(period.label, settings)
    assert (found, back) == (grain, period)
    assert parse_period(to_persian_digits(period.label), settings)[1] == period
