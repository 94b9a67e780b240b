"""A new DuckDB warehouse with shakhes' tables, quickly: what ``Warehouse.connect("duckdb://")``
then ``ensure_schema()`` gives, made by copying a DuckDB file that had ``ensure_schema()`` run on
it once per test process (creating the tables and the date dimension takes most of a second;
the copy a few milliseconds). For the tests that need hundreds of empty warehouses."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from shakhes.data.warehouse import CALENDAR_TABLE, SCHEMA_TABLE, Warehouse


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="shakhes-warehouses-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "template.duckdb"
    wh = Warehouse.connect(f"duckdb:///{path}")
    wh.ensure_schema()
    wh.close()
    return path


@contextmanager
def fresh_warehouse() -> Iterator[Warehouse]:
    """A warehouse of its own with every table empty (and the date dimension filled); closed
    and deleted afterwards."""
    template = _template()
    path = template.with_name(f"{uuid.uuid4().hex}.duckdb")
    shutil.copyfile(template, path)
    wh = Warehouse.connect(f"duckdb:///{path}")
    try:
        yield wh
    finally:
        wh.close()
        for leftover in path.parent.glob(f"{path.name}*"):  # the file and its write-ahead log
            leftover.unlink()


def in_memory_warehouse() -> Warehouse:
    """A warehouse in memory with shakhes' tables, to :func:`empty` between uses."""
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    return wh


def empty(wh: Warehouse) -> Warehouse:
    """``wh`` with every table emptied but the date dimension and the schema version: as
    :func:`fresh_warehouse` gives it (import ids start at 1 again), for a test that imports
    into a new warehouse many times. In memory, that is much quicker than a new file."""
    keep = {CALENDAR_TABLE, SCHEMA_TABLE}
    tables = wh.fetchall(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
    )
    for (name,) in tables:
        if name not in keep:
            wh.backend.con.execute(f'DELETE FROM "{name}"')
    return wh
