"""Compute results kept in the workspace between commands, so that ``shakhes compute`` asked
again answers in a fraction of the time.

A command starts a new process each time: the in-memory cache of :mod:`shakhes.service.cache`
dies with it, and most of a command's time is importing the engine (Ibis, SQLAlchemy,
pyarrow) and planning. After ``shakhes compute`` computes a result it writes it here
(:func:`save`: :class:`~shakhes.service.computed.Computed`, the plain data the outputs read, and
the definitions of its KPIs, as JSON), in ``.shakhes/cache/compute/`` inside the workspace
folder, one file per key. The next ``shakhes compute`` with the same key reads that file
(:func:`lookup`) before it imports any of the engine, and writes it with the same output code.

The key is everything the numbers and their output depend on:

* the query as asked (KPIs, grain, breakdown, dates, filter, comparison);
* the workspace's settings (``shakhes.toml`` with the ``SHAKHES_*`` variables that override
  it: calendar, currency, locale, parameters, store URLs…) and its folder;
* its state, as :func:`shakhes.service.cache.state` has it: the data version (every import,
  rates load or undo bumps it), the definitions version (every KPI change bumps it), the last
  audited change (goals, targets, anything else audited) and today's date in its time zone;
* for a DuckDB file warehouse, the file's identity (inode, size, modification time, and its
  write-ahead log's): a warehouse replaced or changed behind shakhes' back is never answered
  from an old result;
* the code: shakhes' version and the size and modification time of each of its modules, and
  the modification time of each ``site-packages`` folder (installing, upgrading or removing a
  package changes it).

Any change of those gives a new key, hence a computation. Nothing is ever kept for an
in-memory warehouse.

The settings are validated once per content: next to the results, ``settings-<key>.json``
holds what a kept answer needs of them (:class:`Settings`), keyed by the text of
``shakhes.toml``, the ``SHAKHES_*`` variables, the folder and the code, so that a kept answer
reads them without pydantic-settings. They are remembered when a result is saved, validated
from the very text hashed; settings that do not validate are never remembered (the command
then reads them as usual and says what is wrong).

The state is read with the standard library's ``sqlite3`` when the metadata store is a SQLite
file (read-only, one snapshot, never waiting: a store busy with a write is a miss); a workspace
whose store is anything else (PostgreSQL) keeps nothing and computes every time, as before.

Many processes may read and write the cache at once: a file is written under a name of its own
and renamed into place (``os.replace``, atomic), so a reader sees a whole file or none; a
file that cannot be read or parsed is a miss; a workspace folder that cannot be written to
keeps nothing, silently. A result is saved only when the workspace's state and definitions
did not change while it was computed (:func:`shakhes.service.compute.compute_kept`). The
newest :data:`KEEP` files are kept; delete the folder to empty the cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import site
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shakhes.locate import SETTINGS_FILE, duckdb_path, find, resolve_url
from shakhes.service.computed import Computed, Query

if TYPE_CHECKING:
    from shakhes.engine.engine import Result
    from shakhes.settings import WorkspaceSettings
    from shakhes.spec.kpi import KpiSpec

FOLDER = Path(".shakhes") / "cache" / "compute"
"""Where, inside the workspace folder, results are kept (next to the lock files,
:data:`shakhes.data.access.LOCK_FOLDER`)."""

FORMAT = 1
"""The layout of a kept file; part of the key."""

KEEP = 64
"""Files kept: the newest; older ones are removed when a new one is written."""

State = tuple[int, int, int, dt.date]
"""``(data_version, definitions_version, last audited change, today)``."""


@dataclass(frozen=True)
class Settings:
    """What a kept answer needs of the workspace's settings
    (:class:`~shakhes.settings.WorkspaceSettings`), remembered per content of ``shakhes.toml``
    and ``SHAKHES_*`` variables (:func:`remembered_settings`): reading them so needs neither
    pydantic-settings nor the validation."""

    id: str
    currency: str
    locale: str
    time_zone: str
    warehouse_url: str
    metadata_url: str
    dump: str
    """The validated settings as JSON (``model_dump_json``): part of every key."""

    @classmethod
    def of(cls, settings: WorkspaceSettings | Settings) -> Settings:
        if isinstance(settings, Settings):
            return settings
        return cls(
            id=settings.id,
            currency=settings.currency,
            locale=str(settings.locale),
            time_zone=settings.time_zone,
            warehouse_url=settings.warehouse_url,
            metadata_url=settings.metadata_url,
            dump=settings.model_dump_json(),
        )


@dataclass(frozen=True)
class Kept:
    """A result read from the cache, with what its output needs."""

    computed: Computed
    specs: dict[str, KpiSpec]
    settings: Settings


def lookup(explicit: Path | str | None, query: Query) -> Kept | None:
    """The kept result of ``query`` on the workspace at ``explicit`` (found as
    :func:`shakhes.locate.find` says) for its current state, or None: not kept, or the state
    cannot be read without the metadata store's own code (not a SQLite file, busy)."""
    root = find(explicit)
    settings = remembered_settings(root)
    if settings is None:
        return None
    state = read_state(root, settings)
    if state is None:
        return None
    name = key(root, settings, query, state)
    if name is None:
        return None
    from shakhes.spec.kpi import KpiSpec

    try:
        data = json.loads((root / FOLDER / f"{name}.json").read_bytes())
        if data.get("key") != name:
            return None
        computed = Computed.from_data(data["computed"])
        specs = {kpi: KpiSpec.model_validate(spec) for kpi, spec in data["specs"].items()}
    except (OSError, ValueError, KeyError, TypeError):  # pydantic's errors are ValueErrors
        return None
    return Kept(computed, specs, settings)


def save(
    root: Path,
    settings: WorkspaceSettings | Settings,
    query: Query,
    state: State,
    result: Result | Computed,
    specs: Mapping[str, KpiSpec],
) -> Path | None:
    """Keep ``result`` of ``query``, computed for ``state``, with the definitions of its KPIs;
    return the file written (None when nothing was: see the module docstring)."""
    settings = Settings.of(settings)
    name = key(root, settings, query, state)
    if name is None or _store_file(root, settings) is None:
        return None
    computed = Computed.of(result)
    try:
        text = json.dumps(
            {
                "key": name,
                "computed": computed.to_data(),
                "specs": {
                    kpi: specs[kpi].model_dump(mode="json")
                    for kpi in computed.kpi_ids
                    if kpi in specs
                },
            },
            ensure_ascii=False,
        )
    except (TypeError, ValueError):
        return None  # a cell JSON cannot hold exactly: not kept

    target = _write(root / FOLDER, f"{name}.json", text)
    if target is not None:
        remember_settings(root)
    return target


def _write(folder: Path, name: str, text: str) -> Path | None:
    """Write ``text`` to ``folder/name`` atomically (a new file of this process renamed into
    place, with the permissions the user's umask gives, as any file shakhes writes); the file
    written, or None when the folder cannot be written to."""
    target = folder / name
    temporary = folder / f".new-{os.getpid()}-{os.urandom(6).hex()}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(temporary, "x", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return None
    _prune(folder)
    return target


def _settings_key(root: Path) -> tuple[str, str] | None:
    """The text of ``shakhes.toml`` and the name its settings are remembered under (a SHA-256
    of that text, the ``SHAKHES_*`` variables, the folder and the code); None when the file
    cannot be read."""
    try:
        text = (root / SETTINGS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    env = sorted((k.upper(), v) for k, v in os.environ.items() if k.upper().startswith("SHAKHES_"))
    material = [FORMAT, _code(), str(root), text, env]
    return text, "settings-" + hashlib.sha256(json.dumps(material).encode()).hexdigest()


def remembered_settings(root: Path) -> Settings | None:
    """The settings of the workspace at ``root`` as :func:`remember_settings` validated them
    for the same ``shakhes.toml`` and ``SHAKHES_*`` variables; None when they were not."""
    found = _settings_key(root)
    if found is None:
        return None
    try:
        data = json.loads((root / FOLDER / f"{found[1]}.json").read_bytes())
        return Settings(**data)
    except (OSError, ValueError, TypeError):
        return None


def remember_settings(root: Path) -> None:
    """Validate the workspace's ``shakhes.toml`` as it is now (with the ``SHAKHES_*``
    variables) and remember the result under that content (invalid settings are not)."""
    from dataclasses import asdict

    from shakhes.errors import WorkspaceError
    from shakhes.settings import settings_from_text

    found = _settings_key(root)
    if found is None:
        return
    text, name = found
    try:
        settings = settings_from_text(text, root / SETTINGS_FILE)
    except WorkspaceError:
        return
    _write(root / FOLDER, f"{name}.json", json.dumps(asdict(Settings.of(settings))))


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP` newest files (and temporary files an interrupted
    writer left over an hour ago). Another process may remove the same file: that is fine."""
    try:
        entries = [(e.stat().st_mtime, e.path, e.name) for e in os.scandir(folder)]
    except OSError:
        return
    kept = sorted((e for e in entries if not e[2].startswith(".")), reverse=True)
    stale = [e[1] for e in kept[KEEP:]]
    stale += [e[1] for e in entries if e[2].startswith(".new-") and e[0] < time.time() - 3600]
    for path in stale:
        with contextlib.suppress(OSError):
            os.unlink(path)


def key(root: Path, settings: Settings, query: Query, state: State) -> str | None:
    """The file name (a SHA-256) of ``query``'s result for ``state``: see the module
    docstring for what it holds. None: results of this workspace are not kept (an in-memory
    warehouse)."""
    warehouse = _warehouse_identity(root, settings.warehouse_url)
    if warehouse is None:
        return None
    material = [
        FORMAT,
        _code(),
        str(root),
        settings.dump,
        _plain(query.key()),
        [state[0], state[1], state[2], state[3].isoformat()],
        warehouse,
    ]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


def _plain(value: Hashable) -> Any:
    """A query key as JSON data (dates as ISO text)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _identity(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _warehouse_identity(root: Path, url: str) -> list[Any] | None:
    """The warehouse's file and write-ahead log identity for a DuckDB file; the URL for a
    server database (its data version tells its changes); None for an in-memory one."""
    if url.startswith("duckdb:"):
        path = duckdb_path(url, root)
        if path is None:
            return None
        return [_identity(path), _identity(path + ".wal")]
    return [url]


_CODE: str | None = None


def _code() -> str:
    """shakhes' code as it is now: its version, each module's size and modification time, and
    the modification time of each ``site-packages`` folder (see the module docstring)."""
    global _CODE
    if _CODE is None:
        from shakhes import __version__

        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parent.parent
        for path in sorted(_modules(str(package))):
            st = os.stat(path)
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        for folder in site.getsitepackages():
            try:
                digest.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\n".encode())
            except OSError:
                continue
        _CODE = digest.hexdigest()
    return _CODE


def _modules(folder: str) -> list[str]:
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir() and not entry.name.startswith((".", "__pycache__")):
            found += _modules(entry.path)
        elif entry.name.endswith(".py"):
            found.append(entry.path)
    return found


def read_state(root: Path, settings: Settings) -> State | None:
    """The workspace's state (:data:`State`) read from a SQLite metadata store with the
    standard library, as :func:`shakhes.service.cache.state` reads it with the store's code;
    None for another store, or one that cannot be read now (missing, busy, not this shape)."""
    path = _store_file(root, settings)
    if path is None:
        return None
    import sqlite3

    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        con.execute("BEGIN")  # one snapshot for both reads
        versions = con.execute(
            "SELECT data_version, definitions_version FROM workspace_state WHERE workspace_id = ?",
            (settings.id,),
        ).fetchone()
        last = con.execute(
            "SELECT max(id) FROM audit_entries WHERE workspace_id = ?", (settings.id,)
        ).fetchone()
        con.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if versions is None:
        return None
    return int(versions[0]), int(versions[1]), int(last[0] or 0), today_in(settings.time_zone)


def _store_file(root: Path, settings: Settings) -> Path | None:
    """The metadata store's file when it is a SQLite file (None otherwise)."""
    url = resolve_url(settings.metadata_url, root)
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or ":memory:" in url:
        return None
    path = Path(url.removeprefix(prefix))
    return path if path.is_absolute() and path.is_file() else None


def today_in(time_zone: str) -> dt.date:
    """Today in ``time_zone`` (UTC if the zone is unknown)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone: dt.tzinfo = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return dt.datetime.now(zone).date()
