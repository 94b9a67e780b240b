"""Fixtures for goals and targets: a metadata store on SQLite and on PostgreSQL (each test run
makes its own databases on the test server), and a Jalali workspace for CLI tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from shakhes.spec.catalog import load_catalog
from shakhes.store import MetadataStore
from shakhes.store.goals import GoalStore

PG_DSN = os.environ.get("SHAKHES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
CATALOG_IDS = ("revenue", "orders", "ctr", "cpc", "cost_per_lead", "leads", "conversions")


def _admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is not reachable at {PG_DSN}: {error}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"shakhes_goals_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def goal_store(store_url: str) -> Iterator[GoalStore]:
    """A migrated store with workspace ``acme`` holding a few catalog KPIs."""
    store = MetadataStore.open(store_url, upgrade=True)
    store.ensure_workspace("acme", "Acme")
    store.apply("acme", [k for k in load_catalog() if k.id in CATALOG_IDS], actor="setup")
    try:
        yield GoalStore(store)
    finally:
        store.close()
