"""The turns readers and writers take on a warehouse (shakhes.data.access): file locks between
threads and processes, the turnstile that keeps writers from starving, the waiting message and
the timeout, and the Postgres advisory lock."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
import pytest
from support.processes import env, wait_for

from shakhes.data.access import (
    ADVISORY_KEY,
    FileGate,
    Gate,
    Holder,
    LocalGate,
    PostgresGate,
    Waiting,
)
from shakhes.errors import BusyError

ALICE = Holder("import of ads.csv", "alice", 4242, "elsewhere", dt.datetime(2026, 1, 5, 14, 2, 11))


def _in_thread(
    enter: Callable[[], AbstractContextManager[None]], log: list[str], name: str
) -> tuple[threading.Thread, threading.Event]:
    """Take a turn in a new thread; log ``name in`` when it has it; leave when told."""
    leave = threading.Event()

    def run() -> None:
        with enter():
            log.append(f"{name} in")
            leave.wait(30)
        log.append(f"{name} out")

    thread = threading.Thread(target=run)
    thread.start()
    return thread, leave


def test_holder_describes_what_who_pid_and_since() -> None:
    assert ALICE.describe() == "import of ads.csv by alice (pid 4242 on elsewhere, since 14:02:11)"
    here = Holder.me("undo of import #3", "bob")
    assert here.describe().startswith(f"undo of import #3 by bob (pid {os.getpid()}, since ")
    assert Holder.from_dict(ALICE.to_dict()) == ALICE
    assert Holder.from_dict({"what": "x"}) is None
    assert str(Waiting(ALICE, writing=True)) == f"waiting for {ALICE.describe()}…"
    assert str(Waiting(None, writing=True)) == "waiting for the reads in progress to finish…"


def test_readers_share_and_a_writer_waits_for_them(tmp_path: Path) -> None:
    gate = FileGate(tmp_path)
    log: list[str] = []
    first, leave_first = _in_thread(lambda: gate.shared(60, None), log, "r1")
    second, leave_second = _in_thread(lambda: gate.shared(60, None), log, "r2")
    wait_for(lambda: {"r1 in", "r2 in"} <= set(log))  # both at once
    heard: list[Waiting] = []
    writer, leave_writer = _in_thread(
        lambda: gate.exclusive(Holder.me("import of a.csv", "sara"), 60, heard.append), log, "w"
    )
    wait_for(lambda: bool(heard))
    time.sleep(0.2)
    assert "w in" not in log
    assert heard == [Waiting(None, writing=True)]
    leave_first.set()
    leave_second.set()
    wait_for(lambda: "w in" in log)
    assert log.index("w in") > max(log.index("r1 out"), log.index("r2 out"))
    leave_writer.set()
    for thread in (first, second, writer):
        thread.join()


def test_a_waiting_writer_holds_new_readers_back(tmp_path: Path) -> None:
    """The turnstile: once a writer queues, a reader that comes after it waits for it, so a
    stream of readers cannot starve the writer."""
    gate = FileGate(tmp_path)
    log: list[str] = []
    reader, leave_reader = _in_thread(lambda: gate.shared(60, None), log, "r1")
    wait_for(lambda: "r1 in" in log)
    writer, leave_writer = _in_thread(
        lambda: gate.exclusive(Holder.me("import of a.csv", "sara"), 60, None), log, "w"
    )
    wait_for(lambda: gate.writer() is not None)  # queued
    heard: list[Waiting] = []
    late, leave_late = _in_thread(lambda: gate.shared(60, heard.append), log, "r2")
    wait_for(lambda: bool(heard))
    time.sleep(0.2)
    assert "r2 in" not in log and "w in" not in log
    assert [w.holder.what for w in heard if w.holder] == ["import of a.csv"]
    leave_reader.set()
    wait_for(lambda: "w in" in log)
    time.sleep(0.2)
    assert "r2 in" not in log  # still behind the writer
    leave_writer.set()
    wait_for(lambda: "r2 in" in log)
    assert log.index("r2 in") > log.index("w out")
    assert gate.writer() is None  # the writer's note is gone with it
    leave_late.set()
    for thread in (reader, writer, late):
        thread.join()


@pytest.mark.parametrize("kind", ["file", "local"])
def test_a_wait_that_runs_out_names_the_writer(tmp_path: Path, kind: str) -> None:
    gate: Gate = FileGate(tmp_path) if kind == "file" else LocalGate()
    with gate.exclusive(ALICE, 1, None):
        heard: list[Waiting] = []
        started = time.monotonic()
        with (
            pytest.raises(BusyError) as info,
            gate.exclusive(Holder.me("x", "bob"), 0.3, heard.append),
        ):
            pass
        assert 0.3 <= time.monotonic() - started < 5
    error = info.value
    assert error.code == "busy"
    assert error.message.startswith(
        "the workspace is busy with import of ads.csv by alice (pid 4242"
    )
    assert error.message.endswith("gave up after waiting 0.3 s")
    assert error.params["holder"]["actor"] == "alice" and error.params["wait"] == 0.3
    assert [w.holder.what for w in heard if w.holder] == ["import of ads.csv"]
    with gate.exclusive(Holder.me("x", "bob"), 0, None):  # free again
        pass


def test_readers_do_not_wait_for_each_other_on_a_local_gate() -> None:
    gate = LocalGate()
    with gate.shared(0, None), gate.shared(0, None), gate.exclusive(ALICE, 0, None):
        pass


HOLD = """
import sys, time
from pathlib import Path
from shakhes.data.access import FileGate, Holder
with FileGate(Path(sys.argv[1])).exclusive(Holder.me("import of big.csv", "cron"), 5, None):
    print("holding", flush=True)
    time.sleep(600)
"""


def test_kill_minus_nine_of_a_writer_frees_the_lock(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env()
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "holding"
    gate = FileGate(tmp_path)
    with pytest.raises(BusyError, match=rf"import of big.csv by cron \(pid {child.pid}, since"):
        with gate.shared(0.1, None):
            pass
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with gate.exclusive(Holder.me("next", "sara"), 1, None):  # the OS released its locks
        assert gate.writer() is not None and gate.writer().what == "next"  # type: ignore[union-attr]


@pytest.mark.postgres
def test_postgres_writers_take_turns_through_an_advisory_lock(pg_database: str) -> None:
    conninfo = pg_database.replace("postgres://", "postgresql://", 1)
    gate = PostgresGate(conninfo)
    log: list[str] = []
    first, leave_first = _in_thread(lambda: gate.exclusive(ALICE, 60, None), log, "w1")
    wait_for(lambda: "w1 in" in log)
    with gate.shared(0, None):  # readers need no lock on Postgres
        pass
    heard: list[Waiting] = []
    with pytest.raises(BusyError, match=r"busy with import of ads.csv by alice \(pid 4242"):
        with gate.exclusive(Holder.me("x", "bob"), 0.3, heard.append):
            pass
    assert heard and heard[0].holder is not None and heard[0].holder.actor == "alice"
    second, leave_second = _in_thread(
        lambda: gate.exclusive(Holder.me("rates load", "bob"), 60, None), log, "w2"
    )
    time.sleep(0.3)
    assert "w2 in" not in log
    leave_first.set()
    wait_for(lambda: "w2 in" in log)
    leave_second.set()
    for thread in (first, second):
        thread.join()
    # A writer whose connection dies (a killed process) frees the lock.
    dying = psycopg.connect(conninfo, autocommit=True)
    dying.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_KEY,))
    with pytest.raises(BusyError):
        with gate.exclusive(Holder.me("x", "bob"), 0.2, None):
            pass
    dying.close()
    with gate.exclusive(Holder.me("x", "bob"), 30, None):
        pass
