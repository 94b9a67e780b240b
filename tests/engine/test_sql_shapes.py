"""The engine keeps the SQL of each query shape and writes other dates into it
(:mod:`shakhes.engine.retarget`): for random requests, after other random requests primed the
shapes, the SQL it runs is, but for the generated names of its in-memory tables, the very text
Ibis compiles for that request, with the same data in those tables, and its rows are those of
an engine that compiles every query."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.engine_data import END, START, make_engine

from shakhes.data.warehouse import Compiled, Warehouse
from shakhes.engine.engine import Engine, Result
from shakhes.engine.execute import SENTINELS, day_map_table, query_key
from shakhes.engine.request import Request
from shakhes.spec.catalog import load_catalog

CATALOG = {k.id: k for k in load_catalog()}
WAREHOUSE = Warehouse.connect("duckdb://")
SHAPES = make_engine(WAREHOUSE)
"""One engine for every example: its shapes are those of the requests before."""

KPIS = ["cost", "clicks", "ctr", "cpc", "roas", "revenue", "orders", "aov", "new_customers"]
SNAPSHOT_KPIS = ["churn_rate", "retention_rate"]
GRAINS = ["day", "week", "month", "quarter", "year", "fiscal_year", "jalali_month", "total"]
GRAINS += ["jalali_quarter", "jalali_year"]
WHERES = [None, "channel = 'search'", "channel != 'video'"]
DAYS = (END - START).days


@st.composite
def requests(draw: st.DrawFn) -> list[Request]:
    """Requests of one shape (KPIs, breakdown, comparison, filter) over random periods, of
    one or two grains (a shape is often, not always, the same for other periods: a range may
    lack a table's rows, say; and the same for other grains where the periods are counted
    through the day map: Jalali grains, comparisons)."""
    kpis = draw(st.lists(st.sampled_from(KPIS + SNAPSHOT_KPIS), min_size=1, max_size=3))
    grains = draw(st.lists(st.sampled_from(GRAINS), min_size=1, max_size=2))
    by = draw(st.sampled_from([(), ("channel",)]))
    compare = draw(st.sampled_from([None, "previous", "last_year"]))
    where = draw(st.sampled_from(WHERES))
    asked = []
    for _ in range(draw(st.integers(1, 4))):
        grain = draw(st.sampled_from(grains))
        a, b = sorted(draw(st.lists(st.integers(0, DAYS), min_size=2, max_size=2)))
        period = (START + dt.timedelta(days=a), START + dt.timedelta(days=b))
        if grain == "day" and b - a > 40:
            period = (period[0], period[0] + dt.timedelta(days=40))
        asked.append(
            SHAPES.request(
                list(dict.fromkeys(kpis)), grain, by=by, period=period, where=where, compare=compare
            )
        )
    return asked


def rows(result: Result) -> list[dict[str, Any]]:
    """The result's rows, NaN as None (so that equal results compare equal)."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in result.records()
    ]


def normalised(compiled: Compiled) -> tuple[str, list[pa.Table]]:
    """The SQL with its in-memory tables named by their order in it, and their data."""
    names = sorted(compiled.memtables, key=compiled.sql.index)
    sql = compiled.sql
    for i, name in enumerate(names):
        sql = re.sub(rf"\b{re.escape(name)}\b", f"memtable_{i}", sql)
    return sql, [compiled.memtables[n] for n in names]


def compiled_anew(request: Request) -> Compiled:
    """The SQL Ibis compiles for ``request``, by an engine without shapes."""
    engine = Engine(WAREHOUSE, CATALOG, shapes=False)
    with engine._session():
        compiled = engine.warehouse.compile(engine._expr(engine._prepare(engine.plan(request))))
    assert compiled is not None
    return compiled


@pytest.fixture(scope="module")
def ran() -> Iterator[list[Compiled]]:
    """The compiled queries the warehouse runs, from now on."""
    found: list[Compiled] = []
    run = Warehouse.run

    def kept(self: Warehouse, compiled: Compiled) -> pa.Table:
        found.append(compiled)
        return run(self, compiled)

    with mock.patch.object(Warehouse, "run", kept):
        yield found


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(requests(), min_size=1, max_size=3))
def test_retargeted_sql_is_the_sql_ibis_compiles(
    ran: list[Compiled], shapes: list[list[Request]]
) -> None:
    for request in [r for asked in shapes for r in asked]:
        before = len(ran)
        result = SHAPES.run(request)
        fresh = Engine(WAREHOUSE, CATALOG, shapes=False).run(request)
        assert rows(result) == rows(fresh)
        assert result.table.schema == fresh.table.schema
        if len(ran) > before:  # (not a result the engine had: it ran a query)
            sql, data = normalised(ran[-1])
            want_sql, want_data = normalised(compiled_anew(request))
            assert sql == want_sql
            assert len(data) == len(want_data)
            assert all(a.equals(b) for a, b in zip(data, want_data, strict=True))
            assert "MAKE_DATE(100" not in sql and str(SENTINELS.year)[:6] not in sql


def test_a_shape_hit_builds_and_compiles_nothing() -> None:
    """A month's page after another's: the second request's SQL comes from the first's shape,
    with no expression built or compiled; a request of another shape compiles."""
    engine = Engine(WAREHOUSE, CATALOG)
    built: list[int] = []
    build = Engine._expr
    compile = Warehouse.compile

    def counted_build(self: Engine, query: Any) -> Any:
        built.append(1)
        return build(self, query)

    compiled: list[int] = []

    def counted_compile(self: Warehouse, expr: Any) -> Compiled | None:
        compiled.append(1)
        return compile(self, expr)

    may = engine.request(["cost", "ctr"], "day", by="channel", period=(START, dt.date(2024, 5, 31)))
    april = engine.request(
        ["cost", "ctr"], "day", by="channel", period=(dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    )
    with (
        mock.patch("shakhes.engine.retarget.build_query", wraps=_build_query()) as shape_builds,
        mock.patch.object(Engine, "_expr", counted_build),
        mock.patch.object(Warehouse, "compile", counted_compile),
    ):
        engine.run(may)
        assert (len(built), shape_builds.call_count, len(compiled)) == (0, 1, 1)
        april_rows = rows(engine.run(april))
        assert (len(built), shape_builds.call_count, len(compiled)) == (0, 1, 1)
        engine.run(engine.request(["cost"], "week", period=(START, END)))
        assert shape_builds.call_count == 2 and len(compiled) == 2
    assert april_rows == rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(april))
    keys = [
        query_key(engine.plan(r), engine.plan(r).windows, WAREHOUSE, dates=False)
        for r in (may, april)
    ]
    assert keys[0] == keys[1]


def test_grains_counted_through_the_day_map_share_a_shape() -> None:
    """A month compared with the month before and a quarter compared with the quarter before
    run one query shape (their periods are counted through the day map, which is data): the
    quarter's SQL is re-targeted, equal to what Ibis compiles for it, with its rows. Without
    a comparison the grains count their periods by arithmetic: two shapes; a month alone and
    a quarter alone are one."""
    engine = Engine(WAREHOUSE, CATALOG)
    november = engine.request(["ctr"], "month", by="channel", compare="previous",
                              period=(dt.date(2024, 11, 1), dt.date(2024, 11, 30)))  # fmt: skip
    q3 = engine.request(["ctr"], "quarter", by="channel", compare="previous",
                        period=(dt.date(2024, 7, 1), dt.date(2024, 9, 30)))  # fmt: skip
    with mock.patch("shakhes.engine.retarget.build_query", wraps=_build_query()) as shape_builds:
        engine.run(november)
        q3_rows = rows(engine.run(q3))
        assert shape_builds.call_count == 1
        engine.run(engine.request(["ctr"], "month", by="channel", period=(START, END)))
        engine.run(engine.request(["ctr"], "quarter", by="channel", period=(START, END)))
        assert shape_builds.call_count == 3
        # One period alone: every row read is in it, whatever the grain.
        alone = [engine.request(["ctr"], grain, by="channel", period=(r.start, r.end))
                 for grain, r in (("month", november), ("quarter", q3))]  # fmt: skip
        alone_rows = [rows(engine.run(r)) for r in alone]
        assert shape_builds.call_count == 4
    assert alone_rows == [rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(r)) for r in alone]
    assert q3_rows == rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(q3))
    with engine._session():
        compiled = engine._retargeted(engine._prepare(engine.plan(q3)))
    assert compiled is not None and normalised(compiled) == normalised(compiled_anew(q3))


def _build_query() -> Any:
    from shakhes.engine.execute import build_query

    return build_query


def test_a_shape_whose_sentinel_is_in_the_filter_compiles_as_before() -> None:
    """A filter holding a sentinel's number writes it once more than the query's years: the
    shape is refused (kept as None) and the request compiles, with the rows of an engine
    without shapes."""
    engine = Engine(WAREHOUSE, CATALOG)
    where = f"clicks != {SENTINELS.year}"
    request = engine.request(["clicks"], "year", period=(START, END), where=where)
    result = engine.run(request)
    assert list(engine._shapes.values()) == [None]
    assert rows(result) == rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(request))
    plain = engine.request(["clicks"], "year", period=(START, END))
    engine.run(plain)
    assert len(engine._shapes) == 2 and list(engine._shapes.values())[1] is not None
    # Days are counted from the first day, not from a year: the year's sentinel must not be
    # in the SQL at all (it was once let through when it was found as often as a year would
    # be written, and then re-targeted into the filter).
    days = engine.request(["clicks"], "day", period=(START, START + dt.timedelta(days=9)),
                          where=where)  # fmt: skip
    found = engine.run(days)
    assert list(engine._shapes.values())[2] is None
    assert rows(found) == rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(days))


@st.composite
def pairs(draw: st.DrawFn) -> Request:
    """A request of one period compared with another (the previous, or last year's: apart,
    or sharing days when the period is longer than a year), or of a grain counted through
    the day map that has two periods of its own (two Jalali months, say)."""
    kpis = draw(st.lists(st.sampled_from(KPIS + SNAPSHOT_KPIS), min_size=1, max_size=3))
    grain = draw(st.sampled_from(GRAINS))
    by = draw(st.sampled_from([(), ("channel",), ("channel", "campaign")]))
    where = draw(st.sampled_from(WHERES))
    a = draw(st.integers(0, DAYS))
    b = draw(st.integers(a, min(DAYS, a + 400)))
    period = (START + dt.timedelta(days=a), START + dt.timedelta(days=b))
    if grain == "day":
        period = (period[0], period[0])
    compare = draw(st.sampled_from(["previous", "last_year"]))
    return SHAPES.request(
        list(dict.fromkeys(kpis)), grain, by=by, period=period, where=where, compare=compare
    )


def _day_map_only() -> Any:
    """:func:`shakhes.engine.execute._counting` as it was before two periods were aggregated
    each on its own: through the day map."""
    from shakhes.engine import execute

    counting = execute._counting

    def old(plan: Any, windows: Any) -> str:
        found = counting(plan, windows)
        return "day_map" if found == "pair" else found

    return mock.patch.object(execute, "_counting", old)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs())
def test_two_periods_aggregated_each_on_its_own_equal_the_day_map(request: Request) -> None:
    """Two periods (a period and the one it is compared with) are read as two aggregates one
    after the other, not through the day → period map: the same rows for any KPIs, grain,
    breakdown, filter and comparison — periods apart, adjacent or sharing days — as the day
    map gives (equal to rounding: DuckDB adds a group's rows in another order), and their
    SQL joins no day map."""
    engine = Engine(WAREHOUSE, CATALOG, shapes=False)
    plan = engine.plan(request)
    with engine._session():
        query = engine._prepare(plan)
        compiled = engine.warehouse.compile(engine._expr(query))
    assert compiled is not None
    pair = [w.index for w in query.windows] == [0, 1]
    ranged = any(not m.snapshot for m in query.plan.measures)  # (snapshots join the periods)
    if query.windows is not plan.windows or plan.request.grain.value.startswith("jalali"):
        assert ("UNION ALL" in compiled.sql) == (pair and ranged)
    day_map = day_map_table(query.windows)
    assert not pair or not any(t.equals(day_map) for t in compiled.memtables.values())
    found = rows(engine.run(request))
    with _day_map_only():
        want = rows(Engine(WAREHOUSE, CATALOG, shapes=False).run(request))
    assert [r.keys() for r in found] == [r.keys() for r in want]
    for mine, theirs in zip(found, want, strict=True):
        for column, value in mine.items():  # sums in another order: equal to rounding
            if isinstance(value, float) and isinstance(theirs[column], float):
                assert math.isclose(value, theirs[column], rel_tol=1e-12, abs_tol=1e-9), column
            else:
                assert value == theirs[column], column


def test_a_pair_of_periods_that_share_days_counts_those_days_in_each() -> None:
    """Two periods that share March and April (a period longer than a year and last year's,
    on data of more than a year): the rows of those days count in both, as through the day
    map, and each period's numbers equal a query of that period alone."""
    from shakhes.engine.execute import build_query

    engine = Engine(WAREHOUSE, CATALOG, shapes=False)
    plan = engine.plan(engine.request(["cost", "ctr"], "total", by="channel", period=(START, END)))
    first = dataclasses.replace(plan.windows[0], end=dt.date(2024, 4, 30))
    second = dataclasses.replace(plan.windows[0], index=1, start=dt.date(2024, 3, 1))
    windows = [first, second]

    def table(expr: Any) -> list[dict[str, Any]]:
        found = engine.warehouse.to_arrow(expr).to_pylist()
        return sorted(found, key=lambda r: (r["period_index"], r["channel"]))

    with engine._session():
        both = table(build_query(plan, windows, engine.warehouse))
        with _day_map_only():
            assert both == table(build_query(plan, windows, engine.warehouse))
        for w in windows:
            alone = engine.plan(engine.request(["cost", "ctr"], "total", by="channel",
                                               period=(w.start, w.end)))  # fmt: skip
            mine = [{**r, "period_index": 0} for r in both if r["period_index"] == w.index]
            assert mine and mine == table(build_query(alone, alone.windows, engine.warehouse))
