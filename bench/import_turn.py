"""How long an import holds the workspace's write turn, against its whole run, and how long a
reader started mid-import waits (docs/concurrency.md, docs/benchmarks.md).

    .venv/bin/python bench/import_turn.py --rows 1000000 [--data-dir bench/data]

For each way (``whole``: the file read in the write turn, as before; ``ahead``: read, parsed
and checked before it, as ``shakhes import`` does), a fresh workspace gets a small import, then
a child process imports the Google Ads-shaped file while this process polls the workspace's
data lock (held exclusively by a writer only) every 10 ms, and a ``shakhes compute`` started
a few seconds into the import (a KPI not computed before, so no cached answer) is timed.
"""

from __future__ import annotations

import argparse
import fcntl
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from imports import generate

CHILD = """
import sys, time
from pathlib import Path
from dataclasses import replace
from shakhes.workspace import Workspace
from shakhes.imports.pipeline import import_file
from shakhes.imports.report import ImportOptions
from shakhes.service import imports as service

ws = Workspace.open(sys.argv[1])
options = ImportOptions(source="google-ads", account="bench", actor="bench")
path = Path(sys.argv[2])
t0 = time.time()
if sys.argv[3] == "whole":
    with ws.writing("import") as session:
        report = import_file(session.warehouse, path, options)
        service.record_data_change(ws, session, "bench", {"import": report.import_id})
else:
    report = service.import_file(ws, path, options)
print(t0, time.time(), report.accepted, flush=True)
ws.close()
"""


def held(lock: Path) -> bool:
    """Whether a writer holds the data lock now (a shared lock cannot be had)."""
    with lock.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def shakhes(*args: str) -> float:
    exe = Path(sys.executable).parent / "shakhes"
    t0 = time.perf_counter()
    subprocess.run([str(exe), *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def measure(way: str, big: Path, small: Path, reader_after: float) -> dict[str, float]:
    with TemporaryDirectory(prefix="shakhes-turn-") as folder:
        ws = Path(folder) / "ws"
        shakhes("init", str(ws))
        shakhes("import", str(small), "--source", "google-ads", "--account", "bench", "-w", str(ws))
        lock = ws / ".shakhes" / "data.lock"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ws), str(big), way], stdout=subprocess.PIPE
        )
        first = last = None
        waited = False
        reader: subprocess.Popen[str] | None = None
        reader_start = reader_end = 0.0
        while child.poll() is None:
            now = time.time()
            if reader is None and now - child_start(child) > reader_after:
                reader_start = now
                reader = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "shakhes"),
                        "compute",
                        "impressions",
                        "--grain",
                        "total",
                        "-w",
                        str(ws),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            if reader is not None and not reader_end and reader.poll() is not None:
                reader_end = time.time()
            if held(lock):
                first = first or now
                last = time.time()
            time.sleep(0.01)
        assert child.stdout is not None
        t0, t1, accepted = child.stdout.read().split()[-3:]
        if reader is not None:
            _, err = reader.communicate()
            reader_end = reader_end or time.time()
            waited = "waiting for" in err
        cold = shakhes("compute", "clicks", "--grain", "total", "-w", str(ws))
        return {
            "total": float(t1) - float(t0),
            "turn": (last - first) if first and last else 0.0,
            "reader": reader_end - reader_start,
            "reader_idle": cold,
            "reader_waited": float(waited),
            "accepted": float(accepted),
        }


_STARTS: dict[int, float] = {}


def child_start(child: subprocess.Popen[bytes]) -> float:
    return _STARTS.setdefault(child.pid, time.time())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--reader-after", type=float, default=3.0)
    parser.add_argument("--ways", default="whole,ahead")
    args = parser.parse_args()
    big = generate("google-ads", args.rows, args.data_dir).path
    small = generate("google-ads", 10_000, args.data_dir).path
    for way in args.ways.split(","):
        m = measure(way, big, small, args.reader_after)
        print(
            f"{way:>6}: import {m['total']:.1f} s, write turn {m['turn']:.1f} s; "
            f"a compute started {args.reader_after:.0f} s in took {m['reader']:.1f} s "
            f"({'waited for the turn' if m['reader_waited'] else 'did not wait'}; "
            f"idle: {m['reader_idle']:.1f} s); {m['accepted']:,.0f} rows",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
