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
    assert format_decimal(clicks / imps * 100, format="#,##0.00", locale="en_US") + "%" in output
    ws.close()


def test_demo_refuses_to_overwrite_without_force(
    demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = demo
    run = shakhes(capsys, "demo", str(root))
    assert run.code == 1 and "--force" in run.err
