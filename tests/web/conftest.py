"""The pages on two demo workspaces (made once per test module): ``demo`` (English,
Gregorian) and ``demo-fa`` (Persian, Jalali), served by an app that mounts the pages' router
with a fake ``caller`` (the server's own resolves the session; here every request is a viewer's
of the workspace in the URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from shakhes.demo import build_demo
from shakhes.web import pages, static
from shakhes.web.caller import PageCaller, WorkspaceChoice
from shakhes.workspace import Workspace

CSRF = "test-csrf-token"


def make_app(workspaces: dict[str, Workspace]) -> FastAPI:
    """An app with the pages and static files, its caller a viewer of every workspace."""
    choices = tuple(WorkspaceChoice(k, ws.settings.name) for k, ws in workspaces.items())

    def caller(workspace: str) -> PageCaller:
        ws = workspaces.get(workspace)
        if ws is None:
            raise HTTPException(status_code=404)
        locale = "fa" if ws.settings.locale.value == "fa" else "en"
        return PageCaller("viewer@example.com", ws, "viewer", locale, CSRF, choices)

    app = FastAPI()
    app.include_router(pages.router(caller))
    static.mount(app)
    return app


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Workspace]]:
    root = Path(tmp_path_factory.mktemp("web"))
    en, _ = build_demo(root / "demo")
    fa, _ = build_demo(root / "demo-fa", locale="fa")
    found = {"demo": en, "demo-fa": fa}
    yield found
    for ws in found.values():
        ws.close()


@pytest.fixture(scope="module")
def client(demos: dict[str, Workspace]) -> Iterator[TestClient]:
    with TestClient(make_app(demos)) as c:
        yield c
