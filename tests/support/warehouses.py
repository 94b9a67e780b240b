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

from shakhes.data.warehouse import Warehouse


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
