"""Documentation stays true: generated docs are current, every command, option and setting is
documented, and the README keeps the two quick-start commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from shakhes.cli.app import app
from shakhes.data import model_doc
from shakhes.settings import WorkspaceSettings
from shakhes.spec.catalog import load_catalog, render_catalog_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _commands(group: typer.Typer, prefix: str = "") -> list[tuple[str, typer.models.CommandInfo]]:
    found = []
    for info in group.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        found.append((f"{prefix}{name}".replace("_", "-"), info))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        found += _commands(sub.typer_instance, f"{prefix}{sub.name} ")
    return found


def test_generated_docs_are_up_to_date() -> None:
    assert (DOCS / "data-model.md").read_text(encoding="utf-8") == model_doc.render()
    assert (DOCS / "kpi-catalog.md").read_text(encoding="utf-8") == render_catalog_markdown(
        load_catalog()
    )


@pytest.mark.parametrize(("name", "info"), _commands(app))
def test_every_command_and_option_is_documented(name: str, info: typer.models.CommandInfo) -> None:
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"shakhes {name.rstrip('-')}" in cli_doc or f"`shakhes {name}" in cli_doc
    command = typer.main.get_command_from_info(
        info, pretty_exceptions_short=True, rich_markup_mode=None
    )
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help", "--workspace"):
                assert f"`{opt}`" in cli_doc, f"{opt} of `shakhes {name}` is not in docs/cli.md"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "workspace.md").read_text(encoding="utf-8")
    for field in WorkspaceSettings.model_fields:
        assert f"| `{field}` |" in text, f"setting {field} is not in docs/workspace.md"


def test_readme_quick_start_and_links() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    for link in (
        "docs/cli.md",
        "docs/workspace.md",
        "docs/data-model.md",
        "docs/importing.md",
        "docs/formulas.md",
        "docs/kpi-catalog.md",
        "docs/engine.md",
        "docs/benchmarks.md",
        "docs/concurrency.md",
    ):
        assert f"({link})" in readme
        assert (ROOT / link).exists(), f"{link} is linked from the README but missing"


def _documented_routes() -> set[str]:
    """``METHOD path`` of each route in docs/server.md's route table, its path parameters
    written ``{}`` and a workspace's prefix ``…``: a cell lists routes as `` `GET /a` ``, a bare
    `` `GET` `` sharing the path of the route after it."""
    found = set()
    for cell in _route_cells():
        pending: list[str] = []
        for item in re.findall(r"`([^`]+)`", cell):
            method, _, path = item.partition(" ")
            if not path:
                pending.append(method)
                continue
            for m in [*pending, method]:
                found.add(f"{m} {path}")
            pending = []
    return found


def _route_cells() -> list[str]:
    """The first cell of each row of docs/server.md's route table, its path parameters
    written ``{}`` and a workspace's prefix ``…``."""
    text = (DOCS / "server.md").read_text(encoding="utf-8")
    table = text[text.index("| route | role | what |") :]
    cells = []
    for line in table.splitlines()[2:]:
        if not line.startswith("| `"):
            break
        cell = line.split(" | ")[0]
        cell = re.sub(r"\{[^}]*\}", "{}", cell).replace("/workspaces/{}/", "…/")
        cells.append(re.sub(r"[?(].*?`", "`", cell))  # a query or a note after the path
    return cells


def test_every_api_route_is_in_the_route_table(tmp_path: Path) -> None:
    """Each route under ``/api/v1`` (its method and path, parameters by position) is in a row
    of docs/server.md's route table — a new route cannot go undocumented."""
    from fastapi.routing import APIRoute
    from support.server import app_routes

    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.server.store import ServerStore

    documented = _documented_routes()
    settings = ServerSettings(home=tmp_path, warm_seconds=0)
    app = create_app(settings, store=ServerStore.open(settings.store_url(), upgrade=True))
    missing, checked = [], 0
    for full, methods, route in app_routes(app):
        if not isinstance(route, APIRoute) or not full.startswith("/api/v1/"):
            continue
        path = re.sub(r"\{[^}]*\}", "{}", full.removeprefix("/api/v1"))
        path = path.replace("/workspaces/{}/", "…/") if path != "/workspaces/{}" else path
        for method in methods:
            checked += 1
            if f"{method} {path}" not in documented:
                missing.append(f"{method} {full}")
    assert checked >= 40
    assert not missing, f"not in docs/server.md's route table: {missing}"


def test_every_row_code_is_in_the_importing_docs() -> None:
    """Each code an import can give a quarantined row (support/row_codes.py, read from the
    source) is in docs/importing.md."""
    from support.row_codes import ROW_CODES

    text = (DOCS / "importing.md").read_text(encoding="utf-8")
    assert len(ROW_CODES) > 10
    missing = sorted(code for code in ROW_CODES if f"`{code}`" not in text)
    assert not missing, f"not in docs/importing.md: {missing}"
