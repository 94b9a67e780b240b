"""``shakhes serve``: the web app and REST API over the service layer, with its own store of
users, memberships, sessions and tokens.

- :mod:`shakhes.server.settings` — where the server keeps its store, where it listens.
- :mod:`shakhes.server.models`, :mod:`shakhes.server.store` — the server store (its own
  Alembic migrations in ``migrations/``, version table ``shakhes_server_version``).
- :mod:`shakhes.server.credentials` — argon2id password hashes, token digests.
- :mod:`shakhes.server.app` — :func:`~shakhes.server.app.create_app`, the app factory.
- :mod:`shakhes.server.deps` — who is asking and may they (sessions, CSRF, tokens, roles).
- :mod:`shakhes.server.errors` — the one JSON error shape.
- :mod:`shakhes.server.routes` — one module per group of routes under ``/api/v1``.
"""
