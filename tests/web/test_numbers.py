"""The goal tree, the anomalies and a campaign's numbers on the pages against the CLI, the
service layer and hand SQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shakhes.service.anomalies import AnomaliesQuery, anomalies, records
from shakhes.service.compute import Query
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


MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
AD_PEERS = ("cost", "impressions", "clicks", "ctr", "cpc", "conversions", "conversion_rate",
            "cpa", "roas")  # fmt: skip
"""The default KPIs that read their days from ad_performance alone (the demo's definitions)."""


@pytest.mark.parametrize(
    ("spans", "outside"),
    [
        ([MARCH, (dt.date(2025, 2, 1), dt.date(2025, 2, 28))], False),  # the month before
        ([MARCH, (dt.date(2024, 3, 1), dt.date(2024, 3, 31))], True),  # a year before the data
    ],
)
def test_the_daily_charts_days_against_hand_sql(
    demos: dict[str, Workspace],
    monkeypatch: pytest.MonkeyPatch,
    spans: list[tuple[dt.date, dt.date]],
    outside: bool,
) -> None:
    """The KPI page's day-by-day chart (the period and the one it is compared with): each day's
    clicks and CTR equal hand SQL (0 clicks on a day without rows, before the data began too),
    read from the whole day-by-day series of the ad KPIs (one query for both) — the page's
    anomaly search's, so a page of another period asks for nothing more — and a span outside
    the data's days from a query of its own."""
    from shakhes.service import anomalies as search
    from shakhes.service import compute as service
    from shakhes.web import kpi

    ws = demos["demo"]
    asked: list[object] = []
    real = service.compute
    monkeypatch.setattr(service, "compute", lambda w, q: asked.append(q) or real(w, q))
    monkeypatch.setattr(search, "compute", lambda w, q: asked.append(q) or real(w, q))
    clicks = kpi._days(ws, "clicks", spans)
    ctr = kpi._days(ws, "ctr", spans)
    before = spans[1]
    want = [
        key
        for name in ("clicks", "ctr")
        for key in [
            Query(AD_PEERS, grain="day").key(),  # one series for both (kept: computed once)
            *([Query((name,), grain="day", start=before[0], end=before[1]).key()] * outside),
        ]
    ]
    assert [q.key() for q in asked] == want
    shared = AnomaliesQuery(kpis=["clicks"], since=before[0], until=MARCH[1], shared=True)
    anomalies(ws, shared)
    assert asked[len(want)].key() == want[0]  # its series: the one the chart read
    with ws.reading() as session:
        for start, end in spans:
            rows = session.warehouse.fetchall(
                "SELECT date, sum(clicks), sum(impressions) FROM ad_performance "
                "WHERE date BETWEEN ? AND ? GROUP BY date",
                [start, end],
            )
            by_day = {d: (float(c), float(i)) for d, c, i in rows}
            for n in range((end - start).days + 1):
                day = start + dt.timedelta(days=n)
                c, i = by_day.get(day, (0.0, 0.0))
                assert clicks[day] == pytest.approx(c, rel=1e-12), day
                assert ctr[day] == (pytest.approx(c / i, rel=1e-12) if i else None), day


def test_the_daily_chart_of_a_workspace_without_data(tmp_path: Path) -> None:
    """Before any import a KPI has no day series (no range to compute it over): the page's
    chart asks each span on its own, as before, and shows its days — 0 clicks each, as hand
    SQL over no rows sums — instead of failing the page."""
    from shakhes.web import kpi
    from shakhes.web.look import Look
    from shakhes.workspace import init

    init(tmp_path / "empty", name="empty").close()
    ws = Workspace.open(tmp_path / "empty")
    try:
        days = kpi._days(ws, "clicks", [MARCH])
        page = kpi.build(ws, Look("en", False, ws.settings.currency), "clicks", "2025-03", None,
                         None)["data"]  # fmt: skip
    finally:
        ws.close()
    march = [MARCH[0] + dt.timedelta(days=n) for n in range((MARCH[1] - MARCH[0]).days + 1)]
    assert days == dict.fromkeys(march, 0.0)
    assert page["error"] is None and page["daily_chart"]


def test_the_kpi_pages_link_what_drives_what_as_the_goals_say(client: TestClient) -> None:
    """Each "drives" of the demo's goal (a leading KPI and the lagging one it moves, as
    shakhes.demo_goals sets them) links the two KPI pages both ways, and nothing else is
    linked."""
    from shakhes.demo_goals import PLANS

    pairs = {(p.kpi, d) for p in PLANS if p.kind is not None for d in p.drives}
    assert pairs  # the demo has links to show
    kpis = {k for pair in pairs for k in pair} | {"cost"}

    def links(kpi: str, label: str) -> set[str]:
        page = client.get(f"/w/demo/kpis/{kpi}?lang=en").text
        section = page[page.index('<section class="links"') :]
        section = section[: section.index("</section>")]
        line = re.search(rf"<p>{label}: (.*?)</p>", section)
        return set(re.findall(r'href="/w/demo/kpis/([a-z_]+)', line.group(1))) if line else set()

    for kpi in sorted(kpis):
        assert links(kpi, "drives") == {b for a, b in pairs if a == kpi}, kpi
        assert links(kpi, "driven by") == {a for a, b in pairs if b == kpi}, kpi


def test_a_scorecards_sparkline_draws_its_days_as_hand_sql_sums_them(
    client: TestClient, demos: dict[str, Workspace]
) -> None:
    """The overview's sparkline of clicks over March 2025: one point per day, evenly spaced,
    its heights an exact (rounded) linear image of each day's clicks by hand SQL — the
    busiest day highest, the quietest lowest."""
    page = client.get("/w/demo/?period=2025-03&lang=en").text
    card = page[page.index('data-kpi="clicks"') :]
    points = re.search(r'<polyline points="([^"]+)"', card[: card.index("</article>")])
    assert points is not None
    xy = [tuple(map(float, p.split(","))) for p in points.group(1).split()]
    with demos["demo"].reading() as session:
        rows = session.warehouse.fetchall(
            "SELECT date, sum(clicks) FROM ad_performance WHERE date BETWEEN ? AND ? "
            "GROUP BY date ORDER BY date",
            [MARCH[0], MARCH[1]],
        )
    values = [float(c) for _, c in rows]
    assert len(xy) == len(values) == 31
    steps = {round(b[0] - a[0], 1) for a, b in itertools.pairwise(xy)}
    assert max(steps) - min(steps) <= 0.11  # evenly spaced (rounded to 0.1)
    low, high = min(values), max(values)
    top, bottom = min(y for _, y in xy), max(y for _, y in xy)
    for (_, y), v in zip(xy, values, strict=True):
        # y falls linearly from the quietest day (bottom) to the busiest (top)
        assert y == pytest.approx(bottom - (v - low) / (high - low) * (bottom - top), abs=0.06)
    assert xy[values.index(high)][1] == top and xy[values.index(low)][1] == bottom
