"""The metadata store: KPI definitions per workspace, with plan/apply, an audit log and versions.

Definitions are changed declaratively: :meth:`MetadataStore.plan` compares a set of
:class:`~shakhes.spec.kpi.KpiSpec` with what is stored and :meth:`MetadataStore.apply` makes the
store match it in one transaction, writing an audit entry (with the value before and after) for
every KPI it creates, updates or deletes, and bumping the workspace's ``definitions_version`` only
when something changed. Applying the same set twice changes nothing the second time.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import BindParameter, Engine, Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shakhes.errors import DefinitionError, UnknownKpiError, WorkspaceError, nearest
from shakhes.spec.kpi import KpiSpec, Text
from shakhes.store.db import (
    WRITE_OPTION,
    check_revision,
    create_engine_for,
    session_factory,
)
from shakhes.store.db import upgrade as migrate
from shakhes.store.models import (
    KPI_SOURCES,
    AuditEntry,
    KpiDefinition,
    Workspace,
    WorkspaceState,
    utcnow,
)

WORKSPACE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""A workspace id: a slug or a UUID."""

Source = Literal["catalog", "user"]


@dataclass(frozen=True)
class FieldChange:
    """One field of a KPI that a plan changes; nested texts are named ``name.en``, ``name.fa``."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class KpiChange:
    """A KPI that exists in the store and differs from the new definition."""

    kpi_id: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Plan:
    """What applying a set of definitions would do (or did) to a workspace.

    ``removed`` is filled only when pruning; without it, stored KPIs missing from the set are left
    alone and appear nowhere in the plan.
    """

    added: tuple[str, ...] = ()
    changed: tuple[KpiChange, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        """Whether applying the plan writes anything."""
        return bool(self.added or self.changed or self.removed)

    def render(self) -> str:
        """A readable diff, one line per KPI added or removed and per field changed::

        + cpc
        ~ ctr: decimals 2 → 4
        - old_kpi

        Plan: 1 to add, 1 to change, 1 to remove, 3 unchanged.
        """
        lines = [f"+ {kpi_id}" for kpi_id in self.added]
        for change in self.changed:
            lines.extend(
                f"~ {change.kpi_id}: {field.field} {_show(field.before)} → {_show(field.after)}"
                for field in change.fields
            )
        lines.extend(f"- {kpi_id}" for kpi_id in self.removed)
        if not self.has_changes:
            return f"No changes. {len(self.unchanged)} unchanged."
        summary = (
            f"Plan: {len(self.added)} to add, {len(self.changed)} to change, "
            f"{len(self.removed)} to remove, {len(self.unchanged)} unchanged."
        )
        return "\n".join([*lines, "", summary])


def _show(value: Any) -> str:
    """A value on one line: numbers bare, texts quoted with escapes, lists as JSON."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class AuditRecord:
    """One entry of a workspace's audit log."""

    id: int
    workspace_id: str
    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor: str
    at: datetime


def spec_to_json(spec: KpiSpec) -> dict[str, Any]:
    """The JSON form of a spec as stored (enums as their values, tuples as lists)."""
    return spec.model_dump(mode="json")


def _flatten(spec: KpiSpec) -> dict[str, Any]:
    """Field name → JSON value in KpiSpec field order, with texts split into ``x.en``/``x.fa``."""
    data = spec_to_json(spec)
    flat: dict[str, Any] = {}
    for name in KpiSpec.model_fields:
        value = data[name]
        if isinstance(getattr(spec, name), Text):
            for lang in Text.model_fields:
                flat[f"{name}.{lang}"] = value[lang]
        else:
            flat[name] = value
    return flat


def diff_specs(before: KpiSpec, after: KpiSpec) -> tuple[FieldChange, ...]:
    """The fields that differ between two definitions of a KPI, in KpiSpec field order."""
    old, new = _flatten(before), _flatten(after)
    return tuple(FieldChange(name, old[name], new[name]) for name in old if old[name] != new[name])


def _check_storable(spec: KpiSpec) -> None:
    """Refuse text no database can hold: PostgreSQL's JSON cannot store a NUL character."""
    for name, value in _flatten(spec).items():
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in items):
            raise DefinitionError(
                f"KPI '{spec.id}': {name} contains a NUL character (\\x00), which cannot be stored"
            )


def _check_unique(specs: Iterable[KpiSpec]) -> dict[str, KpiSpec]:
    by_id: dict[str, KpiSpec] = {}
    duplicates: list[str] = []
    for spec in specs:
        _check_storable(spec)
        if spec.id in by_id:
            duplicates.append(spec.id)
        by_id[spec.id] = spec
    if duplicates:
        names = ", ".join(sorted(set(duplicates)))
        raise DefinitionError(f"the same KPI id is defined more than once: {names}")
    return by_id


def _make_plan(
    stored: Mapping[str, KpiSpec], wanted: Mapping[str, KpiSpec], *, prune: bool
) -> Plan:
    added: list[str] = []
    changed: list[KpiChange] = []
    unchanged: list[str] = []
    for kpi_id in sorted(wanted):
        current = stored.get(kpi_id)
        if current is None:
            added.append(kpi_id)
        elif current == wanted[kpi_id]:
            unchanged.append(kpi_id)
        else:
            changed.append(KpiChange(kpi_id, diff_specs(current, wanted[kpi_id])))
    removed = sorted(set(stored) - set(wanted)) if prune else []
    return Plan(tuple(added), tuple(changed), tuple(removed), tuple(unchanged))


class MetadataStore:
    """KPI definitions, audit log and version counters of many workspaces in one database."""

    def __init__(self, engine: Engine) -> None:
        """Use an engine whose database is already migrated (see :meth:`open`)."""
        self.engine = engine
        self._sessions: sessionmaker[Session] = session_factory(engine)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = False) -> MetadataStore:
        """Open the store at ``url`` (e.g. ``sqlite:///shakhes.db``).

        With ``upgrade``, first run its migrations to head (what creating a workspace and
        ``shakhes db upgrade`` do); otherwise a store whose schema is not this shakhes' is
        refused (:func:`~shakhes.store.db.check_revision`), and nothing is migrated.
        """
        engine = create_engine_for(url)
        try:
            if upgrade:
                migrate(engine)
            else:
                check_revision(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A session in one transaction that will write; commits at the end, or rolls back."""
        with self._sessions.begin() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    def writing(self) -> contextlib.AbstractContextManager[Session]:
        """A session in one write transaction (committed at the end, rolled back on error), for
        the store's ``*_in`` methods and :mod:`shakhes.store.goals`."""
        return self._write()

    def reading(self) -> Session:
        """A session to read with (use it in a ``with`` block)."""
        return self._sessions()

    def require_workspace(self, session: Session, workspace_id: str) -> None:
        """Refuse an unknown workspace id (with a suggestion)."""
        self._require_workspace(session, workspace_id)

    def lock_in(self, session: Session, workspace_id: str) -> None:
        """Take the workspace's write lock inside ``session`` (writers of its definitions,
        goals and targets then go one at a time)."""
        self._lock_state(session, workspace_id)

    def audit_in(
        self,
        session: Session,
        workspace_id: str,
        entity_type: str,
        entity_id: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        actor: str,
        at: datetime,
    ) -> None:
        """Write one audit entry inside ``session``."""
        self._audit(session, workspace_id, entity_type, entity_id, action, before, after, actor, at)

    # -- workspaces -------------------------------------------------------------------------------

    def ensure_workspace(self, workspace_id: str, name: str) -> None:
        """Create the workspace (and its version counters) unless it exists; the name is kept."""
        if not WORKSPACE_ID_PATTERN.match(workspace_id):
            raise WorkspaceError(
                f"'{workspace_id}' is not a valid workspace id",
                hint="use letters, digits, '_', '-' or '.', starting with a letter or digit",
            )
        try:
            with self._write() as session:
                if session.get(Workspace, workspace_id) is not None:
                    return
                session.add(Workspace(id=workspace_id, name=name, created_at=utcnow()))
                session.flush()
                session.add(
                    WorkspaceState(workspace_id=workspace_id, data_version=0, definitions_version=0)
                )
        except IntegrityError:
            # Created concurrently by someone else: fine, as long as it exists now.
            if workspace_id not in self.list_workspaces():
                raise

    def list_workspaces(self) -> list[str]:
        """The ids of every workspace in the store, sorted."""
        with self._sessions() as session:
            return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))

    def _require_workspace(self, session: Session, workspace_id: str) -> None:
        if session.get(Workspace, workspace_id) is None:
            known = session.scalars(select(Workspace.id)).all()
            guess = nearest(workspace_id, known)
            hint = f"did you mean '{guess}'?" if guess else "create it first (shakhes init)"
            raise WorkspaceError(f"no workspace '{workspace_id}'", hint=hint)

    # -- definitions ------------------------------------------------------------------------------

    def _stored(
        self, session: Session, workspace_id: str, *, lock: bool = False
    ) -> dict[str, KpiDefinition]:
        query = select(KpiDefinition).where(KpiDefinition.workspace_id == workspace_id)
        if lock:
            query = query.with_for_update()
        return {row.kpi_id: row for row in session.scalars(query)}

    def list_kpis(self, workspace_id: str) -> list[KpiSpec]:
        """Every KPI definition of the workspace, sorted by id."""
        with self._sessions() as session:
            self._require_workspace(session, workspace_id)
            rows = self._stored(session, workspace_id)
            return [KpiSpec.model_validate(rows[kpi_id].spec) for kpi_id in sorted(rows)]

    def get_kpi(self, workspace_id: str, kpi_id: str) -> KpiSpec:
        """The definition of one KPI; :class:`UnknownKpiError` (with a suggestion) if none."""
        with self._sessions() as session:
            self._require_workspace(session, workspace_id)
            row = session.get(KpiDefinition, (workspace_id, kpi_id))
            if row is None:
                known = session.scalars(
                    select(KpiDefinition.kpi_id).where(KpiDefinition.workspace_id == workspace_id)
                ).all()
                guess = nearest(kpi_id, known)
                raise UnknownKpiError(
                    f"no KPI '{kpi_id}' in workspace '{workspace_id}'",
                    hint=f"did you mean '{guess}'?" if guess else None,
                )
            return KpiSpec.model_validate(row.spec)

    def plan(self, workspace_id: str, specs: Iterable[KpiSpec], *, prune: bool = False) -> Plan:
        """What :meth:`apply` would do with ``specs``, without changing anything."""
        wanted = _check_unique(specs)
        with self._sessions() as session:
            self._require_workspace(session, workspace_id)
            stored = {
                kpi_id: KpiSpec.model_validate(row.spec)
                for kpi_id, row in self._stored(session, workspace_id).items()
            }
            return _make_plan(stored, wanted, prune=prune)

    def apply(
        self,
        workspace_id: str,
        specs: Iterable[KpiSpec],
        *,
        actor: str,
        source: Source = "user",
        prune: bool = False,
    ) -> Plan:
        """Make the workspace's definitions match ``specs`` in one transaction; return the plan.

        Adds new KPIs, updates changed ones (their ``revision`` goes up by one) and, with
        ``prune``, deletes stored KPIs missing from ``specs``. Each of these writes an audit entry
        with the definition before and after. ``definitions_version`` is bumped once if anything
        changed; an unchanged set writes nothing. A KPI whose definition is unchanged keeps its
        recorded ``source`` even if ``source`` differs.
        """
        if source not in KPI_SOURCES:
            raise ValueError(f"source must be one of {', '.join(KPI_SOURCES)}, not {source!r}")
        wanted = list(specs)
        _check_unique(wanted)
        with self._write() as session:
            self._require_workspace(session, workspace_id)
            return self.apply_in(
                session, workspace_id, wanted, actor=actor, source=source, prune=prune, now=utcnow()
            )

    def apply_in(
        self,
        session: Session,
        workspace_id: str,
        specs: Iterable[KpiSpec],
        *,
        actor: str,
        now: datetime,
        source: Source = "user",
        prune: bool = False,
    ) -> Plan:
        """:meth:`apply` inside ``session``, a write transaction of this store (see
        :meth:`writing`), so that KPIs, goals and targets change together."""
        wanted = _check_unique(specs)
        self._lock_state(session, workspace_id)
        rows = self._stored(session, workspace_id, lock=True)
        stored = {kpi_id: KpiSpec.model_validate(row.spec) for kpi_id, row in rows.items()}
        plan = _make_plan(stored, wanted, prune=prune)
        if not plan.has_changes:
            return plan
        for kpi_id in plan.added:
            after = spec_to_json(wanted[kpi_id])
            session.add(
                KpiDefinition(
                    workspace_id=workspace_id,
                    kpi_id=kpi_id,
                    spec=after,
                    revision=1,
                    source=source,
                    updated_at=now,
                    updated_by=actor,
                )
            )
            self._audit(session, workspace_id, "kpi", kpi_id, "create", None, after, actor, now)
        for change in plan.changed:
            row = rows[change.kpi_id]
            before = spec_to_json(stored[change.kpi_id])
            after = spec_to_json(wanted[change.kpi_id])
            row.spec = after
            row.revision += 1
            row.source = source
            row.updated_at = now
            row.updated_by = actor
            self._audit(
                session, workspace_id, "kpi", change.kpi_id, "update", before, after, actor, now
            )
        for kpi_id in plan.removed:
            before = spec_to_json(stored[kpi_id])
            session.delete(rows[kpi_id])
            self._audit(session, workspace_id, "kpi", kpi_id, "delete", before, None, actor, now)
        session.execute(
            update(WorkspaceState)
            .where(WorkspaceState.workspace_id == workspace_id)
            .values(definitions_version=WorkspaceState.definitions_version + 1)
        )
        return plan

    # -- versions and audit -----------------------------------------------------------------------

    def _lock_state(self, session: Session, workspace_id: str) -> WorkspaceState:
        state = session.scalars(
            select(WorkspaceState)
            .where(WorkspaceState.workspace_id == workspace_id)
            .with_for_update()
        ).one_or_none()
        if state is None:
            raise WorkspaceError(f"workspace '{workspace_id}' has no version counters")
        return state

    def versions(self, workspace_id: str) -> tuple[int, int]:
        """The workspace's ``(data_version, definitions_version)``: one query (the engine of
        a page asks for them before each computation)."""
        with self.engine.connect() as connection:
            found = connection.execute(_versions_query(), {"ws": workspace_id}).one_or_none()
        if found is not None:
            return int(found[0]), int(found[1])
        with self._sessions() as session:  # no such workspace, or no counters: say which
            self._require_workspace(session, workspace_id)
            state = session.get(WorkspaceState, workspace_id)
            if state is None:
                raise WorkspaceError(f"workspace '{workspace_id}' has no version counters")
            return state.data_version, state.definitions_version

    def state(self, workspace_id: str) -> tuple[int, int, int]:
        """:meth:`versions` and :meth:`last_change` in one query (a web server asks for them
        on every page it serves)."""
        with self.engine.connect() as connection:
            found = connection.execute(_state_query(), {"ws": workspace_id}).one_or_none()
        if found is None:  # no such workspace, or no counters: versions() says which
            return (*self.versions(workspace_id), self.last_change(workspace_id))
        data, definitions, last = tuple(found)
        return int(data), int(definitions), int(last or 0)

    def last_change(self, workspace_id: str) -> int:
        """The id of the workspace's last audit entry (0 when none): it changes with every
        change of KPIs, goals, targets and data, so it keys what depends on any of them."""
        with self._sessions() as session:
            found = session.execute(
                select(func.max(AuditEntry.id)).where(AuditEntry.workspace_id == workspace_id)
            ).scalar_one()
            return int(found or 0)

    def bump_data_version(
        self,
        workspace_id: str,
        actor: str,
        details: Mapping[str, Any],
        *,
        entity_id: str = "data",
    ) -> int:
        """Record that data was loaded: bump ``data_version`` and audit it; return the new version.

        The audit entry has entity type ``data`` and action ``load``; ``before`` holds the old
        version and ``after`` the new one with ``details`` (which must be JSON-serialisable).
        """
        detail_dict = dict(details)
        json.dumps(detail_dict)  # fail before writing anything if it cannot be stored
        with self._write() as session:
            self._require_workspace(session, workspace_id)
            state = self._lock_state(session, workspace_id)
            old = state.data_version
            session.execute(
                update(WorkspaceState)
                .where(WorkspaceState.workspace_id == workspace_id)
                .values(data_version=WorkspaceState.data_version + 1)
            )
            session.refresh(state)
            new = state.data_version
            self._audit(
                session,
                workspace_id,
                "data",
                entity_id,
                "load",
                {"data_version": old},
                {"data_version": new, "details": detail_dict},
                actor,
                utcnow(),
            )
            return new

    @staticmethod
    def _audit(
        session: Session,
        workspace_id: str,
        entity_type: str,
        entity_id: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        actor: str,
        at: datetime,
    ) -> None:
        session.add(
            AuditEntry(
                workspace_id=workspace_id,
                entity_type=entity_type,
                entity_id=entity_id,
                action=action,
                before=before,
                after=after,
                actor=actor,
                at=at,
            )
        )

    def audit_log(
        self,
        workspace_id: str,
        *,
        entity_id: str | None = None,
        entity_type: str | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        """The workspace's audit entries, newest first, optionally for one entity (id, and
        type: ``kpi``, ``goal``, ``target``, ``data``) only."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        with self._sessions() as session:
            self._require_workspace(session, workspace_id)
            query = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
            if entity_id is not None:
                query = query.where(AuditEntry.entity_id == entity_id)
            if entity_type is not None:
                query = query.where(AuditEntry.entity_type == entity_type)
            query = query.order_by(AuditEntry.id.desc()).limit(limit)
            return [
                AuditRecord(
                    id=row.id,
                    workspace_id=row.workspace_id,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    action=row.action,
                    before=row.before,
                    after=row.after,
                    actor=row.actor,
                    at=row.at,
                )
                for row in session.scalars(query)
            ]


@functools.cache
def _versions_query() -> Select[int, int]:
    """The query of :meth:`MetadataStore.versions`, built once, with the parameter ``ws``."""
    ws: BindParameter[str] = bindparam("ws")
    return select(WorkspaceState.data_version, WorkspaceState.definitions_version).where(
        WorkspaceState.workspace_id == ws
    )


@functools.cache
def _state_query() -> Select[Any]:
    """The query of :meth:`MetadataStore.state`, built once (building it costs more than
    running it), with the workspace id as the parameter ``ws``."""
    ws: BindParameter[str] = bindparam("ws")
    last = select(func.max(AuditEntry.id)).where(AuditEntry.workspace_id == ws).scalar_subquery()
    return select(WorkspaceState.data_version, WorkspaceState.definitions_version, last).where(
        WorkspaceState.workspace_id == ws
    )
