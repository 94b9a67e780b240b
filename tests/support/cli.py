"""Run the ``shakhes`` command in-process, as a user would type it."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
import typer.main

from shakhes.cli.app import app, main

_BUILT: dict[str, Any] = {}
_get_command = typer.main.get_command


def _built_once(typer_instance: typer.Typer) -> Any:
    """``typer.main.get_command`` that builds the click command of the ``shakhes`` app once.

    Typer builds the click command of every command of the app on every call (a few hundredths
    of a second); a process that runs one command pays it once, a test run that runs hundreds
    in one process pays it hundreds of times for the same result. A click command keeps no
    state between runs (each run parses into a context of its own), so one build serves them
    all. Another Typer app is built as Typer would."""
    if typer_instance is not app:
        return _get_command(typer_instance)
    if "app" not in _BUILT:
        _BUILT["app"] = _get_command(app)
    return _BUILT["app"]


@contextmanager
def app_built_once() -> Iterator[None]:
    """While it lasts, :func:`main` runs the click command built once (:func:`_built_once`)."""
    with mock.patch.object(typer.main, "get_command", _built_once):
        yield


@dataclass
class Run:
    code: int
    out: str
    err: str


def call(*args: str) -> int:
    """Run ``shakhes ARGS…`` in this process; its exit status."""
    argv = sys.argv
    sys.argv = ["shakhes", *args]
    try:
        with app_built_once():
            main()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return 0


def shakhes(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """``shakhes ARGS…``: exit status, stdout and stderr."""
    code = call(*args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def shakhes_outside_a_test(*args: str) -> Run:
    """:func:`shakhes` for a fixture that serves many tests (``capsys`` is one test's): what the
    command prints is read from ``sys.stdout`` and ``sys.stderr`` redirected while it runs."""
    with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
        code = call(*args)
    return Run(code, out.getvalue(), err.getvalue())


def cli_json(capsys: pytest.CaptureFixture[str], root: Any, *args: str) -> Any:
    """``shakhes ARGS --format json --workspace ROOT`` (in process), its output read as JSON."""
    import json

    run = shakhes(capsys, *args, "--format", "json", "--workspace", str(root))
    assert run.code == 0, run.err
    return json.loads(run.out)
