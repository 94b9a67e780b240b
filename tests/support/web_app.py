"""An app serving the pages with a fake ``caller`` (the server's own resolves the session)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException

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
