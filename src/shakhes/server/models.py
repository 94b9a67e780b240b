"""Tables of the server store: users, the workspaces the server hosts, who may do what in each
(memberships), login sessions, personal access tokens, login attempts and the server's audit log.

The server store is a database of its own (``metadata_url`` of :mod:`shakhes.server.settings`),
apart from any workspace's metadata store: one server hosts many workspaces with one set of users.
Its schema is owned by the Alembic migrations in ``shakhes/server/migrations`` (version table
``shakhes_server_version``); these classes describe it for the ORM and must stay in step.

Secrets are never stored: a password as its argon2id hash, a session or access token as the
SHA-256 of its text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shakhes.store.models import NAMING_CONVENTION, JsonType, UtcDateTime, utcnow

ROLES = ("viewer", "editor", "admin")
"""Roles in a workspace, weakest first: each may do what the ones before it may."""
LOCALES = ("en", "fa")


def role_rank(role: str) -> int:
    """The role's place in :data:`ROLES` (a higher rank may do more)."""
    return ROLES.index(role)


class ServerBase(DeclarativeBase):
    """Declarative base of the server store (its own metadata, apart from the workspace's)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 - SQLAlchemy reads it


class User(ServerBase):
    """Someone who may log in. ``email`` is kept lower-case, so it is unique case-insensitively."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("locale IN ('en', 'fa')", name="locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(2), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServedWorkspace(ServerBase):
    """A workspace the server hosts: its settings id, folder and display name."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    path: Mapped[str] = mapped_column(String(4096))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(ServerBase):
    """A user's role in one workspace."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(ServerBase):
    """A browser's login: the SHA-256 of its cookie, its CSRF token, when it ends."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class AccessToken(ServerBase):
    """A personal access token for the API: the SHA-256 of its text (shown once)."""

    __tablename__ = "access_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(ServerBase):
    """A failed login, by e-mail and client address, for rate limiting."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ServerAuditEntry(ServerBase):
    """One change to the server's state: who did what (to which workspace), when."""

    __tablename__ = "server_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))  # store.ACTION_LENGTH
    workspace_id: Mapped[str | None] = mapped_column(String(63), default=None)
    subject: Mapped[str | None] = mapped_column(String(320), default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType, default=None)
