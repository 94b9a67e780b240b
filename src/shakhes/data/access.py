"""Who may use a workspace's warehouse, and when: many readers at once, or one writer.

A DuckDB file can be open read-write by one process or read-only by many, never both; so
processes (and threads: each lock below is taken on its own open file, and ``flock`` locks of
two open files exclude each other even inside one process) take turns through two
``fcntl.flock`` locks on files in the workspace's ``.shakhes/`` folder, which the operating system
releases when a process dies, even by ``kill -9``:

- the **data lock**: shared by every reader, exclusive for the writer;
- the **turnstile**: a writer holds it (exclusively) from the moment it queues until it is
  done; a reader passes through it (shared, for an instant) before it takes the data lock. So
  once a writer queues, new readers queue behind it, and a writer is never starved by a
  stream of readers.

The writer describes itself in ``writer.json`` (what, who, pid, since) for the waiting message
of whoever queues behind it. Waits are polled, so they can time out (:class:`BusyError`, code
``busy``) and report what they wait for through a callback (the core never prints).

A Postgres warehouse needs no lock for readers (each reader reads one consistent snapshot,
see :mod:`shakhes.data.warehouse`); its writers take turns through a Postgres advisory lock and
describe themselves in the ``shakhes_writer`` table. An in-memory DuckDB lives in one process:
its writers take turns through a plain thread lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from shakhes.data import DEFAULT_WAIT as DEFAULT_WAIT
from shakhes.errors import BusyError, WorkspaceError

LOCK_FOLDER = ".shakhes"
"""The folder, inside the workspace, holding the lock files."""


@dataclass(frozen=True)
class Holder:
    """Who is writing to a workspace (or queued to), as the waiting message names it."""

    what: str
    """``import of ads.csv``, ``undo of import #12``, …"""
    actor: str
    pid: int
    host: str
    since: dt.datetime
    """When it took its turn (local time of its machine)."""

    @classmethod
    def me(cls, what: str, actor: str) -> Holder:
        """This process, about to do ``what`` for ``actor``."""
        return cls(what, actor, os.getpid(), socket.gethostname(), dt.datetime.now())

    def describe(self) -> str:
        """``import of ads.csv by alice (pid 4242, since 14:02:11)``."""
        where = (
            f"pid {self.pid}"
            if self.host == socket.gethostname()
            else (f"pid {self.pid} on {self.host}")
        )
        return f"{self.what} by {self.actor} ({where}, since {self.since:%H:%M:%S})"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat(timespec="seconds")
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Holder | None:
        """The holder in ``data`` (parsed JSON), or None when it is not one."""
        try:
            return cls(
                str(data["what"]),
                str(data["actor"]),
                int(data["pid"]),
                str(data["host"]),
                dt.datetime.fromisoformat(str(data["since"])),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Waiting:
    """What a reader or writer waits for: a writer (``holder``), or, for a writer, the reads
    in progress (``holder`` None). Given to the ``on_wait`` callback when a wait starts and
    whenever what it waits for changes."""

    holder: Holder | None
    writing: bool
    """Whether the one waiting is a writer."""

    def __str__(self) -> str:
        if self.holder is not None:
            return f"waiting for {self.holder.describe()}…"
        if self.writing:
            return "waiting for the reads in progress to finish…"
        return "waiting for another shakhes process to finish…"


OnWait = Callable[[Waiting], None]


def busy_error(holder: Holder | None, wait: float, *, writing: bool) -> BusyError:
    """The error of a wait that timed out, naming who holds the workspace."""
    if holder is not None:
        what = holder.describe()
    elif writing:
        what = "reads in progress"
    else:
        what = "another shakhes process"
    return BusyError(
        f"the workspace is busy with {what}; gave up after waiting {wait:g} s",
        hint="Try again when it is done.",
        params={"wait": wait, "holder": holder.to_dict() if holder else None},
    )


class Gate(Protocol):
    """Turns on a warehouse: any number of readers, or one writer."""

    def shared(
        self, wait: float, on_wait: OnWait | None
    ) -> contextlib.AbstractContextManager[None]:
        """Held by a reader for the length of its read."""
        ...

    def exclusive(
        self, holder: Holder, wait: float, on_wait: OnWait | None
    ) -> contextlib.AbstractContextManager[None]:
        """Held by a writer for the length of its write."""
        ...


class _Poll:
    """Repeated attempts until a deadline, with the ``on_wait`` reports in between."""

    def __init__(self, wait: float, on_wait: OnWait | None, *, writing: bool) -> None:
        self.wait = max(0.0, wait)
        self.deadline = time.monotonic() + self.wait
        self.on_wait = on_wait
        self.writing = writing
        self._told: Waiting | None = None
        self._pause = 0.005

    def until(self, attempt: Callable[[], bool], holder: Callable[[], Holder | None]) -> None:
        """Call ``attempt`` until it succeeds; between tries, report ``holder()`` when it
        changes, and raise :class:`BusyError` at the deadline."""
        while not attempt():
            who = holder()
            if time.monotonic() >= self.deadline:
                raise busy_error(who, self.wait, writing=self.writing)
            waiting = Waiting(who, self.writing)
            if waiting != self._told:
                self._told = waiting
                if self.on_wait is not None:
                    self.on_wait(waiting)
            time.sleep(min(self._pause, max(0.0, self.deadline - time.monotonic())))
            self._pause = min(self._pause * 2, 0.2)


# ---- DuckDB files: flock ------------------------------------------------------------------------


class FileGate:
    """Turns on a DuckDB file, through ``flock`` locks in ``folder`` (see the module doc)."""

    DATA = "data.lock"
    TURNSTILE = "turnstile.lock"
    WRITER = "writer.json"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextlib.contextmanager
    def _file(self, name: str) -> Iterator[int]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # flock needs no write permission: a user who may only read the files can lock.
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot open the lock file {self.folder / name}: {exc.strerror}",
                hint="Commands take turns through files in this folder: it must exist and be "
                "writable by everyone who uses the workspace.",
            ) from None
        try:
            yield fd
        finally:
            os.close(fd)  # releases any lock held through it

    @staticmethod
    def _try(fd: int, kind: int) -> Callable[[], bool]:
        def attempt() -> bool:
            try:
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return False
                raise
            return True

        return attempt

    def writer(self) -> Holder | None:
        """The writer that holds (or queues for) the workspace, as it described itself."""
        try:
            data = json.loads((self.folder / self.WRITER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Holder.from_dict(data)

    def writer_queued(self) -> bool:
        """Whether a writer holds the workspace or queues for it (it holds the turnstile)."""
        with self._file(self.TURNSTILE) as turnstile:
            if not self._try(turnstile, fcntl.LOCK_SH)():
                return True
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            return False

    @contextlib.contextmanager
    def shared(self, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        poll = _Poll(wait, on_wait, writing=False)
        with self._file(self.TURNSTILE) as turnstile, self._file(self.DATA) as data:
            poll.until(self._try(turnstile, fcntl.LOCK_SH), self.writer)
            try:
                poll.until(self._try(data, fcntl.LOCK_SH), self.writer)
            finally:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
            yield

    @contextlib.contextmanager
    def exclusive(self, holder: Holder, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        poll = _Poll(wait, on_wait, writing=True)
        with self._file(self.TURNSTILE) as turnstile, self._file(self.DATA) as data:
            poll.until(self._try(turnstile, fcntl.LOCK_EX), self.writer)
            holder = replace(holder, since=dt.datetime.now())
            path = self.folder / self.WRITER
            try:
                temporary = path.with_name(f"{self.WRITER}.{os.getpid()}.{threading.get_ident()}")
                temporary.write_text(json.dumps(holder.to_dict()), encoding="utf-8")
                temporary.replace(path)
                poll.until(self._try(data, fcntl.LOCK_EX), lambda: None)
                yield
            finally:
                # The turnstile is still ours, so the file is ours to remove.
                path.unlink(missing_ok=True)


# ---- one process: a thread lock -----------------------------------------------------------------


class LocalGate:
    """Turns on an in-memory DuckDB, which only this process sees: readers read their own
    snapshot (DuckDB's MVCC) and need no lock; writers take turns through a thread lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: Holder | None = None

    @contextlib.contextmanager
    def shared(self, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def exclusive(self, holder: Holder, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        poll = _Poll(wait, on_wait, writing=True)
        poll.until(lambda: self._lock.acquire(blocking=False), lambda: self._holder)
        self._holder = replace(holder, since=dt.datetime.now())
        try:
            yield
        finally:
            self._holder = None
            self._lock.release()


# ---- Postgres: an advisory lock -----------------------------------------------------------------

WRITER_TABLE = "shakhes_writer"
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"shakhes warehouse writer").digest()[:8], "big") - (
    1 << 63
)
"""The advisory lock (a signed 64-bit key) that writers to a Postgres warehouse hold."""


class PostgresGate:
    """Turns on a Postgres warehouse: readers need no lock (MVCC); writers take turns through
    a session-level advisory lock on a connection of their own (released by the server if the
    writer dies) and describe themselves in the ``shakhes_writer`` table."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    @contextlib.contextmanager
    def shared(self, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def exclusive(self, holder: Holder, wait: float, on_wait: OnWait | None) -> Iterator[None]:
        import psycopg

        poll = _Poll(wait, on_wait, writing=True)
        try:
            connection = psycopg.connect(self.conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            raise WorkspaceError(f"cannot connect to the warehouse: {str(exc).strip()}") from None
        with connection as con:

            def attempt() -> bool:
                row = con.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
                return bool(row and row[0])

            def current() -> Holder | None:
                try:
                    row = con.execute(
                        f"SELECT what, actor, pid, host, since FROM {WRITER_TABLE}"
                    ).fetchone()
                except psycopg.errors.UndefinedTable:
                    return None
                if row is None:
                    return None
                return Holder(str(row[0]), str(row[1]), int(row[2]), str(row[3]), row[4])

            poll.until(attempt, current)
            holder = replace(holder, since=dt.datetime.now())
            try:
                with con.transaction():
                    con.execute(
                        f"CREATE TABLE IF NOT EXISTS {WRITER_TABLE} (what VARCHAR NOT NULL, "
                        "actor VARCHAR NOT NULL, pid BIGINT NOT NULL, host VARCHAR NOT NULL, "
                        "since TIMESTAMP NOT NULL)"
                    )
                    con.execute(f"DELETE FROM {WRITER_TABLE}")
                    con.execute(
                        f"INSERT INTO {WRITER_TABLE} VALUES (%s, %s, %s, %s, %s)",
                        (holder.what, holder.actor, holder.pid, holder.host, holder.since),
                    )
                yield
            finally:
                with contextlib.suppress(psycopg.Error):
                    con.execute(f"DELETE FROM {WRITER_TABLE}")
                    con.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_KEY,))
