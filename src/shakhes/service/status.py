"""Where every target stands: what ``shakhes status`` shows and the REST API will return.

:func:`status` tracks each target that applies on a day (:func:`shakhes.service.goals.
active_targets`) with :func:`shakhes.analysis.tracking.track`: actual and expected to date,
the forecast at period end with its 80 % interval, the probability of meeting the target, the
run rate still needed, and a status. It reads each KPI's daily history in the target's scope
through the engine (:mod:`shakhes.service.history`) and rolls statuses up the goal tree.

**The day and data through.** The day (``on``) picks the period instance of each target; by
default it is the last day with data in the workspace (never after today): a warehouse updated
last week is tracked as of last week, not as if nothing had happened since. A target is then
tracked **through the last day with data for its KPI's tables** (whatever the scope), or
``on`` if that is earlier: days after it are in the forecast, not counted as zeros. Each
target carries its ``data_through``.

**Roll-up.** A KPI's status is the worst of its targets' statuses and a goal's the worst of
its KPIs', in the order achieved < on_track < at_risk < off_track < missed: a goal is as far
on track as its weakest target (each goal also counts its targets per status). Targets without
a status (a KPI that cannot be tracked, no data) are left out of the roll-up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from shakhes.analysis.series import DailySeries, RatioSeries
from shakhes.analysis.tracking import INTERVAL, Status, Target, Thresholds, Tracking, track
from shakhes.errors import ShakhesError
from shakhes.spec.kpi import Kind

if TYPE_CHECKING:
    from shakhes.service.goals import ActiveTarget, GoalTree
    from shakhes.service.history import KpiHistory
    from shakhes.spec.goals import GoalSpec, TargetSpec
    from shakhes.spec.kpi import KpiSpec
    from shakhes.spec.periods import PeriodInstance
    from shakhes.workspace import Workspace

__all__ = [
    "SEVERITY",
    "GoalStatus",
    "KpiStatus",
    "StatusReport",
    "TargetStatus",
    "TrendPoint",
    "default_day",
    "status",
    "track_targets",
    "worst",
]

HISTORY_DAYS = 731
"""Days of history read before a target's period: two years, for the time of year of pacing
and a forecast's track record (fewer when the data starts later)."""
TREND_WEEKS = 12
"""Weeks of each target's trend (the terminal's sparkline)."""

SEVERITY = (Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.MISSED)
"""Statuses from best to worst: the order of the roll-up."""

_HIDDEN = {"target", "target_low", "target_high", "period_start", "period_end", "direction", "kind"}
"""Tracking fields a target's record already has under its own name (``kind`` is ``shape``)."""
_TRACKING_FIELDS = [f.name for f in fields(Tracking) if f.name not in _HIDDEN]


def worst(statuses: Iterable[Status | None]) -> Status | None:
    """The worst of ``statuses`` (None when none is known).

    >>> worst([Status.ON_TRACK, None, Status.AT_RISK]).value
    'at_risk'
    """
    known = [s for s in statuses if s is not None]
    return max(known, key=SEVERITY.index) if known else None


@dataclass(frozen=True)
class TrendPoint:
    """The KPI over seven days (a ratio: Σ numerator ÷ Σ denominator; None over nothing)."""

    start: dt.date
    end: dt.date
    value: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "value": self.value}


@dataclass(frozen=True)
class TargetStatus:
    """One target tracked on a day: its definition, its period instance, and every number."""

    spec: TargetSpec
    kpi: KpiSpec
    instance: PeriodInstance
    data_through: dt.date | None
    """The last day counted: the last day with data for the KPI's tables, or the day asked."""
    tracking: Tracking | None
    """None when the target cannot be tracked (see ``problem``)."""
    actual: float | None = None
    """The KPI from the period's first day through ``data_through`` (also without tracking)."""
    trend: tuple[TrendPoint, ...] = ()
    """The last :data:`TREND_WEEKS` weeks through ``data_through``, oldest first."""
    problem: ShakhesError | None = None
    shape: str | None = None
    """How the KPI follows from its days: ``additive``, ``ratio`` or ``other`` (None: unknown,
    the KPI could not be planned)."""
    missing: int = 0
    """Rows of the period through ``data_through`` that lacked a value the KPI reads (reach,
    leads, …): left out of ``actual`` and the forecast's history — unknown, not 0."""

    @property
    def status(self) -> Status | None:
        return self.tracking.status if self.tracking is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON data: the target, its period instance, ``data_through``, ``status``, every
        number of :class:`~shakhes.analysis.tracking.Tracking` (null when not tracked), the
        trend, and the problem (code, message) when not tracked."""
        from shakhes.service.goals import instance_record

        spec = self.spec
        numbers = self.tracking.to_dict() if self.tracking is not None else {}
        out: dict[str, Any] = {
            "id": spec.id,
            "kpi": spec.kpi,
            "scope": spec.scope,
            "goal": spec.goal,
            "value": spec.value,
            "min": spec.min,
            "max": spec.max,
            "direction": self.kpi.direction.value,
            "unit": self.kpi.unit.value,
            "owner": spec.owner,
            "period": instance_record(self.instance),
            "data_through": _iso(self.data_through),
            "status": self.status.value if self.status is not None else None,
            "shape": self.shape,
            "actual": _finite(self.actual),
            "missing": self.missing,
        }
        out.update({name: numbers.get(name) for name in _TRACKING_FIELDS if name not in out})
        out["trend"] = [point.to_dict() for point in self.trend]
        out["problem"] = (
            {"code": self.problem.code, "message": self.problem.message}
            if self.problem is not None
            else None
        )
        return out


@dataclass(frozen=True)
class KpiStatus:
    """A KPI of a goal (or a KPI with targets that serve no goal) and its tracked targets."""

    kpi: str
    spec: KpiSpec | None
    kind: Kind
    drives: tuple[str, ...] = ()
    targets: tuple[TargetStatus, ...] = ()

    @property
    def status(self) -> Status | None:
        """The worst of its targets' statuses."""
        return worst(t.status for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "kpi": self.kpi,
            "name": spec.name.model_dump() if spec is not None else None,
            "unit": spec.unit.value if spec is not None else None,
            "direction": spec.direction.value if spec is not None else None,
            "timing": spec.timing.value if spec is not None else None,
            "kind": self.kind.value,
            "drives": list(self.drives),
            "status": _value(self.status),
            "targets": [t.to_dict() for t in self.targets],
        }


@dataclass(frozen=True)
class GoalStatus:
    """A goal, its KPIs and their tracked targets."""

    goal: GoalSpec
    kpis: tuple[KpiStatus, ...]

    @property
    def targets(self) -> list[TargetStatus]:
        return [t for k in self.kpis for t in k.targets]

    @property
    def status(self) -> Status | None:
        """The worst of its KPIs' statuses (so of all its targets')."""
        return worst(k.status for k in self.kpis)

    def counts(self) -> dict[str, int]:
        """Targets per status, every status listed."""
        found = [t.status for t in self.targets]
        return {s.value: found.count(s) for s in SEVERITY}

    def to_dict(self) -> dict[str, Any]:
        goal = self.goal
        return {
            "id": goal.id,
            "title": goal.title.model_dump(),
            "owner": goal.owner,
            "period": {"start": goal.period.start.isoformat(), "end": goal.period.end.isoformat()},
            "status": _value(self.status),
            "counts": self.counts(),
            "kpis": [k.to_dict() for k in self.kpis],
        }


@dataclass(frozen=True)
class StatusReport:
    """Every goal's tree with its tracked targets, and the targets that serve no goal."""

    on: dt.date
    on_source: str
    """``given``, ``data`` (the last day with data) or ``today`` (no data yet)."""
    goals: tuple[GoalStatus, ...]
    without_goal: tuple[KpiStatus, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def targets(self) -> list[TargetStatus]:
        """Every tracked target once (a target under two goals is tracked once)."""
        seen: dict[str, TargetStatus] = {}
        for kpi in [k for g in self.goals for k in g.kpis] + list(self.without_goal):
            for t in kpi.targets:
                seen.setdefault(t.spec.id, t)
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "on_source": self.on_source,
            "thresholds": {
                "on_track": self.thresholds.on_track,
                "at_risk": self.thresholds.at_risk,
            },
            "interval": INTERVAL,
            "goals": [g.to_dict() for g in self.goals],
            "without_goal": [k.to_dict() for k in self.without_goal],
        }


# -- the use case ---------------------------------------------------------------------------------


def default_day(ws: Workspace) -> tuple[dt.date, str]:
    """The day status is taken on by default, and why: the last day with data in any table
    (``data``), never after today; today when there is no data (``today``)."""
    from shakhes.data.model import TABLES
    from shakhes.engine.execute import date_bounds
    from shakhes.service.cache import cached
    from shakhes.service.goals import today

    def find() -> tuple[dt.date, str]:
        now = today(ws)
        with ws.reading() as session:
            found = [
                date_bounds(session.warehouse, name, [spec.time_column])[spec.time_column]
                for name, spec in TABLES.items()
            ]
        ends = [bounds[1] for bounds in found if bounds is not None]
        if not ends:
            return now, "today"
        return min(max(ends), now), "data"

    return cached(ws, "default_day", (), find)


def status(
    ws: Workspace,
    *,
    goal: str | None = None,
    on: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> StatusReport:
    """Track every target that applies on ``on`` (default: :func:`default_day`) — only those
    of ``goal`` when given (an unknown goal is an error) — and roll statuses up each goal.

    The report holds the goals whose period holds the day or that have a target applying on
    it (with ``goal``: that goal), and the targets that serve none of its goals. Kept for the
    workspace's state (:func:`shakhes.service.cache.answer`)."""
    from shakhes.service.cache import answer

    key = (goal, on, thresholds)
    return answer(ws, "status", key, lambda: _status(ws, goal, on, thresholds))


def _status(
    ws: Workspace, goal: str | None, on: dt.date | None, thresholds: Thresholds
) -> StatusReport:
    from shakhes.service import goals as goal_service

    day, source = (on, "given") if on is not None else default_day(ws)
    trees = (
        [goal_service.goal_tree(ws, goal, on=day)]
        if goal is not None
        else goal_service.goal_trees(ws, on=day)
    )
    active = {t.spec.id: t for t in goal_service.active_targets(ws, on=day)}
    placed = {v.spec.id for tree in trees for node in tree.kpis for v in node.targets}
    wanted = [t for i, t in active.items() if i in placed or goal is None]
    tracked = track_targets(ws, wanted, day, thresholds)
    shown = [
        tree
        for tree in trees
        if goal is not None
        or tree.goal.period.start <= day <= tree.goal.period.end
        or any(v.spec.id in tracked for node in tree.kpis for v in node.targets)
    ]
    return StatusReport(
        on=day,
        on_source=source,
        goals=tuple(_goal_status(tree, tracked) for tree in shown),
        without_goal=tuple(_loose(t for i, t in tracked.items() if i not in placed)),
        thresholds=thresholds,
    )


def _goal_status(tree: GoalTree, tracked: dict[str, TargetStatus]) -> GoalStatus:
    return GoalStatus(
        tree.goal,
        tuple(
            KpiStatus(
                node.link.kpi,
                node.kpi,
                node.link.kind,
                node.link.drives,
                tuple(tracked[v.spec.id] for v in node.targets if v.spec.id in tracked),
            )
            for node in tree.kpis
        ),
    )


def _loose(targets: Iterable[TargetStatus]) -> list[KpiStatus]:
    """Targets that serve no goal of the report, grouped by KPI (sorted by KPI id)."""
    by_kpi: dict[str, list[TargetStatus]] = {}
    for t in targets:
        by_kpi.setdefault(t.kpi.id, []).append(t)
    return [
        KpiStatus(kpi, found[0].kpi, found[0].kpi.kind, (), tuple(found))
        for kpi, found in sorted(by_kpi.items())
    ]


def track_targets(
    ws: Workspace,
    targets: Sequence[ActiveTarget],
    on: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> dict[str, TargetStatus]:
    """Track each target on ``on`` (target id → its status): one engine query per scope."""
    from shakhes.service.history import daily_histories

    by_scope: dict[str, list[ActiveTarget]] = {}
    for t in targets:
        by_scope.setdefault(t.spec.scope, []).append(t)
    out: dict[str, TargetStatus] = {}
    for scope, group in by_scope.items():
        first = min(t.instance.start for t in group) - dt.timedelta(days=HISTORY_DAYS)
        kpis = sorted({t.kpi.id for t in group})
        histories = daily_histories(ws, kpis, scope=scope, start=first, end=on)
        for t in group:
            out[t.spec.id] = _track(ws, t, histories[t.kpi.id], on, thresholds)
    return {t.spec.id: out[t.spec.id] for t in targets}


def _track(
    ws: Workspace, target: ActiveTarget, history: KpiHistory, on: dt.date, thresholds: Thresholds
) -> TargetStatus:
    instance = target.instance
    series, through = history.series, history.through
    if series is None or through is None:
        through = min(history.coverage[1], on) if history.coverage is not None else None
        problem = history.problem
        not_trackable = problem is not None and problem.code == "not_trackable"
        actual = _value_to_date(ws, target, through) if not_trackable else None
        return TargetStatus(
            target.spec,
            target.kpi,
            instance,
            through,
            None,
            actual,
            problem=history.problem,
            shape=history.shape.value if history.shape is not None else None,
        )
    tracking = track(
        series,
        (instance.start, instance.end),
        through,
        _target(target.spec),
        target.kpi.direction,
        thresholds=thresholds,
    )
    return TargetStatus(
        target.spec,
        target.kpi,
        instance,
        through,
        tracking,
        tracking.actual,
        trend=weekly(series, through),
        shape=tracking.kind,
        missing=history.missing_between(instance.start, through),
    )


def _value_to_date(ws: Workspace, target: ActiveTarget, through: dt.date | None) -> float | None:
    """The KPI over the period's days through ``through`` in the target's scope, computed as a
    whole (for a KPI whose days do not add up to it); None when it cannot be."""
    from shakhes.service.compute import Query, compute

    first = target.instance.start
    if through is None or through < first:
        return None
    query = Query(
        (target.kpi.id,), grain="total", start=first, end=through, where=target.spec.scope or None
    )
    try:
        result = compute(ws, query)
    except ShakhesError:
        return None
    if result.errors:
        return None
    value = result.records()[0]["value"]
    return _finite(None if value is None else float(value))


def _target(spec: TargetSpec) -> Target:
    if spec.band is not None:
        return Target(low=spec.band[0], high=spec.band[1])
    assert spec.value is not None
    return Target(value=spec.value)


def weekly(
    series: DailySeries | RatioSeries, through: dt.date, weeks: int = TREND_WEEKS
) -> tuple[TrendPoint, ...]:
    """The KPI per seven days, the last ending on ``through``, oldest first; weeks that
    start before the series are left out.

    >>> s = DailySeries(dt.date(2025, 1, 1), [float(day) for day in range(14)])
    >>> [(p.start.day, p.value) for p in weekly(s, dt.date(2025, 1, 14), 3)]
    [(1, 21.0), (8, 70.0)]
    """
    points = []
    for back in range(weeks - 1, -1, -1):
        last = through - dt.timedelta(days=7 * back)
        first = last - dt.timedelta(days=6)
        if first < series.start:
            continue
        if isinstance(series, RatioSeries):
            ratio = series.ratio(first, last)
            value = ratio if math.isfinite(ratio) else None
        else:
            value = series.total(first, last)
        points.append(TrendPoint(first, last, value))
    return tuple(points)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _value(s: Status | None) -> str | None:
    return s.value if s is not None else None
