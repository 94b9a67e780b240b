"""Run the ``shakhes`` command in-process, as a user would type it."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest

from shakhes.cli.app import main


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
