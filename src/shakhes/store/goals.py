"""Goals and targets in the metadata store: plan and apply them like KPI definitions, keep every
version of every target, and audit-log each change.

:meth:`GoalStore.apply` changes KPIs, goals and targets in one transaction, so a file that adds
a KPI and a target for it is applied whole or not at all. A target is never updated in place:
its current version is closed (``valid_to``) and the next revision added, and removing a
target closes its current version only, so :meth:`GoalStore.target_history` shows what the
target was at any time. Checking goals and targets against the workspace's KPIs is not done
here but by :func:`shakhes.spec.validate.validate_goals` (see :mod:`shakhes.service.goals`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shakhes.errors import DefinitionError, UnknownGoalError, UnknownTargetError, nearest
from shakhes.spec.goals import GoalSpec, TargetSpec
from shakhes.spec.kpi import KpiSpec
from shakhes.store.models import GoalDefinition, TargetVersion, utcnow
from shakhes.store.repo import FieldChange, KpiChange, MetadataStore, Plan

__all__ = ["DefinitionsPlan", "GoalStore", "TargetVersionRecord", "diff_models"]

_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class TargetVersionRecord:
    """One version of a target: the target as it was from ``valid_from`` until ``valid_to``
    (None: it still is), who made it, and who ended it (by changing or removing the target)."""

    spec: TargetSpec
    revision: int
    valid_from: datetime
    valid_to: datetime | None
    changed_by: str
    ended_by: str | None

    @property
    def current(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True)
class DefinitionsPlan:
    """What applying KPIs, goals and targets would do (or did); a section that was not given
    is None (and was left alone)."""

    kpis: Plan | None = None
    goals: Plan | None = None
    targets: Plan | None = None

    @property
    def has_changes(self) -> bool:
        return any(plan.has_changes for plan in self._sections().values())

    def _sections(self) -> dict[str, Plan]:
        sections = {"": self.kpis, "goal ": self.goals, "target ": self.targets}
        return {word: plan for word, plan in sections.items() if plan is not None}

    def render(self) -> str:
        """A readable diff, as :meth:`Plan.render`, goals and targets named as such::

        + cpc
        + goal online_revenue
        ~ target search_cpl: value 20.0 → 18.0

        Plan: 2 to add, 1 to change, 0 to remove, 40 unchanged.
        """
        sections = self._sections()
        if set(sections) <= {""}:
            return (self.kpis or Plan()).render()
        lines: list[str] = []
        added = changed = removed = unchanged = 0
        for word, plan in sections.items():
            lines.extend(f"+ {word}{item}" for item in plan.added)
            lines.extend(
                f"~ {word}{change.kpi_id}: {field.field} {_show(field.before)} → "
                f"{_show(field.after)}"
                for change in plan.changed
                for field in change.fields
            )
            lines.extend(f"- {word}{item}" for item in plan.removed)
            added += len(plan.added)
            changed += len(plan.changed)
            removed += len(plan.removed)
            unchanged += len(plan.unchanged)
        if not self.has_changes:
            return f"No changes. {unchanged} unchanged."
        summary = (
            f"Plan: {added} to add, {changed} to change, {removed} to remove, "
            f"{unchanged} unchanged."
        )
        return "\n".join([*lines, "", summary])


def _show(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level of dotted names (``period.start``); lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def diff_models(before: BaseModel, after: BaseModel) -> tuple[FieldChange, ...]:
    """The fields that differ between two versions of a goal or target, nested ones named
    ``title.en``, ``period.every``, in field order."""
    old = _flatten(before.model_dump(mode="json"))
    new = _flatten(after.model_dump(mode="json"))
    names = list(dict.fromkeys([*old, *new]))
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    )


def _check_storable(what: str, item_id: str, data: Any) -> None:
    """Refuse text no database can hold: PostgreSQL's JSON cannot store a NUL character."""
    if isinstance(data, str) and "\x00" in data:
        raise DefinitionError(f"{what} '{item_id}' contains a NUL character (\\x00)")
    if isinstance(data, Mapping):
        for value in data.values():
            _check_storable(what, item_id, value)
    elif isinstance(data, list | tuple):
        for value in data:
            _check_storable(what, item_id, value)


def _by_id(items: Iterable[_M], what: str) -> dict[str, _M]:
    by_id: dict[str, _M] = {}
    twice: set[str] = set()
    for item in items:
        item_id = str(getattr(item, "id"))  # noqa: B009 - every goal and target has an id
        _check_storable(what, item_id, item.model_dump(mode="json"))
        if item_id in by_id:
            twice.add(item_id)
        by_id[item_id] = item
    if twice:
        raise DefinitionError(
            f"the same {what} id is given more than once: {', '.join(sorted(twice))}"
        )
    return by_id


def _make_plan(stored: Mapping[str, _M], wanted: Mapping[str, _M], *, prune: bool) -> Plan:
    added: list[str] = []
    changed: list[KpiChange] = []
    unchanged: list[str] = []
    for item_id in sorted(wanted):
        current = stored.get(item_id)
        if current is None:
            added.append(item_id)
        elif current == wanted[item_id]:
            unchanged.append(item_id)
        else:
            changed.append(KpiChange(item_id, diff_models(current, wanted[item_id])))
    removed = sorted(set(stored) - set(wanted)) if prune else []
    return Plan(tuple(added), tuple(changed), tuple(removed), tuple(unchanged))


def _record(row: TargetVersion) -> TargetVersionRecord:
    return TargetVersionRecord(
        spec=TargetSpec.model_validate(row.spec),
        revision=row.revision,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        changed_by=row.changed_by,
        ended_by=row.ended_by,
    )


class GoalStore:
    """The goals and targets of the workspaces in one :class:`MetadataStore`."""

    def __init__(self, store: MetadataStore) -> None:
        self.store = store

    # -- reading ----------------------------------------------------------------------------------

    def goals(self, workspace_id: str) -> list[GoalSpec]:
        """Every goal of the workspace, sorted by id."""
        with self.store.reading() as session:
            self.store.require_workspace(session, workspace_id)
            return sorted(self._goals(session, workspace_id).values(), key=lambda g: g.id)

    def goal(self, workspace_id: str, goal_id: str) -> GoalSpec:
        """One goal; :class:`UnknownGoalError` (with a suggestion) if there is none."""
        with self.store.reading() as session:
            self.store.require_workspace(session, workspace_id)
            row = session.get(GoalDefinition, (workspace_id, goal_id))
            if row is None:
                known = self._goals(session, workspace_id)
                guess = nearest(goal_id, known)
                raise UnknownGoalError(
                    f"no goal '{goal_id}' in workspace '{workspace_id}'"
                    + (f" — did you mean '{guess}'?" if guess else ""),
                    params={"goal": goal_id},
                )
            return GoalSpec.model_validate(row.spec)

    def targets(self, workspace_id: str, *, kpi: str | None = None) -> list[TargetVersionRecord]:
        """The current version of every target (of ``kpi`` only, if given), sorted by id;
        removed targets are not listed."""
        with self.store.reading() as session:
            self.store.require_workspace(session, workspace_id)
            return [
                _record(row) for row in self._current_rows(session, workspace_id, kpi=kpi).values()
            ]

    def target_history(self, workspace_id: str, target_id: str) -> list[TargetVersionRecord]:
        """Every version of a target, oldest first (the last one is current unless the target
        was removed); :class:`UnknownTargetError` if it never existed."""
        with self.store.reading() as session:
            self.store.require_workspace(session, workspace_id)
            rows = session.scalars(
                select(TargetVersion)
                .where(
                    TargetVersion.workspace_id == workspace_id,
                    TargetVersion.target_id == target_id,
                )
                .order_by(TargetVersion.revision)
            ).all()
            if not rows:
                guess = nearest(target_id, self._ids(session, workspace_id))
                raise UnknownTargetError(
                    f"no target '{target_id}' in workspace '{workspace_id}'"
                    + (f" — did you mean '{guess}'?" if guess else ""),
                    params={"target": target_id},
                )
            return [_record(row) for row in rows]

    def target_ids(self, workspace_id: str) -> set[str]:
        """Every target id the workspace has or had (a removed target keeps its id, so a new
        target does not take over its history by chance)."""
        with self.store.reading() as session:
            return self._ids(session, workspace_id)

    # -- plan and apply ---------------------------------------------------------------------------

    def plan(
        self,
        workspace_id: str,
        *,
        kpis: Sequence[KpiSpec] | None = None,
        goals: Sequence[GoalSpec] | None = None,
        targets: Sequence[TargetSpec] | None = None,
        prune: bool = False,
    ) -> DefinitionsPlan:
        """What :meth:`apply` would do, changing nothing."""
        wanted_goals = _by_id(goals, "goal") if goals is not None else None
        wanted_targets = _by_id(targets, "target") if targets is not None else None
        kpi_plan = self.store.plan(workspace_id, kpis, prune=prune) if kpis is not None else None
        with self.store.reading() as session:
            self.store.require_workspace(session, workspace_id)
            goal_plan = target_plan = None
            if wanted_goals is not None:
                goal_plan = _make_plan(
                    self._goals(session, workspace_id), wanted_goals, prune=prune
                )
            if wanted_targets is not None:
                stored = {
                    target_id: TargetSpec.model_validate(row.spec)
                    for target_id, row in self._current_rows(session, workspace_id).items()
                }
                target_plan = _make_plan(stored, wanted_targets, prune=prune)
        return DefinitionsPlan(kpi_plan, goal_plan, target_plan)

    def apply(
        self,
        workspace_id: str,
        *,
        actor: str,
        kpis: Sequence[KpiSpec] | None = None,
        goals: Sequence[GoalSpec] | None = None,
        targets: Sequence[TargetSpec] | None = None,
        prune: bool = False,
    ) -> DefinitionsPlan:
        """Make the workspace's KPIs, goals and targets match those given, in one transaction;
        a section given as None is left alone, and ``prune`` removes what a given section
        lacks. Each change is audit-logged (entity types ``kpi``, ``goal``, ``target``) with
        the definition before and after; a changed target gets a new revision and keeps the
        old one."""
        wanted_goals = _by_id(goals, "goal") if goals is not None else None
        wanted_targets = _by_id(targets, "target") if targets is not None else None
        now = utcnow()
        with self.store.writing() as session:
            self.store.require_workspace(session, workspace_id)
            self.store.lock_in(session, workspace_id)
            kpi_plan = None
            if kpis is not None:
                kpi_plan = self.store.apply_in(
                    session, workspace_id, kpis, actor=actor, prune=prune, now=now
                )
            goal_plan = target_plan = None
            if wanted_goals is not None:
                goal_plan = self._apply_goals(
                    session, workspace_id, wanted_goals, actor, now, prune
                )
            if wanted_targets is not None:
                target_plan = self._apply_targets(
                    session, workspace_id, wanted_targets, actor, now, prune
                )
            return DefinitionsPlan(kpi_plan, goal_plan, target_plan)

    def remove_target(
        self, workspace_id: str, target_id: str, *, actor: str
    ) -> TargetVersionRecord:
        """End a target (its history stays); return its last version, now closed.
        :class:`UnknownTargetError` if it has no current version."""
        now = utcnow()
        with self.store.writing() as session:
            self.store.require_workspace(session, workspace_id)
            self.store.lock_in(session, workspace_id)
            row = self._current_rows(session, workspace_id, lock=True).get(target_id)
            if row is None:
                ever = target_id in self._ids(session, workspace_id)
                raise UnknownTargetError(
                    f"target '{target_id}' was already removed"
                    if ever
                    else f"no target '{target_id}' in workspace '{workspace_id}'",
                    params={"target": target_id},
                )
            self._close(session, workspace_id, row, actor, now, removed=True)
            return _record(row)

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _ids(session: Session, workspace_id: str) -> set[str]:
        return set(
            session.scalars(
                select(TargetVersion.target_id)
                .where(TargetVersion.workspace_id == workspace_id)
                .distinct()
            )
        )

    @staticmethod
    def _goals(session: Session, workspace_id: str) -> dict[str, GoalSpec]:
        rows = session.scalars(
            select(GoalDefinition).where(GoalDefinition.workspace_id == workspace_id)
        )
        return {row.goal_id: GoalSpec.model_validate(row.spec) for row in rows}

    @staticmethod
    def _current_rows(
        session: Session, workspace_id: str, *, kpi: str | None = None, lock: bool = False
    ) -> dict[str, TargetVersion]:
        query = select(TargetVersion).where(
            TargetVersion.workspace_id == workspace_id, TargetVersion.valid_to.is_(None)
        )
        if kpi is not None:
            query = query.where(TargetVersion.kpi_id == kpi)
        if lock:
            query = query.with_for_update()
        rows = session.scalars(query.order_by(TargetVersion.target_id))
        return {row.target_id: row for row in rows}

    def _apply_goals(
        self,
        session: Session,
        workspace_id: str,
        wanted: Mapping[str, GoalSpec],
        actor: str,
        now: datetime,
        prune: bool,
    ) -> Plan:
        rows = {
            row.goal_id: row
            for row in session.scalars(
                select(GoalDefinition)
                .where(GoalDefinition.workspace_id == workspace_id)
                .with_for_update()
            )
        }
        stored = {goal_id: GoalSpec.model_validate(row.spec) for goal_id, row in rows.items()}
        plan = _make_plan(stored, wanted, prune=prune)
        audit = self.store.audit_in
        for goal_id in plan.added:
            after = wanted[goal_id].model_dump(mode="json")
            session.add(
                GoalDefinition(
                    workspace_id=workspace_id,
                    goal_id=goal_id,
                    spec=after,
                    revision=1,
                    updated_at=now,
                    updated_by=actor,
                )
            )
            audit(session, workspace_id, "goal", goal_id, "create", None, after, actor, now)
        for change in plan.changed:
            row = rows[change.kpi_id]
            before = row.spec
            row.spec = wanted[change.kpi_id].model_dump(mode="json")
            row.revision += 1
            row.updated_at = now
            row.updated_by = actor
            audit(
                session, workspace_id, "goal", change.kpi_id, "update", before, row.spec, actor, now
            )
        for goal_id in plan.removed:
            before = rows[goal_id].spec
            session.delete(rows[goal_id])
            audit(session, workspace_id, "goal", goal_id, "delete", before, None, actor, now)
        return plan

    def _apply_targets(
        self,
        session: Session,
        workspace_id: str,
        wanted: Mapping[str, TargetSpec],
        actor: str,
        now: datetime,
        prune: bool,
    ) -> Plan:
        rows = self._current_rows(session, workspace_id, lock=True)
        stored = {target_id: TargetSpec.model_validate(row.spec) for target_id, row in rows.items()}
        plan = _make_plan(stored, wanted, prune=prune)
        if not plan.has_changes:
            return plan
        last_revision = {
            target_id: revision
            for target_id, revision in session.execute(
                select(TargetVersion.target_id, func.max(TargetVersion.revision))
                .where(TargetVersion.workspace_id == workspace_id)
                .group_by(TargetVersion.target_id)
            )
        }
        for target_id in plan.removed:
            self._close(session, workspace_id, rows[target_id], actor, now, removed=True)
        for change in plan.changed:
            self._close(session, workspace_id, rows[change.kpi_id], actor, now, removed=False)
        session.flush()  # the closed versions first: one current version per target
        for target_id in [*plan.added, *(change.kpi_id for change in plan.changed)]:
            spec = wanted[target_id]
            after = spec.model_dump(mode="json")
            revision = last_revision.get(target_id, 0) + 1
            session.add(
                TargetVersion(
                    workspace_id=workspace_id,
                    target_id=target_id,
                    revision=revision,
                    kpi_id=spec.kpi,
                    spec=after,
                    valid_from=now,
                    valid_to=None,
                    changed_by=actor,
                    ended_by=None,
                )
            )
            before = rows[target_id].spec if target_id in rows else None
            action = "update" if before is not None else "create"
            self.store.audit_in(
                session,
                workspace_id,
                "target",
                target_id,
                action,
                before,
                {**after, "revision": revision},
                actor,
                now,
            )
        return plan

    def _close(
        self,
        session: Session,
        workspace_id: str,
        row: TargetVersion,
        actor: str,
        now: datetime,
        *,
        removed: bool,
    ) -> None:
        row.valid_to = now
        row.ended_by = actor
        if removed:
            self.store.audit_in(
                session, workspace_id, "target", row.target_id, "delete", row.spec, None, actor, now
            )
