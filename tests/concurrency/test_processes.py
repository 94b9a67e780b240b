"""Many ``shakhes`` processes on one workspace (real processes, a real DuckDB file): reads run
side by side; a read during an import sees the data before or after it, never a part; a second
writer waits, says for what, and then succeeds; a wait that runs out is a clear error; a writer
killed with -9 frees the workspace."""

from __future__ import annotations

import csv
import io
import signal
import time
from pathlib import Path

import pytest
from support import processes
from support.processes import hold, run, start, wait_for, write_ads

from shakhes.data.access import LOCK_FOLDER, FileGate

pytestmark = pytest.mark.slow

READER = """
import datetime as dt, sys, time
from pathlib import Path
from shakhes.workspace import Workspace
ws = Workspace.open(sys.argv[1])
stop = Path(sys.argv[2])
while not stop.exists():
    started = time.monotonic()
    with ws.reading() as session:
        rows = session.warehouse.row_count("ad_performance")
        year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        result = ws.engine.compute(["clicks"], grain="year", period=year)
    clicks = result.frame["value"].fillna(0).sum()
    print(rows, int(clicks), round(time.monotonic() - started, 3), flush=True)
ws.close()
"""
"""Reads, until the file STOP exists, the row count and the total clicks (through the engine)
in one read session; prints ``rows clicks seconds`` per read."""


def test_computes_started_together_all_succeed_with_the_same_output(demo: Path) -> None:
    args = ["compute", "ctr,cpc,roas", "--by", "channel", "--format", "csv", "-w", str(demo)]
    children = [start(args) for _ in range(3)]  # more than the two cores of a small machine
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert "Traceback" not in err
    assert len({out for out, _ in outputs}) == 1
    rows = list(csv.DictReader(io.StringIO(outputs[0][0])))
    assert {r["kpi"] for r in rows} == {"ctr", "cpc", "roas"} and len(rows) > 30


def test_reads_during_an_import_see_all_of_it_or_none(empty: Path, tmp_path: Path) -> None:
    rows = 300_000
    write_ads(tmp_path / "ads.csv", rows, clicks=3)
    stop = tmp_path / "stop"
    reader = processes.subprocess.Popen(
        [processes.sys.executable, "-c", READER, str(empty), str(stop)],
        stdout=processes.subprocess.PIPE,
        stderr=processes.subprocess.PIPE,
        text=True,
        env=processes.env(),
    )
    assert reader.stdout is not None
    first = reader.stdout.readline()
    assert first.split()[:2] == ["0", "0"], first
    load = run(["load", "ad_performance", str(tmp_path / "ads.csv"), "-w", str(empty)])
    assert load.returncode == 0, load.stderr
    lines = [first]
    while not lines[-1].startswith(f"{rows} "):  # until a read after the import
        lines.append(reader.stdout.readline())
        assert lines[-1], reader.communicate(timeout=60)
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    seen = [tuple(int(float(x)) for x in line.split()[:2]) for line in [*lines, *out.splitlines()]]
    assert set(seen) == {(0, 0), (rows, 3 * rows)}, set(seen)
    # Before, then after: never back.
    assert seen == sorted(seen)


def test_a_second_writer_waits_says_for_what_and_then_succeeds(empty: Path, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2025-01-01,EUR,1.1\n", encoding="utf-8")
    release = tmp_path / "release"
    holder = hold(empty, "import of ads.csv", release, SHAKHES_ACTOR="alice")
    writer = start(["rates", "load", str(rates), "-w", str(empty)], SHAKHES_ACTOR="bob")
    assert writer.stderr is not None
    said = writer.stderr.readline()  # the writer waits as long as the holder holds
    assert said.startswith(f"waiting for import of ads.csv by alice (pid {holder.pid}, since ")
    assert writer.poll() is None
    release.touch()
    out, err = writer.communicate(timeout=120)
    assert holder.wait(timeout=60) == 0
    assert writer.returncode == 0, err
    assert "Traceback" not in err
    assert "Loaded rates to USD for EUR" in out


def test_a_wait_that_runs_out_is_a_busy_error_naming_the_writer(
    empty: Path, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    holder = hold(empty, "import of ads.csv", release, SHAKHES_ACTOR="alice")
    try:
        started = time.monotonic()
        read = run(["compute", "clicks", "--wait", "0.5", "-w", str(empty)])
        waited = time.monotonic() - started
        write = run(["imports", "undo", "1", "--wait", "0", "-w", str(empty)])
    finally:
        release.touch()
        holder.wait(timeout=60)
    for result in (read, write):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "error: the workspace is busy with import of ads.csv by alice" in result.stderr
        assert f"(pid {holder.pid}, since " in result.stderr
        assert "--wait SECONDS" in result.stderr
    assert "gave up after waiting 0.5 s" in read.stderr
    assert waited < 30


def test_a_writer_killed_with_minus_nine_frees_the_workspace(empty: Path, tmp_path: Path) -> None:
    write_ads(tmp_path / "ads.csv", 300_000)
    gate = FileGate(empty / LOCK_FOLDER)
    load = start(["load", "ad_performance", str(tmp_path / "ads.csv"), "-w", str(empty)])
    wait_for(lambda: gate.writer() is not None or load.poll() is not None)
    load.send_signal(signal.SIGKILL)
    load.wait(timeout=60)
    year = ["--from", "2025-01-01", "--to", "2025-12-31", "--grain", "year"]
    read = run(["compute", "clicks", *year, "--format", "csv", "--wait", "5", "-w", str(empty)])
    assert read.returncode == 0, read.stderr
    assert "waiting" not in read.stderr
    (row,) = csv.DictReader(io.StringIO(read.stdout))
    assert float(row["value"]) == 0  # killed as it began: nothing written
    again = run(
        ["load", "ad_performance", str(tmp_path / "ads.csv"), "--wait", "5", "-w", str(empty)]
    )
    assert again.returncode == 0, again.stderr
    assert "Loaded 300000 rows into ad_performance" in again.stdout
