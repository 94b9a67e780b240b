"""A server's kept read-only DuckDB instance (shakhes.data.kept): read sessions share one
instance, and a writer — another process or a thread — still gets its turn, after the reads in
progress, ahead of the reads that come after it; every read sees the data of its versions."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import duckdb
import pytest
from support.processes import run, wait_for, write_ads

from shakhes.service import imports
from shakhes.workspace import Workspace, init

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def clicks(ws: Workspace, period: tuple[dt.date, dt.date] = YEAR) -> float:
    result = ws.engine.compute(["clicks"], grain="total", period=period)
    return float(result.frame["value"].sum())


@pytest.fixture
def kept(empty: Path, tmp_path: Path) -> Workspace:
    write_ads(tmp_path / "ads.csv", 730, clicks=2)
    ws = Workspace.open(empty, wait=30)
    imports.load(ws, "ad_performance", tmp_path / "ads.csv")
    assert ws.keep_reader()
    return ws


def test_read_sessions_share_one_instance(kept: Workspace) -> None:
    """Reads of different things (no cached result between them) open the file once; each
    session's connection is a cursor of that instance, closed with the session."""
    try:
        assert clicks(kept) == 2 * 730
        assert clicks(kept, (dt.date(2025, 1, 1), dt.date(2025, 1, 31))) == 2 * 2 * 31
        with kept.reading() as session:
            assert session.kept is not None
            assert session.warehouse.row_count("ad_performance") == 730
        assert kept._kept is not None and kept._kept.opened == 1 and kept._kept.is_open
    finally:
        kept.close()
    assert kept._kept is not None and not kept._kept.is_open
    duckdb.connect(str(kept.root / "warehouse.duckdb")).close()  # read-write: nothing holds it


def test_an_import_from_another_process_is_not_held_up_by_an_idle_server(
    kept: Workspace, tmp_path: Path
) -> None:
    """The kept instance is idle: a ``shakhes load`` in another process gets the file (within
    its 10-second wait), and the next read opens a new instance that sees its rows."""
    try:
        assert clicks(kept) == 2 * 730
        write_ads(tmp_path / "more.csv", 365, clicks=5)  # campaign c0 again
        done = run(["load", "ad_performance", str(tmp_path / "more.csv"), "-w", str(kept.root),
                    "--wait", "10"])  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert clicks(kept) == 2 * 365 + 5 * 365  # campaign c0's rows replaced, c1's kept
        assert kept._kept is not None and kept._kept.opened == 2
    finally:
        kept.close()


def test_a_writer_waits_for_the_read_in_progress_and_goes_before_the_reads_after_it(
    kept: Workspace, tmp_path: Path
) -> None:
    """A writer thread queues while a read session is open: it waits for that session only;
    a read that starts after it queued does not take the kept instance but waits behind the
    writer, and sees what the writer wrote."""
    write_ads(tmp_path / "more.csv", 365, clicks=5)  # campaign c0 again
    order: list[str] = []
    seen: list[float] = []

    def write() -> None:
        imports.load(kept, "ad_performance", tmp_path / "more.csv")
        order.append("written")

    def read_after() -> None:
        order.append("second read starts")
        seen.append(clicks(kept, (dt.date(2025, 2, 1), dt.date(2025, 2, 28))))
        order.append("second read done")

    writer = threading.Thread(target=write)
    reader = threading.Thread(target=read_after)
    try:
        with kept.reading() as session:
            assert session.kept is not None
            before = session.warehouse.row_count("ad_performance")
            writer.start()
            assert kept._kept is not None
            wait_for(kept._kept.gate.writer_queued, timeout=30)
            reader.start()
            wait_for(lambda: "second read starts" in order, timeout=30)
            time.sleep(0.3)  # both wait: the writer for this session, the reader for the writer
            assert order == ["second read starts"]
            assert session.warehouse.row_count("ad_performance") == before == 730
        writer.join(60)
        reader.join(60)
        assert order == ["second read starts", "written", "second read done"]
        assert seen == [2 * 28 + 5 * 28]  # campaign c0's rows replaced, c1's kept
        assert clicks(kept) == 2 * 365 + 5 * 365
    finally:
        kept.close()


def test_only_a_duckdb_file_keeps_a_reader(tmp_path: Path) -> None:
    ws = init(tmp_path / "memory", warehouse_url="duckdb://")
    try:
        assert not ws.keep_reader()
        with ws.reading() as session:
            assert session.kept is None
    finally:
        ws.close()
