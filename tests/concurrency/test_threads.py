"""Many threads on one workspace (a web server's request threads): the same results as one
thread, reads beside a write see all of it or none, and an engine over one warehouse is safe."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from support.engine_data import make_engine
from support.processes import write_ads

from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine
from shakhes.service import imports
from shakhes.workspace import Workspace

REQUESTS = [
    (("ctr", "cpc", "roas"), "month", ("channel",), None),
    (("cost", "clicks", "conversions"), "day", (), None),
    (("churn_rate", "clv", "new_customers"), "quarter", (), None),
    (("cac", "roi", "aov"), "week", ("channel",), "previous"),
]


def _compute(engine_of: Workspace | Engine, i: int) -> pd.DataFrame:
    kpis, grain, by, compare = REQUESTS[i % len(REQUESTS)]
    engine = engine_of.engine if isinstance(engine_of, Workspace) else engine_of
    return engine.compute(list(kpis), grain=grain, by=list(by), compare=compare).frame


@pytest.mark.slow
def test_threads_on_one_workspace_get_what_one_thread_gets(demo: Path) -> None:
    ws = Workspace.open(demo)
    try:
        alone = [_compute(ws, i) for i in range(len(REQUESTS))]
        ws.engine.clear_cache()
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(lambda i: (i, _compute(ws, i)), range(24)))
    finally:
        ws.close()
    for i, frame in together:
        pd.testing.assert_frame_equal(frame, alone[i % len(REQUESTS)])


@pytest.mark.slow
def test_reading_threads_beside_an_importing_thread_see_all_of_it_or_none(
    empty: Path, tmp_path: Path
) -> None:
    rows = 200_000
    write_ads(tmp_path / "ads.csv", rows, clicks=2)
    ws = Workspace.open(empty)
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            with ws.reading() as session:
                count = session.warehouse.row_count("ad_performance")
                result = ws.engine.compute(["clicks"], grain="year", period=year)
            seen.append((count, int(result.frame["value"].fillna(0).sum())))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        report = imports.load(ws, "ad_performance", tmp_path / "ads.csv")
        assert report.accepted == rows
        after = len(seen)
        while len(seen) < after + 3:
            threading.Event().wait(0.05)
    finally:
        done.set()
        for thread in readers:
            thread.join()
        ws.close()
    assert set(seen) == {(0, 0), (rows, 2 * rows)}, set(seen)


@pytest.mark.parametrize(
    "backend", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_an_engine_over_one_warehouse_is_safe_from_threads(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = "duckdb://" if backend == "duckdb" else str(request.getfixturevalue("pg_database"))
    warehouse = Warehouse.connect(url)
    engine = make_engine(warehouse)
    period = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    requests = [(("ctr", "cpc"), "month", ("channel",)), (("clicks", "cost"), "week", ())]

    def compute(i: int) -> pd.DataFrame:
        kpis, grain, by = requests[i % 2]
        return engine.compute(list(kpis), grain=grain, by=list(by), period=period).frame

    alone = [compute(0), compute(1)]
    engine.clear_cache()
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda i: (i, compute(i)), range(12)))
    warehouse.close()
    for i, frame in together:
        pd.testing.assert_frame_equal(frame, alone[i % 2])


def test_a_cached_result_is_answered_without_a_connection(
    empty: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server answers a repeated request from the cache without connecting to the
    warehouse; once an import changes the data, the next request connects and sees it."""
    write_ads(tmp_path / "ads.csv", 100, clicks=2)
    ws = Workspace.open(empty)
    connects: list[bool] = []
    real = ws._connect

    def counting(*, writing: bool, kept: Warehouse | None = None):  # type: ignore[no-untyped-def]
        connects.append(writing)
        return real(writing=writing, kept=kept)

    monkeypatch.setattr(ws, "_connect", counting)
    try:
        report = imports.load(ws, "ad_performance", tmp_path / "ads.csv")
        year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        first = ws.engine.compute(["clicks"], grain="year", period=year)
        reads = connects.count(False)
        again = ws.engine.compute(["clicks"], grain="year", period=year)
        assert again.from_cache and connects.count(False) == reads
        assert again.frame["value"].tolist() == first.frame["value"].tolist() == [200.0]
        imports.undo(ws, report.import_id)
        after = ws.engine.compute(["clicks"], grain="year", period=year)
        assert not after.from_cache and connects.count(False) > reads
        assert after.frame["value"].tolist() == [0.0]
    finally:
        ws.close()
