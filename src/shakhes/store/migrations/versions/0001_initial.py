"""Initial schema: workspaces, KPI definitions, audit log, workspace version counters.

Revision ID: 0001
Revises:
Create Date: 2024-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
    )
    op.create_table(
        "kpi_definitions",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("kpi_id", sa.String(63), nullable=False),
        sa.Column("spec", _json(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "source IN ('catalog', 'user')", name="ck_kpi_definitions_source"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_kpi_definitions_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "kpi_id", name="pk_kpi_definitions"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", _json(), nullable=True),
        sa.Column("after", _json(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'load')", name="ck_audit_entries_action"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_audit_entries_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index(
        "ix_audit_entries_workspace_id", "audit_entries", ["workspace_id"], unique=False
    )
    op.create_index(
        "ix_audit_entries_workspace_entity",
        "audit_entries",
        ["workspace_id", "entity_type", "entity_id"],
        unique=False,
    )
    op.create_table(
        "workspace_state",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("data_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("definitions_version", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_workspace_state_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name="pk_workspace_state"),
    )


def downgrade() -> None:
    op.drop_table("workspace_state")
    op.drop_index("ix_audit_entries_workspace_entity", table_name="audit_entries")
    op.drop_index("ix_audit_entries_workspace_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("kpi_definitions")
    op.drop_table("workspaces")
