"""A workspace: a folder with ``shakhes.toml``, its metadata store and its warehouse.

``init`` creates one; ``find`` locates one (``--workspace``, ``SHAKHES_WORKSPACE``, or walking up
from the current directory); ``Workspace.open`` opens one. Many processes and threads may use a
workspace at once: each read runs in a read session (:meth:`Workspace.reading`: a connection of
its own and a shared turn), each write in a write session (:meth:`Workspace.writing`: the one
read-write connection and the exclusive turn), see :mod:`shakhes.data.access` and
docs/concurrency.md.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError

from shakhes.data.access import (
    DEFAULT_WAIT,
    LOCK_FOLDER,
    FileGate,
    Gate,
    Holder,
    LocalGate,
    OnWait,
    PostgresGate,
)
from shakhes.data.kept import KeptReader
from shakhes.data.warehouse import SCHEMA_VERSION, Warehouse, duckdb_path
from shakhes.engine.calendar import CalendarSettings, Grain
from shakhes.engine.engine import Engine
from shakhes.errors import InternalError, Issue, WorkspaceError
from shakhes.locate import ENV_VAR as ENV_VAR
from shakhes.locate import find as find
from shakhes.locate import resolve_url as _resolve_url
from shakhes.settings import SETTINGS_FILE, CalendarKind, WorkspaceSettings, read_settings
from shakhes.spec.kpi import KpiSpec
from shakhes.store.db import create_engine_for, current_revision
from shakhes.store.db import upgrade as migrate_store
from shakhes.store.repo import MetadataStore

_ACTOR: ContextVar[str | None] = ContextVar("shakhes_actor", default=None)


def current_actor() -> str:
    """Who is making a change, for the audit log: the user a server request acts for
    (:func:`acting_as`), else ``$SHAKHES_ACTOR``, else the login name."""
    acting = _ACTOR.get()
    if acting:
        return acting
    try:
        return os.environ.get("SHAKHES_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def acting_as(actor: str) -> None:
    """Make ``actor`` the one :func:`current_actor` names in the current context (a server
    request's task and the threads it runs on)."""
    _ACTOR.set(actor)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    return slug[:60] or "workspace"


def init(
    root: Path,
    *,
    name: str | None = None,
    currency: str = "USD",
    locale: str = "en",
    calendar: str = "gregorian",
    week_start: str | None = None,
    fiscal_year_start_month: int = 1,
    time_zone: str | None = None,
    warehouse_url: str | None = None,
    metadata_url: str | None = None,
) -> Workspace:
    """Create a workspace at ``root`` with the built-in KPI catalog installed."""
    root = root.expanduser().resolve()
    if (root / SETTINGS_FILE).exists():
        raise WorkspaceError(
            f"{root} is already a shakhes workspace",
            hint="Use it as it is, or choose another folder.",
        )
    iranian = calendar == CalendarKind.JALALI or locale == "fa"
    settings_args: dict[str, Any] = {
        "id": _slug(name or root.name),
        "name": name or root.name,
        "currency": currency.upper(),
        "locale": locale,
        "calendar": calendar,
        "week_start": week_start or ("saturday" if iranian else "monday"),
        "fiscal_year_start_month": fiscal_year_start_month,
        "time_zone": time_zone or ("Asia/Tehran" if iranian else "UTC"),
    }
    if warehouse_url:
        settings_args["warehouse_url"] = warehouse_url
    if metadata_url:
        settings_args["metadata_url"] = metadata_url
    try:
        settings = WorkspaceSettings(**settings_args)
    except ValidationError as exc:
        issues = [
            Issue(str(e["msg"]), code="invalid_setting", field=".".join(map(str, e["loc"])))
            for e in exc.errors()
        ]
        raise WorkspaceError(
            "cannot create the workspace: " + "; ".join(f"{i.field}: {i.message}" for i in issues),
            code="invalid_settings",
            issues=issues,
        ) from None
    before = set(root.iterdir()) if root.exists() else None
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, settings)
    try:
        with ws.writing("creation of the workspace", schema=False) as session:
            session.warehouse.ensure_schema()
            ws._upgrade_store()
            ws.store.ensure_workspace(settings.id, settings.name)
            from shakhes.spec.catalog import load_catalog

            ws.store.apply(settings.id, load_catalog(), actor=current_actor(), source="catalog")
    except BaseException:
        ws.close()
        _remove_new_files(root, before)
        raise
    (root / SETTINGS_FILE).write_text(settings.to_toml(), encoding="utf-8")
    return ws


def _remove_new_files(root: Path, before: set[Path] | None) -> None:
    """Undo a failed ``init``: remove what it created, so nothing half-made is left."""
    if before is None:
        shutil.rmtree(root, ignore_errors=True)
        return
    for path in set(root.iterdir()) - before:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Upgrade:
    """What :meth:`Workspace.upgrade` did: the metadata store's revision and the warehouse's
    table version, before and after."""

    store_before: str | None
    store_after: str | None
    warehouse_before: int
    warehouse_after: int

    @property
    def changed(self) -> bool:
        return (self.store_before, self.warehouse_before) != (
            self.store_after,
            self.warehouse_after,
        )

    @property
    def steps(self) -> list[tuple[str, str, str]]:
        """What was upgraded, from what, to what: ``("warehouse tables", "version 2", "3")``."""
        out = []
        if self.store_before != self.store_after:
            out.append(("metadata store", f"revision {self.store_before or 'none'}",
                        str(self.store_after)))  # fmt: skip
        if self.warehouse_before != self.warehouse_after:
            out.append(("warehouse tables", f"version {self.warehouse_before}",
                        str(self.warehouse_after)))  # fmt: skip
        return out


def _check_schema(warehouse: Warehouse) -> None:
    """A warehouse made by an older shakhes is upgraded before it is used."""
    if warehouse.schema_version() < SCHEMA_VERSION:
        raise WorkspaceError(
            "the workspace's warehouse was made by an older version of shakhes: its tables must "
            "be upgraded before it is used",
            code="warehouse_outdated",
            hint="Upgrade the workspace's schemas (nothing is lost).",
        )


class Session:
    """One reader's or one writer's turn on a workspace: the metadata store, and the warehouse,
    connected on first use (read-only for a reader of a DuckDB file) and closed when the turn
    ends. Get one from :meth:`Workspace.reading` or :meth:`Workspace.writing`; use it from the
    thread that got it."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        writing: bool,
        schema: bool = True,
        kept: Warehouse | None = None,
    ) -> None:
        self.workspace = workspace
        self.writing = writing
        self.kept = kept
        """The kept read-only instance this reader takes its cursor of (:mod:`shakhes.data.
        kept`), if any."""
        self.schema = schema
        """Whether the session checks that the warehouse's tables are this shakhes' own first
        (all but the one that creates or upgrades them)."""
        self._warehouse: Warehouse | None = None
        self._versions: tuple[int, int] | None = None
        self._last_change: int | None = None
        self._stack = ExitStack()

    @property
    def store(self) -> MetadataStore:
        return self.workspace.store

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            if not self.writing and self._versions is None:
                self.versions()  # before the connection's first query: see versions()
            warehouse = self._stack.enter_context(
                self.workspace._connect(writing=self.writing, kept=self.kept)
            )
            if self.schema and not self.workspace._schema_checked:
                # Once per open workspace: the tables' version only goes up (db upgrade).
                _check_schema(warehouse)
                self.workspace._schema_checked = True
            self._warehouse = warehouse
        return self._warehouse

    def versions(self) -> tuple[int, int]:
        """The workspace's ``(data_version, definitions_version)`` that go with the data this
        session reads, for cache keys. A reader's are read once, before its first query: on
        Postgres a reader reads one snapshot and a writer bumps the version after it commits,
        so the data read is never older than these versions say. A writer's are read afresh
        (it changes them itself)."""
        if self.writing:
            return self.store.versions(self.workspace.id)
        if self._versions is None:
            data, definitions, self._last_change = self.store.state(self.workspace.id)
            self._versions = (data, definitions)
        return self._versions

    def last_change(self) -> int:
        """The workspace's last audited change (:meth:`MetadataStore.last_change`), for cache
        keys: a reader's read once, with its versions; a writer's afresh."""
        if self.writing:
            return self.store.last_change(self.workspace.id)
        self.versions()  # (reads it with them, once)
        return self._last_change or 0

    def close(self) -> None:
        self._warehouse = None
        self._stack.close()


@dataclass(eq=False)
class Workspace:
    """An open workspace, safe to share between threads (a web server keeps one for its life).

    The metadata store opens on first use; the warehouse is connected per read or write
    session. ``wait`` is how long a read or write waits for its turn before it gives up
    (:class:`~shakhes.errors.BusyError`); ``on_wait`` hears what it waits for. ``close()``
    releases the connections."""

    root: Path
    settings: WorkspaceSettings
    wait: float = DEFAULT_WAIT
    on_wait: OnWait | None = field(default=None, repr=False)
    _store: MetadataStore | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _engine_defs_version: int = field(default=-1, repr=False)
    _gate: Gate | None = field(default=None, repr=False)
    _memory: Warehouse | None = field(default=None, repr=False)
    _kept: KeptReader | None = field(default=None, repr=False)
    _definitions: tuple[int, dict[str, KpiSpec]] | None = field(default=None, repr=False)
    _held: Session | None = field(default=None, repr=False)
    _schema_checked: bool = field(default=False, repr=False)
    _held_stack: ExitStack = field(default_factory=ExitStack, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def open(
        cls,
        explicit: Path | str | None = None,
        *,
        wait: float = DEFAULT_WAIT,
        on_wait: OnWait | None = None,
    ) -> Workspace:
        """Open the workspace at ``explicit`` (or found as :func:`find` says)."""
        root = find(explicit)
        return cls(root, read_settings(root), wait=wait, on_wait=on_wait)

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def store(self) -> MetadataStore:
        """The metadata store (thread-safe; its schema must be this shakhes' own: code
        ``store_outdated`` otherwise)."""
        with self._lock:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def _store_url(self) -> str:
        return _resolve_url(self.settings.metadata_url, self.root)

    def _open_store(self) -> MetadataStore:
        with self._store_errors():
            return MetadataStore.open(self._store_url())

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        """A metadata store that cannot be reached becomes a user error."""
        try:
            yield
        except (OperationalError, ArgumentError) as exc:
            raise WorkspaceError(
                f"cannot open the metadata store at {self.settings.metadata_url}: "
                f"{str(exc).splitlines()[0]}",
                hint="Check metadata_url in shakhes.toml (or SHAKHES_METADATA_URL).",
            ) from None

    # ---- sessions -------------------------------------------------------------------------------

    @contextmanager
    def reading(self, *, wait: float | None = None) -> Iterator[Session]:
        """A read session: a connection of its own, and a turn shared with other readers; a
        writer waits until it ends. Inside a session of the same thread, that session."""
        current = self._current()
        if current is not None:
            yield current
            return
        wait = self.wait if wait is None else wait
        with ExitStack() as stack:
            kept = stack.enter_context(self._kept.lease(wait, self.on_wait)) if self._kept else None
            if kept is None:
                stack.enter_context(self.gate.shared(wait, self.on_wait))
            yield stack.enter_context(self._session(writing=False, kept=kept))

    def keep_reader(self) -> bool:
        """Keep one read-only instance of the warehouse open between read sessions, each
        session a cursor of it, given up whenever a writer queues (:mod:`shakhes.data.kept`;
        a long-running server's workspaces): whether it applies (a DuckDB file only)."""
        with self._lock:
            gate = self.gate
            if self._kept is None and isinstance(gate, FileGate):
                url = self.settings.warehouse_url
                self._kept = KeptReader(
                    gate, lambda: Warehouse.connect(url, self.root, read_only=True)
                )
            return self._kept is not None

    @contextmanager
    def writing(
        self, what: str, *, wait: float | None = None, schema: bool = True
    ) -> Iterator[Session]:
        """A write session for ``what`` (``import of ads.csv``, named in the message of whoever
        waits meanwhile): the read-write connection, after the reads in progress end, while
        new ones wait. Inside a write session of the same thread, that session. Its warehouse
        must have this shakhes' tables (code ``warehouse_outdated`` otherwise) unless
        ``schema`` is false (creating or upgrading them)."""
        current = self._current()
        if current is not None:
            if not current.writing:
                raise InternalError(f"{what}: a read session cannot become a write session")
            yield current
            return
        holder = Holder.me(what, current_actor())
        with (
            self.gate.exclusive(holder, self.wait if wait is None else wait, self.on_wait),
            self._session(writing=True, schema=schema) as session,
        ):
            yield session

    @property
    def gate(self) -> Gate:
        """How readers and writers of this workspace's warehouse take turns."""
        with self._lock:
            if self._gate is None:
                url = self.settings.warehouse_url
                if urlparse(url).scheme in ("postgres", "postgresql"):
                    self._gate = PostgresGate(url.replace("postgres://", "postgresql://", 1))
                elif duckdb_path(url, self.root) is None:
                    self._gate = LocalGate()
                else:
                    self._gate = FileGate(self.root / LOCK_FOLDER)
            return self._gate

    @property
    def current_session(self) -> Session | None:
        """The session this thread is in (or the script's held one), if any."""
        return self._current()

    def _current(self) -> Session | None:
        session: Session | None = getattr(self._local, "session", None)
        return session if session is not None else self._held

    @contextmanager
    def _session(
        self, *, writing: bool, schema: bool = True, kept: Warehouse | None = None
    ) -> Iterator[Session]:
        session = Session(self, writing=writing, schema=schema, kept=kept)
        self._local.session = session
        try:
            yield session
        finally:
            self._local.session = None
            session.close()

    @contextmanager
    def _connect(self, *, writing: bool, kept: Warehouse | None = None) -> Iterator[Warehouse]:
        """A new connection to the warehouse, for one session (a cursor of ``kept``, the kept
        read-only instance, when given)."""
        url = self.settings.warehouse_url
        if kept is not None:
            warehouse = kept.cursor()
        elif duckdb_path(url, self.root) is None and urlparse(url).scheme == "duckdb":
            with self._lock:
                if self._memory is None:
                    self._memory = Warehouse.connect(url, self.root)
            warehouse = self._memory.cursor()
        else:
            warehouse = Warehouse.connect(url, self.root, read_only=not writing)
        try:
            if writing:
                yield warehouse
            else:
                with warehouse.snapshot():
                    yield warehouse
        finally:
            warehouse.close()

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse of this thread's session; outside any session (a script), a read-write
        connection kept, with the exclusive turn, until :meth:`close` — other processes wait
        meanwhile. Servers and commands use :meth:`reading` and :meth:`writing` instead."""
        current = self._current()
        if current is not None:
            return current.warehouse
        with self._lock:
            if self._held is None:
                holder = Holder.me("a script holding the workspace", current_actor())
                self._held_stack.enter_context(self.gate.exclusive(holder, self.wait, self.on_wait))
                self._held = Session(self, writing=True)
                self._held_stack.callback(self._held.close)
            return self._held.warehouse

    # ---- reading --------------------------------------------------------------------------------

    @property
    def calendar(self) -> CalendarSettings:
        return CalendarSettings(
            week_start=self.settings.week_start_index,
            fiscal_year_start_month=self.settings.fiscal_year_start_month,
        )

    @property
    def default_grain(self) -> Grain:
        return Grain.JALALI_MONTH if self.settings.calendar == CalendarKind.JALALI else Grain.MONTH

    def use_settings(self, settings: WorkspaceSettings) -> None:
        """Serve with ``settings`` from now on (after ``shakhes.toml`` changed): the engine is
        rebuilt on next use with the new calendar, currency and parameters."""
        with self._lock:
            self.settings = settings
            self._engine = None
            self._engine_defs_version = -1

    def draft_engine(self, drafts: Iterable[KpiSpec]) -> Engine:
        """An engine over this workspace's data whose definitions are the workspace's with
        ``drafts`` added or replacing theirs (unsaved KPIs, e.g. the editor's preview).
        Call it in a read session (:meth:`reading`)."""
        definitions = {**self.definitions(), **{spec.id: spec for spec in drafts}}
        return Engine(
            self._read_warehouse,
            definitions,
            calendar=self.calendar,
            params=self.settings.parameters,
            currency=self.settings.currency,
            version=self._versions,
        )

    def definitions(self) -> dict[str, KpiSpec]:
        """Every KPI definition, by id: read from the metadata store again when the
        definitions version moves (in a session, the session's version), else kept (a page
        asks for them several times)."""
        version = self._versions()[1]
        with self._lock:
            kept = self._definitions
        if kept is None or kept[0] != version:
            kept = (version, {k.id: k for k in self.store.list_kpis(self.id)})
            with self._lock:
                self._definitions = kept
        return dict(kept[1])

    @property
    def engine(self) -> Engine:
        """The engine over this workspace. Each call runs in a read session of its own (so
        threads compute in parallel); its caches follow the data and definitions versions."""
        defs_version = self.store.versions(self.id)[1]
        if self._engine is None or self._engine_defs_version != defs_version:
            self._refresh_customers()  # sessions of its own: not under the lock
        with self._lock:
            if self._engine is None or self._engine_defs_version != defs_version:
                self._engine_defs_version = defs_version
                self._engine = Engine(
                    self._read_warehouse,
                    self.definitions(),
                    calendar=self.calendar,
                    params=self.settings.parameters,
                    currency=self.settings.currency,
                    version=self._versions,
                )
            return self._engine

    def _versions(self) -> tuple[int, int]:
        """The versions of the data this thread's session reads (see :meth:`Session.versions`)."""
        session = self._current()
        return self.store.versions(self.id) if session is None else session.versions()

    @contextmanager
    def _read_warehouse(self) -> Iterator[Callable[[], Warehouse]]:
        """The engine's turns: a read session, connected when the engine first queries (a
        cached result needs no connection)."""
        with self.reading() as session:
            yield lambda: session.warehouse

    def _refresh_customers(self) -> None:
        """Work the customers from orders out again if the inactivity window in
        ``shakhes.toml`` changed since they were (see :mod:`shakhes.imports.customers`): a
        read finds out, and only then a write does it (not inside a read session of this
        thread, which cannot become a write: the next engine built outside one does it)."""
        from shakhes.imports.customers import refresh_if_changed, window_used

        days = self.settings.customer_inactivity_days
        current = self._current()
        if current is not None and not current.writing:
            return
        with self.reading() as session:
            used = window_used(session.warehouse)
        if used is None or used == days:
            return
        with self.writing("customers worked out from orders again") as session:
            if refresh_if_changed(session.warehouse, days):
                session.store.bump_data_version(
                    self.id, current_actor(), {"customers_from_orders": days}
                )

    # ---- schemas ------------------------------------------------------------------------------

    def upgrade(self) -> Upgrade:
        """Bring the workspace's schemas up to this shakhes: run the metadata store's
        migrations, add what the warehouse lacks, and register the workspace in the store if
        it is not (a new, empty store), in a write session."""
        with self.writing("upgrade of the workspace's schema", schema=False) as session:
            before = self._upgrade_store()
            tables_before = session.warehouse.schema_version()
            session.warehouse.ensure_schema()
            self.store.ensure_workspace(self.id, self.settings.name)
            return Upgrade(
                before,
                current_revision(self.store.engine),
                tables_before,
                session.warehouse.schema_version(),
            )

    def _upgrade_store(self) -> str | None:
        """Run the store's migrations (in a write session); return the revision before."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            with self._store_errors():
                engine = create_engine_for(self._store_url())
                try:
                    before = current_revision(engine)
                    migrate_store(engine)
                finally:
                    engine.dispose()
            self._store = self._open_store()
            return before

    def close(self) -> None:
        """Release the connections (and a turn that :attr:`warehouse` kept)."""
        with self._lock:
            if self._kept is not None:
                self._kept.close()
            self._held_stack.close()
            self._held = None
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._memory is not None:
                self._memory.close()
                self._memory = None
