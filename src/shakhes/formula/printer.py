"""Canonical text of a formula or condition tree.

``to_text`` writes the fewest parentheses that keep the tree's meaning, lower-case keywords and
function names, strings in single quotes (``'`` doubled) and dates as ``date 'YYYY-MM-DD'``, so
that ``parse_formula(to_text(tree))`` gives the same tree back (positions aside).
"""

from __future__ import annotations

import datetime as dt
import math

from shakhes.formula.ast import (
    Aggregate,
    BinaryOp,
    BoolOp,
    ColumnRef,
    Comparison,
    Condition,
    Expr,
    InList,
    IsNull,
    KpiRef,
    Literal_,
    Negate,
    Not,
    Number,
    Param,
)

_ADD, _MUL, _UNARY, _ATOM = 1, 2, 3, 4
_OR, _AND, _NOT, _PREDICATE = 1, 2, 3, 4


def to_text(node: Expr | Condition) -> str:
    """The canonical text of an expression or a condition.

    >>> from shakhes.formula.parser import parse_formula
    >>> to_text(parse_formula("((revenue*$gross_margin)-cost)/cost"))
    '(revenue * $gross_margin - cost) / cost'
    """
    if isinstance(node, Comparison | InList | IsNull | BoolOp | Not):
        return _condition(node)
    return _expr(node)


def _expr_level(expr: Expr) -> int:
    if isinstance(expr, BinaryOp):
        return _ADD if expr.op in ("+", "-") else _MUL
    if isinstance(expr, Negate) or (isinstance(expr, Number) and expr.value < 0):
        return _UNARY
    return _ATOM


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _expr(expr: Expr) -> str:
    if isinstance(expr, Number):
        return _number(expr.value)
    if isinstance(expr, KpiRef):
        return expr.id
    if isinstance(expr, Param):
        return f"${expr.name}"
    if isinstance(expr, Aggregate):
        return _aggregate(expr)
    if isinstance(expr, Negate):
        return "-" + _wrap(_expr(expr.operand), _expr_level(expr.operand) < _UNARY)
    level = _expr_level(expr)
    left = _wrap(_expr(expr.left), _expr_level(expr.left) < level)
    right = _wrap(_expr(expr.right), _expr_level(expr.right) <= level)
    return f"{left} {expr.op} {right}"


def _aggregate(agg: Aggregate) -> str:
    target = agg.table if agg.column is None else f"{agg.table}.{agg.column}"
    where = "" if agg.filter is None else f" where {_condition(agg.filter)}"
    return f"{agg.func}({target}{where})"


def _number(value: float | int) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a formula cannot contain the number {value}")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _condition_level(cond: Condition) -> int:
    if isinstance(cond, BoolOp):
        return _OR if cond.op == "or" else _AND
    if isinstance(cond, Not):
        return _NOT
    return _PREDICATE


def _condition(cond: Condition) -> str:
    if isinstance(cond, Comparison):
        return f"{_column(cond.column)} {cond.op} {literal_text(cond.value)}"
    if isinstance(cond, InList):
        values = ", ".join(literal_text(value) for value in cond.values)
        keyword = "not in" if cond.negated else "in"
        return f"{_column(cond.column)} {keyword} ({values})"
    if isinstance(cond, IsNull):
        return f"{_column(cond.column)} is {'not ' if cond.negated else ''}null"
    if isinstance(cond, Not):
        operand = _wrap(_condition(cond.operand), _condition_level(cond.operand) < _NOT)
        return f"not {operand}"
    level = _condition_level(cond)
    left = _wrap(_condition(cond.left), _condition_level(cond.left) < level)
    right = _wrap(_condition(cond.right), _condition_level(cond.right) <= level)
    return f"{left} {cond.op} {right}"


def _column(ref: ColumnRef) -> str:
    return ref.name if ref.table is None else f"{ref.table}.{ref.name}"


def literal_text(value: Literal_) -> str:
    """A literal as a condition writes it: ``'search'``, ``12``, ``1.5``, ``true``, ``null``,
    ``date '2024-01-31'``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a condition cannot contain the number {value}")
        return repr(value)
    return str(value)
