"""The metadata store: workspaces, KPI definitions, goals and targets (:mod:`shakhes.store.goals`),
the audit log and cache version counters."""

from __future__ import annotations

from shakhes.store.db import create_engine_for, session_factory, upgrade
from shakhes.store.repo import AuditRecord, FieldChange, KpiChange, MetadataStore, Plan

__all__ = [
    "AuditRecord",
    "FieldChange",
    "KpiChange",
    "MetadataStore",
    "Plan",
    "create_engine_for",
    "session_factory",
    "upgrade",
]
