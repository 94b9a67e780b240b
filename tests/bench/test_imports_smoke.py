"""The import benchmark still runs, and every method imports every row of a small set of each
format (in the benchmark's own process, ``--in-process``: a new process per method and file
costs most of a second each; one method still runs in a process of its own, as by default)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "imports.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.mark.slow
def test_import_benchmark_smoke_run(tmp_path: Path) -> None:
    sizes = ["--rows", "20000", "--export-rows", "5000", "--xlsx-rows", "500"]
    run = bench(*sizes, "--data-dir", str(tmp_path), "--in-process")
    for method in ("shakhes", "load", "duckdb-bare", "pandas"):
        assert method in run.stdout
    for title in ("CSV", "Parquet", "JSON lines", "XLSX", "Google Ads export"):
        assert f"=== canonical ad_performance {title}" in run.stdout or title.startswith("Google")
    assert "Google Ads export, 5,000 rows" in run.stdout
    assert "Could not determine dtype" not in run.stdout + run.stderr
    # A method in a process of its own (the files are there already).
    alone = bench(*sizes, "--data-dir", str(tmp_path), "--files", "parquet", "--methods", "load")
    assert "=== canonical ad_performance Parquet, 20,000 rows" in alone.stdout
    assert "\nload " in alone.stdout and "\nshakhes " not in alone.stdout
