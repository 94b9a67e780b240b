"""KPI ids (and goal and target ids) are never cut in an 80-column terminal, however many
columns the table has: names wrap, ids do not (issue 7 §2).

The workspace holds a real-shaped TikTok Ads Manager export (singular ``Impression``,
``(Destination)`` suffixes, ads that share a name), imported as a user would.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from support.cli import shakhes

from shakhes.cli import console as cli_console
from shakhes.cli import output
from shakhes.workspace import Workspace

TIKTOK = Path(__file__).parents[1] / "imports/fixtures/sources/tiktok_ads_same_names.csv"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "shop"
    assert shakhes(capsys, "init", str(root), "--currency", "IDR").code == 0
    run = shakhes(capsys, "import", str(TIKTOK), "-w", str(root), "-q")
    assert run.code == 0, run.err
    return root


def _cost_by_campaign() -> dict[str, float]:
    """The export's Cost column added up per campaign (its total row left out)."""
    costs: dict[str, float] = {}
    with TIKTOK.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row["Campaign name"].startswith("Total of"):
                name = row["Campaign name"]
                costs[name] = costs.get(name, 0.0) + float(row["Cost"])
    return costs


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, force_terminal=True, no_color=True), buffer


def _lines(buffer: io.StringIO) -> list[str]:
    return ANSI.sub("", buffer.getvalue()).splitlines()


def _words(lines: list[str]) -> set[str]:
    return {w for line in lines for w in line.split()}


def test_compute_keeps_ids_whole_when_even_one_row_per_kpi_is_too_wide(ws: Path) -> None:
    """A total over the range broken down by campaign, with long ids and long amounts: even
    one row per period × campaign × KPI does not fit 80 columns at full width. The ids stay
    whole; periods and amounts wrap at spaces; campaign names and KPI names give way."""
    kpis = ["ctr", "cpc", "cpm", "conversion_rate", "conversion_value", "cost"]
    root = Workspace.open(ws)
    try:
        result = root.engine.compute(kpis, grain="total", by=["campaign"])
        console, buffer = _terminal(80)
        output.to_table(result, root.definitions(), currency="IDR", locale="en", console=console)
    finally:
        root.close()
    lines = _lines(buffer)
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert set(kpis) <= _words(lines), "\n".join(lines)
    # the period's days and whole amounts, each on a line of its own but never cut
    assert {"2025-03-01", "–", "2025-03-03"} <= _words(lines), "\n".join(lines)
    by_hand = _cost_by_campaign()
    costs = {r["campaign"]: r["value"] for r in result.records() if r["kpi"] == "cost"}
    assert costs == pytest.approx(by_hand)
    ramadan = f"{by_hand['Ramadan sale - In-feed']:,.0f}"  # 4,829,981: whole, never cut
    assert any(w.startswith(ramadan) for w in _words(lines)), "\n".join(lines)


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["kpi", "list"], ["ad_engagement_rate", "click_to_open_rate", "lead_to_customer_rate"]),
    ],
)
def test_listings_keep_ids_whole(
    ws: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    ids: list[str],
) -> None:
    console, buffer = _terminal(80)
    monkeypatch.setattr(cli_console, "out", console)
    run = shakhes(capsys, *args, "-w", str(ws))
    assert run.code == 0, run.err
    lines = _lines(buffer)
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert set(ids) <= _words(lines), "\n".join(lines)
    assert "…" not in "".join(line.split()[0] for line in lines if line.strip())
