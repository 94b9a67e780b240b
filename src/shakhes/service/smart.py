"""The SMART check on a workspace: what to check, and the facts each check reads.

:func:`check` picks the subjects — every target of the KPIs (and goals) named, or with no name
every target and every goal KPI without one — and for each gathers the facts that
:func:`shakhes.analysis.smart.check` judges:

* the **period** checked: the target's period instance holding the day of the check (or its
  first one when it has not begun, its last when it is over); a goal KPI without a target: the
  goal's period;
* the **formula**: the engine's plan of the KPI over that period (``total`` grain: a target is
  one number for the whole period), the distinct aggregates it reads and its tables, and
  whether the target's scope fits them (the rule of ``compute --where``);
* the **coverage**: per table, the rows in the scope in the period (over), in its days so far
  (running) or in the last year (not begun), and on any day;
* the **links**: the goals that list the KPI, what it drives and what drives it;
* the **history**: the KPI in the target's scope over the comparable periods before the
  checked one — for a recurring target the :attr:`~Thresholds.history_years` + 1 years of its
  months, quarters or years before it; for a fixed range the same range in each of those
  years (the same calendar period when the range is one: Jalali year 1404 → 1403, else the
  same dates) — one value per period, null where the data does not cover it whole.

The CLI and the REST API call :func:`check` and :func:`report_record`; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.analysis import smart
from shakhes.analysis.smart import (
    Checked,
    Coverage,
    Facts,
    FormulaFacts,
    GoalLink,
    History,
    Letter,
    Links,
    PastValue,
    PeriodState,
    Span,
    TableRows,
    Thresholds,
)
from shakhes.analysis.smart_words import Numbers, render
from shakhes.errors import ShakhesError, UnknownKpiError, nearest
from shakhes.spec.goals import Every, GoalSpec, PeriodSpec, TargetSpec
from shakhes.spec.kpi import Kind, KpiSpec

if TYPE_CHECKING:
    from shakhes.engine.calendar import CalendarSettings
    from shakhes.engine.planner import PlannedKpi
    from shakhes.workspace import Session, Workspace

__all__ = [
    "SmartReport",
    "SmartRow",
    "Subject",
    "check",
    "report_record",
    "same_range_years_before",
]

_PER_YEAR = {Every.MONTH: 12, Every.QUARTER: 4, Every.YEAR: 1}
_RECENT_DAYS = 364
"""A period not begun (or none) is checked for rows over the last 52 weeks."""


@dataclass(frozen=True)
class Subject:
    """What one row of the check is about: a KPI and one of its targets, or a KPI without a
    target under a goal (or, named alone, under none)."""

    kpi: KpiSpec
    target: TargetSpec | None = None
    goal: GoalSpec | None = None


@dataclass(frozen=True)
class SmartRow:
    subject: Subject
    facts: Facts
    result: Checked


@dataclass(frozen=True)
class SmartReport:
    """The check of every subject on the day ``on``; ``on_source`` says where the day came from:
    ``given``, ``data`` (the last day with data) or ``today`` (no data yet)."""

    on: dt.date
    thresholds: Thresholds
    rows: tuple[SmartRow, ...]
    on_source: str = "given"


@dataclass(frozen=True)
class _Context:
    kpis: Mapping[str, KpiSpec]
    goals: Sequence[GoalSpec]
    targets: Sequence[TargetSpec]


def check(
    ws: Workspace,
    names: Sequence[str] = (),
    *,
    on: dt.date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> SmartReport:
    """The SMART check of the KPIs and goals ``names`` (none: every KPI that has a target or
    a goal) on the day ``on`` (default: the day ``shakhes status`` takes, the last day with
    data, never after today: :func:`shakhes.service.status.default_day`). A name that is
    neither a KPI nor a goal is an :class:`UnknownKpiError` with a suggestion. Kept for the
    workspace's state (:func:`shakhes.service.cache.answer`)."""
    from shakhes.service.cache import answer, key_of

    key = (key_of(names), on, thresholds)
    return answer(ws, "check", key, lambda: _check(ws, names, on=on, thresholds=thresholds))


def _check(
    ws: Workspace, names: Sequence[str], *, on: dt.date | None, thresholds: Thresholds
) -> SmartReport:
    from shakhes.service import goals
    from shakhes.service.status import default_day

    context = _Context(ws.definitions(), goals.goals(ws), [view.spec for view in goals.targets(ws)])
    day, source = (on, "given") if on is not None else default_day(ws)
    subjects = _subjects(context, names, day)
    rows = []
    if subjects:
        _ = ws.engine  # built before the read session: building it may write
        with ws.reading() as session:
            for subject in subjects:
                facts = _gather(ws, session, context, subject, day, thresholds)
                rows.append(SmartRow(subject, facts, smart.check(facts, thresholds)))
    return SmartReport(day, thresholds, tuple(rows), source)


# -- subjects -------------------------------------------------------------------------------------


def _subjects(context: _Context, names: Sequence[str], day: dt.date) -> list[Subject]:
    kpis, goal_ids = context.kpis, {goal.id: goal for goal in context.goals}
    found: list[Subject] = []
    if not names:
        found += [
            Subject(kpis[target.kpi], target) for target in context.targets if target.kpi in kpis
        ]
        with_target = {target.kpi for target in context.targets}
        for goal in context.goals:
            for link in goal.kpis:
                if link.kpi in kpis and link.kpi not in with_target:
                    found.append(Subject(kpis[link.kpi], None, _goal_for(context, link.kpi, day)))
    for name in names:
        if name in kpis:
            own = [target for target in context.targets if target.kpi == name]
            found += [Subject(kpis[name], target) for target in own]
            if not own:
                found.append(Subject(kpis[name], None, _goal_for(context, name, day)))
        elif name in goal_ids:
            goal = goal_ids[name]
            for link in goal.kpis:
                if link.kpi not in kpis:
                    continue
                under = [t for t in context.targets if t.kpi == link.kpi and _serves(t, goal)]
                found += [Subject(kpis[link.kpi], target) for target in under]
                if not under:
                    found.append(Subject(kpis[link.kpi], None, goal))
        else:
            guess = nearest(name, [*kpis, *goal_ids])
            raise UnknownKpiError(
                f"no KPI or goal '{name}' in this workspace"
                + (f" — did you mean '{guess}'?" if guess else ""),
                params={"name": name},
                hint="Name KPIs or goals of this workspace, or nothing to check every KPI that "
                "has a target or a goal.",
            )
    unique: dict[tuple[str, str | None, str | None], Subject] = {}
    for subject in found:
        key = (
            subject.kpi.id,
            subject.target.id if subject.target else None,
            subject.goal.id if subject.goal and subject.target is None else None,
        )
        unique.setdefault(key, subject)
    return list(unique.values())


def _serves(target: TargetSpec, goal: GoalSpec) -> bool:
    """Whether ``target`` is under ``goal`` (as ``goal show`` has it): it names the goal, or
    names none and its period meets the goal's."""
    if target.goal is not None:
        return target.goal == goal.id
    return target.period.overlaps(goal.period.start, goal.period.end)


def _goal_for(context: _Context, kpi: str, day: dt.date) -> GoalSpec | None:
    """The goal a KPI without a target is checked under: one whose period holds ``day``,
    else the one that ends last."""
    listing = [goal for goal in context.goals if goal.link(kpi) is not None]
    holding = [goal for goal in listing if goal.period.start <= day <= goal.period.end]
    if holding:
        return holding[0]
    return max(listing, key=lambda goal: goal.period.end, default=None)


# -- facts ----------------------------------------------------------------------------------------


def _gather(
    ws: Workspace,
    session: Session,
    context: _Context,
    subject: Subject,
    day: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> Facts:
    """The facts of one subject (see the module docstring), read in ``session``."""
    kpi, target = subject.kpi, subject.target
    period, state = _period(ws, subject, day)
    window = _window(period, state, day)
    formula, planned = _formula(ws, kpi, target.scope if target else "", window)
    coverage = None
    if planned is not None and formula.scope_error is None:
        coverage = _coverage(session, planned, target.scope if target else "", window)
    links, target_goal = _links(context, kpi, target)
    history = None
    if target is not None:
        assert period is not None
        if planned is None or formula.scope_error is not None:
            history = History(error=formula.error or formula.scope_error)
        else:
            history = _history(ws, kpi, target, period, thresholds)
    return Facts(
        kpi=kpi,
        on=day,
        formula=formula,
        target=target,
        period=period,
        state=state,
        coverage=coverage,
        links=links,
        target_goal=target_goal,
        history=history,
    )


def _span_of(start: dt.date, end: dt.date, label: str, label_fa: str) -> Span:
    return Span(start, end, label, label_fa)


def _period(
    ws: Workspace, subject: Subject, day: dt.date
) -> tuple[Span | None, PeriodState | None]:
    """The period checked and where it stands on ``day``."""
    from shakhes.engine.calendar import total_period
    from shakhes.spec.periods import instance_of

    target = subject.target
    if target is not None:
        period = target.period
        instance = instance_of(period, day, ws.calendar)
        state = PeriodState.RUNNING
        if instance is None:
            if period.start is not None and day < period.start:
                instance, state = instance_of(period, period.start, ws.calendar), PeriodState.FUTURE
            else:
                assert period.end is not None
                instance, state = instance_of(period, period.end, ws.calendar), PeriodState.OVER
        assert instance is not None
        return _span_of(instance.start, instance.end, instance.label, instance.label_fa), state
    if subject.goal is None:
        return None, None
    start, end = subject.goal.period.start, subject.goal.period.end
    whole = total_period(start, end)
    state = (
        PeriodState.OVER
        if end < day
        else PeriodState.FUTURE
        if start > day
        else PeriodState.RUNNING
    )
    return Span(start, end, whole.label, whole.label_fa), state


def _window(period: Span | None, state: PeriodState | None, day: dt.date) -> tuple[Span, str]:
    """The days whose rows are counted: the period when over, its days so far when running,
    else the last 52 weeks."""
    if period is not None and state is PeriodState.OVER:
        return period, "period"
    if period is not None and state is PeriodState.RUNNING:
        end = min(period.end, day)
        return Span(period.start, end, f"{period.start} – {end}"), "so_far"
    start = day - dt.timedelta(days=_RECENT_DAYS - 1)
    return Span(start, day, f"{start} – {day}"), "recent"


def _formula(
    ws: Workspace, kpi: KpiSpec, scope: str, window: tuple[Span, str]
) -> tuple[FormulaFacts, PlannedKpi | None]:
    """The KPI planned over the window (one ``total`` period), and whether the scope fits."""
    from shakhes.engine.calendar import Grain
    from shakhes.engine.planner import aggregates
    from shakhes.formula.check import check_condition
    from shakhes.formula.parser import parse_condition
    from shakhes.formula.printer import to_text

    span = window[0]
    engine = ws.engine
    try:
        plan = engine.plan(engine.request([kpi.id], Grain.TOTAL, (), (span.start, span.end)))
    except ShakhesError as error:
        return FormulaFacts(None, error=error.message, error_code=error.code), None
    planned = plan.kpis[0]
    measures = len({to_text(agg) for agg in aggregates(planned.expr)})
    scope_error = None
    if scope:
        try:
            check_condition(parse_condition(scope), scope, tables=planned.tables)
        except ShakhesError as error:
            scope_error = error.message
    return FormulaFacts(measures, planned.tables, scope_error=scope_error), planned


def _coverage(
    session: Session, planned: PlannedKpi, scope: str, window: tuple[Span, str]
) -> Coverage:
    """Per table the KPI reads: rows in the scope in the window and on any day (a table read
    by snapshot measures, such as customers, counts every row up to the window's end)."""

    from shakhes.engine.planner import aggregates
    from shakhes.formula import ast
    from shakhes.service.cache import cached

    span, kind = window
    snapshot = {agg.table for agg in aggregates(planned.expr) if agg.func in ast.SNAPSHOT_FUNCS}
    found = []
    for name in planned.tables:
        # The same for every KPI of the table (a page set checks many): kept per state.
        read = functools.partial(_table_rows, session, name, scope, span, name in snapshot)
        key = (name, scope, span.start, span.end, name in snapshot)
        found.append(cached(session.workspace, "smart.rows", key, read))
    return Coverage(span, kind, tuple(found))


def _table_rows(session: Session, name: str, scope: str, span: Span, snapshot: bool) -> TableRows:
    """The rows of table ``name`` in ``scope``: in ``span`` (a snapshot table: up to its end),
    their first and last days, and on any day."""
    import ibis

    from shakhes.data.model import table as model_table
    from shakhes.engine.compile import compile_condition
    from shakhes.formula.parser import parse_condition

    warehouse = session.warehouse
    lo, hi = ibis.literal(span.start, "date"), ibis.literal(span.end, "date")
    rows = warehouse.table(name)
    if scope:
        rows = rows.filter(compile_condition(parse_condition(scope), rows))
    day = rows[model_table(name).time_column].cast("date")  # nullable: none may match
    inside = day <= hi if snapshot else day.between(lo, hi)
    query = rows.aggregate(
        rows=rows.count(where=inside),
        first=day.min(where=inside),
        last=day.max(where=inside),
        ever=rows.count(),
        through=day.max(),
    )
    (record,) = warehouse.backend.to_pyarrow(query).to_pylist()
    return TableRows(
        name,
        int(record["rows"] or 0),
        _day(record["first"]),
        _day(record["last"]),
        int(record["ever"] or 0),
        _day(record["through"]),
    )


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _links(
    context: _Context, kpi: KpiSpec, target: TargetSpec | None
) -> tuple[Links, GoalLink | None]:
    """The goals that list the KPI (with what sits under it where it is strategic), the KPIs
    it drives and those that drive it, and the goal its target names."""
    from shakhes.engine.calendar import total_period

    driven_by = tuple(
        dict.fromkeys(
            link.kpi for goal in context.goals for link in goal.kpis if kpi.id in link.drives
        )
    )
    found: list[GoalLink] = []
    for goal in context.goals:
        link = goal.link(kpi.id)
        if link is None:
            continue
        under: tuple[str, ...] = ()
        if link.kind is Kind.STRATEGIC:
            operational = [
                other.kpi
                for other in goal.kpis
                if other.kpi != kpi.id and other.kind in (Kind.OPERATIONAL, Kind.FUNCTIONAL)
            ]
            under = tuple(dict.fromkeys([*operational, *driven_by]))
        whole = total_period(goal.period.start, goal.period.end)
        span = Span(goal.period.start, goal.period.end, whole.label, whole.label_fa)
        found.append(GoalLink(goal.id, link.kind, span, link.drives, under))
    drives = tuple(dict.fromkeys(lagging for link in found for lagging in link.drives))
    target_goal = None
    if target is not None and target.goal is not None:
        target_goal = next((link for link in found if link.goal == target.goal), None)
        if target_goal is None:  # the goal does not list the KPI (validation forbids it)
            named = next((g for g in context.goals if g.id == target.goal), None)
            if named is not None:
                whole = total_period(named.period.start, named.period.end)
                span = Span(named.period.start, named.period.end, whole.label, whole.label_fa)
                target_goal = GoalLink(named.id, kpi.kind, span)
    return Links(tuple(found), drives, driven_by), target_goal


# -- history --------------------------------------------------------------------------------------


def same_range_years_before(
    start: dt.date, end: dt.date, years: int, calendar: CalendarSettings
) -> Span:
    """The range ``years`` years before ``start``–``end``: the same calendar period when the
    range is one (a Gregorian, Jalali or fiscal year, quarter or month), else the same dates
    (29 February: the 28th).

    >>> from shakhes.engine.calendar import CalendarSettings
    >>> same_range_years_before(
    ...     dt.date(2025, 3, 21), dt.date(2026, 3, 20), 1, CalendarSettings()
    ... ).label
    '1403'
    >>> same_range_years_before(
    ...     dt.date(2025, 1, 5), dt.date(2025, 2, 10), 2, CalendarSettings()
    ... ).start
    datetime.date(2023, 1, 5)
    """
    from shakhes.engine.calendar import Grain, period_of, shift, total_period

    per_year = {
        Grain.YEAR: 1,
        Grain.JALALI_YEAR: 1,
        Grain.FISCAL_YEAR: 1,
        Grain.QUARTER: 4,
        Grain.JALALI_QUARTER: 4,
        Grain.MONTH: 12,
        Grain.JALALI_MONTH: 12,
    }
    for grain, count in per_year.items():
        period = period_of(grain, start, calendar)
        if (period.start, period.end) == (start, end):
            other = shift(grain, period, -years * count, calendar)
            return Span(other.start, other.end, other.label, other.label_fa)

    def back(day: dt.date) -> dt.date:
        if (day.month, day.day) == (2, 29):
            day = day.replace(day=28)
        return day.replace(year=day.year - years)

    other = total_period(back(start), back(end))
    return Span(other.start, other.end, other.label, other.label_fa)


def _history(
    ws: Workspace, kpi: KpiSpec, target: TargetSpec, period: Span, thresholds: Thresholds
) -> History:
    """The KPI in the target's scope over the comparable periods before ``period``."""
    from shakhes.engine.calendar import DIMENSION_START
    from shakhes.spec.periods import grain_of, instances

    years = thresholds.history_years + 1
    spans: list[Span]
    if target.period.every is None:
        per_year = 1
        spans = [
            same_range_years_before(period.start, period.end, k, ws.calendar)
            for k in range(years, 0, -1)
        ]
        spans = [span for span in spans if span.start >= DIMENSION_START]
    else:
        every, calendar = target.period.every, target.period.calendar
        assert calendar is not None
        per_year = _PER_YEAR[every]
        unbounded = PeriodSpec(every=every, calendar=calendar)
        first = max(DIMENSION_START, dt.date(max(period.start.year - years - 1, 1), 1, 1))
        last = period.start - dt.timedelta(days=1)
        found = instances(unbounded, first, last, ws.calendar)[-years * per_year :]
        spans = [Span(i.start, i.end, i.label, i.label_fa) for i in found]
        grain = grain_of(every, calendar)
        if grain is not None and spans:
            try:
                return History(_by_grain(ws, kpi, target.scope, grain.value, spans), per_year)
            except ShakhesError as error:
                return History(per_year=per_year, error=error.message)
    try:
        values = tuple(PastValue(span, _total(ws, kpi, target.scope, span)) for span in spans)
    except ShakhesError as error:
        return History(per_year=per_year, error=error.message)
    return History(values, per_year)


def _by_grain(
    ws: Workspace, kpi: KpiSpec, scope: str, grain: str, spans: Sequence[Span]
) -> tuple[PastValue, ...]:
    """The KPI per ``grain`` period over ``spans`` (consecutive periods of that grain), in one
    computation."""
    from shakhes.service.compute import Query, compute

    query = Query(
        [kpi.id], grain=grain, start=spans[0].start, end=spans[-1].end, where=scope or None
    )
    result = compute(ws, query)
    if kpi.id in result.errors:
        raise result.errors[kpi.id]
    rows = {row["period_start"]: row for row in result.records() if row["kpi"] == kpi.id}
    return tuple(PastValue(span, _value(rows.get(span.start))) for span in spans)


def _total(ws: Workspace, kpi: KpiSpec, scope: str, span: Span) -> float | None:
    """The KPI over ``span`` as one period."""
    from shakhes.service.compute import Query, compute

    query = Query([kpi.id], grain="total", start=span.start, end=span.end, where=scope or None)
    result = compute(ws, query)
    if kpi.id in result.errors:
        raise result.errors[kpi.id]
    rows = [row for row in result.records() if row["kpi"] == kpi.id]
    return _value(rows[0]) if rows else None


def _value(row: Mapping[str, Any] | None) -> float | None:
    """A period's value, None unless the data covers the period whole and it is a number."""
    if row is None or not row.get("complete"):
        return None
    value = row.get("value")
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# -- JSON records ---------------------------------------------------------------------------------


NumbersFor = Callable[[KpiSpec], Numbers]
"""The formatting of one KPI's numbers (its unit, the workspace's currency and locale)."""


def _json(value: Any) -> Any:
    """``value`` as JSON data: null for NaN and infinities, ISO dates, lists for tuples."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def letter_record(letter: Letter, locale: str, numbers: Numbers | None) -> dict[str, Any]:
    """One letter as JSON data: its status, each reason and suggestion with its code, words
    and numbers, and every number it used."""
    return {
        "status": letter.status.value,
        "reasons": [
            {
                "status": reason.status.value,
                "code": reason.code,
                "text": render(reason.code, reason.params, locale, numbers),
                "params": _json(reason.params),
            }
            for reason in letter.reasons
        ],
        "suggestions": [
            {
                "code": suggestion.code,
                "text": render(suggestion.code, suggestion.params, locale, numbers),
                "params": _json(suggestion.params),
            }
            for suggestion in letter.suggestions
        ],
        "numbers": _json(letter.numbers),
    }


def row_record(row: SmartRow, locale: str = "en", numbers: Numbers | None = None) -> dict[str, Any]:
    """One checked KPI (and target) as JSON data."""
    kpi, target, facts = row.subject.kpi, row.subject.target, row.facts
    return {
        "kpi": kpi.id,
        "name": kpi.name.model_dump(),
        "unit": kpi.unit.value,
        "direction": kpi.direction.value,
        "timing": kpi.timing.value,
        "target": (
            {
                "id": target.id,
                "scope": target.scope,
                "period": {
                    **target.period.model_dump(mode="json"),
                    "text": target.period.describe(),
                },
                "value": target.value,
                "min": target.min,
                "max": target.max,
                "goal": target.goal,
            }
            if target is not None
            else None
        ),
        "goal": row.subject.goal.id if row.subject.goal is not None and target is None else None,
        "period": (
            {**facts.period.record(), "state": facts.state.value if facts.state else None}
            if facts.period is not None
            else None
        ),
        "status": row.result.status.value,
        "letters": {
            letter.letter: letter_record(letter, locale, numbers) for letter in row.result.letters
        },
    }


class DisplayNumbers:
    """Numbers as the command line and the pages show them
    (:class:`shakhes.analysis.smart_words.Numbers`): a KPI's values in its unit and the
    workspace's currency, changes with a sign, Persian digits and separators (and Jalali days)
    in a Persian workspace."""

    def __init__(
        self, kpi: KpiSpec, currency: str, locale: str, calendar: str = "gregorian"
    ) -> None:
        self.kpi, self.currency, self.locale, self.calendar = kpi, currency, locale, calendar

    def value(self, number: float) -> str:
        from shakhes.display import format_value

        return format_value(number, self.kpi, currency=self.currency, locale=self.locale)

    def change(self, number: float) -> str:
        from shakhes.display import format_change

        return format_change(number, self.locale)

    def number(self, number: float) -> str:
        from shakhes.display import format_number

        return format_number(number, 0 if number == round(number) else 1, self.locale)

    def date(self, day: dt.date) -> str:
        from shakhes.display import format_day

        return format_day(day, self.locale, self.calendar)


def report_json(
    report: SmartReport, *, locale: str, currency: str, calendar: str = "gregorian"
) -> dict[str, Any]:
    """The check as ``shakhes check --format json`` and the API give it: numbers shown in the
    workspace's currency, locale and calendar."""

    def numbers_for(kpi: KpiSpec) -> DisplayNumbers:
        return DisplayNumbers(kpi, currency, locale, calendar)

    return report_record(report, locale=locale, numbers_for=numbers_for)


def report_record(
    report: SmartReport, *, locale: str = "en", numbers_for: NumbersFor | None = None
) -> dict[str, Any]:
    """The whole check as JSON data: the day, the thresholds, and one record per row; the
    words in ``locale``, numbers shown by ``numbers_for`` (default: plain)."""
    return {
        "on": report.on.isoformat(),
        "on_source": report.on_source,
        "locale": locale,
        "thresholds": report.thresholds.to_dict(),
        "results": [
            row_record(row, locale, numbers_for(row.subject.kpi) if numbers_for else None)
            for row in report.rows
        ],
    }
