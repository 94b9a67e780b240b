"""The server tests' app: a user per role over the demo workspace, and logged-in clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shakhes.server.app import create_app
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
