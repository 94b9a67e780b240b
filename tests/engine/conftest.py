"""An engine over a small, known data set, on DuckDB and on Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.engine_data import make_engine

from shakhes.data.warehouse import Warehouse
from shakhes.engine.calendar import CalendarSettings
from shakhes.engine.engine import Engine


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        wh = Warehouse.connect("duckdb://")
    else:
        wh = Warehouse.connect(request.getfixturevalue("pg_database"))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def engine(warehouse: Warehouse) -> Engine:
    return make_engine(warehouse, calendar=CalendarSettings(week_start=5))
