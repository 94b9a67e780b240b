"""``shakhes check`` end to end on a small workspace whose numbers are worked out by hand: the
letters of each target, the JSON carrying the numbers and words the table shows, KPIs and goals
named, Persian, errors without tracebacks, and ``--help`` without the engine.

The data: one shop, channel ``search``. Each month of 2023–2025 has two orders, on its first
and last day, together worth 1,000 a month in 2023, 1,100 in 2024 and 1,100 × (1 + i/100) in
month i of 2025 — year-on-year changes of +10% (twelve times, 2024) and +1% … +12% (2025).
Ads run on the same days. The check runs on 10 January 2026: the data ends 31 December 2025.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from support.cli import Run, shakhes, shakhes_outside_a_test

from shakhes.data.model import TABLES
from shakhes.data.warehouse import arrow_schema
from shakhes.service import goals
from shakhes.workspace import current_actor, init

D = dt.date
ON = "2026-01-10"


def monthly_revenue(year: int, month: int) -> float:
    if year == 2023:
        return 1000.0
    if year == 2024:
        return 1100.0
    return 1100.0 * (1 + month / 100)


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = D(year, month, 1)
    following = D(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _data() -> dict[str, pa.Table]:
    orders, ads = [], []
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            for n, day in enumerate(_month_days(year, month)):
                orders.append(
                    {
                        "order_id": f"o{year}{month:02d}{n}",
                        "order_date": day,
                        "customer_id": f"c{year}{month}",
                        "channel": "search",
                        "campaign": "",
                        "revenue": monthly_revenue(year, month) / 2,
                        "currency": "USD",
                        "is_new_customer": n == 0,
                    }
                )
                ads.append(
                    {
                        "date": day,
                        "platform": "google_ads",
                        "account": "a",
                        "channel": "search",
                        "campaign_id": "c1",
                        "campaign": "Brand",
                        "ad_group": "g",
                        "ad": None,
                        "currency": "USD",
                        "impressions": 1000,
                        "clicks": 20,
                        "cost": 30.0,
                        "conversions": 2.0,
                        "conversion_value": 100.0,
                        "reach": None,
                        "video_views": None,
                        "engagements": None,
                        "leads": None,
                    }
                )
    return {
        "orders": pa.Table.from_pylist(orders, schema=arrow_schema(TABLES["orders"])),
        "ad_performance": pa.Table.from_pylist(ads, schema=arrow_schema(TABLES["ad_performance"])),
    }


def _build(folder: Path, *, locale: str = "en", calendar: str = "gregorian", **urls: str) -> Path:
    ws = init(folder, currency="USD", locale=locale, calendar=calendar, **urls)
    try:
        with ws.writing("test data") as session:
            for name, rows in _data().items():
                session.warehouse.upsert(name, rows)
            session.store.bump_data_version(ws.id, current_actor(), {"test": True})
        goal = goals.new_goal(
            ws,
            "grow_2025",
            title_en="Grow revenue in 2025",
            period="2025",
            calendar="gregorian",
            kpis=[("revenue", "strategic"), ("orders", "operational")],
            drives={"ctr": ["revenue"]},
        )
        goals.add_goal(ws, goal)
        each_month = goals.recurring_period(ws, "month", "gregorian")
        year_2025 = goals.fixed_period(ws, "2025", "gregorian")
        goals.set_target(
            ws,
            "revenue",
            target_id="rev_monthly",
            period=each_month,
            value=1111 * 1.5,
            goal="grow_2025",
        )
        goals.set_target(ws, "revenue", target_id="rev_2025", period=year_2025, value=15000)
        goals.set_target(
            ws,
            "revenue",
            target_id="rev_email",
            period=year_2025,
            value=100,
            scope="channel = 'email'",
        )
        goals.set_target(
            ws,
            "revenue",
            target_id="rev_2022",
            period=goals.fixed_period(ws, "2022", "gregorian"),
            value=100,
        )
        goals.set_target(ws, "aov", target_id="aov_monthly", period=each_month, value=500)
    finally:
        ws.close()
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield _build(tmp_path_factory.mktemp("check") / "ws")


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Run:
    result = shakhes(capsys, "check", *args, "-w", str(root))
    assert "Traceback" not in result.err
    return result


def ok_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Any:
    result = run(capsys, root, *args, "--on", ON, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.fixture(scope="module")
def checked(root: Path) -> Any:
    """``shakhes check --on ON --format json`` of ``root``, run once for the tests that read it."""
    result = shakhes_outside_a_test("check", "-w", str(root), "--on", ON, "--format", "json")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return json.loads(result.out)


def by_row(data: Any) -> dict[str, Any]:
    return {(r["target"]["id"] if r["target"] else r["kpi"]): r for r in data["results"]}


def statuses(row: Any) -> str:
    return "".join(row["letters"][letter]["status"][0] for letter in "SMART")


def test_every_target_and_goal_kpi_is_checked(checked: Any) -> None:
    data = checked
    assert data["on"] == ON and data["thresholds"]["ambitious_percentile"] == 90
    rows = by_row(data)
    # every target, then the goal's KPIs without one (ctr joins the goal as a driver)
    assert list(rows) == [
        "aov_monthly",
        "rev_2022",
        "rev_2025",
        "rev_email",
        "rev_monthly",
        "orders",
        "ctr",
    ]
    assert {k: statuses(r) for k, r in rows.items()} == {
        "aov_monthly": "pwwwp",  # M: no orders in January yet; A: met in every month; R: no goal
        "rev_2022": "pfwpw",  # M: no orders in 2022; A: no base; T: over
        "rev_2025": "ppwpw",  # A: one year-on-year change only; T: over
        "rev_email": "pfwpw",  # M: no email orders at all; A: no history in that scope
        "rev_monthly": "pwfpp",  # M: January not in yet; A: unrealistic
        "orders": "ppwpf",  # no target
        "ctr": "ppwpf",
    }


def test_achievable_numbers_are_the_hand_computed_ones(checked: Any) -> None:
    rows = by_row(checked)
    a = rows["rev_monthly"]["letters"]["A"]
    numbers = a["numbers"]
    # January 2026 against January 2025: 1,111
    assert numbers["base"] == pytest.approx(1111) and numbers["base_kind"] == "last_year"
    assert numbers["base_periods"][0]["label"] == "2025-01"
    assert numbers["needed_change"] == pytest.approx(0.5)
    # 24 changes: +10% twelve times, +1% … +12%; sorted, index 20.7 of 0..23 is a +10%
    assert numbers["changes_counted"] == 24
    assert sorted(c["change"] for c in numbers["changes"]) == pytest.approx(
        sorted([0.1] * 12 + [i / 100 for i in range(1, 13)])
    )
    assert numbers["ambitious_change"] == pytest.approx(0.1)
    assert numbers["best_change"] == pytest.approx(0.12) and numbers["percentile"] == 100
    assert (numbers["periods_met"], numbers["periods_counted"]) == (0, 12)
    # 2022 is before the data: its months are not values
    assert [v["value"] for v in numbers["values"][:12]] == [None] * 12
    assert [r["code"] for r in a["reasons"]] == ["unrealistic"]
    assert a["reasons"][0]["text"] == (
        "needs +50.0% on 2025-01 (1,111.00 USD); the best year-on-year change in 3 years was "
        "+12.0% (2025-12): unrealistic (percentile 100; ambitious beyond +10.0%, the 90th "
        "percentile)"
    )
    assert a["suggestions"][0]["params"]["at_best"] == pytest.approx(1111 * 1.12)
    year = rows["rev_2025"]["letters"]["A"]["numbers"]
    assert year["base"] == pytest.approx(13200) and year["changes_counted"] == 1
    assert year["needed_change"] == pytest.approx(15000 / 13200 - 1)
    assert year["changes"][0]["label"] == "2024" and year["changes"][0]["change"] == (
        pytest.approx(0.1)
    )


def test_measurable_relevant_and_time_bound_on_the_workspace(checked: Any) -> None:
    rows = by_row(checked)
    m = rows["rev_2025"]["letters"]["M"]
    assert m["numbers"]["window"]["start"] == "2025-01-01"
    assert m["numbers"]["coverage"] == [
        {
            "table": "orders",
            "rows": 24,
            "first": "2025-01-01",
            "last": "2025-12-31",
            "rows_ever": 72,
            "through": "2025-12-31",
        }
    ]
    old = rows["rev_2022"]["letters"]["M"]
    assert [r["code"] for r in old["reasons"]] == ["no_rows_in_period"]
    assert old["reasons"][0]["text"] == (
        "orders has no rows in the period (2022-01-01 – 2022-12-31); its data ends 2025-12-31"
    )
    email = rows["rev_email"]["letters"]["M"]
    assert [r["code"] for r in email["reasons"]] == ["no_rows_in_scope"]
    assert email["numbers"]["coverage"][0]["rows_ever"] == 0
    january = rows["rev_monthly"]["letters"]["M"]
    assert [r["code"] for r in january["reasons"]] == ["no_rows_yet"]
    assert january["numbers"]["window"] == {
        "start": "2026-01-01",
        "end": "2026-01-10",
        "label": "2026-01-01 – 2026-01-10",
        "label_fa": "2026-01-01 – 2026-01-10",
    }
    assert [r["code"] for r in rows["aov_monthly"]["letters"]["R"]["reasons"]] == ["no_goal"]
    relevant = rows["rev_monthly"]["letters"]["R"]["numbers"]
    assert relevant["goals"] == ["grow_2025"] and relevant["driven_by"] == ["ctr"]
    assert relevant["under"] == {"grow_2025": ["orders", "ctr"]}
    assert rows["ctr"]["letters"]["R"]["reasons"][0]["code"] == "linked_drives"
    assert rows["orders"]["letters"]["T"]["reasons"][0]["code"] == "no_target"
    assert rows["orders"]["goal"] == "grow_2025"
    assert rows["rev_2025"]["letters"]["T"]["reasons"][0]["text"] == (
        "the target's period (2025-01-01 – 2025-12-31) ended 2025-12-31"
    )


MARK = {"pass": "✓", "warn": "!", "fail": "✗"}


def test_the_table_shows_the_json_words_and_marks(
    capsys: pytest.CaptureFixture[str], root: Path, checked: Any
) -> None:
    data = checked
    table = run(capsys, root, "--on", ON)
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    for row in data["results"]:
        key = row["target"]["id"] if row["target"] else "no target"
        marks = [MARK[row["letters"][letter]["status"]] for letter in "SMART"]
        assert any(
            line.startswith(row["kpi"] + " ") and key in line and line.split()[-5:] == marks
            for line in lines
        ), (row["kpi"], key, marks)
        for letter in row["letters"].values():
            for item in (*letter["reasons"], *letter["suggestions"]):
                assert item["text"] in table.out
    # every number the table shows is in the JSON: the needed change and the best one
    assert "+50.0%" in table.out and "+12.0%" in table.out


def test_kpis_and_goals_named(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    assert list(by_row(ok_json(capsys, root, "aov"))) == ["aov_monthly"]
    # a goal: the targets under it (naming it, or naming none in its period) and its KPIs
    assert list(by_row(ok_json(capsys, root, "grow_2025"))) == [
        "rev_2025",
        "rev_email",
        "rev_monthly",
        "orders",
        "ctr",
    ]
    # a KPI without a target is checked under its goal
    ctr = by_row(ok_json(capsys, root, "ctr", "revenue"))
    assert ctr["ctr"]["goal"] == "grow_2025" and ctr["ctr"]["period"]["start"] == "2025-01-01"
    assert len(ctr) == 5
    # a KPI with neither: only its data is looked at, over the last year
    lone = by_row(ok_json(capsys, root, "clicks"))["clicks"]
    assert lone["period"] is None and statuses(lone) == "ppwwf"
    assert lone["letters"]["M"]["numbers"]["window_kind"] == "recent"


def test_unknown_names_and_formats_are_clear_errors(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    unknown = run(capsys, root, "revenu")
    assert unknown.code == 1
    assert "no KPI or goal 'revenu'" in unknown.err and "did you mean 'revenue'" in unknown.err
    bad = run(capsys, root, "--format", "yaml")
    assert bad.code == 1 and "unknown format" in bad.err
    day = run(capsys, root, "--on", "yesterday")
    assert day.code == 1 and "Traceback" not in day.err


def test_a_workspace_without_targets_or_goals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    init(tmp_path / "empty").close()
    empty = run(capsys, tmp_path / "empty")
    assert empty.code == 0 and "No KPI has a target or a goal yet" in empty.out
    assert json.loads(run(capsys, tmp_path / "empty", "--format", "json").out)["results"] == []
    # a KPI named without data: measurable fails, nothing crashes
    lone = json.loads(run(capsys, tmp_path / "empty", "revenue", "--format", "json").out)
    (row,) = lone["results"]
    assert row["letters"]["M"]["status"] == "fail"
    assert row["letters"]["M"]["reasons"][0]["code"] == "table_empty"
    assert row["letters"]["M"]["reasons"][0]["text"] == "orders has no rows at all"


def test_persian_words_and_digits(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _build(tmp_path_factory.mktemp("check-fa") / "ws", locale="fa", calendar="jalali")
    data = ok_json(capsys, folder, "revenue")
    rows = by_row(data)
    a = rows["rev_monthly"]["letters"]["A"]
    assert a["numbers"]["needed_change"] == pytest.approx(0.5)  # the same numbers
    text = a["reasons"][0]["text"]
    assert "غیرواقع‌بینانه" in text and "+۵۰٫۰٪" in text and "ژانویه ۲۰۲۵" in text
    assert not re.search("[0-9]", text)
    table = run(capsys, folder, "--on", ON)
    assert "شاخص" in table.out and text in table.out
    assert "۱۴۰۴/۱۰/۲۰" in table.out  # the day of the check, in the Jalali calendar


@pytest.mark.postgres
def test_the_same_check_on_postgres(
    capsys: pytest.CaptureFixture[str], checked: Any, tmp_path: Path, pg_database: str
) -> None:
    metadata = pg_database.replace("postgres://", "postgresql+psycopg://", 1)
    folder = _build(tmp_path / "pg", warehouse_url=pg_database, metadata_url=metadata)
    assert not (folder / "warehouse.duckdb").exists()
    assert ok_json(capsys, folder)["results"] == checked["results"]


def test_help_does_not_load_the_engine() -> None:
    code = (
        "import sys, shakhes.cli.app\n"
        "loaded = [m for m in ('shakhes.service.smart', 'shakhes.analysis.smart', "
        "'shakhes.engine.engine', 'ibis') if m in sys.modules]\n"
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_default_day_is_the_last_day_with_data_as_for_status(
    capsys: pytest.CaptureFixture[str], root: Path, checked: Any
) -> None:
    """Data arrives with a lag: without --on, check (as status) looks at the last day with
    data, 2025-12-31 here, whatever today is, so the monthly target's period checked is
    December 2025, the one status tracks."""
    result = run(capsys, root, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["on"], data["on_source"]) == ("2025-12-31", "data")
    monthly = by_row(data)["rev_monthly"]
    period = monthly["letters"]["T"]["numbers"]["period"]
    assert (period["start"], period["end"]) == ("2025-12-01", "2025-12-31")
    status = shakhes(capsys, "status", "--format", "json", "-w", str(root))
    assert status.code == 0, status.err
    assert json.loads(status.out)["on"] == data["on"]
    assert (checked["on"], checked["on_source"]) == (ON, "given")
