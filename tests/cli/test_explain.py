"""`shakhes explain`: on a small workspace, every number checked against sums computed by
DuckDB straight from the CSV file (not through shakhes), and against `compute --compare`."""

from __future__ import annotations

import json
import re
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.cli import shakhes, shakhes_outside_a_test

from shakhes.service import definitions as service_definitions
from shakhes.spec.kpi import KpiSpec
from shakhes.workspace import Workspace

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,"
    "impressions,clicks,cost,conversions,conversion_value"
)
# October and November 2025, and a few days of December (so November is the last complete
# month). Video stops after October, social starts in November, and email has conversion
# value without ad spend or impressions.
ADS = "\n".join(
    [
        HEADER,
        "2025-10-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,30,60,3,300",
        "2025-10-20,google_ads,a1,search,c1,Brand,g1,,USD,1000,20,40,2,200",
        "2025-10-05,yektanet,y1,display,c2,Native,g1,,USD,4000,20,50,1,100",
        "2025-10-07,google_ads,a1,video,c3,YouTube,g1,,USD,1000,5,30,0,0",
        "2025-10-09,mailer,e1,email,c4,Newsletter,g1,,USD,0,0,0,1,150",
        "2025-11-02,google_ads,a1,search,c1,Brand,g1,,USD,1500,60,150,6,660",
        "2025-11-10,yektanet,y1,display,c2,Native,g1,,USD,6000,24,60,1,90",
        "2025-11-12,meta,m1,social,c5,Winter,g1,,USD,2500,25,50,2,150",
        "2025-11-15,mailer,e1,email,c4,Newsletter,g1,,USD,0,0,0,2,250",
        "2025-12-05,google_ads,a1,search,c1,Brand,g1,,USD,100,2,4,0,0",
    ]
)
CHANNELS = ("display", "email", "search", "social", "video")


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explain-csv") / "ads.csv"
    path.write_text(ADS + "\n", encoding="utf-8")
    return path


def make_workspace(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    csv_file: Path,
    *init: str,
) -> Path:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root), *init).code == 0
    monkeypatch.chdir(root)
    run = shakhes(capsys, "load", "ad_performance", str(csv_file))
    assert run.code == 0, run.err
    return root


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory, csv_file: Path) -> Path:
    """The workspace of ``ADS``, made once for the tests that only read it."""
    root = tmp_path_factory.mktemp("explain") / "acme"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SHAKHES_WORKSPACE", raising=False)
        assert shakhes_outside_a_test("init", str(root)).code == 0
        run = shakhes_outside_a_test("load", "ad_performance", str(csv_file), "-w", str(root))
        assert run.code == 0, run.err
    return root


@pytest.fixture()
def ws(shared_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared workspace, found from the current folder as a user's is."""
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    monkeypatch.chdir(shared_root)
    return shared_root


def hand_sums(csv_file: Path, first: str, last: str) -> dict[str, dict[str, F]]:
    """Per channel, the sums of the days ``first`` … ``last``, by DuckDB from the CSV."""
    rows = duckdb.sql(
        f"""
        SELECT channel, sum(impressions), sum(clicks), sum(cost), sum(conversion_value)
        FROM read_csv('{csv_file}', header = true)
        WHERE date BETWEEN DATE '{first}' AND DATE '{last}'
        GROUP BY channel"""
    ).fetchall()
    names = ("impressions", "clicks", "cost", "value")
    found = {ch: dict(zip(names, map(F, sums), strict=True)) for ch, *sums in rows}
    return {ch: found.get(ch, dict.fromkeys(names, F(0))) for ch in CHANNELS}


def expected_ratio_parts(
    before: dict[str, dict[str, F]], after: dict[str, dict[str, F]], num: str, den: str
) -> dict[tuple[str, str], F]:
    """The mix, rate and unmatched parts written out from their definitions (docs/explain.md)."""
    den0 = sum(s[den] for s in before.values())
    den1 = sum(s[den] for s in after.values())
    mean = (
        sum(s[num] for s in before.values()) / den0 + sum(s[num] for s in after.values()) / den1
    ) / 2
    parts: dict[tuple[str, str], F] = {}
    for ch in CHANNELS:
        n0, d0, n1, d1 = before[ch][num], before[ch][den], after[ch][num], after[ch][den]
        w0, w1 = d0 / den0, d1 / den1
        if d0 and d1:
            r0, r1 = n0 / d0, n1 / d1
            parts[(ch, "mix")] = (w1 - w0) * ((r0 + r1) / 2 - mean)
            parts[(ch, "rate")] = (w0 + w1) / 2 * (r1 - r0)
        elif d1:
            parts[(ch, "mix")] = w1 * (n1 / d1 - mean)
        elif d0:
            parts[(ch, "mix")] = -w0 * (n0 / d0 - mean)
        if (n0 and not d0) or (n1 and not d1):
            parts[(ch, "unmatched")] = (0 if d1 else n1 / den1) - (0 if d0 else n0 / den0)
    return {k: v for k, v in parts.items() if v}


def explain_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    run = shakhes(capsys, "explain", *args, "--format", "json")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data


def close(a: float, b: F) -> bool:
    return abs(F(a) - b) <= F(1, 10**9) * max(1, abs(b))


def test_roas_by_channel_matches_hand_sums_and_compute_compare(
    ws: Path, capsys: pytest.CaptureFixture[str], csv_file: Path
) -> None:
    data = explain_json(capsys, "roas", "--by", "channel")  # default: the last complete month
    assert (data["period"]["label"], data["compared_with"]["label"]) == ("2025-11", "2025-10")
    assert data["period"]["complete"] and data["compared_with"]["complete"]
    assert (data["shape"], data["grain"], data["against"]) == ("ratio", "month", "previous")
    october = hand_sums(csv_file, "2025-10-01", "2025-10-31")
    november = hand_sums(csv_file, "2025-11-01", "2025-11-30")
    before = sum(s["value"] for s in october.values()) / sum(s["cost"] for s in october.values())
    after = sum(s["value"] for s in november.values()) / sum(s["cost"] for s in november.values())
    assert (before, after) == (F(750, 180), F(1150, 260))  # as written in ADS above
    assert close(data["before"], before) and close(data["after"], after)
    assert close(data["change"], after - before) and data["verdict"] == "improved"

    expected = expected_ratio_parts(october, november, "value", "cost")
    got = {(p["segment"]["channel"], p["kind"]): p["value"] for p in data["parts"]}
    assert got.keys() == expected.keys()
    assert all(close(got[k], v) for k, v in expected.items())
    assert {k[1] for k in got} == {"mix", "rate", "unmatched"}  # email: value without spend
    values = [abs(p["value"]) for p in data["parts"]]
    assert values == sorted(values, reverse=True)
    assert sum(F(p["value"]) for p in data["parts"]) == pytest.approx(after - before, rel=1e-12)
    for p in data["parts"]:
        assert close(p["share"], F(p["value"]) / (after - before))

    segments = {s["segment"]["channel"]: s for s in data["segments"]}
    assert segments["social"]["before"] is None and segments["video"]["after"] is None
    assert segments["email"]["weight_after"] == 0 and segments["email"]["numerator_after"] == 250
    assert close(segments["search"]["weight_after"], F(150, 260))

    compare = shakhes(
        capsys, "compute", "roas", "--from", "2025-11-01", "--to", "2025-11-30",
        "--compare", "previous", "--format", "json",
    )  # fmt: skip
    row = json.loads(compare.out)[0]
    assert (row["value"], row["previous_value"]) == pytest.approx((data["after"], data["before"]))


def test_an_additive_kpi_is_each_segments_change(
    ws: Path, capsys: pytest.CaptureFixture[str], csv_file: Path
) -> None:
    data = explain_json(capsys, "cost", "--by", "channel", "--period", "2025-11")
    october = hand_sums(csv_file, "2025-10-01", "2025-10-31")
    november = hand_sums(csv_file, "2025-11-01", "2025-11-30")
    expected = {ch: november[ch]["cost"] - october[ch]["cost"] for ch in CHANNELS}
    assert data["shape"] == "additive" and data["verdict"] == "worsened"  # spend is a cost
    got = {p["segment"]["channel"]: p["value"] for p in data["parts"]}
    assert got == {ch: float(v) for ch, v in expected.items() if v}
    assert all(p["kind"] == "contribution" for p in data["parts"])
    assert data["change"] == float(sum(expected.values())) == 80.0
    assert data["summary"].startswith("Ad spend rose from 180.00 USD to 260.00 USD (worsened)")


def test_ctr_table_in_words(ws: Path, capsys: pytest.CaptureFixture[str], csv_file: Path) -> None:
    run = shakhes(capsys, "explain", "ctr", "--by", "channel", "--period", "2025-11")
    assert run.code == 0, run.err
    # CTR 75/7000 → 109/10000: 1.07% → 1.09%, in percentage points.
    first = run.out.splitlines()[0]
    assert first.startswith("CTR rose from 1.07% to 1.09% (improved), 2025-11 against 2025-10: ")
    assert " pp from " in first and "impressions shift" in first
    data = explain_json(capsys, "ctr", "--by", "channel", "--period", "2025-11")
    top = data["parts"][0]
    assert top["text"] in first
    lines = run.out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["#", "channel"])
    row = lines[header + 1].split()
    assert row[:3] == ["1", top["segment"]["channel"], {"mix": "mix", "rate": "own"}[top["kind"]]]
    assert any(re.match(r"search\s+2\.50%\s+4\.00%\s+28\.6%\s+15\.0%", line) for line in lines)


def test_a_range_is_compared_with_as_many_days_before(
    ws: Path, capsys: pytest.CaptureFixture[str], csv_file: Path
) -> None:
    data = explain_json(
        capsys, "clicks", "--by", "channel", "--from", "2025-11-01", "--to", "2025-11-15"
    )
    assert data["grain"] == "total"
    assert (data["compared_with"]["start"], data["compared_with"]["end"]) == (
        "2025-10-17",
        "2025-10-31",
    )
    before = hand_sums(csv_file, "2025-10-17", "2025-10-31")
    after = hand_sums(csv_file, "2025-11-01", "2025-11-15")
    assert data["before"] == sum(s["clicks"] for s in before.values()) == 20
    assert data["after"] == sum(s["clicks"] for s in after.values()) == 109


def test_a_partial_period_against_last_year_says_so(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "explain", "clicks", "--by", "channel", "--period", "2025-12")
    assert run.code == 0, run.err
    assert "2025-12 is a partial period: the data covers 2025-12-01 – 2025-12-05" in run.out
    data = explain_json(capsys, "clicks", "--by", "channel", "--period", "2025-12")
    assert data["period"]["complete"] is False
    assert (data["compared_with"]["start"], data["compared_with"]["end"]) == (
        "2025-11-01",
        "2025-11-05",
    )  # as many days of November, as compute --compare does
    assert (data["before"], data["after"]) == (60, 2)


def test_no_change_says_it_stayed(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, "conversions", "--by", "platform", "--period", "2025-11-12")
    # 12 November has social's 2 conversions; 11 November nothing.
    assert (data["before"], data["after"]) == (0, 2)
    data = explain_json(capsys, "impressions", "--by", "channel", "--period", "2025-11-20")
    assert data["change"] == 0 and data["parts"] == [] and data["verdict"] == "unchanged"
    assert data["summary"] == "Impressions stayed at 0, 2025-11-20 against 2025-11-19."


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["nope", "--by", "channel"], "unknown KPI 'nope'", "shakhes kpi list"),
        (["ctr", "--by", "chanel"], "unknown dimension 'chanel' — did you mean 'channel'?", None),
        (["ctr", "--by", "channel", "--period", "2025-13"], "'2025-13' is not a period", "2025-Q3"),
        (
            ["ctr", "--by", "channel", "--against", "yesterday"],
            "unknown comparison",
            "--against previous",
        ),
        (["ctr,cpc", "--by", "channel"], "explain one KPI at a time", None),
        (["ctr", "--by", "channel", "--period", "2024-05"], "no data for Click-through", None),
        (
            ["ctr", "--by", "channel", "--period", "2025-10"],
            "no data for Click-through rate (CTR) in 2025-09 to compare 2025-10 with",
            "Choose a later --period, or compare with --against last-year.",
        ),
        (
            ["ctr", "--by", "channel", "--period", "2025-11-20"],
            "CTR) has no value in 2025-11-19 (it has no impressions then)",
            None,
        ),
        (
            ["ctr", "--by", "channel", "--period", "2025-11", "--from", "2025-11-01"],
            "not both",
            None,
        ),
        (["ctr", "--by", "channel", "--from", "2025-11-01"], "its first and its last day", None),
        (["ctr", "--by", "channel", "--format", "csv"], "unknown format 'csv'", "table or json"),
        (["ctr", "--by", "date"], "'date' is not a dimension", "Split by a dimension (--by"),
        (["reach", "--by", "channel", "--period", "2025-11"], "distinct people", "--period YYYY"),
    ],
)
def test_bad_input_is_a_clear_error(
    ws: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
    hint: str | None,
) -> None:
    run = shakhes(capsys, "explain", *args)
    assert run.code == 1, run.out
    assert "Traceback" not in run.err
    assert run.err.startswith("error: ") and message in run.err, run.err
    if hint:
        assert hint in run.err


def test_a_kpi_that_does_not_add_up_over_segments_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    csv_file: Path,
) -> None:
    ws = make_workspace(tmp_path, capsys, monkeypatch, csv_file)  # its own: a KPI is added
    workspace = Workspace.open(ws)
    try:
        ctr = workspace.definitions()["ctr"]
        spec = KpiSpec.model_validate(
            {**ctr.model_dump(), "id": "avg_cost", "formula": "avg(ad_performance.cost)"}
        )
        service_definitions.apply(workspace, [spec])
    finally:
        workspace.close()
    run = shakhes(capsys, "explain", "avg_cost", "--by", "channel", "--period", "2025-11")
    assert run.code == 1 and "does not add up over segments" in run.err
    assert "Traceback" not in run.err


def test_a_jalali_workspace_reads_jalali_periods_and_speaks_persian(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    csv_file: Path,
) -> None:
    make_workspace(
        tmp_path, capsys, monkeypatch, csv_file, "--calendar", "jalali", "--locale", "fa"
    )
    data = explain_json(capsys, "cost", "--by", "channel", "--period", "۱۴۰۴/۰۸")
    # Aban 1404 is 23 October – 21 November 2025; Mehr 23 September – 22 October.
    assert data["grain"] == "jalali_month"
    assert (data["period"]["start"], data["period"]["end"]) == ("2025-10-23", "2025-11-21")
    before = hand_sums(csv_file, "2025-09-23", "2025-10-22")
    after = hand_sums(csv_file, "2025-10-23", "2025-11-21")
    assert data["before"] == sum(s["cost"] for s in before.values()) == 180
    assert data["after"] == sum(s["cost"] for s in after.values()) == 260
    assert data["compared_with"]["complete"] is False  # the data starts on 1 October
    summary = data["summary"]
    assert summary.startswith("هزینه تبلیغات در آبان ۱۴۰۴ نسبت به مهر ۱۴۰۴ از ۱۸۰٫۰۰ USD")
    assert (
        "افزایش یافت (بدتر شد)" in summary
        and "+۵۰٫۰۰ USD از search، +۵۰٫۰۰ USD از social" in summary
    )
    run = shakhes(capsys, "explain", "cost", "--by", "channel", "--period", "1404-08")
    assert run.code == 0 and run.out.splitlines()[0] == summary
    assert "کانال" in run.out and "مهر ۱۴۰۴ در برخی از روزهای مقایسه داده ندارد" in run.out


def test_the_example_in_the_docs_is_what_the_command_prints(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "explain.md").read_text(encoding="utf-8")
    example = doc.split("```")[1]
    command, text = example.strip("\n").split("\n", 1)
    run = shakhes(capsys, *command.removeprefix("$ shakhes ").split())
    assert run.code == 0, run.err
    sentence, rest = text.split("\n\n", 1)
    assert run.out == sentence.replace("\n", " ") + "\n\n" + rest + "\n"


def test_amounts_in_other_currencies_are_converted_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ads = tmp_path / "ads.csv"
    ads.write_text(
        "\n".join(
            [
                HEADER,
                "2026-09-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,100,5,500",
                "2026-09-01,yektanet,y1,display,c2,Banner,g1,,IRT,2000,20,4000000,1,8000000",
                "2026-10-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,150,5,500",
                "2026-10-01,yektanet,y1,display,c2,Banner,g1,,IRT,1000,10,1000000,0,0",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    make_workspace(tmp_path, capsys, monkeypatch, ads)
    run = shakhes(capsys, "explain", "cost", "--by", "channel", "--period", "2026-10")
    assert run.code == 1 and "without an exchange rate to USD" in run.err
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2026-09-01,IRT,0.00002\n", encoding="utf-8")
    assert shakhes(capsys, "rates", "load", str(rates)).code == 0
    data = explain_json(capsys, "cost", "--by", "channel", "--period", "2026-10")
    # September: 100 + 4,000,000 × 0.00002 = 180 USD; October: 150 + 20 = 170 USD.
    assert (data["before"], data["after"], data["currency"]) == (180, 170, "USD")
    got = {p["segment"]["channel"]: p["value"] for p in data["parts"]}
    assert got == pytest.approx({"search": 50.0, "display": -60.0})
    run = shakhes(capsys, "explain", "cost", "--by", "currency", "--period", "2026-10")
    assert run.code == 1 and "cannot be split by currency" in run.err
    assert "Traceback" not in run.err


def test_explaining_after_a_kpi_page_reads_nothing_more(ws: Path) -> None:
    """Why it moved is split from the breakdown compared (both periods by segment, in one
    query) and the total compared: what a KPI page computes first. Explained after them, it
    runs no query — with the numbers of the command, checked against hand sums above."""
    import datetime as dt
    from unittest import mock

    from shakhes.data.warehouse import Warehouse
    from shakhes.service import why
    from shakhes.service.compute import Query, compute

    november = {"grain": "month", "start": dt.date(2025, 11, 1), "end": dt.date(2025, 11, 30)}
    w = Workspace.open(ws)
    try:
        compute(w, Query(("roas",), compare="previous", **november))
        compute(w, Query(("roas",), by=("channel",), compare="previous", **november))
        with mock.patch.object(Warehouse, "run", side_effect=AssertionError("a query ran")):
            found = why.record(why.explain(w, why.ExplainQuery("roas", "channel", "2025-11")))
    finally:
        w.close()
    run = shakhes_outside_a_test("explain", "roas", "--by", "channel", "--period", "2025-11",
                                 "--format", "json", "-w", str(ws))  # fmt: skip
    assert run.code == 0, run.err
    assert found == json.loads(run.out)
