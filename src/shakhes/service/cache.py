"""Results computed once per state of a workspace, for a server with many users.

:func:`cached` answers ``compute()`` from a bounded, thread-safe cache kept per open
:class:`~shakhes.workspace.Workspace`, keyed by what the result is (a name and its parameters)
and by the workspace's state (:func:`state`): its data and definitions versions, its last
audited change (goals and targets are audited, not versioned) and today's date. A data import,
a KPI, goal or target change, or midnight gives a new key, hence new numbers; old keys fall out
as new ones come in (least recently used first).

Answering a key the cache holds reads only the metadata store, never the warehouse: while an
import holds a DuckDB warehouse (reads wait, docs/concurrency.md), the pages and answers
already computed for the data before it are still served, and they are all of "before" — the
data version moves only when the import commits. A missing key is computed in one read
session (one connection, one snapshot; its key from that session's versions, so the result is
stored under the versions of the data it read), once: threads asking for the same key at once
wait for the first one's result (a lock per key) instead of computing it again. A result
computed inside a write session is never stored (it may see data the versions do not yet
count).

Results asked with ``warm=True`` (the pages' data, and ``compute()`` asked for itself, as the
API does) are remembered with how to compute them — the :data:`WARM_SIZE` asked most recently —
so that after a data change :func:`warm` can compute them again for the new state before
anyone asks (a server runs it from a thread of its own: :mod:`shakhes.server.state`).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from shakhes.service.shared import Shared
    from shakhes.workspace import Session, Workspace

T = TypeVar("T")

SIZE = 256
"""Results kept per workspace (pages are a few tens of kB each)."""

WARM_SIZE = 128
"""How many recently asked results :func:`warm` computes again after a change: a KPI page
and its four panels are five, so about 25 KPI pages, or a team's morning round of the
overview and its KPIs in two languages."""

WARM_WAIT = 5.0
"""The longest a warmer waits, before computing one of its results, for the users'
computations in progress to end: it yields to them (they share the same cores), and under a
steady load it goes on anyway."""

LOCAL = frozenset({"web.html"})
"""Results never shared between processes: a page's HTML holds its process's stand-ins for
the user's e-mail and CSRF token (:func:`shakhes.web.pages._render_kept`); the data it is
rendered from is shared."""

_MISSING = object()
log = logging.getLogger(__name__)


class Memo:
    """A bounded least-recently-used map whose missing values are computed once per key even
    when several threads ask at the same time."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.shared: Shared | None = None
        """Results shared with the other worker processes of a server (:func:`share`)."""
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, threading.Lock] = {}
        self._recipes: OrderedDict[tuple[str, Hashable], Callable[[], Any]] = OrderedDict()
        """(name, params) → how to compute it, the most recently asked last."""
        self._lock = threading.Lock()
        """Guards the two dicts; held only to read or update them, never while computing."""

    def __len__(self) -> int:
        return len(self._values)

    def peek(self, key: Hashable) -> Any:
        """The value of ``key``, or :data:`_MISSING`."""
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is not _MISSING:
                self._values.move_to_end(key)
            return value

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``, computed by ``compute`` if it is missing — by one thread only:
        the others asking meanwhile wait for its result (an error is not kept: the next asker
        tries again)."""
        found = self.peek(key)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            found = self.peek(key)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
            try:
                shared = self.shared if _shareable(key) else None
                value = compute() if shared is None else shared.get(key, compute)
                with self._lock:
                    self._values[key] = value
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    if self._flights.get(key) is flight:
                        del self._flights[key]
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._recipes.clear()

    def remember(self, name: str, params: Hashable, compute: Callable[[], Any]) -> None:
        """Note that ``name`` of ``params`` was asked, and how to compute it."""
        with self._lock:
            self._recipes[(name, params)] = compute
            self._recipes.move_to_end((name, params))
            while len(self._recipes) > WARM_SIZE:
                self._recipes.popitem(last=False)

    def recipes(self) -> list[tuple[tuple[str, Hashable], Callable[[], Any]]]:
        """What :meth:`remember` noted, the most recently asked first."""
        with self._lock:
            return list(reversed(self._recipes.items()))


def _shareable(key: Hashable) -> bool:
    return not (isinstance(key, tuple) and key and key[0] in LOCAL)


class _Users:
    """How many users' computations are running in this process: results missing from the
    cache, asked from outside any session by a thread that is not a warmer's."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @contextmanager
    def computing(self) -> Iterator[None]:
        with self._changed:
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def wait_idle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` until none runs; whether none does."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=seconds)


_USERS = _Users()
_THREAD = threading.local()


@contextmanager
def warming() -> Iterator[None]:
    """Mark the calling thread as a warmer's for the block (:class:`shakhes.server.state.
    Warmer`): each result it computes waits first, up to :data:`WARM_WAIT` seconds, for the
    users' computations in progress to end."""
    _THREAD.warming = True
    try:
        yield
    finally:
        _THREAD.warming = False


_MEMOS: weakref.WeakKeyDictionary[Workspace, Memo] = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def memo_of(ws: Workspace) -> Memo:
    """The cache of ``ws`` (one per open workspace, gone with it)."""
    with _MEMOS_LOCK:
        memo = _MEMOS.get(ws)
        if memo is None:
            memo = _MEMOS[ws] = Memo()
        return memo


def share(ws: Workspace, folder: Path) -> None:
    """Share the results of ``ws`` with the other processes that share ``folder``
    (:mod:`shakhes.service.shared`; ``shakhes serve --workers N``). The HTML of pages
    (``web.html``) is rendered per process from the shared data: it holds the process's own
    stand-ins for the user's e-mail and CSRF token."""
    from shakhes.service.shared import Shared

    memo_of(ws).shared = Shared(folder)


def state(ws: Workspace, session: Session | None = None) -> tuple[Hashable, ...]:
    """What a result of ``ws`` depends on besides its parameters: the data and definitions
    versions (those of ``session``'s data when given), the last audited change and today."""
    from shakhes.service.goals import today

    if session is not None:
        return (*session.versions(), session.last_change(), today(ws))
    return (*ws.store.state(ws.id), today(ws))


def cached(
    ws: Workspace, name: str, params: Hashable, compute: Callable[[], T], *, warm: bool = False
) -> T:
    """``compute()`` — the result ``name`` of ``params`` on ``ws`` — from the cache of ``ws``
    when it holds it for the workspace's current state, else computed once in a read session
    and kept; with ``warm``, :func:`warm` computes it again after each change."""
    current = ws.current_session
    if current is not None and current.writing:
        return compute()  # may read what the versions do not count yet: never kept
    memo = memo_of(ws)
    if warm:
        memo.remember(name, params, compute)
    found = memo.peek((name, params, state(ws, current)))
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    turn: AbstractContextManager[object] = nullcontext()
    if current is None and getattr(_THREAD, "warming", False):
        _USERS.wait_idle(WARM_WAIT)  # (never inside a session: a writer may wait for it)
    elif current is None:
        turn = _USERS.computing()
    with turn, ws.reading() as session:
        return memo.get((name, params, state(ws, session)), compute)


def answer(ws: Workspace, name: str, params: Hashable, compute: Callable[[], T]) -> T:
    """A use case's answer (``compute()``: anomalies, a check, a status, an explanation, …)
    kept like :func:`cached`'s, so that the pages and the API share it: asked for itself
    (no session open: the API, a command) it is also remembered for :func:`warm`, and the
    workspace's engine is built first (building it may write: never inside the read session
    the answer is computed in)."""
    asked = ws.current_session is None
    if asked:
        ws.engine  # noqa: B018
    return cached(ws, name, params, compute, warm=asked)


def key_of(value: Any) -> Hashable:
    """``value`` as a cache key: lists (and other sequences but text) as tuples, all the way
    down."""
    if isinstance(value, (str, bytes)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(key_of(v) for v in value)
    return value  # type: ignore[no-any-return]


def warm(ws: Workspace) -> int:
    """Compute the results remembered for :func:`cached`'s ``warm`` (the most recently asked
    first) for the workspace's current state, where not kept yet; how many were computed or
    found. A user error is skipped (it is never kept); any other error is logged and ends
    the round (the next change starts another). A result another worker process is computing
    at that moment is passed by (:meth:`Shared.busy`): it will be shared, and this warmer
    computes the next meanwhile."""
    from shakhes.errors import ShakhesError

    done = 0
    memo = memo_of(ws)
    now = state(ws) if memo.shared is not None else None  # (read once a round)
    for (name, params), compute in memo.recipes():
        if memo.shared is not None and memo.shared.busy((name, params, now)):
            continue  # another worker computes it now; its result will be shared
        try:
            cached(ws, name, params, compute)
        except ShakhesError:
            continue
        except Exception:
            log.exception("warming %s %r of workspace %s failed", name, params, ws.id)
            break
        done += 1
    return done
