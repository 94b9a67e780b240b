"""The engine's queries compile for every SQL dialect Ibis has, not only DuckDB and Postgres.

Each case of :mod:`support.sql_cases` is compiled to every dialect of Ibis' SQL compilers
(offline: no server needed), and the text must parse back with that dialect's sqlglot parser.
Where a dialect cannot express something the engine uses, the pair is an expected, named
limitation (a strict xfail: the day Ibis learns it, the test says so). The PySpark dialect is
run for real, on a local Spark session, in ``test_pyspark.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import ibis
import ibis.backends.sql.compilers as compilers
import ibis.common.exceptions as ibis_errors
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pytest
import sqlglot
from support.sql_cases import CASE_IDS, CASES, Case, load, stable_sql

from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine

DIALECTS = [
    "athena",
    "bigquery",
    "clickhouse",
    "databricks",
    "datafusion",
    "druid",
    "exasol",
    "flink",
    "impala",
    "materialize",
    "mssql",
    "mysql",
    "oracle",
    "pyspark",
    "risingwave",
    "snowflake",
    "sqlite",
    "trino",
]
"""Every dialect of Ibis' SQL compilers but DuckDB and Postgres (run in test_sql_snapshots)."""

TRANSLATE = (
    "Ibis has no TRANSLATE for this dialect: text filters compare text in its equivalence form "
    "(Persian and Arabic letters and digits folded), made with TRANSLATE"
)
DAYS_BETWEEN = (
    "Ibis has no day difference (DateDelta) for this dialect: day and week grains number "
    "their periods by the days from the first"
)
LIMITATIONS = {
    ("filters", "druid"): TRANSLATE,
    ("filters", "flink"): TRANSLATE,
    ("filters", "mysql"): TRANSLATE,
    ("text_filter", "datafusion"): DAYS_BETWEEN,
    ("text_filter", "druid"): f"{TRANSLATE}; {DAYS_BETWEEN}",
    ("text_filter", "flink"): TRANSLATE,
    ("text_filter", "mysql"): TRANSLATE,
    ("may_lack_values", "datafusion"): DAYS_BETWEEN,
    ("may_lack_values", "druid"): DAYS_BETWEEN,
}
"""(case, dialect) → what the dialect lacks for that case."""


@pytest.fixture(scope="module")
def duck_engine() -> Iterator[Engine]:
    ibis.pyspark  # loads the PySpark backend, which registers its compiler's options
    warehouse = Warehouse.connect("duckdb://")
    yield load(warehouse)
    warehouse.close()


@pytest.fixture(scope="module")
def queries(duck_engine: Engine) -> dict[str, tuple[ir.Table, set[str]]]:
    """Each case's expression and the warehouse tables it reads, built once (compiling is what
    the tests vary)."""
    out = {}
    for case in CASES:
        request = case.request(duck_engine)
        expr = duck_engine.expression(request)
        reads = {node.name for node in expr.op().find(ops.UnboundTable)}
        assert set(duck_engine.plan(request).tables) <= reads
        out[case.name] = (expr, reads)
    return out


def test_every_dialect_of_ibis_is_compiled() -> None:
    """A dialect a newer Ibis adds is not left out silently."""
    found = {getattr(compilers, name).__module__.rsplit(".", 1)[-1] for name in compilers.__all__}
    assert found - {"duckdb", "postgres"} == set(DIALECTS)


def _params() -> list[object]:
    out = []
    for case in CASES:
        for dialect in DIALECTS:
            reason = LIMITATIONS.get((case.name, dialect))
            marks = (
                [
                    pytest.mark.xfail(
                        reason=reason, raises=ibis_errors.OperationNotDefinedError, strict=True
                    )
                ]
                if reason
                else []
            )
            out.append(pytest.param(case, dialect, marks=marks, id=f"{case.name}-{dialect}"))
    return out


@pytest.mark.parametrize(("case", "dialect"), _params())
def test_the_query_compiles_for_the_dialect(
    queries: dict[str, tuple[ir.Table, set[str]]], case: Case, dialect: str
) -> None:
    expr, reads = queries[case.name]
    sql = str(ibis.to_sql(expr, dialect=dialect))
    parsed = sqlglot.parse(sql, read=getattr(compilers, dialect).compiler.dialect)
    assert len(parsed) == 1 and parsed[0] is not None
    # The text reads every table the expression does and gives every KPI its value column.
    names = {t.name for t in parsed[0].find_all(sqlglot.exp.Table)}
    assert reads <= names
    columns = {c.alias_or_name for c in parsed[0].selects}
    assert {f"value_{i}" for i in range(len(case.kpis))} <= columns


@pytest.mark.parametrize("case", [CASES[0], CASES[-1]], ids=[CASE_IDS[0], CASE_IDS[-1]])
def test_engine_sql_takes_a_dialect(duck_engine: Engine, case: Case) -> None:
    """``Engine.sql(request, dialect)`` is the expression compiled for that dialect."""
    request = case.request(duck_engine)
    expr = duck_engine.expression(request)
    assert (
        stable_sql(duck_engine.sql(request, "bigquery"))[0]
        == (stable_sql(str(ibis.to_sql(expr, dialect="bigquery")))[0])
    )
