"""The pages on two demo workspaces, made once per test session (the pages only read them):
``demo`` (English, Gregorian) and ``demo-fa`` (Persian, Jalali), served by an app that mounts
the pages' router with a fake ``caller`` (the server's own resolves the session; here every
request is a viewer's of the workspace in the URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.web_app import make_app

from shakhes.demo import build_demo
from shakhes.workspace import Workspace


@pytest.fixture(scope="session")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Workspace]]:
    root = Path(tmp_path_factory.mktemp("web"))
    en, _ = build_demo(root / "demo")
    fa, _ = build_demo(root / "demo-fa", locale="fa")
    found = {"demo": en, "demo-fa": fa}
    yield found
    for ws in found.values():
        ws.close()


@pytest.fixture(scope="session")
def client(demos: dict[str, Workspace]) -> Iterator[TestClient]:
    with TestClient(make_app(demos)) as c:
        yield c
