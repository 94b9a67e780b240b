"""The web app: :func:`create_app` builds it from :class:`~shakhes.server.settings.ServerSettings`.

A factory, not a module global: ``uvicorn --factory shakhes.server.app:app_from_env`` builds
one per worker. The app opens the server store (its schema must be current: ``shakhes serve``
upgrades it first), opens each hosted workspace once on first use, and closes them all on
shutdown. Routes are plain functions (run in the thread pool) that parse input, call the
service layer and shape its answer; every error is answered in the one JSON shape of
:mod:`shakhes.server.errors`. The API's docs page (``/docs``) is served with Swagger UI's
files from an installed package: no CDN.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shakhes import __version__
from shakhes.server import errors
from shakhes.server.deps import SAFE_METHODS, Principal
from shakhes.server.errors import ErrorResponse
from shakhes.server.routes import access, auth, data, kpis, web
from shakhes.server.settings import ServerSettings
from shakhes.server.state import ServerState
from shakhes.server.store import ServerStore

DESCRIPTION = """The REST API of shakhes: workspaces, KPIs, goals and targets, computation,
imports and their users. Authenticate with a personal access token
(`Authorization: Bearer shk_…`) or the session cookie of a login; with the cookie, send the
session's CSRF token (`GET /api/v1/auth/me`) as `X-CSRF-Token` on every state-changing request.
Every error has the shape `{"error": {"code", "message", "hint", "details"}}`."""


def _swagger_static() -> Path | None:
    try:
        import swagger_ui
    except ImportError:  # pragma: no cover - a dependency
        return None
    folder = Path(swagger_ui.__file__).resolve().parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def create_app(
    settings: ServerSettings | None = None, *, store: ServerStore | None = None
) -> FastAPI:
    """The app for ``settings`` (default: from the environment); ``store``: an open server store
    to use instead of opening ``settings.store_url()`` (the app closes it on shutdown)."""
    settings = settings or ServerSettings()
    import_before_threads()
    server = ServerState(settings, store or ServerStore.open(settings.store_url()))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        server.open_at_start()
        try:
            yield
        finally:
            await run_in_threadpool(server.close)

    app = FastAPI(
        title="shakhes",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses={
            400: {"model": ErrorResponse, "description": "Bad input"},
            401: {"model": ErrorResponse, "description": "Not logged in"},
            403: {"model": ErrorResponse, "description": "Not allowed"},
            404: {"model": ErrorResponse, "description": "Not found"},
            422: {"model": ErrorResponse, "description": "Invalid request"},
        },
    )
    app.state.server = server
    errors.install(app)
    for router in (auth.health, auth.router, access.router, kpis.router, data.router, auth.pages):
        app.include_router(router)

    static = _swagger_static()
    if static is not None:
        app.mount("/static/swagger-ui", StaticFiles(directory=static), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="shakhes API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    web.install(app)  # after Swagger UI's /static/swagger-ui, before the pages' /static/…

    app.add_middleware(AuditMiddleware, server=server)

    return app


class AuditMiddleware:
    """Record every successful state change in the server's audit log: a pure ASGI middleware
    (Starlette's ``BaseHTTPMiddleware`` costs every request, reads included, a task and a
    stream of its own), which looks only at requests that may change state. The entry is
    written when the answer's status is known, before the answer is sent."""

    def __init__(self, app: ASGIApp, server: ServerState) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await self._record(scope)
            await send(message)

        await self.app(scope, receive, sending)

    async def _record(self, scope: Scope) -> None:
        principal: Principal | None = scope.get("state", {}).get("principal")
        if principal is None:
            return
        workspace = (scope.get("path_params") or {}).get("workspace")
        await run_in_threadpool(
            self.server.store.record,
            principal.user.email,
            f"{scope['method']} {scope['path']}",
            workspace=str(workspace) if workspace else None,
        )


SERVED_LAZILY = ("pandas", "plotly.graph_objects", "plotly.io")
"""Modules the pages import on first use, imported when the app is built instead, before any
request thread: Plotly looks a module up in ``sys.modules`` (its optional import of pandas)
and can find it half initialized while another thread imports it, and the page fails
(``AttributeError: partially initialized module 'pandas' has no attribute 'Series'``, seen
as a 500 when the first KPI pages of a new server are built at once)."""


def import_before_threads() -> None:
    """Import :data:`SERVED_LAZILY` (the command line keeps importing them lazily), and
    compile the pages' templates (:func:`compile_templates`)."""
    import importlib

    for name in SERVED_LAZILY:
        importlib.import_module(name)
    compile_templates()


def compile_templates() -> int:
    """Compile every template of the pages and the login page once, when the app is built
    (0.18 s), instead of on the first requests: Jinja compiles a template the first time it
    is asked for, under the interpreter lock, and without a lock of its own — the first KPI
    pages of a new server, asked at once, each compiled the same templates (py-spy: a seventh
    of the server's Python time in a burst of bench/web.py's first pages). Returns how many."""
    from shakhes.server.page_words import templates
    from shakhes.web.pages import environment

    count = 0
    for env in (environment(), templates()):
        for name in env.list_templates(filter_func=lambda n: n.endswith((".j2", ".html"))):
            env.get_template(name)
            count += 1
    return count


def app_from_env() -> FastAPI:
    """The app for uvicorn's ``--factory`` (settings from the environment)."""
    return create_app()
