"""Warehouse.to_arrow gives what Ibis' to_pyarrow gives (same columns, types and values), with
the engine's in-memory tables handed to DuckDB as NumPy arrays, and other in-memory tables the
way Ibis hands them over."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

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


def test_threads_opening_one_file_at_once_can_all_register_tables(tmp_path: Path) -> None:
    """Several threads opening one DuckDB file at once (a server's requests, its warmer) share
    one database instance; each connection can then register the in-memory tables a query
    carries. Without the lock around opening, DuckDB 1.5 failed this in about 1 of 20 opens
    ("Table Function with name pandas_scan does not exist"); through Ibis' connect, about 1
    in 800 (8 threads, 300 rounds: 3 failures). The next test checks the lock itself."""
    import threading

    import duckdb
    import numpy as np

    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    url = f"duckdb:///{path}"
    errors: list[str] = []

    def one() -> None:
        try:
            warehouse = Warehouse.connect(url, read_only=True)
            try:
                con = warehouse.backend.con
                con.register("m", {"a": np.arange(3, dtype=np.int32)})
                assert con.execute("SELECT sum(a) FROM m").fetchall() == [(3,)]
                con.unregister("m")
            finally:
                warehouse.close()
        except Exception as exc:  # every failure is counted
            errors.append(repr(exc))

    for _ in range(200):  # all closed after each round: the next opens a new instance
        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_a_duckdb_file_is_opened_by_one_thread_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock the test above needs is held while DuckDB opens the file."""
    import duckdb
    from ibis.backends.duckdb import Backend

    from shakhes.data import warehouse

    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    held: list[bool] = []
    real = Backend.connect

    def connect(self: Backend, *args: object, **kwargs: object) -> Backend:
        held.append(warehouse._CONNECTING.locked())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Backend, "connect", connect)
    Warehouse.connect(f"duckdb:///{path}", read_only=True).close()
    assert held == [True]
