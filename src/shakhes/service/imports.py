"""Data in: import files, load canonical files, the import log and its undo, quarantined rows.

Every change runs in a write turn of the workspace (readers see the data before it or after
it, never half) and is recorded in the audit log with the data version bumped in the same
turn, so that every cache keyed by the version moves on.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shakhes.data.model import table as model_table
from shakhes.errors import Issue, ShakhesError
from shakhes.imports.ledger import ImportRecord, Ledger, UndoResult, cell_names
from shakhes.imports.pipeline import read_ahead, retry_quarantine
from shakhes.imports.records import NO_CODE
from shakhes.imports.report import ImportOptions, ImportReport, Step
from shakhes.workspace import current_actor

if TYPE_CHECKING:
    from shakhes.workspace import Session, Workspace

Progress = Callable[[Step], None]


def record_data_change(
    ws: Workspace, session: Session, actor: str, details: Mapping[str, Any]
) -> None:
    """Bump the workspace's data version and write an audit entry of ``details``, inside the
    write turn of the change."""
    session.store.bump_data_version(ws.id, actor, dict(details))


def import_file(ws: Workspace, path: Path, options: ImportOptions) -> ImportReport:
    """Import one export file (see :mod:`shakhes.imports.pipeline`): read, parsed and checked
    outside any turn, then merged in a write turn (one transaction: readers wait until it is
    committed, and see the data before it or after it)."""
    return _import(ws, path, options, f"import of {path.name}")


def load(ws: Workspace, table: str, path: Path, progress: Progress | None = None) -> ImportReport:
    """Strictly load a canonical file into ``table``: all or nothing, every problem listed. It
    is an import with ``strict``, so it is in the import log and :func:`undo` takes it back."""
    name = model_table(table).name
    options = ImportOptions(
        source=f"canonical:{name}", strict=True, actor=current_actor(), progress=progress
    )
    return _import(ws, path, options, f"load of {path.name} into {name}")


def _import(ws: Workspace, path: Path, options: ImportOptions, what: str) -> ImportReport:
    options = replace(options, inactivity_days=ws.settings.customer_inactivity_days)
    # The file is read, parsed and checked before the write turn: readers wait for the merge
    # only (see docs/concurrency.md).
    with read_ahead(path, options) as finish, ws.writing(what) as session:
        report = finish(session.warehouse)
        if report.import_id is not None:
            record_data_change(
                ws,
                session,
                options.actor,
                {
                    "import": report.import_id,
                    "file": options.file_name or str(path),
                    "table": report.table,
                    "accepted": report.accepted,
                    "replaced": report.replaced,
                    "removed": report.removed,
                },
            )
    return report


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file of several: its report, or the error that refused it."""

    path: Path
    report: ImportReport | None = None
    error: ShakhesError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None


def import_files(
    ws: Workspace,
    paths: Iterable[Path],
    options: ImportOptions,
    *,
    progress: Callable[[Path], Any] | None = None,
    done: Callable[[FileOutcome], None] | None = None,
    names: Sequence[str] | None = None,
) -> list[FileOutcome]:
    """Import each file in turn, each its own import (transaction and write turn): a file
    that is refused does not stop the others. ``progress(path)`` is a context manager that
    yields the progress callback for that file; ``done`` hears each outcome as it comes.
    ``names`` (one per path) are the names the import log records instead of the paths: an
    upload's own names."""
    outcomes: list[FileOutcome] = []
    for index, path in enumerate(paths):
        if names is not None:
            options = replace(options, file_name=names[index])
        try:
            if progress is None:
                outcome = FileOutcome(path, import_file(ws, path, options))
            else:
                with progress(path) as step:
                    report = import_file(ws, path, replace(options, progress=step))
                outcome = FileOutcome(path, report)
        except ShakhesError as exc:
            outcome = FileOutcome(path, error=exc)
        outcomes.append(outcome)
        if done is not None:
            done(outcome)
    return outcomes


def imports(ws: Workspace, limit: int = 20) -> list[ImportRecord]:
    """The import log, newest first."""
    with ws.reading() as session:
        return Ledger(session.warehouse).recent(limit)


def undo(ws: Workspace, import_id: int) -> UndoResult:
    """Undo an import: remove its rows and restore exactly what it replaced (and the other
    imports of the same transaction)."""
    with ws.writing(f"undo of import #{import_id}") as session:
        ledger = Ledger(session.warehouse, inactivity_days=ws.settings.customer_inactivity_days)
        result = ledger.undo(import_id)
        record_data_change(
            ws,
            session,
            current_actor(),
            {"undo_import": import_id, "deleted": result.deleted, "restored": result.restored},
        )
    return result


@dataclass(frozen=True)
class Quarantined:
    """A quarantined row: the import and file it came from, and the issue (line, column,
    value, reason, its code — :data:`~shakhes.imports.records.NO_CODE` for an old row whose
    code is not known — and the row's cells as read)."""

    import_id: int
    file_name: str
    issue: Issue


def quarantined(ws: Workspace, import_id: int | None = None) -> list[Quarantined]:
    """The rows imports quarantined and nothing has resolved since (of every import, or of
    one), by import and line."""
    with ws.reading() as session:
        rows = Ledger(session.warehouse).quarantine(import_id)
    return [
        Quarantined(
            r.import_id,
            r.file_name,
            Issue(
                r.reason,
                code=r.code or NO_CODE,
                file=r.file_name,
                line=r.line,
                column=r.column,
                value=r.value,
                row=r.row,
            ),
        )
        for r in rows
    ]


def quarantine_table(rows: Sequence[Quarantined]) -> tuple[list[str], list[list[Any]]]:
    """Quarantined rows as a table to fix and import again: the header (``import, line,
    column, reason, code`` and the file's own columns, in first-seen order) and one list of
    cells per row (the original cells as the file wrote them)."""
    names = cell_names(q.issue.row or {} for q in rows)
    header = ["import", "line", "column", "reason", "code", *names]
    body = [
        [
            q.import_id,
            q.issue.line,
            q.issue.column,
            q.issue.message,
            q.issue.code,
            *((q.issue.row or {}).get(n, "") for n in names),
        ]
        for q in rows
    ]
    return header, body


def retry(ws: Workspace, import_id: int, options: ImportOptions) -> tuple[ImportReport, int]:
    """Import again the rows import ``import_id`` quarantined, read with ``options`` (a
    mapping, a currency, an account that fixes them); returns the new import's report and how
    many quarantined rows it resolved."""
    options = replace(options, inactivity_days=ws.settings.customer_inactivity_days)
    with (
        ws.writing(f"retry of the quarantined rows of import #{import_id}") as session,
        tempfile.TemporaryDirectory() as folder,
    ):
        report, resolved = retry_quarantine(session.warehouse, import_id, options, Path(folder))
        if report.import_id is not None:
            record_data_change(
                ws,
                session,
                options.actor,
                {"retry_quarantine": import_id, "import": report.import_id, "resolved": resolved},
            )
    return report, resolved
