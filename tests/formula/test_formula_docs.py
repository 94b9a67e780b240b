"""docs/formulas.md names every function, and its examples are real: formulas parse and check,
and the error messages it shows are the ones shakhes prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shakhes.errors import FormulaError
from shakhes.formula.check import check_condition, check_formula
from shakhes.formula.parser import FUNCTIONS, parse_condition, parse_formula

DOC = Path(__file__).resolve().parents[2] / "docs" / "formulas.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", TEXT, flags=re.MULTILINE | re.DOTALL)
KPIS = {"revenue", "cost"}
PARAMS = {"gross_margin", "target_cpa"}
WHERE_TABLES = ["ad_performance", "web_traffic"]


def _lines(kind: str) -> list[str]:
    return [line for k, body in BLOCKS if k == kind for line in body.splitlines() if line.strip()]


def _error_blocks() -> list[str]:
    return [body for kind, body in BLOCKS if kind == "text" and "\n  " in body and "^" in body]


@pytest.mark.parametrize("func", FUNCTIONS)
def test_every_aggregate_function_is_documented(func: str) -> None:
    examples = [line for line in _lines("formula") if re.search(rf"\b{func}\(", line)]
    assert examples, f"docs/formulas.md has no formula example using {func}(…)"
    assert f"| `{func}` |" in TEXT, f"docs/formulas.md's function table lacks {func}"


def test_docs_have_examples() -> None:
    assert len(_lines("formula")) >= 25
    assert len(_lines("where")) >= 3
    assert len(_error_blocks()) >= 6


@pytest.mark.parametrize("text", _lines("formula"))
def test_documented_formulas_parse_and_check(text: str) -> None:
    check_formula(parse_formula(text), text, kpi="doc", known_kpis=KPIS, params=PARAMS)


@pytest.mark.parametrize("text", _lines("where"))
def test_documented_filters_parse_and_check(text: str) -> None:
    check_condition(parse_condition(text), text, tables=WHERE_TABLES)


@pytest.mark.parametrize("block", _error_blocks())
def test_documented_errors_are_what_shakhes_prints(block: str) -> None:
    first, shown = block.splitlines()[:2]
    text = shown[2:]
    with pytest.raises(FormulaError) as caught:
        if first.startswith("in KPI 'roi'"):
            tree = parse_formula(text, kpi="roi")
            check_formula(tree, text, kpi="roi", known_kpis=KPIS, params=PARAMS)
        else:
            check_condition(parse_condition(text), text, tables=WHERE_TABLES)
    assert block.rstrip("\n") in str(caught.value)
