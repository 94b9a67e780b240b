"""Turn a plan into one Ibis expression and run it.

Shape of the query (``Engine.explain`` shows the SQL):

1. per table: filter to the date range and ``--where``, join to the day → period map (a slice of
   the date dimension), group by period and breakdown, compute all that table's measures in one
   pass;
2. snapshot measures (customers active at a period's start, churned within it) join the periods
   to the customers table instead;
3. a spine of every period (× every breakdown value seen) is outer-joined to each table's
   aggregate — each table is aggregated to the grain *before* joining, so nothing fans out;
4. KPI values are arithmetic over the measure columns; a zero denominator gives null.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from shakhes.data.model import table as model_table
from shakhes.data.warehouse import RATES_TABLE, Warehouse
from shakhes.engine import arrow
from shakhes.engine.calendar import Grain, period_of, window_map
from shakhes.engine.compile import (
    ZERO_WHEN_EMPTY,
    compile_aggregate,
    compile_condition,
    compile_value,
)
from shakhes.engine.planner import Measure, Plan, aggregates
from shakhes.engine.request import Window
from shakhes.formula import ast
from shakhes.formula.printer import to_text

NOT_SET = "(not set)"
"""How an empty dimension value (an export with no ad name, say) is shown in a breakdown."""

PERIOD = "period_index"


@dataclass(frozen=True)
class Literals:
    """The values of the windows that :func:`build_query` writes into the SQL as literals (the
    rest of what it reads of the windows goes as in-memory tables' data): the range every
    table is filtered to, and the first day, week start, year, month, quarter or fiscal year
    that :func:`_period_index` counts periods from. The engine compiles a query's shape with
    :data:`SENTINELS` and writes the real values in their place (:mod:`shakhes.engine.retarget`)."""

    lo: dt.date
    hi: dt.date
    first: dt.date
    first_end: dt.date
    second: dt.date
    second_end: dt.date
    anchor: dt.date
    year: int
    month: int
    quarter: int
    fiscal_year: int


def literals_of(plan: Plan, windows: Sequence[Window]) -> Literals:
    """The literals :func:`build_query` writes for ``plan`` over ``windows`` (none without
    windows: then the sentinels, which it does not write)."""
    if not windows:
        return SENTINELS
    first = windows[0].start
    second = windows[-1]
    start_month = plan.calendar.fiscal_year_start_month
    week = period_of(Grain.WEEK, first, plan.calendar).start
    return Literals(
        lo=min(w.start for w in windows),
        hi=max(w.end for w in windows),
        first=first,
        first_end=windows[0].end,
        second=second.start,
        second_end=second.end,
        anchor=week if plan.request.grain is Grain.WEEK else first,
        year=first.year,
        month=first.month,
        quarter=(first.month - 1) // 3,
        fiscal_year=first.year - (1 if first.month < start_month else 0),
    )


SENTINELS = Literals(
    lo=dt.date(1001, 1, 1),
    hi=dt.date(1002, 2, 2),
    first=dt.date(1003, 3, 3),
    first_end=dt.date(1005, 5, 5),
    second=dt.date(1006, 6, 6),
    second_end=dt.date(1007, 7, 7),
    anchor=dt.date(1004, 4, 4),
    year=1_000_000_007,
    month=1_000_000_009,
    quarter=1_000_000_021,
    fiscal_year=1_000_000_033,
)
"""Literals that no request has (days of the 11th century, integers of ten digits): the
engine compiles a query's shape with them and finds them in its SQL by their text."""


def periods_table(windows: Sequence[Window]) -> pa.Table:
    """The data of the in-memory table of the periods (:func:`build_query`'s spine)."""
    return pa.table(
        {
            PERIOD: arrow.array([w.index for w in windows], pa.int32()),
            "period_start": arrow.array([w.start for w in windows], pa.date32()),
            "period_end": arrow.array([w.end for w in windows], pa.date32()),
        }
    )


def day_map_table(windows: Sequence[Window]) -> pa.Table:
    """The data of the in-memory day → period map a table joins to where its periods are not
    arithmetic on the day (:func:`_aggregate_table`)."""
    return window_map([(w.start, w.end) for w in windows], overlapping=True)


def build_query(
    plan: Plan,
    windows: Sequence[Window],
    warehouse: Warehouse,
    convert: Mapping[str, str] | None = None,
    literals: Literals | None = None,
) -> ir.Table:
    """One Ibis expression computing every KPI of ``plan`` over ``windows``.

    Columns: ``period_index``, the breakdown dimensions, and per KPI ``i``: ``value_i``, and
    for a ratio KPI ``numerator_i`` and ``denominator_i``. ``convert`` maps a table to the
    reporting currency its money columns are converted to (through ``shakhes_rates``).
    ``literals`` replaces the values written as literals (:data:`SENTINELS`); by default
    those of ``windows``.
    """
    by = list(plan.request.by)
    if literals is None:
        literals = literals_of(plan, windows)
    periods = memtable(periods_table(windows))
    parts: list[tuple[ir.Table, list[Measure], list[str]]] = []
    lacking = _lacking(plan)
    for name in plan.tables:
        ordinary = [m for m in plan.measures if m.table == name and not m.snapshot]
        snapshot = [m for m in plan.measures if m.table == name and m.snapshot]
        if ordinary:
            target = (convert or {}).get(name)
            part = _aggregate_table(
                plan, name, ordinary, windows, literals, by, warehouse, target, lacking.get(name)
            )
            extra = [c for c in part.columns if c.startswith(_LACK)]
            parts.append((part, ordinary, extra))
        if snapshot:
            parts.append(
                (
                    _aggregate_snapshot(
                        plan, name, snapshot, periods, by, warehouse, (convert or {}).get(name)
                    ),
                    snapshot,
                    [],
                )
            )

    spine = periods.select(PERIOD)
    if by:
        combos = parts[0][0].select(*by).distinct()
        for part, _, _ in parts[1:]:
            combos = combos.union(part.select(*by), distinct=True)
        spine = spine.cross_join(combos)
    joined = spine
    for part, measures, extra in parts:
        keys = [PERIOD, *by]
        step = joined.left_join(part, [joined[k] == part[k] for k in keys])
        joined = step.select(
            *[joined[c] for c in joined.columns],
            *[part[m.name] for m in measures],
            *[part[c] for c in extra],
        )

    # Each measure as a float once; a count or sum over no rows is 0, not null — but a sum
    # over rows that all lack the value is unknown (null), never 0.
    floats = {}
    for m in plan.measures:
        col = joined[m.name].cast("float64")
        if m.aggregate.func in ZERO_WHEN_EMPTY:
            col = col.fill_null(0.0)
            if f"{_LACK}{m.name}_rows" in joined.columns:
                rows = joined[f"{_LACK}{m.name}_rows"].fill_null(0)
                known = joined[f"{_LACK}{m.name}_known"].fill_null(0)
                col = ibis.ifelse((rows > 0) & (known == 0), ibis.null("float64"), col)
        floats[m.name] = col
    joined = joined.mutate(**floats)

    def measure(agg: ast.Aggregate) -> ir.NumericValue:
        return joined[plan.measure_name(agg)]

    outputs: dict[str, ir.Value] = {}
    for i, k in enumerate(plan.kpis):
        outputs[f"value_{i}"] = compile_value(k.expr, measure, plan.params)
        if k.numerator is not None and k.denominator is not None:
            outputs[f"numerator_{i}"] = compile_value(k.numerator, measure, plan.params)
            outputs[f"denominator_{i}"] = compile_value(k.denominator, measure, plan.params)
        counts = [joined[c].fill_null(0) for c in joined.columns if c.startswith(f"{_LACK}{i}_")]
        if counts:
            outputs[f"missing_{i}"] = functools.reduce(operator.add, counts).cast("int64")
    return joined.select(PERIOD, *by, **outputs).order_by([PERIOD, *by])


def query_key(
    plan: Plan,
    windows: Sequence[Window],
    warehouse: Warehouse,
    convert: Mapping[str, str] | None = None,
    *,
    dates: bool = True,
) -> str:
    """Everything :func:`build_query` reads, as text: calls with equal keys build the same
    expression (but for the generated names of its in-memory tables), so the engine keeps its
    compiled SQL under this key across data versions. Keep it in step with build_query: the
    KPIs and measures as trees (after the KPIs that cannot be computed went out), the filter,
    the grain, breakdown and comparison, the parameters and calendar, every window's days,
    the tables converted to which currency, and the dialect and schema of every table read.

    Without ``dates``, the key of the query's shape: all but the windows' days, which reach
    the SQL only as :class:`Literals` and in-memory tables' data (see
    :mod:`shakhes.engine.retarget`), and instead of the grain, how its periods are counted
    (:func:`_counting`): the queries of a month compared with the month before and of a
    quarter compared with the quarter before are one shape, as are a month's and a
    quarter's by channel."""
    read = [*plan.tables, *([RATES_TABLE] if convert else [])]
    return repr(
        [
            warehouse.dialect,
            [(name, str(warehouse.table(name).schema())) for name in read],
            [(k.spec.id, k.expr, k.numerator, k.denominator) for k in plan.kpis],
            [(m.name, m.aggregate) for m in plan.measures],
            plan.where,
            plan.request.grain.value if dates else _counting(plan, windows),
            plan.request.by,
            plan.request.compare,
            windows is plan.windows,
            sorted(plan.params.items()),
            plan.calendar,
            [(w.index, w.start, w.end) for w in windows] if dates else None,
            sorted((convert or {}).items()),
        ]
    )


ARITHMETIC = frozenset(
    {Grain.TOTAL, Grain.DAY, Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR, Grain.FISCAL_YEAR}
)
"""The grains whose periods :func:`_period_index` counts by arithmetic on the day."""


def _counting(plan: Plan, windows: Sequence[Window]) -> str:
    """How :func:`build_query` counts each row's period, the only way the grain reaches the
    SQL: every row read in the one period when the plan has one (``one``: it reads that
    period's days only); by arithmetic on the day for the plan's own Gregorian periods (the
    grain's name); for two periods otherwise (``pair``: a period and the one it is compared
    with, or two Jalali months), each period's rows aggregated on their own and the two
    results put one after the other — DuckDB reads each range and sums it without a join or
    a computed key, in about half the time of the day map (docs/benchmarks.md); else through
    the in-memory day → period map (``day_map``). The last two are the same for every
    grain."""
    grain = plan.request.grain
    if windows is plan.windows and len(windows) == 1:
        return "one"
    if windows is plan.windows and grain in ARITHMETIC:
        return grain.value
    if [w.index for w in windows] == [0, 1]:
        return "pair"
    return "day_map"


_COUNTED_FROM = {
    Grain.DAY.value: ("first",),
    Grain.WEEK.value: ("anchor",),
    Grain.MONTH.value: ("year", "month"),
    Grain.QUARTER.value: ("year", "quarter"),
    Grain.YEAR.value: ("year",),
    Grain.FISCAL_YEAR.value: ("fiscal_year",),
}

_PAIR = ("first", "first_end", "second", "second_end")
"""The literals a ``pair`` writes instead of the range: each period's first and last day."""


def written_literals(plan: Plan, windows: Sequence[Window]) -> frozenset[str]:
    """The fields of :class:`Literals` that :func:`build_query` writes into the SQL, each
    once per table of measures over a range: the range, and what the periods are counted
    from where they are counted by arithmetic (:func:`_counting`); for a ``pair``, each
    period's first and last day instead of the range."""
    counting = _counting(plan, windows)
    if counting == "pair":
        return frozenset(_PAIR)
    return frozenset(("lo", "hi", *_COUNTED_FROM.get(counting, ())))


def memtable(data: pa.Table) -> ir.Table:
    """``ibis.memtable(data)``: the same in-memory table, named as Ibis names it. Ibis' own
    function looks up how to read its argument among every Arrow type it accepts, and the
    lookup imports ``pyarrow.dataset``, which imports pandas (an eighth of a compute)."""
    from ibis import util
    from ibis.expr import operations as ops
    from ibis.formats.pyarrow import PyArrowSchema, PyArrowTableProxy

    op = ops.InMemoryTable(
        name=util.gen_name("pyarrow_memtable"),
        schema=PyArrowSchema.to_ibis(data.schema),
        data=PyArrowTableProxy(data),
    )
    table: ir.Table = op.to_expr()
    return table


_LACK = "lack_"
"""Prefix of the columns counting rows that lack a value (see :func:`_lacking`)."""


def _lacking(plan: Plan) -> dict[str, list[tuple[str, list[ast.Aggregate]]]]:
    """Per table, the KPIs (by their column prefix) that read columns of it that may hold no
    value, and those aggregates: each table's aggregation then counts, per KPI, the rows that
    lack a value it reads (``lack_<i>_<table>``), and per such measure its rows and its known
    values (``lack_<measure>_rows``, ``lack_<measure>_known``)."""
    out: dict[str, list[tuple[str, list[ast.Aggregate]]]] = {}
    may_lack = plan.may_lack
    for i, k in enumerate(plan.kpis):
        for name in dict.fromkeys(a.table for a in may_lack.get(k.spec.id, ())):
            reads = [a for a in may_lack[k.spec.id] if a.table == name]
            out.setdefault(name, []).append((f"{_LACK}{i}_{name}", reads))
    return out


def _lacking_counts(
    plan: Plan,
    joined: ir.Table,
    measures: Sequence[Measure],
    kpis: Sequence[tuple[str, list[ast.Aggregate]]],
) -> dict[str, ir.Scalar]:
    """The counts of :func:`_lacking` for one table's aggregation over ``joined``."""
    out: dict[str, ir.Scalar] = {}
    lacking = {to_text(a) for _, reads in kpis for a in reads}
    for m in measures:
        if to_text(m.aggregate) not in lacking:
            continue
        where = _filter_of(m.aggregate, joined)
        out[f"{_LACK}{m.name}_rows"] = joined.count(where=where)
        out[f"{_LACK}{m.name}_known"] = joined[str(m.aggregate.column)].count(where=where)
    for column, reads in kpis:
        unknown = [_lacks(a, joined) for a in reads]
        out[column] = joined.count(where=functools.reduce(operator.or_, unknown))
    return out


def _filter_of(agg: ast.Aggregate, t: ir.Table) -> ir.BooleanValue | None:
    return compile_condition(agg.filter, t) if agg.filter is not None else None


def _lacks(agg: ast.Aggregate, t: ir.Table) -> ir.BooleanValue:
    """A row that ``agg`` reads and that has no value of its column."""
    missing = t[str(agg.column)].isnull()
    where = _filter_of(agg, t)
    return missing if where is None else missing & where


def _dimension(t: ir.Table, dim: str) -> ir.StringValue:
    return ibis.coalesce(t[dim], NOT_SET).name(dim)


def _filtered(plan: Plan, name: str, warehouse: Warehouse) -> ir.Table:
    t = warehouse.table(name)
    if plan.where is not None:
        t = t.filter(compile_condition(plan.where, t))
    return t


def converted(t: ir.Table, name: str, reporting: str, warehouse: Warehouse) -> ir.Table:
    """``t`` with its money columns in the reporting currency: each row's amount times the
    rate of its currency on its day (``shakhes_rates``); rows already in the reporting currency
    are unchanged, and a row without a rate gets null (the engine checks for those first)."""
    rates = warehouse.table(RATES_TABLE)
    day = t[model_table(name).time_column]
    joined = t.left_join(rates, [day == rates.date, t.currency == rates.currency])
    factor = ibis.ifelse(t.currency == reporting, 1.0, rates.rate)
    money = [c.name for c in model_table(name).columns if c.unit == "currency"]
    return joined.select(
        *[t[c] for c in t.columns if c not in money],
        **{c: t[c] * factor for c in money},
    )


def missing_rates(
    plan: Plan, name: str, windows: Sequence[Window], reporting: str, warehouse: Warehouse
) -> list[tuple[str, Any, int]]:
    """(currency, first day, days) of the rows the plan reads that have no rate."""
    time_col = model_table(name).time_column
    t = _read_rows(plan, name, windows, warehouse)
    rates = warehouse.table(RATES_TABLE)
    joined = t.left_join(rates, [t[time_col] == rates.date, t.currency == rates.currency])
    lacking = joined.filter((t.currency != reporting) & rates.rate.isnull())
    found = warehouse.to_arrow(
        lacking.group_by(currency=t.currency).aggregate(
            first=t[time_col].min(), days=t[time_col].nunique()
        )
    )
    return [
        (str(c), d, int(n))
        for c, d, n in zip(
            found["currency"].to_pylist(),
            found["first"].to_pylist(),
            found["days"].to_pylist(),
            strict=True,
        )
    ]


def _read_rows(plan: Plan, name: str, windows: Sequence[Window], warehouse: Warehouse) -> ir.Table:
    """The rows of ``name`` a plan reads over ``windows``: those in the range, or, for a table
    with snapshot measures (customers), every row up to the range's end."""
    time_col = model_table(name).time_column
    t = _filtered(plan, name, warehouse)
    hi = ibis.literal(max(w.end for w in windows), "date")
    if any(m.snapshot for m in plan.measures if m.table == name):
        return t.filter(t[time_col] <= hi)
    lo = ibis.literal(min(w.start for w in windows), "date")
    return t.filter(t[time_col].between(lo, hi))


def date_bounds(
    warehouse: Warehouse, name: str, columns: Sequence[str]
) -> dict[str, tuple[dt.date, dt.date] | None]:
    """The first and last day in each of ``columns`` of table ``name`` (None for a column with
    no value), in one query (plain SQL over the data model's identifiers: it needs no Ibis)."""
    bounds = ", ".join(f"min({_quoted(c)}), max({_quoted(c)})" for c in columns)
    (found,) = warehouse.fetchall(f"SELECT {bounds} FROM {_quoted(model_table(name).name)}")
    out: dict[str, tuple[dt.date, dt.date] | None] = {}
    for i, column in enumerate(columns):
        lo, hi = found[2 * i], found[2 * i + 1]
        out[column] = None if lo is None or hi is None else (_day(lo), _day(hi))
    return out


def table_currencies(warehouse: Warehouse, name: str) -> set[str]:
    """Every currency table ``name`` holds."""
    rows = warehouse.fetchall(f"SELECT DISTINCT currency FROM {_quoted(model_table(name).name)}")
    return {str(c) for (c,) in rows if c is not None}


def _quoted(identifier: str) -> str:
    """An identifier of the data model, quoted for SQL (``date`` is a reserved word)."""
    return '"' + identifier.replace('"', '""') + '"'


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _adds_money(agg: ast.Aggregate) -> bool:
    if agg.column is None or agg.func in ("count", "count_distinct"):
        return False
    return model_table(agg.table).column(agg.column).unit == "currency"


def money_tables(plan: Plan) -> list[str]:
    """Tables whose money columns (cost, revenue, …) the plan adds up."""
    tables = [m.table for m in plan.measures if _adds_money(m.aggregate)]
    return list(dict.fromkeys(tables))


def money_kpis(plan: Plan, tables: Iterable[str]) -> list[str]:
    """The plan's KPIs that add up money columns of any of ``tables``."""
    wanted = set(tables)
    return [
        k.spec.id
        for k in plan.kpis
        if any(_adds_money(a) and a.table in wanted for a in aggregates(k.expr))
    ]


def currencies_in(
    plan: Plan, name: str, windows: Sequence[Window], warehouse: Warehouse
) -> set[str]:
    """The currencies of the rows of ``name`` that the plan reads over ``windows``."""
    t = _read_rows(plan, name, windows, warehouse)
    found = warehouse.to_arrow(t.select("currency").distinct())
    return {c for c in found.column("currency").to_pylist() if c is not None}


def _aggregate_table(
    plan: Plan,
    name: str,
    measures: list[Measure],
    windows: Sequence[Window],
    literals: Literals,
    by: list[str],
    warehouse: Warehouse,
    convert_to: str | None = None,
    lacking: Sequence[tuple[str, list[ast.Aggregate]]] | None = None,
) -> ir.Table:
    time_col = model_table(name).time_column
    t = _filtered(plan, name, warehouse)
    if convert_to is not None:
        t = converted(t, name, convert_to, warehouse)
    counting = _counting(plan, windows)

    def aggregate(rows: ir.Table) -> ir.Table:
        keys = [rows[PERIOD], *(_dimension(rows, d) for d in by)]
        extra = _lacking_counts(plan, rows, measures, lacking) if lacking else {}
        return rows.group_by(keys).aggregate(
            **{m.name: compile_aggregate(m.aggregate, rows) for m in measures}, **extra
        )

    if counting == "pair":
        # Each period's rows on their own: a day both periods share counts in each, as
        # through the day map.
        ranges = ((literals.first, literals.first_end), (literals.second, literals.second_end))
        day, each = t[time_col], []
        for i, (first, last) in enumerate(ranges):
            rows = t.filter(day.between(ibis.literal(first, "date"), ibis.literal(last, "date")))
            each.append(aggregate(rows.mutate(**{PERIOD: ibis.literal(i, "int32")})))
        return each[0].union(each[1], distinct=False)
    lo, hi = ibis.literal(literals.lo, "date"), ibis.literal(literals.hi, "date")
    t = t.filter(t[time_col].between(lo, hi))
    index = None
    if counting == "one":
        index = ibis.literal(0, "int32")
    elif counting != "day_map":
        index = _period_index(plan, t[time_col], literals)
    if index is not None:
        joined = t.mutate(**{PERIOD: index})
    else:
        # A period and the one it is compared with can share days: such a day is in the map
        # once per window, and its rows count in each (an equality join on the day, which
        # DuckDB runs some ten times faster than a join on the windows' ranges).
        day_map = memtable(day_map_table(windows))
        joined = t.join(day_map, t[time_col] == day_map.date)
    return aggregate(joined)


def _period_index(plan: Plan, day: ir.DateValue, at: Literals) -> ir.IntegerValue | None:
    """The output period of each row as arithmetic on its date, for the plan's own contiguous
    Gregorian periods (cheaper than a join), counted from the first period (``at``: see
    :func:`literals_of`). None where a join to the day map is needed (Jalali grains,
    comparison windows)."""
    grain = plan.request.grain
    if grain is Grain.TOTAL:
        return ibis.literal(0, "int32")
    if grain is Grain.DAY:
        return day.delta(ibis.literal(at.first, "date"), unit="day").cast("int32")
    if grain is Grain.WEEK:
        return (day.delta(ibis.literal(at.anchor, "date"), unit="day") // 7).cast("int32")
    years = (day.year() - ibis.literal(at.year, "int32")).cast("int32")
    if grain is Grain.MONTH:
        return years * 12 + (day.month() - ibis.literal(at.month, "int32")).cast("int32")
    if grain is Grain.QUARTER:
        quarter = ibis.literal(at.quarter, "int32")
        return years * 4 + (day.quarter() - quarter - 1).cast("int32")
    if grain is Grain.YEAR:
        return years
    if grain is Grain.FISCAL_YEAR:
        start_month = plan.calendar.fiscal_year_start_month
        fiscal_year = day.year() - (day.month() < start_month).cast("int32")
        return (fiscal_year - ibis.literal(at.fiscal_year, "int32")).cast("int32")
    return None


def _aggregate_snapshot(
    plan: Plan,
    name: str,
    measures: list[Measure],
    periods: ir.Table,
    by: list[str],
    warehouse: Warehouse,
    convert_to: str | None = None,
) -> ir.Table:
    """Customers active at each period's start (acquired before it, not churned before it) and
    those of them churned within it. Amounts are converted at the rate of the day the
    customer was acquired."""
    c = _filtered(plan, name, warehouse)
    if convert_to is not None:
        c = converted(c, name, convert_to, warehouse)
    pairs = c.join(periods, c.acquired_date < periods.period_start)
    keys = [pairs[PERIOD], *(_dimension(pairs, d) for d in by)]
    still_active = pairs.churned_date.isnull() | (pairs.churned_date >= pairs.period_start)
    churned = pairs.churned_date.between(pairs.period_start, pairs.period_end)
    out = {}
    for m in measures:
        cond = still_active if m.aggregate.func == "active_at_start" else churned
        if m.aggregate.filter is not None:
            cond = cond & compile_condition(m.aggregate.filter, pairs)
        column = m.aggregate.column
        out[m.name] = pairs.count(where=cond) if column is None else pairs[column].sum(where=cond)
    return pairs.group_by(keys).aggregate(**out)
