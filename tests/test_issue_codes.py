"""Every problem code a formula, a filter, a definition or a data file can carry has Persian
words (``shakhes.server.error_words``, ``shakhes.data_words``), so a Persian page never shows a
bare English problem.

The codes are found in the source, not listed by hand: every call that makes an issue
(``FormulaIssue``, the parser's ``_fail``/``fail_here``, ``Issue``, ``SpecIssue``) is read with
``ast``; a new code, or a call whose code is not written out, fails here until it has words.
A rejected row's code is one of support/row_codes.py's (tests/imports/test_reason_words.py
checks every place that sets a row aside), and the KPI errors that "none of these KPIs can be
computed" lists are read from the planner. Then one formula per formula code checks that the
core really raises it and that its Persian words name the text under the caret, isolated
left-to-right."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.row_codes import ROW_CODES

from shakhes.errors import FormulaError, Issue, QueryError
from shakhes.formula.check import check_condition, check_formula
from shakhes.formula.parser import parse_condition, parse_formula
from shakhes.server import error_words
from shakhes.server.error_words import issue_words

SRC = Path(__file__).resolve().parents[1] / "src" / "shakhes"
FORMULA_MAKERS = {"FormulaIssue", "_fail", "fail_here"}
ISSUE_MAKERS = {"Issue": "invalid", "SpecIssue": "invalid_definition"}
"""Each maker of a plain issue, and the code it gives when the call names none."""
PASSED_ON = {
    ("errors.py", "__init__", "i.code"): "FormulaError places an issue: the issue's own code",
    ("errors.py", "FormulaIssue", "code"): "its callers are the formula makers read here",
    ("formula/parser.py", "_fail", "code"): "its callers are read here",
    ("formula/parser.py", "fail_here", "code"): "its callers are read here",
    ("formula/check.py", "_predicate_issues", "found[0]"): "the codes _literal_issue returns",
    ("engine/planner.py", "_nothing_computable", "e.code"): "each KPI's own error: "
    "see _kpi_error_codes",
    ("imports/records.py", "Rejected", "code"): "a rejected row's: support/row_codes.py",
    ("imports/strict.py", "all_problems", "r.code"): "each rejected row's own code: the same",
    ("service/imports.py", "quarantined", "r.code or NO_CODE"): "a quarantined row's, which "
    "the Data page words (tests/imports/test_reason_words.py), not an error",
}
"""Calls whose code is not written out (file, function, code), and where their codes come
from."""
DATA_FILES = ("imports/", "service/imports.py")
"""A data file's problems (rows, columns, mapping files): their words are checked apart, on a
detail shaped as theirs are (a line, a column, a value)."""


def _calls() -> Iterator[tuple[str, str, str, ast.Call]]:
    """(file, the function around the call, the maker, the call) of each issue-making call."""
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in FORMULA_MAKERS or name in ISSUE_MAKERS:
                    around = [
                        f
                        for f in functions
                        if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
                    ]
                    inner = max(around, key=lambda f: f.lineno).name if around else ""
                    yield where, inner, name, node


def _code(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "code"), None)


def _literal_codes() -> set[str]:
    """The codes ``_literal_issue`` returns (the first item of each tuple it returns)."""
    tree = ast.parse((SRC / "formula" / "check.py").read_text(encoding="utf-8"))
    function = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_literal_issue"
    )
    return {
        node.value.elts[0].value
        for node in ast.walk(function)
        if isinstance(node, ast.Return)
        and isinstance(node.value, ast.Tuple)
        and isinstance(node.value.elts[0], ast.Constant)
    }


def _found() -> tuple[set[str], set[str], set[str]]:
    """(formula codes, definition codes, data file codes) the source can raise."""
    formula, definition, data = _literal_codes(), set[str](), set[str]()
    for where, function, name, call in _calls():
        code = _code(call)
        if isinstance(code, ast.Constant) and where.startswith(DATA_FILES):
            data.add(str(code.value))
        elif isinstance(code, ast.Constant):
            (formula if name in FORMULA_MAKERS else definition).add(str(code.value))
        elif code is None and name in ISSUE_MAKERS:
            definition.add(ISSUE_MAKERS[name])
        else:
            text = ast.unparse(code) if code is not None else "(none)"
            assert (where, function, text) in PASSED_ON, (
                f"{where}:{call.lineno}: {name}(code={text}) in {function} — write the code "
                "out, so that it "
                "is checked here, or list the call in PASSED_ON with where its codes come from"
            )
    return formula, definition, data


def test_the_source_is_read() -> None:
    formula, definition, data = _found()
    assert {"unknown_column", "unclosed_parenthesis", "unknown_function"} <= formula
    assert {"invalid_definition", "kpi_not_in_goal", "invalid_period"} <= definition
    assert len(formula) >= 40
    assert {"unknown_column", "invalid_mapping"} <= data


def test_every_formula_code_has_persian_words_and_no_words_are_stale() -> None:
    formula, _, _ = _found()
    assert sorted(formula - set(error_words.FORMULA_DETAILS)) == []
    assert sorted(set(error_words.FORMULA_DETAILS) - formula) == []


def test_every_definition_code_has_persian_words() -> None:
    _, definition, _ = _found()
    sample = {"message": "'a' and 'b' are quoted", "field": "name"}
    missing = [code for code in sorted(definition) if issue_words({**sample, "code": code}) is None]
    assert missing == []


def test_every_data_file_code_has_persian_words() -> None:
    """A refused strict load lists its rows' problems, a strict import its unknown columns, a
    mapping file its own: each beside its line, column and value, in Persian words."""
    _, _, data = _found()
    assert ROW_CODES and data
    sample = {"message": "as written", "file": "x.csv", "line": 3, "column": "cost", "value": "x"}
    worded = {code: issue_words({**sample, "code": code}) for code in sorted(data | ROW_CODES)}
    assert [code for code, words in worded.items() if not (words and _persian(words))] == []


def _kpi_error_codes() -> set[str]:
    """The codes of the errors the planner keeps per KPI (``failures[…] = exc``): the default
    code of each error class it catches, and the codes written out in the planner's functions
    called in those ``try`` blocks."""
    from shakhes import errors

    tree = ast.parse((SRC / "engine" / "planner.py").read_text(encoding="utf-8"))
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    codes, called = set[str](), set[str]()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        for handler in node.handlers:
            kept = any(
                isinstance(t, ast.Subscript) and getattr(t.value, "id", "").endswith("failures")
                for n in handler.body
                if isinstance(n, ast.Assign)
                for t in n.targets
            )
            if kept and isinstance(handler.type, ast.Name):
                codes.add(getattr(errors, handler.type.id).code)
                called |= {
                    c.func.id
                    for n in node.body
                    for c in ast.walk(n)
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                }
    for name in called & set(functions):
        for call in ast.walk(functions[name]):
            if isinstance(call, ast.Call) and isinstance(code := _code(call), ast.Constant):
                codes.add(str(code.value))
    return codes


def test_each_kpi_error_that_nothing_computable_lists_has_persian_words() -> None:
    codes = _kpi_error_codes()
    assert {"invalid_formula", "breakdown_not_possible", "non_additive"} <= codes
    assert QueryError.code in codes
    english = "cannot break 'mer' down by 'ad_group': it reads orders"
    for code in sorted(codes):
        words = issue_words({"code": code, "message": english, "kpi": "mer"})
        assert words is not None and _persian(words), (code, words)
        assert "\u2066mer\u2069" in words, (code, words)  # the KPI it is about


def _persian(text: str) -> bool:
    """Persian words and no Latin letter outside isolated left-to-right runs."""
    outside = re.sub("\u2066[^\u2069]*\u2069", "", text)
    return bool(re.search("[\u0621-\u064a\u06a9\u06cc]", text)) and not re.search(
        "[A-Za-z]", outside
    )


FORMULAS = {
    "double_quotes": ('sum(orders.revenue where channel = "search")', '"'),
    "non_latin_name": ("sum(orders.درآمد)", "د"),
    "unexpected_character": ("sum(orders.revenue) # 2", "#"),
    "malformed_number": ("12abc + count(orders)", "12abc"),
    "number_too_large": ("1e999 * count(orders)", "1e999"),
    "unterminated_string": ("count(orders where channel = 'search)", "'"),
    "invalid_date": ("count(orders where order_date > date '2024-13-01')", "'2024-13-01'"),
    "empty_formula": ("   ", None),
    "unclosed_parenthesis": ("(sum(orders.revenue) + 1", None),
    "unmatched_parenthesis": ("sum(orders.revenue))", ")"),
    "too_complex": ("(" * 60 + "1" + ")" * 60, None),
    "expected_operator": ("sum(orders.revenue) count(orders)", "count"),
    "expected_value": ("sum(orders.revenue) + ", None),
    "expected_parameter": ("$ + 1", "$"),
    "unexpected_keyword": ("and + 1", "and"),
    "column_needs_aggregate": ("orders.revenue", "orders.revenue"),
    "unknown_function": ("summ(orders.revenue)", "summ"),
    "expected_table": ("sum(1)", "1"),
    "expected_column": ("sum(orders.)", ")"),
    "keyword_as_column": ("count(orders where and = 1)", "and"),
    "unexpected_word": ("sum(orders revenue)", "revenue"),
    "where_outside_aggregate": ("count(orders) where channel = 'search'", "where"),
    "double_equals": ("count(orders where channel == 'search')", "=="),
    "expected_comparison": ("count(orders where channel)", ")"),
    "expected_in": ("count(orders where channel not 'x')", "'x'"),
    "expected_null": ("count(orders where channel is 1)", "1"),
    "expected_list": ("count(orders where channel in 'x')", "'x'"),
    "unclosed_list": ("count(orders where channel in ('a' 'b'))", "'b'"),
    "expected_date": ("count(orders where order_date > date 1)", "1"),
    "expected_number": ("count(orders where revenue > - 'x')", "'x'"),
    "null_in_list": ("count(orders where channel in ('search', null))", "null"),
    "use_is_null": ("count(orders where channel = null)", "null"),
    "null_compare": ("count(orders where revenue > null)", "null"),
    "unknown_channel": ("count(orders where channel = 'serch')", "'serch'"),
    "text_needs_quotes": ("count(orders where channel = 5)", "5"),
    "number_in_quotes": ("count(orders where revenue > '5')", "'5'"),
    "value_not_a_number": ("count(orders where revenue > 'x')", "'x'"),
    "date_needs_date": ("count(orders where order_date > '2024-01-01')", "'2024-01-01'"),
    "boolean_compare": ("count(orders where is_new_customer > true)", "true"),
    "unknown_table": ("count(order)", "order"),
    "unknown_column": ("sum(ad_performance.clikcs)", "clikcs"),
    "needs_column": ("sum(orders)", "sum(orders)"),
    "not_a_number_column": ("sum(orders.channel)", "channel"),
    "approx_sum_additive": ("approx_sum(orders.revenue)", "approx_sum(orders.revenue)"),
    "customers_only": ("churned(orders)", "orders"),
    "filter_other_table": ("count(orders where leads.channel = 'x')", "leads"),
    "unknown_parameter": ("$margn * sum(orders.revenue)", "$margn"),
    "unknown_kpi": ("revnue / 2", "revnue"),
    "table_not_kpi": ("orders + 1", "orders"),
    "self_reference": ("revenue + 1", "revenue"),
}
"""For each formula code: a formula that raises it, and the text under its caret (None: not
checked), which its words name when they have a place for it."""


def _issues(formula: str) -> list[Issue]:
    try:
        check_formula(
            parse_formula(formula),
            formula,
            kpi="revenue",
            known_kpis={"revenue", "orders_count"},
            params={"margin"},
        )
    except FormulaError as error:
        return list(error.issues)
    return []


def test_each_formula_code_has_a_formula_here() -> None:
    formula, _, _ = _found()
    elsewhere = {"table_not_read", "expected_and_or", "kpi_cycle"}  # the next test
    assert sorted(formula - set(FORMULAS) - elsewhere) == []


@pytest.mark.parametrize(("code", "case"), sorted(FORMULAS.items()))
def test_a_bad_formula_is_worded_in_persian(code: str, case: tuple[str, str | None]) -> None:
    formula, under = case
    issues = _issues(formula)
    issue = next((i for i in issues if i.code == code), None)
    assert issue is not None, [(i.code, i.message) for i in issues]
    words = issue_words(issue.to_dict())
    assert words is not None and _persian(words), words
    if under is not None:
        assert issue.formula is not None and issue.position is not None
        assert issue.formula[issue.position : issue.position + issue.length] == under
        if "{}" in error_words.FORMULA_DETAILS[code]:  # words that name the text under the caret
            assert f"\u2066{under}\u2069" in words


def test_filter_and_cycle_problems_are_worded() -> None:
    text = "leads.channel = 'search'"
    with pytest.raises(FormulaError) as caught:
        check_condition(parse_condition(text), text, tables=["orders"])
    (issue,) = caught.value.issues
    assert issue.code == "table_not_read"
    words = issue_words(issue.to_dict())
    assert words is not None and _persian(words) and "\u2066leads\u2069" in words
    with pytest.raises(FormulaError) as unfinished:
        parse_condition("channel = 'search' 'social'")
    (issue,) = unfinished.value.issues
    assert issue.code == "expected_and_or" and _persian(issue_words(issue.to_dict()) or "")

    from shakhes.spec.kpi import KpiSpec
    from shakhes.spec.validate import validate_definitions

    def kpi(kpi_id: str, formula: str) -> KpiSpec:
        return KpiSpec.model_validate(
            {
                "id": kpi_id,
                "name": {"en": kpi_id, "fa": kpi_id},
                "description": {"en": kpi_id, "fa": kpi_id},
                "formula": formula,
                "unit": "count",
                "direction": "higher_is_better",
                "kind": "operational",
                "timing": "lagging",
                "category": "revenue",
            }
        )

    from shakhes.errors import DefinitionError

    with pytest.raises(DefinitionError) as cycle:
        validate_definitions({"a": kpi("a", "b + 1"), "b": kpi("b", "a + 1")}, {})
    codes = [i.code for i in cycle.value.issues]
    assert codes == ["kpi_cycle"]
    assert _persian(issue_words(cycle.value.issues[0].to_dict()) or "")


@pytest.mark.parametrize(
    ("message", "code", "names"),
    [
        ("no KPI 'revnue' in this workspace", "unknown_kpi", ["revnue"]),
        ("no goal 'grow'", "unknown_goal", ["grow"]),
        ("'region' is not a dimension of any table", "unknown_dimension", ["region"]),
        (
            "'revenue' is a lagging KPI: only a leading KPI drives others",
            "not_leading",
            ["revenue"],
        ),
        ("'ctr' is a leading KPI: a leading KPI drives lagging ones", "not_lagging", ["ctr"]),
        (
            "goal 'grow' does not list KPI 'ctr': add it to the goal's KPIs first",
            "kpi_not_in_goal",
            ["grow", "ctr"],
        ),
    ],
)
def test_a_definition_problem_names_what_it_is_about(
    message: str, code: str, names: list[str]
) -> None:
    words = issue_words({"code": code, "message": message, "field": "goal"})
    assert words is not None and _persian(words), words
    assert all(f"\u2066{name}\u2069" in words for name in names)
    places = [words.index(f"\u2066{name}\u2069") for name in names]
    assert places == sorted(places)


def test_a_problem_with_many_english_messages_keeps_its_message_after_persian_words() -> None:
    detail = {"code": "invalid_period", "message": "start 2025-04-02 is not a month's first day"}
    words = issue_words(detail)
    assert words == "این دوره درست نیست: \u2066start 2025-04-02 is not a month's first day\u2069"
    assert issue_words({"code": "invalid_definition", "message": "is missing"}) == "لازم است."
