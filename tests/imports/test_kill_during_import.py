"""A process killed (kill -9) at any point of an import leaves the warehouse exactly as it was,
and the next import works."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

CHILD = """
import sys
from pathlib import Path
from shakhes.data.warehouse import Warehouse
from shakhes.imports.pipeline import ImportOptions, import_file, read_ahead
options = ImportOptions(source=sys.argv[3], replace_range=True)
if sys.argv[4] == "ahead":  # read before the warehouse is opened, as `shakhes import` does
    print("ready", flush=True)
    with read_ahead(Path(sys.argv[2]), options) as finish:
        wh = Warehouse.connect("duckdb:///" + sys.argv[1])
        finish(wh)
else:
    wh = Warehouse.connect("duckdb:///" + sys.argv[1])
    print("ready", flush=True)
    import_file(wh, Path(sys.argv[2]), options)
wh.close()
"""


def write_export(path: Path, rows: int, clicks: int) -> None:
    lines = ["Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost"]
    for i in range(rows):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 336)
        lines.append(f"{day},Campaign {i // 336},Search,USD,1000,{clicks},{clicks * 0.5:.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_canonical(path: Path, rows: int, clicks: int) -> None:
    """A canonical CSV (DuckDB reads it straight into the table) of ``rows`` rows."""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT DATE '2025-01-01' + CAST(i % 336 AS INTEGER) AS date, 'google_ads' AS "
        "platform, 'acct' AS account, 'search' AS channel, 'c' || (i // 336) AS campaign_id, "
        "'Campaign ' || (i // 336) AS campaign, 'g' AS ad_group, '' AS ad, 'USD' AS currency, "
        f"1000 AS impressions, {clicks} AS clicks, {clicks * 0.5} AS cost, 0 AS conversions, "
        f"0 AS conversion_value FROM range({rows}) AS t(i)) TO '{path}' (HEADER)"
    )
    con.close()


def state(db: Path) -> tuple[object, ...]:
    con = duckdb.connect(str(db))
    try:
        return tuple(
            con.execute(
                "SELECT count(*), sum(clicks), (SELECT count(*) FROM shakhes_imports), "
                "(SELECT count(*) FROM shakhes_replaced_ad_performance) FROM ad_performance"
            ).fetchone()
            or ()
        )
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "write", "rows", "pause", "way"),
    [
        ("google-ads", write_export, 100_000, 1.5, "whole"),
        ("google-ads", write_export, 100_000, 2.5, "ahead"),
        ("canonical", write_canonical, 400_000, 0.8, "whole"),
    ],
)
def test_kill_minus_nine_mid_import_leaves_the_warehouse_as_before(
    tmp_path: Path,
    source: str,
    write: Callable[[Path, int, int], None],
    rows: int,
    pause: float,
    way: str,
) -> None:
    db = tmp_path / "warehouse.duckdb"
    wh = Warehouse.connect(f"duckdb:///{db}")
    wh.ensure_schema()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write(first, rows, 10)
    write(second, rows, 20)
    import_file(wh, first, ImportOptions(source=source))
    wh.close()
    before = state(db)
    assert before == (rows, 10 * rows, 1, 0)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    rng = random.Random(4)
    killed = untouched = 0
    for _ in range(8):
        before = state(db)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(second), source, way],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        child.stdout.readline()  # "ready": the import starts now
        time.sleep(rng.uniform(0.0, pause))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        child.wait()
        now = state(db)
        if now == before:
            untouched += 1
            continue
        # Killed after the commit (or it finished): then the import is there whole.
        assert now == (rows, 20 * rows, before[2] + 1, rows), f"a killed import left {now}"
        wh = Warehouse.connect(f"duckdb:///{db}")
        ledger = Ledger(wh)
        ledger.undo(ledger.recent(1)[0].import_id)
        wh.close()
        assert state(db)[:2] == before[:2]
    assert killed >= 4 and untouched >= 2  # several kills landed before the commit
    wh = Warehouse.connect(f"duckdb:///{db}")
    report = import_file(wh, second, ImportOptions(source=source, replace_range=True))
    wh.close()
    assert report.accepted == rows and report.replaced == rows
    assert state(db)[:2] == (rows, 20 * rows)
