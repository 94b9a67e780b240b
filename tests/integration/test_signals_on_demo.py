"""``leads`` and ``anomalies`` on the demo data, checked against what the generator knows: which
KPIs drive which (and which do not), and the incidents it injected (issue 8 §5–7)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.anomaly_parts import breakdown_part_by_part_of

from shakhes.analysis.leads import Verdict
from shakhes.data.demo import generate
from shakhes.service import anomalies as service
from shakhes.service.anomalies import AnomaliesQuery, anomalies, records
from shakhes.service.leads import LeadsQuery, leads
from shakhes.workspace import Workspace, current_actor, init

SEED = 7
END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    ws = init(Path(tmp_path_factory.mktemp("signals")) / "demo", name="signals", currency="USD")
    data = generate(SEED, end=END)
    with ws.writing("loading of the demo data") as session:
        for name, rows in data.tables.items():
            session.warehouse.upsert(name, rows)
        session.store.bump_data_version(ws.id, current_actor(), {"demo_seed": SEED})
    yield ws, data.truth
    ws.close()


def _answers(ws: Workspace, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    by_lagging: dict[str, list[str]] = defaultdict(list)
    for candidate, lagging in pairs:
        by_lagging[lagging].append(candidate)
    out = {}
    for lagging, candidates in by_lagging.items():
        report = leads(ws, LeadsQuery(lagging, candidates, max_lag=7))
        assert report.candidates_from == "given" and not report.skipped
        for answer in report.results:
            out[(answer.candidate, lagging)] = answer
    return out


def test_leads_verdicts_match_the_generator_both_ways(demo: tuple[Workspace, Any]) -> None:
    ws, truth = demo
    links = [x for x in truth["lead_lag"]["links"] if x["strength"] != "weak"]
    no_path = truth["lead_lag"]["not_leading"]
    answers = _answers(
        ws,
        [(x["leading"], x["lagging"]) for x in links]
        + [(x["candidate"], x["lagging"]) for x in no_path],
    )
    assert any(x["verdict"] == "leads" and x["strength"] == "strong" for x in links)
    for link in links:
        answer = answers[(link["leading"], link["lagging"])]
        assert answer.best_lag == link["lag_days"], (link, answer.text)
        if link["strength"] == "strong":
            assert answer.verdict.value == link["verdict"], (link, answer.text)
        else:
            assert answer.verdict in (Verdict(link["verdict"]), Verdict.WEAK), answer.text
    for pair in no_path:
        answer = answers[(pair["candidate"], pair["lagging"])]
        assert answer.verdict is not Verdict.LEADS, answer.text
    email = answers[("emails_delivered", "new_customers")]
    assert email.text.startswith("emails_delivered leads new_customers by 2 days (r = ")


def test_default_candidates_come_from_the_goals(demo: tuple[Workspace, Any]) -> None:
    ws, _ = demo
    report = leads(ws, LeadsQuery("new_customers"))
    assert report.candidates_from == "default"
    assert "emails_delivered" in [a.candidate for a in report.results]
    from shakhes.service import goals

    goal = goals.new_goal(
        ws,
        "grow",
        title_en="Grow new customers",
        period="2025",
        kpis=[("new_customers", None)],
        drives={"emails_delivered": ["new_customers"]},
    )
    goals.add_goal(ws, goal)
    report = leads(ws, LeadsQuery("new_customers"))
    assert report.candidates_from == "goals"
    assert [a.candidate for a in report.results] == ["emails_delivered"]


def test_every_injected_incident_is_found_and_explained(demo: tuple[Workspace, Any]) -> None:
    ws, truth = demo
    start = dt.date.fromisoformat(truth["start"])
    report = anomalies(ws, AnomaliesQuery(since=start))
    own = 0
    for incident in truth["incidents"]:
        days = {dt.date.fromisoformat(d["date"]) for d in incident["days"]}
        hits = [
            f
            for f in report.found
            if f.day in days and f.kpi in incident["kpis"] and f.anomaly.kind.value == "anomaly"
        ]
        assert hits, incident["key"]
        for f in hits:
            e = f.explanation
            assert e is not None, (incident["key"], f.kpi)
            assert incident["dimensions"].get(e.dimension) == e.value, (incident["key"], e)
        main = [f for f in hits if f.kpi == incident["kpi"]]
        own += bool(main)
        for f in main:  # the size goes the way the incident went
            assert (f.anomaly.change > 0) == (incident["factor"] > 1), incident["key"]
    assert own >= 3  # a CTR collapse in one channel can hide in the total CTR (see docs)


def test_until_reports_the_same_anomalies_up_to_it(demo: tuple[Workspace, Any]) -> None:
    """A day's expected value and its explanation come from the days before it only, so asking
    up to a day (a page of one period) gives exactly the anomalies of a whole-range search up
    to that day — values, z, severity and what explains each — with less work."""
    ws, truth = demo
    start = dt.date.fromisoformat(truth["start"])
    whole = records(anomalies(ws, AnomaliesQuery(since=start)))["anomalies"]
    days = sorted({a["date"] for a in whole})
    assert len(days) >= 6, "the demo injects incidents all along"
    for until in (dt.date.fromisoformat(days[len(days) // 3]), END - dt.timedelta(days=40)):
        upto = [a for a in whole if a["date"] <= until.isoformat()]
        got = records(anomalies(ws, AnomaliesQuery(since=start, until=until)))["anomalies"]
        assert got == upto and any(a["explained_by"] for a in got)
    assert records(anomalies(ws, AnomaliesQuery(since=start, until=END)))["anomalies"] == whole


@pytest.mark.parametrize("by", [None, "channel"])
def test_explanations_match_a_baseline_per_part(
    demo: tuple[Workspace, Any], monkeypatch: pytest.MonkeyPatch, by: str | None
) -> None:
    """Every anomaly of every default KPI over the two years, and what explains it (dimension,
    value, change, share), is exactly what the parts' own baselines over every day give."""
    ws, truth = demo
    query = AnomaliesQuery(since=dt.date.fromisoformat(truth["start"]), by=by)
    got = service._anomalies(ws, query)
    monkeypatch.setattr(service, "_breakdown", breakdown_part_by_part_of)
    want = service._anomalies(ws, query)
    assert len(got.found) > 30 and sum(f.explanation is not None for f in got.found) > 20
    assert {f.kpi for f in got.found} & {"ctr", "cpa", "conversion_rate"}  # ratio KPIs too
    assert got.found == want.found  # exactly: dataclasses of the same floats


def test_the_latest_weeks_show_the_tracking_outage(demo: tuple[Workspace, Any]) -> None:
    ws, truth = demo
    outage = next(i for i in truth["incidents"] if i["key"] == "tracking_outage")
    report = anomalies(ws, AnomaliesQuery(kpis="conversions,cost"))
    assert report.since == END - dt.timedelta(days=27)
    found = {(f.kpi, f.day.isoformat()) for f in report.found}
    assert any(("conversions", d["date"]) in found for d in outage["days"])
    for f in report.found:
        if f.kpi == "conversions":
            assert f.anomaly.change < 0 and f.anomaly.value < f.anomaly.expected


def test_the_report_lists_the_anomalies_of_its_period(demo: tuple[Workspace, Any]) -> None:
    """``shakhes report`` of the month of the tracking outage shows the anomalies that
    ``shakhes anomalies`` finds on that month's days, the outage among them."""
    from shakhes.report.html import render
    from shakhes.service import report
    from shakhes.service.anomalies import records

    ws, truth = demo
    outage = next(i for i in truth["incidents"] if i["key"] == "tracking_outage")
    first_day = dt.date.fromisoformat(outage["days"][0]["date"])
    month = first_day.strftime("%Y-%m")
    start = first_day.replace(day=1)
    page = report.build(ws, month, "en")
    expected = [
        a
        for a in records(anomalies(ws, AnomaliesQuery(since=start)))["anomalies"]
        if a["date"][:7] == month
    ]
    assert page.anomalies.available and list(page.anomalies.items) == expected
    assert any(
        a["kpi"] == outage["kpi"] and a["date"] in {d["date"] for d in outage["days"]}
        for a in page.anomalies.items
    )
    html = render(page)
    for a in expected:
        assert f'data-anomaly="{a["kpi"]}" data-date="{a["date"]}"' in html
