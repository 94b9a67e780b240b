"""Check a whole set of KPI definitions before it is stored: every formula parses and fits the
warehouse schema, every reference names a KPI of the set, and no references form a cycle."""

from __future__ import annotations

from collections.abc import Mapping

from shakhes.data.model import TABLES
from shakhes.errors import DefinitionError, FormulaError, FormulaIssue, Issue, nearest
from shakhes.formula import ast
from shakhes.formula.check import check_formula, find_cycle
from shakhes.formula.parser import parse_formula
from shakhes.spec.kpi import KpiSpec

DEFAULT_PARAMS = ("gross_margin",)
_DIMENSIONS = sorted({d for t in TABLES.values() for d in t.dimensions})


def validate_definitions(specs: Mapping[str, KpiSpec], params: Mapping[str, float]) -> None:
    """Raise one :class:`DefinitionError` listing every formula problem in ``specs`` (each an
    :class:`~shakhes.errors.Issue` in ``error.issues``)."""
    known_params = set(DEFAULT_PARAMS) | set(params)
    parsed: dict[str, ast.Expr] = {}
    problems: list[Issue] = []
    for kpi_id, spec in sorted(specs.items()):
        try:
            expr = parse_formula(spec.formula, kpi=kpi_id)
            check_formula(
                expr, spec.formula, kpi=kpi_id, known_kpis=specs.keys(), params=known_params
            )
        except FormulaError as exc:
            problems.extend(exc.issues)
            continue
        parsed[kpi_id] = expr
        for dim in spec.dimensions:
            if dim not in _DIMENSIONS:
                hint = nearest(dim, _DIMENSIONS)
                problems.append(
                    Issue(
                        f"'{dim}' is not a dimension of any table",
                        code="unknown_dimension",
                        kpi=kpi_id,
                        field="dimensions",
                        suggestion=hint,
                    )
                )
    cycle = find_cycle(parsed)
    if cycle:
        spec = specs[cycle[0]]
        cycle_issue = FormulaIssue(
            f"KPI references form a cycle: {' → '.join(cycle)}", 0, len(spec.formula)
        )
        problems.extend(FormulaError(spec.formula, [cycle_issue], kpi=cycle[0]).issues)
    if problems:
        raise DefinitionError(
            f"{len(problems)} KPI definition problem(s); nothing was changed:\n"
            + "\n".join(str(p) for p in problems),
            issues=problems,
        )
