"""``shakhes status`` on the command line: the tree shows the numbers the JSON carries, a
workspace without targets gets a sentence, not an error, and a Persian workspace reads in
Persian digits."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli import Run, shakhes

from shakhes.display import format_value
from shakhes.service import goals
from shakhes.service.status import status
from shakhes.spec.goals import DateRange, GoalKpi, PeriodSpec, make_goal
from shakhes.spec.kpi import Kind
from shakhes.workspace import Workspace

MONTH = PeriodSpec(every="month", calendar="gregorian")


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Run:
    result = shakhes(capsys, "status", *args, "-w", str(root))
    assert "Traceback" not in result.err
    return result


@pytest.fixture
def root(make_workspace: Callable[..., Workspace]) -> Path:
    ws = make_workspace()
    goal = make_goal(
        {
            "id": "traffic",
            "title": {"en": "More traffic", "fa": "ترافیک بیشتر"},
            "period": DateRange(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)),
            "kpis": [
                GoalKpi(kpi="clicks", kind=Kind.OPERATIONAL, drives=("conversions",)),
                GoalKpi(kpi="cpc", kind=Kind.OPERATIONAL),
                GoalKpi(kpi="revenue", kind=Kind.STRATEGIC),
            ],
        }
    )
    goals.add_goal(ws, goal)
    scope = "channel = 'search'"
    goals.set_target(
        ws, "clicks", target_id="search_clicks", scope=scope, period=MONTH, value=2900,
        goal="traffic",
    )  # fmt: skip
    goals.set_target(
        ws, "cpc", target_id="search_cpc", scope=scope, period=MONTH, value=0.4, goal="traffic"
    )
    goals.set_target(ws, "cost", target_id="budget", period=MONTH, min=1000, max=3500)
    ws.close()
    return ws.root


def test_json_is_the_service_report(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    result = run(capsys, root, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    ws = Workspace.open(root)
    try:
        expected = json.loads(json.dumps(status(ws).to_dict()))
    finally:
        ws.close()
    assert data == expected
    assert data["on"] == "2025-04-10" and data["on_source"] == "data"
    (goal,) = data["goals"]
    assert goal["status"] == "off_track" and goal["counts"]["on_track"] == 1
    clicks, _, revenue = goal["kpis"]
    assert revenue["targets"] == [] and revenue["status"] is None  # a KPI without a target
    (target,) = clicks["targets"]
    assert (target["actual"], target["status"], target["shape"]) == (1000, "on_track", "additive")
    assert target["period"]["start"] == "2025-04-01" and target["data_through"] == "2025-04-10"
    assert target["trend"] == [{"start": "2025-04-04", "end": "2025-04-10", "value": 700.0}]
    (budget,) = data["without_goal"][0]["targets"]
    assert (budget["min"], budget["max"], budget["value"]) == (1000, 3500, None)


def test_the_tree_shows_the_numbers_of_the_json(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    data = json.loads(run(capsys, root, "--format", "json").out)
    table = run(capsys, root)
    assert table.code == 0, table.err
    text = table.out
    ws = Workspace.open(root)
    specs = ws.definitions()
    ws.close()
    targets = [t for g in data["goals"] for k in g["kpis"] for t in k["targets"]]
    targets += [t for k in data["without_goal"] for t in k["targets"]]
    assert len(targets) == 3
    lines = text.splitlines()
    for target in targets:
        spec = specs[target["kpi"]]
        (start,) = [i for i, line in enumerate(lines) if f"{target['id']} " in line]
        block = "\n".join(lines[start : start + 3])
        for key in ("actual", "expected", "forecast", "forecast_low", "forecast_high"):
            assert format_value(target[key], spec, currency="USD") in block, (key, block)
        assert f"probability {round(target['probability'] * 100)}%" in block
        assert target["period"]["label"] in block
        status_words = target["status"].replace("_", " ")
        assert f"● {status_words}" in lines[start]
    assert "Status on 2025-04-10 (the last day with data" in text
    assert "● off track" in text.splitlines()[2]  # the goal's roll-up
    assert "clicks (Clicks)  operational · drives conversions  ▄  ● on track" in text
    assert "no target applies on this day" in text  # revenue
    assert "the rest needs ≤ 0.35 USD (forecast 0.50 USD)" in text  # (0.4 × 3,000 - 500) / 2,000


def test_no_targets_is_a_sentence_not_an_error(
    capsys: pytest.CaptureFixture[str], make_workspace: Callable[..., Workspace]
) -> None:
    ws = make_workspace("empty")
    ws.close()
    result = run(capsys, ws.root)
    assert result.code == 0 and result.err == ""
    assert "No targets apply on 2025-04-10." in result.out and "shakhes target set" in result.out
    data = json.loads(run(capsys, ws.root, "--format", "json").out)
    assert data["goals"] == [] and data["without_goal"] == []


def test_bad_arguments(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    unknown = run(capsys, root, "--goal", "trafic")
    assert unknown.code == 1 and "trafic" in unknown.err and "traffic" in unknown.err
    assert run(capsys, root, "--on", "10 April").code == 1
    assert run(capsys, root, "--format", "csv").code == 1
    later = json.loads(run(capsys, root, "--on", "2025-05-03", "--format", "json").out)
    assert later["on"] == "2025-05-03" and later["on_source"] == "given"


def test_persian_workspace(
    capsys: pytest.CaptureFixture[str], make_workspace: Callable[..., Workspace]
) -> None:
    ws = make_workspace("fa", locale="fa", calendar="jalali", currency="IRR")
    goal = make_goal(
        {
            "id": "traffic",
            "title": {"fa": "ترافیک بیشتر"},
            "period": DateRange(start=dt.date(2025, 3, 21), end=dt.date(2025, 4, 20)),
            "kpis": [GoalKpi(kpi="clicks", kind=Kind.OPERATIONAL)],
        }
    )
    goals.add_goal(ws, goal)
    jalali_month = PeriodSpec(every="month", calendar="jalali")
    goals.set_target(
        ws,
        "clicks",
        target_id="clicks_search",
        scope="channel = 'search'",
        period=jalali_month,
        value=3000,
        goal="traffic",
    )
    goals.set_target(ws, "cpc", target_id="cpc_cap", period=jalali_month, value=1)
    ws.close()
    result = run(capsys, ws.root)
    assert result.code == 0, result.err
    text = result.out
    assert "وضعیت در ۱۴۰۴/۰۱/۲۱" in text  # 2025-04-10
    assert "ترافیک بیشتر" in text and "در مسیر" in text and "فروردین ۱۴۰۴" in text
    assert "روز ۲۱ از ۳۱" in text  # Farvardin 1404: 2025-03-21 … 2025-04-20
    assert "تا کنون ۱٬۰۰۰" in text  # the search clicks to date
    assert "ریال" in text and "IRR" not in text
    latin = [line for line in text.splitlines() if re.search(r"[0-9]", line)]
    assert latin == []


def test_a_period_over_shows_its_final_value(
    capsys: pytest.CaptureFixture[str], make_workspace: Callable[..., Workspace]
) -> None:
    ws = make_workspace("over")
    ten_days = DateRange(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 10))
    goals.set_target(ws, "clicks", target_id="first_days", period=ten_days, value=2000)
    ws.close()
    text = run(capsys, ws.root).out
    (line,) = [i for i, line in enumerate(text.splitlines()) if "first_days" in line]
    head, numbers = text.splitlines()[line : line + 2]
    assert "period over" in head and "● missed" in head  # 1,500 clicks of 2,000
    assert numbers.strip().endswith("actual 1,500")  # no pace, forecast or rate to show
