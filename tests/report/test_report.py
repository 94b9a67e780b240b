"""``shakhes report`` end to end: the page's numbers are those of ``status`` and ``explain`` (and
of hand arithmetic), it links to nothing outside itself, Plotly's JavaScript is inlined once, and
in Persian it reads right to left with Persian digits and Jalali dates."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from support.cli import Run, shakhes, shakhes_outside_a_test
from support.report_page import Page, read
from support.status_data import SEARCH, SOCIAL

from shakhes.display import format_change, format_value
from shakhes.spec.catalog import load_catalog

SPECS = {k.id: k for k in load_catalog()}
NUMBER_FIELDS = ("actual", "expected", "forecast", "forecast_low", "forecast_high", "probability")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    result = shakhes(capsys, *args)
    assert "Traceback" not in result.err, result.err
    return result


def report(capsys: pytest.CaptureFixture[str], root: Path, out: Path, *args: str) -> Page:
    result = run(capsys, "report", "-w", str(root), "-o", str(out), *args)
    assert result.code == 0, result.err
    assert result.out.strip() == str(out)
    return read(out.read_text(encoding="utf-8"))


def status_json(capsys: pytest.CaptureFixture[str], root: Path) -> dict[str, object]:
    result = run(capsys, "status", "-w", str(root), "--on", "2025-04-10", "--format", "json")
    loaded: dict[str, object] = json.loads(result.out)
    return loaded


@pytest.fixture(scope="module")
def april(root: Path) -> Path:
    """The report of ``root`` in its default period (April 2025), written once for the tests
    that read it, without ``-o``: to its default file name in the current folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)
        result = shakhes_outside_a_test("report", "-w", str(root))
    assert "Traceback" not in result.err, result.err
    assert result.code == 0, result.err
    assert result.out.strip() == "report-2025-04.html"
    return root.parent / "report-2025-04.html"


def test_the_numbers_are_those_of_status(
    capsys: pytest.CaptureFixture[str], root: Path, april: Path
) -> None:
    page = read(april.read_text(encoding="utf-8"))
    expected = status_json(capsys, root)
    assert page.data()["status"] == expected
    targets = {
        t["id"]: t
        for g in expected["goals"]  # type: ignore[attr-defined]
        for k in g["kpis"]
        for t in k["targets"]
    } | {t["id"]: t for k in expected["without_goal"] for t in k["targets"]}  # type: ignore[attr-defined]
    assert set(targets) == {"search_clicks", "search_cpc", "budget"}
    for target_id, numbers in targets.items():
        spec = SPECS[numbers["kpi"]]
        for name in NUMBER_FIELDS:
            cell = page.cell(target=target_id, field=name)
            assert json.loads(cell.attrs["data-value"]) == numbers[name], (target_id, name)
            if name != "probability":
                assert cell.text == format_value(numbers[name], spec), (target_id, name)
    # by hand: search clicks 100 a day for 10 days; spend 90 a day
    assert json.loads(page.cell(target="search_clicks", field="actual").attrs["data-value"]) == (
        10 * SEARCH["clicks"]
    )
    assert page.cell(target="search_clicks", field="value").text == "2,900"
    assert page.cell(target="budget", field="actual").text == format_value(
        10 * (SEARCH["cost"] + SOCIAL["cost"]), SPECS["cost"]
    )
    assert page.cell(target="budget", field="min").text == "1,000.00 USD"
    assert page.cell(target="search_clicks", field="probability").text == (
        f"{round(numbers_of(expected, 'search_clicks')['probability'] * 100)}%"
    )
    assert "More traffic" in page.text
    for status in ("on track", "off track"):
        assert status in page.text


def numbers_of(status: dict[str, object], target: str) -> dict[str, float]:
    for g in status["goals"]:  # type: ignore[attr-defined]
        for k in g["kpis"]:
            for t in k["targets"]:
                if t["id"] == target:
                    return t  # type: ignore[no-any-return]
    raise KeyError(target)


def test_the_charts_meet_the_status_numbers(
    capsys: pytest.CaptureFixture[str], root: Path, april: Path
) -> None:
    """Each chart's actual and pacing line pass through the status's actual and expected on
    the last day with data; its band ends at the forecast's interval."""
    page = read(april.read_text(encoding="utf-8"))
    data = page.data()
    status = data["status"]
    for target_id, chart in data["charts"].items():
        numbers = numbers_of(status, target_id) if target_id != "budget" else None
        if numbers is None:
            numbers = status["without_goal"][0]["targets"][0]
        i = chart["days"].index(numbers["data_through"])
        assert chart["days"][0] == numbers["period"]["start"]
        assert chart["days"][-1] == numbers["period"]["end"]
        assert chart["actual"][i] == pytest.approx(numbers["actual"], rel=1e-12)
        assert chart["expected"][i] == pytest.approx(numbers["expected"], rel=1e-12)
        assert chart["actual"][i + 1] is None
        assert chart["forecast"][i] == pytest.approx(numbers["actual"])
        assert chart["forecast"][-1] == pytest.approx(numbers["forecast"], rel=1e-12)
        assert chart["forecast_low"][-1] == pytest.approx(numbers["forecast_low"], rel=1e-12)
        assert chart["forecast_high"][-1] == pytest.approx(numbers["forecast_high"], rel=1e-12)
    # search clicks: 100 a day, so 100 × d on day d
    clicks = data["charts"]["search_clicks"]
    assert clicks["actual"][:10] == [100.0 * d for d in range(1, 11)]
    assert {a.get("data-chart") for _, a in page.tags if "data-chart" in a} == set(data["charts"])


def test_the_movers_are_those_of_explain(
    capsys: pytest.CaptureFixture[str], root: Path, april: Path
) -> None:
    page = read(april.read_text(encoding="utf-8"))
    movers = page.data()["movers"]
    assert movers
    changes = [abs(m["change_pct"]) for m in movers]
    assert changes == sorted(changes, reverse=True)
    # cost: 90 a day in April's first ten days against 45 a day in March's
    (cost,) = [m for m in movers if m["kpi"] == "cost"]
    assert (cost["previous"], cost["value"], cost["change_pct"]) == (450.0, 900.0, 1.0)
    for mover in movers:
        kpi = mover["kpi"]
        result = run(
            capsys, "explain", kpi, "--by", "channel", "--period", "2025-04", "--format", "json",
            "-w", str(root),
        )  # fmt: skip
        explained = json.loads(result.out)
        assert mover["explanation"] == explained
        assert explained["before"] == pytest.approx(mover["previous"], rel=1e-12)
        assert explained["after"] == pytest.approx(mover["value"], rel=1e-12)
        for field in ("previous", "value", "change_pct"):
            cell = page.cell(kpi=kpi, field=field)
            assert json.loads(cell.attrs["data-value"]) == mover[field]
        assert page.cell(kpi=kpi, field="change_pct").text == format_change(mover["change_pct"])
        assert explained["summary"] in page.text


def test_the_page_stands_alone(april: Path) -> None:
    page = read(april.read_text(encoding="utf-8"))
    html = april.read_text(encoding="utf-8")
    for tag, attrs in page.tags:
        assert tag != "link"
        for name in ("src", "href", "srcset", "action", "data"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    bundle = get_plotlyjs()
    assert html.count(bundle[:2000]) == 1
    assert sum(1 for a, _ in page.scripts if "src" in a) == 0
    # every chart draws with Plotly.newPlot in its own script, after the bundle
    assert html.count("Plotly.newPlot") >= len(page.data()["charts"]) >= 3


def test_persian_jalali_report(
    capsys: pytest.CaptureFixture[str], fa_root: Path, tmp_path: Path
) -> None:
    page = report(capsys, fa_root, tmp_path / "fa.html")
    html_tag = next(a for t, a in page.tags if t == "html")
    assert (html_tag["lang"], html_tag["dir"]) == ("fa", "rtl")
    data = page.data()
    # the data runs to 2025-04-10, in the Jalali month Farvardin 1404 (2025-03-21 … 2025-04-20)
    assert data["period"]["label"] == "1404-01"
    assert (data["period"]["start"], data["period"]["end"]) == ("2025-03-21", "2025-04-20")
    text = page.text
    assert "۱ فروردین ۱۴۰۴ تا ۳۱ فروردین ۱۴۰۴" in text
    assert "۲۱ فروردین ۱۴۰۴" in text  # the status day, 2025-04-10
    assert not re.search(r"[0-9]", text), re.findall(r".{0,20}[0-9].{0,20}", text)[:5]
    assert "ترافیک بیشتر" in text
    assert "در مسیر" in text or "خارج از مسیر" in text
    clicks = page.cell(target="search_clicks", field="actual")
    assert clicks.text == format_value(1000, SPECS["clicks"], locale="fa") == "۱٬۰۰۰"
    # chart axes: Jalali days and Persian digits computed here, not Plotly's
    assert "\\u0641\\u0631\\u0648\\u0631\\u062f\\u06cc\\u0646" in page_html(tmp_path / "fa.html")
    assert '"separators":"\\u066b\\u066c"' in page_html(tmp_path / "fa.html")


def page_html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_english_report_of_a_persian_workspace(
    capsys: pytest.CaptureFixture[str], fa_root: Path, tmp_path: Path
) -> None:
    page = report(capsys, fa_root, tmp_path / "en.html", "--lang", "en", "--period", "2025-04")
    html_tag = next(a for t, a in page.tags if t == "html")
    assert (html_tag["lang"], html_tag["dir"]) == ("en", "ltr")
    assert "1404-01-12 to 1404-02-10" in page.text  # April 2025 in Jalali days


def test_a_workspace_without_goals_says_so(
    capsys: pytest.CaptureFixture[str], make_root: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_root("bare", with_goals=False)
    page = report(capsys, root, tmp_path / "bare.html")
    assert "This workspace has no goals or targets for this period." in page.text
    assert page.data()["status"]["goals"] == []
    assert page.data()["charts"] == {}
    assert page.data()["movers"]  # still: what changed
    assert "No anomalies in this period." in page.text  # 10 steady days: nothing unusual


def test_default_file_name(april: Path) -> None:
    """Without ``-o`` the report is written to ``report-PERIOD.html`` in the current folder (the
    fixture's run; a label's other characters: ``file_label``'s examples)."""
    assert april.name == "report-2025-04.html" and april.is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025-13"), "'2025-13' is not a period (there is no month 13)"),
        (("--period", "soon"), "'soon' is not a period"),
        (("--lang", "de"), "unknown language 'de'"),
    ],
)
def test_bad_options(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    result = run(capsys, "report", "-w", str(root), "-o", str(tmp_path / "x.html"), *args)
    assert result.code == 1
    assert message in result.err
    assert not (tmp_path / "x.html").exists()


def test_help_does_not_load_plotly_jinja_or_the_engine() -> None:
    code = (
        "import sys, shakhes.cli.app\n"
        "loaded = [m for m in ('plotly', 'jinja2', 'shakhes.engine.engine', 'ibis', "
        "'shakhes.service.report') if m in sys.modules]\n"
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_output_it_cannot_write_is_refused_before_the_report_is_built(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shakhes.service.report as service

    def never(*args: object) -> None:
        raise AssertionError("the report was built")

    monkeypatch.setattr(service, "build", never)
    for output, words in (
        (tmp_path, "it is a folder"),
        (tmp_path / "missing" / "x.html", f"there is no folder {tmp_path / 'missing'}"),
    ):
        result = run(capsys, "report", "-w", str(root), "-o", str(output))
        assert result.code == 1 and words in result.err
        assert "-o report.html" in result.err  # how to fix it
    assert list(tmp_path.iterdir()) == []  # nothing written
