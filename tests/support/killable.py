"""Imports in processes of their own that a test kills (``kill -9``) at a moment of its choice,
started quickly: each is forked from one process that imported shakhes' import pipeline once
(a few milliseconds), instead of being a new Python that imports it again (most of a second)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from types import TracebackType

import psutil

SERVER = """
import os, sys, traceback
from pathlib import Path
from shakhes.data.warehouse import Warehouse
from shakhes.imports.pipeline import ImportOptions, import_file, read_ahead
import pandas  # (what an import loads as it goes: loaded once here)

def child(db, path, source, way):
    options = ImportOptions(source=source, replace_range=True)
    if way == "ahead":  # read before the warehouse is opened, as `shakhes import` does
        print("ready", os.getpid(), flush=True)
        with read_ahead(Path(path), options) as finish:
            wh = Warehouse.connect("duckdb:///" + db)
            finish(wh)
    else:
        wh = Warehouse.connect("duckdb:///" + db)
        print("ready", os.getpid(), flush=True)
        import_file(wh, Path(path), options)
    wh.close()
    print("done", flush=True)

print("started", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            child(*line.rstrip("\\n").split("\\t"))
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    sys.stdin.readline()  # "reap": the test is done with the child
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""
"""Reads ``DB<TAB>FILE<TAB>SOURCE<TAB>WAY`` lines; for each, forks a child that imports FILE
into the DuckDB file DB replacing its dates (``whole``: opening the warehouse first, then
``import_file``; ``ahead``: reading the file first, as ``shakhes import`` does), and says
``ready PID`` when the import starts and ``done`` once it is over. The child is reaped on the
next line (so its pid stays its own until then), and its exit code said."""


class Importer:
    """A server of killable imports (:data:`SERVER`); a context manager that stops it."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        self._server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,
        )
        assert self._server.stdout is not None
        self._out = self._server.stdout.fileno()
        assert self._line() == "started"  # it has imported what an import needs

    def _line(self) -> str:
        """The next line of the server (or a child), read a byte at a time so that nothing
        after it is taken from the pipe."""
        data = b""
        while not data.endswith(b"\n"):
            if not select.select([self._out], [], [], 120)[0]:  # (a child that failed early)
                raise AssertionError(f"no word from the import server in 120 s: {data!r}")
            byte = os.read(self._out, 1)
            if not byte:
                raise AssertionError("the import server stopped")
            data += byte
        return data.decode().rstrip("\n")

    def _say(self, line: str) -> None:
        assert self._server.stdin is not None
        self._server.stdin.write(line.encode() + b"\n")

    def start(self, db: str, path: str, source: str, way: str) -> int:
        """Start an import; the child's pid, once it says the import started."""
        self._say("\t".join((db, path, source, way)))
        said, pid = self._line().split()
        assert said == "ready"
        return int(pid)

    def _done(self) -> bool:
        """Whether a child said ``done`` (reading it)."""
        if not select.select([self._out], [], [], 0)[0]:
            return False
        assert self._line() == "done"
        return True

    def wait(self, pid: int) -> None:
        """Let the child ``pid`` finish its import, and reap it (failing if it ended without
        finishing: its traceback is on stderr)."""
        while not self._done():
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:  # it ended: said all
                if self._done():
                    break
                self._say("reap")
                raise AssertionError(f"the import failed (exit code {self._line()})")
            select.select([self._out], [], [], 0.05)
        self._say("reap")
        assert int(self._line()) == 0  # it exited well

    def kill_unless_done(self, pid: int) -> bool:
        """``kill -9`` the child ``pid`` unless it finished its import, and reap it; whether
        the kill landed before the import finished."""
        if self._done():
            self._say("reap")
            assert int(self._line()) == 0  # it exited well
            return False
        os.kill(pid, signal.SIGKILL)
        self._say("reap")
        code = int(self._line())
        if self._done():  # (it finished between the look and the kill)
            assert code in (0, -signal.SIGKILL), code
            return False
        assert code == -signal.SIGKILL, code
        return True

    def __enter__(self) -> Importer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server.stdin is not None
        self._server.stdin.close()
        self._server.wait(timeout=30)
