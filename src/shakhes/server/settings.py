"""Settings of ``shakhes serve``: where the server keeps its store, where it listens, how
long a login lasts.

Read from the environment (``SHAKHES_SERVER_…``; ``SHAKHES_HOME`` for the home folder) and
overridden by the command line. ``home`` defaults to ``~/.shakhes``; the server store
defaults to a SQLite file in it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

HOME_ENV = "SHAKHES_HOME"


def default_home() -> Path:
    """``$SHAKHES_HOME``, else ``~/.shakhes``."""
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else Path.home() / ".shakhes"


class ServerSettings(BaseSettings):
    """What ``shakhes serve`` needs; every field can be set as ``SHAKHES_SERVER_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SHAKHES_SERVER_", extra="forbid", frozen=True)

    home: Path = Field(default_factory=default_home)
    metadata_url: str | None = None
    """The server store's URL (SQLite or PostgreSQL); default: ``sqlite:///<home>/server.db``."""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    secure_cookies: bool | None = None
    """Mark cookies ``Secure``; default: when the request came over HTTPS."""
    session_hours: float = Field(default=12.0, gt=0)
    """How long a login lasts."""
    login_window_minutes: float = Field(default=15.0, gt=0)
    max_failures_per_email: int = Field(default=5, ge=1)
    max_failures_per_client: int = Field(default=20, ge=1)
    workspace_wait: float = Field(default=30.0, ge=0)
    """How long a request waits for a workspace that an import is writing."""
    warm_seconds: float = Field(default=1.0, ge=0)
    """How often each open workspace is checked for a change of its data or definitions;
    after one, the pages and results asked most recently are computed again in the
    background, before their next visitor asks (0: never)."""
    keep_alive_seconds: int = Field(default=75, ge=1)
    """How long an idle HTTP connection is kept open (uvicorn's default: 5 s). Longer than the
    60 s of common proxies and load balancers, so that a proxy never sends a request on a
    connection the server is closing; a browser or client that comes back after reading a
    page reuses its connection instead of racing the server's close of it (which a client
    sees as a dropped connection: bench/web.py's users met it as a ``ReadError``)."""
    open_at_start: list[str] = Field(default_factory=list)
    """The workspaces (by id) opened when the app starts, instead of on first use, so that
    their warmers compute the pages most visitors open first before anyone asks: those named
    on ``shakhes serve``'s command line. The others open on first use (an agency's server may
    host many workspaces, each an open DuckDB instance and a warmer once open)."""
    shared_cache: Path | None = None
    """A folder where the worker processes of one ``shakhes serve --workers N`` share what
    they computed (:mod:`shakhes.service.shared`); ``shakhes serve`` makes one per run when it
    starts more than one worker. None: each process keeps its own."""

    def store_url(self) -> str:
        """The server store's URL (the default SQLite file made absolute)."""
        if self.metadata_url:
            return self.metadata_url
        return f"sqlite:///{self.home.expanduser().resolve() / 'server.db'}"
