"""The benchmark still runs and its three implementations (shakhes, hand-written SQL, pandas)
agree on every number of the dashboard, on a small data set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_dashboard_benchmark_smoke_run(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "dashboard.py"),
            "--rows",
            "20000",
            "--repeat",
            "1",
            "--cold-runs",
            "1",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "results: all methods agree" in run.stdout
    for method in ("shakhes", "sql", "pandas"):
        assert f"\n{method} " in run.stdout
