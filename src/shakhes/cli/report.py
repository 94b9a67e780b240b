"""``shakhes report``: one self-contained HTML page of a period — goals and their status, each
target's chart, the biggest movers and why, anomalies (:mod:`shakhes.service.report`,
rendered by :mod:`shakhes.report.html`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from shakhes.cli.options import WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT
from shakhes.errors import ShakhesError

LANGS = ("en", "fa")


def report(
    period: Annotated[
        str | None,
        typer.Option(
            help="The period: 2025-11, 2025-Q3, 2025, FY2025/26, FY2025/26-Q1, W 2025-11-03, "
            "2025-11-05, 2025-01-01..2025-01-31, or Jalali 1404-08, 1404-Q2, 1404 "
            "(default: the month, or Jalali month, of the last day with data)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="en or fa (default: the workspace's locale)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The HTML file to write (default: report-PERIOD.html here)."
        ),
    ] = None,
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a self-contained HTML report of a period (it works offline): goals and their
    status, each target with its pacing line and forecast band, the biggest movers with their
    explanations, and anomalies. In Persian (--lang fa) it reads right to left, with Persian
    digits and, in a Jalali workspace, Jalali dates."""
    if lang is not None and lang not in LANGS:
        raise ShakhesError(
            f"unknown language '{lang}'", code="unknown_lang", hint="Use --lang en or --lang fa."
        )
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        where = "it is a folder" if output.is_dir() else f"there is no folder {output.parent}"
        raise ShakhesError(  # said before the report is built, not after
            f"cannot write the report to {output}: {where}",
            code="bad_output",
            hint="Name an HTML file in a folder that exists, e.g. -o report.html.",
        )
    from shakhes.report.html import render
    from shakhes.service.report import build

    ws = open_workspace(workspace, wait)
    try:
        data = build(ws, period, lang)
    finally:
        ws.close()
    path = output if output is not None else Path(f"report-{file_label(data.period.label)}.html")
    path.write_text(render(data), encoding="utf-8")
    from shakhes.cli.console import out

    out.print(str(path), markup=False, highlight=False, soft_wrap=True)


def file_label(label: str) -> str:
    """A period's label as part of a file name.

    >>> file_label("FY2024/25"), file_label("W 2025-11-03")
    ('FY2024-25', 'W-2025-11-03')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-")
