"""Log in and out, who am I, change my password: ``/api/v1/auth/…``, the login page
(``GET /login``, form ``POST /login``, ``POST /logout``), and whether the server is ready
(``GET /api/v1/health``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from shakhes.errors import ShakhesError
from shakhes.server import credentials
from shakhes.server.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentPrincipal,
    Principal,
    Server,
    optional_principal,
)
from shakhes.server.errors import ApiError
from shakhes.server.routes.web import safe_next
from shakhes.server.schemas import Health
from shakhes.server.state import ServerState
from shakhes.server.store import RateLimits, SessionInfo

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
pages = APIRouter(include_in_schema=False)
health = APIRouter(tags=["server"])


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class WorkspaceRole(BaseModel):
    id: str
    name: str
    role: Literal["viewer", "editor", "admin"]


class Me(BaseModel):
    email: str
    locale: Literal["en", "fa"]
    csrf_token: str | None = Field(
        description="The session's CSRF token: send it as X-CSRF-Token on every state-changing "
        "request authenticated by the session cookie (null with a bearer token)."
    )
    auth: Literal["session", "token"]
    read_only: bool
    workspaces: list[WorkspaceRole]


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class LocaleIn(BaseModel):
    locale: Literal["en", "fa"]


class Done(BaseModel):
    ok: bool = True


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limits(server: ServerState) -> RateLimits:
    s = server.settings
    return RateLimits(
        window=dt.timedelta(minutes=s.login_window_minutes),
        per_email=s.max_failures_per_email,
        per_client=s.max_failures_per_client,
    )


def _secure(server: ServerState, request: Request) -> bool:
    if server.settings.secure_cookies is not None:
        return server.settings.secure_cookies
    return request.url.scheme == "https"


def _login(
    server: ServerState, request: Request, email: str, password: str
) -> tuple[SessionInfo, str]:
    return server.store.login(
        email,
        password,
        client=_client(request),
        lifetime=dt.timedelta(hours=server.settings.session_hours),
        limits=_limits(server),
    )


def _set_cookies(
    response: Response, server: ServerState, request: Request, session: SessionInfo, token: str
) -> None:
    max_age = int(server.settings.session_hours * 3600)
    secure = _secure(server, request)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE,
        session.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=secure,
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


def _me(server: ServerState, principal: Principal) -> Me:
    return Me(
        email=principal.user.email,
        locale=principal.user.locale,
        csrf_token=principal.session.csrf_token if principal.session else None,
        auth="session" if principal.session else "token",
        read_only=bool(principal.token and principal.token.read_only),
        workspaces=[
            WorkspaceRole(id=info.id, name=info.name, role=role)
            for info, role in server.store.memberships(principal.user.id)
        ],
    )


@router.post("/login", responses={401: {}, 429: {}})
def login(body: LoginIn, request: Request, response: Response, server: Server) -> Me:
    """Log in with e-mail and password: sets the session cookie (HttpOnly) and the
    ``shakhes_csrf`` cookie, and returns who you are with the CSRF token."""
    session, token = _login(server, request, body.email, body.password)
    _set_cookies(response, server, request, session, token)
    return _me(server, Principal(session.user, session=session))


@router.post("/logout")
def logout(principal: CurrentPrincipal, response: Response, server: Server) -> Done:
    """End the current session (with a token: nothing to end; revoke the token instead)."""
    if principal.session is not None:
        server.store.logout(principal.session.id)
    _clear_cookies(response)
    return Done()


@health.get("/api/v1/health")
def health_check(server: Server) -> Health:
    """Whether the server is up and ready (for load balancers and scripts; anyone may ask):
    ``ready`` is false while the workspaces named on ``shakhes serve``'s command line are
    being opened and their most visited pages computed. It names no workspace."""
    return Health(ready=server.ready())


@router.get("/me")
def me(principal: CurrentPrincipal, server: Server) -> Me:
    """Who you are, your workspaces and roles, and your session's CSRF token."""
    return _me(server, principal)


@router.post("/password", responses={401: {}, 429: {}})
def change_password(
    body: PasswordIn,
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    server: Server,
) -> Done:
    """Change your password; every session of yours ends (log in again). Wrong current
    passwords count as failed logins (429 after as many)."""
    server.store.change_password(
        principal.user.id, body.current_password, body.new_password,
        client=_client(request), limits=_limits(server),
    )  # fmt: skip
    _clear_cookies(response)
    return Done()


@router.put("/locale")
def set_locale(body: LocaleIn, principal: CurrentPrincipal, server: Server) -> Done:
    """Your language for pages: en or fa."""
    server.store.set_locale(principal.user.id, body.locale)
    return Done()


# ---- the login page -----------------------------------------------------------------------------


LOGIN_CSRF_COOKIE = "shakhes_login_csrf"
"""The login form's own CSRF token (a double-submit cookie): ``GET /login`` sets it and puts
the same value in the form, ``POST /login`` takes a login only when both agree — so another
site cannot log a browser in to an account of its choosing (login CSRF)."""


def _page(
    request: Request,
    server: ServerState,
    error: str | None = None,
    email: str = "",
    status: int = 200,
    next_: str = "/",
    lang: str | None = None,
) -> HTMLResponse:
    """The login page with a form token: the browser's own when it has one, else a new one;
    in the language asked (:func:`~shakhes.server.page_words.page_lang`)."""
    from shakhes.server.page_words import page_lang, render

    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or credentials.new_token()
    html = render(
        "login.html", page_lang(request, lang),
        error=error, email=email, next=next_, csrf_token=csrf,
    )  # fmt: skip
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        max_age=LOGIN_FORM_SECONDS,
        path="/login",
        httponly=True,
        samesite="lax",
        secure=_secure(server, request),
    )
    return response


LOGIN_FORM_SECONDS = 2 * 3600
"""How long a login form's token lasts (a page left open longer is reloaded with a new one)."""


@pages.get("/login")
def login_page(request: Request, server: Server, next: str | None = None) -> HTMLResponse:
    return _page(request, server, next_=safe_next(next))  # its language: ?lang=, else the browser's


@pages.post("/login", response_model=None)
def login_form(
    request: Request,
    server: Server,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
    csrf_token: Annotated[str, Form(max_length=256)] = "",
    lang: Annotated[str | None, Form(max_length=8)] = None,
) -> Response:
    from shakhes.server.error_words import persian
    from shakhes.server.page_words import WORDS, page_lang

    target = safe_next(next)
    chosen = page_lang(request, lang)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not csrf_token or not credentials.same(csrf_token, cookie):
        # Not this browser's own form (or one whose token has expired): a new form, no login.
        return _page(request, server, WORDS[chosen]["expired"], email, 403, target, chosen)
    try:
        session, token = _login(server, request, email, password)
    except ShakhesError as exc:
        status = 429 if exc.code == "too_many_attempts" else 401
        message = exc.message
        if chosen == "fa":
            message = persian(status, exc.code, exc.message, None, None, exc.params)[0]
        return _page(request, server, message, email, status, target, chosen)
    response = RedirectResponse(target, status_code=303)
    _set_cookies(response, server, request, session, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@pages.post("/logout", response_model=None)
async def logout_form(request: Request, server: Server) -> Response:
    principal = await optional_principal(request)
    if principal is None:
        raise ApiError(401, "you are not logged in")
    if principal.session is not None:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(server.store.logout, principal.session.id)
    response = RedirectResponse("/login", status_code=303)
    _clear_cookies(response)
    return response
