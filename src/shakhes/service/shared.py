"""Results shared by the worker processes of one ``shakhes serve --workers N``, through files.

Each worker process has its own :class:`~shakhes.service.cache.Memo` per workspace; without
more, N workers compute every cold page N times, and a page asked of two workers at once is
computed by both. With a :class:`Shared` folder (``shakhes serve`` makes one per run when it
starts more than one worker, and removes it when it ends), a result one worker computed is
read by the others, and a result being computed by one is waited for by the others instead of
computed again — as the threads of one process already do (:meth:`Memo.get`):

- each key (name, parameters and workspace state, as the memo has it) is written as canonical
  JSON (:func:`canonical`) and named by its SHA-256; a key with anything else in it (an object
  that has no one spelling across processes) is not shared: computed by the process asking;
- a result is pickled to a temporary file and renamed into place (``os.replace``), so a reader
  finds a whole file or none; a result that cannot be pickled is kept by its process only;
- the first process to miss a key takes an exclusive ``flock`` on the key's lock file while it
  computes; the others wait on that lock, then read what it wrote. The kernel releases the
  lock of a process that dies, and the next asker computes.

The folder is the server run's own (``tempfile.mkdtemp``, owner-only), never a workspace's:
its results are read only by processes of the same code and settings, and no other user can
write a file that a worker would unpickle. Old states' files are removed when the folder holds
more than :data:`MAX_FILES` results (least recently written first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import fcntl
import hashlib
import json
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MAX_FILES = 2048
"""Results a shared folder keeps per workspace before the oldest are removed."""
PRUNE_EVERY = 64
"""Results written between two counts of the folder."""
SUFFIX = ".result"
log = logging.getLogger(__name__)


class NotCanonical(TypeError):
    """A key holds a value without one spelling across processes."""


def canonical(value: Any) -> Any:
    """``value`` as JSON-ready data with one spelling in every process: tuples and lists as
    lists, sets sorted, dates tagged, dataclasses and enums by type and fields (raises
    :class:`NotCanonical` for anything else)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [canonical(v) for v in value]
    if isinstance(value, (frozenset, set)):
        items = [canonical(v) for v in value]
        return {"set": sorted(items, key=lambda v: json.dumps(v, sort_keys=True))}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__qualname__, "value": canonical(value.value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": type(value).__qualname__, "fields": fields}
    raise NotCanonical(f"{type(value).__qualname__} has no canonical spelling")


def digest(key: Hashable) -> str | None:
    """The file name of ``key`` (None when it cannot be shared)."""
    try:
        text = json.dumps(canonical(key), sort_keys=True, ensure_ascii=False)
    except NotCanonical:
        return None
    return hashlib.sha256(text.encode()).hexdigest()


class Shared:
    """A folder of results shared by processes (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._written = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of ``key``: read from the folder, or computed once across processes
        (the others wait) and written there."""
        name = digest(key)
        if name is None:
            return compute()
        path = self.folder / (name + SUFFIX)
        found = self._read(path)
        if found is not None:
            return found[0]  # type: ignore[no-any-return]
        with open(self.folder / (name + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                found = self._read(path)
                if found is not None:
                    return found[0]  # type: ignore[no-any-return]
                value = compute()
                self._write(path, value)
                return value
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def busy(self, key: Hashable) -> bool:
        """Whether another process (or thread) is computing ``key`` right now: a warmer
        passes such a key by, to compute another meanwhile, instead of waiting for it."""
        name = digest(key)
        if name is None:
            return False
        try:
            with open(self.folder / (name + ".lock"), "a+b") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(lock, fcntl.LOCK_UN)
        except BlockingIOError:
            return True
        return False

    def _read(self, path: Path) -> tuple[Any] | None:
        """``(value,)`` of the file at ``path``; None when there is none (or it cannot be
        read: a miss, computed again)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return (pickle.loads(data),)  # noqa: S301 — written by this server run only
        except Exception:
            log.warning("a shared result could not be read: %s", path, exc_info=True)
            return None

    def _write(self, path: Path, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # kept by this process only (its memo)
            log.debug("a result of type %s is not shared", type(value).__name__, exc_info=True)
            return
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        with self._lock:
            self._written += 1
            prune = self._written % PRUNE_EVERY == 0
        if prune:
            self.prune()

    def prune(self, keep: int = MAX_FILES) -> int:
        """Remove the least recently written results beyond ``keep`` (and their lock files);
        how many were removed."""
        found = []
        for path in self.folder.glob("*" + SUFFIX):
            try:
                found.append((path.stat().st_mtime, path))
            except FileNotFoundError:  # removed meanwhile by another process
                continue
        found.sort()
        old = found[: max(0, len(found) - keep)]
        for _, path in old:
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
        return len(old)
