"""The Alembic migrations create the store's schema on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from shakhes.store import MetadataStore
from shakhes.store.db import (
    MIGRATIONS_DIR,
    alembic_config,
    create_engine_for,
    current_revision,
    head_revision,
    upgrade,
)
from shakhes.store.models import Base

TABLES = {
    "workspaces",
    "kpi_definitions",
    "audit_entries",
    "workspace_state",
    "goals",
    "target_versions",
}

COLUMNS = {
    "workspaces": {"id", "name", "created_at"},
    "kpi_definitions": {
        "workspace_id",
        "kpi_id",
        "spec",
        "revision",
        "source",
        "updated_at",
        "updated_by",
    },
    "audit_entries": {
        "id",
        "workspace_id",
        "entity_type",
        "entity_id",
        "action",
        "before",
        "after",
        "actor",
        "at",
    },
    "workspace_state": {"workspace_id", "data_version", "definitions_version"},
    "goals": {"workspace_id", "goal_id", "spec", "revision", "updated_at", "updated_by"},
    "target_versions": {
        "workspace_id",
        "target_id",
        "revision",
        "kpi_id",
        "spec",
        "valid_from",
        "valid_to",
        "changed_by",
        "ended_by",
    },
}


def _check_schema(url: str) -> sa.Inspector:
    engine = create_engine_for(url)
    try:
        inspector = sa.inspect(engine)
        assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
        for table, columns in COLUMNS.items():
            assert {column["name"] for column in inspector.get_columns(table)} == columns
        assert inspector.get_pk_constraint("kpi_definitions")["constrained_columns"] == [
            "workspace_id",
            "kpi_id",
        ]
        for table in (
            "kpi_definitions",
            "audit_entries",
            "workspace_state",
            "goals",
            "target_versions",
        ):
            (foreign_key,) = inspector.get_foreign_keys(table)
            assert foreign_key["referred_table"] == "workspaces"
            assert foreign_key["constrained_columns"] == ["workspace_id"]
        assert current_revision(engine) == head_revision() == "0002"
        return inspector
    finally:
        engine.dispose()


def _models_match_migrations(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrations_directory_ships_with_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()


def test_sqlite_upgrade_creates_tables(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    _check_schema(sqlite_url)


def test_sqlite_upgrade_twice_is_a_no_op(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    store = MetadataStore.open(sqlite_url)
    store.ensure_workspace("acme", "Acme")
    store.close()
    upgrade(sqlite_url)
    reopened = MetadataStore.open(sqlite_url)
    assert reopened.list_workspaces() == ["acme"]
    reopened.close()


def test_sqlite_models_match_migrations(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    _models_match_migrations(sqlite_url)


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_in_memory_sqlite_store_works() -> None:
    store = MetadataStore.open("sqlite://", upgrade=True)
    store.ensure_workspace("w1", "One")
    assert store.versions("w1") == (0, 0)
    store.close()


def test_sqlite_enforces_foreign_keys_and_uniqueness(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine_for(sqlite_url)
    insert = sa.text(
        "INSERT INTO kpi_definitions "
        "(workspace_id, kpi_id, spec, revision, source, updated_at, updated_by) "
        "VALUES (:ws, :kpi, '{}', 1, :source, CURRENT_TIMESTAMP, 'me')"
    )
    # No such workspace: the foreign key is enforced.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"ws": "nowhere", "kpi": "ctr", "source": "user"})
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO workspaces (id, name, created_at) VALUES ('w', 'W', :at)"),
            {"at": "2024-01-01 00:00:00"},
        )
        connection.execute(insert, {"ws": "w", "kpi": "ctr", "source": "user"})
    # (workspace_id, kpi_id) is unique.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"ws": "w", "kpi": "ctr", "source": "user"})
    # source is 'catalog' or 'user'.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"ws": "w", "kpi": "cpc", "source": "somewhere"})
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM kpi_definitions")).scalar() == 1
    engine.dispose()


def test_downgrade_to_base_drops_everything(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    command.downgrade(alembic_config(sqlite_url), "base")
    engine = create_engine_for(sqlite_url)
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    engine.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_creates_tables(pg_url: str) -> None:
    upgrade(pg_url)
    inspector = _check_schema(pg_url)
    types = {column["name"]: column["type"] for column in inspector.get_columns("audit_entries")}
    assert type(types["before"]).__name__ == "JSONB"
    assert getattr(types["at"], "timezone", False) is True


@pytest.mark.postgres
def test_postgres_models_match_migrations(pg_url: str) -> None:
    upgrade(pg_url)
    _models_match_migrations(pg_url)


@pytest.mark.postgres
def test_postgres_store_round_trip(pg_url: str) -> None:
    store = MetadataStore.open(pg_url, upgrade=True)
    store.ensure_workspace("acme", "Acme")
    assert store.bump_data_version("acme", "loader", {"rows": 3}) == 1
    assert store.versions("acme") == (1, 0)
    store.close()


def test_offline_mode_emits_sql_without_a_database() -> None:
    output = io.StringIO()
    config = alembic_config("postgresql+psycopg://nobody@nowhere/none")
    config.output_buffer = output
    command.upgrade(config, "head", sql=True)
    script = output.getvalue()
    for table in TABLES:
        assert f"CREATE TABLE {table} (" in script
    assert "spec JSONB NOT NULL" in script
    assert "CONSTRAINT pk_kpi_definitions PRIMARY KEY (workspace_id, kpi_id)" in script


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_target_has_at_most_one_current_version(
    backend: str, sqlite_url: str, request: pytest.FixtureRequest
) -> None:
    """The partial unique index of migration 0002, on both backends: many ended versions of a
    target, but never two current ones (the model does not name the PostgreSQL half of it)."""
    url = sqlite_url if backend == "sqlite" else request.getfixturevalue("pg_url")
    upgrade(url)
    engine = create_engine_for(url)
    row = (
        "INSERT INTO target_versions (workspace_id, target_id, revision, kpi_id, spec, "
        "valid_from, valid_to, changed_by) VALUES ('w', 't', :revision, 'ctr', '{}', "
        "'2026-01-01', :valid_to, 'test')"
    )
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO workspaces (id, name, created_at) VALUES ('w', 'w', '2026-01-01')"
                )
            )
            connection.execute(sa.text(row), {"revision": 1, "valid_to": "2026-02-01"})
            connection.execute(sa.text(row), {"revision": 2, "valid_to": "2026-03-01"})
            connection.execute(sa.text(row), {"revision": 3, "valid_to": None})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(sa.text(row), {"revision": 4, "valid_to": None})
    finally:
        engine.dispose()
