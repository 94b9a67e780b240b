"""Goal and target models: what each checks alone, with errors a marketer can act on."""

from __future__ import annotations

from typing import Any

import pytest

from shakhes.errors import DefinitionError
from shakhes.spec.goals import GoalSpec, ScopeError, TargetSpec, make_goal, make_target, parse_scope
from shakhes.spec.kpi import Direction

MONTHLY = {"every": "month", "calendar": "jalali"}


def target(**fields: Any) -> dict[str, Any]:
    return {"id": "t", "kpi": "revenue", "period": MONTHLY, "value": 100, **fields}


def test_scope_is_kept_in_its_canonical_text() -> None:
    spec = make_target(target(scope="channel='search'   AND device in ('mobile','tablet')"))
    assert spec.scope == "channel = 'search' and device in ('mobile', 'tablet')"
    assert make_target(target(scope="  ")).scope == ""


def test_a_bad_scope_names_the_position() -> None:
    with pytest.raises(ScopeError) as info:
        make_target(target(scope="channel = = 'x'"))
    (issue,) = info.value.issues
    assert issue.position == 10 and issue.formula == "channel = = 'x'"
    assert info.value.code == "invalid_scope"
    assert str(info.value).splitlines()[1:] == ["  channel = = 'x'", "            ^"]
    with pytest.raises(ScopeError):
        parse_scope("channel in ('a'")


def test_a_bad_scope_in_the_model_names_the_character() -> None:
    with pytest.raises(ValueError, match=r"at character 11 of \"channel = = 'x'\""):
        TargetSpec.model_validate(target(scope="channel = = 'x'"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": None, "min": 5, "max": 3}, "the band's min (5) is above its max (3)"),
        ({"value": None, "min": 5}, "a band needs both min and max"),
        ({"value": 3, "min": 1, "max": 5}, "give a value or a band (min and max), not both"),
        ({"value": None}, "give the target's value, or a band with min and max"),
        ({"period": {"every": "month"}}, "a recurring period names its calendar"),
        ({"period": {"every": "month", "calendar": "jalaali"}}, "period.calendar"),
        ({"period": {"start": "2025-05-01", "end": "2025-04-01"}}, "starts (2025-05-01) after"),
        ({"period": {"start": "2025-05-01"}}, "a fixed period needs both start and end"),
        ({"period": {"calendar": "jalali", "start": "2025-05-01", "end": "2025-06-01"}}, "every"),
        ({"id": "Bad id"}, "'Bad id' is not a valid target id"),
        ({"value": float("inf")}, "value"),
    ],
)
def test_invalid_targets(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError) as info:
        make_target(target(**fields))
    assert message in str(info.value)
    assert info.value.issues
    assert str(info.value).startswith("target '")


def test_band_and_direction() -> None:
    band = make_target(target(value=None, min=0.02, max=0.03))
    assert band.band == (0.02, 0.03)
    assert band.meets(0.025, Direction.HIGHER_IS_BETTER) is True
    assert band.meets(0.031, Direction.LOWER_IS_BETTER) is False
    value = make_target(target(value=20))
    assert value.band is None
    assert value.meets(20, Direction.HIGHER_IS_BETTER) is True
    assert value.meets(19.9, Direction.HIGHER_IS_BETTER) is False
    assert value.meets(19.9, Direction.LOWER_IS_BETTER) is True
    assert value.meets(None, Direction.LOWER_IS_BETTER) is None


def test_goals() -> None:
    goal = make_goal(
        {
            "id": "online_revenue_1404",
            "title": {"fa": "رشد درآمد آنلاین"},
            "period": {"start": "2025-03-21", "end": "2026-03-20"},
            "kpis": [
                {"kpi": "revenue", "kind": "strategic"},
                {"kpi": "ctr", "kind": "operational", "drives": ["revenue"]},
            ],
        }
    )
    assert goal.title.text("en") == "رشد درآمد آنلاین"  # the one language there is
    link = goal.link("ctr")
    assert link is not None and link.drives == ("revenue",)
    assert goal.link("orders") is None
    base = goal.model_dump(mode="json")
    for changes, message in [
        ({"title": {}}, "a goal needs a title"),
        ({"kpis": [{"kpi": "ctr", "kind": "x"}]}, "kpis.0.kind"),
        ({"kpis": [{"kpi": "ctr", "kind": "strategic", "drives": ["ctr"]}]}, "drive itself"),
        ({"kpis": [{"kpi": "ctr", "kind": "strategic"}] * 2}, "KPI 'ctr' is listed twice"),
        ({"period": {"start": "2026-01-01", "end": "2025-01-01"}}, "after it ends"),
    ]:
        with pytest.raises(DefinitionError, match=message):
            make_goal({**base, **changes})
    assert GoalSpec.model_validate(base) == goal
