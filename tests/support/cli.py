"""Run the ``shakhes`` command in-process, as a user would type it."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from shakhes.cli.app import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def shakhes(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """``shakhes ARGS…``: exit status, stdout and stderr."""
    argv = sys.argv
    sys.argv = ["shakhes", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
