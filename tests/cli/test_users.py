"""``shakhes user …``, ``shakhes serve`` (up to starting uvicorn) and ``shakhes db upgrade
--server``: the server store in $SHAKHES_HOME, users and their roles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cli import shakhes
from support.demo_copy import use_small_demo_data

from shakhes.server.store import ServerStore
from shakhes.workspace import init


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("SHAKHES_HOME", str(folder))
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = init(tmp_path / "acme", name="acme")
    ws.close()
    return ws.root


@pytest.fixture
def store(home: Path) -> Iterator[ServerStore]:
    opened = ServerStore.open(f"sqlite:///{home / 'server.db'}", upgrade=True)
    yield opened
    opened.close()


def test_user_add_registers_the_workspace_and_gives_the_role(
    capsys: pytest.CaptureFixture[str], home: Path, workspace: Path, tmp_path: Path
) -> None:
    run = shakhes(
        capsys, "user", "add", "Ana@Example.com", "--role", "admin",
        "--workspace", str(workspace), "--password", "correct horse",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "now hosts workspace 'acme'" in run.out
    assert "Added ana@example.com the admin role in 'acme'" in run.out
    other = init(tmp_path / "beta", name="beta")
    other.close()
    run = shakhes(
        capsys, "user", "add", "ana@example.com", "--role", "viewer", "--workspace", str(other.root)
    )  # an existing user: no password asked
    assert run.code == 0, run.err and "Gave ana@example.com the viewer role in 'beta'" in run.out
    store = ServerStore.open(f"sqlite:///{home / 'server.db'}")
    try:
        user = store.user("ana@example.com")
        assert [(w.id, r) for w, r in store.memberships(user.id)] == [
            ("acme", "admin"),
            ("beta", "viewer"),
        ]
    finally:
        store.close()
    listed = shakhes(capsys, "user", "list")
    assert "ana@example.com" in listed.out and "acme:admin, beta:viewer" in listed.out


def test_user_add_asks_the_password_twice_hidden(
    capsys: pytest.CaptureFixture[str],
    store: ServerStore,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer

    asked: list[dict[str, Any]] = []
    answers = iter(["correct horse", "correct horse"])

    def prompt(text: str, **kw: Any) -> str:
        asked.append(kw)
        return next(answers)

    monkeypatch.setattr(typer, "prompt", prompt)
    add = ["user", "add", "--role", "editor", "-w", str(workspace)]
    run = shakhes(capsys, *add, "bob@example.com")
    assert run.code == 0, run.err
    assert [kw.get("hide_input") for kw in asked] == [True, True]
    import datetime as dt

    session, _ = store.login(
        "bob@example.com", "correct horse", client="c", lifetime=dt.timedelta(hours=1)
    )
    assert session.user.email == "bob@example.com"
    answers = iter(["one password", "another one"])
    run = shakhes(capsys, *add, "cy@example.com")
    assert run.code == 1 and "the two passwords differ" in run.err


def test_bad_roles_emails_and_passwords_are_clear_errors(
    capsys: pytest.CaptureFixture[str], home: Path, workspace: Path
) -> None:
    base = ["user", "add", "ana@example.com", "--workspace", str(workspace)]
    run = shakhes(capsys, *base, "--role", "owner", "--password", "correct horse")
    assert run.code == 1 and "unknown role 'owner'" in run.err
    run = shakhes(capsys, *base, "--role", "viewer", "--password", "short")
    assert run.code == 1 and "too short" in run.err
    run = shakhes(capsys, "user", "add", "ana", "--role", "viewer", "-w", str(workspace))
    assert run.code == 1 and "not an e-mail address" in run.err
    run = shakhes(capsys, "user", "passwd", "ghost@example.com", "--password", "whatever1")
    assert run.code == 1 and "no user 'ghost@example.com'" in run.err


def test_passwd_and_remove(
    capsys: pytest.CaptureFixture[str], store: ServerStore, workspace: Path
) -> None:
    import datetime as dt

    args = ["--role", "viewer", "-w", str(workspace), "--password", "correct horse"]
    assert shakhes(capsys, "user", "add", "ana@example.com", *args).code == 0
    _, token = store.login(
        "ana@example.com", "correct horse", client="c", lifetime=dt.timedelta(hours=1)
    )
    run = shakhes(capsys, "user", "passwd", "ana@example.com", "--password", "new password")
    assert run.code == 0 and "sessions ended" in run.out
    assert store.session_for(token) is None
    run = shakhes(capsys, "user", "remove", "ana@example.com", "--workspace", str(workspace))
    assert run.code == 0 and "Took ana@example.com out of 'acme'" in run.out
    assert store.members("acme") == []
    assert shakhes(capsys, "user", "remove", "ana@example.com").code == 0
    assert store.users() == []


def test_serve_registers_workspaces_upgrades_the_store_and_says_how_to_add_an_admin(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    # serve passes its settings to uvicorn's workers in the environment: undo that afterwards
    monkeypatch.setenv("SHAKHES_SERVER_METADATA_URL", "")  # empty: the default store
    monkeypatch.setenv("SHAKHES_HOME", str(home))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    run = shakhes(capsys, "serve", "--port", "8123", "--workspace", str(workspace))
    assert run.code == 0, run.err
    assert "at http://127.0.0.1:8123" in run.out
    assert f"shakhes user add you@example.com --role admin --workspace {workspace}" in run.out
    assert started["factory"] is True and started["port"] == 8123
    assert started["timeout_keep_alive"] == 75  # above the 60 s of common proxies
    assert started["app"] == "shakhes.server.app:app_from_env"
    store = ServerStore.open(f"sqlite:///{home / 'server.db'}")  # upgraded: opens
    try:
        assert [w.id for w in store.workspaces()] == ["acme"]
    finally:
        store.close()
    shakhes(capsys, "user", "add", "a@example.com", "--role", "admin", "-w", str(workspace),
            "--password", "correct horse")  # fmt: skip
    run = shakhes(capsys, "serve")
    assert "No users yet" not in run.out and "1 workspace(s)" in run.out


def test_serve_with_workers_gives_them_a_shared_folder_of_its_own_and_removes_it(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More than one worker: they share results through a new owner-only folder named in
    their environment, removed when the server ends; one worker needs none."""
    import uvicorn

    from shakhes.server.settings import ServerSettings

    monkeypatch.setenv("SHAKHES_SERVER_METADATA_URL", "")
    monkeypatch.setenv("SHAKHES_HOME", str(home))
    seen: list[Path | None] = []

    def run(app: str, **kw: object) -> None:
        folder = ServerSettings().shared_cache  # what a worker reads from its environment
        seen.append(folder)
        if folder is not None:
            assert folder.is_dir() and folder.stat().st_mode & 0o077 == 0
            (folder / "a-result").write_text("x")

    monkeypatch.setattr(uvicorn, "run", run)
    assert shakhes(capsys, "serve", "--workers", "2", "-w", str(workspace)).code == 0
    assert shakhes(capsys, "serve", "--workers", "1").code == 0
    folder = seen[0]
    assert folder is not None and not folder.exists()
    assert seen[1] is None
    assert "SHAKHES_SERVER_SHARED_CACHE" not in os.environ


def test_serve_opens_the_workspaces_named_on_its_command_line_at_start(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workspaces named with -w are opened as the workers start (their settings say
    which); one registered before and not named opens on first use."""
    import uvicorn

    from shakhes.server.settings import ServerSettings

    monkeypatch.setenv("SHAKHES_SERVER_METADATA_URL", "")
    monkeypatch.setenv("SHAKHES_HOME", str(home))
    seen: list[list[str]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(
        ServerSettings().open_at_start))  # fmt: skip
    assert shakhes(capsys, "serve", "-w", str(workspace)).code == 0
    assert shakhes(capsys, "serve").code == 0  # hosted (registered above), not named
    assert seen == [["acme"], []]
    assert "SHAKHES_SERVER_OPEN_AT_START" not in os.environ


def test_serve_upgrades_a_hosted_workspace_whose_tables_are_behind(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A workspace made by an older shakhes is upgraded when the server starts (as `shakhes db
    upgrade` would), not refused on every page; one that cannot be opened is said, and the
    server still starts."""
    import duckdb
    import uvicorn

    monkeypatch.setenv("SHAKHES_SERVER_METADATA_URL", "")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    con = duckdb.connect(str(workspace / "warehouse.duckdb"))
    try:
        con.execute("ALTER TABLE shakhes_quarantine DROP COLUMN code")  # as version 2 made it
        con.execute("UPDATE shakhes_schema SET version = 2")
    finally:
        con.close()
    compute = ("compute", "clicks", "--from", "2025-01-01", "--to", "2025-01-31")
    refused = shakhes(capsys, *compute, "-w", str(workspace))
    assert refused.code == 1 and "must be upgraded" in refused.err
    run = shakhes(capsys, "serve", "--workspace", str(workspace))
    assert run.code == 0, run.err
    assert "Workspace 'acme': warehouse tables upgraded from version 2 to 3." in run.out
    assert shakhes(capsys, *compute, "-w", str(workspace)).code == 0
    run = shakhes(capsys, "serve")  # up to date: nothing said
    assert "Workspace 'acme'" not in run.out
    gone = tmp_path / "gone"
    init(gone, name="gone").close()
    shakhes(capsys, "serve", "--workspace", str(gone))
    (gone / "shakhes.toml").unlink()
    run = shakhes(capsys, "serve")
    assert run.code == 0 and "Workspace 'gone': not checked:" in run.out


def test_db_upgrade_server(capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    run = shakhes(capsys, "db", "upgrade", "--server", "--metadata-url", url)
    assert run.code == 0 and "from revision none to 0001" in run.out
    run = shakhes(capsys, "db", "upgrade", "--server", "--metadata-url", url)
    assert run.code == 0 and "up to date (revision 0001)" in run.out


def test_demo_prints_a_working_login(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    use_small_demo_data(monkeypatch)  # the login, not the data (tests/cli/test_demo.py)
    root = tmp_path / "demo"
    run = shakhes(capsys, "demo", str(root))
    assert run.code == 0, run.err
    line = next(x for x in run.out.splitlines() if x.startswith("Web login"))
    email, password = line.split(": ", 1)[1].split(" / ")
    assert email == "demo@example.com"
    store = ServerStore.open(f"sqlite:///{home / 'server.db'}")
    try:
        session, _ = store.login(email, password, client="c", lifetime=dt.timedelta(hours=1))
        assert store.role(session.user.id, "shakhes-demo") == "admin"
    finally:
        store.close()
