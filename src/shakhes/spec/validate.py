"""Check a whole set of definitions before it is stored: every formula parses and fits the
warehouse schema, every reference names a KPI of the set, and no references form a cycle; goals
and targets name KPIs (and goals) that exist, and a target's scope fits its KPI's tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from shakhes.data.model import TABLES
from shakhes.errors import DefinitionError, FormulaError, FormulaIssue, Issue, nearest
from shakhes.formula import ast
from shakhes.formula.check import (
    aggregates,
    check_condition,
    check_formula,
    find_cycle,
    kpi_references,
)
from shakhes.formula.parser import parse_condition, parse_formula
from shakhes.spec.goals import GoalSpec, TargetSpec
from shakhes.spec.kpi import KpiSpec, Timing

if TYPE_CHECKING:
    from shakhes.engine.calendar import CalendarSettings

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
            f"KPI references form a cycle: {' → '.join(cycle)}",
            0,
            len(spec.formula),
            code="kpi_cycle",
        )
        problems.extend(FormulaError(spec.formula, [cycle_issue], kpi=cycle[0]).issues)
    if problems:
        raise DefinitionError(
            f"{len(problems)} KPI definition problem(s); nothing was changed:\n"
            + "\n".join(str(p) for p in problems),
            issues=problems,
        )


def kpi_tables(kpi_id: str, specs: Mapping[str, KpiSpec]) -> tuple[str, ...] | None:
    """The tables a KPI reads, through the KPIs it refers to (what a filter on it must fit);
    None when its formula, or one it refers to, does not parse or names an unknown KPI."""
    tables: dict[str, None] = {}
    seen: set[str] = set()
    todo = [kpi_id]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        spec = specs.get(current)
        if spec is None:
            return None
        try:
            expr = parse_formula(spec.formula, kpi=current)
        except FormulaError:
            return None
        tables.update(dict.fromkeys(agg.table for agg in aggregates(expr)))
        todo.extend(sorted(kpi_references(expr)))
    return tuple(tables)


def validate_goals(
    kpis: Mapping[str, KpiSpec],
    goals: Mapping[str, GoalSpec],
    targets: Mapping[str, TargetSpec],
    calendar: CalendarSettings,
) -> None:
    """Check goals and targets against the workspace's KPIs (the set they will be stored with):
    every KPI they name exists; a KPI that drives others is a leading one and those it drives
    lagging ones; a target's scope fits every table its KPI reads; a target's goal exists and
    lists its KPI; a recurring period's bounds are where its periods start and end. Raises one
    :class:`DefinitionError` listing every problem."""
    from shakhes.spec.periods import bounds_problems

    problems: list[Issue] = []

    def unknown_kpi(kpi_id: str, label: str, field: str) -> bool:
        if kpi_id in kpis:
            return False
        problems.append(
            Issue(
                f"no KPI '{kpi_id}' in this workspace",
                code="unknown_kpi",
                kpi=label,
                field=field,
                suggestion=nearest(kpi_id, kpis),
            )
        )
        return True

    for goal_id, goal in sorted(goals.items()):
        label = f"goal '{goal_id}'"
        for index, link in enumerate(goal.kpis):
            where = f"kpis[{index}]"
            if unknown_kpi(link.kpi, label, f"{where}.kpi"):
                continue
            if link.drives and kpis[link.kpi].timing is not Timing.LEADING:
                problems.append(
                    Issue(
                        f"'{link.kpi}' is a lagging KPI: only a leading KPI drives others",
                        code="not_leading",
                        kpi=label,
                        field=f"{where}.drives",
                    )
                )
            for driven in link.drives:
                if unknown_kpi(driven, label, f"{where}.drives"):
                    continue
                if kpis[driven].timing is not Timing.LAGGING:
                    problems.append(
                        Issue(
                            f"'{driven}' is a leading KPI: a leading KPI drives lagging ones",
                            code="not_lagging",
                            kpi=label,
                            field=f"{where}.drives",
                        )
                    )

    for target_id, target in sorted(targets.items()):
        label = f"target '{target_id}'"
        known = not unknown_kpi(target.kpi, label, "kpi")
        tables = kpi_tables(target.kpi, kpis) if known else None
        if target.scope and tables is not None:
            try:
                check_condition(parse_condition(target.scope), target.scope, tables=tables)
            except FormulaError as error:
                problems.extend(
                    Issue(
                        f"{label}: scope: {issue.message}",
                        code="invalid_scope",
                        formula=target.scope,
                        position=issue.position,
                        length=issue.length,
                        suggestion=issue.suggestion,
                    )
                    for issue in error.issues
                )
        if target.goal is not None:
            target_goal = goals.get(target.goal)
            if target_goal is None:
                problems.append(
                    Issue(
                        f"no goal '{target.goal}'",
                        code="unknown_goal",
                        kpi=label,
                        field="goal",
                        suggestion=nearest(target.goal, goals),
                    )
                )
            elif known and target_goal.link(target.kpi) is None:
                problems.append(
                    Issue(
                        f"goal '{target.goal}' does not list KPI '{target.kpi}': add it to the "
                        "goal's KPIs first",
                        code="kpi_not_in_goal",
                        kpi=label,
                        field="goal",
                    )
                )
        problems.extend(
            Issue(message, code="invalid_period", kpi=label, field="period")
            for message in bounds_problems(target.period, calendar)
        )
    if problems:
        count = len(problems)
        raise DefinitionError(
            f"{count} goal and target problem{'' if count == 1 else 's'}; nothing was changed:\n"
            + "\n".join(str(p) for p in problems),
            issues=problems,
        )
