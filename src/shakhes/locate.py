"""Where a workspace is, and where its metadata store is, found without opening anything: the
standard library only, so that a command answered from the workspace's cache
(:mod:`shakhes.service.stored`) does not import the stores to find them."""

from __future__ import annotations

import os
from pathlib import Path

from shakhes.errors import WorkspaceError

SETTINGS_FILE = "shakhes.toml"
"""The file that makes a folder a workspace (:mod:`shakhes.settings`)."""

ENV_VAR = "SHAKHES_WORKSPACE"


def find(explicit: Path | str | None = None, *, cwd: Path | None = None) -> Path:
    """The workspace folder: ``explicit``, else ``$SHAKHES_WORKSPACE``, else the nearest folder
    at or above ``cwd`` holding ``shakhes.toml``."""
    for candidate in (explicit, os.environ.get(ENV_VAR)):
        if candidate:
            path = Path(candidate).expanduser().resolve()
            if not (path / SETTINGS_FILE).is_file():
                raise WorkspaceError(
                    f"{path} is not a shakhes workspace (no {SETTINGS_FILE})",
                    code="not_a_workspace",
                    params={"path": str(path)},
                    hint="Create a workspace there first.",
                )
            return path
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise WorkspaceError(
        f"no shakhes workspace in {here} or above",
        code="no_workspace",
        hint="Create a workspace, or say which one to use.",
    )


def resolve_url(url: str, root: Path) -> str:
    """Make a relative SQLite path absolute inside the workspace."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(root / url.removeprefix(prefix))
    return url


def duckdb_path(url: str, root: Path | None = None) -> str | None:
    """The file of a ``duckdb://`` URL (a relative path is taken inside the workspace ``root``);
    None for an in-memory database. Like SQLAlchemy: ``duckdb:///relative.duckdb``,
    ``duckdb:////absolute/path.duckdb``, ``duckdb://`` (in memory)."""
    path = url.removeprefix("duckdb://").removeprefix("/")
    if path in ("", ":memory:"):
        return None
    if root is not None and not Path(path).is_absolute():
        path = str(root / path)
    return path
