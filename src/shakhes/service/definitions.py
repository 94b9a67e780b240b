"""KPI definitions: list, show, apply (checked as a whole, in one write turn) and export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shakhes.spec.kpi import KpiSpec
from shakhes.spec.validate import validate_definitions
from shakhes.store.repo import AuditRecord, Plan
from shakhes.workspace import current_actor

if TYPE_CHECKING:
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
    return KpiDetail(spec, tuple(ws.store.audit_log(ws.id, entity_id=kpi_id, limit=history)))


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
    workspace with, all together (:func:`~shakhes.spec.validate.validate_definitions`), in a
    write turn, so that nothing changes them between the check and the change. ``dry_run``:
    the plan only, changing nothing. ``prune``: also delete KPIs that are not in ``specs``."""
    specs = list(specs)
    if dry_run:
        _validate(ws, specs, prune=prune)
        return ws.store.plan(ws.id, specs, prune=prune)
    with ws.writing(what) as session:
        _validate(ws, specs, prune=prune)
        return session.store.apply(ws.id, specs, actor=current_actor(), prune=prune)


def apply_file(ws: Workspace, path: Path, *, prune: bool = False, dry_run: bool = False) -> Plan:
    """:func:`apply` the definitions of a YAML file (every problem in it is reported at once,
    with its line)."""
    from shakhes.spec.yaml_io import load_specs

    return apply(ws, load_specs(path), what=f"apply of {path.name}", prune=prune, dry_run=dry_run)


def _validate(ws: Workspace, specs: list[KpiSpec], *, prune: bool) -> None:
    current = {} if prune else ws.definitions()
    validate_definitions({**current, **{s.id: s for s in specs}}, ws.settings.parameters)


def export_yaml(ws: Workspace) -> str:
    """Every definition as YAML that :func:`apply_file` takes back unchanged."""
    from shakhes.spec.yaml_io import dump_specs

    return dump_specs(kpis(ws))
