"""Fixtures for the metadata store tests: SQLite files and throwaway PostgreSQL databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from shakhes.spec.kpi import KpiSpec
from shakhes.store import MetadataStore

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

MakeSpec = Callable[..., KpiSpec]


def _admin() -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {error}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"shakhes_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield PG_URL.format(name=name)
    finally:
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new SQLite file database."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """A new, empty database on each backend."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[MetadataStore]:
    """A migrated store with one workspace, ``acme``."""
    opened = MetadataStore.open(store_url)
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
