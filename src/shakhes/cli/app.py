"""The ``shakhes`` command line: parse arguments, call the core, format the output.

Errors are translated in one place (:func:`main`): a user error prints ``error: …`` (and a hint)
on stderr and exits with status 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from shakhes import __version__
from shakhes.cli import output
from shakhes.cli.imports import import_command, imports_app, print_error, quarantine_app
from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.progress import progress_bar
from shakhes.cli.rates import rates_app
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data.access import DEFAULT_WAIT
from shakhes.data.model import TABLES
from shakhes.errors import ShakhesError
from shakhes.imports.pipeline import ImportOptions
from shakhes.workspace import Workspace, current_actor

app = typer.Typer(
    name="shakhes",
    help="shakhes (شاخص) — run marketing by KPIs: definitions, data, computation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kpi_app = typer.Typer(help="List and show KPI definitions.", no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")
app.add_typer(imports_app, name="imports")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(rates_app, name="rates")
db_app = typer.Typer(help="The workspace's databases: upgrade their schemas.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DIMENSIONS = sorted({d for t in TABLES.values() for d in t.dimensions})
"""Every dimension a KPI may be broken down by (each KPI by those of the tables it reads)."""

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress (in a terminal a bar on standard error, elsewhere a line every few "
        "seconds).",
    ),
]


def _version(value: bool) -> None:
    if value:
        out.print(f"shakhes {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """shakhes (شاخص) — run marketing by KPIs."""


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ShakhesError(
            f"{option} '{value}' is not a date", hint="Write dates as YYYY-MM-DD, e.g. 2024-03-31."
        ) from None


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: folder name).")] = None,
    currency: Annotated[str, typer.Option(help="Reporting currency (ISO code).")] = "USD",
    locale: Annotated[str, typer.Option(help="en or fa.")] = "en",
    calendar: Annotated[str, typer.Option(help="gregorian or jalali.")] = "gregorian",
    warehouse_url: Annotated[
        str | None, typer.Option(help="Warehouse URL (default: a DuckDB file in the workspace).")
    ] = None,
    metadata_url: Annotated[
        str | None,
        typer.Option(help="Metadata store URL (default: a SQLite file in the workspace)."),
    ] = None,
) -> None:
    """Create a workspace: settings, metadata store, warehouse and the built-in KPI catalog."""
    from shakhes.workspace import init as init_workspace

    ws = init_workspace(
        path,
        name=name,
        currency=currency,
        locale=locale,
        calendar=calendar,
        warehouse_url=warehouse_url,
        metadata_url=metadata_url,
    )
    count = len(ws.definitions())
    ws.close()
    out.print(f"Created workspace '{ws.settings.name}' at {ws.root} with {count} KPIs.")


@app.command()
def load(
    table: Annotated[str, typer.Argument(help="Canonical table, e.g. ad_performance.")],
    file: Annotated[Path, typer.Argument(help="Canonical CSV, Parquet, JSON-lines or XLSX file.")],
    quiet: QuietOpt = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load a canonical-format file into a table: strict, all or nothing (an import that
    quarantines nothing: any bad row fails it, and every problem is listed)."""
    ws = open_workspace(workspace, wait)
    try:
        with progress_bar(None if quiet else err, file.name) as report_step:
            report = ws.load(table, file, progress=report_step)
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


@app.command("import")
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
    status = import_command(
        out, files, options, workspace, wait, err, progress=None if quiet else err
    )
    if status:
        raise typer.Exit(status)


@app.command()
def apply(
    file: Annotated[Path, typer.Argument(help="YAML file of KPI definitions.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diff, change nothing.")
    ] = False,
    prune: Annotated[bool, typer.Option(help="Also delete KPIs missing from the file.")] = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add or update KPI definitions from YAML and print what changed."""
    from shakhes.spec.yaml_io import load_specs

    specs = load_specs(file)
    ws = open_workspace(workspace, wait)
    try:
        plan = ws.apply(specs, what=f"apply of {file.name}", prune=prune, dry_run=dry_run)
    finally:
        ws.close()
    out.print(plan.render(), markup=False, highlight=False)
    if dry_run:
        out.print("(dry run: nothing changed)")


@app.command("export")
def export_(
    output_file: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write every KPI definition as YAML that `shakhes apply` takes back unchanged."""
    from shakhes.spec.yaml_io import dump_specs

    ws = Workspace.open(workspace)
    try:
        text = dump_specs(ws.definitions().values())
    finally:
        ws.close()
    if output_file is None:
        sys.stdout.write(text)
    else:
        output_file.write_text(text, encoding="utf-8")
        out.print(f"Wrote {output_file}")


@kpi_app.command("list")
def kpi_list(workspace: WorkspaceOpt = None) -> None:
    """List the workspace's KPIs."""
    from rich.table import Table

    ws = Workspace.open(workspace)
    try:
        specs = ws.definitions()
        fa = ws.settings.locale == "fa"
    finally:
        ws.close()
    table = Table("id", "name", "unit", "category", "kind", "timing", box=None)
    for spec in specs.values():
        table.add_row(
            spec.id,
            escape(spec.name.fa if fa else spec.name.en),
            spec.unit.value,
            spec.category.value,
            spec.kind.value,
            spec.timing.value,
        )
    out.print(table)


@kpi_app.command("show")
def kpi_show(
    kpi_id: Annotated[str, typer.Argument(help="KPI id, e.g. ctr.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Show one KPI definition in full."""
    from shakhes.spec.yaml_io import dump_specs

    ws = Workspace.open(workspace)
    try:
        spec = ws.store.get_kpi(ws.id, kpi_id)
        history = ws.store.audit_log(ws.id, entity_id=kpi_id, limit=5)
    finally:
        ws.close()
    out.print(dump_specs([spec]), markup=False, highlight=False)
    for entry in history:
        out.print(f"# {entry.at:%Y-%m-%d %H:%M} {entry.action} by {entry.actor}")


@app.command()
def audit(
    entity: Annotated[
        str | None, typer.Option("--entity", help="Only entries about this KPI id (or 'data').")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="How many entries, newest first.")
    ] = 20,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the audit log: every definition change and data load, who and when, and for a
    load what it loaded (table, file, rows)."""
    ws = Workspace.open(workspace)
    try:
        entries = ws.store.audit_log(ws.id, entity_id=entity, limit=limit)
    finally:
        ws.close()
    for e in entries:
        line = f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor} {e.action} {e.entity_type} {e.entity_id}"
        detail = _describe_load(e.after) if e.entity_type == "data" else ""
        out.print(line + (f": {detail}" if detail else ""), markup=False, highlight=False)


def _describe_load(after: Mapping[str, Any] | None) -> str:
    """What a data entry of the audit log loaded, in a few words: the import, file and table,
    the rates, the undo, or the demo's tables."""
    details = (after or {}).get("details") or {}
    if not isinstance(details, Mapping) or not details:
        return ""
    if "undo_import" in details:
        return (
            f"undo of import #{details['undo_import']} ({details.get('deleted', 0)} rows "
            f"deleted, {details.get('restored', 0)} restored)"
        )
    if "retry_quarantine" in details:
        return (
            f"import #{details.get('import')}: quarantined rows of import "
            f"#{details['retry_quarantine']} again ({details.get('resolved', 0)} resolved)"
        )
    if "import" in details:
        return (
            f"import #{details['import']} of {details.get('file', '?')} into "
            f"{details.get('table', '?')} ({details.get('accepted', 0)} rows accepted, "
            f"{details.get('replaced', 0)} replaced, {details.get('removed', 0)} removed)"
        )
    if "rates" in details:
        return (
            f"exchange rates ({', '.join(map(str, details['rates']))}) from "
            f"{details.get('file', '?')}, {details.get('days', 0)} days"
        )
    if "customers_from_orders" in details:
        return (
            "customers worked out again from the orders (inactivity window "
            f"{details['customers_from_orders']} days)"
        )
    if "demo_seed" in details:
        rows = details.get("rows") or {}
        return f"demo data (seed {details['demo_seed']}): " + ", ".join(
            f"{n:,} rows into {t}" for t, n in rows.items()
        )
    return json.dumps(details, ensure_ascii=False, default=str)


@app.command()
def compute(
    kpis: Annotated[str, typer.Argument(help="KPI id(s), comma-separated: ctr,cpc,roas.")],
    grain: Annotated[
        str | None,
        typer.Option(
            help="day, week, month, quarter, year, fiscal_year, jalali_month, jalali_quarter, "
            "jalali_year, or total (one value over the whole range) (default: month, or "
            "jalali_month in a Jalali workspace)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help=f"Break down by dimension(s), comma-separated: {', '.join(DIMENSIONS)}."),
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    where: Annotated[str | None, typer.Option(help="Filter: \"channel = 'search'\".")] = None,
    compare: Annotated[str | None, typer.Option(help="previous or last-year.")] = None,
    format_: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    components: Annotated[
        bool,
        typer.Option("--components", help="Also show each ratio KPI's numerator and denominator."),
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the plan and SQL instead.")
    ] = False,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Compute KPIs per period, optionally broken down, filtered and compared. Partial
    periods are marked; a KPI that cannot be computed shows why, and the others compute."""
    if format_ not in ("table", "csv", "json"):
        raise ShakhesError(f"unknown format '{format_}'", hint="Use table, csv or json.")
    compare_kind = {
        None: None,
        "previous": "previous",
        "last-year": "last_year",
        "last_year": "last_year",
    }.get(compare, compare)
    period = (_date(from_, "--from"), _date(to, "--to"))
    ws = open_workspace(workspace, wait)
    try:
        engine = ws.engine
        request = engine.request(
            kpis,
            grain or ws.default_grain,
            by or (),
            period,
            where,
            compare_kind,  # type: ignore[arg-type]
        )
        if explain:
            out.print(str(engine.explain(request)), markup=False, highlight=False)
            return
        result = engine.run(request)
        specs = ws.definitions()
    finally:
        ws.close()
    if format_ == "csv":
        sys.stdout.write(output.to_csv(result, components=components))
    elif format_ == "json":
        sys.stdout.write(output.to_json(result, components=components) + "\n")
    else:
        output.to_table(
            result,
            specs,
            currency=ws.settings.currency,
            locale=ws.settings.locale,
            console=out,
            components=components,
        )


@app.command()
def demo(
    path: Annotated[Path, typer.Argument(help="Folder for the demo workspace.")] = Path(
        "demo-workspace"
    ),
    seed: Annotated[int, typer.Option(min=0, help="Random seed of the generator.")] = 7,
    force: Annotated[
        bool,
        typer.Option(help="Replace a workspace an earlier `shakhes demo` made (and only such)."),
    ] = False,
    locale: Annotated[str, typer.Option(help="en or fa.")] = "en",
) -> None:
    """Build a workspace with two years of realistic synthetic data and print a scorecard."""
    from shakhes.cli.scorecard import print_scorecard
    from shakhes.demo import build_demo

    with err.status("Generating two years of marketing data…"):
        ws, summary = build_demo(path, seed=seed, force=force, locale=locale)
    try:
        out.print(
            f"Demo workspace at {ws.root}: " + ", ".join(f"{n:,} {t}" for t, n in summary.items())
        )
        print_scorecard(ws, out)
    finally:
        ws.close()


@db_app.command("upgrade")
def db_upgrade(wait: WaitOpt = DEFAULT_WAIT, workspace: WorkspaceOpt = None) -> None:
    """Upgrade the workspace's metadata store (its migrations) and warehouse tables to this
    version of shakhes; other commands wait meanwhile."""
    ws = open_workspace(workspace, wait)
    try:
        before, after = ws.upgrade()
    finally:
        ws.close()
    if before == after:
        out.print(f"The workspace is up to date (metadata store at revision {after}).")
    else:
        out.print(f"Upgraded the metadata store from revision {before or 'none'} to {after}.")


def main() -> None:
    """Entry point: run the app and translate user errors into a message and exit status 1.

    A file-system error (a path that is a folder, a file where a folder must be, no permission)
    is about a path the user gave, so it is a user error too."""
    try:
        app()
    except ShakhesError as exc:
        print_error(err, exc)
        sys.exit(1)
    except OSError as exc:
        if exc.filename is None:
            raise  # not about a path: a bug, with its traceback
        reason = exc.strerror or type(exc).__name__
        err.print(f"[bold red]error:[/] {escape(f'{exc.filename}: {reason}')}", highlight=False)
        sys.exit(1)
