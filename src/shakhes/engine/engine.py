"""The engine: plan a request, run it on the warehouse, shape and cache the result.

>>> engine = Engine(warehouse, definitions)                           # doctest: +SKIP
>>> engine.compute(["ctr", "cpc"], grain="month", by=["channel"])     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from shakhes.data.model import ColumnType
from shakhes.data.model import table as model_table
from shakhes.data.warehouse import Compiled, Warehouse
from shakhes.engine import arrow
from shakhes.engine.calendar import DIMENSION_END, DIMENSION_START, CalendarSettings, Grain
from shakhes.engine.columns import BASE_COLUMNS as BASE_COLUMNS
from shakhes.engine.columns import COMPARE_COLUMNS as COMPARE_COLUMNS
from shakhes.engine.execute import (
    PERIOD,
    build_query,
    currencies_in,
    date_bounds,
    missing_rates,
    money_kpis,
    money_tables,
    query_key,
    table_currencies,
)
from shakhes.engine.planner import DateRange, Plan, comparison_windows, plan_request
from shakhes.engine.request import Compare, Request, Window
from shakhes.engine.retarget import Template, retarget, template
from shakhes.engine.shape import compare, to_long
from shakhes.errors import InternalError, QueryError, ShakhesError
from shakhes.spec.kpi import KpiSpec

if TYPE_CHECKING:
    import pandas as pd

Connect = Callable[[], AbstractContextManager[Callable[[], Warehouse]]]
"""A turn on the warehouse (a workspace's read session) that gives a function connecting on
first call: a result the cache holds is answered without a connection."""
"""Opens a warehouse connection for one call of the engine (a workspace's read session)."""


@dataclass(frozen=True)
class Result:
    """A computed request in long form: one row per period × breakdown value × KPI.

    ``table`` (Arrow; :attr:`frame` is the same as a pandas DataFrame) has the columns
    ``period_index``, ``period_start, period_end`` (the days the value covers),
    ``period_label, period_label_fa``, one column per breakdown dimension, ``kpi, value,
    numerator, denominator`` (for ratio KPIs), ``complete`` (see :meth:`Plan.complete`; null
    for a KPI not computed), and with a comparison ``previous_start, previous_end,
    previous_value, previous_complete, change, change_pct``. Every KPI asked for has its rows;
    one that could not be computed has null values and its reason in :attr:`errors`.
    """

    request: Request
    plan: Plan
    table: pa.Table
    from_cache: bool = False
    currency: str | None = None
    """The currency of every money value in the result (None when it has no money KPI or no
    money rows)."""
    compared: pa.Table | None = None
    """With a comparison, the rows of the periods compared with, in the same long form
    (without the comparison's columns; ``period_index`` that of the period each is compared
    with): what "why did it move" splits by segment (:mod:`shakhes.service.why`)."""

    @cached_property
    def frame(self) -> pd.DataFrame:
        """:attr:`table` as a pandas DataFrame (made on first use: pandas is imported then).
        True/false columns (``complete``) hold Python ``True``, ``False`` and ``None``."""
        frame: pd.DataFrame = self.table.to_pandas()
        for field in self.table.schema:
            if pa.types.is_boolean(field.type):
                frame[field.name] = frame[field.name].astype(object)
        return frame

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries, column → value (Python dates, floats with NaN for none)."""
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    @property
    def errors(self) -> dict[str, ShakhesError]:
        """KPI id → why it could not be computed (its values are null), in the order asked."""
        return dict(self.plan.failures)

    def value(self, kpi: str, period_label: str | None = None, **dims: str) -> float | None:
        """One value, for tests and scripts.

        >>> result.value("ctr", "2024-03", channel="search")  # doctest: +SKIP
        """
        wanted = {"kpi": kpi, **({"period_label": period_label} if period_label else {}), **dims}
        rows = [r for r in self.records() if all(r[c] == v for c, v in wanted.items())]
        if len(rows) != 1:
            raise QueryError(f"{len(rows)} rows match {kpi} {period_label} {dims}, expected 1")
        v = rows[0]["value"]
        return None if v is None or math.isnan(v) else float(v)


V = TypeVar("V")


class _Recent(Generic[V]):
    """The ``size`` values used most recently, by key (the least recently used dropped
    first), safe to share between threads: a lock held only to read or update the map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, key: str) -> tuple[bool, V | None]:
        """Whether ``key`` is kept, and its value."""
        with self._lock:
            if key not in self._values:
                return False, None
            self._values.move_to_end(key)
            return True, self._values[key]

    def get(self, key: str) -> V | None:
        return self.find(key)[1]

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            if len(self._values) > self._size:
                self._values.popitem(last=False)

    def values(self) -> list[V]:
        with self._lock:
            return list(self._values.values())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class _Query:
    """The one query :meth:`Engine.run` executes for a plan, and what reads its rows."""

    plan: Plan
    """The plan computed (without the KPIs that lack exchange rates)."""
    windows: Sequence[Window]
    """The periods the query computes: the plan's own, then those they are compared with."""
    other: list[Window]
    """The periods compared with (empty without a comparison)."""
    currency: str | None
    convert: dict[str, str]
    """The tables whose money is converted to ``currency`` (see :meth:`Engine._currency`)."""


@dataclass(frozen=True)
class Explanation:
    plan: str
    sql: str

    def __str__(self) -> str:
        return f"{self.plan}\n\n{self.sql}"


class Engine:
    """Computes KPIs from a workspace's definitions over its warehouse.

    Safe to call from many threads. Built on a ``Connect`` (a workspace's read sessions), each
    call runs on a connection of its own, so calls run in parallel; built on one
    :class:`Warehouse` (tests, scripts), calls take turns on it. What the engine remembers —
    results, the currencies and date ranges of each table, table schemas — is kept across
    calls, keyed by the data version (``version``) and the definitions; the SQL of the queries
    run (on DuckDB) is kept across data versions, keyed by what it is built from.
    """

    def __init__(
        self,
        warehouse: Warehouse | Connect,
        definitions: Mapping[str, KpiSpec],
        *,
        calendar: CalendarSettings | None = None,
        params: Mapping[str, float] | None = None,
        version: Callable[[], Hashable] = lambda: 0,
        cache_size: int = 256,
        currency: str | None = None,
        shapes: bool = True,
    ) -> None:
        if isinstance(warehouse, Warehouse):
            self._fixed: Warehouse | None = warehouse
            self._connect: Connect = _fixed_turn(warehouse)
        else:
            self._fixed = None
            self._connect = warehouse
        self.currency = currency
        """The reporting currency amounts in other currencies are converted to (with rates)."""
        self.definitions = dict(definitions)
        self.calendar = calendar or CalendarSettings()
        self.params = dict(params or {})
        self._version = version
        self._cache: _Recent[tuple[pa.Table, str | None, Plan, pa.Table | None]] = _Recent(
            cache_size
        )
        self._compiled: _Recent[Compiled] = _Recent(cache_size)
        """The SQL of queries run on DuckDB, by :func:`query_key` (see :meth:`_execute`)."""
        self._shapes: _Recent[Template | None] = _Recent(cache_size)
        """The SQL of query shapes, by :func:`query_key` without the dates (see :meth:`_execute`;
        None for a shape that cannot be re-targeted); only if ``shapes``."""
        self._use_shapes = shapes
        self._currency_cache: dict[tuple[str, str], set[str]] = {}
        self._range_cache: dict[tuple[str, str], dict[str, DateRange | None]] = {}
        self._schemas: tuple[str, dict[str, ibis.Table]] = ("", {})
        self._lock = threading.Lock()
        """Guards the currencies, ranges and schemas; held only to read or update them, never
        while querying (the results and SQL guard themselves: :class:`_Recent`)."""
        self._local = threading.local()
        self._definitions_key = _digest(
            {k: v.model_dump(mode="json") for k, v in sorted(self.definitions.items())}
        )

    @property
    def warehouse(self) -> Warehouse:
        """The connection of this thread's current call, or the warehouse the engine was built
        on."""
        current: Warehouse | None = getattr(self._local, "warehouse", None)
        if current is not None:
            return current
        connect: Callable[[], Warehouse] | None = getattr(self._local, "connect", None)
        if connect is not None:  # the call's first query: connect now
            current = connect()
            current.use_tables(self._local.tables)
            self._local.warehouse = current
            return current
        if self._fixed is None:
            raise InternalError("this engine connects per call; outside a call it has none")
        return self._fixed

    @contextmanager
    def _session(self) -> Iterator[str]:
        """Run the block in a turn of this thread on the warehouse: the current call's, else a
        new one, whose connection is made on the first query (:attr:`warehouse`; its table
        schemas come from the cache of the data version). Yields the data version, read once
        per call, in the turn and before the first query."""
        if getattr(self._local, "version", None) is not None:
            yield self._local.version
            return
        with self._connect() as connect:
            version = repr(self._version())
            with self._lock:
                if self._schemas[0] != version:
                    self._schemas = (version, {})
                tables = self._schemas[1]
            self._local.connect, self._local.tables = connect, tables
            self._local.warehouse, self._local.version = None, version
            try:
                yield version
            finally:
                self._local.warehouse = self._local.version = None
                self._local.connect = self._local.tables = None

    # ---- public API ---------------------------------------------------------------------------

    def request(
        self,
        kpis: Sequence[str] | str,
        grain: Grain | str = Grain.MONTH,
        by: Sequence[str] | str = (),
        period: tuple[dt.date | None, dt.date | None] | None = None,
        where: str | None = None,
        compare: Compare | None = None,
    ) -> Request:
        """Normalise arguments into a :class:`Request` (strings split on commas)."""
        if isinstance(kpis, str):
            kpis = [k.strip() for k in kpis.split(",") if k.strip()]
        if isinstance(by, str):
            by = [d.strip() for d in by.split(",") if d.strip()]
        try:
            grain = Grain(grain)
        except ValueError:
            raise QueryError(
                f"unknown grain '{grain}'",
                code="unknown_grain",
                params={"grain": str(grain)},
                hint=f"Grains: {', '.join(g.value for g in Grain)}.",
            ) from None
        if compare not in (None, "previous", "last_year"):
            raise QueryError(
                f"unknown comparison '{compare}'",
                code="unknown_comparison",
                params={"compare": str(compare)},
                hint="Compare with 'previous' or 'last_year'.",
            )
        start, end = period or (None, None)
        for day in (start, end):
            if day is not None and not DIMENSION_START <= day <= DIMENSION_END:
                raise QueryError(
                    f"{day} is outside the calendar shakhes knows "
                    f"({DIMENSION_START.year}–{DIMENSION_END.year})",
                    code="outside_calendar",
                )
        return Request(
            tuple(kpis), grain, tuple(dict.fromkeys(by)), start, end, where or None, compare
        )

    def plan(self, request: Request) -> Plan:
        with self._session():
            return plan_request(
                request,
                self.definitions,
                calendar=self.calendar,
                params=self.params,
                data_range=self._data_range,
            )

    def compute(
        self,
        kpis: Sequence[str] | str,
        grain: Grain | str = Grain.MONTH,
        by: Sequence[str] | str = (),
        period: tuple[dt.date | None, dt.date | None] | None = None,
        where: str | None = None,
        compare: Compare | None = None,
    ) -> Result:
        """Compute ``kpis`` per ``grain`` period (× ``by`` dimensions) over ``period``.

        Ratio KPIs are ratios of sums at every grain; KPIs over several tables aggregate each
        table first; every period in the range appears; a zero denominator gives null.
        """
        return self.run(self.request(kpis, grain, by, period, where, compare))

    def run(self, request: Request) -> Result:
        """Compute ``request`` (or take it from the cache), on a connection of its own."""
        with self._session() as version:
            return self._run(request, version)

    def _run(self, request: Request, version: str) -> Result:
        plan = self.plan(request)
        key = _digest(
            [
                self._definitions_key,
                asdict(request),
                plan.params,
                asdict(self.calendar),
                version,
                str(plan.start),
                str(plan.end),
            ]
        )
        cached = self._cache.get(key)
        if cached is not None:
            table, currency, plan, compared = cached
            return Result(
                request, plan, table, from_cache=True, currency=currency, compared=compared
            )
        query = self._prepare(plan)
        plan = query.plan
        table = to_long(plan, query.windows, self._execute(query))
        previous: pa.Table | None = None
        if request.compare:
            n = len(plan.windows)
            index = arrow.numbers(table.column(PERIOD), pa.int32(), 0)
            mine = index < n
            current = table.filter(arrow.array(mine, pa.bool_()))
            previous = table.filter(arrow.array(~mine, pa.bool_()))
            previous = previous.set_column(
                previous.schema.get_field_index(PERIOD),
                PERIOD,
                arrow.array(index[~mine] - n, pa.int32()),
            )
            table = compare(plan, current, previous, query.other)
        self._cache.put(key, (table, query.currency, plan, previous))
        return Result(request, plan, table, currency=query.currency, compared=previous)

    def _prepare(self, plan: Plan) -> _Query:
        """The query :meth:`run` executes for ``plan`` (what :meth:`sql` shows): the windows
        (with a comparison, the compared periods after the plan's own), the currency, and the
        plan without the KPIs that cannot be computed for want of exchange rates."""
        request = plan.request
        windows: Sequence[Window] = plan.windows  # (this very tuple: see _period_index)
        other: list[Window] = []
        if request.compare:
            # One query over the periods and the periods they are compared with, so both sides
            # share one spine: a campaign that stopped shows a drop to 0, not a missing row.
            other = comparison_windows(plan, request.compare, self.calendar)
            n = len(plan.windows)
            windows = [*plan.windows, *(replace(w, index=w.index + n) for w in other)]
        currency, convert, failures = self._currency(plan, windows)
        if failures:
            # Those KPIs get null and the reason; the rest compute (over the same windows).
            plan = plan.without(failures)
            windows = plan.windows if not request.compare else windows
        return _Query(plan, windows, other, currency, convert)

    def _expr(self, query: _Query) -> ir.Table:
        """The Ibis expression of ``query``, built anew (what :meth:`sql` and :meth:`explain`
        show, and :meth:`_execute` compiles)."""
        return build_query(query.plan, query.windows, self.warehouse, query.convert)

    def _execute(self, query: _Query) -> pa.Table:
        """The wide rows of ``query``. Its SQL is kept across data versions, by everything it
        is built from (:func:`query_key`): after an import the same requests run again
        without building and compiling their expressions (a hundredth of a second each); a
        query of a shape seen with other dates gets the shape's SQL with its own
        (:meth:`_retargeted`). On backends other than DuckDB the expression runs Ibis' own
        way, built afresh."""
        warehouse = self.warehouse
        if warehouse.dialect != "duckdb":
            return warehouse.to_arrow(self._expr(query))
        key = hashlib.sha256(
            query_key(query.plan, query.windows, warehouse, query.convert).encode()
        ).hexdigest()
        compiled = self._compiled.get(key)
        fresh = compiled is None
        if compiled is None and self._use_shapes:
            compiled = self._retargeted(query)
        if compiled is None:
            expr = self._expr(query)
            compiled = warehouse.compile(expr)
            if compiled is None:
                return warehouse.to_arrow(expr)
        if fresh:
            self._compiled.put(key, compiled)
        return warehouse.run(compiled)

    def _retargeted(self, query: _Query) -> Compiled | None:
        """The SQL of ``query`` from the SQL of its shape (:mod:`shakhes.engine.retarget`):
        a KPI page of one month runs the queries of another's with other dates, and builds and
        compiles none of them again. The shape is compiled on its first query; None where it
        cannot be re-targeted (then the query compiles as before)."""
        warehouse = self.warehouse
        key = hashlib.sha256(
            query_key(query.plan, query.windows, warehouse, query.convert, dates=False).encode()
        ).hexdigest()
        known, shape = self._shapes.find(key)
        if not known:
            shape = template(query.plan, query.windows, warehouse, query.convert)
            self._shapes.put(key, shape)
        if shape is None or not query.windows:  # (no windows: no literals to write)
            return None
        return retarget(shape, query.plan, query.windows)

    def _currency(
        self, plan: Plan, windows: Sequence[Window]
    ) -> tuple[str | None, dict[str, str], dict[str, ShakhesError]]:
        """The one currency of the money the plan adds up, the tables whose amounts must be
        converted to it through the rates table, and the KPIs that cannot be computed for
        want of rates. Amounts in different currencies are never added as they are: converted
        when the workspace has a reporting currency and rates for every row; otherwise the KPIs
        that add them up are not computed (the others are)."""
        if "currency" in plan.request.by:
            return None, {}, {}  # each row is in the currency it is broken down by
        per_table: dict[str, set[str]] = {}
        for name in money_tables(plan):
            stored = self._table_currencies(name)
            per_table[name] = (
                stored if len(stored) <= 1 else currencies_in(plan, name, windows, self.warehouse)
            )
        found = set().union(*per_table.values()) if per_table else set()
        if len(found) <= 1:
            return (found.pop() if found else None), {}, {}
        reporting = self.currency
        if reporting is None:
            mixed = QueryError(
                f"these amounts are in {len(found)} currencies ({', '.join(sorted(found))}); "
                "adding them up without exchange rates would give a wrong number",
                code="mixed_currencies",
                params={"currencies": sorted(found), "example": sorted(found)[0]},
                hint="Filter one currency, or break down by currency.",
            )
            return None, {}, {kpi: mixed for kpi in money_kpis(plan, per_table)}
        convert = {t: reporting for t, cs in per_table.items() if cs - {reporting}}
        failures: dict[str, ShakhesError] = {}
        for name in list(convert):
            lacking = missing_rates(plan, name, windows, reporting, self.warehouse)
            if lacking:
                code, first, days = lacking[0]
                error = QueryError(
                    f"{name} has amounts in {code} on {days} day(s) without an exchange rate to "
                    f"{reporting} (the first: {first})",
                    code="missing_rates",
                    params={"currency": code, "reporting": reporting, "table": name},
                    hint="Load exchange rates (date, currency, rate), or filter that currency out.",
                )
                failures.update({kpi: error for kpi in money_kpis(plan, [name])})
                del convert[name]
        return reporting, convert, failures

    def _table_currencies(self, name: str) -> set[str]:
        """Every currency a table holds, cached per data version: most tables hold one, and
        then no request needs to check its rows."""
        with self._session() as version:
            key = (name, version)
            with self._lock:
                known = self._currency_cache.get(key)
            if known is None:
                known = table_currencies(self.warehouse, name)
                with self._lock:  # keep only the current data version's (a server lives long)
                    stale = [k for k in self._currency_cache if k[1] != version]
                    for old in stale:
                        del self._currency_cache[old]
                    self._currency_cache[key] = known
            return known

    def expression(self, request: Request) -> ibis.Table:
        """The Ibis expression :meth:`run` executes for ``request`` (never from the cache): one
        row per period × breakdown value, with ``period_index``, the breakdown dimensions and
        per KPI ``i`` its ``value_i`` (and ``numerator_i``, ``denominator_i``, ``missing_i``
        where it has them). With a comparison, the compared periods follow the request's own
        (``period_index`` from the number of periods on)."""
        with self._session():
            return self._expr(self._prepare(self.plan(request)))

    def sql(self, request: Request, dialect: str | None = None) -> str:
        """The SQL :meth:`run` executes for ``request``, in ``dialect`` (one of Ibis' SQL
        compilers: ``bigquery``, ``snowflake``, ``mssql``, …; the warehouse's by default). It
        names the small tables the engine passes as data (the periods, a day → period map)
        ``ibis_pyarrow_memtable_…``; they are not in the warehouse.

        >>> print(engine.sql(engine.request("ctr"), "bigquery"))  # doctest: +SKIP
        """
        with self._session():
            expr = self._expr(self._prepare(self.plan(request)))
            return str(ibis.to_sql(expr, dialect=dialect or self.warehouse.dialect))

    def explain(self, request: Request) -> Explanation:
        """The plan and the SQL the engine runs for ``request``."""
        with self._session():
            query = self._prepare(self.plan(request))
            sql = str(ibis.to_sql(self._expr(query), dialect=self.warehouse.dialect))
        return Explanation(query.plan.describe(), sql)

    def clear_cache(self) -> None:
        """Forget cached results, compiled SQL and what was learnt about the data (ranges,
        currencies)."""
        with self._lock:
            self._cache.clear()
            self._compiled.clear()
            self._shapes.clear()
            self._range_cache.clear()
            self._currency_cache.clear()

    # ---- internals ----------------------------------------------------------------------------

    def _data_range(self, table: str, column: str) -> DateRange | None:
        """The first and last day in a date column, from one query per table for all its date
        columns, cached per data version."""
        with self._session() as version:
            key = (table, version)
            with self._lock:
                known = self._range_cache.get(key)
            if known is None:
                columns = [c.name for c in model_table(table).columns if c.type is ColumnType.DATE]
                known = date_bounds(self.warehouse, table, columns)
                with self._lock:  # keep only the current data version's (a server lives long)
                    for old in [k for k in self._range_cache if k[1] != version]:
                        del self._range_cache[old]
                    self._range_cache[key] = known
            return known[column]


def _fixed_turn(warehouse: Warehouse) -> Connect:
    """The turns of an engine built on one warehouse: the warehouse's own sessions."""

    @contextmanager
    def turn() -> Iterator[Callable[[], Warehouse]]:
        with warehouse.session() as connected:
            yield lambda: connected

    return turn


def _digest(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()
