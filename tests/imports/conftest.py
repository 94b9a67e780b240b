"""A fresh DuckDB warehouse with the canonical schema, for import tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.warehouses import fresh_warehouse

from shakhes.data.warehouse import Warehouse


@pytest.fixture()
def warehouse() -> Iterator[Warehouse]:
    with fresh_warehouse() as wh:
        yield wh
