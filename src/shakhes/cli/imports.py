"""``shakhes import`` and ``shakhes load``: files in, and the report of each.

Exit status of ``shakhes import``: 0 when every file was imported (or already was, or with
``--dry-run`` would be), 1 when any file was refused — each file is its own import, so the
others are imported all the same — and 2 for a command line typer rejects.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

if TYPE_CHECKING:
    from rich.console import Console

    from shakhes.errors import ShakhesError
    from shakhes.imports.report import ImportOptions, ImportReport

QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress (in a terminal a bar on standard error, elsewhere a line every few "
        "seconds).",
    ),
]


def load(
    table: Annotated[str, typer.Argument(help="Canonical table, e.g. ad_performance.")],
    file: Annotated[Path, typer.Argument(help="Canonical CSV, Parquet, JSON-lines or XLSX file.")],
    quiet: QuietOpt = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load a canonical-format file into a table: strict, all or nothing (an import that
    quarantines nothing: any bad row fails it, and every problem is listed)."""
    from shakhes.cli.console import err, out
    from shakhes.cli.progress import progress_bar
    from shakhes.service import imports

    ws = open_workspace(workspace, wait)
    try:
        with progress_bar(None if quiet else err, file.name) as step:
            report = imports.load(ws, table, file, progress=step)
    finally:
        ws.close()
    if report.already_imported is not None:
        out.print(
            f"{file}: already loaded as import #{report.already_imported} (same content); "
            "nothing changed.",
            markup=False,
        )
        return
    out.print(
        f"Loaded {report.accepted} rows into {report.table} "
        f"({report.replaced} existing rows replaced) as import #{report.import_id}.",
        markup=False,
    )


def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Export file(s): CSV, TSV, XLSX, Parquet or JSON lines, optionally gzipped."
        ),
    ],
    source: Annotated[
        str, typer.Option(help="Layout: auto, google-ads, meta-ads, ga4, … (docs/importing.md)")
    ] = "auto",
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping for a layout shakhes does not know.")
    ] = None,
    suggest_mapping: Annotated[
        bool,
        typer.Option("--suggest-mapping", help="Print a starting mapping for the file instead."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    currency: Annotated[
        str | None, typer.Option(help="Currency of the amounts when the file does not say.")
    ] = None,
    account: Annotated[str | None, typer.Option(help="Account the rows belong to.")] = None,
    replace_range: Annotated[
        bool,
        typer.Option(
            "--replace-range",
            help="Also remove rows of "
            "this source and account in the file's date "
            "range that the file lacks.",
        ),
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detected).")] = None,
    quiet: QuietOpt = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import platform exports: recognise the layout, parse, check, quarantine bad rows, and
    merge the rest in one transaction per file that `shakhes imports undo` can reverse. A
    refused file does not stop the others; the exit status is 1 if any file was refused."""
    if suggest_mapping:
        from shakhes.imports.suggest import suggest_for_file

        for path in files:
            sys.stdout.write(
                f"# Mapping suggested for {path.name}: check it, save it (e.g. as mapping.yml) "
                f"and import with: shakhes import {path.name} --mapping mapping.yml\n"
            )
            sys.stdout.write(suggest_for_file(path, encoding=encoding))
        return
    from shakhes.cli.console import err, out
    from shakhes.imports.report import ImportOptions
    from shakhes.workspace import current_actor

    options = ImportOptions(
        source=source,
        mapping=mapping,
        dry_run=dry_run,
        currency=currency,
        account=account,
        replace_range=replace_range,
        encoding=encoding,
        actor=current_actor(),
    )
    status = import_command(out, files, options, workspace, wait, err, None if quiet else err)
    if status:
        raise typer.Exit(status)


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
    from shakhes.cli.console import print_error
    from shakhes.cli.progress import progress_bar
    from shakhes.service import imports

    def done(outcome: imports.FileOutcome) -> None:
        if outcome.error is not None:
            print_error(outcome.error, err)
        elif outcome.report is not None:
            print_report(out, outcome.report)

    ws = open_workspace(workspace, wait)
    try:
        outcomes = imports.import_files(
            ws,
            files,
            options,
            progress=lambda path: progress_bar(progress, path.name),
            done=done,
        )
    finally:
        ws.close()
    if len(files) > 1:
        out.print(f"{len(files)} files:", markup=False)
        for o in outcomes:
            what = (
                "refused: " + _why(o.error, o.path) if o.error is not None else outcome(o.report)  # type: ignore[arg-type]
            )
            out.print(f"  {o.path}: {what}", markup=False, soft_wrap=True)
    return 1 if any(o.refused for o in outcomes) else 0


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
    from shakhes.imports.pipeline import at_fault
    from shakhes.imports.report import total_text

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
            "  totals: " + ", ".join(f"{k} {total_text(v)}" for k, v in r.totals.items()),
            markup=False,
            soft_wrap=True,
        )
    for warning in r.warnings:
        out.print(f"  warning: {warning}", markup=False, style="yellow", soft_wrap=True)
    for bad in r.rejected[:10]:
        out.print(
            f"  quarantined line {bad.line}: {at_fault(bad)}{bad.message}",
            markup=False,
            soft_wrap=True,
        )
    if len(r.rejected) > 10:
        out.print(f"  … and {len(r.rejected) - 10:,} more (`shakhes quarantine list`)")
    if r.dry_run:
        out.print("  (dry run: nothing was written)")
