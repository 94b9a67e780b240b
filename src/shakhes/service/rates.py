"""Exchange rates to the workspace's reporting currency: load a file, summarise what is there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shakhes.data.rates import RatesLoaded, load_rates
from shakhes.data.warehouse import RATES_TABLE
from shakhes.service.imports import record_data_change
from shakhes.workspace import current_actor

if TYPE_CHECKING:
    from shakhes.workspace import Workspace


@dataclass(frozen=True)
class RateSummary:
    """One currency's rates: its first and last day, and the latest rate."""

    currency: str
    first: dt.date
    last: dt.date
    latest: float
    """The value of one unit of ``currency`` in the reporting currency on ``last``."""


def load(ws: Workspace, path: Path) -> RatesLoaded:
    """Load exchange rates from a CSV of ``date, currency, rate`` (see
    :mod:`shakhes.data.rates`), in a write turn."""
    with ws.writing(f"rates load of {path.name}") as session:
        loaded = load_rates(session.warehouse, path, ws.settings.currency)
        record_data_change(
            ws,
            session,
            current_actor(),
            {"rates": list(loaded.currencies), "file": str(path), "days": loaded.days},
        )
    return loaded


def summary(ws: Workspace) -> list[RateSummary]:
    """Each currency's rates, by currency."""
    with ws.reading() as session:
        con = session.warehouse.backend
        t = con.table(RATES_TABLE)
        latest = t.filter(t.date == t.date.max().over(group_by=t.currency))
        rows = con.to_pyarrow(
            latest.join(
                t.group_by("currency").aggregate(first=t.date.min(), last=t.date.max()),
                "currency",
            )
            .select("currency", "first", "last", "rate")
            .order_by("currency")
        ).to_pylist()
    return [RateSummary(r["currency"], r["first"], r["last"], float(r["rate"])) for r in rows]
