"""An import reads, parses and checks its file before it takes the write turn: readers of a
DuckDB workspace go on meanwhile (seeing the data before it), wait only for the merge, and
what the warehouse came to hold meanwhile is checked again in the turn."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shakhes.errors import BusyError
from shakhes.imports.pipeline import read_ahead
from shakhes.imports.report import ImportOptions, Step
from shakhes.service import imports as service
from shakhes.workspace import Workspace, init


def write_export(path: Path, rows: int, clicks: int) -> None:
    """A Google Ads export (the general way) of ``rows`` rows of ``clicks`` clicks each."""
    lines = ["Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost"]
    for i in range(rows):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 300)
        lines.append(f"{day},Campaign {i // 300},Search,USD,1000,{clicks},{clicks * 0.5:.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


OPTIONS = ImportOptions(source="google-ads", account="acct", actor="test")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A new workspace on a DuckDB file (readers and the writer take turns by file locks)."""
    workspace = init(tmp_path / "ws")
    yield workspace
    workspace.close()


def table_state(ws: Workspace) -> tuple[int, int]:
    """Rows and total clicks of ad_performance, read by hand in a read turn that may not wait."""
    with ws.reading(wait=0) as session:
        (row,) = session.warehouse.fetchall(
            "SELECT count(*), coalesce(sum(clicks), 0) FROM ad_performance"
        )
    return int(row[0]), int(row[1])


def in_another_thread(ws: Workspace) -> tuple[int, int] | BusyError:
    """What a read (that does not wait) of another thread gets now: the state, or busy."""
    out: list[tuple[int, int] | BusyError] = []

    def read() -> None:
        try:
            out.append(table_state(ws))
        except BusyError as exc:
            out.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=60)
    return out[0]


def test_reads_go_on_while_the_file_is_read_and_wait_for_the_merge(
    ws: Workspace, tmp_path: Path
) -> None:
    write_export(tmp_path / "old.csv", 600, clicks=1)
    service.import_file(ws, tmp_path / "old.csv", OPTIONS)
    write_export(tmp_path / "ads.csv", 120_000, clicks=3)
    seen: dict[str, list[tuple[int, int] | BusyError]] = {"reading": [], "merging": []}

    def progress(step: Step) -> None:
        if step.phase in seen and len(seen[step.phase]) < 2:
            seen[step.phase].append(in_another_thread(ws))

    report = service.import_file(ws, tmp_path / "ads.csv", replace(OPTIONS, progress=progress))
    assert report.accepted == 120_000 and report.replaced == 600
    # While the file was read: the data before the import, without waiting.
    assert seen["reading"] == [(600, 600), (600, 600)]
    # While it merged: the write turn was held (a read that does not wait is refused).
    assert seen["merging"] and all(isinstance(s, BusyError) for s in seen["merging"])
    assert table_state(ws) == (120_000, 360_000)


def test_a_file_imported_by_another_while_read_ahead_is_not_imported_twice(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    write_export(path, 3_000, clicks=2)
    with read_ahead(path, OPTIONS) as finish:
        first = service.import_file(ws, path, OPTIONS)  # meanwhile, from cron say
        with ws.writing("import") as session:
            second = finish(session.warehouse)
    assert first.import_id is not None and first.accepted == 3_000
    assert second.import_id is None and second.already_imported == first.import_id
    assert table_state(ws) == (3_000, 6_000)


def test_rows_written_meanwhile_are_replaced_by_natural_key_in_the_turn(
    ws: Workspace, tmp_path: Path
) -> None:
    ahead, meanwhile = tmp_path / "ahead.csv", tmp_path / "meanwhile.csv"
    write_export(ahead, 3_000, clicks=5)
    write_export(meanwhile, 1_500, clicks=7)  # the first 1,500 keys of the other file
    with read_ahead(ahead, OPTIONS) as finish:
        assert service.import_file(ws, meanwhile, OPTIONS).accepted == 1_500
        with ws.writing("import") as session:
            report = finish(session.warehouse)
    assert report.accepted == 3_000 and report.replaced == 1_500
    assert table_state(ws) == (3_000, 15_000)
    # The undo of the later import restores exactly the rows it replaced.
    assert report.import_id is not None
    service.undo(ws, report.import_id)
    assert table_state(ws) == (1_500, 10_500)


@pytest.mark.postgres
def test_rows_read_ahead_go_into_a_postgres_warehouse(tmp_path: Path, pg_database: str) -> None:
    root = tmp_path / "team"
    init(root, warehouse_url=pg_database).close()
    write_export(tmp_path / "ads.csv", 2_000, clicks=4)
    ws = Workspace.open(root)
    try:
        report = service.import_file(ws, tmp_path / "ads.csv", OPTIONS)
        assert report.accepted == 2_000 and report.import_id is not None
        assert table_state(ws) == (2_000, 8_000)
    finally:
        ws.close()
