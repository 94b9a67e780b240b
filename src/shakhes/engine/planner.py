"""Plan a request: resolve KPIs into measures per table, check the breakdown, lay out windows.

The plan is frozen data; :mod:`shakhes.engine.execute` turns it into one Ibis expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from shakhes.data.model import Additivity, ColumnType, table
from shakhes.engine.calendar import (
    CalendarSettings,
    Grain,
    Period,
    comparison_window,
    period_of,
    periods,
    total_comparison,
    total_period,
)
from shakhes.engine.request import Request, Window
from shakhes.errors import (
    FormulaError,
    FormulaIssue,
    Issue,
    QueryError,
    ShakhesError,
    UnknownKpiError,
    nearest,
)
from shakhes.formula import ast
from shakhes.formula.check import check_condition, check_formula
from shakhes.formula.parser import parse_condition, parse_formula
from shakhes.formula.printer import to_text
from shakhes.spec.kpi import KpiSpec

DEFAULT_PARAMS: Mapping[str, float] = {"gross_margin": 1.0}
"""Parameters every workspace has; ``shakhes.toml`` ``[parameters]`` overrides them."""

DateRange = tuple[dt.date, dt.date]
ColumnRange = Callable[[str, str], DateRange | None]
"""``(table, date column)`` → the first and last day in that column (None: no data)."""


@dataclass(frozen=True)
class Measure:
    """One aggregate over one table, computed once however many KPIs use it."""

    name: str
    aggregate: ast.Aggregate

    @property
    def table(self) -> str:
        return self.aggregate.table

    @property
    def snapshot(self) -> bool:
        return self.aggregate.func in ast.SNAPSHOT_FUNCS

    @property
    def date_columns(self) -> tuple[str, ...]:
        """The date columns that place the measure's rows in time: the table's time column, and
        for a snapshot measure (customers active at a period's start, churned in it) every date
        column of the table (acquired and churned)."""
        tbl = table(self.table)
        if self.snapshot:
            return tuple(c.name for c in tbl.columns if c.type is ColumnType.DATE)
        return (tbl.time_column,)


@dataclass(frozen=True)
class PlannedKpi:
    spec: KpiSpec
    expr: ast.Expr
    """The formula with every KPI reference replaced by that KPI's own (expanded) formula."""
    numerator: ast.Expr | None
    denominator: ast.Expr | None
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    request: Request
    start: dt.date
    end: dt.date
    kpis: tuple[PlannedKpi, ...]
    """The KPIs that can be computed (those that cannot are in ``failures``)."""
    measures: tuple[Measure, ...]
    windows: tuple[Window, ...]
    where: ast.Condition | None
    params: Mapping[str, float] = field(default_factory=dict)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    failures: Mapping[str, ShakhesError] = field(default_factory=dict)
    """KPI id → why it cannot be computed (its values are null; the other KPIs compute)."""
    coverage: Mapping[str, DateRange | None] = field(default_factory=dict)
    """KPI id → the days on which every table it reads has data (None: one of them is empty)."""

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.table for m in self.measures))

    @property
    def may_lack(self) -> dict[str, tuple[ast.Aggregate, ...]]:
        """KPI id → the aggregates it reads over columns that may hold no value (reach, leads,
        a deal's value…: an export can leave them empty, and empty is unknown, never 0), for
        the KPIs that read any. For those, the result says how many rows lacked a value."""
        out: dict[str, tuple[ast.Aggregate, ...]] = {}
        for k in self.kpis:
            found = tuple(dict.fromkeys(a for a in aggregates(k.expr) if can_lack(a)))
            if found:
                out[k.spec.id] = found
        return out

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        """Every KPI asked for, in the order asked, computed or not."""
        return tuple(dict.fromkeys(self.request.kpis))

    def measure_name(self, agg: ast.Aggregate) -> str:
        """The measure column computing ``agg`` (aggregates are matched by their text)."""
        return self._measure_names[to_text(agg)]

    @cached_property
    def _measure_names(self) -> dict[str, str]:
        return {to_text(m.aggregate): m.name for m in self.measures}

    def complete(self, window: Window, kpi: str) -> bool:
        """Whether ``window`` is a complete period for ``kpi``: every day of its calendar
        period is inside the requested range and inside the days all of the KPI's tables have
        data on. (A window of the ``total`` grain is the requested range itself.)"""
        return window.whole and _covers(self.coverage.get(kpi), window.start, window.end)

    def covered(self, window: Window, kpi: str) -> bool:
        """Whether every day of ``window`` (say, the days a period is compared with) is inside
        the days all of the KPI's tables have data on."""
        return _covers(self.coverage.get(kpi), window.start, window.end)

    def without(self, failures: Mapping[str, ShakhesError]) -> Plan:
        """This plan with the KPIs of ``failures`` moved out of the computation."""
        kpis = tuple(k for k in self.kpis if k.spec.id not in failures)
        if not kpis:
            raise _nothing_computable({**self.failures, **failures}, self.kpi_ids)
        return replace(
            self,
            kpis=kpis,
            measures=_measures(kpis),
            failures=_ordered({**self.failures, **failures}, self.kpi_ids),
        )

    def describe(self) -> str:
        """A readable account of the plan, one line per step."""
        r = self.request
        lines = [
            f"request: {', '.join(r.kpis)} by {r.grain.value}"
            + (f" × {', '.join(r.by)}" if r.by else "")
            + f", {self.start} … {self.end} ({len(self.windows)} periods)"
            + (f", where {r.where}" if r.where else "")
            + (f", compared with {r.compare.replace('_', ' ')}" if r.compare else ""),
        ]
        for tbl in self.tables:
            ms = [m for m in self.measures if m.table == tbl]
            kind = "snapshot per period" if ms[0].snapshot else "one aggregation pass"
            lines.append(f"table {tbl} ({kind}):")
            lines += [f"  {m.name} = {to_text(m.aggregate)}" for m in ms]
        lines.append(
            "combine: outer-join every table's aggregate on the period"
            + (" and " + ", ".join(r.by) if r.by else "")
            + " spine, then:"
        )
        for k in self.kpis:
            lines.append(f"  {k.spec.id} = {to_text(k.expr)}")
        for kpi_id, error in self.failures.items():
            lines.append(f"not computed: {kpi_id} ({error.message})")
        return "\n".join(lines)


def plan_request(
    request: Request,
    definitions: Mapping[str, KpiSpec],
    *,
    calendar: CalendarSettings,
    params: Mapping[str, float],
    data_range: ColumnRange | None = None,
) -> Plan:
    """Resolve, check and lay out ``request``.

    Errors in the request itself (no or unknown KPI ids, an unknown or impossible breakdown
    dimension, a filter that does not parse or fits none of the KPIs, a bad range) raise. A KPI
    that cannot be computed as asked (its formula is broken, its tables lack a breakdown
    dimension or a filter column, it sums a non-additive column over several days) goes to
    ``failures`` and the others are planned; when none is left, that is raised.
    """
    params = {**DEFAULT_PARAMS, **params}
    ids = tuple(dict.fromkeys(request.kpis))
    if not ids:
        raise QueryError(
            "no KPI asked for", code="no_kpi", hint="Name one or more KPIs, e.g. ctr,cpc."
        )
    resolver = _Resolver(definitions, params)
    for kpi_id in ids:
        resolver.spec(kpi_id)  # an unknown id is an error in the request
    where = parse_condition(request.where) if request.where else None
    failures: dict[str, ShakhesError] = {}
    planned: list[PlannedKpi] = []
    for kpi_id in ids:
        try:
            planned.append(resolver.plan(kpi_id))
        except FormulaError as exc:
            failures[kpi_id] = exc
    if not planned:
        raise _nothing_computable(failures, ids)
    _check_dimensions(planned, request.by)
    for k in list(planned):
        try:
            _check_breakdown(k, request.by)
        except QueryError as exc:
            failures[k.spec.id] = exc
    planned = [k for k in planned if k.spec.id not in failures]
    if where is not None and request.where is not None:
        where_failures: dict[str, ShakhesError] = {}
        for k in planned:
            try:
                check_condition(where, request.where, tables=k.tables)
            except FormulaError as exc:
                where_failures[k.spec.id] = exc
        if planned and len(where_failures) == len(planned):
            raise next(iter(where_failures.values()))  # the filter fits none of the KPIs
        failures.update(where_failures)
        planned = [k for k in planned if k.spec.id not in failures]
    if not planned:
        raise _nothing_computable(failures, ids)

    measures = _measures(planned)
    coverage, union = _coverage(planned, measures, data_range)
    start = request.start or (union[0] if union else None)
    end = request.end or (union[1] if union else None)
    if start is None or end is None:
        raise QueryError(
            "there is no data for these KPIs yet, so no period to compute",
            code="no_data_range",
            hint="Load data first, or give the first and last day of the range.",
        )
    if start > end:
        raise QueryError(f"the period starts ({start}) after it ends ({end})", code="empty_range")
    windows = tuple(make_windows(request.grain, start, end, calendar, data=union))
    for k in planned:
        try:
            _check_additivity(k, measures, windows, request.grain)
        except QueryError as exc:
            failures[k.spec.id] = exc
    planned = [k for k in planned if k.spec.id not in failures]
    if not planned:
        raise _nothing_computable(failures, ids)
    return Plan(
        request,
        start,
        end,
        tuple(planned),
        _measures(planned),
        windows,
        where,
        params,
        calendar,
        _ordered(failures, ids),
        coverage,
    )


def range_peers(
    ids: Sequence[str], definitions: Mapping[str, KpiSpec], params: Mapping[str, float]
) -> dict[str, tuple[str, ...]]:
    """Each of ``ids`` with those of ``ids`` whose days come from the same tables and date
    columns (:attr:`Measure.date_columns`) — so a request of them over the data's range has
    the same range, and the same days, as a request of any one of them alone — in the order
    of ``ids``; a KPI that cannot be planned is alone. No data is read."""
    resolver = _Resolver(definitions, {**DEFAULT_PARAMS, **params})
    keys: dict[str, frozenset[tuple[str, tuple[str, ...]]]] = {}
    for kpi_id in dict.fromkeys(ids):
        try:
            planned = resolver.plan(kpi_id)
        except ShakhesError:
            continue
        found = [Measure("", a) for a in aggregates(planned.expr)]
        keys[kpi_id] = frozenset((m.table, m.date_columns) for m in found)
    return {
        kpi_id: tuple(k for k in keys if keys[k] == keys[kpi_id]) if kpi_id in keys else (kpi_id,)
        for kpi_id in dict.fromkeys(ids)
    }


def _measures(kpis: Sequence[PlannedKpi]) -> tuple[Measure, ...]:
    """Every distinct aggregate of ``kpis``, each once, named m0, m1, …"""
    measures: dict[str, Measure] = {}
    for k in kpis:
        for agg in aggregates(k.expr):
            measures.setdefault(to_text(agg), Measure(f"m{len(measures)}", agg))
    return tuple(measures.values())


def _ordered(failures: Mapping[str, ShakhesError], ids: Sequence[str]) -> dict[str, ShakhesError]:
    return {i: failures[i] for i in ids if i in failures}


def _nothing_computable(failures: Mapping[str, ShakhesError], ids: Sequence[str]) -> ShakhesError:
    """The error of a request none of whose KPIs can be computed: the KPI's own error when one
    was asked for, else one listing each KPI's reason."""
    ordered = _ordered(failures, ids)
    if len({e.message for e in ordered.values()}) == 1:
        return next(iter(ordered.values()))  # one reason for all of them
    return QueryError(
        "none of these KPIs can be computed as asked:\n"
        + "\n".join(f"  {kpi}: {e.message}" for kpi, e in ordered.items()),
        code="nothing_computable",
        issues=[Issue(e.message, code=e.code, kpi=kpi) for kpi, e in ordered.items()],
    )


def _covers(found: DateRange | None, lo: dt.date, hi: dt.date) -> bool:
    return found is not None and found[0] <= lo and hi <= found[1]


def _coverage(
    kpis: Sequence[PlannedKpi], measures: Sequence[Measure], data_range: ColumnRange | None
) -> tuple[dict[str, DateRange | None], DateRange | None]:
    """Each KPI's data range (the days on which every table it reads has data: the
    intersection of its tables' ranges) and the union of all of them (the request's default
    range). A table's range runs from the first to the last day in the date columns that place
    its rows in time (:attr:`Measure.date_columns`), whatever the filter."""
    if data_range is None:
        return {k.spec.id: None for k in kpis}, None
    by_text = {to_text(m.aggregate): m for m in measures}
    cache: dict[tuple[str, str], DateRange | None] = {}

    def source(m: Measure) -> DateRange | None:
        found = []
        for col in m.date_columns:
            if (m.table, col) not in cache:
                cache[(m.table, col)] = data_range(m.table, col)
            if (r := cache[(m.table, col)]) is not None:
                found.append(r)
        return (min(r[0] for r in found), max(r[1] for r in found)) if found else None

    coverage: dict[str, DateRange | None] = {}
    every: list[DateRange] = []
    for k in kpis:
        ranges = [source(by_text[to_text(a)]) for a in aggregates(k.expr)]
        present = [r for r in ranges if r is not None]
        every += present
        if present and len(present) == len(ranges):
            lo, hi = max(r[0] for r in present), min(r[1] for r in present)
            coverage[k.spec.id] = (lo, hi) if lo <= hi else None
        else:
            coverage[k.spec.id] = None
    union = (min(r[0] for r in every), max(r[1] for r in every)) if every else None
    return coverage, union


def make_windows(
    grain: Grain,
    start: dt.date,
    end: dt.date,
    calendar: CalendarSettings,
    *,
    data: DateRange | None = None,
) -> list[Window]:
    """One window per calendar period in ``[start, end]`` (one for the ``total`` grain): the
    part of the period inside the range and, where the period overlaps ``data`` (the days
    with data), inside that too — so a period the data covers in part is compared, like one
    the range cuts, over the days it has."""
    found = (
        [total_period(start, end)] if grain is Grain.TOTAL else periods(grain, start, end, calendar)
    )
    out = []
    for i, p in enumerate(found):
        lo, hi = max(p.start, start), min(p.end, end)
        if data is not None and lo <= data[1] and data[0] <= hi:
            lo, hi = max(lo, data[0]), min(hi, data[1])
        out.append(Window(i, lo, hi, p.label, p.label_fa, p.start, p.end))
    return out


def comparison_windows(plan: Plan, kind: str, calendar: CalendarSettings) -> list[Window]:
    """For each window, the window it is compared with: the previous period or the same period a
    year before, over the same number of days when the window is a partial period."""
    grain = plan.request.grain
    out = []
    for w in plan.windows:
        if grain is Grain.TOTAL:
            lo, hi = total_comparison(w.start, w.end, kind)  # type: ignore[arg-type]
            other = total_period(lo, hi)
        else:
            period: Period = period_of(grain, w.start, calendar)
            lo, hi = comparison_window(
                grain,
                period,
                (w.start, w.end),
                kind,  # type: ignore[arg-type]
                calendar,
            )
            other = period_of(grain, lo, calendar)
        out.append(Window(w.index, lo, hi, other.label, other.label_fa, other.start, other.end))
    return out


class _Resolver:
    """Parses, checks and expands KPI formulas, each once, refusing cycles."""

    def __init__(self, definitions: Mapping[str, KpiSpec], params: Mapping[str, float]) -> None:
        self.definitions = definitions
        self.params = params
        self.parsed: dict[str, ast.Expr] = {}
        self.expanded: dict[str, ast.Expr] = {}

    def spec(self, kpi_id: str) -> KpiSpec:
        try:
            return self.definitions[kpi_id]
        except KeyError:
            hint = nearest(kpi_id, self.definitions)
            raise UnknownKpiError(
                f"unknown KPI '{kpi_id}'" + (f" — did you mean '{hint}'?" if hint else ""),
                params={"kpi": kpi_id},
                hint="The workspace's KPI list shows every KPI it has.",
            ) from None

    def parse(self, kpi_id: str) -> ast.Expr:
        if kpi_id not in self.parsed:
            spec = self.spec(kpi_id)
            expr = parse_formula(spec.formula, kpi=kpi_id)
            check_formula(
                expr,
                spec.formula,
                kpi=kpi_id,
                known_kpis=self.definitions.keys(),
                params=self.params.keys(),
            )
            self.parsed[kpi_id] = expr
        return self.parsed[kpi_id]

    def expand(self, kpi_id: str, stack: tuple[str, ...] = ()) -> ast.Expr:
        if kpi_id in stack:
            cycle = [*stack[stack.index(kpi_id) :], kpi_id]
            spec = self.spec(stack[-1])
            raise FormulaError(
                spec.formula,
                [
                    FormulaIssue(
                        f"KPI references form a cycle: {' → '.join(cycle)}",
                        0,
                        len(spec.formula),
                        code="kpi_cycle",
                    )
                ],
                kpi=stack[-1],
            )
        if kpi_id not in self.expanded:
            self.expanded[kpi_id] = self._inline(self.parse(kpi_id), (*stack, kpi_id))
        return self.expanded[kpi_id]

    def _inline(self, expr: ast.Expr, stack: tuple[str, ...]) -> ast.Expr:
        match expr:
            case ast.KpiRef(id=ref):
                return self.expand(ref, stack)
            case ast.BinaryOp():
                return ast.BinaryOp(
                    expr.pos,
                    expr.length,
                    expr.op,
                    self._inline(expr.left, stack),
                    self._inline(expr.right, stack),
                )
            case ast.Negate():
                return ast.Negate(expr.pos, expr.length, self._inline(expr.operand, stack))
        return expr

    def plan(self, kpi_id: str) -> PlannedKpi:
        expr = self.expand(kpi_id)
        num, den = fraction(expr) or (None, None)
        tables = tuple(dict.fromkeys(a.table for a in aggregates(expr)))
        return PlannedKpi(self.spec(kpi_id), expr, num, den, tables)


def is_constant(expr: ast.Expr) -> bool:
    """Whether ``expr`` reads no data: numbers and parameters, and arithmetic on them."""
    match expr:
        case ast.Number() | ast.Param():
            return True
        case ast.BinaryOp(left=left, right=right):
            return is_constant(left) and is_constant(right)
        case ast.Negate(operand=operand):
            return is_constant(operand)
    return False


def fraction(expr: ast.Expr) -> tuple[ast.Expr, ast.Expr] | None:
    """``expr`` as one fraction (numerator, denominator), or None when it is not a ratio.

    ``a / b`` is (a, b). A ratio scaled or shifted by a constant is a ratio too, over the same
    denominator, so that value = numerator / denominator always holds and the denominator is
    what the ratio is "per": CPM ``cost / impressions * 1000`` is (cost × 1000, impressions);
    bounce rate ``1 - engaged_sessions / sessions`` is (sessions − engaged_sessions, sessions);
    ``a / b / 100`` is (a / 100, b).

    >>> from shakhes.formula.parser import parse_formula
    >>> from shakhes.formula.printer import to_text
    >>> [to_text(e) for e in fraction(parse_formula("1 - clicks / impressions"))]
    ['impressions - clicks', 'impressions']
    >>> fraction(parse_formula("clicks - cost")) is None
    True
    """
    if not isinstance(expr, ast.BinaryOp | ast.Negate):
        return None
    pos, length = expr.pos, expr.length

    def op(o: Literal["+", "-", "*", "/"], left: ast.Expr, right: ast.Expr) -> ast.Expr:
        return ast.BinaryOp(pos, length, o, left, right)

    def times(c: ast.Expr, e: ast.Expr) -> ast.Expr:
        return e if isinstance(c, ast.Number) and c.value == 1 else op("*", c, e)

    if isinstance(expr, ast.Negate):
        inner = fraction(expr.operand)
        return None if inner is None else (ast.Negate(pos, length, inner[0]), inner[1])
    left, right = expr.left, expr.right
    if expr.op == "/" and not is_constant(right):
        return left, right
    if is_constant(left) == is_constant(right):
        return None  # two ratios, or no ratio at all
    if is_constant(right):
        inner = fraction(left)
        if inner is None:
            return None
        (n, d), c = inner, right
        match expr.op:
            case "*":
                return op("*", n, c), d
            case "/":
                return op("/", n, c), d
            case "+" | "-":
                return op(expr.op, n, times(c, d)), d
    inner = fraction(right)
    if inner is None:
        return None
    (n, d), c = inner, left
    match expr.op:
        case "*":
            return op("*", c, n), d
        case "+" | "-":
            return op(expr.op, times(c, d), n), d
    return None  # (a constant over a ratio is an a / b above)


def can_lack(agg: ast.Aggregate) -> bool:
    """Whether ``agg`` adds up (or averages, …) a column that may hold no value: an unknown
    value is left out of it, and the result counts the rows that lacked one. (Counting values
    and snapshot measures are never affected.)"""
    if agg.column is None or agg.func in ("count", "count_distinct", *ast.SNAPSHOT_FUNCS):
        return False
    return not table(agg.table).column(agg.column).required


def aggregates(expr: ast.Expr) -> list[ast.Aggregate]:
    """Every aggregate in ``expr``, left to right."""
    match expr:
        case ast.Aggregate():
            return [expr]
        case ast.BinaryOp(left=left, right=right):
            return aggregates(left) + aggregates(right)
        case ast.Negate(operand=operand):
            return aggregates(operand)
    return []


def _check_dimensions(kpis: Sequence[PlannedKpi], by: Sequence[str]) -> None:
    """Each breakdown dimension must be a dimension of some table the KPIs read; anything else
    (a typo, a measure, a date) is an error in the request."""
    tables = [table(name) for name in dict.fromkeys(t for k in kpis for t in k.tables)]
    known = sorted({d for t in tables for d in t.dimensions})
    for dim in by:
        if dim in known:
            continue
        for tbl in tables:
            if tbl.has_column(dim):
                kind = tbl.column(dim).type.value
                raise QueryError(
                    f"'{dim}' is not a dimension to break down by (it is a {kind} column "
                    f"of {tbl.name})",
                    code="date_breakdown" if kind == "date" else "not_a_dimension",
                    params={"dimension": dim, "table": tbl.name},
                    hint=f"{tbl.name} can be broken down by: {', '.join(tbl.dimensions)}.",
                )
        hint = nearest(dim, known)
        raise QueryError(
            f"unknown dimension '{dim}'" + (f" — did you mean '{hint}'?" if hint else ""),
            code="unknown_dimension",
            params={"dimension": dim},
            hint=f"These KPIs can be broken down by: {', '.join(known)}." if known else None,
        )


def _check_breakdown(k: PlannedKpi, by: Sequence[str]) -> None:
    """Whether KPI ``k`` can be broken down by every dimension of ``by``."""
    for dim in by:
        if k.spec.dimensions and dim not in k.spec.dimensions:
            raise QueryError(
                f"KPI '{k.spec.id}' cannot be broken down by '{dim}'",
                code="breakdown_not_allowed",
                params={"kpi": k.spec.id, "dimension": dim},
                hint=f"Its dimensions are: {', '.join(k.spec.dimensions)}.",
            )
        for name in k.tables:
            tbl = table(name)
            if not tbl.has_column(dim) or not tbl.column(dim).is_dimension:
                raise QueryError(
                    f"cannot break '{k.spec.id}' down by '{dim}': it reads {name}, "
                    f"which has no dimension '{dim}'",
                    code="breakdown_not_possible",
                    params={"kpi": k.spec.id, "dimension": dim, "table": name},
                    hint=f"{name} can be broken down by: {', '.join(tbl.dimensions)}.",
                )


def _check_additivity(
    k: PlannedKpi, measures: Iterable[Measure], windows: Sequence[Window], grain: Grain
) -> None:
    """A non-additive column (reach) may be summed only within one day."""
    if not any(w.days > 1 for w in windows):
        return
    own = {to_text(a) for a in aggregates(k.expr)}
    for m in measures:
        agg = m.aggregate
        if to_text(agg) not in own or agg.func != "sum" or agg.column is None:
            continue
        col = table(agg.table).column(agg.column)
        if col.additivity is Additivity.NON_ADDITIVE:
            span = "the whole range" if grain is Grain.TOTAL else f"the days of a {grain.value}"
            raise QueryError(
                f"{agg.table}.{agg.column} counts distinct people per day, so summing it over "
                f"{span} would count the same person many times",
                code="non_additive",
                params={"kpi": k.spec.id, "table": agg.table, "column": agg.column},
                hint=f"Compute it per day, or write approx_sum({agg.table}.{agg.column}) in the "
                "formula to ask for the sum explicitly as an upper-bound approximation.",
            )
