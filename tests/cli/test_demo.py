"""`shakhes demo`: a workspace with two years of data and a scorecard whose numbers are right."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from support.cli import shakhes
from support.demo_copy import use_small_demo_data
from support.engine_data import sql_rows

from shakhes.cli.app import main
from shakhes.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("demo") / "demo-workspace"
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["shakhes", "demo", str(root), "--seed", "3"]
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
        main()
    sys.argv = argv
    assert info.value.code in (0, None)
    return root, out.getvalue()


def test_demo_builds_two_years_of_every_table(demo: tuple[Path, str]) -> None:
    root, _ = demo
    ws = Workspace.open(root)
    for table in (
        "ad_performance",
        "web_traffic",
        "orders",
        "customers",
        "leads",
        "email_campaigns",
    ):
        assert ws.warehouse.row_count(table) > 0, table
    start, end = ws.warehouse.date_range("ad_performance")  # type: ignore[misc]
    assert (end - start).days in (729, 730)
    channels = sql_rows(
        ws.warehouse, "SELECT count(DISTINCT channel), count(DISTINCT campaign) FROM ad_performance"
    )[0]
    assert channels[0] >= 4 and channels[1] >= 30
    truth = json.loads((root / "demo-truth.json").read_text(encoding="utf-8"))
    assert {"seed", "media", "channels", "customers"} <= set(truth)
    ws.close()


def test_scorecard_revenue_and_ctr_match_hand_sql(demo: tuple[Path, str]) -> None:
    root, output = demo
    ws = Workspace.open(root)
    _, end = ws.warehouse.date_range("ad_performance")  # type: ignore[misc]
    month_start = end.replace(day=1)
    assert "Scorecard" in output and f"{month_start:%Y-%m}" in output
    revenue = sql_rows(
        ws.warehouse,
        f"SELECT sum(revenue) FROM orders WHERE order_date "
        f"BETWEEN DATE '{month_start}' AND DATE '{end}'",
    )[0][0]
    clicks, imps = sql_rows(
        ws.warehouse,
        f"SELECT sum(clicks), sum(impressions) FROM "
        f"ad_performance WHERE date BETWEEN DATE '{month_start}' "
        f"AND DATE '{end}'",
    )[0]
    assert format_decimal(revenue, format="#,##0.00", locale="en_US") + " USD" in output
    ctr = clicks / imps * 100  # about 1%: two decimals, or three below 1% (3 significant digits)
    decimals = 2 if ctr >= 1 else 3
    shown = format_decimal(ctr, format="#,##0." + "0" * decimals, locale="en_US")
    assert (shown.rstrip("0") if decimals == 3 else shown) + "%" in output
    ws.close()


def test_demo_status_shows_every_status(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's targets are chosen from its data so that, on its last day of data, status
    tells the whole story: achieved, on track, at risk and off track."""
    root, output = demo
    assert "`shakhes status`" in output.splitlines()[-1]
    run = shakhes(capsys, "status", "--format", "json", "-w", str(root))
    assert run.code == 0, run.err
    report = json.loads(run.out)
    ws = Workspace.open(root)
    _, end = ws.warehouse.date_range("ad_performance")  # type: ignore[misc]
    ws.close()
    assert report["on"] == end.isoformat() and report["on_source"] == "data"
    (goal,) = report["goals"]
    assert goal["id"] == "grow_online_revenue" and goal["status"] == "off_track"
    kinds = {k["kpi"]: (k["kind"], k["drives"], k["status"]) for k in goal["kpis"]}
    assert kinds == {
        "revenue": ("strategic", [], "at_risk"),
        "roas": ("operational", [], "on_track"),
        "cpa": ("operational", [], "off_track"),
        "sessions": ("functional", ["revenue"], "achieved"),
        "ctr": ("operational", ["conversions"], "on_track"),
    }
    assert goal["counts"] == {
        "achieved": 1,
        "on_track": 2,
        "at_risk": 1,
        "off_track": 1,
        "missed": 0,
    }
    (budget,) = report["without_goal"][0]["targets"]
    assert (budget["scope"], budget["status"]) == ("channel = 'search'", "on_track")
    for kpi in goal["kpis"]:
        (target,) = kpi["targets"]
        assert target["data_through"] == end.isoformat() and target["days_remaining"] > 0
        assert float(f"{target['value']:.4g}") == target["value"]  # a round number
    table = shakhes(capsys, "status", "-w", str(root))
    assert table.code == 0 and "Grow online revenue" in table.out


def test_demo_refuses_to_overwrite_without_force(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = demo
    run = shakhes(capsys, "demo", str(root))
    assert run.code == 1 and "--force" in run.err


@pytest.fixture()
def quick_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo with the small engine test data instead of two generated years (fast)."""
    use_small_demo_data(monkeypatch)


def test_force_rebuilds_a_demo_workspace_and_keeps_files_added_to_it(
    tmp_path: Path, quick_demo: None
) -> None:
    from shakhes.demo import MARKER, build_demo

    root = tmp_path / "demo"
    ws, _ = build_demo(root, seed=1)
    ws.close()
    made = json.loads((root / MARKER).read_text(encoding="utf-8"))["files"]
    assert {"shakhes.toml", "warehouse.duckdb", "metadata.db", "demo-truth.json"} <= set(made)
    (root / "my-notes.txt").write_text("keep me", encoding="utf-8")
    ws, summary = build_demo(root, seed=2, force=True)
    ws.close()
    assert (root / "my-notes.txt").read_text(encoding="utf-8") == "keep me"
    assert json.loads((root / "demo-truth.json").read_text(encoding="utf-8")) == {"seed": 2}
    assert summary["ad_performance"] > 0


def test_force_never_replaces_a_real_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0
    (root / "orders.csv").write_text("order_id\n1\n", encoding="utf-8")
    before = sorted(p.name for p in root.iterdir())
    run = shakhes(capsys, "demo", str(root), "--force")
    assert run.code == 1
    assert "is a workspace the demo did not make" in run.err and "--force" in run.err
    assert sorted(p.name for p in root.iterdir()) == before
    ws = Workspace.open(root)
    assert len(ws.definitions()) == 47
    ws.close()


def test_a_demo_workspace_from_before_the_marker_is_still_recognised(
    tmp_path: Path, quick_demo: None
) -> None:
    from shakhes.demo import MARKER, build_demo

    root = tmp_path / "demo"
    ws, _ = build_demo(root, seed=1)
    ws.close()
    (root / MARKER).unlink()  # as an older shakhes left it
    ws, _ = build_demo(root, seed=3, force=True)
    ws.close()
    assert (root / MARKER).exists()


def test_demo_refuses_a_file_and_a_bad_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    run = shakhes(capsys, "demo", str(target))
    assert run.code == 1 and "is a file" in run.err
    run = shakhes(capsys, "demo", str(tmp_path / "new"), "--seed", "-1")
    assert run.code == 2 and "Traceback" not in run.err and not (tmp_path / "new").exists()
    run = shakhes(capsys, "demo", str(tmp_path / "new"), "--locale", "de")
    assert run.code == 1 and "unknown locale 'de'" in run.err and not (tmp_path / "new").exists()
