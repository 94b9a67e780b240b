"""Tests for shakhes.engine.calendar: Jalali conversion, periods, shifts, windows, mapping tables.

Expected values come from independent sources: persiantools for Jalali dates, Python's ``date``
for Gregorian parts, and keys computed here per grain for period bounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from datetime import date, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from persiantools.jdatetime import JalaliDate

from shakhes.engine.calendar import (
    CALENDAR_GRAINS,
    JALALI_MONTHS_AF,
    JALALI_MONTHS_FA,
    CalendarSettings,
    Grain,
    Period,
    comparison_window,
    date_dimension,
    period_map,
    period_of,
    periods,
    same_period_last_year,
    shift,
    to_persian_digits,
    window_map,
)

DAY = timedelta(days=1)
IRAN = CalendarSettings(week_start=5)

days_st = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
settings_st = st.builds(
    CalendarSettings,
    week_start=st.integers(0, 6),
    fiscal_year_start_month=st.integers(1, 12),
)
grains_st = st.sampled_from(CALENDAR_GRAINS)


def to_greg(j: JalaliDate) -> date:
    g = j.to_gregorian()
    return date(g.year, g.month, g.day)


def grain_key(grain: Grain, cal: CalendarSettings) -> Callable[[date], Hashable]:
    """An independent key: two days are in the same period exactly when their keys are equal."""

    def jalali(d: date) -> JalaliDate:
        return JalaliDate(d)

    keys: dict[Grain, Callable[[date], Hashable]] = {
        Grain.DAY: lambda d: d,
        Grain.WEEK: lambda d: d - timedelta(days=(d.weekday() - cal.week_start) % 7),
        Grain.MONTH: lambda d: (d.year, d.month),
        Grain.QUARTER: lambda d: (d.year, (d.month - 1) // 3),
        Grain.YEAR: lambda d: d.year,
        Grain.FISCAL_YEAR: lambda d: (
            d.year if d.month >= cal.fiscal_year_start_month else d.year - 1
        ),
        Grain.JALALI_MONTH: lambda d: (jalali(d).year, jalali(d).month),
        Grain.JALALI_QUARTER: lambda d: (jalali(d).year, (jalali(d).month - 1) // 3),
        Grain.JALALI_YEAR: lambda d: jalali(d).year,
    }
    return keys[grain]


# --- digits and names ------------------------------------------------------------------------


def test_to_persian_digits() -> None:
    assert to_persian_digits("1404-07, Q3") == "۱۴۰۴-۰۷, Q۳"
    assert to_persian_digits("no digits") == "no digits"


def test_month_name_tables() -> None:
    assert len(JALALI_MONTHS_FA) == len(JALALI_MONTHS_AF) == 12
    assert JALALI_MONTHS_FA[0] == "فروردین"
    assert JALALI_MONTHS_FA[6] == "مهر"
    assert JALALI_MONTHS_FA[11] == "اسفند"
    assert JALALI_MONTHS_AF == (
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


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="week_start"):
        CalendarSettings(week_start=7)
    with pytest.raises(ValueError, match="fiscal_year_start_month"):
        CalendarSettings(fiscal_year_start_month=0)


# --- date dimension --------------------------------------------------------------------------


def test_date_dimension_schema_and_bounds() -> None:
    dim = date_dimension()
    assert dim.num_rows == (date(2100, 12, 31) - date(1900, 1, 1)).days + 1 == 73414
    date_columns = [
        "date",
        "month_start",
        "quarter_start",
        "year_start",
        "jalali_month_start",
        "jalali_quarter_start",
        "jalali_year_start",
    ]
    for name in date_columns:
        assert dim.schema.field(name).type == pa.date32(), name
    for name in ["jalali_month_name", "jalali_month_name_af"]:
        assert dim.schema.field(name).type == pa.string(), name
    assert dim.column("date")[0].as_py() == date(1900, 1, 1)
    assert dim.column("date")[-1].as_py() == date(2100, 12, 31)
    assert date_dimension() is dim  # cached


def test_date_dimension_agrees_with_persiantools_and_python_every_day() -> None:
    dim = date_dimension().to_pydict()
    quarter_starts: dict[tuple[int, int], date] = {}
    for i, d in enumerate(dim["date"]):
        j = JalaliDate(d)
        assert (dim["jalali_year"][i], dim["jalali_month"][i], dim["jalali_day"][i]) == (
            j.year,
            j.month,
            j.day,
        ), d
        assert dim["jalali_quarter"][i] == (j.month - 1) // 3 + 1
        assert dim["jalali_month_name"][i] == JALALI_MONTHS_FA[j.month - 1]
        assert dim["jalali_month_name_af"][i] == JALALI_MONTHS_AF[j.month - 1]
        assert dim["jalali_month_start"][i] == d - timedelta(days=j.day - 1)
        q = (j.month - 1) // 3
        if (j.year, q) not in quarter_starts:
            quarter_starts[(j.year, q)] = to_greg(JalaliDate(j.year, q * 3 + 1, 1))
        assert dim["jalali_quarter_start"][i] == quarter_starts[(j.year, q)], d
        if (j.year, 0) not in quarter_starts:
            quarter_starts[(j.year, 0)] = to_greg(JalaliDate(j.year, 1, 1))
        assert dim["jalali_year_start"][i] == quarter_starts[(j.year, 0)], d
        assert (dim["year"][i], dim["month"][i], dim["day"][i]) == (d.year, d.month, d.day)
        assert dim["quarter"][i] == (d.month - 1) // 3 + 1
        assert dim["iso_weekday"][i] == d.isoweekday()
        assert dim["month_start"][i] == d.replace(day=1)
        assert dim["quarter_start"][i] == date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        assert dim["year_start"][i] == date(d.year, 1, 1)


def test_jalali_year_starts_are_nowruz() -> None:
    dim = date_dimension().to_pydict()
    for jy in range(1279, 1480):
        nowruz = to_greg(JalaliDate(jy, 1, 1))
        i = (nowruz - date(1900, 1, 1)).days
        assert dim["jalali_year_start"][i] == nowruz
        assert dim["jalali_year_start"][i - 1] == to_greg(JalaliDate(jy - 1, 1, 1))
        assert (dim["jalali_month"][i - 1], dim["jalali_day"][i - 1]) == (
            12,
            30 if JalaliDate.is_leap(jy - 1) else 29,
        )


def test_date_dimension_other_range_matches_default() -> None:
    part = date_dimension(date(2024, 3, 1), date(2025, 3, 31))
    full = date_dimension()
    offset = (date(2024, 3, 1) - date(1900, 1, 1)).days
    assert part.equals(full.slice(offset, part.num_rows))
    outside = date_dimension(date(1850, 1, 1), date(1850, 12, 31)).to_pydict()
    for i, d in enumerate(outside["date"]):
        j = JalaliDate(d)
        assert (outside["jalali_year"][i], outside["jalali_month"][i]) == (j.year, j.month)
    with pytest.raises(ValueError):
        date_dimension(date(2024, 1, 2), date(2024, 1, 1))


# --- known facts -----------------------------------------------------------------------------


def test_known_jalali_facts() -> None:
    farvardin_1403 = period_of(Grain.JALALI_MONTH, date(2024, 3, 20))
    assert farvardin_1403.start == date(2024, 3, 20)
    assert farvardin_1403.label == "1403-01"
    assert period_of(Grain.JALALI_YEAR, date(2025, 3, 21)).start == date(2025, 3, 21)
    assert period_of(Grain.JALALI_YEAR, date(2025, 3, 20)).label == "1403"
    mehr = period_of(Grain.JALALI_MONTH, date(2025, 10, 1))
    assert mehr.start == date(2025, 9, 23)
    assert mehr.label == "1404-07"
    assert mehr.label_fa == "مهر ۱۴۰۴"
    assert mehr.days == 30
    esfand_1403 = period_of(Grain.JALALI_MONTH, date(2025, 3, 1))
    assert esfand_1403.label == "1403-12"
    assert (esfand_1403.start, esfand_1403.end) == (date(2025, 2, 19), date(2025, 3, 20))
    assert esfand_1403.days == 30  # 1403 is a leap year
    esfand_1404 = shift(Grain.JALALI_MONTH, esfand_1403, 12)
    assert esfand_1404.label == "1404-12"
    assert esfand_1404.days == 29  # 1404 is not


@pytest.mark.parametrize(
    ("grain", "cal", "day", "start", "end", "label", "label_fa"),
    [
        (Grain.DAY, None, date(2024, 3, 5), date(2024, 3, 5), date(2024, 3, 5),
         "2024-03-05", "۱۴۰۲/۱۲/۱۵"),
        (Grain.WEEK, None, date(2024, 3, 6), date(2024, 3, 4), date(2024, 3, 10),
         "W 2024-03-04", "هفته ۱۴۰۲/۱۲/۱۴"),
        (Grain.WEEK, IRAN, date(2024, 3, 6), date(2024, 3, 2), date(2024, 3, 8),
         "W 2024-03-02", "هفته ۱۴۰۲/۱۲/۱۲"),
        (Grain.MONTH, None, date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29),
         "2024-02", "فوریه ۲۰۲۴"),
        (Grain.QUARTER, None, date(2024, 5, 10), date(2024, 4, 1), date(2024, 6, 30),
         "2024-Q2", "سه‌ماهه ۲ ۲۰۲۴"),
        (Grain.YEAR, None, date(2024, 5, 10), date(2024, 1, 1), date(2024, 12, 31),
         "2024", "۲۰۲۴"),
        (Grain.FISCAL_YEAR, None, date(2024, 5, 10), date(2024, 1, 1), date(2024, 12, 31),
         "FY2024", "سال مالی ۲۰۲۴"),
        (Grain.FISCAL_YEAR, CalendarSettings(fiscal_year_start_month=4), date(2025, 3, 31),
         date(2024, 4, 1), date(2025, 3, 31), "FY2024/25", "سال مالی ۲۰۲۴/۲۵"),
        (Grain.FISCAL_YEAR, CalendarSettings(fiscal_year_start_month=10), date(1999, 10, 1),
         date(1999, 10, 1), date(2000, 9, 30), "FY1999/00", "سال مالی ۱۹۹۹/۰۰"),
        (Grain.JALALI_MONTH, None, date(2025, 9, 23), date(2025, 9, 23), date(2025, 10, 22),
         "1404-07", "مهر ۱۴۰۴"),
        (Grain.JALALI_QUARTER, None, date(2025, 12, 21), date(2025, 9, 23), date(2025, 12, 21),
         "1404-Q3", "فصل ۳ ۱۴۰۴"),
        (Grain.JALALI_YEAR, None, date(2024, 3, 19), date(2023, 3, 21), date(2024, 3, 19),
         "1402", "۱۴۰۲"),
    ],
)  # fmt: skip
def test_period_bounds_and_labels(
    grain: Grain,
    cal: CalendarSettings | None,
    day: date,
    start: date,
    end: date,
    label: str,
    label_fa: str,
) -> None:
    p = period_of(grain, day, cal or CalendarSettings())
    assert p == Period(start=start, end=end, label=label, label_fa=label_fa)


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(grain=grains_st, day=days_st, cal=settings_st)
def test_period_of_is_the_maximal_run_of_days_sharing_the_grain_key(
    grain: Grain, day: date, cal: CalendarSettings
) -> None:
    p = period_of(grain, day, cal)
    key = grain_key(grain, cal)
    assert p.start <= day <= p.end
    assert key(p.start) == key(day) == key(p.end)
    assert key(p.start - DAY) != key(day)
    assert key(p.end + DAY) != key(day)
    if grain is Grain.WEEK:
        assert p.start.weekday() == cal.week_start
        assert p.days == 7


@settings(max_examples=150, deadline=None)
@given(grain=grains_st, start=days_st, span=st.integers(0, 500), cal=settings_st, data=st.data())
def test_periods_tile_the_range(
    grain: Grain, start: date, span: int, cal: CalendarSettings, data: st.DataObject
) -> None:
    end = start + timedelta(days=span)
    ps = periods(grain, start, end, cal)
    assert ps[0].start <= start <= ps[0].end
    assert ps[-1].start <= end <= ps[-1].end
    for before, after in itertools.pairwise(ps):
        assert after.start == before.end + DAY  # contiguous, no overlap
    assert len({p.label for p in ps}) == len(ps)
    assert [p.label for p in ps] == sorted(p.label for p in ps)
    for _ in range(5):
        day = data.draw(st.dates(min_value=start, max_value=end))
        containing = [p for p in ps if p.start <= day <= p.end]
        assert containing == [period_of(grain, day, cal)]


def test_periods_rejects_reversed_range() -> None:
    with pytest.raises(ValueError):
        periods(Grain.MONTH, date(2024, 2, 1), date(2024, 1, 1))


@settings(max_examples=200, deadline=None)
@given(grain=grains_st, day=days_st, cal=settings_st, n=st.integers(-30, 30))
def test_shift_round_trips_and_steps(
    grain: Grain, day: date, cal: CalendarSettings, n: int
) -> None:
    p = period_of(grain, day, cal)
    assert shift(grain, shift(grain, p, -1, cal), 1, cal) == p
    assert shift(grain, shift(grain, p, n, cal), -n, cal) == p
    assert shift(grain, p, 0, cal) == p
    step = shift(grain, p, 1 if n >= 0 else -1, cal)
    if n > 0:
        assert step.start == p.end + DAY
    elif n < 0:
        assert step.end == p.start - DAY
    moved = shift(grain, p, n, cal)
    assert moved == period_of(grain, moved.start, cal)


def test_shift_examples() -> None:
    march = period_of(Grain.MONTH, date(2024, 3, 15))
    assert shift(Grain.MONTH, march, -1).label == "2024-02"
    assert shift(Grain.MONTH, march, 10).label == "2025-01"
    farvardin = period_of(Grain.JALALI_MONTH, date(2025, 3, 21))
    assert shift(Grain.JALALI_MONTH, farvardin, -1).label == "1403-12"
    assert shift(Grain.JALALI_QUARTER, farvardin, -1).label == "1403-Q4"
    week = period_of(Grain.WEEK, date(2024, 3, 6), IRAN)
    assert shift(Grain.WEEK, week, 1, IRAN).start == date(2024, 3, 9)


@settings(max_examples=200, deadline=None)
@given(day=days_st.filter(lambda d: d.year > 1900), ws=st.integers(0, 6))
def test_week_start_setting(day: date, ws: int) -> None:
    cal = CalendarSettings(week_start=ws)
    p = period_of(Grain.WEEK, day, cal)
    assert p.start.weekday() == ws
    assert 0 <= (day - p.start).days < 7
    last_year = same_period_last_year(Grain.WEEK, p, cal)
    assert last_year.start == p.start - timedelta(days=364)


def test_iranian_week_starts_on_saturday() -> None:
    p = period_of(Grain.WEEK, date(2025, 9, 26), IRAN)  # a Friday
    assert p.start == date(2025, 9, 20)
    assert p.start.strftime("%A") == "Saturday"
    assert p.end.strftime("%A") == "Friday"


def test_same_period_last_year() -> None:
    spl = same_period_last_year
    assert spl(Grain.DAY, period_of(Grain.DAY, date(2024, 2, 29))).start == date(2023, 2, 28)
    assert spl(Grain.DAY, period_of(Grain.DAY, date(2024, 3, 1))).start == date(2023, 3, 1)
    assert spl(Grain.MONTH, period_of(Grain.MONTH, date(2024, 3, 5))).label == "2023-03"
    assert spl(Grain.QUARTER, period_of(Grain.QUARTER, date(2024, 3, 5))).label == "2023-Q1"
    fy = CalendarSettings(fiscal_year_start_month=4)
    assert spl(Grain.FISCAL_YEAR, period_of(Grain.FISCAL_YEAR, date(2025, 1, 1), fy), fy) == (
        period_of(Grain.FISCAL_YEAR, date(2023, 4, 1), fy)
    )
    mehr = period_of(Grain.JALALI_MONTH, date(2025, 9, 23))
    last_mehr = spl(Grain.JALALI_MONTH, mehr)
    assert last_mehr.label == "1403-07"
    assert last_mehr.start == to_greg(JalaliDate(1403, 7, 1))
    esfand = period_of(Grain.JALALI_MONTH, date(2026, 3, 1))  # Esfand 1404, 29 days
    assert spl(Grain.JALALI_MONTH, esfand).days == 30  # Esfand 1403
    year_1404 = period_of(Grain.JALALI_YEAR, date(2025, 9, 23))
    assert spl(Grain.JALALI_YEAR, year_1404).label == "1403"
    assert spl(Grain.JALALI_YEAR, year_1404).start == date(2024, 3, 20)


# --- comparison windows ----------------------------------------------------------------------


def test_comparison_window_partial_month() -> None:
    march = period_of(Grain.MONTH, date(2024, 3, 1))
    covered = (date(2024, 3, 1), date(2024, 3, 10))
    assert comparison_window(Grain.MONTH, march, covered, "previous") == (
        date(2024, 2, 1),
        date(2024, 2, 10),
    )
    assert comparison_window(Grain.MONTH, march, covered, "last_year") == (
        date(2023, 3, 1),
        date(2023, 3, 10),
    )


def test_comparison_window_full_period_is_the_whole_other_period() -> None:
    feb = period_of(Grain.MONTH, date(2024, 2, 1))
    assert comparison_window(Grain.MONTH, feb, (feb.start, feb.end), "previous") == (
        date(2024, 1, 1),
        date(2024, 1, 31),
    )
    march = period_of(Grain.MONTH, date(2024, 3, 1))
    assert comparison_window(Grain.MONTH, march, (march.start, march.end), "previous") == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )


def test_comparison_window_partial_at_start_keeps_offset_and_clips() -> None:
    march = period_of(Grain.MONTH, date(2024, 3, 1))
    # Days 11..20 of March against days 11..20 of February.
    assert comparison_window(
        Grain.MONTH, march, (date(2024, 3, 11), date(2024, 3, 20)), "previous"
    ) == (date(2024, 2, 11), date(2024, 2, 20))
    # Days 20..31 of March: February has only 29 days, so the window is clipped to its end.
    assert comparison_window(
        Grain.MONTH, march, (date(2024, 3, 20), date(2024, 3, 31)), "previous"
    ) == (date(2024, 2, 20), date(2024, 2, 29))
    # A start beyond the other period's end is clipped too: never an empty window.
    assert comparison_window(
        Grain.MONTH, march, (date(2024, 3, 31), date(2024, 3, 31)), "previous"
    ) == (date(2024, 2, 29), date(2024, 2, 29))


def test_comparison_window_jalali_month() -> None:
    farvardin_1404 = period_of(Grain.JALALI_MONTH, date(2025, 3, 21))
    covered = (date(2025, 3, 21), date(2025, 3, 30))  # 1..10 Farvardin 1404
    prev = comparison_window(Grain.JALALI_MONTH, farvardin_1404, covered, "previous")
    assert prev == (to_greg(JalaliDate(1403, 12, 1)), to_greg(JalaliDate(1403, 12, 10)))
    last = comparison_window(Grain.JALALI_MONTH, farvardin_1404, covered, "last_year")
    assert last == (to_greg(JalaliDate(1403, 1, 1)), to_greg(JalaliDate(1403, 1, 10)))
    assert last == (date(2024, 3, 20), date(2024, 3, 29))
    # 20..31 Farvardin (partial at its start) against 20..30 Esfand 1403 (leap: 30 days).
    tail = (to_greg(JalaliDate(1404, 1, 20)), to_greg(JalaliDate(1404, 1, 31)))
    assert comparison_window(Grain.JALALI_MONTH, farvardin_1404, tail, "previous") == (
        to_greg(JalaliDate(1403, 12, 20)),
        to_greg(JalaliDate(1403, 12, 30)),
    )


def test_comparison_window_rejects_bad_input() -> None:
    march = period_of(Grain.MONTH, date(2024, 3, 1))
    with pytest.raises(ValueError):
        comparison_window(Grain.MONTH, march, (date(2024, 2, 28), date(2024, 3, 2)), "previous")
    with pytest.raises(ValueError):
        comparison_window(Grain.MONTH, march, (date(2024, 3, 5), date(2024, 3, 2)), "previous")
    with pytest.raises(ValueError):
        comparison_window(
            Grain.MONTH,
            march,
            (date(2024, 3, 1), date(2024, 3, 2)),
            "next",  # type: ignore[arg-type]
        )


@settings(max_examples=200, deadline=None)
@given(
    grain=grains_st,
    day=days_st.filter(lambda d: d.year > 1901),
    cal=settings_st,
    kind=st.sampled_from(["previous", "last_year"]),
    data=st.data(),
)
def test_comparison_window_properties(
    grain: Grain, day: date, cal: CalendarSettings, kind: str, data: st.DataObject
) -> None:
    p = period_of(grain, day, cal)
    lo = data.draw(st.dates(min_value=p.start, max_value=p.end))
    hi = data.draw(st.dates(min_value=lo, max_value=p.end))
    other = shift(grain, p, -1, cal) if kind == "previous" else same_period_last_year(grain, p, cal)
    start, end = comparison_window(grain, p, (lo, hi), kind, cal)  # type: ignore[arg-type]
    assert other.start <= start <= end <= other.end
    if (lo, hi) == (p.start, p.end):
        assert (start, end) == (other.start, other.end)
    elif other.start + (hi - p.start) <= other.end:
        assert start - other.start == lo - p.start
        assert end - start == hi - lo


# --- mapping tables --------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(grain=grains_st, start=days_st, span=st.integers(0, 400), cal=settings_st)
def test_period_map_covers_each_day_once_and_agrees_with_period_of(
    grain: Grain, start: date, span: int, cal: CalendarSettings
) -> None:
    end = start + timedelta(days=span)
    table = period_map(grain, start, end, cal)
    assert table.schema == pa.schema([("date", pa.date32()), ("period_start", pa.date32())])
    mapping = dict(zip(table.column("date").to_pylist(), table.column("period_start").to_pylist()))
    assert len(mapping) == table.num_rows == span + 1
    assert min(mapping) == start
    assert max(mapping) == end
    by_start = {p.start: p for p in periods(grain, start, end, cal)}
    for d, period_start in mapping.items():
        assert by_start[period_start].start <= d <= by_start[period_start].end


def test_period_map_samples_against_period_of() -> None:
    for grain in CALENDAR_GRAINS:
        table = period_map(grain, date(2023, 12, 1), date(2025, 4, 30), IRAN)
        for d, s in zip(table.column("date").to_pylist(), table.column("period_start").to_pylist()):
            assert s == period_of(grain, d, IRAN).start, (grain, d)


def test_period_map_outside_the_dimension_range() -> None:
    table = period_map(Grain.JALALI_MONTH, date(1899, 12, 1), date(1900, 1, 31))
    for d, s in zip(table.column("date").to_pylist(), table.column("period_start").to_pylist()):
        assert s == to_greg(JalaliDate(JalaliDate(d).year, JalaliDate(d).month, 1))


def test_window_map() -> None:
    windows = [(date(2024, 3, 1), date(2024, 3, 3)), (date(2024, 2, 1), date(2024, 2, 2))]
    table = window_map(windows)
    assert table.schema == pa.schema([("date", pa.date32()), ("period_index", pa.int32())])
    assert table.to_pydict() == {
        "date": [
            date(2024, 3, 1),
            date(2024, 3, 2),
            date(2024, 3, 3),
            date(2024, 2, 1),
            date(2024, 2, 2),
        ],
        "period_index": [0, 0, 0, 1, 1],
    }
    assert window_map([]).num_rows == 0


def test_window_map_rejects_overlap_and_reversed_windows() -> None:
    with pytest.raises(ValueError, match="overlap"):
        window_map([(date(2024, 3, 1), date(2024, 3, 10)), (date(2024, 3, 10), date(2024, 3, 12))])
    with pytest.raises(ValueError, match="overlap"):
        window_map([(date(2024, 3, 5), date(2024, 3, 6)), (date(2024, 3, 1), date(2024, 3, 31))])
    with pytest.raises(ValueError, match="after"):
        window_map([(date(2024, 3, 5), date(2024, 3, 1))])
    # Adjacent windows are fine.
    assert window_map([(date(2024, 3, 1), date(2024, 3, 1)), (date(2024, 3, 2), date(2024, 3, 2))])[
        "period_index"
    ].to_pylist() == [0, 1]


def test_window_map_of_overlapping_windows_has_a_shared_day_once_per_window() -> None:
    """A period and the one it is compared with (the engine's comparisons) may share days."""
    march, its_tail = (date(2024, 3, 1), date(2024, 3, 3)), (date(2024, 3, 3), date(2024, 3, 4))
    table = window_map([march, its_tail], overlapping=True)
    assert list(zip(*table.to_pydict().values(), strict=True)) == [
        (date(2024, 3, 1), 0),
        (date(2024, 3, 2), 0),
        (date(2024, 3, 3), 0),
        (date(2024, 3, 3), 1),
        (date(2024, 3, 4), 1),
    ]
    with pytest.raises(ValueError, match="after"):
        window_map([(date(2024, 3, 5), date(2024, 3, 1))], overlapping=True)


@pytest.mark.postgres
def test_a_postgres_warehouse_holds_the_date_dimension_as_it_is(pg_database: str) -> None:
    """(On Postgres its rows go in by COPY, as CSV: each value reads back as it was.)"""
    import ibis

    from shakhes.data.warehouse import CALENDAR_TABLE, Warehouse

    dim = date_dimension()
    wh = Warehouse.connect(pg_database)
    try:
        wh.ensure_schema()
        stored = wh.backend.table(CALENDAR_TABLE)
        assert stored.schema() == ibis.Schema.from_pyarrow(dim.schema)
        cols = ", ".join(dim.column_names)
        rows = wh.fetchall(f"SELECT {cols} FROM {CALENDAR_TABLE} ORDER BY date")
    finally:
        wh.close()
    assert rows == list(zip(*(dim.column(c).to_pylist() for c in dim.column_names), strict=True))
