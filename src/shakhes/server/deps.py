"""Who is asking, and may they: the dependencies every route declares.

A request is authenticated by a personal access token (``Authorization: Bearer shk_…``) or by
the session cookie of a login. A state-changing request (anything but GET, HEAD, OPTIONS)
authenticated by the cookie must carry the session's CSRF token in the ``X-CSRF-Token`` header
(or a ``csrf_token`` form field); a bearer token needs none, but a read-only token may only
read. Under ``/api/v1/workspaces/{workspace}/…`` a user who is not a member of the workspace
gets 404, exactly as for a workspace that does not exist; a member whose role is too low gets
403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from shakhes.server import credentials
from shakhes.server.errors import ApiError
from shakhes.server.models import role_rank
from shakhes.server.state import ServerState
from shakhes.server.store import SessionInfo, TokenInfo, UserInfo, WorkspaceInfo
from shakhes.workspace import Workspace, acting_as

SESSION_COOKIE = "shakhes_session"
CSRF_COOKIE = "shakhes_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A personal access token: `Authorization: Bearer shk_…`.",
)
COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The session cookie of a login; state-changing requests also need the "
    "X-CSRF-Token header.",
)
"""The two ways to authenticate, declared so that the OpenAPI document (and /docs'
Authorize button) knows them; the requests themselves are read below."""


@dataclass(frozen=True)
class Principal:
    """The user a request acts for, and how they proved it (a session or a token)."""

    user: UserInfo
    session: SessionInfo | None = None
    token: TokenInfo | None = None


@dataclass(frozen=True)
class Member:
    """A member of the workspace a request is about, with their role and the open workspace."""

    principal: Principal
    info: WorkspaceInfo
    role: str
    ws: Workspace

    @property
    def email(self) -> str:
        return self.principal.user.email


def state(request: Request) -> ServerState:
    server: ServerState = request.app.state.server
    return server


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(
            401,
            "the Authorization header is not 'Bearer <token>'",
            hint="Send a personal access token as 'Authorization: Bearer shk_…'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return value.strip()


async def _csrf_given(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def optional_principal(
    request: Request,
    _token: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
    _cookie: Annotated[str | None, Depends(COOKIE)] = None,
) -> Principal | None:
    """The user of a valid token or session (None when the request carries neither)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    server = state(request)
    token = _bearer(request)
    principal: Principal | None = None
    if token is not None:
        found = await run_in_threadpool(server.store.user_for_token, token)
        if found is None:
            raise ApiError(
                401,
                "the access token is unknown or revoked",
                hint="Create a new token and use it instead.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        user, info = found
        if info.read_only and request.method not in SAFE_METHODS:
            raise ApiError(
                403,
                f"the token '{info.name}' is read-only",
                code="read_only_token",
                hint="Use a token that may write for this request.",
            )
        principal = Principal(user, token=info)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            session = await run_in_threadpool(server.session_for, cookie)
            if session is not None:
                if request.method not in SAFE_METHODS:
                    given = await _csrf_given(request)
                    if not given or not credentials.same(given, session.csrf_token):
                        raise ApiError(
                            403,
                            "the request lacks the CSRF token of your session",
                            code="csrf",
                            hint=f"Send the {CSRF_HEADER} header with the csrf_token that "
                            "/api/v1/auth/me gives (the shakhes_csrf cookie).",
                        )
                principal = Principal(session.user, session=session)
    if principal is not None:
        request.state.principal = principal
        acting_as(principal.user.email)
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The authenticated user, or 401."""
    if principal is None:
        raise ApiError(
            401,
            "you are not logged in",
            hint="Log in, or send 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Server = Annotated[ServerState, Depends(state)]


def member(min_role: str) -> object:
    """A dependency: the caller as a member of the path's ``{workspace}`` with at least
    ``min_role`` (404 when not a member or no such workspace, 403 when the role is too low)."""

    async def dependency(workspace: str, request: Request, principal: CurrentPrincipal) -> Member:
        server = state(request)

        def lookup() -> tuple[WorkspaceInfo, str] | None:
            for info, role in server.memberships(principal.user.id):
                if info.id == workspace:
                    return info, role
            return None

        found = await run_in_threadpool(lookup)
        if found is None:
            raise ApiError(
                404,
                f"no workspace '{workspace}'",
                code="unknown_workspace",
                hint="GET /api/v1/workspaces lists the workspaces you belong to.",
            )
        info, role = found
        if role_rank(role) < role_rank(min_role):
            raise ApiError(
                403,
                f"this needs the {min_role} role in '{workspace}'; you are {role}",
                code="forbidden",
                hint="Ask an admin of the workspace for a higher role.",
            )
        ws = await run_in_threadpool(server.workspace, info)
        return Member(principal, info, role, ws)

    dependency.min_role = min_role  # type: ignore[attr-defined]  # read by the tests' matrix
    return Depends(dependency)


Viewer = Annotated[Member, member("viewer")]
Editor = Annotated[Member, member("editor")]
Admin = Annotated[Member, member("admin")]
