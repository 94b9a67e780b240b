"""The import pipeline on a Postgres warehouse: the same figures, the same merge by natural
key, one campaign however it is spelled, and undo — as on DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.imports import FIXTURES

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

pytestmark = pytest.mark.postgres

HEAD = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)


@pytest.fixture()
def pg(pg_database: str) -> Iterator[Warehouse]:
    wh = Warehouse.connect(pg_database)
    wh.ensure_schema()
    with wh.transaction() as cur:
        cur.execute("DELETE FROM ad_performance")
        cur.execute("DELETE FROM shakhes_imports")
    try:
        yield wh
    finally:
        wh.close()


def _rows(wh: Warehouse, sql: str) -> list[tuple[object, ...]]:
    with wh.transaction() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def test_a_google_ads_export_imports_once_with_its_own_totals(pg: Warehouse) -> None:
    path = FIXTURES / "google_ads_campaign_day.csv"
    report = import_file(pg, path, ImportOptions())
    assert (report.rows_read, report.accepted, report.quarantined) == (6, 4, 0)
    assert report.totals["impressions"] == 28_134 and report.totals["cost"] == pytest.approx(
        2299.56
    )
    assert not report.warnings
    again = import_file(pg, path, ImportOptions())
    assert again.already_imported == report.import_id
    assert _rows(pg, "SELECT count(*), sum(clicks) FROM ad_performance") == [(4, 1572)]


def test_spellings_are_unified_and_undo_restores_what_was_replaced(
    pg: Warehouse, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        HEAD
        + "2026-09-01,yektanet,y1,display,c1,حراج\u200cزمستانه ۱۴۰۳,گروه يك,,IRT,100,10,50,1,80\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.csv"
    second.write_text(
        HEAD + "2026-09-01,yektanet,y1,display,c1,حراجزمستانه 1403,گروه یک,,IRT,100,10,70,1,95\n",
        encoding="utf-8",
    )
    import_file(pg, first, ImportOptions(source="canonical"))
    report = import_file(pg, second, ImportOptions(source="canonical"))
    assert (report.accepted, report.replaced) == (1, 1)
    stored = "SELECT date, campaign, ad_group, cost FROM ad_performance"
    assert _rows(pg, stored) == [(dt.date(2026, 9, 1), "حراج\u200cزمستانه ۱۴۰۳", "گروه يك", 70.0)]
    assert report.import_id is not None
    Ledger(pg).undo(report.import_id)
    assert _rows(pg, stored) == [(dt.date(2026, 9, 1), "حراج\u200cزمستانه ۱۴۰۳", "گروه يك", 50.0)]


def test_first_orders_are_worked_out_from_the_history(pg: Warehouse, tmp_path: Path) -> None:
    with pg.transaction() as cur:
        cur.execute("DELETE FROM orders")
    head = "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Id,Customer ID\n"
    may = tmp_path / "may.csv"
    may.write_text(
        head + "#2003,d@example.com,paid,EUR,10,12,2024-05-02 10:00:00 +0200,2003,77\n",
        encoding="utf-8",
    )
    april = tmp_path / "april.csv"
    april.write_text(
        head + "#2001,d@example.com,paid,EUR,10,12,2024-04-10 10:00:00 +0200,2001,77\n",
        encoding="utf-8",
    )
    import_file(pg, may, ImportOptions())
    report = import_file(pg, april, ImportOptions())
    stored = "SELECT order_id, is_new_customer FROM orders ORDER BY 1"
    assert _rows(pg, stored) == [("#2001", True), ("#2003", False)]
    assert report.import_id is not None
    Ledger(pg).undo(report.import_id)
    assert _rows(pg, stored) == [("#2003", True)]


def test_ads_with_one_name_are_added_and_a_reimport_with_other_options_replaces(
    pg: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "tiktok.csv"
    path.write_text(
        "By Day,Campaign name,Ad group name,Ad name,Cost,Impressions,Clicks (destination),"
        "Reach,Conversions\n"
        "2025-03-01,C,G,Video 1,10.00,1000,10,800,1\n"
        "2025-03-01,C,G,Video 1,20.00,2000,20,,2\n"  # reach differs (empty): both held
        "2025-03-01,C,G,Video 2,5.00,500,5,,0\n"
        "2025-03-01,C,G,Video 2,6.00,600,6,,1\n"
        "2025-03-02,C,G,Video 3,7.00,700,7,,0\n"
        "2025-03-02,C,G,Video 3,7.00,700,7,,0\n"
        "2025-03-02,C,G,Video 4,1.00,100,300,,0\n"  # more clicks than impressions
        "2025-03-02,C,G,Video 4,1.00,100,1,,0\n",  # waits with it
        encoding="utf-8",
    )
    first = import_file(pg, path, ImportOptions(currency="USD"))
    assert (first.accepted, first.quarantined, first.added_rows, first.added_into) == (2, 4, 4, 2)
    stored = "SELECT ad, cost, impressions, clicks, conversions, currency FROM ad_performance"
    assert sorted(_rows(pg, stored)) == [
        ("Video 2", 11.0, 1100, 11, 1.0, "USD"),
        ("Video 3", 14.0, 1400, 14, 0.0, "USD"),
    ]
    second = import_file(pg, path, ImportOptions(currency="EUR"))
    assert (second.replaces, second.replaced) == (first.import_id, 2)
    assert {r[-1] for r in _rows(pg, stored)} == {"EUR"}
    assert [r[0] for r in Ledger(pg).quarantine()] == [second.import_id] * 4
    assert second.import_id is not None
    Ledger(pg).undo(second.import_id)
    assert {r[-1] for r in _rows(pg, stored)} == {"USD"}
    assert [r[0] for r in Ledger(pg).quarantine()] == [first.import_id] * 4
