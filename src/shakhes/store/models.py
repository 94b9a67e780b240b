"""Tables of the metadata store: workspaces, KPI definitions, goals, targets (every version of
each), the audit log and version counters.

Every row carries a ``workspace_id``, so one store (one SQLite file or one PostgreSQL database)
can hold many workspaces. The schema is created and changed only by the Alembic migrations in
``shakhes/store/migrations``; these classes describe it for the ORM and must stay in step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KPI_SOURCES = ("catalog", "user")
AUDIT_ACTIONS = ("create", "update", "delete", "load")


class _Json(TypeDecorator[Any]):
    """JSON everywhere, JSONB on PostgreSQL; Python ``None`` is stored as SQL NULL. The JSONB
    type is looked up when a PostgreSQL store connects: importing SQLAlchemy's PostgreSQL
    dialect costs ≈ 0.1 s, which a command on a SQLite store need not pay."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))


JsonType = _Json()


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so naive values read from it are marked UTC; aware values written are
    converted to UTC first. Naive values are refused: they are a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC before it is stored."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a value read back as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """A workspace: one marketing team's KPIs and data."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class KpiDefinition(Base):
    """The current definition of one KPI in one workspace."""

    __tablename__ = "kpi_definitions"
    __table_args__ = (CheckConstraint(f"source IN {KPI_SOURCES!r}", name="source"),)

    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class AuditEntry(Base):
    """One change: who changed what, when, and the value before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint(f"action IN {AUDIT_ACTIONS!r}", name="action"),
        Index("ix_audit_entries_workspace_entity", "workspace_id", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WorkspaceState(Base):
    """Version counters the engine uses to invalidate its result cache."""

    __tablename__ = "workspace_state"

    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    definitions_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class GoalDefinition(Base):
    """The current definition of one goal (its KPIs and their links are part of ``spec``)."""

    __tablename__ = "goals"

    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class TargetVersion(Base):
    """One version of a target: what it was from ``valid_from`` until ``valid_to``.

    Changing a target closes its current version (``valid_to``, ``ended_by``) and adds the next
    revision; removing it closes the current one only. So a target's whole history stays, and
    its current version is the one row with no ``valid_to`` (at most one: a partial unique
    index).
    """

    __tablename__ = "target_versions"
    __table_args__ = (
        Index("ix_target_versions_workspace_kpi", "workspace_id", "kpi_id"),
        # Partial on both backends: migration 0002 creates it with ``postgresql_where`` too.
        # Not named here, since a ``postgresql_*`` argument makes SQLAlchemy import its
        # PostgreSQL dialect (≈ 0.1 s) in every command that opens a SQLite store.
        Index(
            "uq_target_versions_current",
            "workspace_id",
            "target_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
        ),
    )

    workspace_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(63))
    spec: Mapped[dict[str, Any]] = mapped_column(JsonType)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    changed_by: Mapped[str] = mapped_column(String(200))
    ended_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
