"""Alembic environment for the server store (users, memberships, sessions, tokens, audit).

Like the workspace store's (``shakhes/store/migrations/env.py``) it needs no ``alembic.ini``:
:func:`shakhes.server.store.upgrade` passes the URL and connection in ``config.attributes``.
Its version table is ``shakhes_server_version``, so the server store may share a database with
a workspace store.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from shakhes.server.models import ServerBase
from shakhes.store.db import create_engine_for

VERSION_TABLE = "shakhes_server_version"

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=ServerBase.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new engine for the URL."""
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine_for(str(url))
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("the server store's migrations run online only")
run_migrations_online()
