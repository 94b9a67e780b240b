"""A clean canonical CSV is read by DuckDB straight into its table, in one transaction with
the rest of the import; a file with a row that fails a check goes the way that collects every
problem. Either way the outcome is the same — these tests pin down the first way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.imports import imported_one_way, rows
from support.warehouses import in_memory_warehouse

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
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
    from shakhes.imports.pipeline import importer

    def refuse(*args: object) -> None:
        raise AssertionError("the general way ran")

    monkeypatch.setattr(importer, "batches", refuse)


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
    twice = ads(tmp_path / "twice.csv", line(1, 5.5), line(1, 6))
    with pytest.raises(DataError, match="repeat the natural key"):
        import_file(warehouse, twice, ImportOptions(source="canonical"))
    assert stored(warehouse) == [] and Ledger(warehouse).recent() == []
    assert Ledger(warehouse).quarantine() == []


CELLS = {
    "date": ["2026-09-01", "2026-09-02", "1403-07-15", "2026-02-30", "", "09/03/2026"],
    "platform": ["google_ads", "meta_ads", " google_ads", ""],
    "account": ["a", "b", " a ", "\u00a0", "حساب"],
    "channel": ["search", "social", " search", "serch", ""],
    "campaign_id": ["c1", "c2", "   ", "ك1", "ک1"],
    "campaign": ["Brand", "", "برند\u200c", " Brand "],
    "ad_group": ["g", "g ", "\u3000g", ""],
    "ad": ["", "Video A", "ad1"],
    "currency": ["USD", "usd", "IRR", "US", "", "EUR "],
    "impressions": ["100", "1e3", "1.5", "-1", "", "x", "1,000"],
    "clicks": ["10", "0", "200", "2.0", ""],
    "cost": ["5.5", "-5", "nan", "inf", "", "1e400", "$3"],
    "conversions": ["1", "0.5", ""],
    "conversion_value": ["10", "", "-1"],
}


@pytest.fixture(scope="module")
def shared() -> Warehouse:
    """One warehouse for the many imports below, each into it emptied (:func:`empty`)."""
    return in_memory_warehouse()


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CELLS.items()}),
        min_size=1,
        max_size=6,
    )
)
def test_the_straight_read_and_the_general_way_store_the_same(
    shared: Warehouse, tmp_path_factory: pytest.TempPathFactory, rows_: list[dict[str, str]]
) -> None:
    """DuckDB's straight read is only a shortcut: for any file, what ends up stored and
    quarantined is what the general way alone would give."""
    import csv as csv_module
    import io

    text = io.StringIO()
    writer = csv_module.DictWriter(text, fieldnames=list(CELLS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows_)
    path = tmp_path_factory.mktemp("f") / "ads.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    assert imported_one_way(shared, path, True) == imported_one_way(shared, path, False)
