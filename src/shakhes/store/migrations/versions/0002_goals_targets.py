"""Goals and targets: the goals table and every version of every target.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("goal_id", sa.String(63), nullable=False),
        sa.Column("spec", _json(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_goals_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "goal_id", name="pk_goals"),
    )
    op.create_table(
        "target_versions",
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("target_id", sa.String(63), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.String(63), nullable=False),
        sa.Column("spec", _json(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("ended_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_target_versions_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "target_id", "revision", name="pk_target_versions"
        ),
    )
    op.create_index(
        "ix_target_versions_workspace_kpi",
        "target_versions",
        ["workspace_id", "kpi_id"],
        unique=False,
    )
    op.create_index(
        "uq_target_versions_current",
        "target_versions",
        ["workspace_id", "target_id"],
        unique=True,
        sqlite_where=sa.text("valid_to IS NULL"),
        postgresql_where=sa.text("valid_to IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_target_versions_current", table_name="target_versions")
    op.drop_index("ix_target_versions_workspace_kpi", table_name="target_versions")
    op.drop_table("target_versions")
    op.drop_table("goals")
