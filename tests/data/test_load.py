"""Strict loading of canonical files: every problem named, nothing half-written, keys upserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shakhes.data.load import read_canonical
from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError, QueryError

HEADER = "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer"


def write(tmp_path: Path, *lines: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_reads_a_valid_file_into_the_canonical_schema(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "o1,2024-03-01,c1,search,Brand,120.5,USD,true",
        "o2,2024-03-02,c2,email,(none),80,USD,false",
    )
    rows = read_canonical(path, "orders")
    assert rows.num_rows == 2
    assert rows.column("order_date").to_pylist() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert rows.column("revenue").to_pylist() == [120.5, 80.0]
    assert rows.column("is_new_customer").to_pylist() == [True, False]


@pytest.mark.parametrize(
    ("line", "column", "value", "reason"),
    [
        ("o1,2024-02-30,c1,search,B,1,USD,true", "order_date", "2024-02-30", "not a real calendar"),
        ("o1,03/01/2024,c1,search,B,1,USD,true", "order_date", "03/01/2024", "not an ISO date"),
        ("o1,1403-07-15,c1,search,B,1,USD,true", "order_date", "1403-07-15", "Jalali"),
        ("o1,2024-03-01,c1,search,B,1.234,56,USD,true", None, None, None),
        ("o1,2024-03-01,c1,search,B,$12,USD,true", "revenue", "$12", "not a plain number"),
        ("o1,2024-03-01,c1,search,B,-5,USD,true", "revenue", "-5", "negative"),
        ("o1,2024-03-01,c1,serach,B,5,USD,true", "channel", "serach", "did you mean 'search'"),
        ("o1,2024-03-01,c1,search,B,5,dollars,true", "currency", "dollars", "ISO currency"),
        ("o1,2024-03-01,c1,search,B,5,USD,yes", "is_new_customer", "yes", "not a boolean"),
        ("o1,,c1,search,B,5,USD,true", "order_date", "", "missing required value"),
    ],
)
def test_bad_values_are_named_with_line_and_column(
    tmp_path: Path, line: str, column: str | None, value: str | None, reason: str | None
) -> None:
    path = write(tmp_path, "o0,2024-03-01,c0,search,B,1,USD,true", line)
    with pytest.raises(DataError) as info:
        read_canonical(path, "orders")
    message = str(info.value)
    assert "nothing was loaded" in message or "not a readable" in message
    if column is not None:
        assert f"orders.csv:3: column '{column}': value '{value}'" in message
        assert reason in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path, "o1,2024-13-01,c1,search,B,x,USD,true", "o2,2024-03-01,c1,serch,B,5,USD,maybe"
    )
    with pytest.raises(DataError) as info:
        read_canonical(path, "orders")
    message = str(info.value)
    assert "4 problem(s)" in message
    for fragment in (
        ":2: column 'order_date'",
        ":2: column 'revenue'",
        ":3: column 'channel'",
        ":3: column 'is_new_customer'",
    ):
        assert fragment in message


def test_header_problems(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("order_id,order_dat,customer_id,channel,campaign,revenue,currency\n")
    with pytest.raises(DataError) as info:
        read_canonical(path, "orders")
    message = str(info.value)
    assert "unknown column 'order_dat' — did you mean 'order_date'?" in message
    assert "missing required column(s): order_date, is_new_customer" in message


def test_unknown_table_and_file_type(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="did you mean 'orders'"):
        read_canonical(write(tmp_path), "order")
    bad = tmp_path / "orders.xlsx"
    bad.write_bytes(b"PK")
    with pytest.raises(DataError, match="unsupported file type"):
        read_canonical(bad, "orders")


def test_optional_columns_may_be_left_out_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "customer_id,acquired_date,churned_date,channel,campaign,plan,monthly_value,currency\n"
        "c1,2024-01-01,,search,B,pro,30,USD\nc2,2024-01-02,2024-02-01,search,B,pro,30,USD\n"
    )
    rows = read_canonical(path, "customers")
    assert rows.column("churned_date").to_pylist() == [None, dt.date(2024, 2, 1)]


def test_parquet_is_validated_like_csv(tmp_path: Path) -> None:
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
    pq.write_table(good, tmp_path / "o.parquet")
    assert read_canonical(tmp_path / "o.parquet", "orders").num_rows == 1
    bad = good.set_column(3, "channel", pa.array(["tv"]))
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"bad.parquet:1: column 'channel': value 'tv'"):
        read_canonical(tmp_path / "bad.parquet", "orders")


def test_upsert_replaces_rows_with_the_same_natural_key(tmp_path: Path) -> None:
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    first = read_canonical(
        write(
            tmp_path,
            "o1,2024-03-01,c1,search,B,10,USD,true",
            "o2,2024-03-01,c2,search,B,20,USD,true",
        ),
        "orders",
    )
    assert wh.upsert("orders", first).replaced == 0
    again = wh.upsert("orders", first)
    assert (again.inserted, again.replaced) == (2, 2)
    assert wh.row_count("orders") == 2
    corrected = read_canonical(
        write(tmp_path, "o2,2024-03-01,c2,search,B,25,USD,true", name="fix.csv"), "orders"
    )
    wh.upsert("orders", corrected)
    total = wh.backend.execute(wh.table("orders").revenue.sum())
    assert wh.row_count("orders") == 2 and total == 35
    wh.close()


def test_repeated_natural_keys_and_columns_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "o1,2024-03-01,c1,search,B,10,USD,true",
        "o2,2024-03-01,c1,search,B,10,USD,true",
        "o1,2024-03-02,c1,search,B,5,USD,true",
    )
    with pytest.raises(DataError, match=r"natural key.*lines 2 and 4"):
        read_canonical(path, "orders")
    dup = tmp_path / "dup.csv"
    dup.write_text(HEADER + ",revenue\no1,2024-03-01,c1,search,B,10,USD,true,3\n")
    with pytest.raises(DataError, match="column 'revenue' appears 2 times"):
        read_canonical(dup, "orders")


def test_empty_keys_and_infinite_numbers_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "   ,2024-03-01,c1,search,B,10,USD,true",
        "o2,2024-03-01,c1,search,B,1e400,USD,true",
    )
    with pytest.raises(DataError) as info:
        read_canonical(path, "orders")
    message = str(info.value)
    assert "orders.csv:2: column 'order_id': value '' — missing required value" in message
    assert "orders.csv:3: column 'revenue': value '1e400' — number too large" in message
