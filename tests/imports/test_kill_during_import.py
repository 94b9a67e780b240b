"""A process killed (kill -9) at any point of an import leaves the warehouse exactly as it was,
and the next import works."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from support.killable import Importer

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file


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


@pytest.fixture(scope="module")
def importer() -> Iterator[Importer]:
    with Importer() as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "write", "rows", "way"),
    [
        ("google-ads", write_export, 50_000, "whole"),
        ("google-ads", write_export, 50_000, "ahead"),
        ("canonical", write_canonical, 100_000, "whole"),
    ],
)
def test_kill_minus_nine_mid_import_leaves_the_warehouse_as_before(
    tmp_path: Path,
    importer: Importer,
    source: str,
    write: Callable[[Path, int, int], None],
    rows: int,
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
    assert state(db) == (rows, 10 * rows, 1, 0)
    # The first import (in a process of its own, as each) runs to its end; the next ones are
    # killed at moments spread over the time it took (early enough for most to land before the
    # import ends even if the machine gets faster meanwhile).
    took = 0.0
    killed = untouched = 0
    # (Five kills, the last at 0.6: an import that runs faster than the timed one — a warm
    # disk cache, a quieter moment — still has at least three land before its end.)
    for at in (None, 0.03, 0.15, 0.3, 0.45, 0.6):
        before = state(db)
        started = time.monotonic()
        child = importer.start(str(db), str(second), source, way)
        if at is None:
            importer.wait(child)
            took = time.monotonic() - started
        else:
            time.sleep(at * took)
            killed += importer.kill_unless_done(child)
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
    assert killed >= 3 and untouched >= 2  # several kills landed before the commit
    wh = Warehouse.connect(f"duckdb:///{db}")
    report = import_file(wh, second, ImportOptions(source=source, replace_range=True))
    wh.close()
    assert report.accepted == rows and report.replaced == rows
    assert state(db)[:2] == (rows, 20 * rows)
