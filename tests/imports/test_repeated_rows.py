"""Rows of one export that share a natural key are different things with one name: added
together (the file's total is then the sum of its rows, as the platform shows), quarantined
when they cannot be added, kept together in the quarantine — and refused where a repeated key
is a mistake (canonical files, ``shakhes load``)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file, retry_quarantine

SAME_NAMES = FIXTURES / "tiktok_ads_same_names.csv"


def file_sums() -> tuple[dict[tuple[str, ...], list[int]], list[str]]:
    """Per (campaign, ad group, ad, day): cost, impressions, clicks, conversions and the number
    of rows, added up with the csv module; and the file's own total row."""
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with SAME_NAMES.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        total: list[str] = []
        for r in reader:
            if r["Campaign name"].startswith("Total of"):
                total = [r["Cost"], r["Impression"], r["Clicks (Destination)"], r["Conversions"]]
                continue
            key = (r["Campaign name"], r["Ad Group Name"], r["Ad Name"], r["Date"])
            for i, name in enumerate(("Cost", "Impression", "Clicks (Destination)", "Conversions")):
                sums[key][i] += int(r[name])
            sums[key][4] += 1
    return sums, total


def test_ads_with_one_name_are_added_together_and_match_the_files_total(
    warehouse: Warehouse,
) -> None:
    sums, total = file_sums()
    shared = sum(n for *_, n in sums.values() if n > 1)
    keys = sum(1 for *_, n in sums.values() if n > 1)
    assert (shared, keys, len(sums)) == (20, 8, 21)  # what the fixture was made with

    report = import_file(warehouse, SAME_NAMES, ImportOptions())
    assert (report.rows_read, report.accepted, report.quarantined) == (34, 21, 0)
    assert (report.added_rows, report.added_into) == (20, 8)
    assert report.key_label == "campaign/ad group/ad/day"
    # No total-row mismatch: the imported rows add up to TikTok's "Total of 33 results".
    assert not [w for w in report.warnings if "total row" in w]
    assert [report.totals[c] for c in ("cost", "impressions", "clicks", "conversions")] == [
        float(v) for v in total
    ]
    stored = {
        (c, g, a, d.isoformat()): [int(cost), i, k, int(conv)]
        for c, g, a, d, cost, i, k, conv in rows(
            warehouse,
            "SELECT campaign, ad_group, ad, date, cost, impressions, clicks, conversions "
            "FROM ad_performance",
        )
    }
    assert stored == {key: values[:4] for key, values in sums.items()}
    assert rows(warehouse, "SELECT DISTINCT platform, currency FROM ad_performance") == [
        ("tiktok", "IDR")
    ]


def test_the_same_file_twice_changes_nothing_and_undo_removes_the_sums(
    warehouse: Warehouse,
) -> None:
    first = import_file(warehouse, SAME_NAMES, ImportOptions())
    before = rows(warehouse, "SELECT * EXCLUDE (_import_id) FROM ad_performance ORDER BY ALL")
    again = import_file(warehouse, SAME_NAMES, ImportOptions())
    assert again.already_imported == first.import_id
    assert rows(warehouse, "SELECT * EXCLUDE (_import_id) FROM ad_performance ORDER BY ALL") == (
        before
    )
    assert first.import_id is not None
    undone = Ledger(warehouse).undo(first.import_id)
    assert (undone.deleted, undone.restored) == (21, 0)
    assert rows(warehouse, "SELECT count(*) FROM ad_performance") == [(0,)]


HEAD = (
    "By Day,Campaign name,Ad group name,Ad name,Currency,Cost,CPC (destination),CPM,"
    "Impressions,Clicks (destination),CTR (destination),Reach,Conversions\n"
)


def test_rows_whose_reach_differs_are_quarantined_and_the_others_added(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "tiktok.csv"
    path.write_text(
        HEAD
        + "2025-03-01,C,G,Video 1,USD,10.00,1.00,10.00,1000,10,1.00%,800,1\n"  # line 2
        + "2025-03-01,C,G,Video 1,USD,20.00,1.00,10.00,2000,20,1.00%,1500,2\n"  # line 3
        + "2025-03-01,C,G,Video 2,USD,5.00,1.00,10.00,500,5,1.00%,,0\n"  # line 4
        + "2025-03-01,C,G,Video 2,USD,6.00,1.00,10.00,600,6,1.00%,,1\n"  # line 5
        + "2025-03-02,C,G,Video 1,USD,7.00,1.00,10.00,700,7,1.00%,600,0\n",  # line 6
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.accepted, report.quarantined, report.added_rows, report.added_into) == (
        2,
        2,
        2,
        1,
    )
    held = Ledger(warehouse).quarantine()
    assert [(r[2], r[3]) for r in held] == [(2, None), (3, None)]
    assert "shares its campaign/ad group/ad/day with line(s) 3" in held[0][5]
    assert "reach cannot be added up" in held[0][5]
    # The quarantine keeps each row's own cells, to export, fix and retry.
    assert held[1][6]["Reach"] == "1500" and held[1][6]["Cost"] == "20.00"
    assert rows(
        warehouse,
        "SELECT date, ad, cost, impressions, clicks, conversions, reach FROM ad_performance "
        "ORDER BY ALL",
    ) == [
        (dt.date(2025, 3, 1), "Video 2", 11.0, 1100, 11, 1.0, None),
        (dt.date(2025, 3, 2), "Video 1", 7.0, 700, 7, 0.0, 600),
    ]


def test_a_quarantined_row_keeps_the_rows_of_its_key_with_it_until_a_retry_adds_them(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """If one ad of a name were quarantined and the other imported, retrying the fixed one
    would *replace* the other by natural key. So they wait in the quarantine together, and the
    retry adds them."""
    path = tmp_path / "tiktok.csv"
    path.write_text(
        HEAD
        + "2025-03-01,C,G,Video 1,USD,10.00,1.00,10.00,1000,10,1.00%,,1\n"  # line 2
        + "2025-03-01,C,G,Video 1,USD,20.00,1.00,10.00,2000,2500,1.00%,,2\n"  # line 3: bad
        + "2025-03-01,C,G,Video 2,USD,5.00,1.00,10.00,500,5,1.00%,,0\n",  # line 4
        encoding="utf-8",
    )
    first = import_file(warehouse, path, ImportOptions())
    assert (first.accepted, first.quarantined) == (1, 2)
    held = {r[2]: r[5] for r in Ledger(warehouse).quarantine()}
    assert "more clicks than impressions" in held[3]
    assert "shares its campaign/ad group/ad/day with line 3, which was quarantined" in held[2]
    assert rows(warehouse, "SELECT ad FROM ad_performance") == [("Video 2",)]

    # A fix of line 3's clicks, through the quarantine: both rows come back, added together.
    with warehouse.transaction() as cur:
        cur.execute(
            "UPDATE shakhes_quarantine SET row_json = replace(row_json, '\"2500\"', '\"25\"')"
        )
    assert first.import_id is not None
    report, resolved = retry_quarantine(warehouse, first.import_id, ImportOptions(), tmp_path)
    assert resolved == 2 and (report.accepted, report.added_rows) == (1, 2)
    assert rows(
        warehouse, "SELECT ad, cost, impressions, clicks FROM ad_performance ORDER BY ad"
    ) == [("Video 1", 30.0, 3000, 35), ("Video 2", 5.0, 500, 5)]
    assert Ledger(warehouse).quarantine() == []


def test_google_ads_campaigns_with_one_name_are_added(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    path.write_text(
        'Campaign report\n"March 1, 2025 - March 1, 2025"\n'
        "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value\n"
        "2025-03-01,Brand,Search,USD,100,10,5.00,1.00,20.00\n"
        "2025-03-01,Brand,Search,USD,50,4,2.50,0.50,8.00\n"
        "2025-03-01,Brand,Display,USD,900,3,1.00,0.00,0.00\n"
        "Total: Account,--,--,USD,1050,17,8.50,1.50,28.00\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    # Two Search rows add up; the Display one has another channel: the three are held.
    assert (report.accepted, report.quarantined) == (0, 3)
    reasons = {r.message for r in report.rejected}
    assert any("channel differs" in r for r in reasons)


def test_canonical_files_still_refuse_repeated_keys(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "canonical.csv"
    line = "2025-03-01,tiktok,a,social,c,c,g,v,USD,100,10,5,1,0\n"
    path.write_text(
        "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
        "clicks,cost,conversions,conversion_value\n" + line + line,
        encoding="utf-8",
    )
    for options in (
        ImportOptions(source="canonical"),
        ImportOptions(source="canonical:ad_performance", strict=True),
    ):
        with pytest.raises(DataError, match="repeat the natural key") as caught:
            import_file(warehouse, path, options)
        assert caught.value.code == "repeated_keys"
    assert rows(warehouse, "SELECT count(*) FROM ad_performance") == [(0,)]
