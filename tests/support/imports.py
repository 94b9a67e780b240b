"""Shared by the import tests: the source fixture files and SQL on a DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

from shakhes.data.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "imports" / "fixtures" / "sources"


def rows(wh: Warehouse, sql: str) -> list[tuple[object, ...]]:
    """The rows of a query on the warehouse, as tuples."""
    return [tuple(r) for r in wh.backend.con.execute(sql).fetchall()]
