"""Import → compute → the file's own totals: each ad platform's export goes in through
``shakhes import`` and the KPIs the engine computes over its days are the figures of the file's
own total row (and the ratios of those figures, by their published definitions)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.cli import shakhes
from support.imports import FIXTURES

# fixture, extra import arguments, workspace currency, first day, last day, and the file's own
# total row: impressions, clicks, cost (clicks: the column the layout maps, e.g. LinkedIn's
# landing-page clicks — 333 of its 449 clicks).
CASES = [
    ("google_ads_campaign_day.csv", [], "USD", "2026-09-01", "2026-09-02", 28_134, 1_572, 2_299.56),
    ("linkedin_campaign_daily.csv", [], "USD", "2026-09-01", "2026-09-02", 26_500, 333, 2_489.85),
    ("meta_daily.csv", [], "EUR", "2026-09-01", "2026-09-02", 23_000, 310, 119.20),
    # TikTok masks 4 impressions as "<5": read as 5, so one more than its total row's 242,004.
    ("tiktok_ad_daily.csv", [], "USD", "2026-09-01", "2026-09-02", 242_005, 2_556, 2_564.05),
    (
        "yektanet_daily.csv",
        ["--currency", "IRR"],
        "IRR",
        "2024-10-06",
        "2024-10-07",
        782_000,
        3_450,
        38_100_000,
    ),
]


@pytest.mark.parametrize(
    ("name", "args", "currency", "first", "last", "impressions", "clicks", "cost"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_the_engine_gives_back_the_totals_of_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    args: list[str],
    currency: str,
    first: str,
    last: str,
    impressions: int,
    clicks: int,
    cost: float,
) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root), "--currency", currency).code == 0
    monkeypatch.chdir(root)
    run = shakhes(capsys, "import", str(FIXTURES / name), *args)
    assert run.code == 0, run.err
    # The file's own total row agrees (a column the export lacks is still said, in a warning).
    assert "own total row" not in run.out
    run = shakhes(
        capsys,
        "compute",
        "impressions,clicks,cost,ctr,cpc,cpm",
        "--from",
        first,
        "--to",
        last,
        "--grain",
        "day",
        "--format",
        "csv",
    )
    assert run.code == 0, run.err
    days: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(run.out)):
        days.setdefault(row["kpi"], {})[row["period_label"]] = float(row["value"] or "nan")
    total = {kpi: sum(by_day.values()) for kpi, by_day in days.items()}
    assert total["impressions"] == impressions
    assert total["clicks"] == clicks
    assert total["cost"] == pytest.approx(cost)
    # Ratios by their definitions (KPI_DEFINITIONS.md), of each day's sums.
    for day in days["ctr"]:
        i, c, k = days["impressions"][day], days["clicks"][day], days["cost"][day]
        assert days["ctr"][day] == pytest.approx(c / i)
        assert days["cpm"][day] == pytest.approx(1000 * k / i)
        if c:
            assert days["cpc"][day] == pytest.approx(k / c)
