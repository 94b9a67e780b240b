"""Representative requests whose SQL is snapshot-tested and compiled for other dialects, the
data they run on, and how to run a query's SQL text by hand and read its rows against the
engine's own result.

The data is :func:`support.engine_data.dataset` (ads, orders and customers in USD, January to
June 2024) plus ten July days of search ads in EUR, with EUR → USD rates: only the currency case
reads July, so it alone converts amounts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
import pytest

from shakhes.data.model import TABLES
from shakhes.data.warehouse import RATES_TABLE, Warehouse, arrow_schema
from shakhes.engine.calendar import CalendarSettings
from shakhes.engine.engine import Engine, Result
from shakhes.engine.request import Request
from shakhes.spec.catalog import load_catalog
from support.engine_data import END, START, dataset

CALENDAR = CalendarSettings(week_start=5, fiscal_year_start_month=4)
EUR_DAYS = [dt.date(2024, 7, 1) + dt.timedelta(days=i) for i in range(10)]
EUR_RATE = 1.08  # USD per EUR


@dataclass(frozen=True)
class Case:
    """One request, named for its snapshot files (``<name>.<dialect>.sql``)."""

    name: str
    kpis: tuple[str, ...]
    grain: str = "month"
    by: tuple[str, ...] = ()
    period: tuple[dt.date, dt.date] = (START, END)
    where: str | None = None
    compare: str | None = None

    def request(self, engine: Engine) -> Request:
        compare: Any = self.compare
        return engine.request(
            list(self.kpis), self.grain, list(self.by), self.period, self.where, compare
        )


CASES = [
    Case("additive_by_channel", ("cost", "clicks", "impressions"), by=("channel",)),
    Case("ratios", ("ctr", "cpc", "roas"), by=("platform",)),
    Case(
        "filters",
        ("new_customer_revenue", "repeat_order_rate", "orders"),
        grain="quarter",
        where="channel in ('search', 'social')",
    ),
    Case(
        "text_filter",
        ("cost", "ctr"),
        grain="week",
        period=(START, dt.date(2024, 2, 29)),
        where="campaign = 'Search 1'",
    ),
    Case("jalali_month", ("cost", "ctr"), grain="jalali_month", by=("channel",)),
    Case("fiscal_year", ("revenue", "orders", "aov"), grain="fiscal_year"),
    Case("total", ("cost", "cpa", "mer", "revenue"), grain="total", by=("channel",)),
    Case(
        "compare_previous",
        ("ctr", "cost"),
        period=(dt.date(2024, 4, 1), END),
        compare="previous",
        by=("channel",),
    ),
    Case(
        "compare_one_period",
        ("ctr", "cost"),
        period=(dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
        compare="previous",
        by=("channel",),
    ),
    Case(
        "currency_conversion",
        ("cost", "cpc", "roas"),
        period=(dt.date(2024, 6, 1), EUR_DAYS[-1]),
    ),
    Case("snapshot_customers", ("churn_rate", "new_customers", "clv"), by=("channel",)),
    Case(
        "may_lack_values",
        ("reach", "video_views", "view_rate", "clicks"),
        grain="day",
        period=(dt.date(2024, 3, 1), dt.date(2024, 3, 10)),
        by=("ad",),
    ),
]
CASE_IDS = [c.name for c in CASES]


def tables() -> dict[str, pa.Table]:
    """The canonical tables of the cases, by name (the rates under ``shakhes_rates``)."""
    data = dataset()
    ads = data["ad_performance"]
    eur = [
        {
            **ads.slice(0, 1).to_pylist()[0],
            "date": day,
            "channel": "search",
            "campaign_id": "search-eu",
            "campaign": "Search EU",
            "currency": "EUR",
            "impressions": 1000 + 10 * i,
            "clicks": 50 + i,
            "cost": 20.0 + i,
            "conversions": 2.0,
            "conversion_value": 90.0 + i,
        }
        for i, day in enumerate(EUR_DAYS)
    ]
    schema = arrow_schema(TABLES["ad_performance"])
    data["ad_performance"] = pa.concat_tables([ads, pa.Table.from_pylist(eur, schema=schema)])
    data[RATES_TABLE] = pa.table(
        {
            "date": pa.array(EUR_DAYS, pa.date32()),
            "currency": pa.array(["EUR"] * len(EUR_DAYS)),
            "rate": pa.array([EUR_RATE] * len(EUR_DAYS), pa.float64()),
        }
    )
    return data


def load(warehouse: Warehouse) -> Engine:
    """The cases' data in ``warehouse`` (a DuckDB or Postgres one), and an engine over it."""
    warehouse.ensure_schema()
    for name, rows in tables().items():
        if name == RATES_TABLE:
            with warehouse.transaction() as cursor:
                for row in rows.to_pylist():
                    cursor.execute(
                        warehouse.param(
                            f"INSERT INTO {RATES_TABLE} (date, currency, rate) VALUES (?, ?, ?)"
                        ),
                        [row["date"], row["currency"], row["rate"]],
                    )
        else:
            warehouse.upsert(name, rows)
    return engine_over(warehouse)


def engine_over(warehouse: Warehouse) -> Engine:
    return Engine(warehouse, {k.id: k for k in load_catalog()}, calendar=CALENDAR, currency="USD")


# ---- SQL text -------------------------------------------------------------------------------

_MEMTABLE = re.compile(r"ibis_[a-z]+_memtable_[a-z0-9]+")


def stable_sql(sql: str) -> tuple[str, dict[str, str]]:
    """``sql`` with Ibis' random memtable names replaced by ``memtable_1``, ``memtable_2``, …
    in the order they first appear, and that renaming (random name → stable name)."""
    names: dict[str, str] = {}
    for found in _MEMTABLE.findall(sql):
        names.setdefault(found, f"memtable_{len(names) + 1}")
    return _MEMTABLE.sub(lambda m: names[m.group(0)], sql), names


def memtables(expr: ibis.Table) -> dict[str, pa.Table]:
    """The data of every memtable in ``expr``, by its (random) name."""
    return {
        node.name: node.data.to_pyarrow(node.schema) for node in expr.op().find(ops.InMemoryTable)
    }


@contextmanager
def registered(warehouse: Warehouse, data: dict[str, pa.Table]) -> Iterator[None]:
    """``data`` as tables of the warehouse connection, for the duration (DuckDB: views of the
    Arrow tables; Postgres: temporary tables)."""
    duck = warehouse.dialect == "duckdb"
    for name, rows in data.items():
        if duck:
            warehouse.backend.con.register(name, rows)
        else:
            # (an expression: given Arrow, Ibis 12 with sqlglot 30 fails dropping its view)
            warehouse.backend.create_table(name, ibis.memtable(rows), temp=True)
    try:
        yield
    finally:
        for name in data:
            if duck:
                warehouse.backend.con.unregister(name)
            else:
                with warehouse.backend.con.cursor() as cursor:  # (Ibis 12's drop_table too)
                    cursor.execute(f'DROP TABLE IF EXISTS "{name}"')


def run_sql(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    """The rows of ``sql`` run as text on the warehouse connection (not through Ibis)."""
    if warehouse.dialect == "duckdb":
        cursor = warehouse.backend.con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    else:
        with warehouse.backend.con.cursor() as cursor:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    return [
        {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r, strict=True)}
        for r in rows
    ]


# ---- numbers --------------------------------------------------------------------------------


def number(value: Any) -> float | None:
    """A value as a float, with None for null and NaN (how the result says "no value")."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def same(got: Any, want: Any) -> bool:
    """Two numbers equal to 1e-9 relative, or both without a value."""
    a, b = number(got), number(want)
    return a == b if a is None or b is None else a == pytest.approx(b, rel=1e-9)


def assert_rows_match(wide: Sequence[dict[str, Any]], result: Result) -> None:
    """The query's rows (one per period × breakdown value, ``value_<i>`` per KPI ``i``) carry
    the very numbers of the engine's result: each row of the result is met exactly once, its
    value, numerator, denominator and missing count (and a comparison's previous value, from
    the rows of the compared periods) equal to the query's."""
    plan = result.plan
    by = list(plan.request.by)
    n = len(plan.windows)
    long = {(r["period_index"], *(r[d] for d in by), r["kpi"]): r for r in result.records()}
    assert wide, "the query returned no rows"
    seen = set()
    for row in wide:
        period = row["period_index"]
        mine = period < n
        for i, k in enumerate(plan.kpis):
            key = (period if mine else period - n, *(row[d] for d in by), k.spec.id)
            assert key in long, f"the engine has no row {key}"
            want = long[key]
            got = number(row[f"value_{i}"])
            if not mine:
                assert same(got, want["previous_value"]), (key, got, want["previous_value"])
                continue
            seen.add(key)
            assert same(got, want["value"]), (key, got, want["value"])
            for part in ("numerator", "denominator"):
                if f"{part}_{i}" in row:
                    assert same(row[f"{part}_{i}"], want[part]), (key, part)
            if f"missing_{i}" in row:
                assert (row[f"missing_{i}"] or 0) == (want["missing"] or 0), (key, "missing")
    assert seen == set(long), f"rows of the engine the query lacks: {set(long) - seen}"
