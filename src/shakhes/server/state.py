"""What an app holds for its life: its settings, the server store and the open workspaces.

Each hosted workspace is opened once, on first use (:class:`~shakhes.workspace.Workspace` is
thread-safe) or, for those in the settings' ``open_at_start``, in the background as the app
starts, and closed when the app shuts down.

Every request needs its login session (or token) and the user's memberships; the app keeps
what the server store answered for :data:`RECENT_SECONDS` (:class:`Recent`), so that a user
browsing does not cost two store queries per page. A write through this app's store (a
logout, a new role, a removed user…) drops everything kept at once; a change made elsewhere —
another worker of ``shakhes serve --workers N``, or the ``shakhes user`` commands — is seen
within :data:`RECENT_SECONDS`.

Each open workspace has a :class:`Warmer`: a thread that checks its state
(:func:`shakhes.service.cache.state`) every ``warm_seconds`` and, when it changed (an import,
an undo, a KPI or goal saved — by this server or by any other process), computes the pages and
results asked most recently again (:func:`shakhes.service.cache.warm`), so that the first
visitor after a change finds them computed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from shakhes.server import credentials
from shakhes.server.settings import ServerSettings
from shakhes.server.store import ServerStore, SessionInfo, WorkspaceInfo
from shakhes.workspace import Workspace

T = TypeVar("T")

RECENT_SECONDS = 5.0
"""How long an answer of the server store about who is asking is used again."""
RECENT_SIZE = 10_000
log = logging.getLogger(__name__)


class Warmer(threading.Thread):
    """Computes the recently asked results of ``ws`` again after each change of its state."""

    def __init__(self, ws: Workspace, seconds: float) -> None:
        from shakhes.service.cache import state

        super().__init__(name=f"shakhes-warm-{ws.id}", daemon=True)
        self.ws = ws
        self.seconds = seconds
        self.rounds = 0
        """How many times it computed again (after a change)."""
        self._stopping = threading.Event()
        self.first_done = threading.Event()
        """Set once its first round (the pages most visitors open first) is over."""
        self._opened: tuple[Hashable, ...] | None = None
        """The state when the workspace was opened, read here, before the thread starts: a
        change made before its first tick is a change too."""
        try:
            self._opened = state(ws)
        except Exception:  # the store unreachable for now: the first tick reads it
            log.exception("reading the state of workspace %s failed", ws.id)

    def run(self) -> None:
        from shakhes.service.cache import warming

        with warming():  # it yields to the users' computations
            self._run()

    def _run(self) -> None:
        from shakhes.service.cache import state, warm

        last = self._opened
        first = True
        while not self._stopping.wait(self.seconds):
            try:
                now = state(self.ws)
                if first:
                    first = False
                    try:
                        self._first()
                    finally:
                        self.first_done.set()
                if last is not None and now != last:
                    warm(self.ws)
                    self.rounds += 1
                last = now
            except Exception:  # the store unreachable for a while: try again on the next tick
                log.exception("checking workspace %s for changes failed", self.ws.id)

    def _first(self) -> None:
        """The pages most visitors open first (:func:`shakhes.web.pages.usual`)."""
        from shakhes.web.pages import usual

        usual(self.ws)

    def stop(self) -> None:
        self._stopping.set()


class Recent:
    """Answers of ``store`` kept for ``seconds``, and only while ``store`` has written nothing
    since they were read (any write may have changed them)."""

    def __init__(self, store: ServerStore, seconds: float = RECENT_SECONDS) -> None:
        self.store = store
        self.seconds = seconds
        self._values: dict[Hashable, tuple[int, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        writes, now = self.store.writes, time.monotonic()  # before reading: see the class doc
        with self._lock:
            found = self._values.get(key)
        if found is not None and found[0] == writes and now - found[1] < self.seconds:
            value: T = found[2]
            return value
        value = compute()
        with self._lock:
            if len(self._values) >= RECENT_SIZE:
                self._values.clear()
            self._values[key] = (writes, now, value)
        return value


@dataclass
class ServerState:
    settings: ServerSettings
    store: ServerStore
    _open: dict[str, Workspace] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: Recent | None = None
    _warmers: dict[str, Warmer] = field(default_factory=dict)
    _closed: bool = False
    _starting: threading.Thread | None = None

    @property
    def recent(self) -> Recent:
        if self._recent is None:
            self._recent = Recent(self.store)
        return self._recent

    def session_for(self, cookie: str) -> SessionInfo | None:
        """The live session of the cookie ``cookie`` (:meth:`ServerStore.session_for`, kept
        for a few seconds)."""
        found = self.recent.get(
            ("session", credentials.digest(cookie)), lambda: self.store.session_for(cookie)
        )
        if found is not None and _aware(found.expires_at) <= dt.datetime.now(dt.UTC):
            return None
        return found

    def memberships(self, user_id: int) -> list[tuple[WorkspaceInfo, str]]:
        """The user's workspaces and roles (:meth:`ServerStore.memberships`, kept for a few
        seconds)."""
        return list(
            self.recent.get(("memberships", user_id), lambda: self.store.memberships(user_id))
        )

    def open_at_start(self) -> threading.Thread | None:
        """Open the workspaces of ``settings.open_at_start`` one after another in a thread of
        their own (the app answers meanwhile; a request for one of them waits for its opening,
        as on first use), so that their warmers start computing before the first visitor. A
        workspace that cannot be opened now is logged and left to its first use."""
        wanted = list(self.settings.open_at_start)
        if not wanted:
            return None

        def open_all() -> None:
            try:
                hosted = {info.id: info for info in self.store.workspaces()}
            except Exception:
                log.exception("reading the hosted workspaces failed")
                return
            for ws_id in wanted:
                if ws_id not in hosted:
                    log.warning("workspace %s is not hosted: not opened at start", ws_id)
                    continue
                try:
                    self.workspace(hosted[ws_id])
                except Exception:
                    log.exception("opening workspace %s at start failed", ws_id)

        thread = threading.Thread(target=open_all, name="shakhes-open-at-start", daemon=True)
        self._starting = thread
        thread.start()
        return thread

    def ready(self) -> bool:
        """Whether the workspaces to open at start are open and their warmers' first rounds
        are over (``GET /api/v1/health``: a load balancer sends no users to a server before
        it is ready); True when there are none. Opening a workspace that failed counts as
        over (its first use tries again)."""
        if self._starting is not None and self._starting.is_alive():
            return False
        with self._lock:
            warmers = [self._warmers.get(ws_id) for ws_id in self.settings.open_at_start]
        return all(w is None or w.first_done.is_set() or not w.is_alive() for w in warmers)

    def workspace(self, info: WorkspaceInfo) -> Workspace:
        """The open workspace of ``info`` (opened on first use)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            ws = self._open.get(info.id)
            if ws is None:
                ws = Workspace.open(Path(info.path), wait=self.settings.workspace_wait)
                ws.keep_reader()  # one read-only DuckDB instance between requests
                self._open[info.id] = ws
                if self.settings.shared_cache is not None:
                    from shakhes.service.cache import share
                    from shakhes.service.shared import digest

                    share(ws, self.settings.shared_cache / str(digest(info.id)))
                if self.settings.warm_seconds > 0:
                    warmer = self._warmers[info.id] = Warmer(ws, self.settings.warm_seconds)
                    warmer.start()
            return ws

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for warmer in self._warmers.values():
                warmer.stop()
            for warmer in self._warmers.values():
                warmer.join(timeout=60)
            self._warmers.clear()
            for ws in self._open.values():
                ws.close()
            self._open.clear()
        self.store.close()


def _aware(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (SQLite gives back naive datetimes of UTC times)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def register(store: ServerStore, path: Path, *, actor: str) -> tuple[WorkspaceInfo, bool]:
    """Host the workspace at ``path`` (checked by opening its settings); True when new."""
    ws = Workspace.open(path)
    try:
        info = WorkspaceInfo(ws.id, str(ws.root.resolve()), ws.settings.name)
    finally:
        ws.close()
    new = store.register_workspace(info.id, info.path, info.name, actor=actor)
    return info, new
