"""GA4 BigQuery event exports (Parquet and JSON lines) → web_traffic and orders: every number
checked against the hand-counted sessions of the fixture (see fixtures/sources/ga4_bq_make.py),
both formats giving the same rows, two ledger records written in one transaction (all or
nothing, undone together), and the clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ga4_bigquery import detect, import_ga4_bigquery
from shakhes.imports.ledger import Commit, ImportRecord, Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

D1, D2 = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
USD = ImportOptions(currency="usd")
FILES = ("ga4_bq_events.parquet", "ga4_bq_events.jsonl")
U1, U3 = "1001.1690000001", "3003.1690000003"

# date, source, medium, channel, campaign, device, sessions, engaged, users, new users,
# page views, key events, revenue, currency
WEB_TRAFFIC = [
    # session A: U1's first visit from a Google Ads click, engaged, bought T1001
    (D1, "google", "cpc", "search", "brand_search", "desktop", 1, 1, 1, 1, 2, 1, 120.5, "USD"),
    # session B: U2's first visit from Instagram ads; not engaged; its last event is on 09-02
    # but the session counts on the day it started
    (
        D1,
        "instagram",
        "paid_social",
        "social",
        "autumn_sale",
        "mobile",
        1,
        0,
        1,
        1,
        1,
        0,
        0.0,
        "USD",
    ),
    # session E: U2 back direct (source params (direct)/(none), no campaign param), engaged,
    # a purchase without transaction id (a key event and revenue, but no order)
    (D2, "(direct)", "(none)", "direct", "(not set)", "mobile", 1, 1, 1, 0, 1, 1, 30.0, "USD"),
    # session G: U3 without session params and without a first-user source
    (D2, "(not set)", "(not set)", "other", "(not set)", "mobile", 1, 0, 1, 0, 1, 0, 0.0, "USD"),
    # sessions C and F: U1 twice without session params → traffic_source (first-user source);
    # C engaged with T1002
    (D2, "google", "cpc", "search", "brand_search", "desktop", 2, 1, 1, 0, 3, 1, 80.0, "USD"),
    # session D: U3's first visit from the newsletter, engaged on its 2nd page view, T1003
    (
        D2,
        "newsletter",
        "email",
        "email",
        "sept_newsletter",
        "mobile",
        1,
        1,
        1,
        1,
        2,
        1,
        45.25,
        "USD",
    ),
]
ORDERS = [
    # is_new_customer from the order history: U1's first purchase, U1's second, U3's first.
    ("T1001", D1, U1, "search", "brand_search", 120.5, "USD", True),
    ("T1002", D2, U1, "search", "brand_search", 80.0, "USD", False),
    ("T1003", D2, U3, "email", "sept_newsletter", 45.25, "USD", True),
]
WEB_SQL = (
    "SELECT date, source, medium, channel, campaign, device, sessions, engaged_sessions, users, "
    "new_users, page_views, key_events, revenue, currency FROM web_traffic ORDER BY ALL"
)
ORDERS_SQL = (
    "SELECT order_id, order_date, customer_id, channel, campaign, revenue, currency, "
    "is_new_customer FROM orders ORDER BY order_id"
)


@pytest.mark.parametrize("name", FILES)
def test_every_number(warehouse: Warehouse, name: str) -> None:
    report = import_file(warehouse, FIXTURES / name, USD)
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC
    assert rows(warehouse, ORDERS_SQL) == ORDERS
    assert report.source == "ga4-bigquery"
    assert report.table == "web_traffic"
    assert (report.rows_read, report.accepted, report.quarantined) == (28, 6, 0)
    assert report.date_range == (D1, D2)
    assert report.totals == {"sessions": 7.0, "key_events": 4.0, "revenue": 275.75}
    assert report.import_id == 1
    assert report.warnings == ("also imported 3 order(s) into orders as import #2",)
    records = {r.import_id: r for r in Ledger(warehouse).recent()}
    assert (records[1].table_name, records[1].accepted, records[1].source) == (
        "web_traffic",
        6,
        "ga4-bigquery",
    )
    assert (records[2].table_name, records[2].accepted, records[2].rows_read) == ("orders", 3, 28)
    assert records[2].totals == {"revenue": 245.75}
    assert (records[2].date_from, records[2].date_to) == (D1, D2)


def test_parquet_and_jsonl_agree(tmp_path: Path) -> None:
    results = []
    for name in FILES:
        wh = Warehouse.connect("duckdb://")
        wh.ensure_schema()
        import_ga4_bigquery(wh, FIXTURES / name, USD)
        results.append((rows(wh, WEB_SQL), rows(wh, ORDERS_SQL)))
    assert results[0] == results[1]


def test_gzip_jsonl(warehouse: Warehouse, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "events.json.gz"
    path.write_bytes(gzip.compress((FIXTURES / FILES[1]).read_bytes()))
    import_file(warehouse, path, ImportOptions(source="ga4-bigquery", currency="USD"))
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC


def test_currency_is_required(warehouse: Warehouse) -> None:
    with pytest.raises(DataError, match="currency") as err:
        import_file(warehouse, FIXTURES / FILES[0], ImportOptions())
    assert err.value.code == "no_currency"  # the CLI words it: "Pass --currency CODE …"
    assert "--currency" not in str(err.value)
    assert rows(warehouse, "SELECT count(*) FROM web_traffic") == [(0,)]


def test_detection() -> None:
    assert detect(FIXTURES / FILES[0])
    assert detect(FIXTURES / FILES[1])
    assert not detect(FIXTURES / "meta_daily.csv")


def test_same_file_twice_and_dry_run(warehouse: Warehouse) -> None:
    dry = import_file(warehouse, FIXTURES / FILES[0], ImportOptions(currency="USD", dry_run=True))
    assert dry.dry_run and dry.accepted == 6 and dry.import_id is None
    assert "would also import 3 order(s)" in dry.warnings[-1]
    assert rows(warehouse, "SELECT count(*) FROM web_traffic") == [(0,)]
    import_file(warehouse, FIXTURES / FILES[0], USD)
    again = import_file(warehouse, FIXTURES / FILES[0], USD)
    assert again.already_imported == 1 and again.accepted == 0
    assert "already imported as import #2" in again.warnings[-1]
    assert rows(warehouse, "SELECT count(*) FROM orders") == [(3,)]


def _event(name: str, user: str | None, sid: int | None, **extra: object) -> str:
    params = [] if sid is None else [{"key": "ga_session_id", "value": {"int_value": str(sid)}}]
    row: dict[str, object] = {
        "event_date": "20260901",
        "event_name": name,
        "event_params": params,
        "user_pseudo_id": user,
        **extra,
    }
    return json.dumps(row)


def test_sessionless_events_and_repeated_transactions(warehouse: Warehouse, tmp_path: Path) -> None:
    purchase = {"ecommerce": {"purchase_revenue": 10.0, "transaction_id": "X1"}}
    lines = [
        _event("session_start", "u1", 1),
        _event("purchase", "u1", 1, event_timestamp="2", **purchase),
        _event("purchase", "u1", 1, event_timestamp="3", **purchase),  # GA4 sent it twice
        _event("page_view", "u1", None),  # no ga_session_id
        _event("page_view", "u2", 5, event_date="2026-09-01"),  # bad date
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(warehouse, path, ImportOptions(currency="EUR"))
    assert report.rows_read == 5
    assert rows(
        warehouse,
        "SELECT source, sessions, users, key_events, revenue, page_views FROM web_traffic",
    ) == [("(not set)", 1, 1, 2, 20.0, 0)]
    assert rows(warehouse, "SELECT order_id, revenue, channel FROM orders") == [
        ("X1", 10.0, "other")
    ]
    text = " | ".join(report.warnings)
    assert "1 event(s) have no valid event_date" in text
    assert "1 event(s) have no user_pseudo_id or ga_session_id" in text
    assert "1 purchase event(s) repeat a transaction_id" in text


def test_not_an_event_export(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"event_name": "a", "event_date": "20260901", "user_pseudo_id": "u"}\n')
    with pytest.raises(DataError, match="no event_params column"):
        import_ga4_bigquery(warehouse, path, USD)
    path.write_text('{"event_name": "a", "event_date": "20260901", "event_params": []}\n')
    with pytest.raises(DataError, match="none of its 1 event"):
        import_ga4_bigquery(warehouse, path, USD)
    assert rows(warehouse, "SELECT count(*) FROM shakhes_imports") == [(0,)]


COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM web_traffic), (SELECT count(*) FROM orders), "
    "(SELECT count(*) FROM shakhes_imports), (SELECT count(*) FROM shakhes_replaced_web_traffic), "
    "(SELECT count(*) FROM shakhes_replaced_orders)"
)


def _fail_after_orders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the orders part fail once its rows are written, after the web_traffic part, inside
    the transaction."""
    real = Ledger._commit_on

    def commit_on(self: Ledger, cur: object, part: Commit, now: dt.datetime) -> ImportRecord:
        record = real(self, cur, part, now)
        if part.table.name == "orders":
            raise RuntimeError("disk full")
        return record

    monkeypatch.setattr(Ledger, "_commit_on", commit_on)


def test_both_tables_or_nothing(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_after_orders(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(warehouse, FIXTURES / FILES[0], USD)
    assert rows(warehouse, COUNTS_SQL) == [(0, 0, 0, 0, 0)]
    stages = "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_shakhes_ga4bq%'"
    assert rows(warehouse, stages) == [(0,)]
    monkeypatch.undo()
    report = import_file(warehouse, FIXTURES / FILES[0], USD)
    assert report.import_id == 1
    assert report.warnings == ("also imported 3 order(s) into orders as import #2",)
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC
    assert rows(warehouse, ORDERS_SQL) == ORDERS


def test_a_failed_replace_keeps_what_was_there(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(warehouse, FIXTURES / FILES[0], USD)
    before = rows(warehouse, "SELECT *, _import_id FROM web_traffic ORDER BY ALL")
    _fail_after_orders(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(
            warehouse, FIXTURES / FILES[1], ImportOptions(currency="USD", replace_range=True)
        )
    assert rows(warehouse, "SELECT *, _import_id FROM web_traffic ORDER BY ALL") == before
    assert rows(warehouse, COUNTS_SQL) == [(6, 3, 2, 0, 0)]


@pytest.mark.parametrize("which", [1, 2])
def test_undo_of_either_record_undoes_both(warehouse: Warehouse, which: int) -> None:
    import_file(warehouse, FIXTURES / FILES[0], USD)
    ledger = Ledger(warehouse)
    result = ledger.undo(which)
    assert (result.import_id, result.together) == (which, (3 - which,))
    assert (result.deleted, result.restored) == (6 + 3, 0)
    assert rows(warehouse, COUNTS_SQL) == [(0, 0, 2, 0, 0)]
    assert all(r.undone_at is not None for r in ledger.recent())
    with pytest.raises(DataError, match="already undone"):
        ledger.undo(3 - which)
    again = import_file(warehouse, FIXTURES / FILES[0], USD)
    assert again.import_id == 3 and again.already_imported is None
    assert rows(warehouse, ORDERS_SQL) == ORDERS


def test_undo_waits_for_a_later_import_of_either_table(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    import_file(warehouse, FIXTURES / FILES[0], USD)  # #1 web_traffic, #2 orders
    shop = tmp_path / "orders.csv"
    shop.write_text(
        "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer\n"
        "T1001,2026-09-01,c1,search,brand_search,99.0,USD,true\n",
        encoding="utf-8",
    )
    import_file(warehouse, shop, ImportOptions(source="canonical"))  # #3 replaces T1001
    ledger = Ledger(warehouse)
    with pytest.raises(DataError, match=r"#3 replaced some of the rows of #2") as err:
        ledger.undo(1)
    assert (err.value.hint or "").startswith("Undo #3 first")
    assert rows(warehouse, COUNTS_SQL) == [(6, 3, 3, 0, 1)]
    ledger.undo(3)
    ledger.undo(1)
    assert rows(warehouse, COUNTS_SQL) == [(0, 0, 3, 0, 0)]


def test_undo_of_a_reimport_restores_both_tables(warehouse: Warehouse) -> None:
    import_file(warehouse, FIXTURES / FILES[0], USD)  # #1, #2
    replacing = ImportOptions(currency="USD", replace_range=True)
    import_file(warehouse, FIXTURES / FILES[1], replacing)  # #3, #4: replace all of #1, #2
    assert rows(warehouse, COUNTS_SQL) == [(6, 3, 4, 6, 3)]
    result = Ledger(warehouse).undo(4)
    assert (result.together, result.deleted, result.restored) == ((3,), 6 + 3, 6 + 3)
    assert rows(warehouse, "SELECT DISTINCT _import_id FROM web_traffic") == [(1,)]
    assert rows(warehouse, "SELECT DISTINCT _import_id FROM orders") == [(2,)]
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC
    assert rows(warehouse, ORDERS_SQL) == ORDERS


def test_the_same_file_with_another_currency_replaces_what_it_wrote(warehouse: Warehouse) -> None:
    first = import_file(warehouse, FIXTURES / FILES[0], USD)  # #1 web_traffic, #2 orders
    eur = import_file(warehouse, FIXTURES / FILES[0], ImportOptions(currency="EUR"))
    assert (eur.import_id, eur.replaces, eur.already_imported) == (3, first.import_id, None)
    assert eur.changed_options == (("currency", "usd", "EUR"),)
    assert eur.accepted == 6 and eur.replaced == 6
    assert (
        eur.warnings[-1] == "also imported 3 order(s) into orders as import #4, replacing import #2"
    )
    in_euros = [(*row[:-1], "EUR") for row in WEB_TRAFFIC]
    assert rows(warehouse, WEB_SQL) == in_euros
    assert rows(warehouse, ORDERS_SQL) == [(*o[:6], "EUR", o[7]) for o in ORDERS]
    # every row of #1 and #2 was replaced (kept for an undo), none added beside them
    assert rows(warehouse, COUNTS_SQL) == [(6, 3, 4, 6, 3)]
    assert rows(warehouse, "SELECT DISTINCT _import_id FROM web_traffic") == [(3,)]
    assert rows(warehouse, "SELECT DISTINCT _import_id FROM orders") == [(4,)]
    # the same options again: nothing to do
    again = import_file(warehouse, FIXTURES / FILES[0], ImportOptions(currency="EUR"))
    assert again.already_imported == 3 and again.accepted == 0
    # undoing the re-import (either record) brings the dollars back
    result = Ledger(warehouse).undo(4)
    assert (result.together, result.deleted, result.restored) == ((3,), 6 + 3, 6 + 3)
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC
    assert rows(warehouse, ORDERS_SQL) == ORDERS


def test_the_same_file_with_another_account_replaces_what_it_wrote(warehouse: Warehouse) -> None:
    import_file(warehouse, FIXTURES / FILES[1], ImportOptions(currency="USD", account="shop"))
    other = import_file(
        warehouse, FIXTURES / FILES[1], ImportOptions(currency="USD", account="store")
    )
    assert (other.replaces, other.changed_options) == (1, (("account", "shop", "store"),))
    records = Ledger(warehouse).recent()
    assert [(r.import_id, r.account, r.options.get("account")) for r in records] == [
        (4, "store", "store"),
        (3, "store", "store"),
        (2, "shop", "shop"),
        (1, "shop", "shop"),
    ]
    assert rows(warehouse, COUNTS_SQL) == [(6, 3, 4, 6, 3)]
    assert rows(warehouse, WEB_SQL) == WEB_TRAFFIC


def test_a_reimport_is_refused_while_its_earlier_import_replaced_rows_of_others(
    warehouse: Warehouse,
) -> None:
    """As for any source: the earlier import replaced rows of another one, which importing it
    again would leave replaced; it must be undone first, and nothing is written."""
    import_file(warehouse, FIXTURES / FILES[1], USD)  # #1, #2
    import_file(warehouse, FIXTURES / FILES[0], USD)  # #3, #4: the same rows, another file
    before = rows(warehouse, COUNTS_SQL)
    with pytest.raises(DataError, match="undo #3 first") as refused:
        import_file(warehouse, FIXTURES / FILES[0], ImportOptions(currency="EUR"))
    assert refused.value.code == "reimport_needs_undo"
    assert rows(warehouse, COUNTS_SQL) == before
