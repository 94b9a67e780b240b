"""Fixtures of the server tests: the demo workspace (built once per run, see
support/demo_copy.py), a second workspace, and an app with a user per role, each reachable
through a logged-in client (see support/server.py).

The apps run with the server store on SQLite and again on PostgreSQL (issue 9: "the same suite
passes with the metadata store on SQLite and on Postgres"): ``api`` and ``writable_api`` follow
``server_store``, a module-scoped parameter. A module that needs only one of them overrides
``server_store`` with a fixture of its own.

What keeps this fast (``make test`` stays under 5 minutes): passwords are hashed with argon2id
at its smallest cost (support/server.py: ``cheap_password_hashes``; the production cost is
checked in test_store), and a server store is never migrated per test: a new store is a copy
of a SQLite file migrated once, or an already migrated PostgreSQL database from a pool, emptied
when it is given back (support/server.py: ``StorePool``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import close_shared_chromium, shared_chromium
from support.demo_copy import demo_copy
from support.server import Api, StorePool, app_over, cheap_password_hashes

from shakhes.workspace import init


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    with cheap_password_hashes():
        yield


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, for the server tests (read it, or copy it to write)."""
    return demo_copy(tmp_path_factory, tmp_path_factory.mktemp("server-demo") / "demo")


@pytest.fixture(scope="session")
def other_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small second workspace (the outsider's); the apps only read it."""
    ws = init(tmp_path_factory.mktemp("other") / "other", name="other")
    ws.close()
    return ws.root


SERVER_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=SERVER_STORES)
def server_store(request: pytest.FixtureRequest) -> str:
    """Where the apps of a test module keep their server store: ``sqlite`` or ``postgres``."""
    return str(request.param)


@pytest.fixture(scope="session")
def store_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StorePool]:
    pool = StorePool(tmp_path_factory.mktemp("store-pool"))
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def api(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server_store: str,
    store_pool: StorePool,
) -> Iterator[Api]:
    """An app over the demo workspace itself: for tests that only read."""
    home = tmp_path_factory.mktemp("home")
    with app_over(store_pool, server_store, demo_root, other_root, home) as made:
        yield made


@pytest.fixture(scope="module")
def writable_api(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server_store: str,
    store_pool: StorePool,
) -> Iterator[Api]:
    """An app over a copy of the demo workspace, for tests that change it."""
    root = tmp_path_factory.mktemp("demo-copy") / "demo"
    shutil.copytree(demo_root, root)
    home = tmp_path_factory.mktemp("home")
    with app_over(store_pool, server_store, root, other_root, home) as made:
        yield made


@pytest.fixture
def warming_api(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server_store: str,
    store_pool: StorePool,
) -> Iterator[Api]:
    """An app over a copy of the demo workspace whose warmer runs (every second, as a server's
    by default)."""
    root = tmp_path_factory.mktemp("demo-copy") / "demo"
    shutil.copytree(demo_root, root)
    home = tmp_path_factory.mktemp("home")
    with app_over(store_pool, server_store, root, other_root, home, warm_seconds=1.0) as made:
        yield made


@pytest.fixture(params=SERVER_STORES)
def fresh(
    request: pytest.FixtureRequest,
    demo_root: Path,
    other_root: Path,
    tmp_path: Path,
    store_pool: StorePool,
) -> Iterator[Api]:
    """An app with an empty server store of its own (sessions and rate limits start empty),
    on SQLite and on PostgreSQL; at most three failed logins per e-mail."""
    kind = str(request.param)
    with app_over(
        store_pool, kind, demo_root, other_root, tmp_path / "home", max_failures_per_email=3
    ) as made:
        yield made


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The test process's chromium (support/browser.py), for the browser tests."""
    yield shared_chromium()
    close_shared_chromium()
