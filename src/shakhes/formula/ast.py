"""The typed tree a formula parses into.

Every node is frozen and remembers where it came from (``pos``: character offset into the formula
text, ``length``: characters it spans) so that every later stage can point at it with a caret.

A formula is an :data:`Expr`::

    sum(ad_performance.clicks where channel = 'search') / sum(ad_performance.impressions)

    BinaryOp('/',
        Aggregate('sum', 'ad_performance', 'clicks',
                  filter=Comparison('channel', '=', 'search')),
        Aggregate('sum', 'ad_performance', 'impressions'))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias

AggregateFunc = Literal[
    "sum",
    "count",
    "count_distinct",
    "avg",
    "min",
    "max",
    "approx_sum",
    "active_at_start",
    "churned",
]
"""Aggregates a formula may use.

- ``sum, count, count_distinct, avg, min, max`` over ``table.column`` (``count(table)`` counts
  rows);
- ``approx_sum`` sums a non-additive column (reach, users) across days, explicitly named as an
  approximation (an upper bound: people reached on several days are counted once per day);
- ``active_at_start(customers)`` counts customers active when the period starts (acquired before
  it, not churned before it) and ``churned(customers)`` those of them that churned within it;
  with a number column (``active_at_start(customers.monthly_value)``) they sum that column over
  the same customers. These are snapshot (semi-additive) measures: they do not sum across
  periods.
"""

SNAPSHOT_FUNCS: frozenset[str] = frozenset({"active_at_start", "churned"})

Literal_: TypeAlias = str | float | int | bool | dt.date | None


@dataclass(frozen=True)
class Node:
    pos: int
    length: int


# ---- conditions (used in `where` of an aggregate and in compute --where) ----------------------


@dataclass(frozen=True)
class ColumnRef(Node):
    """A column in a condition: bare (``channel``) or qualified (``orders.channel``)."""

    name: str
    table: str | None = None


@dataclass(frozen=True)
class Comparison(Node):
    """``column op literal`` with op one of ``= != <> < <= > >=`` (``<>`` is stored as ``!=``)."""

    column: ColumnRef
    op: Literal["=", "!=", "<", "<=", ">", ">="]
    value: Literal_


@dataclass(frozen=True)
class InList(Node):
    """``column [not] in ('a', 'b')``."""

    column: ColumnRef
    values: tuple[Literal_, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsNull(Node):
    """``column is [not] null``."""

    column: ColumnRef
    negated: bool = False


@dataclass(frozen=True)
class BoolOp(Node):
    """``left and right`` / ``left or right``."""

    op: Literal["and", "or"]
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Not(Node):
    operand: Condition


Condition: TypeAlias = Comparison | InList | IsNull | BoolOp | Not


# ---- value expressions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Number(Node):
    value: float


@dataclass(frozen=True)
class KpiRef(Node):
    """A reference to another KPI by id, e.g. ``revenue`` in ``(revenue - cost) / cost``."""

    id: str


@dataclass(frozen=True)
class Param(Node):
    """A workspace parameter, written ``$name`` (e.g. ``$gross_margin`` in ROI): a number set in
    ``shakhes.toml`` under ``[parameters]``."""

    name: str


@dataclass(frozen=True)
class Aggregate(Node):
    """``func(table.column [where condition])``; ``column`` is None for ``count(table)`` and the
    snapshot functions, which take a table."""

    func: AggregateFunc
    table: str
    column: str | None = None
    filter: Condition | None = None


@dataclass(frozen=True)
class BinaryOp(Node):
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Negate(Node):
    operand: Expr


Expr: TypeAlias = Number | KpiRef | Param | Aggregate | BinaryOp | Negate
