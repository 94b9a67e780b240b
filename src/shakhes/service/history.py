"""A KPI's daily history in a scope, read through the engine: what pacing and forecasts need.

:func:`daily_histories` computes KPIs at the ``day`` grain (one engine query for all KPIs of one
scope) and returns, per KPI, a :class:`~shakhes.analysis.series.DailySeries` (a KPI that adds
up over days: cost, clicks, revenue) or a :class:`~shakhes.analysis.series.RatioSeries` (a
ratio of two such sums: CTR, CPA, ROAS — its numerator and denominator as the engine computes
them), over the days its data covers:

* a series starts on the first day every table the KPI reads has data (not before: days before
  the data would read as days of nothing and fake a long, empty history) and ends on the last
  such day (**data through**), never after the day asked;
* inside that range a day without rows in the scope is 0 (the engine returns nothing for it);
* a ratio scaled or shifted by a constant (CPM ``cost / impressions * 1000``, bounce rate
  ``1 - engaged_sessions / sessions``) is a ratio of the numerator and denominator the engine
  computes for it (cost × 1000 and impressions; sessions − engaged sessions and sessions);
* a KPI whose value is not a sum of its days nor a ratio of two (reach, a count of distinct
  customers, a ratio of ratios) has no series: its ``problem`` says why (code
  ``not_trackable``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from shakhes.analysis.series import DailySeries, RatioSeries
from shakhes.data.model import Additivity
from shakhes.data.model import table as model_table
from shakhes.engine.calendar import DIMENSION_START
from shakhes.errors import ShakhesError
from shakhes.formula import ast

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

__all__ = ["KpiHistory", "Shape", "daily_histories", "shape_of"]


class Shape(StrEnum):
    """How a KPI's value over a span follows from its days."""

    ADDITIVE = "additive"
    """The sum of its days' values (``sum``, ``count`` and sums and differences of them)."""
    RATIO = "ratio"
    """Σ numerator ÷ Σ denominator of its days, both additive."""
    OTHER = "other"
    """Neither: its days do not add up to it (distinct counts, averages, snapshots)."""


_ADDITIVE_FUNCS = frozenset({"sum", "count", "approx_sum"})


def shape_of(expr: ast.Expr) -> Shape:
    """The shape of a KPI's expanded formula (KPI references already replaced by theirs): a
    ratio is what the engine splits into a numerator and a denominator
    (:func:`~shakhes.engine.planner.fraction`) when both add up over days — a ratio scaled or
    shifted by a constant too (CPM ``cost / impressions * 1000`` is cost × 1000 over
    impressions, bounce rate ``1 - engaged / sessions`` is sessions − engaged over sessions).

    >>> from shakhes.formula.parser import parse_formula
    >>> [shape_of(parse_formula(f)).value for f in (
    ...     "sum(ad_performance.cost) - sum(ad_performance.cost where channel = 'search')",
    ...     "sum(orders.revenue) * $gross_margin / sum(ad_performance.cost)",
    ...     "sum(ad_performance.cost) / sum(ad_performance.impressions) * 1000",
    ...     "sum(ad_performance.reach)")]
    ['additive', 'ratio', 'ratio', 'other']
    """
    from shakhes.engine.planner import fraction

    if _additive(expr):
        return Shape.ADDITIVE
    parts = fraction(expr)  # the engine's numerator and denominator, as compute returns them
    if parts is not None and all(_additive(part) for part in parts):
        return Shape.RATIO
    return Shape.OTHER


def _constant(expr: ast.Expr) -> bool:
    match expr:
        case ast.Number() | ast.Param():
            return True
        case ast.Negate():
            return _constant(expr.operand)
        case ast.BinaryOp():
            return _constant(expr.left) and _constant(expr.right)
    return False


def _additive(expr: ast.Expr) -> bool:
    """Whether the value over a span is the sum of its days' values: sums and counts (not of a
    distinct count such as reach), added, subtracted, scaled by a constant."""
    match expr:
        case ast.Aggregate():
            if expr.func not in _ADDITIVE_FUNCS:
                return False
            if expr.func == "sum" and expr.column is not None:
                column = model_table(expr.table).column(expr.column)
                return column.additivity is not Additivity.NON_ADDITIVE
            return True
        case ast.Negate():
            return _additive(expr.operand)
        case ast.BinaryOp(op="+" | "-"):
            return _additive(expr.left) and _additive(expr.right)
        case ast.BinaryOp(op="*"):
            return (_additive(expr.left) and _constant(expr.right)) or (
                _constant(expr.left) and _additive(expr.right)
            )
        case ast.BinaryOp(op="/"):
            return _additive(expr.left) and _constant(expr.right)
    return False


@dataclass(frozen=True)
class KpiHistory:
    """One KPI's days in one scope."""

    kpi: str
    shape: Shape | None
    """None when the KPI could not be planned (see ``problem``)."""
    series: DailySeries | RatioSeries | None
    """From the first day with data (or the first day asked) through :attr:`through`; None
    with a problem."""
    coverage: tuple[dt.date, dt.date] | None
    """The days on which every table the KPI reads has data, whatever the scope."""
    problem: ShakhesError | None = None
    missing: dict[dt.date, int] = field(default_factory=dict)
    """Per day of the series, the rows that lacked a value of a column the KPI reads (reach,
    leads, …): left out of the day's number — unknown, not 0 (days without such rows absent)."""

    def missing_between(self, first: dt.date, last: dt.date) -> int:
        """The rows from ``first`` through ``last`` that lacked a value the KPI reads."""
        return sum(n for day, n in self.missing.items() if first <= day <= last)

    @property
    def through(self) -> dt.date | None:
        """The last day of the series: data through, for this KPI."""
        return self.series.end if self.series is not None else None


def daily_histories(
    ws: Workspace,
    kpis: Sequence[str],
    *,
    scope: str = "",
    start: dt.date,
    end: dt.date,
) -> dict[str, KpiHistory]:
    """Each KPI's daily history from ``start`` (or the first day with data) to ``end`` (or the
    last day with data) in ``scope`` (a filter in the language of ``compute --where``), read in
    one engine query. A KPI that cannot be computed here (unknown, a scope its tables lack, no
    data, not additive over days) has its ``problem``; the others are still read."""
    from shakhes.service.compute import Query, compute

    start = max(start, DIMENSION_START)
    try:
        result = compute(
            ws, Query(tuple(kpis), grain="day", start=start, end=end, where=scope or None)
        )
    except ShakhesError as error:  # nothing computable: every KPI has the same reason
        return {kpi: KpiHistory(kpi, None, None, None, error) for kpi in kpis}
    planned = {k.spec.id: k for k in result.plan.kpis}
    days: dict[str, list[tuple[dt.date, float, float, float]]] = {kpi: [] for kpi in kpis}
    missing: dict[str, dict[dt.date, int]] = {kpi: {} for kpi in kpis}
    for row in result.records():
        kpi = str(row["kpi"])
        if kpi in planned:
            days[kpi].append(
                (row["period_start"], row["value"], row["numerator"], row["denominator"])
            )
            lacked = row.get("missing")
            if lacked is not None and lacked == lacked and lacked > 0:  # (NaN: not counted)
                day = row["period_start"]
                missing[kpi][day] = missing[kpi].get(day, 0) + int(lacked)
    out: dict[str, KpiHistory] = {}
    for kpi in kpis:
        if kpi not in planned:
            out[kpi] = KpiHistory(kpi, None, None, None, result.errors[kpi])
            continue
        plan = planned[kpi]
        shape = shape_of(plan.expr)
        coverage = result.plan.coverage.get(kpi)
        problem = _problem(kpi, shape, plan.tables, coverage, start, end)
        if problem is not None:
            out[kpi] = KpiHistory(kpi, shape, None, coverage, problem)
            continue
        assert coverage is not None
        first, last = max(start, coverage[0]), min(end, coverage[1])
        rows = [r for r in days[kpi] if first <= r[0] <= last]
        lacked = {day: n for day, n in missing[kpi].items() if first <= day <= last}
        out[kpi] = KpiHistory(kpi, shape, _series(shape, rows, first, last), coverage, None, lacked)
    return out


def _problem(
    kpi: str,
    shape: Shape,
    tables: Sequence[str],
    coverage: tuple[dt.date, dt.date] | None,
    start: dt.date,
    end: dt.date,
) -> ShakhesError | None:
    if shape is Shape.OTHER:
        return ShakhesError(
            f"{kpi} is neither a sum over days nor a ratio of two such sums, so its days "
            "cannot be paced or forecast",
            code="not_trackable",
            params={"kpi": kpi},
        )
    if coverage is None:
        return ShakhesError(
            f"{kpi} has no data yet (it reads {', '.join(tables)})",
            code="no_data",
            params={"kpi": kpi, "tables": list(tables)},
        )
    if coverage[0] > end or coverage[1] < start:
        return ShakhesError(
            f"{kpi} has no data from {start} to {end} (its data covers {coverage[0]} to "
            f"{coverage[1]})",
            code="no_data",
            params={"kpi": kpi, "tables": list(tables)},
        )
    return None


def _clean(value: float | None) -> float:
    """A day's number: a day without rows (null) is 0."""
    return 0.0 if value is None or not math.isfinite(value) else float(value)


def _series(
    shape: Shape,
    rows: Sequence[tuple[dt.date, float, float, float]],
    first: dt.date,
    last: dt.date,
) -> DailySeries | RatioSeries:
    n = (last - first).days + 1
    if shape is Shape.ADDITIVE:
        values = np.zeros(n)
        for day, value, _, _ in rows:
            values[(day - first).days] += _clean(value)
        return DailySeries(first, values)
    num, den = np.zeros(n), np.zeros(n)
    for day, _, numerator, denominator in rows:
        num[(day - first).days] += _clean(numerator)
        den[(day - first).days] += _clean(denominator)
    return RatioSeries(DailySeries(first, num), DailySeries(first, den))
