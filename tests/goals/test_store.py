"""Goals and targets in the metadata store, on SQLite and PostgreSQL: round trips, a target's
history, the audit log, prune, and one transaction for KPIs, goals and targets."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from shakhes.errors import DefinitionError, UnknownGoalError, UnknownTargetError
from shakhes.spec.goals import GoalSpec, TargetSpec, make_goal, make_target
from shakhes.store.goals import GoalStore
from shakhes.store.models import TargetVersion

GOAL = {
    "id": "online_revenue_1404",
    "title": {"en": "Grow online revenue 30% in 1404", "fa": "رشد ۳۰ درصدی درآمد آنلاین"},
    "description": {"en": "Search and social.", "fa": ""},
    "owner": "سارا",
    "period": {"start": "2025-03-21", "end": "2026-03-20"},
    "kpis": [
        {"kpi": "revenue", "kind": "strategic"},
        {"kpi": "ctr", "kind": "operational", "drives": ["revenue", "orders"]},
    ],
}


def goal(**changes: Any) -> GoalSpec:
    return make_goal({**GOAL, **changes})


def target(target_id: str = "search_revenue", **changes: Any) -> TargetSpec:
    data: dict[str, Any] = {
        "id": target_id,
        "kpi": "revenue",
        "scope": "channel = 'search'",
        "period": {"every": "month", "calendar": "jalali"},
        "value": 5_000_000_000,
        "owner": "sara",
        "note": "یادداشت",
        "goal": "online_revenue_1404",
    }
    return make_target({**data, **changes})


def test_goals_and_targets_round_trip(goal_store: GoalStore) -> None:
    plan = goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    assert plan.goals is not None and plan.goals.added == ("online_revenue_1404",)
    assert plan.targets is not None and plan.targets.added == ("search_revenue",)
    assert plan.kpis is None  # the KPIs were left alone
    assert goal_store.goals("acme") == [goal()]
    assert goal_store.goal("acme", "online_revenue_1404") == goal()
    (record,) = goal_store.targets("acme")
    assert record.spec == target()
    assert (record.revision, record.changed_by, record.current) == (1, "ali", True)
    assert goal_store.targets("acme", kpi="ctr") == []
    again = goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    assert not again.has_changes and again.render() == "No changes. 2 unchanged."


def test_changing_a_target_keeps_its_history(goal_store: GoalStore) -> None:
    goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    plan = goal_store.apply("acme", actor="reza", targets=[target(value=6e9)])
    assert plan.targets is not None
    (change,) = plan.targets.changed
    assert [(f.field, f.before, f.after) for f in change.fields] == [("value", 5e9, 6e9)]
    goal_store.apply("acme", actor="sara", targets=[target(value=None, min=5e9, max=7e9)])
    history = goal_store.target_history("acme", "search_revenue")
    assert [(r.revision, r.spec.value, r.spec.band, r.changed_by) for r in history] == [
        (1, 5e9, None, "ali"),
        (2, 6e9, None, "reza"),
        (3, None, (5e9, 7e9), "sara"),
    ]
    assert [r.ended_by for r in history] == ["reza", "sara", None]
    for earlier, later in itertools.pairwise(history):
        assert earlier.valid_to == later.valid_from and earlier.valid_to is not None
    (current,) = goal_store.targets("acme")
    assert current.revision == 3 and current.spec.band == (5e9, 7e9)


def test_removing_a_target_keeps_its_history(goal_store: GoalStore) -> None:
    goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    closed = goal_store.remove_target("acme", "search_revenue", actor="reza")
    assert closed.revision == 1
    assert goal_store.targets("acme") == []
    (only,) = goal_store.target_history("acme", "search_revenue")
    assert (only.current, only.ended_by) == (False, "reza")
    with pytest.raises(UnknownTargetError, match="already removed"):
        goal_store.remove_target("acme", "search_revenue", actor="reza")
    with pytest.raises(UnknownTargetError, match="did you mean 'search_revenue'"):
        goal_store.target_history("acme", "search_revenu")
    # Set again, the target continues its history.
    goal_store.apply("acme", actor="ali", targets=[target(value=1e9)])
    history = goal_store.target_history("acme", "search_revenue")
    assert [(r.revision, r.current) for r in history] == [(1, False), (2, True)]


def test_changes_are_audit_logged(goal_store: GoalStore) -> None:
    goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    goal_store.apply("acme", actor="reza", goals=[goal(owner="reza")], targets=[target(value=6e9)])
    goal_store.remove_target("acme", "search_revenue", actor="sara")
    log = goal_store.store.audit_log("acme", entity_type="target")
    assert [(e.action, e.actor) for e in log] == [
        ("delete", "sara"),
        ("update", "reza"),
        ("create", "ali"),
    ]
    delete, update, create = log
    assert create.before is None and create.after is not None and create.after["revision"] == 1
    assert update.before is not None and update.before["value"] == 5e9
    assert update.after is not None and update.after["value"] == 6e9
    assert delete.before is not None and delete.after is None
    goals_log = goal_store.store.audit_log("acme", entity_type="goal")
    assert [e.action for e in goals_log] == ["update", "create"]
    assert goals_log[0].before is not None and goals_log[0].before["owner"] == "سارا"
    assert goals_log[0].after is not None and goals_log[0].after["owner"] == "reza"


def test_prune_removes_what_a_section_lacks(goal_store: GoalStore) -> None:
    other = goal(id="second_goal", kpis=[])
    goal_store.apply(
        "acme", actor="ali", goals=[goal(), other], targets=[target(), target("other", goal=None)]
    )
    plan = goal_store.apply("acme", actor="ali", targets=[target()], prune=True)
    assert plan.targets is not None and plan.targets.removed == ("other",)
    assert plan.goals is None  # no goals section: the goals stay
    assert [g.id for g in goal_store.goals("acme")] == ["online_revenue_1404", "second_goal"]
    plan = goal_store.apply("acme", actor="ali", goals=[goal()], prune=True)
    assert plan.goals is not None and plan.goals.removed == ("second_goal",)
    assert "- goal second_goal" in plan.render()
    with pytest.raises(UnknownGoalError, match="no goal 'second_goal'"):
        goal_store.goal("acme", "second_goal")


def test_plan_changes_nothing(goal_store: GoalStore) -> None:
    plan = goal_store.plan("acme", goals=[goal()], targets=[target()])
    assert plan.render().splitlines() == [
        "+ goal online_revenue_1404",
        "+ target search_revenue",
        "",
        "Plan: 2 to add, 0 to change, 0 to remove, 0 unchanged.",
    ]
    assert goal_store.goals("acme") == [] and goal_store.targets("acme") == []


def test_kpis_goals_and_targets_change_in_one_transaction(
    goal_store: GoalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = goal_store.store
    (revenue,) = [k for k in store.list_kpis("acme") if k.id == "revenue"]
    renamed = revenue.model_copy(update={"owner": "finance"})

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(GoalStore, "_apply_targets", broken)
    with pytest.raises(RuntimeError):
        goal_store.apply("acme", actor="ali", kpis=[renamed], goals=[goal()], targets=[target()])
    assert store.get_kpi("acme", "revenue").owner == revenue.owner
    assert goal_store.goals("acme") == []
    assert store.audit_log("acme", entity_type="goal") == []


def test_ids_given_twice_are_refused(goal_store: GoalStore) -> None:
    with pytest.raises(DefinitionError, match="the same target id is given more than once: a"):
        goal_store.apply("acme", actor="ali", targets=[target("a"), target("a", value=1)])
    with pytest.raises(DefinitionError, match="NUL"):
        goal_store.apply("acme", actor="ali", targets=[target(note="a\x00b")])


def test_at_most_one_current_version_per_target(goal_store: GoalStore) -> None:
    goal_store.apply("acme", actor="ali", goals=[goal()], targets=[target()])
    row = {
        "workspace_id": "acme",
        "target_id": "search_revenue",
        "revision": 2,
        "kpi_id": "revenue",
        "spec": target().model_dump(mode="json"),
        "valid_from": sa.func.now(),
        "changed_by": "x",
    }
    with pytest.raises(IntegrityError), goal_store.store.engine.begin() as connection:
        connection.execute(sa.insert(TargetVersion.__table__).values(**row))
