"""Data-driven tests: fixtures/valid.txt must parse, print back and check; fixtures/invalid.yml
must fail with the given message, caret and suggestion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shakhes.errors import FormulaError, FormulaIssue
from shakhes.formula.check import check_condition, check_formula
from shakhes.formula.parser import parse_condition, parse_formula
from shakhes.formula.printer import to_text

FIXTURES = Path(__file__).parent / "fixtures"
KNOWN_KPIS = {"revenue", "cost", "conversions", "sessions"}
PARAMS = {"gross_margin", "target_cpa"}

VALID = [
    line.strip()
    for line in (FIXTURES / "valid.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
INVALID: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "invalid.yml").read_text("utf-8"))


def test_fixture_files_are_not_trivial() -> None:
    assert len(VALID) >= 30
    assert len(INVALID) >= 80


@pytest.mark.parametrize("text", VALID)
def test_valid_formula_parses_prints_and_checks(text: str) -> None:
    tree = parse_formula(text)
    printed = to_text(tree)
    assert to_text(parse_formula(printed)) == printed
    check_formula(tree, text, kpi="example", known_kpis=KNOWN_KPIS, params=PARAMS)
    check_formula(parse_formula(printed), printed, kpi="x", known_kpis=KNOWN_KPIS, params=PARAMS)


def _expected_span(case: dict[str, Any]) -> tuple[int, int | None]:
    text: str = case["text"]
    if "at" in case:
        at = str(case["at"])
        pos = -1
        for _ in range(case.get("nth", 0) + 1):
            pos = text.index(at, pos + 1)
        return pos, len(at)
    pos = len(text) if case["pos"] == "end" else int(case["pos"])
    return pos, case.get("length")


def _run(case: dict[str, Any]) -> None:
    text: str = case["text"]
    condition = case.get("kind") == "condition"
    tree = parse_condition(text) if condition else parse_formula(text, kpi="example")
    if case.get("stage", "parse") != "check":
        pytest.fail(f"{text!r} parsed, but it should not: {tree!r}")
    if condition:
        check_condition(tree, text, tables=case["tables"])  # type: ignore[arg-type]
    else:
        check_formula(
            tree,  # type: ignore[arg-type]
            text,
            kpi="example",
            known_kpis=KNOWN_KPIS,
            params=PARAMS,
        )


@pytest.mark.parametrize("case", INVALID, ids=[f"{c.get('kind', '')}:{c['text']}" for c in INVALID])
def test_invalid_fails_with_message_and_caret(case: dict[str, Any]) -> None:
    if case.get("stage") == "check":
        # the text is syntactically fine: only the checker refuses it
        (parse_condition if case.get("kind") == "condition" else parse_formula)(case["text"])
    with pytest.raises(FormulaError) as caught:
        _run(case)
    error = caught.value
    assert error.formula == case["text"]
    matching = [issue for issue in error.issues if case["message"] in issue.message]
    assert matching, f"no issue says {case['message']!r}: {[i.message for i in error.issues]}"
    pos, length = _expected_span(case)
    issue: FormulaIssue = matching[0]
    assert issue.position == pos, str(error)
    if length is not None:
        assert issue.length == length, str(error)
    assert issue.suggestion == case.get("suggestion"), str(error)
    # the rendered message shows the formula and a caret under the place
    rendered = str(error)
    assert case["message"] in rendered
    assert "\n  " + " " * pos + "^" in rendered
