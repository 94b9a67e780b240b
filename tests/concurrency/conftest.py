"""Workspaces for the tests of many processes and threads on one workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.demo_copy import demo_copy

from shakhes.workspace import init


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A copy of the demo workspace of this test's own (the demo is built once per test run and
    shared with the other folders' tests: support/demo_copy.py)."""
    return demo_copy(tmp_path_factory, tmp_path / "demo")


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A new workspace without data."""
    root = tmp_path / "ws"
    init(root).close()
    return root
