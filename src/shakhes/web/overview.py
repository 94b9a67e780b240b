"""The overview page's data: the goal tree with its statuses, and a scorecard per KPI.

The goal tree is :func:`shakhes.service.status.status` on the selection's day — the JSON of
``shakhes status --format json`` (``tree``). Each scorecard's value and change are one
:func:`shakhes.service.compute.compute` of every KPI shown at the selection's grain over its
period with its comparison (``shakhes compute --grain G --from S --to E --compare C``), its
sparkline the same KPIs at day grain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.errors import ShakhesError
from shakhes.service.anomalies import DEFAULT_KPIS
from shakhes.web.look import raw

if TYPE_CHECKING:
    from shakhes.service.status import GoalStatus, KpiStatus, StatusReport, TargetStatus
    from shakhes.spec.kpi import KpiSpec
    from shakhes.web.look import Look
    from shakhes.web.period import Selection
    from shakhes.workspace import Workspace

SPARK_WIDTH, SPARK_HEIGHT = 120, 32


@dataclass(frozen=True)
class Values:
    """Each KPI's value over the selection, its comparison and its days."""

    rows: dict[str, dict[str, Any]]
    days: dict[str, list[float | None]]
    errors: dict[str, str]


def values(ws: Workspace, kpis: list[str], sel: Selection) -> Values:
    """The KPIs over the selection (as ``compute --compare``) and day by day."""
    from shakhes.service.compute import Query, compute, records

    period = sel.period
    result = compute(
        ws,
        Query(tuple(kpis), grain=sel.grain.value, start=period.start, end=period.end,
              compare=sel.compare),
    )  # fmt: skip
    rows = {str(r["kpi"]): r for r in records(result)}
    last = max(period.start, min(period.end, sel.data_end))  # no days after the data
    daily = compute(ws, Query(tuple(kpis), grain="day", start=period.start, end=last))
    days: dict[str, list[float | None]] = {}
    for r in records(daily):
        days.setdefault(str(r["kpi"]), []).append(r["value"])
    errors = {kpi: error.message for kpi, error in result.errors.items()}
    return Values(rows, days, errors)


def build(ws: Workspace, look: Look, period: str | None, compare: str | None) -> dict[str, Any]:
    """The page of ``?period=…&compare=…``: its selection (``sel``) and ``data``, kept for the
    workspace's state (:mod:`shakhes.service.cache`) — a user error is raised, not kept."""
    from shakhes.service.cache import cached
    from shakhes.web.period import select

    def make() -> dict[str, Any]:
        sel = select(ws, period, compare)
        return {"sel": sel, "data": page(ws, look, sel)}

    return cached(ws, "web.overview", (look.lang, period, compare), make, warm=True)


def page(ws: Workspace, look: Look, sel: Selection) -> dict[str, Any]:
    """What the overview template shows."""
    from shakhes.service.status import status

    # on the last day with data, exactly `shakhes status` (which says the day came from data)
    tracked = status(ws) if sel.on == sel.data_end else status(ws, on=sel.on)
    specs = ws.definitions()
    shown = _kpis(tracked, specs)
    found = values(ws, shown, sel) if shown else Values({}, {}, {})
    targets = _targets_by_kpi(tracked)
    cards = [
        _card(look, specs[kpi], found, targets.get(kpi))
        for kpi in shown
        if kpi not in found.errors or kpi in targets
    ]
    return {
        "tree": tracked.to_dict(),
        "on": look.day(tracked.on),
        "goals": [_goal(look, g, specs) for g in tracked.goals],
        "without_goal": [_kpi(look, k, specs) for k in tracked.without_goal],
        "cards": cards,
    }


def _kpis(tracked: StatusReport, specs: dict[str, KpiSpec]) -> list[str]:
    """The KPIs of the goals and targets first, then the headline KPIs the workspace has."""
    ids = [k.kpi for g in tracked.goals for k in g.kpis]
    ids += [k.kpi for k in tracked.without_goal]
    ids += [k for k in DEFAULT_KPIS if k in specs]
    return [k for k in dict.fromkeys(ids) if k in specs]


def _targets_by_kpi(tracked: StatusReport) -> dict[str, TargetStatus]:
    """Each KPI's target over its whole data (no scope) when it has one, else its first."""
    out: dict[str, TargetStatus] = {}
    for t in tracked.targets:
        if t.kpi.id not in out or (not t.spec.scope and out[t.kpi.id].spec.scope):
            out[t.kpi.id] = t
    return out


def target_text(look: Look, t: TargetStatus) -> str:
    """A target's value (or band) as a reader sees it."""
    spec = t.spec
    if spec.value is not None:
        return look.value(spec.value, t.kpi)
    return f"{look.value(spec.min, t.kpi)} – {look.value(spec.max, t.kpi)}"


def _card(look: Look, spec: KpiSpec, found: Values, target: TargetStatus | None) -> dict[str, Any]:
    row = found.rows.get(spec.id, {})
    value, previous, pct = row.get("value"), row.get("previous_value"), row.get("change_pct")
    return {
        "id": spec.id,
        "name": look.name(spec),
        "value": {"text": look.value(value, spec), "raw": raw(value)},
        "previous": {"text": look.value(previous, spec), "raw": raw(previous)},
        "change": {"text": look.change(pct), "raw": raw(pct), "good": _good(spec, pct)},
        "complete": row.get("complete", True),
        "error": found.errors.get(spec.id),
        "target": None
        if target is None
        else {
            "text": target_text(look, target),
            "scope": target.spec.scope,
            "status": look.status(target.status.value if target.status else None),
        },
        "spark": sparkline(found.days.get(spec.id, [])),
    }


def _good(spec: KpiSpec, pct: float | None) -> str:
    """``up`` when the change is good news, ``down`` when bad, ``flat`` otherwise."""
    from shakhes.spec.kpi import Direction

    if pct is None or pct == 0:
        return "flat"
    better = (pct > 0) == (spec.direction is Direction.HIGHER_IS_BETTER)
    return "up" if better else "down"


def sparkline(values: list[float | None]) -> str:
    """The ``points`` of an SVG polyline of ``values`` (gaps left out), left to right."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span = (high - low) or 1.0
    step = SPARK_WIDTH / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (v - low) / span * (SPARK_HEIGHT - 4):.1f}"
        for i, v in known
    )


def _goal(look: Look, goal: GoalStatus, specs: dict[str, KpiSpec]) -> dict[str, Any]:
    title = goal.goal.title
    text = (title.fa or title.en) if look.lang == "fa" else (title.en or title.fa)
    return {
        "id": goal.goal.id,
        "title": text,
        "owner": goal.goal.owner,
        "range": look.span(goal.goal.period.start, goal.goal.period.end),
        "status": look.status(goal.status.value if goal.status else None),
        "kpis": [_kpi(look, k, specs) for k in goal.kpis],
    }


def _kpi(look: Look, kpi: KpiStatus, specs: dict[str, KpiSpec]) -> dict[str, Any]:
    return {
        "id": kpi.kpi,
        "name": look.name(kpi.spec, kpi.kpi),
        "kind": look.words.get(kpi.kind.value, kpi.kind.value),
        "drives": [{"id": d, "name": look.name(specs.get(d), d)} for d in kpi.drives],
        "status": look.status(kpi.status.value if kpi.status else None),
        "targets": [target_row(look, t) for t in kpi.targets],
    }


def target_row(look: Look, t: TargetStatus) -> dict[str, Any]:
    """A tracked target's numbers as text, each with its unrounded value."""
    numbers = t.to_dict()

    def cell(field: str) -> dict[str, str]:
        return {"text": look.value(numbers.get(field), t.kpi), "raw": raw(numbers.get(field))}

    probability = numbers.get("probability")
    return {
        "id": t.spec.id,
        "scope": t.spec.scope,
        "target": target_text(look, t),
        "actual": cell("actual"),
        "expected": cell("expected"),
        "forecast": cell("forecast"),
        "probability": "—"
        if probability is None
        else look.digits(f"{probability * 100:.0f}") + ("٪" if look.lang == "fa" else "%"),
        "status": look.status(numbers["status"]),
        "period": look.span(t.instance.start, t.instance.end),
        "problem": t.problem.message if t.problem is not None else None,
    }


def safe(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """``call(*args, **kwargs)``, or None and the message of the user error it raised (one
    panel of a page that cannot be shown must not take the page down)."""
    try:
        return call(*args, **kwargs), None
    except ShakhesError as error:
        return None, error.message
