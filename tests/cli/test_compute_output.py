"""`shakhes compute` output that nobody can misread: partial periods marked, KPIs that cannot
be computed explained, whole numbers written whole, components, Persian workspaces, narrow
terminals, and the audit log naming what was loaded."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from support.cli import shakhes

from shakhes.cli import output
from shakhes.workspace import Workspace

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,"
    "impressions,clicks,cost,conversions,conversion_value,reach"
)
# Two platforms over 1–15 January and 1–3 February 2024.
ADS = "\n".join(
    [
        HEADER,
        "2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,10000,2,25.5,1,50,4000",
        "2024-01-01,meta,m1,social,c2,Winter,g1,,USD,20000,40,10,1,80,9000",
        "2024-01-15,google_ads,a1,search,c1,Brand,g1,,USD,3000,60,30,3,300,1000",
        "2024-02-03,google_ads,a1,search,c1,Brand,g1,,USD,1000,0,0,0,0,500",
    ]
)


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0
    (tmp_path / "ads.csv").write_text(ADS + "\n", encoding="utf-8")
    monkeypatch.chdir(root)
    run = shakhes(capsys, "load", "ad_performance", "../ads.csv")
    assert run.code == 0, run.err
    return root


def test_csv_marks_partial_periods_writes_counts_whole_and_gives_reasons(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "compute", "impressions,reach,ctr", "--format", "csv")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    by = {(r["period_label"], r["kpi"]): r for r in rows}
    january = by[("2024-01", "impressions")]
    assert january["value"] == "33000"  # 10000 + 20000 + 3000, not 33000.0
    assert january["complete"] == "true" and january["error"] == ""
    assert by[("2024-02", "impressions")]["complete"] == "false"  # data ends 3 February
    assert by[("2024-01", "ctr")]["value"] == repr(102 / 33000)
    reach = by[("2024-01", "reach")]
    assert reach["value"] == "" and reach["complete"] == ""
    assert "distinct people per day" in reach["error"]


def test_json_gives_the_reason_as_a_field_with_the_cli_hint(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "compute", "clicks,reach", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    reach = next(r for r in data if r["kpi"] == "reach")
    assert reach["value"] is None and reach["complete"] is None
    assert reach["error"]["code"] == "non_additive"
    assert "--grain day" in reach["error"]["hint"]
    clicks = next(r for r in data if r["kpi"] == "clicks")
    assert clicks["error"] is None and clicks["value"] == 102 and isinstance(clicks["value"], int)


def test_components_add_numerator_and_denominator(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "compute", "ctr,clicks", "--components", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert "numerator" in rows[0] and "denominator" in rows[0]
    ctr = next(r for r in rows if r["kpi"] == "ctr" and r["period_label"] == "2024-01")
    assert (ctr["numerator"], ctr["denominator"]) == ("102", "33000")
    clicks = next(r for r in rows if r["kpi"] == "clicks")
    assert clicks["numerator"] == "" and clicks["denominator"] == ""
    table = shakhes(capsys, "compute", "ctr", "--components")
    lines = table.out.splitlines()
    assert "numerator" in table.out and "denominator" in table.out
    assert any(re.search(r"2024-01\s+0\.309%\s+102\s+33,000", line) for line in lines), table.out


def test_the_table_marks_partial_periods_failed_kpis_and_comparisons(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "compute", "clicks,reach", "--compare", "previous")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    feb = next(line for line in lines if line.startswith("2024-02"))
    jan = next(line for line in lines if line.startswith("2024-01"))
    assert feb.startswith("2024-02 *") and not jan.startswith("2024-01 *")
    assert "×" in feb
    assert "†" in jan  # January is compared with a December without data
    text = run.out
    assert "* partial period" in text
    assert "as many days" in text  # the comparison says it compares equal numbers of days
    assert "† the period compared with lacks data" in text
    assert "× reach not computed: ad_performance.reach counts distinct people" in text
    assert "Use --grain day" in text


def test_total_grain_from_the_command_line(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "compute", "clicks,ctr", "--grain", "total", "--by", "platform")
    assert run.code == 0, run.err
    assert "2024-01-01 – 2024-02-03" in run.out
    assert re.search(r"google_ads\s+62\s+0\.443%", run.out), run.out  # 62 / 14000
    assert re.search(r"meta\s+40\s+0\.20%", run.out), run.out


def test_help_lists_the_dimensions_and_total(capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "compute", "--help")
    flat = " ".join(run.out.split())
    for dim in ("channel", "campaign_id", "ad_group", "device", "medium", "plan"):
        assert dim in flat
    assert "total" in flat


def test_request_errors_still_fail_the_command(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "compute", "clicks,reach", "--by", "chanel")
    assert run.code == 1 and "did you mean 'channel'" in run.err
    run = shakhes(capsys, "compute", "reach", "--grain", "month")
    assert run.code == 1 and "Use --grain day" in run.err
    run = shakhes(capsys, "compute", "clicks", "--by", "date")
    assert run.code == 1 and "--grain" in run.err
    run = shakhes(capsys, "compute", "clicks", "--compare", "yesterday")
    assert run.code == 1 and "--compare previous" in run.err


def _table(root: Path, kpis: str, width: int = 80, compare: bool = False) -> list[str]:
    ws = Workspace.open(root)
    try:
        result = ws.engine.compute(kpis, compare="previous" if compare else None)
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, force_terminal=True, no_color=True)
        output.to_table(
            result, ws.definitions(), currency="USD", locale=ws.settings.locale, console=console
        )
    finally:
        ws.close()
    return re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue()).splitlines()  # no bold codes


@pytest.mark.parametrize(
    ("kpis", "compare"),
    [
        ("ctr,cpc,conversion_rate", False),
        ("clicks,impressions,ctr,cost,cpc,cpm,conversions,conversion_rate,cpa,roas", True),
    ],
)
def test_kpi_ids_are_never_cut_in_an_80_column_terminal(ws: Path, kpis: str, compare: bool) -> None:
    lines = _table(ws, kpis, compare=compare)
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    words = {w for line in lines for w in re.split(r"\s+", line.strip())}
    for kpi in kpis.split(","):
        assert kpi in words, f"{kpi} is cut:\n" + "\n".join(lines)
    assert "Click-through" in " ".join(lines)  # names are there, wrapped as needed


def test_persian_workspace_headers_percent_and_rial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "fa"
    shakhes(capsys, "init", str(root), "--locale", "fa", "--currency", "IRR")
    rows = [
        HEADER,
        "2024-01-01,google_ads,a1,search,c1,Brand,g1,,IRR,10000,2,25500000.5,1,50,4000",
        "2024-01-15,google_ads,a1,search,c1,Brand,g1,,IRR,3000,60,3000000,3,300,1000",
        "2024-01-15,yektanet,y1,display,c3,بنر,g1,,IRR,3000,2,55.5,0,0,1000",
    ]
    (tmp_path / "ads.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.chdir(root)
    assert shakhes(capsys, "load", "ad_performance", "../ads.csv").code == 0
    run = shakhes(capsys, "compute", "cost,ctr", "--by", "channel", "--grain", "month")
    assert run.code == 0, run.err
    text = run.out
    assert "دوره" in text and "کانال" in text and "هزینه تبلیغات" in text
    assert "ctr" in text and "cost" in text  # the ids, under the Persian names
    assert "٪" in text and "%" not in text
    assert "۲۸٬۵۰۰٬۰۰۱ ریال" in text  # 28,500,000.5 rials: no decimals on rial amounts
    assert "۵۵٫۵ ریال" in text  # but never fewer than three significant digits
    assert "۰٫۴۷۷٪" in text  # search: (2 + 60) / 13,000 = 0.477 %
    assert "IRR" not in text and not re.search(r"[0-9]", text)


def test_audit_names_the_table_and_file_of_a_load(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "audit", "--limit", "1")
    assert run.code == 0, run.err
    assert " load data: import #1 of" in run.out and "data data" not in run.out
    assert "ads.csv into ad_performance (4 rows accepted" in run.out
    bad = shakhes(capsys, "audit", "--limit", "0")
    assert bad.code != 0 and "Traceback" not in bad.out + bad.err
