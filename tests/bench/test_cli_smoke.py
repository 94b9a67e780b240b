"""The CLI start-up benchmark still runs on a demo workspace and prints every command's time.

The workspace is a copy of the demo the test run builds once (support/demo_copy.py), so the
benchmark takes its path for a workspace that exists (``shakhes db upgrade``) instead of
building a demo of its own (``shakhes demo`` is tested in tests/cli/test_demo.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.demo_copy import demo_copy

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_cli_benchmark_smoke_run(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    workspace = demo_copy(tmp_path_factory, tmp_path / "demo")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "cli.py"),
            "--runs",
            "1",
            "--workspace",
            str(workspace),
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
