"""The engine on Spark: a few of the snapshot cases run through Ibis' PySpark backend on a local
Spark session give DuckDB's numbers, row for row.

Slow (a JVM starts: some 10 s); needs Java 17 or newer.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import ibis
import pyarrow as pa
import pytest
from support.engine_data import dataset
from support.sql_cases import CASES, Case, engine_over, number, same

from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine

pytestmark = [
    pytest.mark.slow,
    # PySpark 4.0's toPandas with pandas 3 (how Ibis reads Spark's rows): noise, not ours.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

SPARK_CASES = [c for c in CASES if c.name in ("ratios", "jalali_month", "total")]
"""Cases over ads and orders: the day → period arithmetic (month), the join to a day map
(Jalali months), and one period for the whole range over two tables (total)."""
TABLES = ("ad_performance", "orders")


def _tables() -> dict[str, pa.Table]:
    data = dataset()
    return {name: data[name] for name in TABLES}


@pytest.fixture(scope="module")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: Spark cannot start")
    from pyspark.sql import SparkSession

    # One core, one partition, no UI; and tuned for a short life on tiny data (no adaptive
    # planning, no generated code to compile, the JVM's quick compiler only): 10 s, not 30.
    session = (
        SparkSession.builder.master("local[1]")
        .appName("shakhes-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        for name, rows in _tables().items():
            session.createDataFrame(rows).createOrReplaceTempView(name)
        warehouse = Warehouse(ibis.pyspark.connect(session), "pyspark://local")
        yield engine_over(warehouse)
    finally:
        session.stop()


@pytest.fixture(scope="module")
def duck_engine() -> Iterator[Engine]:
    warehouse = Warehouse.connect("duckdb://")
    warehouse.ensure_schema()
    for name, rows in _tables().items():
        warehouse.upsert(name, rows)
    yield engine_over(warehouse)
    warehouse.close()


def _rows(engine: Engine, case: Case) -> dict[tuple[Any, ...], dict[str, Any]]:
    result = engine.run(case.request(engine))
    assert not result.errors
    by = list(result.plan.request.by)
    return {(r["period_label"], *(r[d] for d in by), r["kpi"]): r for r in result.records()}


@pytest.mark.parametrize("case", SPARK_CASES, ids=[c.name for c in SPARK_CASES])
def test_spark_gives_duckdbs_numbers(spark_engine: Engine, duck_engine: Engine, case: Case) -> None:
    assert spark_engine.warehouse.dialect == "pyspark"
    spark = _rows(spark_engine, case)
    duck = _rows(duck_engine, case)
    assert spark.keys() == duck.keys()
    assert any(number(r["value"]) for r in duck.values())  # numbers to compare, not nulls
    for key, row in duck.items():
        for column in ("value", "numerator", "denominator", "complete"):
            assert same(spark[key][column], row[column]), (key, column)
