"""The results cache of :mod:`shakhes.service.cache`: one computation per key however many
threads ask at once, bounded, new numbers after a data change, and cached answers served while
another process writes the warehouse."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from support.processes import write_ads

from shakhes.errors import BusyError
from shakhes.service.cache import Memo, memo_of
from shakhes.service.compute import Query, compute, records
from shakhes.service.imports import load
from shakhes.workspace import Workspace, init

ROWS = 730  # two rows a day in 2025 (write_ads: i % 365 is the day)


def test_threads_asking_the_same_key_at_once_compute_it_once() -> None:
    memo = Memo()
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "value"

    answers: list[str] = []
    first = threading.Thread(target=lambda: answers.append(memo.get("k", slow)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: answers.append(memo.get("k", slow))) for _ in range(4)
    ]
    for t in others:
        t.start()
    time.sleep(0.2)  # the others are waiting for the first one's result by now
    release.set()
    for t in [first, *others]:
        t.join(5)
    assert calls == [1]
    assert answers == ["value"] * 5


def test_different_keys_do_not_wait_for_each_other() -> None:
    memo = Memo()
    release = threading.Event()
    slow = threading.Thread(target=lambda: memo.get("slow", lambda: release.wait(5)))
    slow.start()
    t0 = time.perf_counter()
    assert memo.get("fast", lambda: 1) == 1
    assert time.perf_counter() - t0 < 1
    release.set()
    slow.join(5)


def test_an_error_is_not_kept_and_the_cache_is_bounded() -> None:
    memo = Memo(size=2)

    def fail() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        memo.get("a", fail)
    assert memo.get("a", lambda: 1) == 1
    memo.get("b", lambda: 2)
    memo.get("a", lambda: 99)  # a hit: a becomes the most recent
    memo.get("c", lambda: 3)  # b, the least recent, goes
    assert len(memo) == 2
    assert memo.get("a", lambda: 99) == 1
    assert memo.get("b", lambda: 22) == 22


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init(tmp_path / "ws", name="ws")


def clicks(ws: Workspace) -> float:
    import datetime as dt

    query = Query(("clicks",), grain="year", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    value = records(compute(ws, query))[0]["value"]
    assert isinstance(value, int | float)
    return value


def test_a_data_change_gives_new_numbers(ws: Workspace, tmp_path: Path) -> None:
    write_ads(tmp_path / "a.csv", ROWS, clicks=3)
    load(ws, "ad_performance", tmp_path / "a.csv")
    assert clicks(ws) == ROWS * 3
    held = len(memo_of(ws))
    assert clicks(ws) == ROWS * 3 and len(memo_of(ws)) == held  # the same key: a hit
    write_ads(tmp_path / "b.csv", ROWS, clicks=5)  # the same rows (keys), 5 clicks each
    load(ws, "ad_performance", tmp_path / "b.csv")
    assert clicks(ws) == ROWS * 5
    ws.close()


def test_a_kept_answer_needs_no_warehouse_while_another_writes(
    ws: Workspace, tmp_path: Path
) -> None:
    write_ads(tmp_path / "a.csv", ROWS, clicks=3)
    load(ws, "ad_performance", tmp_path / "a.csv")
    assert clicks(ws) == ROWS * 3
    writer = Workspace.open(ws.root)  # as another process would: the file lock of the folder
    ws.wait = 0.5
    try:
        with writer.writing("a test import"):
            t0 = time.perf_counter()
            assert clicks(ws) == ROWS * 3  # kept: answered while the writer holds the file
            assert time.perf_counter() - t0 < 0.5
            with pytest.raises(BusyError):  # not kept: it waits for the warehouse
                compute(ws, Query(("cost",), grain="year"))
    finally:
        writer.close()
        ws.close()


def test_a_warmer_passes_by_what_another_worker_computes(ws: Workspace, tmp_path: Path) -> None:
    """Two workers' warmers after a change: a result the other is computing (its lock held)
    is passed by, to be read from the shared folder later; the others are computed."""
    import threading

    from shakhes.service.cache import share, state, warm
    from shakhes.service.shared import Shared

    share(ws, tmp_path / "shared")
    memo = memo_of(ws)
    asked: list[str] = []
    for name in ("first", "second"):
        memo.remember(name, (), lambda name=name: asked.append(name) or name)
    other = Shared(tmp_path / "shared")  # the other worker
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "by the other"

    key = ("second", (), state(ws))  # the most recently remembered: warmed first
    thread = threading.Thread(target=other.get, args=(key, slow))
    thread.start()
    try:
        assert started.wait(10) and other.busy(key)
        assert warm(ws) == 1
        assert asked == ["first"]
    finally:
        release.set()
        thread.join()
    assert not other.busy(key)
    assert memo.get(key, lambda: "again") == "by the other"  # read from the folder
    ws.close()


def test_definitions_are_read_again_when_another_process_changes_them(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ws.definitions()`` reads the store once per definitions version: asked again it
    answers without reading them; after a KPI is saved elsewhere (another ``Workspace`` on the
    same folder, as another process) it has the new KPI."""
    from shakhes.service.definitions import save_kpi

    before = ws.definitions()
    reads: list[int] = []
    real = ws.store.list_kpis
    monkeypatch.setattr(ws.store, "list_kpis", lambda wid: reads.append(1) or real(wid))
    assert ws.definitions() == before and reads == []
    other = Workspace.open(ws.root)
    try:
        spec = before["clicks"].model_copy(update={"id": "clicks_twice", "formula": "clicks * 2"})
        save_kpi(other, spec)
    finally:
        other.close()
    after = ws.definitions()
    assert reads == [1] and set(after) == set(before) | {"clicks_twice"}
    assert after["clicks_twice"].formula == "clicks * 2"
    after.pop("clicks")  # a copy: the kept definitions are not changed
    assert "clicks" in ws.definitions()


def _blocked_user(ws: Workspace, order: list[str]) -> tuple[threading.Thread, threading.Event]:
    """A user's computation started in a thread of its own, running until the event is set."""
    from shakhes.service.cache import cached

    started, release = threading.Event(), threading.Event()

    def compute() -> int:
        started.set()
        release.wait(30)
        order.append("user")
        return 1

    user = threading.Thread(target=lambda: cached(ws, "test.user", 1, compute))
    user.start()
    assert started.wait(30)
    return user, release


def _warmer(ws: Workspace, order: list[str]) -> threading.Thread:
    """A warmer's thread computing one missing result."""
    from shakhes.service.cache import cached, warming

    def run() -> None:
        with warming():
            cached(ws, "test.warm", 1, lambda: order.append("warmer") or 2)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_warmer_waits_for_the_users_computations(ws: Workspace) -> None:
    """A result a warmer computes waits while a user's computation runs, and is computed
    as soon as it ended."""
    order: list[str] = []
    user, release = _blocked_user(ws, order)
    warmer = _warmer(ws, order)
    time.sleep(0.5)
    assert order == [] and warmer.is_alive()
    release.set()
    user.join(30)
    warmer.join(30)
    assert order == ["user", "warmer"]


def test_a_warmer_goes_on_after_waiting_its_longest(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a load that never ends, a warmer computes anyway after WARM_WAIT seconds."""
    from shakhes.service import cache

    monkeypatch.setattr(cache, "WARM_WAIT", 0.3)
    order: list[str] = []
    user, release = _blocked_user(ws, order)
    try:
        warmer = _warmer(ws, order)
        warmer.join(30)
        assert order == ["warmer"]
    finally:
        release.set()
        user.join(30)
    assert order == ["warmer", "user"]
