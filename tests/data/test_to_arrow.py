"""Warehouse.to_arrow gives what Ibis' to_pyarrow gives (same columns, types and values), with
the engine's in-memory tables handed to DuckDB as NumPy arrays, and other in-memory tables the
way Ibis hands them over."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from shakhes.data.warehouse import Warehouse
from shakhes.engine.execute import memtable

DAYS = [dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(1969, 12, 31)]


def _periods() -> pa.Table:
    return pa.table(
        {
            "period_index": pa.array([0, 1, 2], pa.int32()),
            "period_start": pa.array(DAYS, pa.date32()),
            "big": pa.array([2**40, -1, 0], pa.int64()),
        }
    )


def test_engine_memtables_give_what_ibis_gives() -> None:
    wh = Warehouse.connect("duckdb://")
    try:
        periods = memtable(_periods())
        expr = periods.mutate(
            next_day=periods.period_start + ibis.interval(days=1),
            twice=periods.period_index * 2,
        ).order_by("period_index")
        mine = wh.to_arrow(expr)
        # nothing is left behind on the connection (Ibis' own way leaves its tables registered)
        assert wh.fetchall("SELECT count(*) FROM duckdb_views() WHERE NOT internal") == [(0,)]
        theirs = wh.backend.to_pyarrow(expr)
        assert mine.schema == theirs.schema
        assert mine.to_pylist() == theirs.to_pylist()
        assert mine.column("period_start").to_pylist() == DAYS
        assert mine.column("next_day").to_pylist() == [d + dt.timedelta(days=1) for d in DAYS]
    finally:
        wh.close()


def test_other_memtables_go_ibis_own_way() -> None:
    wh = Warehouse.connect("duckdb://")
    try:
        names = memtable(pa.table({"i": pa.array([1, None], pa.int64()), "s": ["a", "b"]}))
        expr = names.order_by("s")
        assert wh.to_arrow(expr).to_pylist() == [{"i": 1, "s": "a"}, {"i": None, "s": "b"}]
    finally:
        wh.close()
