"""``shakhes apply``, ``shakhes export``, ``shakhes kpi list`` and ``shakhes kpi show``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

kpi_app = typer.Typer(help="List and show KPI definitions.", no_args_is_help=True)


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
    from shakhes.cli.console import out
    from shakhes.service import definitions

    ws = open_workspace(workspace, wait)
    try:
        plan = definitions.apply_file(ws, file, prune=prune, dry_run=dry_run)
    finally:
        ws.close()
    out.print(plan.render(), markup=False, highlight=False)
    if dry_run:
        out.print("(dry run: nothing changed)")


def export(
    output_file: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write every KPI definition as YAML that `shakhes apply` takes back unchanged."""
    from shakhes.cli.console import out
    from shakhes.service import definitions

    ws = open_workspace(workspace, wait)
    try:
        text = definitions.export_yaml(ws)
    finally:
        ws.close()
    if output_file is None:
        sys.stdout.write(text)
    else:
        output_file.write_text(text, encoding="utf-8")
        out.print(f"Wrote {output_file}")


@kpi_app.command("list")
def kpi_list(wait: WaitOpt = DEFAULT_WAIT, workspace: WorkspaceOpt = None) -> None:
    """List the workspace's KPIs."""
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.console import out
    from shakhes.cli.tables import keep_whole
    from shakhes.service import definitions

    ws = open_workspace(workspace, wait)
    try:
        specs = definitions.kpis(ws)
        fa = ws.settings.locale == "fa"
    finally:
        ws.close()
    table = Table("id", "name", "unit", "category", "kind", "timing", box=None)
    for spec in specs:
        table.add_row(
            spec.id,
            escape(spec.name.fa if fa else spec.name.en),
            spec.unit.value,
            spec.category.value,
            spec.kind.value,
            spec.timing.value,
        )
    out.print(keep_whole(table, "id"))


@kpi_app.command("show")
def kpi_show(
    kpi_id: Annotated[str, typer.Argument(help="KPI id, e.g. ctr.")],
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show one KPI definition in full, with its latest changes."""
    from shakhes.cli.console import out
    from shakhes.service import definitions
    from shakhes.spec.yaml_io import dump_specs

    ws = open_workspace(workspace, wait)
    try:
        detail = definitions.kpi_detail(ws, kpi_id)
    finally:
        ws.close()
    out.print(dump_specs([detail.spec]), markup=False, highlight=False)
    for entry in detail.history:
        out.print(f"# {entry.at:%Y-%m-%d %H:%M} {entry.action} by {entry.actor}", markup=False)
