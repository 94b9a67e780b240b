"""A workspace whose warehouse is on Postgres: reads never wait for a writer and read one
snapshot (the data before a write or after it); writers take turns and say for what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from support.processes import hold, run, write_ads

from shakhes.service import imports
from shakhes.workspace import Workspace, init

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

YEAR = ["--from", "2025-01-01", "--to", "2025-12-31", "--grain", "year", "--format", "csv"]


def test_postgres_reads_run_beside_a_writer_and_read_one_snapshot(
    tmp_path: Path, pg_database: str
) -> None:
    root = tmp_path / "team"
    init(root, warehouse_url=pg_database).close()
    write_ads(tmp_path / "first.csv", 2_000, clicks=1)
    write_ads(tmp_path / "more.csv", 3_000, clicks=1)  # the first 2,000 rows again, and 1,000
    ws = Workspace.open(root)
    imports.load(ws, "ad_performance", tmp_path / "first.csv")

    release = tmp_path / "release"
    holder = hold(root, "import of ads.csv", release, SHAKHES_ACTOR="alice")
    try:
        read = run(["compute", "clicks", *YEAR, "--wait", "0", "-w", str(root)])
        assert read.returncode == 0, read.stderr
        (row,) = csv.DictReader(io.StringIO(read.stdout))
        assert float(row["value"]) == 2000
        write = run(["imports", "undo", "1", "--wait", "0.3", "-w", str(root)])
        assert write.returncode == 1 and "Traceback" not in write.stderr
        assert f"busy with import of ads.csv by alice (pid {holder.pid}, since" in write.stderr
    finally:
        release.touch()
        assert holder.wait(timeout=60) == 0

    # A read session reads one snapshot: a write committed meanwhile is not in it.
    writer = Workspace.open(root)
    with ws.reading() as session:
        assert session.warehouse.row_count("ad_performance") == 2_000
        report = imports.load(writer, "ad_performance", tmp_path / "more.csv")
        assert report.accepted == 3_000
        assert session.warehouse.row_count("ad_performance") == 2_000
        year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        assert ws.engine.compute(["clicks"], grain="year", period=year).value("clicks") == 2_000
    with ws.reading() as session:
        assert session.warehouse.row_count("ad_performance") == 3_000
    assert ws.engine.compute(["clicks"], grain="year", period=year).value("clicks") == 3_000
    writer.close()
    ws.close()
