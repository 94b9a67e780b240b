"""The load benchmark's pieces: its percentiles and its summary, and (slow) a tiny run against
a real ``shakhes serve`` with an import, that must end without errors and with the API's
numbers equal to the CLI's."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def web() -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "bench" / "web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_percentile_is_the_nearest_rank() -> None:
    percentile = web().percentile
    values = [float(x) for x in range(1, 21)]  # 1 … 20
    assert percentile(values, 50) == 10  # rank ceil(0.5 × 20) = 10
    assert percentile(values, 95) == 19  # rank 19
    assert percentile(values, 100) == 20
    assert percentile([3.0], 95) == 3
    assert percentile([], 50) != percentile([], 50)  # nan


def test_summary_splits_cold_warm_and_counts_errors() -> None:
    w = web()
    hits = [
        w.Hit("kpi", "/a", 0, 2.0, 200, True, False),
        w.Hit("kpi", "/a", 1, 0.1, 200, False, False),
        w.Hit("kpi", "/a", 2, 0.2, 200, False, True),
        w.Hit("kpi", "/a", 3, 0.3, 503, False, True),
    ]
    s = w.summarise(hits)["kpi"]
    assert s["cold"]["n"] == 1 and s["cold"]["max"] == 2.0
    assert s["warm"]["n"] == 3 and s["warm"]["p50"] == 0.2
    assert s["warm_during"]["n"] == 2
    assert s["errors"] == 1


@pytest.mark.slow
def test_web_benchmark_smoke_run(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "web.py"), "--rows", "10000", "--seconds", "3",
         "--users", "3", "--import-rows", "2000", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  no errors (got 0)" in run.stdout
    assert "PASS  numbers shown equal the CLI's" in run.stdout


@pytest.mark.slow
def test_burst_benchmark_smoke_run(tmp_path: Path) -> None:
    """bench/burst.py on a tiny warehouse: the twelve pages and their panels answer, and it
    says how fast."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "burst.py"), "--rows", "10000", "--runs", "1",
         "--workers", "1", "--settle", "1", "--panels", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "12 KPI pages and their panels at once" in run.stdout
    assert "run 1, --workers 1: last answer after " in run.stdout


@pytest.mark.slow
def test_pages_benchmark_smoke_run(tmp_path: Path) -> None:
    """bench/pages.py on a tiny warehouse, against this checkout's own src/ as the baseline:
    every kind is timed on both sides, and the ratio printed."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pages.py"), "--rows", "10000", "--runs", "1",
         "--baseline", str(ROOT / "src"), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    for side in ("this", "baseline"):
        found = next(x for x in run.stdout.splitlines() if x.startswith(f"run 1, {side}: total"))
        assert all(kind in found for kind in ("page", "targets", "why", "smart", "anomalies"))
    assert "this / baseline per run: " in run.stdout
