"""The period a page shows, read from ``?period=`` by the one parser of named periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from shakhes.engine.calendar import Grain
from shakhes.errors import PeriodError, QueryError
from shakhes.web.period import choices, select
from shakhes.workspace import Workspace, init


@pytest.fixture(scope="module")
def spaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Workspace]]:
    root = Path(tmp_path_factory.mktemp("period"))
    found = {"gregorian": init(root / "g"), "jalali": init(root / "j", calendar="jalali")}
    yield found
    for ws in found.values():
        ws.close()


@pytest.mark.parametrize(
    ("calendar", "text", "grain", "start", "end"),
    [
        ("jalali", "1404-08", Grain.JALALI_MONTH, dt.date(2025, 10, 23), dt.date(2025, 11, 21)),
        ("jalali", "۱۴۰۴-۰۸", Grain.JALALI_MONTH, dt.date(2025, 10, 23), dt.date(2025, 11, 21)),
        ("jalali", "1404-Q1", Grain.JALALI_QUARTER, dt.date(2025, 3, 21), dt.date(2025, 6, 21)),
        ("jalali", "1404", Grain.JALALI_YEAR, dt.date(2025, 3, 21), dt.date(2026, 3, 20)),
        ("gregorian", "2025-11", Grain.MONTH, dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        ("gregorian", "2025-Q3", Grain.QUARTER, dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("gregorian", "2025", Grain.YEAR, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        # a range of days is one total period
        ("gregorian", "2025-11-01..2025-11-30", Grain.TOTAL, dt.date(2025, 11, 1),
         dt.date(2025, 11, 30)),
        ("gregorian", "2025-11-03..2025-11-09", Grain.TOTAL, dt.date(2025, 11, 3),
         dt.date(2025, 11, 9)),
    ],
)  # fmt: skip
def test_a_named_period_is_read_at_its_grain(
    spaces: dict[str, Workspace],
    calendar: str,
    text: str,
    grain: Grain,
    start: dt.date,
    end: dt.date,
) -> None:
    sel = select(spaces[calendar], text, None)
    assert (sel.grain, sel.period.start, sel.period.end) == (grain, start, end)
    assert sel.compare == "previous"


@pytest.mark.parametrize("text", ["2025-13", "1404-12-30..1404-01-01", "soon", "1404"])
def test_a_bad_period_is_the_parsers_error(spaces: dict[str, Workspace], text: str) -> None:
    with pytest.raises(PeriodError) as found:
        select(spaces["gregorian"], text, None)  # 1404 AD lies outside shakhes' calendar
    assert found.value.code == "invalid_period" and text in found.value.message


def test_comparison_is_previous_or_last_year(spaces: dict[str, Workspace]) -> None:
    assert select(spaces["gregorian"], "2025-11", "last-year").compare == "last_year"
    with pytest.raises(QueryError):
        select(spaces["gregorian"], "2025-11", "yesterday")


def test_the_picker_offers_the_workspace_calendar(spaces: dict[str, Workspace]) -> None:
    months, quarters, years = choices(spaces["jalali"], dt.date(2025, 11, 5))
    assert months[0] == Grain.JALALI_MONTH and quarters[0] == Grain.JALALI_QUARTER
    assert months[1][0].label == "1404-08" and len(months[1]) == 24
    assert years[1][0].label == "1404"
