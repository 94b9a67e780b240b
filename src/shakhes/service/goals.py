"""Goals and targets: add, edit, remove and list goals, set, list, show and remove targets,
the goal → KPI → target tree, leading → lagging links, and the targets that apply on a day
with the period instance each applies to. The CLI and the REST API call these; they return
frozen data and JSON-ready records, never text for a terminal.

What later analysis needs (pacing, attainment, explanations) is here:

- :func:`active_targets` — the targets that apply on a day, each with its KPI (and so its
  direction and unit) and the period instance (start, end) that holds the day;
- :func:`instance_for` — for a target and a day, that instance;
- :func:`goal_trees` / :func:`goal_tree` — goal → KPI (kind) → targets;
- :func:`driver_links` — which leading KPI is meant to drive which lagging ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from shakhes.errors import DefinitionError, ShakhesError, UnknownKpiError, nearest
from shakhes.spec.goals import (
    Calendar,
    DateRange,
    Every,
    GoalKpi,
    GoalSpec,
    PeriodSpec,
    TargetSpec,
    Wording,
    make_goal,
    make_target,
    parse_scope,
)
from shakhes.spec.kpi import ID_PATTERN, Kind, KpiSpec
from shakhes.store.goals import DefinitionsPlan, GoalStore, TargetVersionRecord, diff_models
from shakhes.workspace import current_actor

if TYPE_CHECKING:
    from shakhes.spec.periods import PeriodInstance
    from shakhes.spec.yaml_io import Definitions
    from shakhes.workspace import Workspace

_E = TypeVar("_E", bound=StrEnum)


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    """A target as it is now, with its KPI and the instance of its period that holds the day
    asked about (None when the target does not apply that day)."""

    spec: TargetSpec
    kpi: KpiSpec | None
    """None only if the KPI was deleted behind the store's back."""
    revision: int
    since: dt.datetime
    changed_by: str
    instance: PeriodInstance | None


@dataclass(frozen=True)
class ActiveTarget:
    """A target that applies on a day: the target, its KPI (its direction says which way is
    better) and the period instance it applies to that day."""

    spec: TargetSpec
    kpi: KpiSpec
    instance: PeriodInstance


@dataclass(frozen=True)
class GoalKpiNode:
    """A KPI of a goal: its link (kind, the lagging KPIs it drives), its definition, and its
    targets under this goal."""

    link: GoalKpi
    kpi: KpiSpec | None
    targets: tuple[TargetView, ...]


@dataclass(frozen=True)
class GoalTree:
    """A goal, its KPIs and their targets: the targets that name the goal, and the KPI's
    targets that name no goal and apply during the goal's period."""

    goal: GoalSpec
    kpis: tuple[GoalKpiNode, ...]


@dataclass(frozen=True)
class DriverLink:
    """A leading KPI that a goal says drives a lagging one."""

    goal: str
    leading: str
    lagging: str


@dataclass(frozen=True)
class TargetDetail:
    """A target now (or as it was when removed) and every version of it, oldest first."""

    view: TargetView
    removed: bool
    history: tuple[TargetVersionRecord, ...]


def today(ws: Workspace) -> dt.date:
    """Today in the workspace's time zone (UTC if the zone is unknown)."""
    from shakhes.service.stored import today_in

    return today_in(ws.settings.time_zone)


def instance_for(ws: Workspace, target: TargetSpec, day: dt.date) -> PeriodInstance | None:
    """The instance of ``target``'s period that holds ``day`` (in the workspace's calendar
    settings: its fiscal year), None when the target does not apply on that day."""
    from shakhes.spec.periods import instance_of

    return instance_of(target.period, day, ws.calendar)


def goals(ws: Workspace) -> list[GoalSpec]:
    """Every goal of the workspace, sorted by id."""
    return GoalStore(ws.store).goals(ws.id)


def _view(
    ws: Workspace,
    record: TargetVersionRecord,
    kpis: Mapping[str, KpiSpec],
    day: dt.date | None,
) -> TargetView:
    return TargetView(
        spec=record.spec,
        kpi=kpis.get(record.spec.kpi),
        revision=record.revision,
        since=record.valid_from,
        changed_by=record.changed_by,
        instance=instance_for(ws, record.spec, day) if day is not None else None,
    )


def targets(
    ws: Workspace,
    *,
    kpi: str | None = None,
    goal: str | None = None,
    on: dt.date | None = None,
    active: bool = False,
) -> list[TargetView]:
    """The current targets (of ``kpi``, or of ``goal``, only), sorted by id, each with the
    instance of its period that holds ``on`` (default: today); ``active``: only those that
    apply on that day."""
    store = GoalStore(ws.store)
    kpis = ws.definitions()
    if kpi is not None and kpi not in kpis:
        raise _unknown_kpi(kpi, kpis)
    if goal is not None:
        store.goal(ws.id, goal)  # an unknown goal is an error with a suggestion
    day = on or today(ws)
    views = [_view(ws, record, kpis, day) for record in store.targets(ws.id, kpi=kpi)]
    if goal is not None:
        views = [view for view in views if view.spec.goal == goal]
    if active:
        views = [view for view in views if view.instance is not None]
    return views


def active_targets(ws: Workspace, on: dt.date | None = None) -> list[ActiveTarget]:
    """Every target that applies on ``on`` (default: today in the workspace's time zone), with
    its KPI and the period instance (start, end) that holds the day, sorted by id."""
    return [
        ActiveTarget(view.spec, view.kpi, view.instance)
        for view in targets(ws, on=on, active=True)
        if view.kpi is not None and view.instance is not None
    ]


def target_detail(ws: Workspace, target_id: str, *, on: dt.date | None = None) -> TargetDetail:
    """One target with its whole history; :class:`UnknownTargetError` if it never existed."""
    history = GoalStore(ws.store).target_history(ws.id, target_id)
    last = history[-1]
    view = _view(ws, last, ws.definitions(), on or today(ws))
    return TargetDetail(view, removed=not last.current, history=tuple(history))


def _tree(
    ws: Workspace,
    goal: GoalSpec,
    kpis: Mapping[str, KpiSpec],
    records: Sequence[TargetVersionRecord],
    day: dt.date,
) -> GoalTree:
    nodes = []
    for link in goal.kpis:
        under = [
            _view(ws, record, kpis, day)
            for record in records
            if record.spec.kpi == link.kpi
            and (
                record.spec.goal == goal.id
                or (
                    record.spec.goal is None
                    and record.spec.period.overlaps(goal.period.start, goal.period.end)
                )
            )
        ]
        nodes.append(GoalKpiNode(link, kpis.get(link.kpi), tuple(under)))
    return GoalTree(goal, tuple(nodes))


def goal_tree(ws: Workspace, goal_id: str, *, on: dt.date | None = None) -> GoalTree:
    """One goal → its KPIs (with their kind and what they drive) → their targets, each with the
    period instance that holds ``on`` (default: today)."""
    store = GoalStore(ws.store)
    goal = store.goal(ws.id, goal_id)
    return _tree(ws, goal, ws.definitions(), store.targets(ws.id), on or today(ws))


def goal_trees(ws: Workspace, *, on: dt.date | None = None) -> list[GoalTree]:
    """:func:`goal_tree` of every goal, sorted by id."""
    store = GoalStore(ws.store)
    kpis = ws.definitions()
    records = store.targets(ws.id)
    day = on or today(ws)
    return [_tree(ws, goal, kpis, records, day) for goal in store.goals(ws.id)]


def driver_links(ws: Workspace) -> list[DriverLink]:
    """Every leading → lagging link the goals make, by goal, in the order they list them."""
    return [
        DriverLink(goal.id, link.kpi, lagging)
        for goal in goals(ws)
        for link in goal.kpis
        for lagging in link.drives
    ]


# -- building from user input ---------------------------------------------------------------------


def _choice(value: str, options: type[_E], what: str, code: str) -> _E:
    """``value`` as one of ``options``; an error naming the allowed ones (and a likely typo)."""
    try:
        return options(value.strip().lower())
    except ValueError:
        allowed = [option.value for option in options]
        guess = nearest(value, allowed)
        raise DefinitionError(
            f"'{value}' is not a {what}"
            + (f" — did you mean '{guess}'?" if guess else "")
            + f" (allowed: {', '.join(allowed)})",
            code=code,
            params={"value": value, "allowed": allowed},
        ) from None


def _calendar(ws: Workspace, calendar: str | None) -> Calendar:
    if calendar is None:
        return Calendar(ws.settings.calendar.value)
    return _choice(calendar, Calendar, "calendar", "unknown_calendar")


def fixed_period(ws: Workspace, text: str, calendar: str | None = None) -> DateRange:
    """A fixed period named as people name it — ``2025-03-21..2026-03-20``, ``1404``,
    ``2025-Q2``, ``FY2025``, ``1404-01`` — in ``calendar`` (default: the workspace's)."""
    from shakhes.spec.periods import named_period

    return named_period(text, _calendar(ws, calendar), ws.calendar)


def recurring_period(
    ws: Workspace,
    every: str,
    calendar: str | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> PeriodSpec:
    """Each month, quarter or year of ``calendar`` (default: the workspace's), from ``start``
    and until ``end`` when given."""
    return PeriodSpec(
        every=_choice(every, Every, "recurrence", "invalid_period"),
        calendar=_calendar(ws, calendar),
        start=start,
        end=end,
    )


def _unknown_kpi(kpi_id: str, kpis: Mapping[str, KpiSpec]) -> UnknownKpiError:
    guess = nearest(kpi_id, kpis)
    return UnknownKpiError(
        f"no KPI '{kpi_id}' in this workspace" + (f" — did you mean '{guess}'?" if guess else ""),
        params={"kpi": kpi_id},
    )


def goal_links(
    ws: Workspace, kpis: Sequence[tuple[str, str | None]], drives: Mapping[str, Sequence[str]]
) -> tuple[GoalKpi, ...]:
    """A goal's KPI links from ``(kpi, kind)`` pairs (no kind: the KPI's own) and ``drives``
    (leading KPI → the lagging KPIs it drives; a leading KPI not in ``kpis`` is added)."""
    known = ws.definitions()
    wanted: dict[str, str | None] = dict(kpis)
    for leading in drives:
        wanted.setdefault(leading, None)
    links = []
    for kpi_id, kind in wanted.items():
        if kpi_id not in known:
            raise _unknown_kpi(kpi_id, known)
        links.append(
            GoalKpi(
                kpi=kpi_id,
                kind=_choice(kind, Kind, "KPI kind", "invalid_kind")
                if kind
                else known[kpi_id].kind,
                drives=tuple(drives.get(kpi_id, ())),
            )
        )
    return tuple(links)


# -- writing --------------------------------------------------------------------------------------


def check_and_apply(
    ws: Workspace,
    *,
    kpis: Sequence[KpiSpec] | None = None,
    goals: Sequence[GoalSpec] | None = None,
    targets: Sequence[TargetSpec] | None = None,
    prune: bool = False,
    dry_run: bool = False,
) -> DefinitionsPlan:
    """Check the KPIs, goals and targets the workspace will have, then apply (in the caller's
    write turn, or only plan with ``dry_run``)."""
    from shakhes.spec.validate import validate_definitions, validate_goals

    store = GoalStore(ws.store)
    stored_kpis = {} if prune and kpis is not None else ws.definitions()
    final_kpis = {**stored_kpis, **{spec.id: spec for spec in kpis or ()}}
    if kpis is not None:
        validate_definitions(final_kpis, ws.settings.parameters)
    stored_goals = {} if prune and goals is not None else {g.id: g for g in store.goals(ws.id)}
    final_goals = {**stored_goals, **{goal.id: goal for goal in goals or ()}}
    stored_targets = (
        {} if prune and targets is not None else {r.spec.id: r.spec for r in store.targets(ws.id)}
    )
    final_targets = {**stored_targets, **{target.id: target for target in targets or ()}}
    if final_goals or final_targets:
        validate_goals(final_kpis, final_goals, final_targets, ws.calendar)
    if dry_run:
        return store.plan(ws.id, kpis=kpis, goals=goals, targets=targets, prune=prune)
    return store.apply(
        ws.id, actor=current_actor(), kpis=kpis, goals=goals, targets=targets, prune=prune
    )


def apply_definitions(
    ws: Workspace,
    definitions: Definitions,
    *,
    prune: bool = False,
    dry_run: bool = False,
    what: str = "apply of definitions",
) -> DefinitionsPlan:
    """Apply what a definitions file holds — KPIs, goals, targets — together, after checking
    the whole set the workspace will have, in one write turn and one transaction. A section
    the file lacks is left alone; ``prune`` removes what a section it has lacks (a removed
    target keeps its history); ``dry_run`` only plans."""
    sections = definitions.sections
    parts: dict[str, Any] = {
        "kpis": list(definitions.kpis) if "kpis" in sections else None,
        "goals": list(definitions.goals) if "goals" in sections else None,
        "targets": list(definitions.targets) if "targets" in sections else None,
    }
    if dry_run:
        return check_and_apply(ws, **parts, prune=prune, dry_run=True)
    with ws.writing(what):
        return check_and_apply(ws, **parts, prune=prune)


class GoalExistsError(ShakhesError):
    """``goal add`` of an id that a goal already has."""

    code = "goal_exists"


def add_goal(ws: Workspace, goal: GoalSpec) -> DefinitionsPlan:
    """Add a new goal (audit-logged), after checking it against the KPIs; an id already taken
    is an error (change a goal through YAML: export, edit, apply)."""
    with ws.writing(f"goal add {goal.id}"):
        store = GoalStore(ws.store)
        if goal.id in {existing.id for existing in store.goals(ws.id)}:
            raise GoalExistsError(
                f"there is already a goal '{goal.id}'",
                params={"goal": goal.id},
                hint="Change it in the workspace's definitions (export, edit, apply).",
            )
        return check_and_apply(ws, goals=[goal])


def edit_goal(ws: Workspace, goal: GoalSpec) -> DefinitionsPlan:
    """Replace the goal ``goal.id`` by ``goal`` (audit-logged as an update), after checking it
    against the KPIs and targets; an id no goal has is :class:`UnknownGoalError`."""
    with ws.writing(f"goal edit {goal.id}"):
        GoalStore(ws.store).goal(ws.id, goal.id)
        return check_and_apply(ws, goals=[goal])


class GoalHasTargetsError(ShakhesError):
    """``goal remove`` of a goal that targets still serve."""

    code = "goal_has_targets"


def remove_goal(ws: Workspace, goal_id: str) -> GoalSpec:
    """Remove the goal ``goal_id`` (audit-logged as a delete, with the goal as it was) and
    return it. Its KPI links and the leading → lagging links it made go with it; the KPIs
    themselves stay, and so do targets that name no goal. Refused with
    :class:`GoalHasTargetsError` (naming them) while targets serve the goal: remove those
    targets or unlink them first, so that no target is lost by surprise. An id no goal has is
    :class:`UnknownGoalError`."""
    with ws.writing(f"goal remove {goal_id}"):
        store = GoalStore(ws.store)
        goal = store.goal(ws.id, goal_id)
        serving = [r.spec for r in store.targets(ws.id) if r.spec.goal == goal_id]
        if serving:
            count = len(serving)
            ids = [target.id for target in serving]
            raise GoalHasTargetsError(
                f"goal '{goal_id}' still has {count} target{'' if count == 1 else 's'}: "
                + ", ".join(ids),
                params={"goal": goal_id, "targets": ids, "kpis": [t.kpi for t in serving]},
                hint="Remove those targets, or unlink them from the goal, then remove the goal.",
            )
        rest = [other for other in store.goals(ws.id) if other.id != goal_id]
        check_and_apply(ws, goals=rest, prune=True)
        return goal


def new_goal(
    ws: Workspace,
    goal_id: str,
    *,
    title_en: str = "",
    title_fa: str = "",
    description_en: str = "",
    description_fa: str = "",
    owner: str = "",
    period: str,
    calendar: str | None = None,
    kpis: Sequence[tuple[str, str | None]] = (),
    drives: Mapping[str, Sequence[str]] | None = None,
) -> GoalSpec:
    """A goal from user input: ``period`` as :func:`fixed_period` reads it, KPI links as
    :func:`goal_links` makes them. Every problem is a :class:`ShakhesError` with a code."""
    dates = fixed_period(ws, period, calendar)
    links = goal_links(ws, kpis, drives or {})
    return make_goal(
        {
            "id": goal_id,
            "title": Wording(en=title_en, fa=title_fa),
            "description": Wording(en=description_en, fa=description_fa),
            "owner": owner,
            "period": dates,
            "kpis": links,
        }
    )


@dataclass(frozen=True)
class TargetChange:
    """What ``target set`` did: the target as it is now, whether it is new, and the fields it
    changed (none: it was already so)."""

    spec: TargetSpec
    created: bool
    changes: tuple[tuple[str, Any, Any], ...]


_UNSET: Any = object()


def set_target(
    ws: Workspace,
    kpi: str,
    *,
    target_id: str | None = None,
    scope: str | None = None,
    period: PeriodSpec | DateRange | None = None,
    value: float | None = None,
    min: float | None = None,
    max: float | None = None,
    owner: str | None = None,
    note: str | None = None,
    goal: str | None = _UNSET,
) -> TargetChange:
    """Set a target of ``kpi``: change the target ``target_id``, or else the one with the same
    scope and period, or add one (its id made from the KPI's). Options left None keep the
    changed target's values (``goal``: pass None to unlink it); a new one needs a period and
    a value or band. A change keeps the target's earlier version in its history."""
    if scope is not None:
        scope = parse_scope(scope)  # a bad scope is an error with a caret under the place
    if isinstance(period, DateRange):
        period = PeriodSpec(start=period.start, end=period.end)
    with ws.writing(f"target set {target_id or kpi}"):
        store = GoalStore(ws.store)
        kpis = ws.definitions()
        if kpi not in kpis:
            raise _unknown_kpi(kpi, kpis)
        current = {record.spec.id: record.spec for record in store.targets(ws.id)}
        existing = _find_target(current, kpi, target_id, scope, period)
        data: dict[str, Any] = (
            existing.model_dump()
            if existing is not None
            else {"id": target_id or _new_target_id(kpi, store.target_ids(ws.id)), "kpi": kpi}
        )
        if existing is None and period is None:
            raise DefinitionError(
                "a new target needs its period: a fixed range or a recurrence",
                code="missing_period",
            )
        updates = {"scope": scope, "period": period, "owner": owner, "note": note}
        data.update({key: item for key, item in updates.items() if item is not None})
        if goal is not _UNSET:
            data["goal"] = goal or None
        if value is not None:
            data.update(value=value, min=None, max=None)
        elif min is not None or max is not None:
            data["value"] = None
            data.update(
                {key: item for key, item in (("min", min), ("max", max)) if item is not None}
            )
        spec = make_target(data)
        if existing == spec:
            return TargetChange(spec, created=False, changes=())
        check_and_apply(ws, targets=[spec])
        changes = (
            tuple((c.field, c.before, c.after) for c in diff_models(existing, spec))
            if existing is not None
            else ()
        )
        return TargetChange(spec, created=existing is None, changes=changes)


def _find_target(
    current: Mapping[str, TargetSpec],
    kpi: str,
    target_id: str | None,
    scope: str | None,
    period: PeriodSpec | None,
) -> TargetSpec | None:
    if target_id is not None:
        found = current.get(target_id)
        if found is not None and found.kpi != kpi:
            raise DefinitionError(
                f"target '{target_id}' is a target of KPI '{found.kpi}', not of '{kpi}'",
                code="target_of_other_kpi",
                params={"target": target_id, "kpi": found.kpi},
            )
        return found
    if period is None:
        return None
    matches = [
        spec
        for spec in current.values()
        if spec.kpi == kpi and spec.scope == (scope or "") and spec.period == period
    ]
    return matches[0] if matches else None


def _new_target_id(kpi: str, taken: set[str]) -> str:
    """``<kpi>_1``, ``<kpi>_2`` …: the first id no target has or had."""
    number = 1
    while True:
        suffix = f"_{number}"
        candidate = kpi[: 63 - len(suffix)] + suffix
        if candidate not in taken and ID_PATTERN.match(candidate):
            return candidate
        number += 1


def remove_target(ws: Workspace, target_id: str) -> TargetVersionRecord:
    """End a target (audit-logged; its history is kept and ``target show`` still shows it)."""
    with ws.writing(f"target remove {target_id}"):
        return GoalStore(ws.store).remove_target(ws.id, target_id, actor=current_actor())


# -- JSON records ---------------------------------------------------------------------------------


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def instance_record(instance: PeriodInstance | None) -> dict[str, Any] | None:
    """A period instance as JSON data."""
    if instance is None:
        return None
    return {
        "start": instance.start.isoformat(),
        "end": instance.end.isoformat(),
        "label": instance.label,
        "label_fa": instance.label_fa,
        "days": instance.days,
    }


def period_record(period: PeriodSpec | DateRange) -> dict[str, Any]:
    """A period as JSON data, with its description in words."""
    data = period.model_dump(mode="json")
    data["text"] = period.describe()
    return data


def target_record(view: TargetView) -> dict[str, Any]:
    """A target as JSON data: every field, its KPI's direction and unit, its revision, and the
    period instance of the day asked about."""
    spec = view.spec
    return {
        "id": spec.id,
        "kpi": spec.kpi,
        "scope": spec.scope,
        "period": period_record(spec.period),
        "value": spec.value,
        "min": spec.min,
        "max": spec.max,
        "direction": view.kpi.direction.value if view.kpi else None,
        "unit": view.kpi.unit.value if view.kpi else None,
        "owner": spec.owner,
        "note": spec.note,
        "goal": spec.goal,
        "revision": view.revision,
        "since": _iso(view.since),
        "changed_by": view.changed_by,
        "instance": instance_record(view.instance),
    }


def target_detail_record(detail: TargetDetail) -> dict[str, Any]:
    """``target show`` as JSON data: the target, whether it was removed, and every version
    (oldest first) with what it changed from the one before."""
    versions = []
    previous: TargetSpec | None = None
    for record in detail.history:
        changes = diff_models(previous, record.spec) if previous is not None else ()
        versions.append(
            {
                "revision": record.revision,
                "valid_from": _iso(record.valid_from),
                "valid_to": _iso(record.valid_to),
                "changed_by": record.changed_by,
                "ended_by": record.ended_by,
                "target": record.spec.model_dump(mode="json"),
                "changes": [
                    {"field": c.field, "before": c.before, "after": c.after} for c in changes
                ],
            }
        )
        previous = record.spec
    return {"target": target_record(detail.view), "removed": detail.removed, "history": versions}


def target_change_record(change: TargetChange, view: TargetView) -> dict[str, Any]:
    """What :func:`set_target` did as JSON data: created, changed or unchanged, the changes,
    and the target as it is now."""
    action = "created" if change.created else "changed" if change.changes else "unchanged"
    return {
        "action": action,
        "changes": [
            {"field": field, "before": before, "after": after}
            for field, before, after in change.changes
        ],
        "target": target_record(view),
    }


def goal_record(goal: GoalSpec) -> dict[str, Any]:
    """A goal as JSON data (its own fields, KPI links included)."""
    data = goal.model_dump(mode="json")
    data["period"] = period_record(goal.period)
    return data


def goal_tree_record(tree: GoalTree) -> dict[str, Any]:
    """A goal → KPI → target tree as JSON data."""
    data = goal_record(tree.goal)
    data["kpis"] = [
        {
            "kpi": node.link.kpi,
            "kind": node.link.kind.value,
            "drives": list(node.link.drives),
            "name": node.kpi.name.model_dump() if node.kpi else None,
            "timing": node.kpi.timing.value if node.kpi else None,
            "direction": node.kpi.direction.value if node.kpi else None,
            "unit": node.kpi.unit.value if node.kpi else None,
            "targets": [target_record(view) for view in node.targets],
        }
        for node in tree.kpis
    ]
    return data
