"""Fixtures of the server tests: the demo workspace (built once), a second workspace, and an
app with a user per role, each reachable through a logged-in client (see support/server.py).

The apps run with the server store on SQLite and again on PostgreSQL (issue 9: "the same suite
passes with the metadata store on SQLite and on Postgres"): ``api`` and ``writable_api`` follow
``server_store``, a module-scoped parameter. A module that needs only one of them overrides
``server_store`` with a fixture of its own.
"""

from __future__ import annotations

import contextlib
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


SERVER_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=SERVER_STORES)
def server_store(request: pytest.FixtureRequest) -> str:
    """Where the apps of a test module keep their server store: ``sqlite`` or ``postgres``."""
    return str(request.param)


@contextlib.contextmanager
def _store_url(kind: str) -> Iterator[dict[str, object]]:
    """The settings that put a server store on ``kind``: a SQLite file in the app's home (the
    default), or a new PostgreSQL database, dropped afterwards."""
    if kind == "sqlite":
        yield {}
        return
    from store.conftest import new_pg_database

    with new_pg_database() as url:
        yield {"metadata_url": url}


@pytest.fixture(scope="module")
def api(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server_store: str,
) -> Iterator[Api]:
    """An app over the demo workspace itself: for tests that only read."""
    with _store_url(server_store) as settings:
        made = make_api(demo_root, other_root, tmp_path_factory.mktemp("home"), **settings)
        yield made
        made.close()
        made.store.close()


@pytest.fixture(scope="module")
def writable_api(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server_store: str,
) -> Iterator[Api]:
    """An app over a copy of the demo workspace, for tests that change it."""
    root = tmp_path_factory.mktemp("demo-copy") / "demo"
    shutil.copytree(demo_root, root)
    with _store_url(server_store) as settings:
        made = make_api(root, other_root, tmp_path_factory.mktemp("home"), **settings)
        yield made
        made.close()
        made.store.close()
