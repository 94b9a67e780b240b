"""``shakhes import``, ``shakhes imports list|undo`` and ``shakhes quarantine list|export``.

Exit status of ``shakhes import``: 0 when every file was imported (or already was, or with
``--dry-run`` would be), 1 when any file was refused — each file is its own import, so the
others are imported all the same — and 2 for a command line typer rejects.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shakhes.cli.hints import hint_for
from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.output import wide
from shakhes.cli.progress import progress_bar
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data.access import DEFAULT_WAIT
from shakhes.errors import ShakhesError
from shakhes.imports.ledger import Ledger, Rejected, cell_names
from shakhes.imports.pipeline import ImportOptions, ImportReport, at_fault
from shakhes.workspace import current_actor

imports_app = typer.Typer(help="List and undo imports.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows that imports rejected, and why.", no_args_is_help=True)


def import_command(
    out: Console,
    files: list[Path],
    options: ImportOptions,
    workspace: Path | None,
    wait: float = DEFAULT_WAIT,
    err: Console | None = None,
    progress: Console | None = None,
) -> int:
    """Import each file in turn, each in its own transaction (and its own turn to write): a
    file that is refused is reported (on ``err``) and the next one is imported all the same.
    With several files, the end lists every file's outcome. Returns the exit status: 1 if any
    file was refused. Progress is drawn on ``progress`` (standard error; none with
    ``--quiet``)."""
    err = err or Console(stderr=True, soft_wrap=True)
    outcomes: list[tuple[Path, str]] = []
    refused = 0
    ws = open_workspace(workspace, wait)
    try:
        for path in files:
            try:
                with progress_bar(progress, path.name) as report_step:
                    report = ws.import_file(path, replace(options, progress=report_step))
            except ShakhesError as exc:
                print_error(err, exc)
                outcomes.append((path, "refused: " + _why(exc, path)))
                refused += 1
                continue
            print_report(out, report)
            outcomes.append((path, outcome(report)))
    finally:
        ws.close()
    if len(files) > 1:
        out.print(f"{len(files)} files:", markup=False)
        for path, what in outcomes:
            out.print(f"  {path}: {what}", markup=False, soft_wrap=True)
    return 1 if refused else 0


def print_error(err: Console, exc: ShakhesError) -> None:
    """``error: …`` and the CLI's hint, as the command line prints every user error."""
    err.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
    hint = hint_for(exc)
    if hint:
        err.print(hint, highlight=False, markup=False)


def _why(exc: ShakhesError, path: Path) -> str:
    """The first line of an error's message, without the file name it starts with."""
    first = exc.message.splitlines()[0] if exc.message else exc.code
    for prefix in (f"{path}, ", f"{path}: "):
        if first.startswith(prefix):
            return first[len(prefix) :]
    return first


def outcome(r: ImportReport) -> str:
    """What became of a file, in a few words: ``imported as #3``, ``already imported as #2``."""
    if r.already_imported is not None:
        return f"already imported as #{r.already_imported}"
    if r.dry_run:
        return f"would import {r.accepted:,} rows (dry run)"
    again = f" (replaces #{r.replaces})" if r.replaces is not None else ""
    held = f", {r.quarantined:,} rows quarantined" if r.quarantined else ""
    return f"imported as #{r.import_id}{again}{held}"


_FLAGS = {
    "source": "--source",
    "currency": "--currency",
    "account": "--account",
    "mapping": "--mapping",
    "encoding": "--encoding",
}


def _option_change(name: str, then: str | None, now: str | None) -> str:
    flag = _FLAGS.get(name, name)
    if name == "mapping":
        return f"{flag} " + ("another mapping file" if now else "(none now)")
    shown = now if now is not None else "(not given)"
    return f"{flag} {shown} (was {then if then is not None else 'not given'})"


def print_report(out: Console, r: ImportReport) -> None:
    """The figures a user ticks against the platform's own totals."""
    head = "Would import" if r.dry_run else "Imported"
    if r.already_imported is not None:
        out.print(
            f"{r.file}: already imported as #{r.already_imported} (same content, same options); "
            "nothing changed.",
            markup=False,
            soft_wrap=True,
        )
        return
    where = f" as import #{r.import_id}" if r.import_id is not None else ""
    out.print(f"{head} {r.file} ({r.source} → {r.table}){where}", markup=False, soft_wrap=True)
    if r.replaces is not None:
        changes = "; ".join(_option_change(*c) for c in r.changed_options)
        verb = "would replace" if r.dry_run else "replaces"
        out.print(
            f"  the same content as import #{r.replaces}, imported again with {changes}: it "
            f"{verb} every row #{r.replaces} wrote (`shakhes imports undo` of this import "
            "brings them back)",
            markup=False,
            soft_wrap=True,
        )
    rng = f"{r.date_range[0]} … {r.date_range[1]}" if r.date_range else "—"
    out.print(
        f"  rows read {r.rows_read:,}; accepted {r.accepted:,}; quarantined "
        f"{r.quarantined:,}; replaced {r.replaced:,}; removed {r.removed:,}; total rows "
        f"skipped {r.summary_rows:,}; dates {rng}",
        markup=False,
        soft_wrap=True,
    )
    if r.changed and r.replaced:
        verb = "would change" if r.dry_run else "changed"
        out.print(
            f"  in rows already there, {verb}: "
            + ", ".join(f"{name} on {count:,}" for name, count in r.changed if count)
            if any(count for _, count in r.changed)
            else "  no value of the rows already there changes",
            markup=False,
            soft_wrap=True,
        )
    for reason, count in r.skipped:
        out.print(f"  skipped {count:,} {reason}(s)", markup=False, soft_wrap=True)
    if r.added_rows:
        out.print(
            f"  {r.added_rows:,} rows shared {r.key_label} with another row and were added "
            f"together (into {r.added_into:,} rows)",
            markup=False,
            soft_wrap=True,
        )
    if r.totals:
        out.print(
            "  totals: " + ", ".join(f"{k} {v:,.2f}" for k, v in r.totals.items()),
            markup=False,
            soft_wrap=True,
        )
    for warning in r.warnings:
        out.print(f"  warning: {warning}", markup=False, style="yellow", soft_wrap=True)
    for bad in r.rejected[:10]:
        out.print(
            f"  quarantined line {bad.line}: {at_fault(bad)}{bad.reason}",
            markup=False,
            soft_wrap=True,
        )
    if len(r.rejected) > 10:
        out.print(f"  … and {len(r.rejected) - 10:,} more (`shakhes quarantine list`)")
    if r.dry_run:
        out.print("  (dry run: nothing was written)")


@imports_app.command("list")
def imports_list(
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many, newest first.")] = 20,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """The import log: file, SHA-256, source, account, counts, date range, who and when."""
    ws = open_workspace(workspace, wait)
    try:
        with ws.reading() as session:
            records = Ledger(session.warehouse).recent(limit)
    finally:
        ws.close()
    if not records:
        Console().print("No imports yet (`shakhes import FILE` adds one).")
        return
    table = Table(
        "id",
        "when",
        "who",
        "source",
        "table",
        "file",
        "accepted",
        "quarantined",
        "replaced",
        "removed",
        "dates",
        "undone",
        box=None,
    )
    for r in records:
        table.add_row(
            str(r.import_id),
            f"{r.imported_at:%Y-%m-%d %H:%M}",
            escape(r.actor),
            r.source,
            r.table_name,
            escape(Path(r.file_name).name),
            f"{r.accepted:,}",
            f"{r.quarantined:,}",
            f"{r.replaced:,}",
            f"{r.removed:,}",
            f"{r.date_from} … {r.date_to}" if r.date_from else "—",
            f"{r.undone_at:%Y-%m-%d %H:%M}" if r.undone_at else "",
        )
    wide(Console()).print(table)


@imports_app.command("undo")
def imports_undo(
    import_id: Annotated[int, typer.Argument(help="Import id from `shakhes imports list`.")],
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Undo an import: remove its rows and restore exactly what it replaced."""
    ws = open_workspace(workspace, wait)
    try:
        result = ws.undo_import(import_id)
    finally:
        ws.close()
    also = ", ".join(f"#{i}" for i in result.together)
    Console().print(
        f"Undid import #{result.import_id}"
        + (f" and {also} (written in the same transaction)" if also else "")
        + f": removed {result.deleted:,} rows, restored {result.restored:,}."
    )


@quarantine_app.command("list")
def quarantine_list(
    import_id: Annotated[int | None, typer.Option("--import", help="Only this import.")] = None,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Quarantined rows: file, line, column, value and reason."""
    rows = _quarantined(workspace, import_id, wait)
    out = Console()
    for imp, file_name, line, column, value, reason, _ in rows:
        cell = Rejected(line, column, value, reason)
        out.print(
            f"#{imp} {Path(file_name).name}:{line}: {at_fault(cell)}{reason}",
            markup=False,
            soft_wrap=True,
        )
    if not rows:
        out.print("No quarantined rows.")


@quarantine_app.command("retry")
def quarantine_retry(
    import_id: Annotated[int, typer.Option("--import", help="The import whose rows to retry.")],
    mapping: Annotated[
        Path | None, typer.Option(help="A mapping file to read the rows with.")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Currency of the amounts.")] = None,
    account: Annotated[str | None, typer.Option(help="Account the rows belong to.")] = None,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import again the rows an import quarantined, after fixing what was wrong (a mapping,
    the currency, the account); rows that now pass are marked resolved."""
    options = ImportOptions(
        mapping=mapping, currency=currency, account=account, actor=current_actor()
    )
    ws = open_workspace(workspace, wait)
    try:
        report, resolved = ws.retry_quarantine(import_id, options)
    finally:
        ws.close()
    out = Console()
    print_report(out, report)
    out.print(f"{resolved:,} quarantined row(s) of import #{import_id} resolved.")


@quarantine_app.command("export")
def quarantine_export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV file (default: standard output).")
    ] = None,
    import_id: Annotated[int | None, typer.Option("--import", help="Only this import.")] = None,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write quarantined rows as CSV (the original cells plus line and reason) to fix and
    import again."""
    rows = _quarantined(workspace, import_id, wait)
    headers = cell_names(rows)
    fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csv.writer(fh)
        writer.writerow(["import", "line", "column", "reason", *headers])
        for imp, _, line, column, _, reason, raw in rows:
            writer.writerow([imp, line, column, reason, *(raw.get(h, "") for h in headers)])
    finally:
        if output:
            fh.close()


def _quarantined(
    workspace: Path | None, import_id: int | None, wait: float
) -> list[tuple[int, str, int, str | None, str | None, str, dict[str, str]]]:
    ws = open_workspace(workspace, wait)
    try:
        with ws.reading() as session:
            return Ledger(session.warehouse).quarantine(import_id)
    finally:
        ws.close()
