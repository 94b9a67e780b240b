"""Progress of a long import or load: one bar by bytes or rows, named by its stage.

In a terminal it is a bar that redraws itself (and is gone when the import is done); anywhere
else — a pipe, a file, cron — it is plain lines, one when a stage starts and at most one every
:data:`PLAIN_EVERY` seconds within a stage, with no control characters; ``--quiet`` silences
both. Stages come from the import (:class:`shakhes.imports.pipeline.Step`): ``reading`` (the
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

from shakhes.imports.pipeline import Step

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
        task = bar.add_task(f"Importing {name}: opening", total=None, unit="bytes", rows=0)
        yield partial(_advance, bar, task, name)


def _advance(bar: Progress, task: TaskID, name: str, step: Step) -> None:
    """Show ``step`` on the bar: the stage, and how far it has got (a pulsing bar when that
    cannot be told)."""
    known = step.done is not None and step.total is not None
    rows = step.rows or (step.total or 0 if step.unit == "rows" else 0)
    bar.update(
        task,
        description=f"Importing {name}: {step.phase}",
        total=step.total if known else None,
        completed=step.done if known else 0,
        unit=step.unit,
        rows=rows,
    )
    if not known:  # (update() leaves the total as it was when given None)
        for shown in bar.tasks:
            if shown.id == task:
                shown.total = None


class _Amount(ProgressColumn):
    """``12.3/84.0 MB`` or ``4,200,000/10,000,000 rows``; the rows read so far alongside."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = DownloadColumn()

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows") or 0)
        if task.fields.get("unit") == "rows":
            if task.total is None:
                return Text(f"{rows:,} rows" if rows else "")
            return Text(f"{int(task.completed):,}/{int(task.total):,} rows")
        if task.total is None:
            return Text(f"{rows:,} rows" if rows else "")
        shown = self._bytes.render(task)
        return shown + Text(f", {rows:,} rows") if rows else shown


class PlainProgress:
    """Progress as plain lines on ``file``: one when a stage starts, then at most one every
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

    def __call__(self, step: Step) -> None:
        with self._lock:
            now = self.clock()
            if step.phase == self._stage and now - self._last < self.every:
                return
            self._stage, self._last = step.phase, now
            seconds = now - self._start
            self.file.write(f"{self.name}: {step.phase} {_amount(step)}, {seconds:.0f} s\n")
            self.file.flush()


def _amount(step: Step) -> str:
    """How far ``step`` has got, in words: ``42% (35,100,000 of 83,600,000 bytes; 420,000
    rows)``, ``1,000,000 rows``."""
    if step.done is None or step.total is None:
        rows = step.total if step.unit == "rows" and step.total is not None else step.rows
        return f"{rows:,} rows" if rows else "…"
    percent = 100 * step.done // step.total if step.total else 100
    read = f"; {step.rows:,} rows" if step.rows and step.unit == "bytes" else ""
    return f"{percent}% ({step.done:,} of {step.total:,} {step.unit}{read})"
