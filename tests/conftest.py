"""Fixtures shared by the whole suite: a warehouse on each backend (DuckDB and Postgres)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

# Hypothesis' deadlines and its "too slow" health check measure time, not behaviour: on a busy
# two-core machine a 0.1 ms example sometimes takes 300 ms and fails the run. The number of
# examples each test tries is left as the tests set it.
settings.register_profile("shakhes", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shakhes")

PG_DSN = os.environ.get("SHAKHES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The DSN of the test PostgreSQL server; the run fails (not skips) when it is down, since
    the engine must be tested on Postgres."""
    try:
        with psycopg.connect(PG_DSN, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is not reachable at {PG_DSN}: {exc}")
    return PG_DSN


@pytest.fixture(scope="module")
def pg_database(pg_server: str) -> Iterator[str]:
    """A new, empty database on the test server for one test module; dropped afterwards.
    Yields a URL of the form postgres://postgres@127.0.0.1:5432/NAME."""
    name = f"shakhes_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    base = pg_server.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _shakhes_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs with ``SHAKHES_HOME`` in a folder of its own, so no test reads or writes
    the server store in ~/.shakhes (``shakhes demo`` and ``shakhes user`` write there)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHAKHES_HOME", str(tmp_path_factory.mktemp("shakhes-home")))
        patch.delenv("SHAKHES_SERVER_METADATA_URL", raising=False)
        yield
