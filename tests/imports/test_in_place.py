"""A clean canonical CSV is read by DuckDB straight into its table, in one transaction with
the rest of the import; a file with a row that fails a check goes the way that collects every
problem. Either way the outcome is the same — these tests pin down the first way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.imports import rows

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

HEAD = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)


def ads(path: Path, *lines: str) -> Path:
    path.write_text(HEAD + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line(day: int, cost: float, campaign: str = "c1", clicks: str = "10") -> str:
    return f"2026-09-{day:02d},google_ads,a,search,{campaign},Brand,g,,USD,100,{clicks},{cost},1,10"


@pytest.fixture()
def in_place_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the file is read the general way."""
    from shakhes.imports import pipeline

    def refuse(*args: object) -> None:
        raise AssertionError("the general way ran")

    monkeypatch.setattr(pipeline, "_batches", refuse)


def stored(warehouse: Warehouse) -> list[tuple[object, ...]]:
    return rows(
        warehouse, "SELECT date, campaign_id, cost, _import_id FROM ad_performance ORDER BY 1, 2"
    )


def test_a_clean_file_goes_straight_in_and_is_logged(
    warehouse: Warehouse, tmp_path: Path, in_place_only: None
) -> None:
    report = import_file(
        warehouse,
        ads(tmp_path / "a.csv", line(1, 5.5), line(2, 7)),
        ImportOptions(source="canonical"),
    )
    assert (report.import_id, report.rows_read, report.accepted, report.quarantined) == (1, 2, 2, 0)
    assert report.totals["cost"] == 12.5 and report.date_range == (
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 2),
    )
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 5.5, 1),
        (dt.date(2026, 9, 2), "c1", 7.0, 1),
    ]
    assert [r.accepted for r in Ledger(warehouse).recent()] == [2]


def test_a_cell_that_does_not_cast_sends_the_file_the_general_way(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    bad_day = line(4, 9).replace("2026-09-04", "2026-02-30")
    path = ads(tmp_path / "a.csv", line(1, 5.5), line(2, 7, clicks="ten"), line(3, 8), bad_day)
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.import_id, report.rows_read, report.accepted, report.quarantined) == (
        1,
        4,
        2,
        2,
    )
    found = {r[2]: (r[3], r[4]) for r in Ledger(warehouse).quarantine()}
    assert found == {3: ("clicks", "ten"), 5: ("date", "2026-02-30")}
    assert [r[0] for r in stored(warehouse)] == [dt.date(2026, 9, 1), dt.date(2026, 9, 3)]


def test_a_fractional_count_is_not_rounded(warehouse: Warehouse, tmp_path: Path) -> None:
    path = ads(tmp_path / "a.csv", line(1, 5.5, clicks="1.5"), line(2, 7, clicks="1e1"))
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.accepted, report.quarantined) == (1, 1)
    assert [r[2:6] for r in Ledger(warehouse).quarantine()] == [
        (2, "clicks", "1.5", "not a whole number")
    ]
    assert rows(warehouse, "SELECT clicks FROM ad_performance") == [(10,)]


def test_a_row_failing_a_check_leaves_nothing_of_the_first_attempt(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = ads(tmp_path / "a.csv", line(1, 5.5), line(2, -7), line(3, 8))
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.import_id, report.accepted, report.quarantined) == (1, 2, 1)
    assert [r[2:6] for r in Ledger(warehouse).quarantine()] == [
        (3, "cost", "-7", "cost is negative")
    ]
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 5.5, 1),
        (dt.date(2026, 9, 3), "c1", 8.0, 1),
    ]


def test_replacing_a_dry_run_the_same_file_and_undo(
    warehouse: Warehouse, tmp_path: Path, in_place_only: None
) -> None:
    first = ads(tmp_path / "first.csv", line(1, 5.5), line(2, 7), line(2, 3, campaign="c2"))
    import_file(warehouse, first, ImportOptions(source="canonical"))
    newer = ads(tmp_path / "newer.csv", line(2, 9), line(3, 4))

    preview = import_file(warehouse, newer, ImportOptions(source="canonical", dry_run=True))
    assert (preview.accepted, preview.replaced, preview.import_id) == (2, 1, None)
    assert len(stored(warehouse)) == 3 and len(Ledger(warehouse).recent()) == 1

    report = import_file(warehouse, newer, ImportOptions(source="canonical"))
    assert (report.import_id, report.accepted, report.replaced, report.removed) == (2, 2, 1, 0)
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 5.5, 1),
        (dt.date(2026, 9, 2), "c1", 9.0, 2),
        (dt.date(2026, 9, 2), "c2", 3.0, 1),
        (dt.date(2026, 9, 3), "c1", 4.0, 2),
    ]
    again = import_file(warehouse, newer, ImportOptions(source="canonical"))
    assert again.already_imported == 2 and len(stored(warehouse)) == 4
    assert len(Ledger(warehouse).recent()) == 2

    Ledger(warehouse).undo(2)
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 5.5, 1),
        (dt.date(2026, 9, 2), "c1", 7.0, 1),
        (dt.date(2026, 9, 2), "c2", 3.0, 1),
    ]


def test_replace_range_removes_what_the_file_lacks(
    warehouse: Warehouse, tmp_path: Path, in_place_only: None
) -> None:
    first = ads(tmp_path / "first.csv", line(1, 5.5), line(2, 7), line(2, 3, campaign="c2"))
    import_file(warehouse, first, ImportOptions(source="canonical"))
    refresh = ads(tmp_path / "refresh.csv", line(2, 9))
    report = import_file(warehouse, refresh, ImportOptions(source="canonical", replace_range=True))
    # Day 2 is the file's range: c1 replaced, c2 (not in the file) removed; day 1 untouched.
    assert (report.accepted, report.replaced, report.removed) == (1, 1, 1)
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 5.5, 1),
        (dt.date(2026, 9, 2), "c1", 9.0, 2),
    ]


def test_repeated_keys_roll_everything_back(
    warehouse: Warehouse, tmp_path: Path, in_place_only: None
) -> None:
    from shakhes.errors import DataError

    twice = ads(tmp_path / "twice.csv", line(1, 5.5), line(1, 6))
    with pytest.raises(DataError, match="repeat the natural key"):
        import_file(warehouse, twice, ImportOptions(source="canonical"))
    assert stored(warehouse) == [] and Ledger(warehouse).recent() == []
    assert Ledger(warehouse).quarantine() == []
