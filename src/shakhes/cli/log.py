"""``shakhes imports list|undo`` and ``shakhes quarantine list|export|retry``: the import log
and the rows imports did not accept."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

imports_app = typer.Typer(help="List and undo imports.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows that imports rejected, and why.", no_args_is_help=True)


@imports_app.command("list")
def imports_list(
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many, newest first.")] = 20,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """The import log: file, SHA-256, source, account, counts, date range, who and when."""
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.console import out, wide
    from shakhes.service import imports

    ws = open_workspace(workspace, wait)
    try:
        records = imports.imports(ws, limit)
    finally:
        ws.close()
    if not records:
        out.print("No imports yet (`shakhes import FILE` adds one).")
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
    wide(out).print(table)


@imports_app.command("undo")
def imports_undo(
    import_id: Annotated[int, typer.Argument(help="Import id from `shakhes imports list`.")],
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Undo an import: remove its rows and restore exactly what it replaced."""
    from shakhes.cli.console import out
    from shakhes.service import imports

    ws = open_workspace(workspace, wait)
    try:
        result = imports.undo(ws, import_id)
    finally:
        ws.close()
    also = ", ".join(f"#{i}" for i in result.together)
    out.print(
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
    """Quarantined rows: file, line, column, value, reason and its code."""
    from shakhes.cli.console import out
    from shakhes.imports.pipeline import at_fault
    from shakhes.imports.records import NO_CODE
    from shakhes.service import imports

    ws = open_workspace(workspace, wait)
    try:
        rows = imports.quarantined(ws, import_id)
    finally:
        ws.close()
    for q in rows:
        out.print(
            f"#{q.import_id} {Path(q.file_name).name}:{q.issue.line}: "
            f"{at_fault(q.issue)}{q.issue.message}"
            + ("" if q.issue.code == NO_CODE else f" [{q.issue.code}]"),
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
    from shakhes.cli.console import out
    from shakhes.cli.imports import print_report
    from shakhes.imports.report import ImportOptions
    from shakhes.service import imports
    from shakhes.workspace import current_actor

    options = ImportOptions(
        mapping=mapping, currency=currency, account=account, actor=current_actor()
    )
    ws = open_workspace(workspace, wait)
    try:
        report, resolved = imports.retry(ws, import_id, options)
    finally:
        ws.close()
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
    """Write quarantined rows as CSV (the original cells plus line, column, reason and its
    code) to fix and import again."""
    from shakhes.service import imports

    ws = open_workspace(workspace, wait)
    try:
        header, rows = imports.quarantine_table(imports.quarantined(ws, import_id))
    finally:
        ws.close()
    fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    finally:
        if output:
            fh.close()
