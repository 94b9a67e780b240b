"""``shakhes init``, ``shakhes demo``, ``shakhes db upgrade`` and ``shakhes audit``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT

db_app = typer.Typer(help="The workspace's databases: upgrade their schemas.", no_args_is_help=True)


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
    from shakhes.cli.console import out
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
    serve_user: Annotated[
        bool,
        typer.Option(
            "--user/--no-user",
            help="Also make demo@example.com (a new random password, printed) the admin of "
            "the demo workspace in the web server's store.",
        ),
    ] = True,
) -> None:
    """Build a workspace with two years of realistic synthetic data and print a scorecard."""
    from shakhes.cli.console import err, out
    from shakhes.cli.scorecard import print_scorecard
    from shakhes.demo import build_demo

    with err.status("Generating two years of marketing data…"):
        ws, summary = build_demo(path, seed=seed, force=force, locale=locale)
    try:
        out.print(
            f"Demo workspace at {ws.root}: " + ", ".join(f"{n:,} {t}" for t, n in summary.items())
        )
        print_scorecard(ws, out)
        fa = ws.settings.locale == "fa"
    finally:
        ws.close()
    if serve_user:
        from shakhes.cli.users import demo_user

        email, password = demo_user(path)
        out.print(
            f"Web login for `shakhes serve --workspace {path}`: {email} / {password}",
            markup=False,
            highlight=False,
        )
    if fa:
        hint = "`shakhes status` نشان می‌دهد هدف‌ها و هدف‌های عددی نمونه کجا ایستاده‌اند."
    else:
        hint = "Next: `shakhes status` shows where the demo's goals and targets stand."
    out.print(hint, markup=False, highlight=False)


@db_app.command("upgrade")
def db_upgrade(
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
    server: Annotated[
        bool,
        typer.Option("--server", help="Upgrade the web server's store (users, roles) instead."),
    ] = False,
    metadata_url: Annotated[
        str | None, typer.Option(help="With --server: the server store's URL.")
    ] = None,
) -> None:
    """Upgrade the workspace's metadata store (its migrations) and warehouse tables to this
    version of shakhes; other commands wait meanwhile. With ``--server``, the server store."""
    from shakhes.cli.console import out

    if server:
        from shakhes.cli.users import upgrade_server_store

        before, after = upgrade_server_store(metadata_url)
        if before == after:
            out.print(f"The server store is up to date (revision {after}).")
        else:
            out.print(f"Upgraded the server store from revision {before or 'none'} to {after}.")
        return
    ws = open_workspace(workspace, wait)
    try:
        done = ws.upgrade()
    finally:
        ws.close()
    if not done.changed:
        out.print(
            f"The workspace is up to date (metadata store at revision {done.store_after}, "
            f"warehouse tables at version {done.warehouse_after})."
        )
        return
    for what, before, after in done.steps:
        out.print(f"Upgraded the {what} from {before} to {after}.")


def audit(
    entity: Annotated[
        str | None,
        typer.Option(
            "--entity", help="Only entries about this KPI, goal or target id (or 'data')."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="How many entries, newest first.")
    ] = 20,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show the audit log: every definition change and data load, who and when, and for a
    load what it loaded (table, file, rows)."""
    from shakhes.cli.console import out
    from shakhes.service.audit import audit as audit_log

    ws = open_workspace(workspace, wait)
    try:
        lines = audit_log(ws, entity=entity, limit=limit)
    finally:
        ws.close()
    for e in lines:
        # A data entry's id is "data" (what --entity takes): named once, "load data: …".
        entity = e.entity_type if e.entity_id == e.entity_type else f"{e.entity_type} {e.entity_id}"
        line = f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor} {e.action} {entity}"
        out.print(line + (f": {e.detail}" if e.detail else ""), markup=False, highlight=False)
