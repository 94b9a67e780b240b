"""Goals and targets checked against the workspace's KPIs: every problem at once, each placed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shakhes.engine.calendar import CalendarSettings
from shakhes.errors import DefinitionError
from shakhes.spec.catalog import load_catalog
from shakhes.spec.goals import GoalSpec, TargetSpec, make_goal, make_target
from shakhes.spec.validate import kpi_tables, validate_goals

KPIS = {k.id: k for k in load_catalog()}
APRIL = CalendarSettings(fiscal_year_start_month=4)


def goal(goal_id: str = "g", **changes: Any) -> GoalSpec:
    data: dict[str, Any] = {
        "id": goal_id,
        "title": {"en": "Grow"},
        "period": {"start": date(2025, 3, 21), "end": date(2026, 3, 20)},
        "kpis": [{"kpi": "revenue", "kind": "strategic"}],
    }
    return make_goal({**data, **changes})


def target(target_id: str = "t", **changes: Any) -> TargetSpec:
    data: dict[str, Any] = {
        "id": target_id,
        "kpi": "revenue",
        "period": {"every": "month", "calendar": "jalali"},
        "value": 10,
    }
    return make_target({**data, **changes})


def problems(goals: list[GoalSpec], targets: list[TargetSpec]) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        validate_goals(KPIS, {g.id: g for g in goals}, {t.id: t for t in targets}, APRIL)
    return info.value


def test_a_valid_set_passes() -> None:
    links = [
        {"kpi": "revenue", "kind": "strategic"},
        {"kpi": "ctr", "kind": "operational", "drives": ["revenue", "orders"]},
    ]
    validate_goals(
        KPIS,
        {"g": goal(kpis=links)},
        {
            "t": target(scope="channel = 'search'", goal="g"),
            "u": target("u", kpi="ctr", scope="platform = 'meta'"),
            "v": target(
                "v", period={"every": "quarter", "calendar": "fiscal", "start": "2025-04-01"}
            ),
        },
        APRIL,
    )


def test_kpi_tables_follow_references() -> None:
    assert kpi_tables("revenue", KPIS) == ("orders",)
    assert set(kpi_tables("mer", KPIS) or ()) == {"orders", "ad_performance"}
    assert kpi_tables("nope", KPIS) is None


def test_every_problem_is_reported_with_its_place() -> None:
    error = problems(
        [
            goal(
                kpis=[
                    {"kpi": "revnue", "kind": "strategic"},
                    {"kpi": "revenue", "kind": "strategic", "drives": ["orders"]},
                    {"kpi": "ctr", "kind": "operational", "drives": ["cpc", "ordres"]},
                ]
            )
        ],
        [
            target("a", kpi="ctrr"),
            target("b", scope="chanel = 'search'"),
            target("c", kpi="mer", scope="platform = 'meta'"),
            target("d", goal="nope"),
            target("e", kpi="orders", goal="g"),
            target("f", period={"every": "month", "calendar": "jalali", "start": "2025-04-01"}),
        ],
    )
    found = {(i.kpi, i.field, i.code): i for i in error.issues}
    revnue = found[("goal 'g'", "kpis[0].kpi", "unknown_kpi")]
    assert revnue.suggestion == "revenue" and "no KPI 'revnue'" in revnue.message
    assert (
        "'revenue' is a lagging KPI" in found[("goal 'g'", "kpis[1].drives", "not_leading")].message
    )
    assert "'cpc' is a leading KPI" in found[("goal 'g'", "kpis[2].drives", "not_lagging")].message
    assert found[("goal 'g'", "kpis[2].drives", "unknown_kpi")].suggestion == "orders"
    assert found[("target 'a'", "kpi", "unknown_kpi")].suggestion == "ctr"
    scopes = [i for i in error.issues if i.code == "invalid_scope"]
    chanel, platform = scopes
    assert (chanel.position, chanel.length, chanel.suggestion) == (0, 6, "channel")
    assert str(chanel).splitlines() == [
        "target 'b': scope: unknown column 'chanel' in orders — did you mean 'channel'?",
        "  chanel = 'search'",
        "  ^^^^^^",
    ]
    assert "it is in ad_performance, but a filter must fit every table" in platform.message
    assert found[("target 'd'", "goal", "unknown_goal")].message == "no goal 'nope'"
    assert "does not list KPI 'orders'" in found[("target 'e'", "goal", "kpi_not_in_goal")].message
    bounds = found[("target 'f'", "period", "invalid_period")]
    assert "start 2025-04-01 is not the first day of a Jalali month" in bounds.message
    assert len(error.issues) == 10
    assert error.message.startswith("10 goal and target problems; nothing was changed:")
