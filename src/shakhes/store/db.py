"""Engines, sessions and schema migrations for the metadata store.

The schema is owned by Alembic: :func:`upgrade` runs the migrations shipped inside the package
(``shakhes/store/migrations``) to head, with a configuration built in code, so no ``alembic.ini``
is needed. Production code never calls ``create_all``. Migrations run when a workspace is
created and on ``shakhes db upgrade``, never when a store is opened: opening only compares
the revision in ``alembic_version`` with :data:`HEAD_REVISION` (one plain query; Alembic is not
imported) and refuses a store whose schema is behind (code ``store_outdated``) or ahead
(``store_newer``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shakhes.errors import WorkspaceError

if TYPE_CHECKING:
    from alembic.config import Config

WRITE_OPTION = "shakhes_write"
"""Execution option marking a connection whose transaction will write (see create_engine_for)."""

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory inside the installed package."""

REVISIONS = ("0001", "0002")
"""Every migration shipped with this package, oldest first (a test checks them against
Alembic's history). Add a new one here when you add it to ``migrations/versions``."""
HEAD_REVISION = REVISIONS[-1]

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite connection waits for another process's write before it fails."""


def _is_memory_sqlite(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``, set up for the store.

    On SQLite, foreign keys are switched on for every connection (SQLite leaves them off), file
    databases use write-ahead logging, so readers do not block the writer, a connection that
    meets another process's write waits for it (up to :data:`BUSY_TIMEOUT_MS`) instead of
    failing, and every SQLAlchemy transaction is a real SQLite transaction from its first
    statement (reads included).
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
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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


def alembic_config(
    url: str, *, connection: Connection | None = None, migrations: Path = MIGRATIONS_DIR
) -> Config:
    """An Alembic configuration for the migrations in ``migrations`` (by default the
    workspace store's; the server store passes its own), built in code.

    ``env.py`` reads the URL from ``config.attributes["url"]`` (falling back to the
    ``sqlalchemy.url`` main option) and reuses ``config.attributes["connection"]`` when given.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    # configparser interpolation: a literal % (e.g. in a password) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(target: str | Engine, *, migrations: Path = MIGRATIONS_DIR) -> None:
    """Run the store's migrations (or those in ``migrations``) to head on the database at
    ``target`` (a URL or an engine).

    Passing an engine runs the migrations on one of its connections, which is what an in-memory
    SQLite database needs (a second engine would see a different, empty database).
    """
    if isinstance(target, str):
        engine = create_engine_for(target)
        try:
            _upgrade_engine(engine, migrations)
        finally:
            engine.dispose()
    else:
        _upgrade_engine(target, migrations)


def _upgrade_engine(engine: Engine, migrations: Path) -> None:
    from alembic import command

    url = engine.url.render_as_string(hide_password=False)
    with (
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        command.upgrade(alembic_config(url, connection=connection, migrations=migrations), "head")


def current_revision(engine: Engine, version_table: str = "alembic_version") -> str | None:
    """The Alembic revision the database at ``engine`` is on (None before the first migration),
    read with a plain query from ``version_table`` (a constant of shakhes' own): Alembic is not
    imported."""
    with engine.connect() as connection:
        try:
            query = text(f"SELECT version_num FROM {version_table}")
            rows = connection.execute(query).all()
        except DBAPIError:  # no alembic_version table: nothing migrated yet
            return None
    return str(rows[0][0]) if rows else None


def check_revision(engine: Engine) -> None:
    """Refuse a store whose schema is not the one this shakhes knows: behind (code
    ``store_outdated``: upgrade it) or ahead (``store_newer``: upgrade shakhes)."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return
    params = {"revision": revision, "head": HEAD_REVISION}
    if revision is None or revision in REVISIONS:
        at = "has no schema yet" if revision is None else f"is at schema revision {revision}"
        raise WorkspaceError(
            f"the metadata store {at}; this shakhes needs revision {HEAD_REVISION}",
            code="store_outdated",
            hint="Upgrade the store's schema first (back it up if you wish).",
            params=params,
        )
    raise WorkspaceError(
        f"the metadata store is at schema revision {revision}, which this shakhes does not "
        f"know (it knows up to {HEAD_REVISION}): a newer shakhes upgraded it",
        code="store_newer",
        hint="Upgrade shakhes to the version that wrote it.",
        params=params,
    )


def head_revision() -> str | None:
    """The newest Alembic revision shipped with this package."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head: str | None = script.get_current_head()
    return head
