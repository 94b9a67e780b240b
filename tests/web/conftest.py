"""The pages on two demo workspaces, made once per test session (the pages only read them):
``demo`` (English, Gregorian) and ``demo-fa`` (Persian, Jalali), served by an app that mounts
the pages' router with a fake ``caller`` (the server's own resolves the session; here every
request is a viewer's of the workspace in the URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.browser import close_shared_chromium, shared_chromium
from support.demo_copy import demo_copy
from support.server import cheap_password_hashes
from support.web_app import make_app

from shakhes.workspace import Workspace


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id at its smallest cost for the logins of the flow test (see support/server.py)."""
    with cheap_password_hashes():
        yield


@pytest.fixture(scope="session")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Workspace]]:
    """Copies of the demo workspaces built once per run (support/demo_copy.py)."""
    root = Path(tmp_path_factory.mktemp("web"))
    en = Workspace.open(demo_copy(tmp_path_factory, root / "demo"))
    fa = Workspace.open(demo_copy(tmp_path_factory, root / "demo-fa", locale="fa"))
    found = {"demo": en, "demo-fa": fa}
    yield found
    for ws in found.values():
        ws.close()


@pytest.fixture(scope="session")
def client(demos: dict[str, Workspace]) -> Iterator[TestClient]:
    with TestClient(make_app(demos)) as c:
        yield c


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The test process's chromium (support/browser.py), for the browser tests."""
    yield shared_chromium()
    close_shared_chromium()
