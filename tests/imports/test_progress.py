"""Progress that tells the truth: every stage (reading, checking, merging) is named, the bar
counts bytes or rows and never goes back within a stage or past its total; piped, it is a few
plain lines without control characters; ``--quiet`` silences it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

from shakhes.cli.progress import PlainProgress, progress_bar
from shakhes.data.warehouse import Warehouse
from shakhes.imports.pipeline import ImportOptions, Step, import_file
from shakhes.workspace import init

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters other than TAB and LF (a terminal redraw needs ESC or CR)."""


def ads_csv(path: Path, n: int, bad: set[int] = frozenset()) -> Path:  # type: ignore[assignment]
    lines = [
        f"2026-09-{1 + i % 28:02d},google_ads,a,search,c{i},Brand,g,,USD,100,"
        f"{'-1' if i in bad else '10'},5.5,1,10\n"
        for i in range(n)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def ads_parquet(path: Path, n: int, bad: set[int] = frozenset()) -> Path:  # type: ignore[assignment]
    import datetime as dt

    table = pa.table(
        {
            "date": pa.array([dt.date(2026, 9, 1 + i % 28) for i in range(n)], pa.date32()),
            "platform": ["google_ads"] * n,
            "account": ["a"] * n,
            "channel": ["search"] * n,
            "campaign_id": [f"c{i}" for i in range(n)],
            "campaign": ["Brand"] * n,
            "ad_group": ["g"] * n,
            "currency": ["USD"] * n,
            "impressions": pa.array([100] * n, pa.int64()),
            "clicks": pa.array([-1 if i in bad else 10 for i in range(n)], pa.int64()),
            "cost": [5.5] * n,
            "conversions": [1.0] * n,
            "conversion_value": [10.0] * n,
        }
    )
    pq.write_table(table, path, row_group_size=1000)
    return path


def steps_of(path: Path, **options: object) -> list[Step]:
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    steps: list[Step] = []
    import_file(
        wh,
        path,
        ImportOptions(source="canonical", progress=steps.append, **options),  # type: ignore[arg-type]
    )
    return steps


def assert_honest(steps: list[Step]) -> None:
    """Stages in order, each at most once; within one, done never falls (but to 0, when the
    general way reads a file again after the straight read stopped) nor passes the total."""
    order = ["reading", "checking", "merging"]
    stages = [s.phase for s in steps]
    firsts = [p for i, p in enumerate(stages) if i == 0 or stages[i - 1] != p]
    assert firsts == order, firsts
    last: dict[str, int] = {}
    for s in steps:
        if s.done is None:
            continue
        if s.phase == "reading" and s.done == 0:  # the general way, after the straight one
            last.pop("reading", None)
        assert s.total is None or 0 <= s.done <= s.total, s
        assert s.done >= last.get(s.phase, 0), s
        last[s.phase] = s.done


@pytest.mark.parametrize("straight", [True, False])
def test_a_csv_import_goes_through_every_stage_by_bytes(tmp_path: Path, straight: bool) -> None:
    path = ads_csv(tmp_path / "a.csv", 3000, set() if straight else {1500})
    size = path.stat().st_size
    steps = steps_of(path)
    assert_honest(steps)
    reading = [s for s in steps if s.phase == "reading"]
    assert {s.unit for s in reading} == {"bytes"} and {s.total for s in reading} == {size}
    assert reading[-1].done == size  # the whole file, read
    checking = next(s for s in steps if s.phase == "checking")
    merging = next(s for s in steps if s.phase == "merging")
    accepted = 3000 if straight else 2999
    assert (checking.unit, checking.total) == ("rows", accepted)
    assert (merging.unit, merging.total, merging.rows) == ("rows", accepted, 3000)


@pytest.mark.parametrize("straight", [True, False])
def test_a_parquet_import_counts_records(
    tmp_path: Path, straight: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shakhes.imports.pipeline import importer

    monkeypatch.setattr(importer, "BATCH_ROWS", 5000)
    path = ads_parquet(tmp_path / "a.parquet", 20_000, set() if straight else {10})
    steps = steps_of(path)
    assert_honest(steps)
    reading = [s for s in steps if s.phase == "reading"]
    assert {s.unit for s in reading} == {"rows"} and {s.total for s in reading} == {20_000}
    if not straight:  # the general way says how far it is, batch by batch
        assert reading[-1].done == 20_000 and reading[-1].rows == 20_000
        assert {s.done for s in reading} == {None, 0, 5000, 10_000, 15_000, 20_000}


def test_plain_progress_is_a_line_per_stage_and_one_every_few_seconds() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = PlainProgress(out, "big.parquet", every=5, clock=lambda: now[0])
    for t in range(0, 23):  # 22 s of reading, reported every 0.5 s
        for half in (0.0, 0.5):
            now[0] = t + half
            progress(Step("reading", int(t * 1000 + half * 1000), 22_000, 0, "rows"))
    now[0] = 23
    progress(Step("checking", None, 22_000, 22_000, "rows"))
    progress(Step("checking", None, 22_000, 22_000, "rows"))
    now[0] = 24
    progress(Step("merging", None, 22_000, 22_000, "rows"))
    lines = out.getvalue().splitlines()
    assert lines == [
        "big.parquet: reading 0% (0 of 22,000 rows), 0 s",
        "big.parquet: reading 22% (5,000 of 22,000 rows), 5 s",
        "big.parquet: reading 45% (10,000 of 22,000 rows), 10 s",
        "big.parquet: reading 68% (15,000 of 22,000 rows), 15 s",
        "big.parquet: reading 90% (20,000 of 22,000 rows), 20 s",
        "big.parquet: checking 22,000 rows, 23 s",
        "big.parquet: merging 22,000 rows, 24 s",
    ]


def test_plain_progress_by_bytes_says_the_rows_read() -> None:
    out = io.StringIO()
    PlainProgress(out, "a.csv")(Step("reading", 41_000_000, 82_000_000, 480_000))
    assert (
        out.getvalue() == "a.csv: reading 50% (41,000,000 of 82,000,000 bytes; 480,000 rows), 0 s\n"
    )


def test_the_terminal_bar_names_the_stage_and_counts() -> None:
    screen = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_bar(screen, "a.parquet") as report:
        assert report is not None
        report(Step("reading", 2_500, 10_000, 0, "rows"))
        screen_bar = screen.file.getvalue()  # type: ignore[attr-defined]
        del screen_bar
        time.sleep(0.25)  # a redraw
        shown = _plain(screen.file.getvalue())  # type: ignore[attr-defined]
        assert "Importing a.parquet: reading" in shown and "2,500/10,000 rows" in shown
        report(Step("merging", None, 10_000, 10_000, "rows"))
        time.sleep(0.25)
        shown = _plain(screen.file.getvalue())  # type: ignore[attr-defined]
        assert "Importing a.parquet: merging" in shown and "10,000 rows" in shown
    with progress_bar(None, "a.parquet") as quiet:
        assert quiet is None


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def _shakhes(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as cron runs it: standard output and error piped, no terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    return subprocess.run(
        [sys.executable, "-c", "from shakhes.cli.app import main; main()", *args],
        cwd=cwd,
        env={**env, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["import", "load"])
def test_piped_progress_is_a_few_plain_lines_and_quiet_is_none(
    tmp_path: Path, command: str
) -> None:
    # A bad record sends the file the general way: the longest stage of reading there is.
    path = ads_parquet(tmp_path / "ads.parquet", 60_000, {59_000} if command == "import" else set())
    init(tmp_path / "ws").close()  # (only the commands watched need a process of their own)
    where = ["--workspace", str(tmp_path / "ws")]
    args = (
        ["import", str(path), "--source", "canonical"]
        if command == "import"
        else ["load", "ad_performance", str(path)]
    )
    started = time.monotonic()
    run = _shakhes(*args, *where, cwd=tmp_path)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert not CONTROL.search(run.stderr) and not CONTROL.search(run.stdout)
    lines = run.stderr.splitlines()
    assert all(
        re.fullmatch(r"ads\.parquet: (reading|checking|merging) .+, \d+ s", x) for x in lines
    )
    assert [x.split()[1] for x in lines if "reading" not in x] == ["checking", "merging"]
    assert 3 <= len(lines) <= 3 + seconds / 5 + 1
    assert ("accepted 59,999" in run.stdout) if command == "import" else ("Loaded" in run.stdout)

    other = ads_parquet(tmp_path / "other.parquet", 100)
    quiet = [*args[:-1], str(other)] if command == "load" else ["import", str(other), "--quiet"]
    again = _shakhes(*quiet, *(["--quiet"] if command == "load" else []), *where, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""


def test_plain_progress_says_when_reading_starts_again_and_when_it_cannot_tell() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = PlainProgress(out, "a.parquet", every=5, clock=lambda: now[0])
    progress(Step("reading", None, 9_000, 0, "rows"))  # the straight read: DuckDB says nothing
    now[0] = 1
    progress(Step("reading", 0, 9_000, 0, "rows"))  # not clean: the general way, from the start
    now[0] = 2
    progress(Step("reading", 4_000, 9_000, 4_000, "rows"))
    assert out.getvalue().splitlines() == [
        "a.parquet: reading … of 9,000 rows, 0 s",
        "a.parquet: reading 0% (0 of 9,000 rows), 1 s",
    ]
