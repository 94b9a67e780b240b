"""Snapshots of the SQL the engine runs, on DuckDB and on Postgres.

For each case of :mod:`support.sql_cases`, the SQL of :meth:`Engine.sql` (the query
:meth:`Engine.run` executes; Ibis' random memtable names made ``memtable_1``, …) must equal
``snapshots/<case>.<dialect>.sql``. A change to the SQL shows as a diff to review; to accept it,
rewrite them: ``SHAKHES_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/engine/test_sql_snapshots.py``
(a missing file fails until it is written so).

So that a snapshot cannot go stale silently, each test also runs the SQL text itself on its
backend (the memtables registered under their stable names) and checks that it gives the
numbers of the engine's own result.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import ibis
import pytest
from support.sql_cases import (
    CASE_IDS,
    CASES,
    EUR_DAYS,
    EUR_RATE,
    Case,
    assert_rows_match,
    load,
    memtables,
    registered,
    run_sql,
    stable_sql,
)

from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path(__file__).parents[2]
UPDATE = os.environ.get("SHAKHES_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module")
def sql_engine(warehouse: Warehouse) -> Engine:
    return load(warehouse)


def check_snapshot(path: Path, sql: str) -> None:
    """``sql`` equals the stored file (written instead under ``SHAKHES_UPDATE_SNAPSHOTS=1``)."""
    text = sql.rstrip("\n") + "\n"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"no snapshot {path.relative_to(ROOT)}: create it with SHAKHES_UPDATE_SNAPSHOTS=1 "
            ".venv/bin/pytest tests/engine/test_sql_snapshots.py, then review and commit it"
        )
    stored = path.read_text(encoding="utf-8")
    if stored != text:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{path.name} (stored)",
                f"{path.name} (now)",
            )
        )
        pytest.fail(
            f"the SQL differs from its snapshot {path.name}; if the change is meant, rewrite "
            f"it with SHAKHES_UPDATE_SNAPSHOTS=1 and review the diff:\n{diff}"
        )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_sql_matches_its_snapshot_and_gives_the_engines_numbers(
    sql_engine: Engine, case: Case
) -> None:
    warehouse = sql_engine.warehouse
    dialect = warehouse.dialect
    request = case.request(sql_engine)
    sql, _ = stable_sql(sql_engine.sql(request))
    check_snapshot(SNAPSHOTS / f"{case.name}.{dialect}.sql", sql)

    # The same query as the expression run executes, and as explain shows it.
    expr = sql_engine.expression(request)
    compiled, names = stable_sql(str(ibis.to_sql(expr, dialect=dialect)))
    assert compiled == sql
    assert stable_sql(sql_engine.explain(request).sql)[0] == sql

    data = {names[name]: rows for name, rows in memtables(expr).items()}
    with registered(warehouse, data):
        rows = run_sql(warehouse, sql)
    result = sql_engine.run(request)
    assert not result.errors
    assert_rows_match(rows, result)


def test_the_currency_case_converts_through_the_rates(sql_engine: Engine) -> None:
    """The currency case reads EUR amounts and converts them (not a case that merely passes
    through): its July cost is the EUR cost times the rate, worked out here from the data."""
    case = next(c for c in CASES if c.name == "currency_conversion")
    sql, _ = stable_sql(sql_engine.sql(case.request(sql_engine)))
    assert "shakhes_rates" in sql
    result = sql_engine.run(case.request(sql_engine))
    assert result.currency == "USD"
    eur_cost = sum(20.0 + i for i in range(len(EUR_DAYS)))
    assert result.value("cost", "2024-07") == pytest.approx(eur_cost * EUR_RATE)
