"""The checker: every rule, all issues at once, references, cycles and aggregates."""

from __future__ import annotations

import pytest

from shakhes.data.model import TABLES, Additivity
from shakhes.errors import FormulaError
from shakhes.formula.ast import Aggregate
from shakhes.formula.check import (
    aggregates,
    check_condition,
    check_formula,
    find_cycle,
    kpi_references,
)
from shakhes.formula.parser import parse_condition, parse_formula

KPIS = {"revenue", "cost", "conversions", "roas"}
PARAMS = {"gross_margin"}


def check(text: str, *, kpi: str | None = "example", params: set[str] = PARAMS) -> None:
    check_formula(parse_formula(text), text, kpi=kpi, known_kpis=KPIS, params=params)


def issues_of(text: str, **kwargs: object) -> list[tuple[str, int, int, str | None]]:
    with pytest.raises(FormulaError) as caught:
        check(text, **kwargs)  # type: ignore[arg-type]
    return [(i.message, i.position, i.length, i.suggestion) for i in caught.value.issues]


def condition_issues(text: str, tables: list[str]) -> list[tuple[str, int, str | None]]:
    with pytest.raises(FormulaError) as caught:
        check_condition(parse_condition(text), text, tables=tables)
    return [(i.message, i.position, i.suggestion) for i in caught.value.issues]


def test_the_caret_example_from_errors_py() -> None:
    with pytest.raises(FormulaError) as caught:
        check("sum(ad_performance.clikcs)")
    assert str(caught.value) == (
        "in KPI 'example': unknown column 'clikcs' in ad_performance — did you mean 'clicks'?\n"
        "  sum(ad_performance.clikcs)\n"
        "                     ^^^^^^"
    )


def test_all_issues_are_collected_into_one_error() -> None:
    text = (
        "sum(ad_performance.clikcs where channel = 5) / revnue"
        " + $gross_margn * churned(orders) + approx_sum(orders.revenue)"
    )
    found = issues_of(text)
    assert [message.split(" —")[0][:30] for message, *_ in found] == [
        "unknown column 'clikcs' in ad_",
        "channel is a text column: writ",
        "unknown KPI 'revnue'",
        "unknown parameter '$gross_marg",
        "churned works only on the cust",
        "approx_sum is only for non-add",
    ]
    positions = [pos for _, pos, _, _ in found]
    assert positions == sorted(positions)
    assert found[0][3] == "clicks" and found[2][3] == "revenue" and found[3][3] == "$gross_margin"


def test_no_error_for_the_brief_examples() -> None:
    check("(revenue * $gross_margin - cost) / cost")
    check("churned(customers) / active_at_start(customers)")
    check("approx_sum(ad_performance.reach)")
    check("sum(ad_performance.clicks where channel = 'search') / sum(ad_performance.impressions)")


@pytest.mark.parametrize("func", ["sum", "avg", "min", "max"])
def test_non_additive_columns_are_allowed_for_plain_aggregates(func: str) -> None:
    # the engine refuses them above day grain; the checker lets them through
    check(f"{func}(ad_performance.reach) + {func}(web_traffic.users)")


def test_approx_sum_only_on_non_additive_columns() -> None:
    non_additive = [
        f"{t.name}.{c.name}"
        for t in TABLES.values()
        for c in t.columns
        if c.additivity is Additivity.NON_ADDITIVE
    ]
    assert non_additive
    for column in non_additive:
        check(f"approx_sum({column})")
    [(message, pos, length, _)] = issues_of("1 + approx_sum(ad_performance.clicks)")
    assert "write sum(ad_performance.clicks)" in message
    assert (pos, length) == (4, len("approx_sum(ad_performance.clicks)"))
    [(message, *_)] = issues_of("approx_sum(orders)")
    assert message == "approx_sum needs a column, e.g. approx_sum(ad_performance.reach)"
    [(message, *_)] = issues_of("approx_sum(web_traffic)")
    assert message == "approx_sum needs a column, e.g. approx_sum(web_traffic.users)"


def test_count_takes_a_table_or_any_column() -> None:
    check("count(orders) + count(orders.channel) + count(orders.order_date)")
    check("count(orders.is_new_customer) + count_distinct(orders.customer_id)")
    check("count_distinct(customers.churned_date)")


def test_count_distinct_needs_a_column() -> None:
    [(message, pos, length, _)] = issues_of("count_distinct(orders)")
    assert message == "count_distinct needs a column, e.g. count_distinct(orders.order_id)"
    assert (pos, length) == (0, 22)


@pytest.mark.parametrize("func", ["sum", "avg", "min", "max", "approx_sum"])
def test_numeric_functions_refuse_non_numeric_columns(func: str) -> None:
    for column, kind in [
        ("orders.channel", "text"),
        ("orders.order_date", "date"),
        ("orders.is_new_customer", "true/false"),
    ]:
        [(message, *_)] = issues_of(f"{func}({column})")
        assert f"{func} needs a number column, but {column} is a {kind} column" in message


def test_snapshot_functions() -> None:
    check("churned(customers where plan = 'pro' and acquired_date < date '2024-01-01')")
    check("active_at_start(customers where churned_date is null)")
    [(message, pos, _, _)] = issues_of("active_at_start(leads)")
    assert (
        message == "active_at_start works only on the customers table: active_at_start(customers)"
    )
    assert pos == len("active_at_start(")
    check("active_at_start(customers.monthly_value) / active_at_start(customers)")
    [(message, pos, _, _)] = issues_of("churned(customers.plan)")
    assert message == "churned needs a number column, but customers.plan is a text column"
    assert pos == len("churned(customers.")
    [(message, *_)] = issues_of("churned(customers where plann = 'pro')")
    assert message == "unknown column 'plann' in customers"


def test_unknown_table_stops_further_checks_of_that_aggregate() -> None:
    [(message, pos, length, suggestion)] = issues_of("sum(order.revenue where nonsense = 1)")
    assert (message, pos, length, suggestion) == ("unknown table 'order'", 4, 5, "orders")
    [(message, _, _, suggestion)] = issues_of("count(zzz)")
    assert message == "unknown table 'zzz'" and suggestion is None


def test_filter_literal_types() -> None:
    check(
        "count(orders where channel = 'search' and revenue > 10 and revenue < 1.5"
        " and order_date >= date '2024-01-01' and is_new_customer = true"
        " and is_new_customer != false and channel in ('search', 'social')"
        " and customer_id is not null)"
    )
    check("count(leads where won_date is null and qualified_date is not null)")
    check("count(ad_performance where impressions in (1, 2.5, -3) and cost >= -1)")


def test_null_comparisons_point_to_is_null() -> None:
    [(message, *_)] = issues_of("count(leads where won_date = null)")
    assert message == "use 'won_date is null' to test for an empty value"
    [(message, *_)] = issues_of("count(leads where won_date < null)")
    assert message == "null cannot be compared with '<'"


def test_kpi_references() -> None:
    [(message, pos, length, suggestion)] = issues_of("roas - roa")
    assert (message, pos, length, suggestion) == ("unknown KPI 'roa'", 7, 3, "roas")
    [(message, *_)] = issues_of("revenue / roas", kpi="roas")
    assert message == "KPI 'roas' refers to itself"
    check("revenue / cost", kpi=None)
    [(message, *_)] = issues_of("customers")
    assert message == "'customers' is a table, not a KPI: use an aggregate such as count(customers)"


def test_unknown_parameter_without_any_parameters_says_where_to_set_them() -> None:
    [(message, pos, length, suggestion)] = issues_of("revenue * $gross_margin", params=set())
    assert message.startswith("unknown parameter '$gross_margin'")
    assert "[parameters]" in message
    assert (pos, length, suggestion) == (10, 13, None)


# ---- compute --where --------------------------------------------------------------------------


def test_condition_columns_must_exist_in_every_table() -> None:
    check_condition(
        parse_condition("channel = 'search' and campaign != 'x'"),
        "channel = 'search' and campaign != 'x'",
        tables=["ad_performance", "orders", "web_traffic"],
    )
    assert condition_issues("device = 'mobile'", ["ad_performance", "web_traffic", "orders"]) == [
        (
            "unknown column 'device' in ad_performance (it is in web_traffic, but a filter must "
            "fit every table the KPI reads)",
            0,
            None,
        ),
        (
            "unknown column 'device' in orders (it is in web_traffic, but a filter must "
            "fit every table the KPI reads)",
            0,
            None,
        ),
    ]
    assert condition_issues("chanel = 'x'", ["orders", "customers"]) == [
        ("unknown column 'chanel' in orders", 0, "channel"),
        ("unknown column 'chanel' in customers", 0, "channel"),
    ]


def test_condition_literal_typing_and_qualified_columns() -> None:
    text = "date >= '2024-01-01' and orders.channel = 'search' and clicks in ('1', 2)"
    found = condition_issues(text, ["ad_performance"])
    assert found == [
        ("date is a date column: write date '2024-01-01'", 8, None),
        ("'orders' is not a table this KPI reads (ad_performance)", 25, None),
        ("clicks is a number column: write 1 without quotes", 66, None),
    ]
    check_condition(
        parse_condition("orders.channel = 'search'"), "orders.channel = 'search'", tables=["orders"]
    )


def test_condition_issue_reported_once_for_tables_of_the_same_type() -> None:
    assert condition_issues("channel = 3", ["orders", "customers"]) == [
        ("channel is a text column: write the value in quotes, e.g. '3'", 10, None)
    ]


# ---- references, cycles, aggregates -----------------------------------------------------------


def test_kpi_references_collects_ids() -> None:
    tree = parse_formula("(revenue * $gross_margin - cost) / cost + -roas + count(orders)")
    assert kpi_references(tree) == {"revenue", "cost", "roas"}
    assert kpi_references(parse_formula("count(orders)")) == set()


def test_find_cycle() -> None:
    def formulas(**texts: str) -> dict[str, object]:
        return {kpi: parse_formula(text) for kpi, text in texts.items()}

    assert find_cycle(formulas(a="b + c", b="c * 2", c="count(orders)")) is None  # type: ignore[arg-type]
    assert find_cycle(formulas(a="b + 1", b="a")) == ["a", "b", "a"]  # type: ignore[arg-type]
    assert find_cycle(formulas(a="a")) == ["a", "a"]  # type: ignore[arg-type]
    assert find_cycle(formulas(x="count(orders)", a="b", b="c", c="a")) == ["a", "b", "c", "a"]  # type: ignore[arg-type]
    # a cycle that does not start at the first KPI visited
    assert find_cycle(formulas(a="b", b="c", c="b")) == ["b", "c", "b"]  # type: ignore[arg-type]
    # references to KPIs outside the mapping are not followed
    assert find_cycle(formulas(a="missing + b", b="count(orders)")) is None  # type: ignore[arg-type]
    assert find_cycle({}) is None


def test_find_cycle_on_a_long_chain_does_not_recurse() -> None:
    chain = {f"k{i}": parse_formula(f"k{i + 1} + 1") for i in range(5000)}
    assert find_cycle(chain) is None
    chain["k5000"] = parse_formula("k0")
    cycle = find_cycle(chain)
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 5002


def test_aggregates_in_order_without_dedup() -> None:
    tree = parse_formula(
        "sum(orders.revenue) / (count(orders) - -sum(orders.revenue)) * revenue + count(leads)"
    )
    found = aggregates(tree)
    assert [(a.func, a.table, a.column) for a in found] == [
        ("sum", "orders", "revenue"),
        ("count", "orders", None),
        ("sum", "orders", "revenue"),
        ("count", "leads", None),
    ]
    assert all(isinstance(a, Aggregate) for a in found)
    assert aggregates(parse_formula("revenue / 2")) == []
