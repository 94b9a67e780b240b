"""The options many commands share are one option each (``shakhes.cli.options``,
``shakhes.cli.waiting``): every command that opens a workspace takes ``--wait``, and every
``--format`` refuses a format it does not write, naming the ones it does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from support.cli import shakhes

from shakhes.cli.app import app

NO_WORKSPACE = {"init", "demo"}
"""Commands that make a workspace rather than open one."""


def _commands() -> list[tuple[str, Any]]:
    group = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(command: Any, name: str) -> None:
        if hasattr(command, "commands"):  # a group
            for sub_name, sub in command.commands.items():
                walk(sub, f"{name} {sub_name}".strip())
        else:
            found.append((name, command))

    walk(group, "")
    return found


def _options(command: Any) -> dict[str, Any]:
    return {opt: p for p in command.params for opt in getattr(p, "opts", [])}


COMMANDS = _commands()


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_that_opens_a_workspace_waits_its_turn(name: str, command: Any) -> None:
    options = _options(command)
    if name in NO_WORKSPACE or "--workspace" not in options:
        return
    wait = options.get("--wait")
    assert wait is not None, f"shakhes {name} opens a workspace but has no --wait"
    assert wait.default == 300 and getattr(wait, "metavar", None) == "SECONDS"


FORMATTED = [(n, c) for n, c in COMMANDS if "--format" in _options(c)]


def test_the_format_option_is_on_the_commands_that_print_json() -> None:
    names = {n for n, _ in FORMATTED}
    for expected in ("status", "check", "explain", "compute", "leads", "anomalies", "goal list",
                     "target list"):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize(("name", "command"), FORMATTED, ids=[n for n, _ in FORMATTED])
def test_every_format_option_refuses_an_unknown_format(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    command: Any,
) -> None:
    fmt = _options(command)["--format"]
    assert fmt.default == "table"
    args = [*name.split(), "--format", "xml", "-w", str(tmp_path)]
    # required arguments get a placeholder: the format is checked before anything runs
    for param in command.params:
        if param.param_type_name == "argument" and param.required:
            args.insert(len(name.split()), "x")
        elif param.param_type_name == "option" and param.required:
            args += [param.opts[0], "x"]
    run = shakhes(capsys, *args)
    assert run.code == 1
    allowed = "Use table, csv or json." if name == "compute" else "Use table or json."
    assert "unknown format 'xml'" in run.err and allowed in run.err, run.err
