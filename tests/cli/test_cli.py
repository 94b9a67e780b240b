"""The command line end to end: init, load, apply/export, kpi, compute, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support.cli import shakhes

from shakhes.workspace import Workspace

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,"
    "impressions,clicks,cost,conversions,conversion_value"
)
ADS = f"""{HEADER}
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,25.5,5,500
2024-01-01,meta,m1,social,c2,حراج زمستانه,g1,,USD,2000,20,10,1,80
2024-01-15,google_ads,a1,search,c1,Brand,g1,,USD,3000,60,30,3,300
2024-02-03,google_ads,a1,search,c1,Brand,g1,,USD,1000,0,0,0,0
"""


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "acme"
    run = shakhes(capsys, "init", str(root))
    assert run.code == 0, run.err
    assert "47 KPIs" in run.out
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "--version")
    assert run.code == 0 and run.out.strip() == "shakhes 0.1.0"


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["load"],
        ["apply"],
        ["export"],
        ["kpi"],
        ["kpi", "list"],
        ["kpi", "show"],
        ["audit"],
        ["compute"],
        ["explain"],
        ["status"],
        ["demo"],
    ],
)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    run = shakhes(capsys, *command, "--help")
    assert run.code == 0
    assert "Usage" in run.out


def test_init_writes_settings_stores_and_catalog(ws: Path) -> None:
    assert {p.name for p in ws.iterdir()} >= {"shakhes.toml", "metadata.db", "warehouse.duckdb"}
    text = (ws / "shakhes.toml").read_text()
    assert 'currency = "USD"' in text and 'week_start = "monday"' in text


def test_init_jalali_workspace_starts_weeks_on_saturday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(
        capsys,
        "init",
        str(tmp_path / "fa"),
        "--locale",
        "fa",
        "--calendar",
        "jalali",
        "--currency",
        "IRR",
    )
    assert run.code == 0
    settings = Workspace.open(tmp_path / "fa").settings
    assert settings.week_start == "saturday" and settings.currency == "IRR"


def test_init_twice_is_a_clear_error(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "init", str(ws))
    assert run.code == 1 and "already a shakhes workspace" in run.err


def test_commands_outside_a_workspace_say_how_to_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    run = shakhes(capsys, "kpi", "list")
    assert run.code == 1
    error, hint = run.err.splitlines()  # the error, and the CLI's hint for it
    assert error.startswith("error: no shakhes workspace in ")
    assert "shakhes init" in hint and "--workspace" in hint


def test_workspace_found_from_subfolder_env_and_option(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = ws / "reports" / "2024"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert shakhes(capsys, "kpi", "show", "ctr").code == 0
    monkeypatch.chdir(tmp_path)
    assert shakhes(capsys, "kpi", "show", "ctr", "--workspace", str(ws)).code == 0
    monkeypatch.setenv("SHAKHES_WORKSPACE", str(ws))
    assert shakhes(capsys, "kpi", "show", "ctr").code == 0


def test_load_then_compute_csv(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "load", "ad_performance", "../ads.csv")
    assert run.code == 0 and "Loaded 4 rows" in run.out
    run = shakhes(capsys, "compute", "ctr,cpc", "--by", "channel", "--format", "csv")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert list(rows[0]) == [
        "period_start",
        "period_end",
        "period_label",
        "channel",
        "kpi",
        "value",
        "complete",
        "error",
    ]
    # The data runs from 2024-01-01 to 2024-02-03: January is complete, February is not.
    complete = {(r["period_label"], r["channel"]): r["complete"] for r in rows}
    assert complete[("2024-01", "search")] == "true"
    assert complete[("2024-02", "search")] == "false"
    assert {r["period_end"] for r in rows if r["period_label"] == "2024-02"} == {"2024-02-03"}
    by_key = {(r["period_label"], r["channel"], r["kpi"]): r["value"] for r in rows}
    assert float(by_key[("2024-01", "search", "ctr")]) == pytest.approx(110 / 4000)
    assert float(by_key[("2024-01", "search", "cpc")]) == pytest.approx(55.5 / 110)
    assert by_key[("2024-02", "search", "cpc")] == ""  # 0 clicks: undefined, not an error
    assert by_key[("2024-02", "social", "ctr")] == ""  # no rows at all that month


def test_compute_json_with_comparison(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shakhes(capsys, "load", "ad_performance", "../ads.csv")
    run = shakhes(
        capsys,
        "compute",
        "clicks",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-29",
        "--compare",
        "previous",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert list(data[0]) == [
        "period_start",
        "period_end",
        "period_label",
        "kpi",
        "value",
        "complete",
        "previous_start",
        "previous_end",
        "previous_value",
        "previous_complete",
        "change",
        "change_pct",
        "error",
    ]
    # The data ends on 2024-02-03: February's value is of 1–3 February, compared with 1–3
    # January (50 + 20 clicks on 1 January), not with the whole of January (130).
    feb = data[1]
    assert feb["period_label"] == "2024-02" and feb["period_end"] == "2024-02-03"
    assert feb["complete"] is False and feb["previous_complete"] is True
    assert (feb["previous_start"], feb["previous_end"]) == ("2024-01-01", "2024-01-03")
    assert feb["value"] == 0 and feb["previous_value"] == 70
    assert isinstance(feb["previous_value"], int)  # a count is written 70, not 70.0
    assert feb["change"] == -70 and feb["change_pct"] == -1.0
    jan = data[0]
    assert jan["complete"] is True and jan["previous_complete"] is False  # no December data
    assert jan["error"] is None


def test_compute_table_in_persian_shows_jalali_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fa"
    shakhes(capsys, "init", str(root), "--locale", "fa", "--calendar", "jalali")
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    monkeypatch.chdir(root)
    shakhes(capsys, "load", "ad_performance", "../ads.csv")
    run = shakhes(capsys, "compute", "clicks,ctr")
    assert run.code == 0, run.err
    assert "دی ۱۴۰۲" in run.out  # 2024-01-01..20 falls in Dey 1402
    assert "۱۳۰" in run.out or "۷۰" in run.out  # Persian digits


def test_compute_errors_are_clear(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shakhes(capsys, "load", "ad_performance", "../ads.csv")
    run = shakhes(capsys, "compute", "crt")
    assert run.code == 1 and "unknown KPI 'crt' — did you mean 'ctr'?" in run.err
    run = shakhes(capsys, "compute", "ctr", "--where", "chanel = 'search'")
    assert run.code == 1 and "did you mean 'channel'" in run.err and "^" in run.err
    run = shakhes(capsys, "compute", "ctr", "--from", "2024-13-01")
    assert run.code == 1 and "not a date" in run.err
    run = shakhes(capsys, "compute", "ctr", "--format", "xml")
    assert run.code == 1 and "unknown format" in run.err


def test_compute_explain_prints_plan_and_sql(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shakhes(capsys, "load", "ad_performance", "../ads.csv")
    run = shakhes(capsys, "compute", "ctr,roas", "--explain")
    assert run.code == 0
    assert "table ad_performance (one aggregation pass)" in run.out and "SELECT" in run.out


def test_load_bad_file_names_line_column_value_and_loads_nothing(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = ADS.replace(
        "2024-01-15,google_ads,a1,search,c1,Brand,g1,,USD,3000,60",
        "2024-01-15,google_ads,a1,search,c1,Brand,g1,,USD,3000,6O",
    )
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    run = shakhes(capsys, "load", "ad_performance", "../bad.csv")
    assert run.code == 1
    assert "bad.csv:4: column 'clicks': value '6O'" in run.err
    assert "nothing was loaded" in run.err
    ws_obj = Workspace.open(ws)
    assert ws_obj.warehouse.row_count("ad_performance") == 0
    ws_obj.close()


def test_load_unknown_table_suggests(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "load", "ad_performence", "../ads.csv")
    assert run.code == 1 and "did you mean 'ad_performance'" in run.err


def test_export_apply_round_trip_and_audit(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kpis.yml"
    assert shakhes(capsys, "export", "-o", str(out)).code == 0
    run = shakhes(capsys, "apply", str(out))
    assert run.code == 0 and "~" not in run.out and "+ " not in run.out
    text = out.read_text(encoding="utf-8")
    again = tmp_path / "again.yml"
    shakhes(capsys, "export", "-o", str(again))
    assert again.read_text(encoding="utf-8") == text
    assert "formula: clicks / impressions\n" in text
    changed = text.replace(
        "formula: clicks / impressions\n", "formula: sum(ad_performance.clicks) / impressions\n", 1
    )
    out.write_text(changed, encoding="utf-8")
    run = shakhes(capsys, "apply", str(out), "--dry-run")
    assert run.code == 0 and "dry run" in run.out
    run = shakhes(capsys, "apply", str(out))
    assert run.code == 0 and "~ ctr" in run.out
    run = shakhes(capsys, "audit", "--entity", "ctr")
    assert run.code == 0 and " update kpi ctr" in run.out and " create kpi ctr" in run.out
    run = shakhes(capsys, "kpi", "show", "ctr")
    assert "update by" in run.out
    assert "sum(ad_performance.clicks) / impressions" in run.out


def test_apply_rejects_a_bad_formula_and_changes_nothing(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "new.yml"
    spec.write_text(
        """kpis:
  - id: search_ctr
    name: {en: Search CTR, fa: نرخ کلیک جستجو}
    description: {en: CTR of search ads, fa: نرخ کلیک تبلیغات جستجو}
    formula: sum(ad_performance.clikcs where channel = 'search') / impressions
    unit: percent
    direction: higher_is_better
    kind: operational
    timing: leading
    category: engagement
""",
        encoding="utf-8",
    )
    run = shakhes(capsys, "apply", str(spec))
    assert run.code == 1
    assert "unknown column 'clikcs' in ad_performance — did you mean 'clicks'?" in run.err
    assert shakhes(capsys, "kpi", "show", "search_ctr").code == 1


def test_failed_init_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "broken"
    run = shakhes(capsys, "init", str(root), "--warehouse-url", "postgres://nobody@127.0.0.1:1/x")
    assert run.code == 1 and "cannot connect to the warehouse" in run.err
    assert not root.exists()
    keep = tmp_path / "existing"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    run = shakhes(
        capsys, "init", str(keep), "--metadata-url", "postgresql+psycopg://nobody@127.0.0.1:1/x"
    )
    assert run.code == 1
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]


def test_apply_rejects_unknown_dimensions(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "dims.yml"
    spec.write_text(
        """kpis:
  - id: my_clicks
    name: {en: Clicks, fa: کلیک}
    description: {en: Clicks, fa: کلیک}
    formula: sum(ad_performance.clicks)
    unit: count
    direction: higher_is_better
    kind: operational
    timing: leading
    category: engagement
    dimensions: [chanel]
""",
        encoding="utf-8",
    )
    run = shakhes(capsys, "apply", str(spec))
    assert run.code == 1 and "'chanel' is not a dimension of any table" in run.err
    assert "did you mean 'channel'" in run.err
