"""The CLI start-up benchmark still runs on a demo workspace and prints every command's time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_cli_benchmark_smoke_run(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "cli.py"),
            "--runs",
            "1",
            "--workspace",
            str(tmp_path / "demo"),
            "--markdown",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for name in ("python", "version", "help", "compute"):
        assert f"\n{name} " in "\n" + run.stdout
    assert "| `--version` |" in run.stdout
