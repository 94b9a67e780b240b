"""Plan a request: resolve KPIs into measures per table, check the breakdown, lay out windows.

The plan is frozen data; :mod:`shakhes.engine.execute` turns it into one Ibis expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from shakhes.data.model import Additivity, table
from shakhes.engine.calendar import (
    CalendarSettings,
    Grain,
    Period,
    comparison_window,
    period_of,
    periods,
)
from shakhes.engine.request import Request, Window
from shakhes.errors import FormulaError, FormulaIssue, QueryError, UnknownKpiError, nearest
from shakhes.formula import ast
from shakhes.formula.check import check_condition, check_formula
from shakhes.formula.parser import parse_condition, parse_formula
from shakhes.formula.printer import to_text
from shakhes.spec.kpi import KpiSpec

DEFAULT_PARAMS: Mapping[str, float] = {"gross_margin": 1.0}
"""Parameters every workspace has; ``shakhes.toml`` ``[parameters]`` overrides them."""


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
    measures: tuple[Measure, ...]
    windows: tuple[Window, ...]
    where: ast.Condition | None
    params: Mapping[str, float] = field(default_factory=dict)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.table for m in self.measures))

    def measure_name(self, agg: ast.Aggregate) -> str:
        """The measure column computing ``agg`` (aggregates are matched by their text)."""
        return self._measure_names[to_text(agg)]

    @cached_property
    def _measure_names(self) -> dict[str, str]:
        return {to_text(m.aggregate): m.name for m in self.measures}

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
        return "\n".join(lines)


def plan_request(
    request: Request,
    definitions: Mapping[str, KpiSpec],
    *,
    calendar: CalendarSettings,
    params: Mapping[str, float],
    data_range: Callable[[Sequence[str]], tuple[dt.date, dt.date] | None] | None = None,
) -> Plan:
    """Resolve, check and lay out ``request``; raises a user error for anything wrong."""
    params = {**DEFAULT_PARAMS, **params}
    if not request.kpis:
        raise QueryError("no KPI asked for", hint="Name one or more KPIs, e.g. ctr,cpc.")
    resolver = _Resolver(definitions, params)
    kpis = tuple(resolver.plan(kpi_id) for kpi_id in dict.fromkeys(request.kpis))
    measures: dict[str, Measure] = {}
    for k in kpis:
        for agg in _aggregates(k.expr):
            measures.setdefault(to_text(agg), Measure(f"m{len(measures)}", agg))
    start, end = request.start, request.end
    if (start is None or end is None) and data_range is not None:
        found = data_range(sorted({m.table for m in measures.values()}))
        if found is not None:
            start, end = start or found[0], end or found[1]
    if start is None or end is None:
        raise QueryError(
            "there is no data for these KPIs yet, so no period to compute",
            hint="Load data first (`shakhes load`) or give --from and --to.",
        )
    if start > end:
        raise QueryError(f"the period starts ({start}) after it ends ({end})")
    windows = tuple(make_windows(request.grain, start, end, calendar))
    _check_breakdown(kpis, request.by)
    _check_additivity(measures.values(), windows, request.grain)
    where = None
    if request.where:
        where = parse_condition(request.where)
        check_condition(where, request.where, tables=sorted({m.table for m in measures.values()}))
    return Plan(
        request, start, end, kpis, tuple(measures.values()), windows, where, params, calendar
    )


def make_windows(
    grain: Grain, start: dt.date, end: dt.date, calendar: CalendarSettings
) -> list[Window]:
    """The covered part of every calendar period in ``[start, end]``."""
    return [
        Window(i, max(p.start, start), min(p.end, end), p.label, p.label_fa)
        for i, p in enumerate(periods(grain, start, end, calendar))
    ]


def comparison_windows(plan: Plan, kind: str, calendar: CalendarSettings) -> list[Window]:
    """For each window, the window it is compared with: the previous period or the same period a
    year before, over the same number of days when the window is a partial period."""
    grain = plan.request.grain
    out = []
    for w in plan.windows:
        period: Period = period_of(grain, w.start, calendar)
        lo, hi = comparison_window(
            grain,
            period,
            (w.start, w.end),
            kind,  # type: ignore[arg-type]
            calendar,
        )
        other = period_of(grain, lo, calendar)
        out.append(Window(w.index, lo, hi, other.label, other.label_fa))
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
                hint="`shakhes kpi list` shows every KPI of this workspace.",
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
                        f"KPI references form a cycle: {' → '.join(cycle)}", 0, len(spec.formula)
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
        num = den = None
        if isinstance(expr, ast.BinaryOp) and expr.op == "/":
            num, den = expr.left, expr.right
        tables = tuple(dict.fromkeys(a.table for a in _aggregates(expr)))
        return PlannedKpi(self.spec(kpi_id), expr, num, den, tables)


def _aggregates(expr: ast.Expr) -> list[ast.Aggregate]:
    match expr:
        case ast.Aggregate():
            return [expr]
        case ast.BinaryOp(left=left, right=right):
            return _aggregates(left) + _aggregates(right)
        case ast.Negate(operand=operand):
            return _aggregates(operand)
    return []


def _check_breakdown(kpis: Sequence[PlannedKpi], by: Sequence[str]) -> None:
    for dim in by:
        for k in kpis:
            if k.spec.dimensions and dim not in k.spec.dimensions:
                raise QueryError(
                    f"KPI '{k.spec.id}' cannot be broken down by '{dim}'",
                    hint=f"Its dimensions are: {', '.join(k.spec.dimensions)}.",
                )
            for name in k.tables:
                tbl = table(name)
                if tbl.has_column(dim) and not tbl.column(dim).is_dimension:
                    kind = tbl.column(dim).type.value
                    tip = "; use --grain for dates" if kind == "date" else ""
                    raise QueryError(
                        f"'{dim}' is not a dimension to break down by (it is a {kind} column "
                        f"of {name}){tip}",
                        hint=f"{name} can be broken down by: {', '.join(tbl.dimensions)}.",
                    )
                if not tbl.has_column(dim):
                    hint = nearest(dim, tbl.dimensions)
                    raise QueryError(
                        f"cannot break '{k.spec.id}' down by '{dim}': it reads {name}, "
                        f"which has no column '{dim}'"
                        + (f" — did you mean '{hint}'?" if hint else ""),
                        hint=f"{name} can be broken down by: {', '.join(tbl.dimensions)}.",
                    )


def _check_additivity(measures: Iterable[Measure], windows: Sequence[Window], grain: Grain) -> None:
    multi_day = any(w.days > 1 for w in windows)
    for m in measures:
        agg = m.aggregate
        if agg.func != "sum" or agg.column is None or not multi_day:
            continue
        col = table(agg.table).column(agg.column)
        if col.additivity is Additivity.NON_ADDITIVE:
            raise QueryError(
                f"{agg.table}.{agg.column} counts distinct people per day, so summing it over "
                f"the days of a {grain.value} would count the same person many times",
                hint=f"Use --grain day, or write approx_sum({agg.table}.{agg.column}) in the "
                "formula to ask for the sum explicitly as an upper-bound approximation.",
            )
