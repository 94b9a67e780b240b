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
from shakhes.imports.pipeline import ImportOptions, import_file
wh = Warehouse.connect("duckdb:///" + sys.argv[1])
print("ready", flush=True)
import_file(wh, Path(sys.argv[2]), ImportOptions(source="google-ads", replace_range=True))
wh.close()
"""


def write_export(path: Path, rows: int, clicks: int) -> None:
    lines = ["Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost"]
    for i in range(rows):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 336)
        lines.append(f"{day},Campaign {i // 336},Search,USD,1000,{clicks},{clicks * 0.5:.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


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
def test_kill_minus_nine_mid_import_leaves_the_warehouse_as_before(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    wh = Warehouse.connect(f"duckdb:///{db}")
    wh.ensure_schema()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_export(first, 20_000, clicks=10)
    write_export(second, 20_000, clicks=20)
    import_file(wh, first, ImportOptions(source="google-ads"))
    wh.close()
    before = state(db)
    assert before == (20_000, 200_000, 1, 0)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    rng = random.Random(4)
    killed = untouched = 0
    for _ in range(8):
        before = state(db)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(second)], stdout=subprocess.PIPE, env=env
        )
        assert child.stdout is not None
        child.stdout.readline()  # "ready": the warehouse is open, the import starts now
        time.sleep(rng.uniform(0.0, 1.5))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        child.wait()
        now = state(db)
        if now == before:
            untouched += 1
            continue
        # Killed after the commit (or it finished): then the import is there whole.
        assert now == (20_000, 400_000, before[2] + 1, 20_000), f"a killed import left {now}"
        wh = Warehouse.connect(f"duckdb:///{db}")
        ledger = Ledger(wh)
        ledger.undo(ledger.recent(1)[0].import_id)
        wh.close()
        assert state(db)[:2] == before[:2]
    assert killed >= 4 and untouched >= 2  # several kills landed before the commit
    wh = Warehouse.connect(f"duckdb:///{db}")
    report = import_file(wh, second, ImportOptions(source="google-ads", replace_range=True))
    wh.close()
    assert report.accepted == 20_000 and report.replaced == 20_000
    assert state(db)[:2] == (20_000, 400_000)
