"""The demo workspace built once per test run and copied for each fixture that needs one.

Building the demo takes 10–20 s on a busy 2-core machine; copying its folder takes
milliseconds. Under pytest-xdist the workers share one build: the first to need it builds it
in the run's shared temporary folder (under a file lock) and the others wait for it. Each
caller gets its own copy, so a test that writes (an import, a KPI saved) or holds the DuckDB
file open never touches another worker's or another fixture's workspace.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from shakhes.demo import build_demo


def _shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder: shared by the xdist workers, this session's own otherwise."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_copy(factory: pytest.TempPathFactory, target: Path, *, locale: str = "en") -> Path:
    """A copy at ``target`` (a folder that does not exist yet) of the demo workspace in
    ``locale``, built once per test run; returns ``target``."""
    shared = _shared_folder(factory) / f"demo-build-{locale}"
    with open(_shared_folder(factory) / f"demo-build-{locale}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (shared / "done").exists():
                shutil.rmtree(shared, ignore_errors=True)
                ws, _ = build_demo(shared / "demo", locale=locale)
                ws.close()
                (shared / "done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    shutil.copytree(shared / "demo", target)
    return target


def use_small_demo_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """While ``monkeypatch`` lasts, the demo is built from the small engine test data
    (:mod:`support.engine_data`) instead of two generated years: for a test of what the demo
    does around its data (its marker, its login), building it then takes about a second."""
    from shakhes import demo as demo_module
    from shakhes.data.demo import DemoData
    from support.engine_data import END, START, dataset

    monkeypatch.setattr(
        demo_module,
        "generate",
        lambda seed, end=None: DemoData(
            tables=dataset(seed), truth={"seed": seed}, start=START, end=END
        ),
    )
