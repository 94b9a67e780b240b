"""Progress of a long import or load: one bar by bytes or rows, named by its stage.

In a terminal it is a bar that redraws itself (and is gone when the import is done); anywhere
else — a pipe, a file, cron — it is plain lines, one when a stage starts and at most one every
:data:`PLAIN_EVERY` seconds within a stage, with no control characters; ``--quiet`` silences
both. Stages come from the import (:class:`shakhes.imports.report.Step`): ``reading`` (the
file, each row checked as it is read), ``checking`` (the whole file: repeated keys, spellings)
and ``merging`` (into the table). No time-remaining estimate is shown: the stages go at very
different speeds, so a guess from the first would mislead; the elapsed time is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from shakhes.imports.report import Step

PLAIN_EVERY = 5.0
"""Seconds between two plain progress lines within one stage (at most)."""

Report = Callable[[Step], None]


@contextmanager
def progress_bar(
    console: Console | None, name: str, *, every: float = PLAIN_EVERY
) -> Iterator[Report | None]:
    """A progress report for importing ``name``, drawn on ``console``: a bar if it is a
    terminal, plain lines if not, nothing (``None``) without a console (``--quiet``)."""
    if console is None:
        yield None
        return
    if not console.is_terminal:
        yield PlainProgress(console.file, name, every=every)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _Amount(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task(f"Importing {name}: opening", total=None, unit="bytes", rows=0, said="")
        yield partial(_advance, bar, task, name)


def _advance(bar: Progress, task: TaskID, name: str, step: Step) -> None:
    """Show ``step`` on the bar: the stage, and how far it has got (a pulsing bar when that
    cannot be told)."""
    known = step.done is not None and step.total is not None
    bar.update(
        task,
        description=f"Importing {name}: {step.phase}",
        total=step.total if known else None,
        completed=step.done if known else 0,
        unit=step.unit,
        rows=step.rows,
        said="" if known else _amount(step),
    )
    if not known:  # (update() leaves the total as it was when given None)
        for shown in bar.tasks:
            if shown.id == task:
                shown.total = None


class _Amount(ProgressColumn):
    """``12.3/84.0 MB, 120,000 rows`` or ``4,200,000/10,000,000 rows``; when how far cannot be
    told, what :func:`_amount` says (``… of 10,000,000 rows``, ``1,000,000 rows``)."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = DownloadColumn()

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text(str(task.fields.get("said") or ""))
        if task.fields.get("unit") == "rows":
            return Text(f"{int(task.completed):,}/{int(task.total):,} rows")
        rows = int(task.fields.get("rows") or 0)
        shown = self._bytes.render(task)
        return shown + Text(f", {rows:,} rows") if rows else shown


class PlainProgress:
    """Progress as plain lines on ``file``: one when a stage starts (or starts again from 0:
    the general way reading a file the straight read stopped in), then at most one every
    ``every`` seconds. Safe to call from several threads (DuckDB's progress comes from one)."""

    def __init__(
        self,
        file: IO[str],
        name: str,
        *,
        every: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.file, self.name, self.every, self.clock = file, name, every, clock
        self._lock = threading.Lock()
        self._start = clock()
        self._stage: str | None = None
        self._last = 0.0
        self._done: int | None = None

    def __call__(self, step: Step) -> None:
        with self._lock:
            now = self.clock()
            again = step.phase == self._stage and step.done == 0 and self._done != 0
            if step.phase == self._stage and now - self._last < self.every and not again:
                return
            self._stage, self._last, self._done = step.phase, now, step.done
            seconds = now - self._start
            self.file.write(f"{self.name}: {step.phase} {_amount(step)}, {seconds:.0f} s\n")
            self.file.flush()


def _amount(step: Step) -> str:
    """How far ``step`` has got, in words: ``42% (35,100,000 of 83,600,000 bytes; 420,000
    rows)``, ``… of 1,000,000 rows`` (reading, not known how far), ``1,000,000 rows``."""
    if step.done is None and step.phase == "reading":
        return f"… of {step.total:,} {step.unit}" if step.total else "…"
    if step.done is None or step.total is None:
        rows = step.total if step.unit == "rows" and step.total is not None else step.rows
        return f"{rows:,} rows" if rows else "…"
    percent = 100 * step.done // step.total if step.total else 100
    read = f"; {step.rows:,} rows" if step.rows and step.unit == "bytes" else ""
    return f"{percent}% ({step.done:,} of {step.total:,} {step.unit}{read})"
