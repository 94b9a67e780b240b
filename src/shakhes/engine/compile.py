"""Compile formula trees to Ibis expressions.

Two targets: a leaf :class:`~shakhes.formula.ast.Aggregate` becomes an Ibis reduction over a fact
table, and a KPI expression becomes arithmetic over the aggregated measure columns, with division
by zero giving null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import ibis
import ibis.expr.types as ir

from shakhes.errors import InternalError
from shakhes.formula import ast
from shakhes.text import EQUIVALENT_FROM, EQUIVALENT_TO, same_text

ZERO_WHEN_EMPTY = frozenset(
    {"sum", "count", "count_distinct", "approx_sum", "active_at_start", "churned"}
)
"""Aggregates whose value over no rows is 0 (a count of nothing), not undefined."""


def _matchable(value: ir.Value) -> ir.Value:
    """A text column in its equivalence form (:func:`shakhes.text.same_text`), in SQL."""
    if isinstance(value, ir.StringValue):
        return value.translate(EQUIVALENT_FROM, EQUIVALENT_TO)
    return value


def _matchable_text(value: ast.Literal_) -> ast.Literal_:
    return same_text(value) if isinstance(value, str) else value


def matchable_text(value: str) -> str:
    """``value`` as filters match it (:func:`shakhes.text.same_text`): ``'كيك ۱۴۰۳'`` →
    ``'کیک 1403'``."""
    return same_text(value)


def compile_condition(cond: ast.Condition, table: ir.Table) -> ir.BooleanValue:
    """A parsed ``where`` condition as a boolean Ibis expression over ``table``'s columns.

    Unlike SQL, an empty value is never "unknown": it is not equal to anything, so
    ``ad != 'x'`` and ``ad not in ('x')`` keep the rows without an ad, and ``not (…)`` is the
    exact complement of ``(…)``.
    """
    match cond:
        case ast.Comparison(column=col, op=op, value=value):
            left = _matchable(table[col.name]) if op in ("=", "!=") else table[col.name]
            right = _literal(_matchable_text(value) if op in ("=", "!=") else value)
            if value is None:  # `= null` means is null, as a marketer would expect
                return left.isnull() if op == "=" else left.notnull()
            if op == "!=":
                return (left != right).fill_null(True)
            ops: dict[str, Callable[[ir.Value, ir.Value], ir.BooleanValue]] = {
                "=": lambda a, b: a == b,
                "!=": lambda a, b: a != b,
                "<": lambda a, b: a < b,
                "<=": lambda a, b: a <= b,
                ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b,
            }
            return ops[op](left, right).fill_null(False)
        case ast.InList(column=col, values=values, negated=negated):
            column = _matchable(table[col.name])
            expr = column.isin([_literal(_matchable_text(v)) for v in values]).fill_null(False)
            return ~expr if negated else expr
        case ast.IsNull(column=col, negated=negated):
            return table[col.name].notnull() if negated else table[col.name].isnull()
        case ast.BoolOp(op=op, left=left, right=right):
            a, b = compile_condition(left, table), compile_condition(right, table)
            return a & b if op == "and" else a | b
        case ast.Not(operand=operand):
            return ~compile_condition(operand, table)
    raise InternalError(f"cannot compile condition {cond!r}")


def _literal(value: ast.Literal_) -> ir.Value:
    if isinstance(value, bool):
        return ibis.literal(value)
    if isinstance(value, dt.date):
        return ibis.literal(value, type="date")
    return ibis.literal(value)


def compile_aggregate(agg: ast.Aggregate, table: ir.Table) -> ir.Scalar:
    """An ordinary (non-snapshot) aggregate as an Ibis reduction over ``table``."""
    where = compile_condition(agg.filter, table) if agg.filter is not None else None
    if agg.func == "count":
        if agg.column is None:
            return table.count(where=where)
        return table[agg.column].count(where=where)
    if agg.column is None:
        raise InternalError(f"{agg.func} needs a column")
    col = table[agg.column]
    match agg.func:
        case "sum" | "approx_sum":
            return col.sum(where=where)
        case "count_distinct":
            return col.nunique(where=where)
        case "avg":
            return col.mean(where=where)
        case "min":
            return col.min(where=where)
        case "max":
            return col.max(where=where)
    raise InternalError(f"cannot compile aggregate {agg.func}")


def compile_value(
    expr: ast.Expr,
    measure: Callable[[ast.Aggregate], ir.NumericValue],
    params: Mapping[str, float],
) -> ir.NumericValue:
    """A KPI expression as arithmetic over measure columns. ``x / 0`` is null, never an error."""
    match expr:
        case ast.Number(value=value):
            return ibis.literal(float(value), type="float64")
        case ast.Param(name=name):
            return ibis.literal(float(params[name]), type="float64")
        case ast.Aggregate():
            return measure(expr)
        case ast.Negate(operand=operand):
            return -compile_value(operand, measure, params)
        case ast.BinaryOp(op=op, left=left, right=right):
            a = compile_value(left, measure, params)
            b = compile_value(right, measure, params)
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            return a / b.nullif(0)
    raise InternalError(f"cannot compile {expr!r} (KPI references must be expanded first)")
