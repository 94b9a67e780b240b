"""The error tree and the one Issue type: rendering, JSON shape, and the CLI's hints by code."""

from __future__ import annotations

import pytest

from shakhes.cli import hints
from shakhes.errors import DataError, FormulaError, FormulaIssue, Issue, ShakhesError
from shakhes.formula.parser import parse_formula


def test_a_row_issue_names_file_line_column_and_value() -> None:
    issue = Issue("not a number", file="ads.csv", line=4, column="cost", value="12x")
    assert str(issue) == "ads.csv:4: column 'cost': value '12x' — not a number"
    assert issue.to_dict() == {
        "code": "invalid",
        "level": "error",
        "message": "not a number",
        "file": "ads.csv",
        "line": 4,
        "column": "cost",
        "value": "12x",
    }


def test_a_definition_issue_names_kpi_and_field() -> None:
    issue = Issue("unknown unit", file="kpis.yml", line=7, kpi="ctr", field="unit")
    assert str(issue) == "kpis.yml:7: ctr: unit: unknown unit"


def test_formula_errors_carry_located_issues() -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula("sum(ad_performance.clicks) / ", kpi="ctr")
    (issue,) = caught.value.issues
    assert issue.formula == "sum(ad_performance.clicks) / "
    assert issue.kpi == "ctr"
    assert issue.position is not None and issue.position >= 27
    assert str(caught.value) == str(issue)
    data = caught.value.to_dict()
    assert data["code"] == "invalid_formula"
    assert data["issues"][0]["formula"] == "sum(ad_performance.clicks) / "


def test_formula_issue_caret_sits_under_the_place() -> None:
    error = FormulaError(
        "sum(t.clikcs)", [FormulaIssue("unknown column", 6, 6, "clicks", code="unknown_column")]
    )
    assert str(error).splitlines() == [
        "unknown column — did you mean 'clicks'?",
        "  sum(t.clikcs)",
        "        ^^^^^^",
    ]


def test_error_codes_default_per_class_and_can_be_set() -> None:
    assert DataError("x").code == "invalid_data"
    assert DataError("x", code="no_currency").code == "no_currency"
    assert ShakhesError("x").to_dict() == {"code": "error", "message": "x"}


def test_the_cli_words_a_hint_by_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(hints.HINTS, "no_currency", "Pass --currency CODE ({example}).")
    error = DataError(
        "no currency", code="no_currency", hint="core hint", params={"example": "USD"}
    )
    assert hints.hint_for(error) == "Pass --currency CODE (USD)."
    assert hints.hint_for(DataError("x", hint="core hint")) == "core hint"
    # A template whose parameter the error lacks falls back to the core's hint.
    assert hints.hint_for(DataError("x", code="no_currency", hint="h")) == "h"
