"""Fixtures for the metadata store tests: SQLite files and throwaway PostgreSQL databases.

PostgreSQL tests are marked ``postgres``; like the rest of the suite they fail (not skip) when the
server in ``SHAKHES_TEST_PG`` is down. Deselect them with ``-m "not postgres"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import make_url

from shakhes.spec.kpi import KpiSpec
from shakhes.store import MetadataStore, create_engine_for, upgrade

PG_DSN = os.environ.get("SHAKHES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
"""The test server, as in tests/conftest.py; each test run makes its own databases on it."""

STORE_TABLES = (
    "audit_entries",
    "kpi_definitions",
    "goals",
    "target_versions",
    "workspace_state",
    "workspaces",
)

MakeSpec = Callable[..., KpiSpec]


def _admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is not reachable at {PG_DSN}: {error}")


@contextmanager
def new_pg_database() -> Iterator[str]:
    """Create an empty database on the test server; yield its SQLAlchemy URL; drop it."""
    name = f"shakhes_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield (
            make_url(PG_DSN)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database (no tables), dropped after the test."""
    with new_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_store_url() -> Iterator[str]:
    """A migrated PostgreSQL database shared by the session; tests empty it after use."""
    with new_pg_database() as url:
        upgrade(url)
        yield url


def _empty(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            for table in STORE_TABLES:
                connection.execute(sa.table(table).delete())
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new SQLite file database."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty store database on each backend (migrated on PostgreSQL, not yet on SQLite)."""
    if request.param == "sqlite":
        yield str(request.getfixturevalue("sqlite_url"))
        return
    url = str(request.getfixturevalue("pg_store_url"))
    try:
        yield url
    finally:
        _empty(url)


@pytest.fixture
def store(store_url: str) -> Iterator[MetadataStore]:
    """A migrated store with one workspace, ``acme``."""
    opened = MetadataStore.open(store_url, upgrade=True)
    opened.ensure_workspace("acme", "Acme Marketing")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def make_spec() -> MakeSpec:
    """Build a valid KpiSpec, overriding any field."""

    def build(kpi_id: str, **overrides: Any) -> KpiSpec:
        data: dict[str, Any] = {
            "id": kpi_id,
            "name": {"en": f"KPI {kpi_id}", "fa": f"شاخص {kpi_id}"},
            "description": {"en": "What it measures.", "fa": "چه چیزی را می‌سنجد."},
            "formula": "sum(ad_performance.clicks) / sum(ad_performance.impressions)",
            "unit": "ratio",
            "direction": "higher_is_better",
            "kind": "operational",
            "timing": "leading",
            "category": "engagement",
        }
        data.update(overrides)
        return KpiSpec.model_validate(data)

    return build
