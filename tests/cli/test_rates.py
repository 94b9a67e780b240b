"""Amounts in other currencies are converted with the rates table, never added as they are."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.cli import shakhes

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value"
)
ADS = f"""{HEADER}
2026-09-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,100,5,500
2026-09-01,yektanet,y1,display,c2,Banner,g1,,IRT,2000,20,4000000,1,8000000
2026-09-02,yektanet,y1,display,c2,Banner,g1,,IRT,2000,40,6000000,2,9000000
2026-10-01,yektanet,y1,display,c2,Banner,g1,,IRT,1000,10,1000000,0,0
"""


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    monkeypatch.chdir(root)
    assert shakhes(capsys, "load", "ad_performance", "../ads.csv").code == 0
    return root


def values(run_out: str) -> dict[tuple[str, str], str]:
    return {(r["period_label"], r["kpi"]): r["value"] for r in csv.DictReader(io.StringIO(run_out))}


def test_mixed_currencies_need_rates(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "compute", "cost", "--from", "2026-09-01", "--to", "2026-09-30")
    assert run.code == 1
    assert "ad_performance has amounts in IRT on 2 day(s) without an exchange rate to USD" in (
        run.err
    )
    assert "shakhes rates load" in run.err


def test_rates_convert_every_amount_on_its_own_day(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rates = tmp_path / "rates.csv"
    # 1 toman = 0.00002 USD from 1 September, 0.00001 USD from 2 September on.
    rates.write_text(
        "date,currency,rate\n2026-09-01,IRT,0.00002\n2026-09-02,IRT,0.00001\n", encoding="utf-8"
    )
    run = shakhes(capsys, "rates", "load", str(rates))
    assert run.code == 0 and "IRT" in run.out
    run = shakhes(
        capsys,
        "compute",
        "cost,cpc,roas,clicks",
        "--from",
        "2026-09-01",
        "--to",
        "2026-10-31",
        "--format",
        "csv",
    )
    assert run.code == 0, run.err
    got = values(run.out)
    # September: 100 USD + 4,000,000 × 0.00002 + 6,000,000 × 0.00001 = 100 + 80 + 60 = 240.
    assert float(got[("2026-09", "cost")]) == pytest.approx(240.0)
    assert float(got[("2026-09", "cpc")]) == pytest.approx(240.0 / 110)
    # Conversion value: 500 + 8,000,000 × 0.00002 + 9,000,000 × 0.00001 = 500 + 160 + 90.
    assert float(got[("2026-09", "roas")]) == pytest.approx(750.0 / 240.0)
    # The last rate holds on: October's 1,000,000 IRT at 0.00001.
    assert float(got[("2026-10", "cost")]) == pytest.approx(10.0)
    run = shakhes(
        capsys, "compute", "cost", "--grain", "year", "--by", "currency", "--format", "csv"
    )
    by = {r["currency"]: float(r["value"]) for r in csv.DictReader(io.StringIO(run.out))}
    assert by == {"IRT": 11_000_000.0, "USD": 100.0}  # broken down: each in its own currency
    run = shakhes(capsys, "rates", "list")
    assert "IRT: 2026-09-01" in run.out


def test_bad_rates_file_names_lines_and_loads_nothing(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "date,currency,rate\n2026-09-01,IRT,-1\n2026/09/02,IRT,1\n2026-09-03,USD,1\n",
        encoding="utf-8",
    )
    run = shakhes(capsys, "rates", "load", str(rates))
    assert run.code == 1
    for fragment in (
        "line 2: rate -1 must be a positive number",
        "line 3: date '2026/09/02' is not YYYY-MM-DD",
        "line 4: USD is the reporting currency",
    ):
        assert fragment in run.err
