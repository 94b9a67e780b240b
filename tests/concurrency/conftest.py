"""Workspaces for the tests of many processes and threads on one workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shakhes.demo import build_demo
from shakhes.workspace import init


@pytest.fixture(scope="session")
def demo_original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, built once per test run (copy it before use: see ``demo``)."""
    root = tmp_path_factory.mktemp("concurrency") / "demo"
    ws, _ = build_demo(root, seed=5)
    ws.close()
    return root


@pytest.fixture
def demo(demo_original: Path, tmp_path: Path) -> Path:
    """A copy of the demo workspace of this test's own."""
    root = tmp_path / "demo"
    shutil.copytree(demo_original, root, ignore=shutil.ignore_patterns(".shakhes"))
    return root


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A new workspace without data."""
    root = tmp_path / "ws"
    init(root).close()
    return root
