"""The audit log, each entry with a few words on what it changed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shakhes.workspace import Workspace


@dataclass(frozen=True)
class AuditLine:
    """One audit entry: who did what to which entity, when, and — for a data change — what
    it loaded, in words."""

    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def audit(ws: Workspace, *, entity: str | None = None, limit: int = 20) -> list[AuditLine]:
    """The workspace's audit log, newest first (``entity``: one KPI id, or ``data``)."""
    entries = ws.store.audit_log(ws.id, entity_id=entity, limit=limit)
    return [
        AuditLine(
            e.at,
            e.actor,
            e.action,
            e.entity_type,
            e.entity_id,
            describe_data_change(e.after) if e.entity_type == "data" else "",
            e.before,
            e.after,
        )
        for e in entries
    ]


def describe_data_change(after: Mapping[str, Any] | None) -> str:
    """What a data entry of the audit log changed, in a few words: the import, file and
    table, the rates, the undo, or the demo's tables."""
    details = (after or {}).get("details") or {}
    if not isinstance(details, Mapping) or not details:
        return ""
    if "undo_import" in details:
        return (
            f"undo of import #{details['undo_import']} ({details.get('deleted', 0)} rows "
            f"deleted, {details.get('restored', 0)} restored)"
        )
    if "retry_quarantine" in details:
        return (
            f"import #{details.get('import')}: quarantined rows of import "
            f"#{details['retry_quarantine']} again ({details.get('resolved', 0)} resolved)"
        )
    if "import" in details:
        return (
            f"import #{details['import']} of {details.get('file', '?')} into "
            f"{details.get('table', '?')} ({details.get('accepted', 0)} rows accepted, "
            f"{details.get('replaced', 0)} replaced, {details.get('removed', 0)} removed)"
        )
    if "rates" in details:
        return (
            f"exchange rates ({', '.join(map(str, details['rates']))}) from "
            f"{details.get('file', '?')}, {details.get('days', 0)} days"
        )
    if "customers_from_orders" in details:
        return (
            "customers worked out again from the orders (inactivity window "
            f"{details['customers_from_orders']} days)"
        )
    if "demo_seed" in details:
        rows = details.get("rows") or {}
        return f"demo data (seed {details['demo_seed']}): " + ", ".join(
            f"{n:,} rows into {t}" for t, n in rows.items()
        )
    return json.dumps(details, ensure_ascii=False, default=str)
