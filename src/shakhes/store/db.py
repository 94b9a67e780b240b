"""Engines, sessions and schema migrations for the metadata store.

The schema is owned by Alembic: :func:`upgrade` runs the migrations shipped inside the package
(``shakhes/store/migrations``) to head, with a configuration built in code, so no ``alembic.ini``
is needed. Production code never calls ``create_all``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "shakhes_write"
"""Execution option marking a connection whose transaction will write (see create_engine_for)."""

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory inside the installed package."""


def _is_memory_sqlite(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``, set up for the store.

    On SQLite, foreign keys are switched on for every connection (SQLite leaves them off), file
    databases use write-ahead logging, so readers do not block the writer, and every SQLAlchemy
    transaction is a real SQLite transaction from its first statement (reads included).
    """
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        use_wal = not _is_memory_sqlite(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA foreign_keys=ON")
                if use_wal:
                    cursor.execute("PRAGMA journal_mode=WAL")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            # sqlite3 would start a transaction only at the first write, so the reads before it
            # (a plan, say) would not be part of it; begin explicitly instead. A transaction that
            # will write takes the write lock up front, so concurrent writers wait their turn
            # instead of failing when they upgrade from reading to writing.
            immediate = connection.get_execution_options().get(WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str, *, connection: Connection | None = None) -> Config:
    """An Alembic configuration for the store's migrations, built in code.

    ``env.py`` reads the URL from ``config.attributes["url"]`` (falling back to the
    ``sqlalchemy.url`` main option) and reuses ``config.attributes["connection"]`` when given.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser interpolation: a literal % (e.g. in a password) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(target: str | Engine) -> None:
    """Run the store's migrations to head on the database at ``target`` (a URL or an engine).

    Passing an engine runs the migrations on one of its connections, which is what an in-memory
    SQLite database needs (a second engine would see a different, empty database).
    """
    if isinstance(target, str):
        engine = create_engine_for(target)
        try:
            _upgrade_engine(engine)
        finally:
            engine.dispose()
    else:
        _upgrade_engine(target)


def _upgrade_engine(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with (
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        command.upgrade(alembic_config(url, connection=connection), "head")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database at ``engine`` is on (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def head_revision() -> str | None:
    """The newest Alembic revision shipped with this package."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head: str | None = script.get_current_head()
    return head
