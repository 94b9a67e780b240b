"""``shakhes serve`` and ``shakhes user …``: the web server and its users.

The users, the workspaces the server hosts and the roles live in the server store
(:mod:`shakhes.server.store`): by default ``~/.shakhes/server.db`` (``$SHAKHES_HOME``,
``SHAKHES_SERVER_METADATA_URL`` or ``--metadata-url`` to change it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from shakhes.server.settings import ServerSettings
    from shakhes.server.store import ServerStore

user_app = typer.Typer(
    help="Users of the web server and their roles per workspace.", no_args_is_help=True
)

MetadataUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--metadata-url",
        help="The server store's URL (default: $SHAKHES_SERVER_METADATA_URL, else a SQLite "
        "file in $SHAKHES_HOME or ~/.shakhes).",
    ),
]
ROLE_HELP = "viewer (read everything), editor (KPIs, goals, targets, imports) or admin (members)."


def _settings(metadata_url: str | None, **more: object) -> ServerSettings:
    from shakhes.server.settings import ServerSettings

    given = {k: v for k, v in {"metadata_url": metadata_url, **more}.items() if v is not None}
    settings = ServerSettings(**given)  # type: ignore[arg-type]
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings


def _store(metadata_url: str | None) -> ServerStore:
    from shakhes.server.store import ServerStore

    return ServerStore.open(_settings(metadata_url).store_url(), upgrade=True)


def _actor() -> str:
    from shakhes.workspace import current_actor

    return f"cli:{current_actor()}"


def _ask_password(email: str) -> str:
    first = typer.prompt(f"Password for {email}", hide_input=True)
    second = typer.prompt("Repeat it", hide_input=True)
    if first != second:
        raise ShakhesError(
            "the two passwords differ", code="password_mismatch", hint="Type the same one twice."
        )
    return str(first)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail (their login).")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="The workspace folder they get the role in.")
    ],
    password: Annotated[
        str | None,
        typer.Option(help="Their password (default: asked twice, hidden)."),
    ] = None,
    metadata_url: MetadataUrlOpt = None,
) -> None:
    """Add a user with a role in a workspace (the server starts hosting it if new); an
    existing user gets the role in that workspace."""
    from shakhes.cli.console import out
    from shakhes.server.models import ROLES
    from shakhes.server.state import register
    from shakhes.server.store import UnknownUserError, normalise_email

    address = normalise_email(email)
    if role not in ROLES:
        raise ShakhesError(
            f"unknown role '{role}'", code="unknown_role", hint=f"Use one of: {', '.join(ROLES)}."
        )
    store = _store(metadata_url)
    try:
        info, new_ws = register(store, workspace, actor=_actor())
        try:
            store.user(address)
            existed = True
        except UnknownUserError:
            existed = False
        if not existed:
            store.add_user(address, password or _ask_password(address), actor=_actor())
        store.set_role(address, info.id, role, actor=_actor())
    finally:
        store.close()
    if new_ws:
        out.print(f"The server now hosts workspace '{info.id}' ({info.path}).", markup=False)
    verb = "Gave" if existed else "Added"
    out.print(f"{verb} {address} the {role} role in '{info.id}'.", markup=False)


@user_app.command("passwd")
def user_passwd(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    password: Annotated[
        str | None, typer.Option(help="The new password (default: asked twice, hidden).")
    ] = None,
    metadata_url: MetadataUrlOpt = None,
) -> None:
    """Set a user's password; every session of theirs ends."""
    from shakhes.cli.console import out
    from shakhes.server.store import normalise_email

    address = normalise_email(email)
    store = _store(metadata_url)
    try:
        store.user(address)
        store.set_password(address, password or _ask_password(address), actor=_actor())
    finally:
        store.close()
    out.print(f"Changed the password of {address}; their sessions ended.", markup=False)


@user_app.command("remove")
def user_remove(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="Only take them out of this workspace (default: remove them)."
        ),
    ] = None,
    metadata_url: MetadataUrlOpt = None,
) -> None:
    """Remove a user (with their sessions and tokens), or only their role in one workspace."""
    from shakhes.cli.console import out
    from shakhes.settings import read_settings
    from shakhes.workspace import find

    store = _store(metadata_url)
    try:
        if workspace is None:
            store.remove_user(email, actor=_actor())
            out.print(f"Removed {email.strip().lower()}.", markup=False)
            return
        ws_id = read_settings(find(workspace)).id
        store.remove_member(email, ws_id, actor=_actor())
        out.print(f"Took {email.strip().lower()} out of '{ws_id}'.", markup=False)
    finally:
        store.close()


@user_app.command("list")
def user_list(metadata_url: MetadataUrlOpt = None) -> None:
    """The users, with their role in each workspace."""
    from rich.table import Table

    from shakhes.cli.console import out, wide

    store = _store(metadata_url)
    try:
        users = store.users()
        roles = {
            u.id: ", ".join(f"{w.id}:{role}" for w, role in store.memberships(u.id)) for u in users
        }
    finally:
        store.close()
    if not users:
        out.print("No users yet (`shakhes user add EMAIL --role admin --workspace PATH`).")
        return
    table = Table("email", "roles", "created", box=None)
    for u in users:
        table.add_row(u.email, roles[u.id] or "-", f"{u.created_at:%Y-%m-%d}")
    wide(out).print(table)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default 8000).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Worker processes (default 1).")
    ] = None,
    workspace: Annotated[
        list[Path] | None,
        typer.Option("--workspace", "-w", help="A workspace to host (repeatable)."),
    ] = None,
    metadata_url: MetadataUrlOpt = None,
) -> None:
    """Serve the web app and the REST API (docs at /docs): upgrades the server store, hosts
    the workspaces named (and those registered before), prints the address."""
    import json
    import shutil
    import tempfile

    import uvicorn

    from shakhes.cli.console import out
    from shakhes.server.state import register

    settings = _settings(metadata_url, host=host, port=port, workers=workers)
    store = _store(settings.store_url())
    named: list[str] = []
    try:
        for path in workspace or []:
            info, new = register(store, path, actor=_actor())
            named.append(info.id)
            if new:
                out.print(f"Hosting workspace '{info.id}' ({info.path}).", markup=False)
        hosted = store.workspaces()
        has_users = store.has_users()
    finally:
        store.close()
    for info in hosted:  # schemas behind this shakhes: upgraded now, as `shakhes db upgrade`
        said = _upgrade_if_behind(Path(info.path), settings.workspace_wait)
        if said:
            out.print(f"Workspace '{info.id}': {said}", markup=False)
    address = f"http://{settings.host}:{settings.port}"
    out.print(f"shakhes serves {len(hosted)} workspace(s) at {address} (API docs: {address}/docs)")
    if not has_users:
        example = workspace[0] if workspace else (hosted[0].path if hosted else "PATH")
        out.print(
            "No users yet. Create the first admin with:\n"
            f"  shakhes user add you@example.com --role admin --workspace {example}",
            markup=False,
        )
    # Workers are separate processes: they read the settings from the environment.
    os.environ["SHAKHES_SERVER_METADATA_URL"] = settings.store_url()
    os.environ["SHAKHES_HOME"] = str(settings.home)
    # The workspaces named here open as the server starts; the others on first use.
    os.environ["SHAKHES_SERVER_OPEN_AT_START"] = json.dumps(named)
    shared = None
    if settings.workers > 1 and settings.shared_cache is None:
        # The workers share what they compute through files of this run's own (removed after).
        shared = Path(tempfile.mkdtemp(prefix="shakhes-serve-"))
        os.environ["SHAKHES_SERVER_SHARED_CACHE"] = str(shared)
    try:
        uvicorn.run(
            "shakhes.server.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="info",
            timeout_keep_alive=settings.keep_alive_seconds,
        )
    finally:
        os.environ.pop("SHAKHES_SERVER_OPEN_AT_START", None)
        if shared is not None:
            os.environ.pop("SHAKHES_SERVER_SHARED_CACHE", None)
            shutil.rmtree(shared, ignore_errors=True)


def _upgrade_if_behind(path: Path, wait: float) -> str | None:
    """Bring the schemas of the workspace at ``path`` up to this shakhes if they are behind
    (its metadata store's migrations, its warehouse's tables); what was done, in words (None
    when nothing was behind). A workspace that cannot be opened is said, not fatal: the server
    serves the others, and its pages say what is wrong."""
    from shakhes.workspace import Workspace

    behind = ("store_outdated", "warehouse_outdated")
    try:
        ws = Workspace.open(path, wait=wait)
        try:
            try:
                with ws.reading() as session:
                    session.warehouse  # noqa: B018  # checks the store's and the tables' versions
                return None
            except ShakhesError as exc:
                if exc.code not in behind:
                    raise
            done = ws.upgrade()
        finally:
            ws.close()
    except ShakhesError as exc:
        return f"not checked: {exc.message}"
    steps = [f"{what} upgraded from {before} to {after}" for what, before, after in done.steps]
    return "; ".join(steps) + "." if steps else None


def demo_user(workspace: Path, metadata_url: str | None = None) -> tuple[str, str]:
    """Make ``demo@example.com`` the admin of the demo workspace with a new random password
    (the server starts hosting it); returns the e-mail and the password."""
    import secrets

    from shakhes.server.state import register
    from shakhes.server.store import UnknownUserError

    email = "demo@example.com"
    password = secrets.token_urlsafe(12)
    store = _store(metadata_url)
    try:
        info, _new = register(store, workspace, actor=_actor())
        try:
            store.user(email)
            store.set_password(email, password, actor=_actor())
        except UnknownUserError:
            store.add_user(email, password, actor=_actor())
        store.set_role(email, info.id, "admin", actor=_actor())
    finally:
        store.close()
    return email, password


def upgrade_server_store(metadata_url: str | None = None) -> tuple[str | None, str | None]:
    """Run the server store's migrations; its revision before and after."""
    from shakhes.server.store import VERSION_TABLE, ServerStore, normalise_url
    from shakhes.store.db import create_engine_for, current_revision

    url = _settings(metadata_url).store_url()
    engine = create_engine_for(normalise_url(url))
    try:
        before = current_revision(engine, VERSION_TABLE)
    finally:
        engine.dispose()
    store = ServerStore.open(url, upgrade=True)
    try:
        return before, store.revision()
    finally:
        store.close()
