"""The demo's goals and targets, so that ``shakhes status`` has a story to tell.

The demo's data ends on the last day of a month. Its targets run over the three months (of the
workspace's calendar: Jalali months in a Persian demo) that end with the first month after the
data: two months and a bit are in, the rest is still to come — a quarter at its last month.
One goal, "Grow online revenue", is measured by revenue (strategic), ROAS and CPA
(operational), and by sessions and CTR (leading: they drive revenue and conversions); a search
budget serves no goal.

The values are chosen from the demo's own data, at build time, so that on the data's last day
each target lands where the story needs it — whatever the day the demo is built and its seed:

========================  =============  =====================================================
target                    status         value
========================  =============  =====================================================
sessions                  achieved       below the sessions already in
revenue                   at risk        the forecast's median (about even odds)
ROAS, CTR, search budget  on track       the forecast's 80 % interval's far end (about 90 %)
CPA                       off track      below the interval (a CPA the data will not reach)
========================  =============  =====================================================

Each value is the forecast's number rounded to two significant digits (three, four when that
changes the status), checked with the same tracking that ``shakhes status`` runs. Each note
compares the target with the same months a year before, when the data has them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.analysis.tracking import Status, track
from shakhes.engine.calendar import Grain, period_of, shift
from shakhes.spec.goals import GoalSpec, TargetSpec, make_goal, make_target
from shakhes.spec.kpi import Direction, Kind

if TYPE_CHECKING:
    from shakhes.analysis.series import DailySeries, RatioSeries
    from shakhes.workspace import Workspace

GOAL_ID = "grow_online_revenue"


@dataclass(frozen=True)
class _Plan:
    """A target the demo sets, the status it should have, and its place in the goal."""

    id: str
    kpi: str
    aim: Status
    kind: Kind | None = None
    """Its kind in the goal; None: the target serves no goal."""
    drives: tuple[str, ...] = ()
    scope: str = ""
    owner: tuple[str, str] = ("", "")
    """In English and Persian."""


PLANS = (
    _Plan("revenue_push", "revenue", Status.AT_RISK, Kind.STRATEGIC, owner=("Sara", "سارا")),
    _Plan("roas_floor", "roas", Status.ON_TRACK, Kind.OPERATIONAL, owner=("Reza", "رضا")),
    _Plan("cpa_ceiling", "cpa", Status.OFF_TRACK, Kind.OPERATIONAL, owner=("Reza", "رضا")),
    _Plan(
        "sessions_growth",
        "sessions",
        Status.ACHIEVED,
        Kind.FUNCTIONAL,
        ("revenue",),
        owner=("Mina", "مینا"),
    ),
    _Plan(
        "ctr_floor",
        "ctr",
        Status.ON_TRACK,
        Kind.OPERATIONAL,
        ("conversions",),
        owner=("Mina", "مینا"),
    ),
    _Plan(
        "search_budget",
        "cost",
        Status.ON_TRACK,
        scope="channel = 'search'",
        owner=("Reza", "رضا"),
    ),
)

_TEXT = {
    "en": {
        "title": "Grow online revenue",
        "description": "More revenue from the online shop, bought efficiently: ROAS and CPA keep "
        "paid media honest; sessions and CTR show the way early.",
        "note": "{change} on the same months a year before",
        "budget": "the search channel's budget; ",
    },
    "fa": {
        "title": "رشد درآمد آنلاین",
        "description": "درآمد بیشتر از فروشگاه آنلاین، با هزینه‌ای معقول: ROAS و CPA مراقب "
        "تبلیغات پولی‌اند و نشست‌ها و CTR زودتر مسیر را نشان می‌دهند.",
        "note": "{change} نسبت به همین ماه‌ها در سال قبل",
        "budget": "بودجه کانال جست‌وجو؛ ",
    },
}


def period_after(ws: Workspace, data_end: dt.date) -> tuple[dt.date, dt.date]:
    """The three months of the workspace's calendar that end with the month holding the day
    after ``data_end``."""
    grain = Grain.JALALI_MONTH if ws.default_grain is Grain.JALALI_MONTH else Grain.MONTH
    last = period_of(grain, data_end + dt.timedelta(days=1), ws.calendar)
    return shift(grain, last, -2, ws.calendar).start, last.end


def add_demo_goals(ws: Workspace, data_end: dt.date) -> tuple[GoalSpec | None, list[TargetSpec]]:
    """Add the demo's goal and targets (see the module docstring) in one write turn; a KPI
    without data (a smaller data set) gets no target. Returns what was added."""
    from shakhes.service.goals import check_and_apply
    from shakhes.service.history import daily_histories
    from shakhes.service.status import HISTORY_DAYS

    locale = "fa" if ws.settings.locale == "fa" else "en"
    first, last = period_after(ws, data_end)
    definitions = ws.definitions()
    targets: list[TargetSpec] = []
    kinds: list[_Plan] = []
    for scope in dict.fromkeys(plan.scope for plan in PLANS):
        plans = [p for p in PLANS if p.scope == scope and p.kpi in definitions]
        histories = daily_histories(
            ws,
            sorted({p.kpi for p in plans}),
            scope=scope,
            start=first - dt.timedelta(days=HISTORY_DAYS),
            end=data_end,
        )
        for plan in plans:
            history = histories[plan.kpi]
            if history.series is None or history.through is None:
                continue
            direction = definitions[plan.kpi].direction
            period = (first, last)
            value = choose_value(history.series, period, history.through, plan.aim, direction)
            if value is None:
                continue
            before = _last_year(ws, plan, first, last)
            targets.append(_target(plan, value, before, (first, last), locale))
            kinds.append(plan)
    goal = _goal(kinds, (first, last), locale)
    if not targets:
        return None, []
    with ws.writing("demo goals and targets"):
        check_and_apply(ws, goals=[goal] if goal is not None else None, targets=targets)
    return goal, targets


def choose_value(
    series: DailySeries | RatioSeries,
    period: tuple[dt.date, dt.date],
    through: dt.date,
    aim: Status,
    direction: Direction,
) -> float | None:
    """A round target value that gives the status ``aim`` on ``through``; None when there is
    none (an achieved target needs a KPI that adds up, higher being better)."""
    probe = track(series, period, through, 1.0, direction)  # the forecast ignores the target
    higher = direction is Direction.HIGHER_IS_BETTER
    raw: float | None
    if aim is Status.ACHIEVED:
        raw = probe.actual * 0.95 if probe.actual and higher and probe.kind == "additive" else None
    elif aim is Status.ON_TRACK:
        raw = probe.forecast_low if higher else probe.forecast_high
    elif aim is Status.AT_RISK:
        raw = probe.forecast
    elif probe.forecast_low is not None and probe.forecast_high is not None:
        raw = probe.forecast_high * 1.03 if higher else probe.forecast_low * 0.97
    else:
        raw = None
    if raw is None or not math.isfinite(raw) or raw <= 0:
        return None
    for digits in (2, 3, 4, None):
        value = _round(raw, digits)
        if track(series, period, through, value, direction).status is aim:
            return value
    return None


def _round(value: float, digits: int | None) -> float:
    """``value`` to ``digits`` significant digits (None: as it is)."""
    if digits is None or value == 0:
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _last_year(ws: Workspace, plan: _Plan, first: dt.date, last: dt.date) -> float | None:
    """The KPI over the same months a year before (in the plan's scope), if the data has them."""
    from shakhes.service.compute import Query, compute

    grain = Grain.JALALI_MONTH if ws.default_grain is Grain.JALALI_MONTH else Grain.MONTH
    start = shift(grain, period_of(grain, first, ws.calendar), -12, ws.calendar).start
    end = shift(grain, period_of(grain, last, ws.calendar), -12, ws.calendar).end
    query = Query((plan.kpi,), grain="total", start=start, end=end, where=plan.scope or None)
    result = compute(ws, query)
    row = result.records()[0]
    value = row["value"]
    if not row["complete"] or value is None or not math.isfinite(value) or value == 0:
        return None
    return float(value)


def _target(
    plan: _Plan,
    value: float,
    before: float | None,
    period: tuple[dt.date, dt.date],
    locale: str,
) -> TargetSpec:
    from shakhes.text import to_persian_digits

    text = _TEXT[locale]
    note = text["budget"] if plan.kind is None else ""
    if before is not None:
        change = f"{(value / before - 1) * 100:+.0f}%"
        if locale == "fa":
            change = to_persian_digits(change.replace("%", "٪"))
        note += text["note"].format(change=change)
    data: dict[str, Any] = {
        "id": plan.id,
        "kpi": plan.kpi,
        "scope": plan.scope,
        "period": {"start": period[0], "end": period[1]},
        "value": value,
        "owner": plan.owner[1] if locale == "fa" else plan.owner[0],
        "note": note.removesuffix("; "),
        "goal": GOAL_ID if plan.kind is not None else None,
    }
    return make_target(data)


def _goal(plans: list[_Plan], period: tuple[dt.date, dt.date], locale: str) -> GoalSpec | None:
    links = [
        {"kpi": p.kpi, "kind": p.kind, "drives": list(p.drives)}
        for p in plans
        if p.kind is not None
    ]
    if not links:
        return None
    return make_goal(
        {
            "id": GOAL_ID,
            "title": {lang: _TEXT[lang]["title"] for lang in ("en", "fa")},
            "description": {lang: _TEXT[lang]["description"] for lang in ("en", "fa")},
            "owner": "سارا" if locale == "fa" else "Sara",
            "period": {"start": period[0], "end": period[1]},
            "kpis": links,
        }
    )
