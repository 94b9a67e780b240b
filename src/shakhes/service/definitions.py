"""KPI definitions: list, show, apply (checked as a whole, in one write turn) and export; a
definitions file may hold goals and targets too (see :mod:`shakhes.service.goals`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shakhes.errors import Issue
from shakhes.spec.kpi import KpiSpec
from shakhes.store.repo import AuditRecord, Plan

if TYPE_CHECKING:
    from shakhes.store.goals import DefinitionsPlan
    from shakhes.workspace import Workspace


@dataclass(frozen=True)
class KpiDetail:
    spec: KpiSpec
    history: tuple[AuditRecord, ...]
    """The latest audit entries about the KPI, newest first."""


def kpis(ws: Workspace) -> list[KpiSpec]:
    """Every KPI of the workspace, in the store's order (the catalog's, then added ones)."""
    return list(ws.definitions().values())


def kpi_detail(ws: Workspace, kpi_id: str, *, history: int = 5) -> KpiDetail:
    """One KPI's definition and its latest changes (an unknown id is an error with a
    suggestion)."""
    spec = ws.store.get_kpi(ws.id, kpi_id)
    entries = ws.store.audit_log(ws.id, entity_id=kpi_id, entity_type="kpi", limit=history)
    return KpiDetail(spec, tuple(entries))


def apply(
    ws: Workspace,
    specs: Iterable[KpiSpec],
    *,
    what: str = "apply of KPI definitions",
    prune: bool = False,
    dry_run: bool = False,
) -> Plan:
    """Make the workspace's definitions match ``specs`` (see
    :meth:`~shakhes.store.repo.MetadataStore.apply`) after checking the set they leave the
    workspace with, all together (:func:`~shakhes.spec.validate.validate_definitions`, and
    the goals and targets against it), in a write turn, so that nothing changes them between
    the check and the change. ``dry_run``: the plan only, changing nothing. ``prune``: also
    delete KPIs that are not in ``specs``."""
    from shakhes.service.goals import check_and_apply

    specs = list(specs)
    if dry_run:
        plan = check_and_apply(ws, kpis=specs, prune=prune, dry_run=True)
    else:
        with ws.writing(what):
            plan = check_and_apply(ws, kpis=specs, prune=prune)
    assert plan.kpis is not None
    return plan.kpis


def apply_file(
    ws: Workspace, path: Path, *, prune: bool = False, dry_run: bool = False
) -> DefinitionsPlan:
    """Apply the KPI definitions, goals and targets of a YAML file together (every problem in
    it is reported at once, with its line; see
    :func:`~shakhes.service.goals.apply_definitions`)."""
    from shakhes.service.goals import apply_definitions
    from shakhes.spec.yaml_io import load_definitions

    return apply_definitions(
        ws, load_definitions(path), prune=prune, dry_run=dry_run, what=f"apply of {path.name}"
    )


def export_yaml(ws: Workspace) -> str:
    """Every definition — KPIs, goals, current targets — as YAML that :func:`apply_file` takes
    back unchanged."""
    from shakhes.spec.yaml_io import dump_definitions
    from shakhes.store.goals import GoalStore

    store = GoalStore(ws.store)
    targets = [record.spec for record in store.targets(ws.id)]
    return dump_definitions(kpis(ws), store.goals(ws.id), targets)


def check_formula(ws: Workspace, formula: str, *, kpi: str | None = None) -> list[Issue]:
    """Every problem in ``formula`` (none: it is valid) against the data model, the
    workspace's KPIs and parameters — what ``shakhes apply`` would say of it, each issue with
    its position in the formula."""
    from shakhes.errors import FormulaError
    from shakhes.formula.check import check_formula as check
    from shakhes.formula.parser import parse_formula
    from shakhes.spec.validate import DEFAULT_PARAMS

    known = ws.definitions()
    try:
        expr = parse_formula(formula, kpi=kpi)
        check(
            expr,
            formula,
            kpi=kpi,
            known_kpis=known.keys(),
            params=set(DEFAULT_PARAMS) | set(ws.settings.parameters),
        )
    except FormulaError as exc:
        return list(exc.issues)
    return []


def save_kpi(ws: Workspace, spec: KpiSpec) -> Plan:
    """Add a KPI or replace its definition, checked as ``shakhes apply`` checks (the whole
    set it leaves the workspace with)."""
    return apply(ws, [spec], what=f"save of KPI {spec.id}")


def delete_kpi(ws: Workspace, kpi_id: str) -> Plan:
    """Delete a KPI (refused, with every reason, when other KPIs, goals or targets use it)."""
    from shakhes.errors import UnknownKpiError, nearest

    current = ws.definitions()
    if kpi_id not in current:
        near = nearest(kpi_id, current)
        raise UnknownKpiError(
            f"no KPI '{kpi_id}'", hint=f"Did you mean '{near}'?" if near else None
        )
    rest = [spec for k, spec in current.items() if k != kpi_id]
    return apply(ws, rest, prune=True, what=f"delete of KPI {kpi_id}")
