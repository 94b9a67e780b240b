"""The pages of :mod:`shakhes.web`, mounted on the server: who is looking at them.

:func:`page_caller` is the ``caller`` the pages' router asks for: the user of the session
cookie (or of a bearer token), as a member of the page's ``{workspace}``. A visitor who is not
logged in is sent to the login page (and back after it); a user who is not a member of the
workspace gets the same 404 page as for a workspace that does not exist. ``/`` leads to the
user's first workspace.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shakhes.server.deps import optional_principal, state
from shakhes.server.page_words import page_lang, render
from shakhes.server.store import WorkspaceInfo
from shakhes.web.caller import Lang, PageCaller, Role, WorkspaceChoice
from shakhes.workspace import Workspace

home = APIRouter(include_in_schema=False)


class LoginNeeded(Exception):
    """Raised by a page's dependency when nobody is logged in: answered with a redirect to the
    login page, which comes back to ``target`` after the login."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class PageNotFound(Exception):
    """A page of a workspace the user is not a member of (or that does not exist)."""

    def __init__(self, workspace: str, locale: str | None = None) -> None:
        super().__init__(workspace)
        self.workspace = workspace
        self.locale = locale
        """The user's language (the page's words)."""


def login_url(target: str) -> str:
    return "/login?next=" + quote(target, safe="/")


def safe_next(target: str | None) -> str:
    """Where a login may send the user on: a path of this site only (never ``//host`` or a
    full URL, which would make the login page an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def page_caller(workspace: str, request: Request) -> PageCaller:
    """The logged-in user on ``workspace`` (a dependency of every page)."""
    principal = await optional_principal(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginNeeded(target)
    server = state(request)

    def lookup() -> tuple[list[tuple[WorkspaceInfo, str]], Workspace | None, str]:
        memberships = server.memberships(principal.user.id)
        for info, role in memberships:
            if info.id == workspace:
                return memberships, server.workspace(info), role
        return memberships, None, ""

    memberships, ws, role = await run_in_threadpool(lookup)
    if ws is None:
        raise PageNotFound(workspace, principal.user.locale)
    locale: Lang = "fa" if principal.user.locale == "fa" else "en"
    page_role: Role = "admin" if role == "admin" else "editor" if role == "editor" else "viewer"
    return PageCaller(
        email=principal.user.email,
        workspace=ws,
        role=page_role,
        locale=locale,
        csrf_token=principal.session.csrf_token if principal.session is not None else "",
        workspaces=tuple(WorkspaceChoice(i.id, i.name) for i, _ in memberships),
    )


page_caller.min_role = "viewer"  # type: ignore[attr-defined]  # read by the tests' matrix


@home.get("/")
async def start(request: Request) -> Response:
    """The user's first workspace, or the login page."""
    principal = await optional_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    memberships = await run_in_threadpool(state(request).memberships, principal.user.id)
    if not memberships:
        lang = page_lang(request, user_locale=principal.user.locale)
        csrf = principal.session.csrf_token if principal.session is not None else ""
        html = render("no_workspace.html", lang, email=principal.user.email, csrf_token=csrf)
        return HTMLResponse(html, status_code=200)
    return RedirectResponse(f"/w/{quote(memberships[0][0].id)}/", status_code=303)


def install(app: object) -> None:
    """Mount the pages, their static files and the two page-level answers on ``app``."""
    from fastapi import FastAPI

    from shakhes.web import pages, static

    assert isinstance(app, FastAPI)
    app.include_router(home)
    app.include_router(pages.router(page_caller))
    static.mount(app)

    async def login_needed(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginNeeded)
        return RedirectResponse(login_url(exc.target), status_code=303)

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageNotFound)
        lang = page_lang(request, user_locale=exc.locale)
        return HTMLResponse(render("not_found.html", lang), status_code=404)

    app.add_exception_handler(LoginNeeded, login_needed)
    app.add_exception_handler(PageNotFound, not_found)
