"""The campaign pages' data: the campaigns of a period with spend, conversions, CPA, ROAS and
their status against targets, and one campaign's every KPI against its channel's average.

A campaign is a ``campaign_id`` of ``ad_performance``, with its name and channel; its dates
are its first and last day with ad rows. The list is ``compute cost,conversions,cpa,roas --by
campaign_id,campaign,channel`` over the selection. A campaign **meets** a CPA or ROAS target
when its value over the period is on the target's good side of it (its value, or its band):
the targets tracked on the selection's day for the whole workspace or for the campaign's
channel. The campaign page computes every KPI that can be filtered to the campaign over its
dates (``compute --grain total --where "campaign_id = '…'"``); the **channel average** is the
mean of each KPI over the channel's campaigns with data in the same dates.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.errors import ShakhesError
from shakhes.spec.kpi import Direction
from shakhes.web.look import raw

if TYPE_CHECKING:
    from shakhes.service.status import TargetStatus
    from shakhes.spec.kpi import KpiSpec
    from shakhes.web.look import Look
    from shakhes.web.period import Selection
    from shakhes.workspace import Workspace

LIST_KPIS = ("cost", "conversions", "cpa", "roas")
JUDGED = ("cpa", "roas")
"""The KPIs a campaign's status is judged on."""
_BY = ("campaign_id", "campaign", "channel")


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    channel: str
    first: dt.date
    last: dt.date


def campaigns(ws: Workspace) -> dict[str, Campaign]:
    """Every campaign with ad rows (id → campaign), one query over ``ad_performance``."""
    with ws.reading() as session:
        warehouse = session.warehouse
        ads = warehouse.table("ad_performance")
        query = ads.group_by(list(_BY)).aggregate(first=ads.date.min(), last=ads.date.max())
        found = warehouse.backend.to_pyarrow(query).to_pylist()
    out: dict[str, Campaign] = {}
    for r in found:
        key = str(r["campaign_id"])
        old = out.get(key)
        first, last = _day(r["first"]), _day(r["last"])
        if old is not None:  # a campaign renamed: its latest name, its whole dates
            first, last = min(first, old.first), max(last, old.last)
        out[key] = Campaign(key, str(r["campaign"] or key), str(r["channel"]), first, last)
    return out


def list_page(ws: Workspace, look: Look, sel: Selection) -> dict[str, Any]:
    """What the campaigns template shows."""
    from shakhes.service.compute import Query, compute, records

    specs = ws.definitions()
    kpis = tuple(k for k in LIST_KPIS if k in specs)
    known = campaigns(ws)
    period = sel.period
    try:
        result = compute(ws, Query(kpis, grain="total", by=_BY, start=period.start, end=period.end))
    except ShakhesError as error:
        return {"rows": [], "problem": error.message, "kpis": kpis}
    targets = _targets(ws, sel)
    rows: dict[str, dict[str, Any]] = {}
    for r in records(result):
        key = str(r["campaign_id"])
        found = known.get(key)
        if found is None:
            continue
        row = rows.setdefault(
            key,
            {
                "id": key,
                "name": found.name,
                "channel": found.channel,
                "dates": look.span(found.first, found.last),
                "values": {},
                "status": [],
            },
        )
        kpi = str(r["kpi"])
        spec = specs[kpi]
        row["values"][kpi] = {"text": look.value(r["value"], spec), "raw": raw(r["value"])}
        if kpi in JUDGED and r["value"] is not None:
            for t in targets.get(kpi, []):
                if t.spec.scope in ("", f"channel = '{found.channel}'"):
                    meets = _meets(float(r["value"]), t, spec)
                    row["status"].append({
                        "kpi": spec.id,
                        "meets": meets,
                        "text": f"{spec.id.upper()} "
                        + (look.words["meets"] if meets else look.words["misses"]),
                    })  # fmt: skip
    shown = [r for r in rows.values() if any(v["raw"] != "null" for v in r["values"].values())]
    shown.sort(key=lambda r: -float(r["values"].get("cost", {}).get("raw", "0") or 0))
    return {"rows": shown, "problem": None, "kpis": kpis}


def _targets(ws: Workspace, sel: Selection) -> dict[str, list[TargetStatus]]:
    """The CPA and ROAS targets tracked on the selection's day, by KPI."""
    from shakhes.service import goals
    from shakhes.service.status import track_targets

    active = [t for t in goals.active_targets(ws, on=sel.on) if t.kpi.id in JUDGED]
    out: dict[str, list[TargetStatus]] = {}
    for t in track_targets(ws, active, sel.on).values():
        out.setdefault(t.kpi.id, []).append(t)
    return out


def _meets(value: float, t: TargetStatus, spec: KpiSpec) -> bool:
    """Whether ``value`` is on the target's good side (inside its band)."""
    target = t.spec
    if target.value is None:
        low = -math.inf if target.min is None else target.min
        high = math.inf if target.max is None else target.max
        return low <= value <= high
    if spec.direction is Direction.HIGHER_IS_BETTER:
        return value >= target.value
    return value <= target.value


def campaign_page(ws: Workspace, look: Look, campaign_id: str) -> dict[str, Any]:
    """What the campaign template shows (a ``LookupError`` for an unknown campaign)."""
    from shakhes.service.compute import Query, compute, records

    known = campaigns(ws)
    found = known.get(campaign_id)
    if found is None or "'" in campaign_id or "\\" in campaign_id:
        raise LookupError(campaign_id)
    specs = ws.definitions()
    ids = tuple(sorted(specs))
    own = compute(
        ws,
        Query(ids, grain="total", start=found.first, end=found.last,
              where=f"campaign_id = '{found.id}'"),
    )  # fmt: skip
    mine = {str(r["kpi"]): r["value"] for r in records(own)}
    computed = [k for k in ids if k not in own.errors and mine.get(k) is not None]
    peers = compute(
        ws,
        Query(tuple(computed), grain="total", by=("campaign_id",), start=found.first,
              end=found.last, where=f"channel = '{found.channel}'"),
    ) if computed and "'" not in found.channel else None  # fmt: skip
    values: dict[str, list[float]] = {}
    for r in records(peers) if peers is not None else []:
        if r["value"] is not None:
            values.setdefault(str(r["kpi"]), []).append(float(r["value"]))
    rows = []
    for kpi in computed:
        spec = specs[kpi]
        peer = values.get(kpi, [])
        average = sum(peer) / len(peer) if peer else None
        rows.append(
            {
                "id": kpi,
                "name": look.name(spec),
                "value": {"text": look.value(mine[kpi], spec), "raw": raw(mine[kpi])},
                "average": {"text": look.value(average, spec), "raw": raw(average)},
                "campaigns": look.digits(str(len(peer))),
                "better": _better(spec, mine[kpi], average),
            }
        )
    return {
        "id": found.id,
        "name": found.name,
        "channel": found.channel,
        "dates": look.span(found.first, found.last),
        "rows": rows,
    }


def _better(spec: KpiSpec, value: float | None, average: float | None) -> str:
    if value is None or average is None or value == average:
        return "flat"
    higher = value > average
    return "up" if higher == (spec.direction is Direction.HIGHER_IS_BETTER) else "down"


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
