"""A read-only DuckDB instance kept between read sessions, for a long-running server.

Opening a DuckDB file costs about 17 ms, and a new instance starts with an empty buffer pool:
its first query reads its columns from the file again (at 10 M rows, a breakdown by day and
platform takes 85 ms on a new instance and 31 ms on one that has read those columns before).
A server reads its workspaces many times a second, so it keeps one read-only instance per
workspace (:meth:`shakhes.workspace.Workspace.keep_reader`) and gives each read session a
cursor of it (about 1 ms; the cursors share the instance's buffer pool and catalog).

The instance is a reader like any other (:mod:`shakhes.data.access`): it is opened through
the gate's reader turn (the turnstile, then the data lock, shared) and keeps that turn while it
is open. A writer — another process's import, or a thread of this one — queues by taking the
turnstile, then waits for the data lock; so the kept instance gives its turn up as soon as a
writer queues:

- a session that starts while a writer queues does not use it: it takes its turn as usual and
  waits behind the writer;
- the sessions using it finish as they would have (a writer waits for the reads in progress);
- when the last of them ends — or at once, if none is running, noticed by a thread that looks
  every :data:`POLL` seconds — the instance is closed and its turn released. The writer writes;
  the next session opens a new instance, which sees what the writer wrote.

So an instance is only ever open while no writer holds the file, and every session reads the
data its versions name, as with a connection of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from shakhes.data.access import FileGate, OnWait
from shakhes.data.warehouse import Warehouse

POLL = 0.05
"""Seconds between two looks for a queued writer while the instance is open and idle (the
longest a writer waits for an idle server, besides the reads in progress)."""


class KeptReader:
    """The kept instance of one DuckDB file (see the module docstring): ``connect()`` opens it
    read-only; ``gate`` is the file's :class:`~shakhes.data.access.FileGate`."""

    def __init__(
        self, gate: FileGate, connect: Callable[[], Warehouse], *, poll: float = POLL
    ) -> None:
        self.gate = gate
        self._connect = connect
        self._poll = poll
        self._lock = threading.Lock()
        """Guards the fields below; held while the instance opens (taking the reader's turn)."""
        self._warehouse: Warehouse | None = None
        self._turn: ExitStack | None = None
        self._users = 0
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self.opened = 0
        """How many times an instance was opened (a new one after each writer)."""

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._warehouse is not None

    @contextmanager
    def lease(self, wait: float, on_wait: OnWait | None) -> Iterator[Warehouse | None]:
        """The kept instance for the length of one read session (take cursors of it:
        :meth:`Warehouse.cursor`, one per thread), opened if it is not — waiting for the
        reader's turn up to ``wait`` seconds like any reader; None while a writer queues:
        the session then takes its turn and connection as usual, behind the writer."""
        if self.gate.writer_queued():
            yield None
            return
        with self._lock:
            if self._warehouse is None:
                self._open(wait, on_wait)
            self._users += 1
            warehouse = self._warehouse
        try:
            yield warehouse
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self.gate.writer_queued():
                    self._close()

    def close(self) -> None:
        """Close the instance and give its turn up (the server is stopping)."""
        self._stop.set()
        with self._lock:
            self._close()
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.join()

    def _open(self, wait: float, on_wait: OnWait | None) -> None:
        turn = ExitStack()
        try:
            turn.enter_context(self.gate.shared(wait, on_wait))
            self._warehouse = self._connect()
        except BaseException:
            turn.close()
            raise
        self._turn = turn
        self.opened += 1
        if self._watcher is None:
            self._stop.clear()
            self._watcher = threading.Thread(
                target=self._watch, name="shakhes-kept-reader", daemon=True
            )
            self._watcher.start()

    def _close(self) -> None:
        """Close the instance, then release its turn (under the lock)."""
        warehouse, turn = self._warehouse, self._turn
        self._warehouse = self._turn = None
        try:
            if warehouse is not None:
                warehouse.close()
        finally:
            if turn is not None:
                turn.close()

    def _watch(self) -> None:
        """Until :meth:`close`: close the instance when a writer queues and no session uses
        it."""
        while not self._stop.wait(self._poll):
            with self._lock:
                if self._warehouse is not None and self._users == 0 and self.gate.writer_queued():
                    self._close()
