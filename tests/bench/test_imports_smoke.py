"""The import benchmark still runs, and every method imports every row of a small set of each
format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_import_benchmark_smoke_run(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "imports.py"),
            "--rows",
            "20000",
            "--export-rows",
            "5000",
            "--xlsx-rows",
            "500",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for method in ("shakhes", "load", "duckdb-bare", "pandas"):
        assert method in run.stdout
    for title in ("CSV", "Parquet", "JSON lines", "XLSX", "Google Ads export"):
        assert f"=== canonical ad_performance {title}" in run.stdout or title.startswith("Google")
    assert "Google Ads export, 5,000 rows" in run.stdout
    assert "Could not determine dtype" not in run.stdout + run.stderr
