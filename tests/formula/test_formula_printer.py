"""The printer: canonical text, and parse(to_text(tree)) == tree for any tree."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    Negate,
    Node,
    Not,
    Number,
    Param,
)
from shakhes.formula.parser import FUNCTIONS, RESERVED, parse_condition, parse_formula
from shakhes.formula.printer import literal_text, to_text


def strip(value: Any) -> Any:
    """A comparable form of a tree without positions; literals keep their Python type, so that
    True and 1, or 1 and 1.0, do not compare equal."""
    if isinstance(value, Node):
        fields = dataclasses.fields(value)
        kept = tuple(
            strip(getattr(value, f.name)) for f in fields if f.name not in ("pos", "length")
        )
        return (type(value).__name__, *kept)
    if isinstance(value, tuple):
        return tuple(strip(item) for item in value)
    return (type(value).__name__, value)


# ---- strategies -------------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,9}", fullmatch=True).filter(
    lambda name: name.lower() not in RESERVED
)
literals = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.none(),
)
column_refs = st.builds(ColumnRef, st.just(0), st.just(0), names, st.one_of(st.none(), names))
predicates = st.one_of(
    st.builds(
        Comparison,
        st.just(0),
        st.just(0),
        column_refs,
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        literals,
    ),
    st.builds(
        InList,
        st.just(0),
        st.just(0),
        column_refs,
        st.lists(literals, min_size=1, max_size=4).map(tuple),
        st.booleans(),
    ),
    st.builds(IsNull, st.just(0), st.just(0), column_refs, st.booleans()),
)
conditions: st.SearchStrategy[Condition] = st.recursive(
    predicates,
    lambda inner: st.one_of(
        st.builds(BoolOp, st.just(0), st.just(0), st.sampled_from(["and", "or"]), inner, inner),
        st.builds(Not, st.just(0), st.just(0), inner),
    ),
    max_leaves=6,
)
aggregate_nodes = st.builds(
    Aggregate,
    st.just(0),
    st.just(0),
    st.sampled_from(FUNCTIONS),
    names,
    st.one_of(st.none(), names),
    st.one_of(st.none(), conditions),
)
exprs: st.SearchStrategy[Expr] = st.recursive(
    st.one_of(
        st.builds(
            Number,
            st.just(0),
            st.just(0),
            st.floats(min_value=0, allow_nan=False, allow_infinity=False),
        ),
        st.builds(KpiRef, st.just(0), st.just(0), names),
        st.builds(Param, st.just(0), st.just(0), names),
        aggregate_nodes,
    ),
    lambda inner: st.one_of(
        st.builds(
            BinaryOp, st.just(0), st.just(0), st.sampled_from(["+", "-", "*", "/"]), inner, inner
        ),
        st.builds(Negate, st.just(0), st.just(0), inner),
    ),
    max_leaves=10,
)


# ---- properties -------------------------------------------------------------------------------


@settings(max_examples=400)
@given(exprs)
def test_formula_round_trip(tree: Expr) -> None:
    text = to_text(tree)
    assert strip(parse_formula(text)) == strip(tree), text


@settings(max_examples=400)
@given(conditions)
def test_condition_round_trip(tree: Condition) -> None:
    text = to_text(tree)
    assert strip(parse_condition(text)) == strip(tree), text


def _nodes(node: Any) -> list[Node]:
    found: list[Node] = []
    if isinstance(node, Node):
        found.append(node)
        for field in dataclasses.fields(node):
            found += _nodes(getattr(node, field.name))
    elif isinstance(node, tuple):
        for item in node:
            found += _nodes(item)
    return found


@settings(max_examples=200)
@given(exprs)
def test_every_node_span_reparses_to_that_node(tree: Expr) -> None:
    text = to_text(tree)
    for node in _nodes(parse_formula(text)):
        span = text[node.pos : node.pos + node.length]
        if isinstance(node, ColumnRef):
            assert span == (node.name if node.table is None else f"{node.table}.{node.name}")
        elif isinstance(node, Comparison | InList | IsNull | BoolOp | Not):
            assert strip(parse_condition(span)) == strip(node), span
        else:
            assert strip(parse_formula(span)) == strip(node), span


# ---- canonical text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("((revenue*$gross_margin)-cost)/cost", "(revenue * $gross_margin - cost) / cost"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a/(b*c)", "a / (b * c)"),
        ("a*(b/c)", "a * (b / c)"),
        ("(a*b)+(c*d)", "a * b + c * d"),
        ("-(a+b)", "-(a + b)"),
        ("-(-a)", "--a"),
        ("(-a)*b", "-a * b"),
        ("a × b ÷ c − d", "a * b / c - d"),
        ("1e3 + .5 + 1.50 + 1e20", "1000 + 0.5 + 1.5 + 1e+20"),
        ("SUM(orders.revenue WHERE channel='x')", "sum(orders.revenue where channel = 'x')"),
        ("COUNT(orders)", "count(orders)"),
    ],
)
def test_canonical_formula_text(text: str, canonical: str) -> None:
    assert to_text(parse_formula(text)) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a=1 AND (b=2 OR c=3)", "a = 1 and (b = 2 or c = 3)"),
        ("(a=1 and b=2) or c=3", "a = 1 and b = 2 or c = 3"),
        ("a=1 or (b=2 or c=3)", "a = 1 or (b = 2 or c = 3)"),
        ("not (a=1 or b=2)", "not (a = 1 or b = 2)"),
        ("NOT NOT a=1", "not not a = 1"),
        ("a <> 'it''s'", "a != 'it''s'"),
        ("d >= DATE '2024-01-31'", "d >= date '2024-01-31'"),
        ("x IN ('a',-1, 2.50,TRUE,null)", "x in ('a', -1, 2.5, true, null)"),
        ("x not in ('تهران')", "x not in ('تهران')"),
        ("orders.x is NOT null", "orders.x is not null"),
    ],
)
def test_canonical_condition_text(text: str, canonical: str) -> None:
    assert to_text(parse_condition(text)) == canonical


def test_literal_text() -> None:
    assert literal_text(dt.date(2024, 1, 31)) == "date '2024-01-31'"
    assert literal_text("O'Neil") == "'O''Neil'"
    assert literal_text(None) == "null"
    assert literal_text(False) == "false"
    assert literal_text(-3) == "-3"
    assert literal_text(2.0) == "2.0"


def test_non_finite_numbers_cannot_be_printed() -> None:
    with pytest.raises(ValueError, match="inf"):
        to_text(Number(0, 0, float("inf")))
    with pytest.raises(ValueError, match="nan"):
        to_text(Comparison(0, 0, ColumnRef(0, 0, "x"), "=", float("nan")))
