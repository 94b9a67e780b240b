"""Files that complete rows, and customers worked out from orders, on a Postgres warehouse: the
same rows as on DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.crm import ALL_LEADS as ALL
from support.crm import CONTACTS, CRM, DEALS, EXAMPLE, MONTH, orders_file
from support.crm import CUSTOMER_LIST as LIST

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg(pg_database: str) -> Iterator[Warehouse]:
    wh = Warehouse.connect(pg_database)
    wh.ensure_schema()
    with wh.transaction() as cur:
        for table in ("leads", "orders", "customers", "shakhes_imports", "shakhes_quarantine"):
            cur.execute(f"DELETE FROM {table}")
    try:
        yield wh
    finally:
        wh.close()


def _rows(wh: Warehouse, sql: str) -> list[tuple[object, ...]]:
    with wh.transaction() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def test_won_deals_complete_leads_and_undo(pg: Warehouse, tmp_path: Path) -> None:
    contacts, deals = tmp_path / "contacts.yml", tmp_path / "deals.yml"
    contacts.write_text(CONTACTS, encoding="utf-8")
    deals.write_text(DEALS, encoding="utf-8")
    import_file(pg, CRM / "hubspot_contacts.csv", ImportOptions(mapping=contacts))
    before = _rows(pg, ALL)
    report = import_file(pg, CRM / "hubspot_deals_won.csv", ImportOptions(mapping=deals))
    assert (report.accepted, report.quarantined, report.replaced) == (5, 2, 5)
    assert dict(report.changed) == {"won_date": 5, "value": 5, "currency": 0}
    assert _rows(pg, "SELECT won_date, value FROM leads WHERE lead_id = '34503'") == [
        (dt.date(2024, 4, 18), 4800.5)
    ]
    assert report.import_id is not None
    Ledger(pg).undo(report.import_id)
    assert _rows(pg, ALL) == before


def test_customers_from_orders_and_a_list_that_wins(pg: Warehouse, tmp_path: Path) -> None:
    path = orders_file(tmp_path / "orders.csv", EXAMPLE)
    import_file(pg, path, ImportOptions(source="canonical:orders"))
    got = {
        r[0]: r[1:]
        for r in _rows(
            pg,
            "SELECT customer_id, acquired_date, churned_date, monthly_value, _import_id "
            "FROM customers",
        )
    }
    assert got["B"][:2] == (dt.date(2024, 1, 25), dt.date(2024, 4, 24))
    assert got["A"][1] is None and got["A"][2] == pytest.approx(230 / 233 * MONTH)
    assert {r[3] for r in got.values()} == {0}
    listing = tmp_path / "customers.csv"
    listing.write_text(LIST, encoding="utf-8")
    report = import_file(pg, listing, ImportOptions(source="canonical:customers"))
    assert report.replaced == 0
    assert sorted(r[0] for r in _rows(pg, "SELECT customer_id FROM customers")) == ["A", "Z"]
    assert report.import_id is not None
    Ledger(pg).undo(report.import_id)
    assert len(_rows(pg, "SELECT 1 FROM customers WHERE _import_id = 0")) == 5
