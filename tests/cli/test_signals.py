"""``shakhes leads`` and ``shakhes anomalies`` end to end: the table shows what the JSON
carries, and mistakes get a message."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support.cli import shakhes

from shakhes.data.demo import generate
from shakhes.workspace import current_actor, init

END = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("signals-cli") / "demo"
    ws = init(root, name="signals", currency="USD")
    data = generate(3, end=END)
    with ws.writing("loading of the demo data") as session:
        for name, rows in data.tables.items():
            session.warehouse.upsert(name, rows)
        session.store.bump_data_version(ws.id, current_actor(), {"demo_seed": 3})
    ws.close()
    return root, data.truth


def test_leads_table_shows_the_numbers_of_the_json(
    demo: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = demo
    args = ["leads", "new_customers", "--candidates", "emails_delivered,leads", "-w", str(root)]
    as_json = shakhes(capsys, *args, "--format", "json")
    assert as_json.code == 0, as_json.err
    data = json.loads(as_json.out)
    assert data["lagging"] == "new_customers" and data["candidates_from"] == "given"
    assert [r["candidate"] for r in data["results"]] == ["emails_delivered", "leads"]
    email = data["results"][0]
    assert email["verdict"] == "leads" and email["best_lag"] == 2
    assert [c["lag"] for c in email["correlations"]] == list(range(8))
    assert email["r"] == email["correlations"][2]["r"]
    assert email["granger"]["lags"] == 7 and email["granger"]["p"] < 0.001
    table = shakhes(capsys, *args)
    assert table.code == 0, table.err
    assert "What leads new_customers: daily totals" in table.out
    for result in data["results"]:
        line = next(x for x in table.out.splitlines() if x.startswith(result["candidate"] + " "))
        cells = line.split()
        assert cells[1] == result["verdict"].replace("_", " ").split()[0]
        assert f"{result['r']:.2f}" in cells and f"±{result['bound']:.2f}" in cells
        assert f"• {result['text']}" in table.out


def test_anomalies_table_shows_the_numbers_of_the_json(
    demo: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, truth = demo
    outage = next(i for i in truth["incidents"] if i["key"] == "tracking_outage")
    args = ["anomalies", "conversions", "cpa", "-w", str(root)]
    as_json = shakhes(capsys, *args, "--format", "json")
    assert as_json.code == 0, as_json.err
    data = json.loads(as_json.out)
    assert data["kpis"] == ["conversions", "cpa"] and data["end"] == END.isoformat()
    assert data["since"] == (END - dt.timedelta(days=27)).isoformat()
    days = {d["date"] for d in outage["days"]}
    found = [a for a in data["anomalies"] if a["kpi"] == "conversions" and a["date"] in days]
    assert found and found[0]["explained_by"]["value"] == "google_ads"
    assert found[0]["change"] == pytest.approx(found[0]["value"] - found[0]["expected"])
    table = shakhes(capsys, *args)
    assert table.code == 0, table.err
    for a in data["anomalies"]:
        line = next(x for x in table.out.splitlines() if x.startswith(f"{a['date']}  {a['kpi']} "))
        assert f"{a['z']:+.1f}" in line and a["severity"] in line
        assert f"{a['explained_by']['dimension']} {a['explained_by']['value']}" in line


def test_anomalies_by_a_dimension_and_since_a_day(
    demo: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, truth = demo
    spike = next(i for i in truth["incidents"] if i["key"] == "spend_spike")
    run = shakhes(
        capsys,
        "anomalies",
        "cost",
        "--since",
        spike["start"],
        "--by",
        "channel",
        "--format",
        "json",
        "-w",
        str(root),
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["explain_by"] == ["channel"]
    hit = next(a for a in data["anomalies"] if a["date"] == spike["start"])
    assert hit["explained_by"]["dimension"] == "channel"
    assert hit["explained_by"]["value"] == spike["dimensions"]["channel"]
    assert all(a["date"] >= spike["start"] for a in data["anomalies"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["leads", "new_customrs"], "did you mean 'new_customers'"),
        (["leads", "orders", "--candidates", "clikcs"], "did you mean 'clicks'"),
        (["leads", "orders", "--grain", "month"], "not a grain for leading and lagging"),
        (["leads", "orders", "--max-lag", "0"], "out of range"),
        (["leads", "orders", "--format", "xml"], "unknown format"),
        (["anomalies", "cots"], "did you mean 'cost'"),
        (["anomalies", "cost", "--by", "platfrom"], "did you mean 'platform'"),
        (["anomalies", "--since", "yesterday"], "is not a date"),
    ],
)
def test_mistakes_get_a_message(
    demo: tuple[Path, dict], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root, _ = demo
    run = shakhes(capsys, *args, "-w", str(root))
    assert run.code == 1
    assert message in run.err and "Traceback" not in run.err


def test_help_and_compute_load_no_statistics() -> None:
    """``shakhes --help`` and ``shakhes compute`` stay quick: scipy and the analysis modules
    load only when ``leads`` or ``anomalies`` run."""
    import subprocess
    import sys

    heavy = ("scipy", "statsmodels", "shakhes.analysis.leads", "shakhes.analysis.anomalies")
    code = (
        "import sys, shakhes.cli.app, shakhes.service.compute, shakhes.cli.signals; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
