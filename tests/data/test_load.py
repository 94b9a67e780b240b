"""``shakhes load``: a canonical file, strictly — every problem named, nothing half-written, keys
replaced — through the import pipeline (so each load is in the import log and can be undone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.cli import shakhes
from support.warehouses import fresh_warehouse

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, ImportReport, import_file

HEADER = "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer"


def write(tmp_path: Path, *lines: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def wh() -> Iterator[Warehouse]:
    with fresh_warehouse() as warehouse:
        yield warehouse


def load(wh: Warehouse, path: Path, table: str = "orders") -> ImportReport:
    return import_file(wh, path, ImportOptions(source=f"canonical:{table}", strict=True))


def stored(wh: Warehouse, sql: str) -> list[tuple[object, ...]]:
    with wh.transaction() as cur:
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]


def test_reads_a_valid_file_into_the_canonical_schema(wh: Warehouse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "o1,2024-03-01,c1,search,Brand,120.5,USD,true",
        "o2,2024-03-02,c2,email,(none),80,USD,false",
    )
    report = load(wh, path)
    assert (report.accepted, report.quarantined, report.import_id) == (2, 0, 1)
    assert stored(
        wh, "SELECT order_date, revenue, is_new_customer FROM orders ORDER BY order_id"
    ) == [(dt.date(2024, 3, 1), 120.5, True), (dt.date(2024, 3, 2), 80.0, False)]


@pytest.mark.parametrize(
    ("line", "column", "value", "reason"),
    [
        ("o1,2024-02-30,c1,search,B,1,USD,true", "order_date", "2024-02-30", "not a real date"),
        ("o1,03/01/2024,c1,search,B,1,USD,true", "order_date", "03/01/2024", "not a date in"),
        ("o1,2024-03-01,c1,search,B,1.234,56,USD,true", None, None, "more cells than the header"),
        ("o1,2024-03-01,c1,search,B,12 dollars,USD,true", "revenue", "12 dollars", "not a number"),
        ("o1,2024-03-01,c1,search,B,-5,USD,true", "revenue", "-5", "negative"),
        ("o1,2024-03-01,c1,serach,B,5,USD,true", "channel", "serach", "did you mean 'search'"),
        ("o1,2024-03-01,c1,search,B,5,dollars,true", "currency", "dollars", "ISO currency"),
        ("o1,2024-03-01,c1,search,B,5,USD,maybe", "is_new_customer", "maybe", "not a yes/no"),
        ("o1,,c1,search,B,5,USD,true", "order_date", "", "missing required value"),
        ("   ,2024-03-01,c1,search,B,10,USD,true", "order_id", "   ", "missing required value"),
        ("o1,2024-03-01,c1,search,B,1e400,USD,true", "revenue", "1e400", "out of range"),
    ],
)
def test_bad_values_are_named_with_line_and_column_and_nothing_is_loaded(
    wh: Warehouse, tmp_path: Path, line: str, column: str | None, value: str | None, reason: str
) -> None:
    path = write(tmp_path, "o0,2024-03-01,c0,search,B,1,USD,true", line)
    with pytest.raises(DataError) as info:
        load(wh, path)
    message = str(info.value)
    assert "1 problem(s); nothing was loaded" in message
    where = f"column '{column}': value '{value}' — " if column is not None else ""
    assert f"orders.csv:3: {where}" in message and reason in message
    assert stored(wh, "SELECT count(*) FROM orders") == [(0,)]
    assert Ledger(wh).recent() == [] and Ledger(wh).quarantine() == []


def test_every_problem_is_reported_at_once(wh: Warehouse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "o1,2024-13-01,c1,search,B,5,USD,true",
        "o2,2024-03-01,c1,serch,B,5,USD,true",
        "o3,2024-03-01,c1,search,B,x,USD,true",
        "o4,2024-03-01,c1,search,B,5,USD,maybe",
    )
    with pytest.raises(DataError) as info:
        load(wh, path)
    message = str(info.value)
    assert "4 problem(s)" in message
    for fragment in (
        ":2: column 'order_date'",
        ":3: column 'channel'",
        ":4: column 'revenue'",
        ":5: column 'is_new_customer'",
    ):
        assert fragment in message


def test_only_the_canonical_format_is_loaded_an_import_reads_the_rest(
    wh: Warehouse, tmp_path: Path
) -> None:
    """A load takes the canonical format only (docs/data-model.md): a Jalali date, a `$` sign,
    a lower-case currency code and `yes` are refused, each named; `shakhes import` of the same
    file reads them as it reads any export."""
    path = write(
        tmp_path,
        "o1,1403-07-15,c1,search,B,$12,usd,yes",
        "o2,2024-03-01,c1,search,B,5,USD,false",
    )
    with pytest.raises(DataError) as info:
        load(wh, path)
    assert {(i.line, i.column, i.value) for i in info.value.issues} == {
        (2, "order_date", "1403-07-15"),
        (2, "revenue", "$12"),
        (2, "currency", "usd"),
        (2, "is_new_customer", "yes"),
    }
    assert import_file(wh, path, ImportOptions(source="canonical")).accepted == 2
    assert stored(wh, "SELECT order_date, revenue, currency FROM orders ORDER BY 1") == [
        (dt.date(2024, 3, 1), 5.0, "USD"),
        (dt.date(2024, 10, 6), 12.0, "USD"),
    ]


def test_header_problems(wh: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("order_id,order_dat,customer_id,channel,campaign,revenue,currency\n")
    with pytest.raises(DataError) as info:
        load(wh, path)
    message = str(info.value)
    assert "'order_dat' (did you mean 'order_date'?)" in message
    assert "required column(s) 'order_date', 'is_new_customer' are missing" in message
    typo = tmp_path / "typo.csv"
    typo.write_text(
        "customer_id,acquired_date,churned_dat,channel,campaign,plan,monthly_value,currency\n"
        "c1,2024-01-01,2024-02-01,search,B,pro,30,USD\n"
    )
    with pytest.raises(DataError, match="'churned_dat' — did you mean 'churned_date'"):
        load(wh, typo, "customers")
    dup = tmp_path / "dup.csv"
    dup.write_text(HEADER + ",revenue\no1,2024-03-01,c1,search,B,10,USD,true,3\n")
    with pytest.raises(DataError, match=r"column 'revenue' appears twice \(columns 6 and 9\)"):
        load(wh, dup)


def test_unknown_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    run = shakhes(capsys, "load", "order", str(write(tmp_path)), "--workspace", str(root))
    assert run.code != 0 and "unknown table 'order' — did you mean 'orders'?" in run.err


def test_optional_columns_may_be_left_out_and_empty(wh: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "customer_id,acquired_date,churned_date,channel,campaign,plan,monthly_value,currency\n"
        "c1,2024-01-01,,search,B,pro,30,USD\nc2,2024-01-02,2024-02-01,search,B,pro,30,USD\n"
    )
    load(wh, path, "customers")
    assert stored(wh, "SELECT churned_date FROM customers ORDER BY customer_id") == [
        (None,),
        (dt.date(2024, 2, 1),),
    ]


def test_parquet_is_validated_like_csv(wh: Warehouse, tmp_path: Path) -> None:
    good = pa.table(
        {
            "order_id": ["o1"],
            "order_date": pa.array([dt.date(2024, 1, 5)]),
            "customer_id": ["c1"],
            "channel": ["search"],
            "campaign": ["B"],
            "revenue": [10.0],
            "currency": ["USD"],
            "is_new_customer": [True],
        }
    )
    bad = good.set_column(3, "channel", pa.array(["tv"]))
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"bad.parquet:1: column 'channel': value 'tv'"):
        load(wh, tmp_path / "bad.parquet")
    pq.write_table(good, tmp_path / "o.parquet")
    assert load(wh, tmp_path / "o.parquet").accepted == 1


def test_a_newer_file_replaces_rows_with_the_same_natural_key_and_undo_restores(
    wh: Warehouse, tmp_path: Path
) -> None:
    first = write(
        tmp_path, "o1,2024-03-01,c1,search,B,10,USD,true", "o2,2024-03-01,c2,search,B,20,USD,true"
    )
    load(wh, first)
    assert load(wh, first).already_imported == 1  # the same file again changes nothing
    fix = load(wh, write(tmp_path, "o2,2024-03-01,c2,search,B,25,USD,true", name="fix.csv"))
    assert (fix.accepted, fix.replaced) == (1, 1)
    total = "SELECT count(*), sum(revenue) FROM orders"
    assert stored(wh, total) == [(2, 35.0)]
    assert fix.import_id is not None
    Ledger(wh).undo(fix.import_id)
    assert stored(wh, total) == [(2, 30.0)]


def test_repeated_natural_keys_are_refused(wh: Warehouse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "o1,2024-03-01,c1,search,B,10,USD,true",
        "o2,2024-03-01,c1,search,B,10,USD,true",
        "o1,2024-03-02,c1,search,B,5,USD,true",
    )
    with pytest.raises(DataError, match=r"1 row\(s\) repeat the natural key \(order_id\)"):
        load(wh, path)
    assert stored(wh, "SELECT count(*) FROM orders") == [(0,)]


def test_the_cli_says_what_it_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    path = write(tmp_path, "o1,2024-03-01,c1,search,B,10,USD,true")
    run = shakhes(capsys, "load", "orders", str(path), "--workspace", str(root))
    assert run.code == 0, run.err
    assert run.out.strip() == "Loaded 1 rows into orders (0 existing rows replaced) as import #1."
    again = shakhes(capsys, "load", "orders", str(path), "--workspace", str(root))
    assert "already loaded as import #1 (same content); nothing changed" in again.out
    bad = write(tmp_path, "o2,2024-03-01,c1,serch,B,10,USD,true", name="bad.csv")
    run = shakhes(capsys, "load", "orders", str(bad), "--workspace", str(root))
    assert run.code == 1
    assert "bad.csv:2: column 'channel': value 'serch' — unknown channel" in run.err
