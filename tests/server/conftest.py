"""Fixtures of the server tests: the demo workspace (built once), a second workspace, and an
app with a user per role, each reachable through a logged-in client (see support/server.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import Api, make_api

from shakhes.demo import build_demo
from shakhes.workspace import init


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, built once for the server tests (read it, or copy it to write)."""
    ws, _ = build_demo(tmp_path_factory.mktemp("server-demo") / "demo")
    ws.close()
    return ws.root


@pytest.fixture(scope="module")
def other_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = init(tmp_path_factory.mktemp("other") / "other", name="other")
    ws.close()
    return ws.root


@pytest.fixture(scope="module")
def api(
    demo_root: Path, other_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An app over the demo workspace itself: for tests that only read."""
    made = make_api(demo_root, other_root, tmp_path_factory.mktemp("home"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def writable_api(
    demo_root: Path, other_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An app over a copy of the demo workspace, for tests that change it."""
    root = tmp_path_factory.mktemp("demo-copy") / "demo"
    shutil.copytree(demo_root, root)
    made = make_api(root, other_root, tmp_path_factory.mktemp("home"))
    yield made
    made.close()
