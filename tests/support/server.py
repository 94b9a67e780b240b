"""The server tests' app: a user per role over the demo workspace, and logged-in clients."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shakhes.server import credentials
from shakhes.server.app import create_app
from shakhes.server.models import ServerBase
from shakhes.server.settings import ServerSettings
from shakhes.server.state import register
from shakhes.server.store import ServerStore

SQLITE_ONLY = pytest.mark.parametrize("server_store", ["sqlite"], indirect=True)
"""For a test whose answer does not depend on the server store (the numbers of a workspace):
it runs with the server store on SQLite only, not again on Postgres (see tests/server/conftest)."""

PASSWORD = "correct horse battery"
ROLES = ("viewer", "editor", "admin")
WS = "shakhes-demo"
"""The demo workspace's id."""


SERVER_HASHER = credentials._hasher
"""The server's own hasher (before :func:`cheap_password_hashes` replaces it)."""
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2id at its smallest cost: a hash in microseconds, not half a second on a busy
machine. Still argon2id (``$argon2id$`` hashes, verified the same way)."""


@contextlib.contextmanager
def cheap_password_hashes() -> Iterator[None]:
    """Hash and verify passwords with :data:`CHEAP_HASHER` meanwhile (a server test logs in
    hundreds of times; at the production cost each login takes 0.1–0.5 s of CPU). The
    production hasher's cost is checked in tests/server/test_store.py."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(credentials, "_hasher", lambda: CHEAP_HASHER)
        credentials.dummy_hash.cache_clear()
        try:
            yield
        finally:
            credentials.dummy_hash.cache_clear()


@dataclass
class Api:
    """An app over a copy of the demo workspace and a small other workspace, with users
    ``viewer@``, ``editor@``, ``admin@`` (their role in the demo) and ``outsider@`` (admin of
    the other workspace only)."""

    app: FastAPI
    store: ServerStore
    root: Path
    clients: list[TestClient] = field(default_factory=list)

    def _client(self) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        client.__enter__()
        self.clients.append(client)
        return client

    def anonymous(self) -> TestClient:
        return self._client()

    def login(self, who: str, *, csrf: bool = True) -> TestClient:
        """A client logged in as ``who`` (viewer, editor, admin, outsider) with the session
        cookie, sending the CSRF header (unless ``csrf`` is False)."""
        client = self._client()
        answer = client.post(
            "/api/v1/auth/login", json={"email": f"{who}@example.com", "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        if csrf:
            client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client

    def bearer(self, who: str, *, read_only: bool = False, name: str | None = None) -> TestClient:
        """A client that sends a new personal access token of ``who``."""
        user = self.store.user(f"{who}@example.com")
        _, text = self.store.create_token(
            user.id, name or f"t{len(self.clients)}", read_only=read_only
        )
        client = self._client()
        client.headers["Authorization"] = f"Bearer {text}"
        return client

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)


def make_api(root: Path, other: Path, home: Path, **settings: object) -> Api:
    # No warmer unless a test asks for one: it computes pages in the background of every
    # test app (a quarter of the server tests' time), and its own tests turn it on.
    settings.setdefault("warm_seconds", 0)
    config = ServerSettings(home=home, **settings)  # type: ignore[arg-type]
    store = ServerStore.open(config.store_url(), upgrade=True)
    main, _ = register(store, root, actor="test")
    second, _ = register(store, other, actor="test")
    for role in ROLES:
        store.add_user(f"{role}@example.com", PASSWORD, actor="test")
        store.set_role(f"{role}@example.com", main.id, role, actor="test")
    store.add_user("outsider@example.com", PASSWORD, actor="test")
    store.set_role("outsider@example.com", second.id, "admin", actor="test")
    app = create_app(config, store=store)
    return Api(app, store, root)


class StorePool:
    """Migrated server stores, handed out empty.

    SQLite: a store file migrated once, copied for each new store (a copy, not a migration:
    milliseconds, not a second). PostgreSQL: databases made and migrated on first need, each
    given back emptied (every table but the version table, identities restarted, as a new
    store has them) for the next; a worker thus makes as many databases as it uses at once,
    not one per test, and drops them at the end of the session. They commit without waiting
    for the disk (``synchronous_commit = off``): a test server that crashes loses its test
    data anyway, and a commit that waits for an fsync is most of a request's time under load.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite_template: Path | None = None
        self._free: list[str] = []
        self._made: list[contextlib.ExitStack] = []

    def _template(self) -> Path:
        if self._sqlite_template is None:
            path = self.folder / "migrated.db"
            ServerStore.open(f"sqlite:///{path}", upgrade=True).close()
            self._sqlite_template = path
        return self._sqlite_template

    @contextlib.contextmanager
    def url(self, kind: str, home: Path) -> Iterator[str]:
        """The URL of an empty, migrated server store on ``kind``: on SQLite, ``server.db`` in
        ``home`` (where the server keeps it by default), else a PostgreSQL database."""
        if kind == "sqlite":
            home.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self._template(), home / "server.db")
            yield f"sqlite:///{home / 'server.db'}"
            return
        url = self._free.pop() if self._free else self._new_pg()
        try:
            yield url
        finally:
            _empty(url)
            self._free.append(url)

    @contextlib.contextmanager
    def settings(self, kind: str, home: Path) -> Iterator[dict[str, object]]:
        """The settings that give an app in ``home`` an empty, migrated server store on
        ``kind`` (see :meth:`url`; on SQLite, the default place)."""
        with self.url(kind, home) as url:
            yield {} if kind == "sqlite" else {"metadata_url": url}

    def _new_pg(self) -> str:
        from store.conftest import new_pg_database

        stack = contextlib.ExitStack()
        url = stack.enter_context(new_pg_database())
        self._made.append(stack)
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            name = engine.dialect.identifier_preparer.quote(str(engine.url.database))
            with engine.connect() as con:
                con.exec_driver_sql(f"ALTER DATABASE {name} SET synchronous_commit = off")
        finally:
            engine.dispose()
        ServerStore.open(url, upgrade=True).close()
        engine = sa.create_engine(url)
        try:
            with engine.connect() as con:
                for table in ServerBase.metadata.sorted_tables:
                    rows = con.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                    # _empty would delete rows a migration writes: a new store would differ.
                    assert rows == 0, f"the migrations write rows into {table.name}"
        finally:
            engine.dispose()
        return url

    def close(self) -> None:
        for stack in self._made:
            stack.close()


def _empty(url: str) -> None:
    """Empty every table of the server store at ``url`` (not its version table)."""
    engine = sa.create_engine(url)
    try:
        quote = engine.dialect.identifier_preparer.quote
        tables = ", ".join(quote(t.name) for t in ServerBase.metadata.sorted_tables)
        with engine.begin() as con:
            con.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@contextlib.contextmanager
def app_over(
    pool: StorePool, kind: str, root: Path, other: Path, home: Path, **settings: object
) -> Iterator[Api]:
    """An app (support/server.py: ``make_api``) over ``root`` with a new server store on
    ``kind``, closed afterwards."""
    with pool.settings(kind, home) as where:
        made = make_api(root, other, home, **where, **settings)
        try:
            yield made
        finally:
            made.close()
            made.store.close()


def ok(answer: Any, status: int = 200) -> Any:
    """The JSON of an API answer, after checking its status (the answer's text if not)."""
    assert answer.status_code == status, answer.text
    return answer.json()


def app_routes(app: FastAPI) -> list[tuple[str, set[str], Any]]:
    """(path, methods, route) of every route of ``app``, those of included routers too."""
    try:  # FastAPI 0.16x keeps included routers as they are
        from fastapi.routing import iter_route_contexts
    except ImportError:  # before: app.routes is flat
        return [
            (getattr(r, "path", ""), getattr(r, "methods", None) or set(), r) for r in app.routes
        ]
    return [
        (c.path or "", c.methods or set(), c.original_route)
        for c in iter_route_contexts(app.routes)
    ]
