"""``shakhes goal …`` and ``shakhes target …`` on a Jalali workspace: JSON with every number
checked against dates worked out by hand, tables, history, and errors without tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.cli import Run, shakhes

from shakhes.service import goals
from shakhes.workspace import Workspace, init


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A Jalali workspace in rials, shared by the tests of this module (each uses its own
    goals and targets)."""
    folder = tmp_path_factory.mktemp("goals") / "ws"
    init(folder, calendar="jalali", currency="IRR").close()
    yield folder


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Run:
    result = shakhes(capsys, *args, "-w", str(root))
    assert "Traceback" not in result.err
    return result


def ok_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Any:
    result = run(capsys, root, *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_goal_add_list_show(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    added = ok_json(
        capsys,
        root,
        "goal",
        "add",
        "online_revenue_1404",
        "--title",
        "Grow online revenue 30% in 1404",
        "--title-fa",
        "رشد ۳۰ درصدی درآمد آنلاین در ۱۴۰۴",
        "--owner",
        "سارا",
        "--period",
        "1404",
        "--kpi",
        "revenue",
        "--kpi",
        "orders:functional",
        "--drives",
        "ctr:revenue,orders",
    )
    assert added["period"]["start"] == "2025-03-21" and added["period"]["end"] == "2026-03-20"
    assert [(k["kpi"], k["kind"], k["drives"], k["timing"]) for k in added["kpis"]] == [
        ("revenue", "strategic", [], "lagging"),  # the KPI's own kind
        ("orders", "functional", [], "lagging"),
        ("ctr", "operational", ["revenue", "orders"], "leading"),
    ]
    assert added["title"] == {
        "en": "Grow online revenue 30% in 1404",
        "fa": "رشد ۳۰ درصدی درآمد آنلاین در ۱۴۰۴",
    }
    listed = ok_json(capsys, root, "goal", "list")
    assert [g["id"] for g in listed] == ["online_revenue_1404"]
    table = run(capsys, root, "goal", "show", "online_revenue_1404")
    assert table.code == 0
    assert "رشد ۳۰ درصدی درآمد آنلاین در ۱۴۰۴" in table.out
    assert "2025-03-21 – 2026-03-20" in table.out and "revenue, orders" in table.out
    again = run(
        capsys, root, "goal", "add", "online_revenue_1404", "--title", "x", "--period", "1404"
    )
    assert again.code == 1 and "there is already a goal 'online_revenue_1404'" in again.err
    assert "shakhes export" in again.err


def test_goal_remove_refused_while_targets_serve_it(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    ok_json(
        capsys,
        root,
        "goal",
        "add",
        "short_lived",
        "--title",
        "Short lived",
        "--period",
        "1404-Q3",
        "--kpi",
        "revenue",
        "--drives",
        "ctr:revenue",
    )
    served = ok_json(
        capsys,
        root,
        "target",
        "set",
        "revenue",
        "--id",
        "short_lived_revenue",
        "--period",
        "1404-07",
        "--value",
        "5000",
        "--goal",
        "short_lived",
    )["target"]
    loose = ok_json(
        capsys,
        root,
        "target",
        "set",
        "ctr",
        "--id",
        "short_lived_ctr",
        "--period",
        "1404-07",
        "--value",
        "0.02",
    )
    assert loose["target"]["goal"] is None

    # a target serves it: refused, naming the target and the commands that free the goal
    refused = run(capsys, root, "goal", "remove", "short_lived")
    assert refused.code == 1
    assert f"goal 'short_lived' still has 1 target: {served['id']}" in refused.err
    assert f"shakhes target remove {served['id']}" in refused.err
    assert f"shakhes target set revenue --id {served['id']} --goal ''" in refused.err
    assert "short_lived" in {g["id"] for g in ok_json(capsys, root, "goal", "list")}

    # unlinked, the goal goes with its KPI links and its leading → lagging link
    ok_json(capsys, root, "target", "set", "revenue", "--id", served["id"], "--goal", "")
    removed = ok_json(capsys, root, "goal", "remove", "short_lived")
    assert removed == {"removed": "short_lived", "kpis": ["revenue", "ctr"]}
    assert "short_lived" not in {g["id"] for g in ok_json(capsys, root, "goal", "list")}
    ws = Workspace.open(root)
    try:
        assert ("short_lived", "ctr", "revenue") not in {
            (link.goal, link.leading, link.lagging) for link in goals.driver_links(ws)
        }
        # the targets and the KPIs stay
        kept = {t.spec.id: t.spec for t in goals.targets(ws)}
        assert kept[served["id"]].goal is None and loose["target"]["id"] in kept
        assert {"revenue", "ctr"} <= set(ws.definitions())
    finally:
        ws.close()
    log = run(capsys, root, "audit", "--entity", "short_lived")
    assert log.code == 0 and " delete goal short_lived" in log.out
    again = run(capsys, root, "goal", "remove", "short_lived")
    assert again.code == 1 and "no goal 'short_lived'" in again.err


def test_target_set_change_show_remove(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    created = ok_json(
        capsys,
        root,
        "target",
        "set",
        "orders",
        "--scope",
        "channel='search'",
        "--every",
        "month",
        "--value",
        "۱٬۲۰۰",
        "--owner",
        "reza",
    )
    assert created["action"] == "created" and created["changes"] == []
    target = created["target"]
    assert target["id"] == "orders_1" and target["scope"] == "channel = 'search'"
    assert target["period"]["every"] == "month" and target["period"]["calendar"] == "jalali"
    assert (target["value"], target["direction"], target["revision"]) == (
        1200,
        "higher_is_better",
        1,
    )

    listed = ok_json(capsys, root, "target", "list", "--kpi", "orders", "--on", "2025-04-01")
    (row,) = listed
    assert row["instance"] == {
        "start": "2025-03-21",
        "end": "2025-04-20",
        "label": "1404-01",
        "label_fa": "فروردین ۱۴۰۴",
        "days": 31,
    }

    changed = ok_json(
        capsys,
        root,
        "target",
        "set",
        "orders",
        "--scope",
        "channel = 'search'",
        "--every",
        "month",
        "--value",
        "1500",
    )
    assert changed["action"] == "changed" and changed["target"]["id"] == "orders_1"
    assert changed["changes"] == [{"field": "value", "before": 1200, "after": 1500}]
    assert changed["target"]["revision"] == 2 and changed["target"]["owner"] == "reza"

    table = run(capsys, root, "target", "set", "orders", "--id", "orders_1", "--value", "1600")
    assert table.out.strip() == "Changed target orders_1 (revision 3): value 1,500 → 1,600"
    same = run(capsys, root, "target", "set", "orders", "--id", "orders_1", "--value", "1600")
    assert same.out.startswith("Target orders_1 is already so")

    shown = ok_json(capsys, root, "target", "show", "orders_1", "--on", "2025-09-23")
    assert shown["removed"] is False
    assert shown["target"]["instance"]["label"] == "1404-07"  # Mehr: 2025-09-23 – 2025-10-22
    assert shown["target"]["instance"]["end"] == "2025-10-22"
    assert [(v["revision"], v["target"]["value"]) for v in shown["history"]] == [
        (1, 1200),
        (2, 1500),
        (3, 1600),
    ]
    assert shown["history"][2]["changes"] == [{"field": "value", "before": 1500, "after": 1600}]
    assert shown["history"][0]["valid_to"] == shown["history"][1]["valid_from"]
    assert shown["history"][2]["valid_to"] is None

    removed = ok_json(capsys, root, "target", "remove", "orders_1")
    assert removed == {"removed": "orders_1", "revision": 3}
    assert ok_json(capsys, root, "target", "list", "--kpi", "orders") == []
    shown = ok_json(capsys, root, "target", "show", "orders_1")
    assert shown["removed"] is True and shown["history"][2]["valid_to"] is not None
    table = run(capsys, root, "target", "show", "orders_1")
    assert "Removed " in table.out and "History:" in table.out and "≥ 1,200" in table.out


def test_bands_fixed_periods_and_the_active_targets(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    band = ok_json(
        capsys, root, "target", "set", "ctr", "--period", "1404-Q1", "--min", "2%", "--max", "3.5%"
    )["target"]
    assert (band["min"], band["max"], band["value"]) == (0.02, 0.035, None)
    assert (band["period"]["start"], band["period"]["end"]) == ("2025-03-21", "2025-06-21")
    cpc = ok_json(
        capsys,
        root,
        "target",
        "set",
        "cpc",
        "--every",
        "year",
        "--calendar",
        "fiscal",
        "--value",
        "4500",
    )["target"]
    assert cpc["direction"] == "lower_is_better"
    table = run(capsys, root, "target", "list", "--on", "2025-05-01")
    assert "2.00% – 3.50%" in table.out and "≤ 4,500 IRR" in table.out
    # days in the workspace's (Jalali) calendar: Dey 1 is 276 days after Nowruz (six months
    # of 31 days, three of 30), 2024-12-21 in 1403 (from 2024-03-20) and 2025-12-22 in 1404
    # (from 2025-03-21); so 2025-01-01 is 12 Dey 1403 and 2025-12-31 is 10 Dey 1404.
    assert "FY2025 (1403-10-12 – 1404-10-10)" in table.out

    ws = Workspace.open(root)
    try:
        spring = {t.spec.id: t for t in goals.active_targets(ws, on=date(2025, 5, 1))}
        assert {"ctr_1", "cpc_1"} <= set(spring)
        assert (spring["ctr_1"].instance.start, spring["ctr_1"].instance.end) == (
            date(2025, 3, 21),
            date(2025, 6, 21),
        )
        year = spring["cpc_1"].instance
        assert (year.start, year.end, year.label) == (
            date(2025, 1, 1),
            date(2025, 12, 31),
            "FY2025",
        )
        assert spring["cpc_1"].kpi.direction.value == "lower_is_better"
        summer = {t.spec.id for t in goals.active_targets(ws, on=date(2025, 7, 1))}
        assert "ctr_1" not in summer and "cpc_1" in summer
        ctr = spring["ctr_1"].spec
        assert goals.instance_for(ws, ctr, date(2025, 6, 22)) is None
        assert isinstance(goals.today(ws), date)
    finally:
        ws.close()
    active = ok_json(capsys, root, "target", "list", "--on", "2025-07-01", "--active")
    assert "ctr_1" not in {t["id"] for t in active}


def test_goal_tree_and_driver_links(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    ok_json(
        capsys,
        root,
        "goal",
        "add",
        "leads_1404",
        "--title-fa",
        "سرنخ‌های بیشتر",
        "--period",
        "1404-Q2",
        "--kpi",
        "leads",
        "--drives",
        "cost_per_lead:conversions",
    )
    linked = ok_json(
        capsys,
        root,
        "target",
        "set",
        "leads",
        "--every",
        "month",
        "--value",
        "300",
        "--goal",
        "leads_1404",
    )["target"]
    inside = ok_json(
        capsys, root, "target", "set", "leads", "--period", "1404-05", "--value", "320"
    )
    loose = ok_json(capsys, root, "target", "set", "leads", "--period", "1404-07", "--value", "350")
    far = ok_json(capsys, root, "target", "set", "leads", "--period", "1405", "--value", "400")
    tree = ok_json(capsys, root, "goal", "show", "leads_1404", "--on", "2025-07-01")
    assert tree["period"]["start"] == "2025-06-22" and tree["period"]["end"] == "2025-09-22"
    (leads, cpl) = tree["kpis"]
    ids = [t["id"] for t in leads["targets"]]
    # its own target, and the KPI's unlinked target during the goal's period (Mehr 1404 is
    # after it: not listed; neither is 1405)
    assert ids == sorted([linked["id"], inside["target"]["id"]])
    assert loose["target"]["id"] not in ids and far["target"]["id"] not in ids
    assert leads["targets"][0]["instance"]["label"] == "1404-04"
    assert cpl["drives"] == ["conversions"] and cpl["kind"] == "operational"
    ws = Workspace.open(root)
    try:
        links = {(d.goal, d.leading, d.lagging) for d in goals.driver_links(ws)}
        assert ("leads_1404", "cost_per_lead", "conversions") in links
        assert ("online_revenue_1404", "ctr", "revenue") in links
        trees = {t.goal.id: t for t in goals.goal_trees(ws, on=date(2025, 7, 1))}
        assert [n.link.kpi for n in trees["leads_1404"].kpis] == ["leads", "cost_per_lead"]
    finally:
        ws.close()
    fa = run(capsys, root, "goal", "list")
    assert "سرنخ‌های بیشتر" in fa.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("target", "set", "revnue", "--every", "month", "--value", "5"), "did you mean 'revenue'"),
        (
            (
                "target",
                "set",
                "revenue",
                "--every",
                "month",
                "--value",
                "5",
                "--scope",
                "chanel = 'x'",
            ),
            "unknown column 'chanel' in orders — did you mean 'channel'?\n  chanel = 'x'\n  ^^^^^^",
        ),
        (
            (
                "target",
                "set",
                "revenue",
                "--every",
                "month",
                "--value",
                "5",
                "--scope",
                "channel = = 'x'",
            ),
            "invalid scope: expected a value",
        ),
        (
            ("target", "set", "revenue", "--every", "month", "--min", "5", "--max", "3"),
            "min (5) is above its max (3)",
        ),
        (
            ("target", "set", "revenue", "--every", "month", "--min", "5"),
            "a band needs both min and max",
        ),
        (
            (
                "target",
                "set",
                "revenue",
                "--every",
                "month",
                "--calendar",
                "jalaali",
                "--value",
                "3",
            ),
            "'jalaali' is not a calendar — did you mean 'jalali'?",
        ),
        (
            ("target", "set", "revenue", "--every", "week", "--value", "3"),
            "'week' is not a recurrence",
        ),
        (
            ("target", "set", "revenue", "--period", "1404-13", "--value", "3"),
            "'1404-13' is not a period",
        ),
        (("target", "set", "revenue", "--value", "3"), "a new target needs its period"),
        (("target", "set", "revenue", "--period", "1404"), "give the target's value"),
        (
            ("target", "set", "revenue", "--period", "1404", "--value", "x"),
            "--value 'x' is not a number",
        ),
        (("target", "set", "revenue", "--period", "1404", "--every", "month"), "not both"),
        (
            ("target", "set", "revenue", "--period", "1404", "--value", "1", "--goal", "nope"),
            "no goal 'nope'",
        ),
        (
            (
                "target",
                "set",
                "revenue",
                "--every",
                "month",
                "--from",
                "2025-04-01",
                "--value",
                "3",
            ),
            "start 2025-04-01 is not the first day of a Jalali month",
        ),
        (("target", "show", "nope"), "`shakhes target list` shows the targets"),
        (("target", "remove", "nope"), "no target 'nope'"),
        (("target", "list", "--kpi", "nope"), "no KPI 'nope'"),
        (("goal", "show", "nope"), "`shakhes goal list` shows the goals"),
        (("goal", "remove", "nope"), "`shakhes goal list` shows the goals"),
        (("goal", "add", "g", "--title", "x"), "a goal needs its period"),
        (("goal", "add", "g", "--period", "1404"), "a goal needs a title"),
        (
            ("goal", "add", "Bad", "--title", "x", "--period", "1404"),
            "'Bad' is not a valid goal id",
        ),
        (
            ("goal", "add", "g", "--title", "x", "--period", "1404", "--kpi", "revnue"),
            "no KPI 'revnue'",
        ),
        (
            ("goal", "add", "g", "--title", "x", "--period", "1404", "--kpi", "ctr:big"),
            "'big' is not a KPI kind",
        ),
        (
            ("goal", "add", "g", "--title", "x", "--period", "1404", "--drives", "revenue:ctr"),
            "'revenue' is a lagging KPI: only a leading KPI drives others",
        ),
        (("goal", "list", "--format", "csv"), "unknown format 'csv'"),
    ],
)
def test_bad_input_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], root: Path, args: tuple[str, ...], expected: str
) -> None:
    result = run(capsys, root, *args)
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert expected in result.err, result.err
