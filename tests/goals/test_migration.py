"""An existing workspace (a store at revision 0001, before goals and targets) upgrades cleanly:
its KPIs and audit log stay, the goals and targets tables are added, and it downgrades back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from support.cli import shakhes

from shakhes.spec.catalog import load_catalog
from shakhes.store import MetadataStore
from shakhes.store.db import HEAD_REVISION, alembic_config, create_engine_for, current_revision
from shakhes.store.db import upgrade as migrate
from shakhes.store.goals import GoalStore
from shakhes.workspace import init


def _at_0001_with_a_kpi(url: str) -> None:
    """A store as shakhes made it before goals: revision 0001, a workspace and one KPI."""
    command.upgrade(alembic_config(url), "0001")
    ctr = next(k for k in load_catalog() if k.id == "ctr")
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO workspaces (id, name, created_at) VALUES ('acme', 'Acme', :t)"
                ),
                {"t": "2025-01-01 00:00:00"},
            )
            connection.execute(
                sa.text("INSERT INTO workspace_state (workspace_id) VALUES ('acme')")
            )
            connection.execute(
                sa.insert(
                    sa.table(
                        "kpi_definitions",
                        sa.column("workspace_id"),
                        sa.column("kpi_id"),
                        sa.column("spec", sa.JSON),
                        sa.column("revision"),
                        sa.column("source"),
                        sa.column("updated_at"),
                        sa.column("updated_by"),
                    )
                ).values(
                    workspace_id="acme",
                    kpi_id="ctr",
                    spec=ctr.model_dump(mode="json"),
                    revision=1,
                    source="catalog",
                    updated_at="2025-01-01 00:00:00",
                    updated_by="old",
                )
            )
        assert current_revision(engine) == "0001"
        assert "goals" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_0001_store_upgrades_and_keeps_its_kpis(store_url: str) -> None:
    _at_0001_with_a_kpi(store_url)
    migrate(store_url)
    with MetadataStore.open(store_url) as store:
        assert [k.id for k in store.list_kpis("acme")] == ["ctr"]
        goals = GoalStore(store)
        assert goals.goals("acme") == [] and goals.targets("acme") == []
    engine = create_engine_for(store_url)
    try:
        assert current_revision(engine) == HEAD_REVISION == "0002"
        tables = set(sa.inspect(engine).get_table_names())
        assert {"goals", "target_versions", "kpi_definitions"} <= tables
    finally:
        engine.dispose()
    command.downgrade(alembic_config(store_url), "0001")
    engine = create_engine_for(store_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        assert "goals" not in tables and "target_versions" not in tables
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM kpi_definitions")).scalar()
        assert count == 1
    finally:
        engine.dispose()


def test_db_upgrade_brings_a_workspace_from_before_goals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    init(root).close()
    url = f"sqlite:///{root / 'metadata.db'}"
    command.downgrade(alembic_config(url), "0001")  # as an older shakhes left it
    monkeypatch.chdir(root)
    run = shakhes(capsys, "goal", "list")
    assert run.code == 1 and "Traceback" not in run.err
    assert "is at schema revision 0001; this shakhes needs revision 0002" in run.err
    assert "shakhes db upgrade" in run.err
    run = shakhes(capsys, "db", "upgrade")
    assert run.code == 0, run.err
    assert run.out.strip() == "Upgraded the metadata store from revision 0001 to 0002."
    run = shakhes(capsys, "goal", "list", "--format", "json")
    assert run.code == 0 and run.out.strip() == "[]"
    run = shakhes(capsys, "kpi", "list")
    assert run.code == 0 and "ctr" in run.out
