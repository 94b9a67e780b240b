"""Importing real export layouts end to end: recognise, parse, quarantine, merge, undo."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, Step, import_file


def totals(wh: Warehouse) -> tuple[object, ...]:
    return rows(
        wh,
        "SELECT count(*), sum(impressions), sum(clicks), round(sum(cost), 2), "
        "sum(conversions), sum(conversion_value) FROM ad_performance",
    )[0]


def test_google_ads_report_round_trips_to_its_own_totals(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions())
    assert report.source == "google-ads" and report.table == "ad_performance"
    assert (report.rows_read, report.accepted, report.quarantined) == (6, 4, 0)
    assert report.summary_rows == 2 and report.warnings == ()
    assert report.date_range == (dt.date(2026, 9, 1), dt.date(2026, 9, 2))
    # The file's own "Total: Account" row: 28,134 impressions, 1,572 clicks, 2,299.56 cost.
    assert totals(warehouse) == (4, 28134, 1572, 2299.56, 75.5, 7550.0)
    assert report.totals["cost"] == pytest.approx(2299.56)
    channels = dict(rows(warehouse, "SELECT campaign, channel FROM ad_performance GROUP BY ALL"))
    assert channels == {
        "Brand - Search": "search",
        "Display - Remarketing": "display",
        "YouTube - Launch": "video",
    }
    assert rows(warehouse, "SELECT DISTINCT platform, currency FROM ad_performance") == [
        ("google_ads", "USD")
    ]


def test_reimporting_the_same_file_changes_nothing(warehouse: Warehouse) -> None:
    path = FIXTURES / "google_ads_campaign_day.csv"
    first = import_file(warehouse, path, ImportOptions())
    again = import_file(warehouse, path, ImportOptions())
    assert again.already_imported == first.import_id
    assert totals(warehouse) == (4, 28134, 1572, 2299.56, 75.5, 7550.0)
    assert len(Ledger(warehouse).recent()) == 1


def test_a_newer_export_corrects_rows_and_keeps_other_campaigns(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    import_file(warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions())
    newer = tmp_path / "brand_only.csv"
    newer.write_text(
        'Campaign report\n"September 2, 2026 - September 2, 2026"\n'
        "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost\n"
        '2026-09-02,Brand - Search,Search,USD,"11,500",720,"1,080.00"\n',
        encoding="utf-8",
    )
    report = import_file(warehouse, newer, ImportOptions())
    assert (report.accepted, report.replaced, report.removed) == (1, 1, 0)
    assert rows(warehouse, "SELECT count(*), sum(impressions) FROM ad_performance") == [
        (4, 28134 - 11000 + 11500)
    ]


def test_replace_range_removes_rows_the_new_file_lacks(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    import_file(warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions())
    newer = tmp_path / "day2.csv"
    newer.write_text(
        "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost\n"
        "2026-09-02,Brand - Search,Search,USD,11000,700,1050.00\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, newer, ImportOptions(replace_range=True))
    # Day 2 had Brand (replaced) and YouTube (not in the new file: removed); day 1 is untouched.
    assert (report.replaced, report.removed) == (1, 1)
    assert rows(warehouse, "SELECT date, campaign FROM ad_performance ORDER BY ALL") == [
        (dt.date(2026, 9, 1), "Brand - Search"),
        (dt.date(2026, 9, 1), "Display - Remarketing"),
        (dt.date(2026, 9, 2), "Brand - Search"),
    ]


def test_undo_restores_exactly_what_an_import_replaced(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    first = import_file(warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions())
    before = rows(warehouse, "SELECT * EXCLUDE (_import_id) FROM ad_performance ORDER BY ALL")
    newer = tmp_path / "day2.csv"
    newer.write_text(
        "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost\n"
        "2026-09-02,Brand - Search,Search,USD,99,9,9.00\n",
        encoding="utf-8",
    )
    second = import_file(warehouse, newer, ImportOptions(replace_range=True))
    ledger = Ledger(warehouse)
    with pytest.raises(DataError, match="later import"):
        ledger.undo(first.import_id)  # type: ignore[arg-type]
    result = ledger.undo(second.import_id)  # type: ignore[arg-type]
    assert (result.deleted, result.restored) == (1, 2)
    after = rows(warehouse, "SELECT * EXCLUDE (_import_id) FROM ad_performance ORDER BY ALL")
    assert after == before
    ledger.undo(first.import_id)  # type: ignore[arg-type]
    assert totals(warehouse)[0] == 0


def test_dry_run_writes_nothing(warehouse: Warehouse) -> None:
    report = import_file(
        warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions(dry_run=True)
    )
    assert report.dry_run and report.accepted == 4 and report.import_id is None
    assert totals(warehouse)[0] == 0 and Ledger(warehouse).recent() == []


def test_meta_export_takes_currency_from_headers_and_skips_the_summary(
    warehouse: Warehouse,
) -> None:
    report = import_file(warehouse, FIXTURES / "meta_daily.csv", ImportOptions())
    assert report.source == "meta-ads"
    assert (report.accepted, report.summary_rows, report.quarantined) == (3, 1, 0)
    assert rows(warehouse, "SELECT DISTINCT platform, channel, currency FROM ad_performance") == [
        ("meta", "social", "EUR")
    ]
    assert rows(
        warehouse,
        "SELECT sum(impressions), sum(clicks), round(sum(cost), 2), "
        "sum(conversions), sum(reach) FROM ad_performance",
    ) == [(23000, 310, 119.2, 27.0, 18000)]


def test_bad_rows_are_quarantined_with_line_column_value_and_reason(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Day,Campaign,Currency code,Impr.,Clicks,Cost\n"
        "2026-09-01,A,USD,100,10,5\n"
        "2026-09-01,B,USD,100,500,5\n"
        "2026-09-01,C,USD,100,10,-5\n"
        "2026-13-01,D,USD,100,10,5\n"
        "2026-09-01,E,USD,lots,10,5\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.accepted, report.quarantined) == (1, 4)
    found = {(r[2], r[3]): r[5] for r in Ledger(warehouse).quarantine()}
    assert set(found) == {(3, "clicks"), (4, "cost"), (5, "date"), (6, "impressions")}
    assert "more clicks than impressions" in found[(3, "clicks")]
    assert "negative" in found[(4, "cost")]
    assert rows(warehouse, "SELECT campaign FROM ad_performance") == [("A",)]


def test_unrecognised_file_names_the_nearest_layout_and_unplaced_headers(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Day,Campaign,Spend,Impr.,Clicks\n2026-09-01,A,1,2,1\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        import_file(warehouse, path, ImportOptions())
    message = str(info.value)
    assert "google-ads" in message and "required column(s) 'Cost' are missing" in message
    assert "headers it could not place: 'Spend'" in message
    assert totals(warehouse)[0] == 0


def test_report_without_a_day_column_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "monthly.csv"
    path.write_text(
        'Campaign report\n"September 1, 2026 - September 30, 2026"\n'
        "Campaign,Currency code,Impr.,Clicks,Cost\nA,USD,100,10,5\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="not broken down by day"):
        import_file(warehouse, path, ImportOptions())


def test_quarantined_rows_can_be_retried_after_a_fix(warehouse: Warehouse, tmp_path: Path) -> None:
    from shakhes.imports.pipeline import retry_quarantine

    path = tmp_path / "mixed.csv"
    path.write_text(
        "Day,Campaign,Currency code,Impr.,Clicks,Cost\n"
        "2026-09-01,A,USD,100,10,5\n"
        "2026-09-01,B,,100,10,5\n"
        "2026-09-01,C,,100,500,5\n",
        encoding="utf-8",
    )
    first = import_file(warehouse, path, ImportOptions(currency=None, account="x"))
    # Rows with an empty currency cell and no --currency are quarantined.
    assert (first.accepted, first.quarantined) == (1, 2)
    report, resolved = retry_quarantine(
        warehouse,
        first.import_id,
        ImportOptions(currency="USD", account="x"),  # type: ignore[arg-type]
        tmp_path,
    )
    # B now has a currency; C still has more clicks than impressions.
    assert (report.accepted, report.quarantined, resolved) == (1, 1, 1)
    left = Ledger(warehouse).quarantine(first.import_id)
    assert [r[2] for r in left] == [4]  # C, still unresolved
    again = Ledger(warehouse).quarantine(report.import_id)
    assert [(r[3], r[5]) for r in again] == [("clicks", "more clicks than impressions")]
    assert rows(warehouse, "SELECT campaign FROM ad_performance ORDER BY 1") == [("A",), ("B",)]


HEAD = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)
CANONICAL_ADS = (
    HEAD + "2026-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    "2026-09-02,google_ads,a,search,c1,Brand,g,,USD,100,200,5.5,1,10\n"
    "2026-09-03,google_ads,a,serch,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    "2026-02-30,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    "2026-09-05,google_ads,a,search,c1,Brand,g,,USD,1e3,10,-5,1,10\n"
    "2026-09-06,google_ads,a,search,,Brand,g,,USD,100,10,5.5,1,10\n"
    "1403-07-15,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    "2026-09-08,google_ads,a,search,c1,Brand,g,Video A,usd,100,10,5.5,1,10\n"
)


def test_canonical_csv_with_bad_rows_is_checked_row_by_row(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """DuckDB's straight read stops at the first bad row; the file is then read the general
    way: what can be read is (a Jalali date, a lower-case currency), the rest is quarantined
    with its exact line."""
    path = tmp_path / "ads.csv"
    path.write_text(CANONICAL_ADS, encoding="utf-8")
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.rows_read, report.accepted, report.quarantined) == (8, 3, 5)
    found = {r[2]: (r[3], r[4], r[5]) for r in Ledger(warehouse).quarantine()}
    assert found == {
        3: ("clicks", "200", "more clicks than impressions"),
        4: ("channel", "serch", "unknown channel — did you mean 'search'?"),
        5: ("date", "2026-02-30", "not a real date: 2026-02-30"),
        6: ("cost", "-5", "cost is negative"),
        7: ("campaign_id", "", "missing required value"),
    }
    raw = {r[2]: r[6] for r in Ledger(warehouse).quarantine()}
    assert (raw[6]["impressions"], raw[6]["cost"], raw[6]["ad"]) == ("1e3", "-5", "")
    # 1403-07-15 (Jalali) is 2024-10-06; 'usd' is USD.
    assert rows(
        warehouse,
        "SELECT date, impressions, clicks, cost, ad, currency FROM ad_performance ORDER BY date",
    ) == [
        (dt.date(2024, 10, 6), 100, 10, 5.5, None, "USD"),
        (dt.date(2026, 9, 1), 100, 10, 5.5, None, "USD"),
        (dt.date(2026, 9, 8), 100, 10, 5.5, "Video A", "USD"),
    ]
    assert report.totals["cost"] == 16.5
    assert report.date_range == (dt.date(2024, 10, 6), dt.date(2026, 9, 8))


def test_the_same_export_as_xlsx_and_gzipped_csv_imports_the_same(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    import csv
    import gzip

    from openpyxl import Workbook

    source = FIXTURES / "meta_daily.csv"
    with source.open(encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in table:
        sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    xlsx = tmp_path / "meta.xlsx"
    book.save(xlsx)
    gz = tmp_path / "meta.csv.gz"
    gz.write_bytes(gzip.compress(source.read_bytes()))
    results = []
    for path in (source, xlsx, gz):
        wh = Warehouse.connect("duckdb://")
        wh.ensure_schema()
        report = import_file(wh, path, ImportOptions())
        assert (report.source, report.accepted, report.quarantined) == ("meta-ads", 3, 0)
        results.append(
            rows(
                wh,
                "SELECT date, ad, impressions, clicks, cost, conversions, reach "
                "FROM ad_performance ORDER BY date, ad",
            )
        )
    assert results[0] == results[1] == results[2]


def test_imports_cap_duckdb_memory_and_restore_it(warehouse: Warehouse) -> None:
    con = warehouse.backend.con
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()
    seen: list[object] = []

    threads_before = con.execute("SELECT current_setting('threads')").fetchone()
    threads: list[object] = []

    def progress(_: Step) -> None:
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        threads.append(con.execute("SELECT current_setting('threads')").fetchone()[0])

    import_file(
        warehouse, FIXTURES / "google_ads_campaign_day.csv", ImportOptions(progress=progress)
    )
    assert seen and all(str(v).replace(" ", "") in ("1GB", "953.6MiB") for v in seen), seen
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == before
    assert set(threads) == {2 * (os.cpu_count() or 1)}
    assert con.execute("SELECT current_setting('threads')").fetchone() == threads_before


def test_canonical_blank_keys_and_non_finite_numbers_are_caught(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """Rows that only look fine at a glance (a key of spaces, a no-break space, a tab; NaN or
    infinite amounts; an optional amount that is negative) are quarantined, not imported."""
    head = (
        "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
        "clicks,cost,conversions,conversion_value\n"
    )
    good = "2026-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    tricky = [
        "2026-09-02,google_ads,a,search,   ,Brand,g,,USD,100,10,5.5,1,10\n",
        "2026-09-03,google_ads,a,search,\u00a0,Brand,g,,USD,100,10,5.5,1,10\n",
        "2026-09-04,google_ads,a,search,c1,Brand, ,,USD,100,10,5.5,1,10\n",
        "2026-09-05,google_ads,a,search,c1,Brand,g,,USD,100,10,nan,1,10\n",
        "2026-09-06,google_ads,a,search,c1,Brand,g,,USD,100,10,inf,1,10\n",
        "2026-09-07,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,-1,10\n",
    ]
    # Spaces around a cell are not part of it.
    spaced = (
        "2026-09-08,google_ads,a, search ,c1 , Brand,g,,USD ,100,10,5.5,1,10\n"
        "2026-09-09,google_ads,a,search,c1,Brand,\u3000گروه\u00a0,,USD,100,10,5.5,1,10\n"
    )
    path = tmp_path / "ads.csv"
    path.write_text(head + good + "".join(tricky) + spaced, encoding="utf-8")
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    columns = {r[2]: r[3] for r in Ledger(warehouse).quarantine()}
    assert (report.accepted, report.quarantined) == (3, len(tricky))
    assert columns == {
        3: "campaign_id",
        4: "campaign_id",
        5: "ad_group",
        6: "cost",
        7: "cost",
        8: "conversions",
    }
    assert rows(
        warehouse, "SELECT channel, campaign_id, campaign, currency, ad_group FROM ad_performance"
    ) == [("search", "c1", "Brand", "USD", g) for g in ("g", "g", "گروه")]


def test_progress_is_reported_in_bytes_of_the_file_then_the_merge(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shakhes.imports.pipeline import importer

    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    steps: list[Step] = []
    path = FIXTURES / "google_ads_campaign_day.csv"
    import_file(warehouse, path, ImportOptions(progress=steps.append))
    size = path.stat().st_size
    reading = [s for s in steps if s.phase == "reading" and s.rows]
    assert len(reading) == 3  # 6 rows after the header, 2 per batch
    assert [s.rows for s in reading] == [2, 4, 6]
    done = [s.done for s in reading]
    assert all(d is not None and 0 < d <= size for d in done)
    assert done == sorted(done) and done[-1] == size  # type: ignore[comparison-overlap]
    # 4 rows accepted of the 6 read (2 total rows): checked as a whole, then merged.
    assert steps[-2:] == [Step("checking", None, 4, 6, "rows"), Step("merging", None, 4, 6, "rows")]

    # The canonical fast path: DuckDB reads the file; it ends at the whole file too.
    steps.clear()
    canonical = tmp_path / "ads.csv"
    canonical.write_text(CANONICAL_ADS, encoding="utf-8")
    import_file(warehouse, canonical, ImportOptions(source="canonical", progress=steps.append))
    size = canonical.stat().st_size
    assert steps[-3:] == [
        Step("reading", size, size, 8),
        Step("checking", None, 3, 8, "rows"),  # 3 accepted of the 8 read
        Step("merging", None, 3, 8, "rows"),
    ]


def test_duckdb_reports_the_progress_of_a_long_statement(warehouse: Warehouse) -> None:
    """A scan of a table reports how far it is (DuckDB reports 0 throughout for a ``range()``
    source, so the statement reads a table, as an import's merge does)."""
    con = warehouse.backend.con
    con.execute("CREATE TABLE numbers AS SELECT range AS i FROM range(20000000)")
    seen: list[float] = []
    for _ in range(5):  # a loaded machine may run the whole scan between two looks
        with warehouse.query_progress(seen.append, every=0.005):
            con.execute("SELECT sum(hash(i * 7 + 1) % 1000) FROM numbers").fetchone()
        if any(0 < f < 1 for f in seen):
            break
    assert any(0 < f < 1 for f in seen) and all(0 <= f <= 1 for f in seen), seen
    assert con.execute("SELECT current_setting('enable_progress_bar_print')").fetchone() == (True,)


def test_one_campaign_written_two_ways_is_one_campaign(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """Arabic ي/ك, Persian digits and a missing zero-width non-joiner do not make a second
    campaign: a later file's rows replace the earlier ones, and the first spelling is kept."""
    first = tmp_path / "first.csv"
    first.write_text(
        HEAD
        + "2026-09-01,yektanet,y1,display,c1,حراج\u200cزمستانه ۱۴۰۳,گروه يك,,IRT,100,10,50,1,80\n"
        + "2026-09-02,yektanet,y1,display,c1,حراج\u200cزمستانه ۱۴۰۳,گروه يك,,IRT,100,10,60,1,90\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.csv"
    second.write_text(
        HEAD
        # A corrected export of 2 September, typed on another keyboard; and a new day.
        + "2026-09-02,yektanet,y1,display,c1,حراجزمستانه 1403,گروه یک,,IRT,100,10,70,1,95\n"
        + "2026-09-03,yektanet,y1,display,c1,حراجزمستانه 1403,گروه یک,,IRT,100,10,30,1,40\n",
        encoding="utf-8",
    )
    import_file(warehouse, first, ImportOptions(source="canonical"))
    report = import_file(warehouse, second, ImportOptions(source="canonical"))
    assert (report.accepted, report.replaced) == (2, 1)
    assert any("'گروه یک' → 'گروه يك'" in w for w in report.warnings), report.warnings
    assert rows(
        warehouse, "SELECT date, campaign, ad_group, cost FROM ad_performance ORDER BY date"
    ) == [
        (dt.date(2026, 9, 1), "حراج\u200cزمستانه ۱۴۰۳", "گروه يك", 50.0),
        (dt.date(2026, 9, 2), "حراج\u200cزمستانه ۱۴۰۳", "گروه يك", 70.0),
        (dt.date(2026, 9, 3), "حراج\u200cزمستانه ۱۴۰۳", "گروه يك", 30.0),
    ]


def test_within_a_file_the_spelling_most_rows_use_wins(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    lines = [
        "2026-09-01,yektanet,y1,display,c1,x,کیک,,IRT,100,10,50,1,80",
        "2026-09-02,yektanet,y1,display,c1,x,كيك,,IRT,100,10,50,1,80",
        "2026-09-03,yektanet,y1,display,c1,x,کیک,,IRT,100,10,50,1,80",
    ]
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    import_file(warehouse, path, ImportOptions(source="canonical"))
    assert rows(warehouse, "SELECT DISTINCT ad_group FROM ad_performance") == [("کیک",)]

    # The same day and campaign twice, in two spellings, is a repeated row, not two rows.
    twice = tmp_path / "twice.csv"
    twice.write_text(HEAD + lines[0] + "\n" + lines[0].replace("کیک", "كيك") + "\n")
    with pytest.raises(DataError, match="1 row\\(s\\) repeat the natural key"):
        import_file(warehouse, twice, ImportOptions(source="canonical"))


def test_a_row_with_several_problems_is_one_quarantined_row_at_its_own_line(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        HEAD
        + "2026-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
        # Too many cells and, in the shifted cells, values that do not cast either.
        + "2026-09-02,google_ads,a,search,c1,Brand,g,,USD,1,000,10,x,1,10\n"
        + "2026-09-03,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
        + "2026-09-04,google_ads,a,serch,c1,Brand,g,,USD,100,10,5.5,1,10\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.rows_read, report.accepted, report.quarantined) == (4, 2, 2)
    found = {r[2]: (r[3], r[5]) for r in Ledger(warehouse).quarantine()}
    assert found[3][0] is None and "more cells than the header's 14" in found[3][1]
    assert found[5] == ("channel", "unknown channel — did you mean 'search'?")


def test_a_missing_channel_is_a_missing_value_not_a_crash(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(HEAD + "2026-09-01,google_ads,a,,c1,Brand,g,,USD,100,10,5.5,1,10\n")
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert [(r.line, r.column, r.message) for r in report.rejected] == [
        (2, "channel", "missing required value")
    ]
