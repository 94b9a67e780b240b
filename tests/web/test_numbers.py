"""The goal tree, the anomalies and a campaign's numbers on the pages against the CLI, the
service layer and hand SQL."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from shakhes.service.anomalies import AnomaliesQuery, anomalies, records
from shakhes.workspace import Workspace


@pytest.mark.parametrize("ws", ["demo", "demo-fa"])
def test_goal_tree_is_shakhes_status_json(
    client: TestClient, demos: dict[str, Workspace], ws: str
) -> None:
    html = client.get(f"/w/{ws}/").text
    found = re.search(
        r'<script type="application/json" id="status-data">(.*?)</script>', html, re.S
    )
    assert found is not None
    shown = json.loads(found.group(1))
    out = subprocess.run(
        [sys.executable, "-m", "shakhes", "status", "--format", "json", "-w", str(demos[ws].root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown == json.loads(out.stdout)
    assert shown["goals"] and shown["goals"][0]["kpis"]
    # every target's status is shown with its colour class
    for goal in shown["goals"]:
        for kpi in goal["kpis"]:
            for target in kpi["targets"]:
                block = re.search(
                    rf'data-target="{target["id"]}">\s*<span class="badge ([^"]+)"', html
                )
                assert block is not None and block.group(1) == f"status-{target['status']}"


def test_anomalies_are_listed_and_marked_on_the_chart(
    client: TestClient, demos: dict[str, Workspace]
) -> None:
    ws = demos["demo"]
    first_day = dt.date(2000, 1, 1)
    found = records(anomalies(ws, AnomaliesQuery(kpis=["cost"], since=first_day)))["anomalies"]
    assert found, "the demo injects incidents: cost has anomalies"
    day = dt.date.fromisoformat(found[0]["date"])
    month = f"{day.year:04d}-{day.month:02d}"
    page = client.get("/w/demo/kpis/cost", params={"period": month}).text
    assert '"name":"anomaly"' not in page  # the anomalies load after the page: their panel
    assert 'data-panel="/w/demo/kpis/cost/panels/anomalies?period=' in page
    panel = client.get("/w/demo/kpis/cost/panels/anomalies", params={"period": month}).text
    inline = client.get("/w/demo/kpis/cost", params={"period": month, "panels": "all"}).text
    in_month = [a for a in found if a["date"].startswith(month)]
    for html in (panel, inline):
        assert day.isoformat() in html  # a day of the chart's marks
        assert '"name":"anomaly"' in html
        rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td data-value=\"([^\"]*)\"", html)
        assert [d for d, _ in rows] == [a["date"] for a in in_month]
        for (_, value), a in zip(rows, in_month, strict=True):
            assert json.loads(value) == pytest.approx(a["value"])


def test_a_campaign_against_hand_sql(client: TestClient, demos: dict[str, Workspace]) -> None:
    ws = demos["demo"]
    with ws.reading() as session:
        (campaign_id, channel, first, last, cost, conversions), *_ = session.warehouse.fetchall(
            "SELECT campaign_id, channel, min(date), max(date), sum(cost), sum(conversions) "
            "FROM ad_performance GROUP BY campaign_id, channel ORDER BY sum(cost) DESC"
        )
        peers = session.warehouse.fetchall(
            "SELECT campaign_id, sum(cost) FROM ad_performance WHERE channel = ? "
            "AND date BETWEEN ? AND ? GROUP BY campaign_id",
            [channel, first, last],
        )
    html = client.get(f"/w/demo/campaigns/{campaign_id}").text

    def shown(kpi: str, column: int) -> float:
        row = re.search(rf'<tr data-kpi="{kpi}".*?</tr>', html, re.S)
        assert row is not None, kpi
        values = re.findall(r'<td data-value="([^"]*)"', row.group(0))
        return float(json.loads(values[column]))

    assert shown("cost", 0) == pytest.approx(float(cost), rel=1e-9)
    assert shown("conversions", 0) == pytest.approx(float(conversions), rel=1e-9)
    assert shown("cpa", 0) == pytest.approx(float(cost) / float(conversions), rel=1e-9)
    average = sum(float(c) for _, c in peers) / len(peers)
    assert shown("cost", 1) == pytest.approx(average, rel=1e-9)
