"""The import report writes counts as whole numbers (``impressions 17,134``, not
``17,134.00``), amounts with their cents, in its totals and in the check against the file's
own total row (issue 7 §2: counts print as integers). On a real-shaped Google Ads download."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.cli import shakhes

EXPORT = Path(__file__).parents[1] / "imports/fixtures/sources/google_ads_campaign_day.csv"


def _rows(text: str) -> list[dict[str, str]]:
    body = text.splitlines()[2:]  # the title and date-range lines
    return [r for r in csv.DictReader(io.StringIO("\n".join(body))) if r["Day"][:1].isdigit()]


def test_totals_and_the_total_row_check_write_counts_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    text = EXPORT.read_text(encoding="utf-8")
    # One row's conversions unknown: that row is quarantined, so the file's total row differs.
    unknown = text.replace('"1,050.00",35.00,', '"1,050.00",NA,')
    assert unknown != text
    export = tmp_path / "campaigns.csv"
    export.write_text(unknown, encoding="utf-8")
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0

    run = shakhes(capsys, "import", str(export), "-w", str(root), "-q")

    assert run.code == 0, run.err
    kept = [r for r in _rows(unknown) if r["Conversions"] != "NA"]
    impressions = sum(int(r["Impr."].replace(",", "")) for r in kept)
    clicks = sum(int(r["Clicks"].replace(",", "")) for r in kept)
    cost = sum(float(r["Cost"].replace(",", "")) for r in kept)
    assert (impressions, clicks, round(cost, 2)) == (17_134, 872, 1_249.56)
    assert (
        f"totals: impressions {impressions:,}, clicks {clicks:,}, cost {cost:,.2f}, "
        "conversions 40.50, conversion_value 4,050" in run.out
    ), run.out
    assert (
        f"the file's own total row says impressions = 28,134 but the imported rows add up to "
        f"{impressions:,} (1 row(s) were quarantined)" in run.out
    ), run.out
    assert "cost = 2,299.56 but the imported rows add up to 1,249.56" in run.out, run.out
