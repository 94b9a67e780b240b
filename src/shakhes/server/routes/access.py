"""Workspaces you belong to, their members (admins), your personal access tokens, and the
server's audit log of a workspace."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shakhes.server.deps import Admin, CurrentPrincipal, Server, Viewer
from shakhes.server.store import TokenInfo

router = APIRouter(prefix="/api/v1", tags=["access"])

Role = Literal["viewer", "editor", "admin"]


class WorkspaceOut(BaseModel):
    id: str
    name: str
    role: Role
    currency: str | None = None
    locale: str | None = None
    calendar: str | None = None


class MemberOut(BaseModel):
    email: str
    role: Role


class MemberIn(BaseModel):
    email: str = Field(max_length=320, description="An existing user's e-mail.")
    role: Role


class SettingsOut(BaseModel):
    """The settings of a workspace a marketer sets (the rest stay in ``shakhes.toml``)."""

    name: str
    currency: str
    locale: Literal["en", "fa"]
    calendar: Literal["gregorian", "jalali"]
    week_start: str
    fiscal_year_start_month: int
    gross_margin: float | None


class SettingsIn(BaseModel):
    """The settings to change (the ones left out stay; ``gross_margin`` null removes it)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    currency: str | None = Field(default=None, description="ISO 4217 code, e.g. USD, IRR.")
    locale: Literal["en", "fa"] | None = None
    calendar: Literal["gregorian", "jalali"] | None = None
    week_start: str | None = Field(default=None, description="monday … sunday")
    fiscal_year_start_month: int | None = None
    gross_margin: float | None = Field(
        default=None, description="A fraction (0.4 for 40 %); null removes it."
    )


class TokenOut(BaseModel):
    id: int
    name: str
    read_only: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token's text: shown this once, never again.")


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    read_only: bool = False


class ServerAuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    workspace: str | None
    subject: str | None
    detail: dict[str, object] | None


def _token(t: TokenInfo) -> TokenOut:
    return TokenOut(
        id=t.id,
        name=t.name,
        read_only=t.read_only,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


@router.get("/workspaces")
def list_workspaces(principal: CurrentPrincipal, server: Server) -> list[WorkspaceOut]:
    """The workspaces you are a member of, with your role in each."""
    return [
        WorkspaceOut(id=info.id, name=info.name, role=role)
        for info, role in server.store.memberships(principal.user.id)
    ]


@router.get("/workspaces/{workspace}")
def get_workspace(m: Viewer) -> WorkspaceOut:
    """One workspace: its name, your role, its currency, locale and calendar."""
    s = m.ws.settings
    return WorkspaceOut(
        id=m.info.id,
        name=m.info.name,
        role=m.role,
        currency=s.currency,
        locale=s.locale,
        calendar=str(s.calendar),
    )


@router.get("/workspaces/{workspace}/settings")
def get_settings(m: Viewer) -> SettingsOut:
    """The workspace's settings: currency, locale, calendar, week start, fiscal year, gross
    margin."""
    from shakhes.service import workspace_settings

    return SettingsOut(**workspace_settings.view(m.ws).to_dict())


@router.put("/workspaces/{workspace}/settings")
def put_settings(body: SettingsIn, m: Admin) -> SettingsOut:
    """Change the workspace's settings (admins only): ``shakhes.toml`` is rewritten at once
    and the server uses them from the next request on; every invalid field is reported."""
    from shakhes.service import workspace_settings

    changes = body.model_dump(exclude_unset=True)
    found = workspace_settings.update(m.ws, changes, actor=m.email)
    return SettingsOut(**found.to_dict())


@router.get("/workspaces/{workspace}/members")
def list_members(m: Admin, server: Server) -> list[MemberOut]:
    """Everyone who may use the workspace, with their role (admins only)."""
    return [MemberOut(email=x.email, role=x.role) for x in server.store.members(m.info.id)]


@router.put("/workspaces/{workspace}/members")
def set_member(body: MemberIn, m: Admin, server: Server) -> MemberOut:
    """Give an existing user a role in the workspace (or change it)."""
    done = server.store.set_role(body.email, m.info.id, body.role, actor=m.email)
    return MemberOut(email=done.email, role=done.role)


@router.delete("/workspaces/{workspace}/members/{email}")
def remove_member(email: str, m: Admin, server: Server) -> list[MemberOut]:
    """Take a user out of the workspace; returns the members left."""
    server.store.remove_member(email, m.info.id, actor=m.email)
    return list_members(m, server)


@router.get("/workspaces/{workspace}/server-audit")
def server_audit(
    m: Admin,
    server: Server,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[ServerAuditOut]:
    """The server's audit log for the workspace (members, and every change made through the
    API), newest first."""
    return [
        ServerAuditOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            workspace=e.workspace_id,
            subject=e.subject,
            detail=e.detail,
        )
        for e in server.store.audit(workspace=m.info.id, limit=limit)
    ]


@router.get("/tokens")
def list_tokens(principal: CurrentPrincipal, server: Server) -> list[TokenOut]:
    """Your personal access tokens (never their text)."""
    return [_token(t) for t in server.store.tokens(principal.user.id)]


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, principal: CurrentPrincipal, server: Server) -> TokenCreated:
    """A new personal access token; its text is in this answer only."""
    info, text = server.store.create_token(principal.user.id, body.name, read_only=body.read_only)
    return TokenCreated(**_token(info).model_dump(), token=text)


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, principal: CurrentPrincipal, server: Server) -> TokenOut:
    """Revoke one of your tokens: it stops working at once."""
    return _token(server.store.revoke_token(principal.user.id, token_id))
