"""The parser: exact trees, positions, keywords, literals, and robustness on any input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.errors import FormulaError
from shakhes.formula.ast import (
    Aggregate,
    BinaryOp,
    BoolOp,
    ColumnRef,
    Comparison,
    Expr,
    InList,
    IsNull,
    KpiRef,
    Negate,
    Not,
    Number,
    Param,
)
from shakhes.formula.parser import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_NESTING,
    parse_condition,
    parse_formula,
    tokenize,
)


def test_example_from_the_ast_docstring() -> None:
    text = "sum(ad_performance.clicks where channel = 'search') / sum(ad_performance.impressions)"
    assert parse_formula(text) == BinaryOp(
        0,
        len(text),
        "/",
        Aggregate(
            0,
            51,
            "sum",
            "ad_performance",
            "clicks",
            Comparison(32, 18, ColumnRef(32, 7, "channel"), "=", "search"),
        ),
        Aggregate(54, 31, "sum", "ad_performance", "impressions"),
    )


def test_roi_with_a_parameter() -> None:
    tree = parse_formula("(revenue * $gross_margin - cost) / cost")
    assert tree == BinaryOp(
        0,
        39,
        "/",
        BinaryOp(
            0,
            32,
            "-",
            BinaryOp(1, 23, "*", KpiRef(1, 7, "revenue"), Param(11, 13, "gross_margin")),
            KpiRef(27, 4, "cost"),
        ),
        KpiRef(35, 4, "cost"),
    )


def test_precedence_and_left_associativity() -> None:
    def shape(expr: Expr) -> object:
        if isinstance(expr, BinaryOp):
            return (shape(expr.left), expr.op, shape(expr.right))
        if isinstance(expr, Negate):
            return ("-", shape(expr.operand))
        assert isinstance(expr, KpiRef)
        return expr.id

    assert shape(parse_formula("a + b * c")) == ("a", "+", ("b", "*", "c"))
    assert shape(parse_formula("a - b - c")) == (("a", "-", "b"), "-", "c")
    assert shape(parse_formula("a / b / c")) == (("a", "/", "b"), "/", "c")
    assert shape(parse_formula("a * b + c / d")) == (("a", "*", "b"), "+", ("c", "/", "d"))
    assert shape(parse_formula("-a * b")) == (("-", "a"), "*", "b")
    assert shape(parse_formula("a - -b")) == ("a", "-", ("-", "b"))
    assert shape(parse_formula("(a + b) * c")) == (("a", "+", "b"), "*", "c")
    assert shape(parse_formula("a × b ÷ c − d")) == ((("a", "*", "b"), "/", "c"), "-", "d")


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12.0), ("1.5", 1.5), (".5", 0.5), ("1e3", 1000.0), ("1000", 1000.0),
     ("2.5E-2", 0.025), ("1e+2", 100.0), ("7.", 7.0)],
)  # fmt: skip
def test_numbers_are_floats(text: str, value: float) -> None:
    tree = parse_formula(text)
    assert tree == Number(0, len(text), value)
    assert isinstance(tree, Number) and isinstance(tree.value, float)


def test_function_names_and_keywords_are_case_insensitive() -> None:
    tree = parse_formula("SUM(orders.revenue WHERE channel IN ('a') AND NOT x IS NOT NULL)")
    assert isinstance(tree, Aggregate)
    assert tree.func == "sum"
    assert tree.filter == BoolOp(
        25,
        38,
        "and",
        InList(25, 16, ColumnRef(25, 7, "channel"), ("a",)),
        Not(46, 17, IsNull(50, 13, ColumnRef(50, 1, "x"), negated=True)),
    )
    assert parse_condition("d = DATE '2024-01-31'") == Comparison(
        0, 21, ColumnRef(0, 1, "d"), "=", dt.date(2024, 1, 31)
    )
    assert parse_condition("b = TRUE or b = False or b = Null") == parse_condition(
        "b = true or b = false or b = null"
    )


@pytest.mark.parametrize("func", FUNCTIONS)
def test_every_function_parses(func: str) -> None:
    tree = parse_formula(f"{func.upper()}(customers)")
    assert tree == Aggregate(0, len(func) + 11, func, "customers")  # type: ignore[arg-type]


def test_count_of_a_table_has_no_column_and_sum_without_column_parses() -> None:
    # a missing column is the checker's business (see test_formula_check), not a syntax error
    assert parse_formula("count(orders)") == Aggregate(0, 13, "count", "orders")
    assert parse_formula("sum(orders)") == Aggregate(0, 11, "sum", "orders")


def test_condition_literals() -> None:
    cond = parse_condition(
        "a = 'it''s' and b = -3 and c = 2.5 and d = -1e2 and e != null and f <> 'x' "
        "and g in ('تهران', 'شیراز') and h not in (1, -2)"
    )
    found = []
    stack = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, BoolOp):
            stack += [node.right, node.left]
        else:
            found.append(node)
    values = [(n.column.name, n.op, n.value) for n in found if isinstance(n, Comparison)]
    assert values == [
        ("a", "=", "it's"),
        ("b", "=", -3),
        ("c", "=", 2.5),
        ("d", "=", -100.0),
        ("e", "!=", None),
        ("f", "!=", "x"),
    ]
    assert isinstance(values[1][2], int) and isinstance(values[2][2], float)
    lists = [(n.column.name, n.values, n.negated) for n in found if isinstance(n, InList)]
    assert lists == [("g", ("تهران", "شیراز"), False), ("h", (1, -2), True)]


def test_comparison_operators() -> None:
    for op in ("=", "!=", "<", "<=", ">", ">="):
        cond = parse_condition(f"x {op} 1")
        assert isinstance(cond, Comparison) and cond.op == op
    cond = parse_condition("x <> 1")
    assert isinstance(cond, Comparison) and cond.op == "!="


def test_or_binds_looser_than_and_and_not_binds_tightest() -> None:
    cond = parse_condition("not a = 1 and b = 2 or c = 3")
    assert isinstance(cond, BoolOp) and cond.op == "or"
    assert isinstance(cond.left, BoolOp) and cond.left.op == "and"
    assert isinstance(cond.left.left, Not)
    grouped = parse_condition("a = 1 and (b = 2 or c = 3)")
    assert isinstance(grouped, BoolOp) and grouped.op == "and"
    assert isinstance(grouped.right, BoolOp) and grouped.right.op == "or"
    # the parentheses belong to the node's span
    assert (grouped.right.pos, grouped.right.length) == (10, 16)


def test_qualified_columns_and_a_column_called_date() -> None:
    cond = parse_condition("orders.channel = 'x' and date >= date '2024-01-01'")
    assert isinstance(cond, BoolOp)
    assert cond.left == Comparison(0, 20, ColumnRef(0, 14, "channel", "orders"), "=", "x")
    assert cond.right == Comparison(25, 25, ColumnRef(25, 4, "date"), ">=", dt.date(2024, 1, 1))
    # a keyword may follow the dot: no ambiguity there
    assert parse_condition("t.in = 1") == Comparison(0, 8, ColumnRef(0, 4, "in", "t"), "=", 1)


def test_persian_text_positions_are_string_indices() -> None:
    text = "count(orders where campaign = 'حراج نوروز' and plan = 'طلایی')"
    tree = parse_formula(text)
    assert isinstance(tree, Aggregate) and isinstance(tree.filter, BoolOp)
    right = tree.filter.right
    assert isinstance(right, Comparison) and right.value == "طلایی"
    assert text[right.pos : right.pos + right.length] == "plan = 'طلایی'"
    with pytest.raises(FormulaError) as caught:
        parse_formula("count(orders where campaign = 'نوروز' and)")
    assert caught.value.issues[0].position == len("count(orders where campaign = 'نوروز' and")


def test_multiple_unknown_functions_are_all_reported() -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula("summ(orders.revenue) / cnt(orders)", kpi="aov")
    issues = caught.value.issues
    assert [(i.message, i.position, i.suggestion) for i in issues] == [
        ("unknown function 'summ'", 0, "sum"),
        ("unknown function 'cnt'", 23, "count"),
    ]
    assert caught.value.kpi == "aov"
    assert str(caught.value).startswith("in KPI 'aov': unknown function 'summ' — did you mean")


def test_nesting_and_depth_limits_give_formula_errors() -> None:
    deep = "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)
    with pytest.raises(FormulaError, match="nests too deeply"):
        parse_formula(deep)
    ok = "(" * MAX_NESTING + "1" + ")" * MAX_NESTING
    assert parse_formula(ok) == Number(0, len(ok), 1.0)
    with pytest.raises(FormulaError, match="nests too deeply"):
        parse_formula("-" * 10_000 + "1")
    with pytest.raises(FormulaError, match="nests too deeply"):
        parse_condition("not " * 5_000 + "a = 1")
    with pytest.raises(FormulaError, match="too complex"):
        parse_formula("+".join(["1"] * (MAX_DEPTH + 2)))
    with pytest.raises(FormulaError, match="too complex"):
        parse_condition(" or ".join(["a = 1"] * 50_000))
    assert isinstance(parse_formula("+".join(["1"] * MAX_DEPTH)), BinaryOp)


def test_tokenize_normalises_operators() -> None:
    values = [t.value for t in tokenize("a × b ÷ c − d <> 'x'")]
    assert values == ["a", "*", "b", "/", "c", "-", "d", "!=", "x", ""]
    with pytest.raises(FormulaError, match="unterminated string"):
        tokenize("'abc")


# ---- robustness: FormulaError and nothing else, whatever the input -----------------------------

SEEDS = [
    "sum(ad_performance.clicks where channel = 'search') / sum(ad_performance.impressions)",
    "(revenue * $gross_margin - cost) / cost",
    "churned(customers) / active_at_start(customers)",
    "count(orders where order_date >= date '2024-01-01' and channel not in ('a', 'ب''c'))",
    "count(leads where won_date is not null or value > -1.5e3) − 2 × .5 ÷ 3",
]
PIECES = [
    *"()$.,'\"=<>!-+*/ _aeinorstu0123456789\n−×÷س۵",
    *("where", "and", "or", "not", "in", "is", "null", "date", "true", "sum(", "count("),
    *("'2024-01-01'", "1e", ".", "''", "((", "))"),
]


def _must_only_raise_formula_error(text: str) -> None:
    for parse in (parse_formula, parse_condition):
        try:
            parse(text)
        except FormulaError as error:
            for issue in error.issues:
                assert 0 <= issue.position <= len(text)
                assert issue.length >= 1
            assert str(error)


@settings(max_examples=500)
@given(st.text())
def test_random_text_only_raises_formula_error(text: str) -> None:
    _must_only_raise_formula_error(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_formula_like_text_only_raises_formula_error(text: str) -> None:
    _must_only_raise_formula_error(text)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=120),
            st.integers(min_value=0, max_value=4),
            st.lists(st.sampled_from(PIECES), max_size=3).map("".join),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_valid_formulas_only_raise_formula_error(
    seed: str, edits: list[tuple[int, int, str]]
) -> None:
    text = seed
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    _must_only_raise_formula_error(text)


@pytest.mark.parametrize("seed", SEEDS)
def test_seeds_are_valid(seed: str) -> None:
    parse_formula(seed)
