"""The general way reads a Parquet file a column at a time (as it reads a CSV file with Arrow):
the same rows, numbered the same, with the same texts as reading it value by value — so that a
Parquet file with one bad row is read in seconds, and quarantines that row at its record."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.imports import readers
from shakhes.imports.readers import Block, Row, iter_blocks, iter_rows, sniff


def rows_by_value(path: Path) -> list[Row]:
    """The rows read value by value (the reference)."""
    return list(iter_rows(sniff(path)))


def rows_by_block(path: Path, head: int, size: int) -> list[Row]:
    rows = iter_rows(sniff(path))
    first = [row for _, row in zip(range(head), rows, strict=False)]
    blocks: list[Block] = list(iter_blocks(rows, size, first=first))
    return [row for block in blocks for row in block.rows()]


COLUMNS: dict[str, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    "text": (pa.string(), st.text(alphabet=" \t\u00a0abcک۱,.-", max_size=4)),
    "whole": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "small": (pa.int8(), st.integers(-128, 127)),
    "float": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "single": (pa.float32(), st.floats(width=32)),
    "round": (pa.float64(), st.integers(-(10**17), 10**17).map(float)),
    "flag": (pa.bool_(), st.booleans()),
    "day": (pa.date32(), st.dates()),
    "moment": (pa.timestamp("us"), st.datetimes()),
    "money": (pa.decimal128(18, 2), st.decimals(-(10**15), 10**15, places=2, allow_nan=False)),
}


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries({k: st.none() | s for k, (_, s) in COLUMNS.items()}),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 5),
    st.integers(1, 7),
)
def test_read_by_block_as_by_value(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], head: int, size: int
) -> None:
    path = tmp_path_factory.mktemp("p") / "a.parquet"
    schema = pa.schema([(k, t) for k, (t, _) in COLUMNS.items()])
    pq.write_table(pa.Table.from_pylist(records, schema=schema), path, row_group_size=7)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers.parquet, "PARQUET_BATCH_ROWS", 4)
        assert rows_by_block(path, head, size) == rows_by_value(path)


def test_blank_records_are_skipped_and_numbers_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table(
        {
            "name": ["a", None, "  ", "d"],
            "n": pa.array([1, None, None, 4], pa.int64()),
            "when": pa.array([dt.date(2026, 9, 1), None, None, dt.date(1403, 7, 15)]),
            "amount": pa.array(
                [decimal.Decimal("1.50"), None, None, decimal.Decimal("-2")], pa.decimal128(5, 2)
            ),
        }
    )
    pq.write_table(table, path)
    expected = [
        Row(0, ("name", "n", "when", "amount")),
        Row(1, ("a", "1", "2026-09-01", "1.50")),
        Row(4, ("d", "4", "1403-07-15", "-2.00")),
    ]
    assert rows_by_value(path) == expected
    assert rows_by_block(path, 0, 100) == expected
    assert rows_by_block(path, 2, 1) == expected


def test_a_parquet_file_with_a_bad_row_is_read_a_block_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The general way on a Parquet file never converts a value on its own (but for the rows
    of the header search)."""
    from shakhes.data.warehouse import Warehouse
    from shakhes.imports.ledger import Ledger
    from shakhes.imports.pipeline import ImportOptions, import_file

    n = 30_000
    table = pa.table(
        {
            "date": pa.array([dt.date(2026, 9, 1 + i % 28) for i in range(n)], pa.date32()),
            "platform": ["google_ads"] * n,
            "account": ["a"] * n,
            "channel": ["search" if i != 20_000 else "serch" for i in range(n)],
            "campaign_id": [f"c{i}" for i in range(n)],
            "campaign": ["Brand"] * n,
            "ad_group": ["g"] * n,
            "currency": ["USD"] * n,
            "impressions": pa.array([100] * n, pa.int64()),
            "clicks": pa.array([10] * n, pa.int64()),
            "cost": [5.25] * n,
            "conversions": [1.0] * n,
            "conversion_value": [10.0] * n,
        }
    )
    path = tmp_path / "ads.parquet"
    pq.write_table(table, path)
    calls = []
    original = readers.parquet.cell_text

    def counted(value: object, **kw: bool) -> str:
        calls.append(value)
        return original(value, **kw)

    monkeypatch.setattr(readers.parquet, "cell_text", counted)
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    report = import_file(wh, path, ImportOptions(source="canonical"))
    assert (report.rows_read, report.accepted, report.quarantined) == (n, n - 1, 1)
    assert [r[2:5] for r in Ledger(wh).quarantine()] == [(20_001, "channel", "serch")]
    assert len(calls) < 14 * readers.parquet.PARQUET_BATCH_ROWS  # the header search's batch at most
