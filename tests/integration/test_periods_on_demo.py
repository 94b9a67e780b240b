"""Every form of the one period language (:mod:`shakhes.spec.periods`) on ``shakhes explain``
and ``shakhes report``, through the CLI on a demo workspace whose data runs 2024-01-01 …
2025-12-31 and whose fiscal year starts in April. The days each form names, and the days it is
compared with, are worked out by hand in the table below."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import shakhes
from support.report_page import read

import shakhes.cli.report as report_command
from shakhes.demo import build_demo
from shakhes.service.report import report_period
from shakhes.workspace import Workspace

# text, grain, (start, end), the days explain compares it with (the period before)
FORMS: list[tuple[str, str, tuple[str, str], tuple[str, str]]] = [
    # a Gregorian month; October has 31 days
    ("2025-11", "month", ("2025-11-01", "2025-11-30"), ("2025-10-01", "2025-10-31")),
    ("2025/11", "month", ("2025-11-01", "2025-11-30"), ("2025-10-01", "2025-10-31")),
    ("2025-Q3", "quarter", ("2025-07-01", "2025-09-30"), ("2025-04-01", "2025-06-30")),
    ("2025", "year", ("2025-01-01", "2025-12-31"), ("2024-01-01", "2024-12-31")),
    # the fiscal year from April 2024 ends on 31 March 2025
    ("FY2024/25", "fiscal_year", ("2024-04-01", "2025-03-31"), ("2023-04-01", "2024-03-31")),
    ("FY2024", "fiscal_year", ("2024-04-01", "2025-03-31"), ("2023-04-01", "2024-03-31")),
    # fiscal quarters from April are calendar quarters: Q1 is April–June, Q3 October–December
    ("FY2025/26-Q1", "quarter", ("2025-04-01", "2025-06-30"), ("2025-01-01", "2025-03-31")),
    ("FY2025-Q3", "quarter", ("2025-10-01", "2025-12-31"), ("2025-07-01", "2025-09-30")),
    # 5 November 2025 is a Wednesday, weeks start on Monday (the demo's week_start)
    ("W 2025-11-05", "week", ("2025-11-03", "2025-11-09"), ("2025-10-27", "2025-11-02")),
    ("2025-11-05", "day", ("2025-11-05", "2025-11-05"), ("2025-11-04", "2025-11-04")),
    # a range of 31 days against the 31 days before it
    (
        "2025-01-01..2025-01-31",
        "total",
        ("2025-01-01", "2025-01-31"),
        ("2024-12-01", "2024-12-31"),
    ),
    # Jalali: 1 Mehr 1404 = 23 September 2025, 1 Aban = 23 October, 1 Azar = 22 November;
    # Tir 1404 starts 22 June 2025 (after three 31-day months from Nowruz, 21 March).
    ("1404-08", "jalali_month", ("2025-10-23", "2025-11-21"), ("2025-09-23", "2025-10-22")),
    ("۱۴۰۴/۰۸", "jalali_month", ("2025-10-23", "2025-11-21"), ("2025-09-23", "2025-10-22")),
    ("1404-Q2", "jalali_quarter", ("2025-06-22", "2025-09-22"), ("2025-03-21", "2025-06-21")),
    # Jalali 1403 (a leap year, 366 days) runs from 20 March 2024 to 20 March 2025
    ("1403", "jalali_year", ("2024-03-20", "2025-03-20"), ("2023-03-21", "2024-03-19")),
    ("1404-08-15", "day", ("2025-11-06", "2025-11-06"), ("2025-11-05", "2025-11-05")),
]

REPORT_FORMS = ("FY2025/26-Q1", "2025-01-01..2025-01-31", "1404-08", "W 2025-11-05")
"""The forms a whole report is written for (each report takes a second or more on the demo):
a fiscal quarter, a range, a Jalali month and a week. The report reads its period with
:func:`~shakhes.service.report.report_period`, checked on every form; what it builds after that
depends only on the grain and the days (each grain's ``compare="previous"`` is checked in
tests/engine/test_result_facts.py, a month and a quarter's reports in tests/report)."""


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("periods") / "demo"
    ws, _ = build_demo(root, seed=3, end=dt.date(2025, 12, 31))
    ws.close()
    settings = root / "shakhes.toml"
    text = settings.read_text(encoding="utf-8")
    assert "fiscal_year_start_month = 1" in text
    settings.write_text(text.replace("fiscal_year_start_month = 1", "fiscal_year_start_month = 4"))
    return root


@pytest.fixture(scope="module")
def held_open(demo_root: Path) -> Iterator[Workspace]:
    """The demo workspace held open across the report runs, as a server holds one: what the
    runs have in common (the KPIs' daily totals the anomalies read, a month named in two
    forms) is computed once, in the workspace's cache (:mod:`shakhes.service.cache`), instead
    of once per run."""
    ws = Workspace.open(demo_root)
    yield ws
    ws.close()


@pytest.mark.parametrize(("text", "grain", "days", "before"), FORMS)
def test_explain_reads_every_form(
    capsys: pytest.CaptureFixture[str],
    demo_root: Path,
    text: str,
    grain: str,
    days: tuple[str, str],
    before: tuple[str, str],
) -> None:
    args = ("explain", "clicks", "--by", "channel", "--period", text, "--format", "json")
    run = shakhes(capsys, *args, "-w", str(demo_root))
    assert run.code == 0, run.err
    found = json.loads(run.out)
    assert found["grain"] == grain
    assert (found["period"]["start"], found["period"]["end"]) == days
    assert (found["compared_with"]["start"], found["compared_with"]["end"]) == before


@pytest.mark.parametrize(("text", "grain", "days"), [form[:3] for form in FORMS])
def test_the_report_reads_every_form(
    held_open: Workspace, text: str, grain: str, days: tuple[str, str]
) -> None:
    found_grain, span = report_period(held_open, text)
    assert found_grain.value == grain
    assert (span.start.isoformat(), span.end.isoformat()) == days


@pytest.mark.parametrize("text", REPORT_FORMS)
def test_the_report_page_is_of_the_period(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_root: Path,
    held_open: Workspace,
    tmp_path: Path,
    text: str,
) -> None:
    _, grain, days, _ = next(form for form in FORMS if form[0] == text)

    def the_open_workspace(workspace: Path | None, wait: float) -> Workspace:
        assert workspace == demo_root
        return held_open

    monkeypatch.setattr(report_command, "open_workspace", the_open_workspace)
    monkeypatch.setattr(held_open, "close", lambda: None)  # the fixture closes it
    out = tmp_path / "report.html"
    run = shakhes(capsys, "report", "--period", text, "-o", str(out), "-w", str(demo_root))
    assert run.code == 0, run.err
    period = read(out.read_text(encoding="utf-8")).data()["period"]
    assert period["grain"] == grain
    assert (period["start"], period["end"]) == days


@pytest.mark.parametrize("command", ["explain", "report"])
@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-13", "there is no month 13"),
        ("FY2025/27", "the year after 2025 is 2026"),
        ("FY2025-Q5", "there is no quarter 5"),
        ("2025-02-01..2025-01-01", "after it ends"),
        ("next month", ""),
    ],
)
def test_a_bad_period_names_the_text_and_the_forms(
    capsys: pytest.CaptureFixture[str], demo_root: Path, command: str, text: str, why: str
) -> None:
    args = ("clicks", "--by", "channel") if command == "explain" else ()
    run = shakhes(capsys, command, *args, "--period", text, "-w", str(demo_root))
    assert run.code != 0
    message = " ".join(run.err.split())
    assert f"'{text}' is not a period" in message and why in message
    for form in ("FY2025/26-Q1", "W 2025-11-03", "2025-01-01..2025-01-31", "1404-08"):
        assert form in message
