"""A fresh in-memory DuckDB warehouse with the canonical schema, for import tests."""

from __future__ import annotations

import pytest

from shakhes.data.warehouse import Warehouse


@pytest.fixture()
def warehouse() -> Warehouse:
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    return wh
