"""Real ``shakhes`` processes for the tests of many processes on one workspace."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

CLI = "from shakhes.cli.app import main; main()"

HOLD = """
import sys, time
from pathlib import Path
from shakhes.workspace import Workspace
ws = Workspace.open(sys.argv[1])
with ws.writing(sys.argv[2]):
    print("holding", flush=True)
    release = Path(sys.argv[3])
    while not release.exists():
        time.sleep(0.02)
ws.close()
"""
"""A writer that takes the workspace (``ws.writing(WHAT)``), says ``holding``, and keeps it
until the file RELEASE exists: ``python -c HOLD ROOT WHAT RELEASE``."""


def env(**extra: str) -> dict[str, str]:
    """The environment of a child: this interpreter's ``sys.path`` (so it imports this
    checkout's shakhes), plus ``extra``."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **extra}


def start(args: Sequence[str], **extra: str) -> subprocess.Popen[str]:
    """``shakhes ARGS…`` in a new process, stdout and stderr captured."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(**extra),
    )


def run(
    args: Sequence[str], timeout: float = 300, **extra: str
) -> subprocess.CompletedProcess[str]:
    """``shakhes ARGS…`` in a new process, to its end."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        capture_output=True,
        text=True,
        env=env(**extra),
        timeout=timeout,
        check=False,
    )


def hold(root: Path, what: str, release: Path, **extra: str) -> subprocess.Popen[str]:
    """A process holding ``root`` for writing (as ``what``) until ``release`` exists; returns
    once it holds it."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), what, str(release)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(**extra),
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "holding", child.stderr.read() if child.stderr else line
    return child


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for a condition"
        time.sleep(0.02)


def write_ads(path: Path, rows: int, clicks: int = 3) -> None:
    """A canonical ad_performance CSV of ``rows`` rows, each with ``clicks`` clicks, in 2025."""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT DATE '2025-01-01' + CAST(i % 365 AS INTEGER) AS date, 'google_ads' AS "
        "platform, 'acct' AS account, 'search' AS channel, 'c' || (i // 365) AS campaign_id, "
        "'Campaign ' || (i // 365) AS campaign, 'g' AS ad_group, '' AS ad, 'USD' AS currency, "
        f"1000 AS impressions, {clicks} AS clicks, {clicks * 0.5} AS cost, 0 AS conversions, "
        f"0 AS conversion_value FROM range({rows}) AS t(i)) TO '{path}' (HEADER)"
    )
    con.close()
