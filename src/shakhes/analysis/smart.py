"""The SMART check: is a KPI, and its target, Specific, Measurable, Achievable, Relevant and
Time-bound?

Pure: :func:`check` takes the facts a service gathered from a workspace (:class:`Facts`: the
KPI's definition, its target, how its formula compiled, which of its tables have rows in the
target's period, its links to goals and other KPIs, and its values over comparable past
periods) and returns one :class:`Letter` per letter. A letter has a status (pass, warn or
fail), its reasons and suggestions — each a code with the numbers behind it, worded in English
and Persian by :mod:`shakhes.analysis.smart_words` — and every number it used.

The rules, with their thresholds in :class:`Thresholds` (docs/smart.md has a worked example):

* **Specific** — the description says more than the name (fail when it only repeats it, warn
  under :attr:`~Thresholds.min_description_words` words); unit, direction and the target's
  scope are defined (the schema requires them; shown); the formula is one clear measure (warn
  when, with KPI references expanded, it reads more than :attr:`~Thresholds.max_measures`
  distinct aggregates).
* **Measurable** — the formula compiles for the target's period and the scope fits every table
  it reads (fail otherwise); each of those tables has rows in the scope during the period (fail
  for a period that is over, warn for one still running or not begun, and fail when a table has
  no rows in the scope at all).
* **Achievable** — the change the target needs against a base (the comparable period a year
  before; without one, the average of the last :attr:`~Thresholds.recent_periods` periods) is
  placed among the KPI's year-on-year changes over the last :attr:`~Thresholds.history_years`
  years, read in the KPI's direction: beyond the best change → fail (unrealistic); beyond the
  :attr:`~Thresholds.ambitious_percentile` th percentile → warn (ambitious); met in at least
  :attr:`~Thresholds.too_easy_met` of the last :attr:`~Thresholds.met_window` periods → warn
  (too easy); fewer than :attr:`~Thresholds.min_changes` changes → warn (too little history).
* **Relevant** — linked to a goal (warn otherwise); a leading KPI drives a lagging one, a
  strategic KPI has operational or functional KPIs (or drivers) under it (warn otherwise); a
  target that names a goal falls in the goal's period (fail otherwise).
* **Time-bound** — it has a target (fail otherwise) with a period that is not over (warn).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from shakhes.analysis.smart_words import describe_period_fa
from shakhes.spec.goals import TargetSpec
from shakhes.spec.kpi import Direction, Kind, KpiSpec, Timing

__all__ = [
    "LETTERS",
    "Checked",
    "Coverage",
    "Facts",
    "FormulaFacts",
    "GoalLink",
    "History",
    "Letter",
    "Links",
    "PastValue",
    "PeriodState",
    "Reason",
    "Span",
    "Status",
    "Suggestion",
    "TableRows",
    "Thresholds",
    "achievable",
    "check",
    "measurable",
    "percentile_rank",
    "quantile",
    "relevant",
    "specific",
    "time_bound",
    "worst",
    "year_on_year",
]

LETTERS = ("S", "M", "A", "R", "T")


class Status(StrEnum):
    PASS = "pass"  # noqa: S105  # not a password
    WARN = "warn"
    FAIL = "fail"


_RANK = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of ``statuses`` (pass when there are none)."""
    return max(statuses, key=_RANK.__getitem__, default=Status.PASS)


@dataclass(frozen=True)
class Thresholds:
    """Where each rule draws its line (documented in docs/smart.md)."""

    min_description_words: int = 4
    """A description shorter than this (in both languages) is too thin to be specific."""
    max_measures: int = 3
    """More distinct aggregates than this in a formula (KPI references expanded) is not one
    clear measure (the catalog's most involved KPI, CLV, reads three)."""
    history_years: int = 3
    """Year-on-year changes are read over this many years before the target's period."""
    min_changes: int = 3
    """Fewer year-on-year changes than this is too little history to place a target in."""
    ambitious_percentile: float = 90.0
    """A needed change beyond this percentile of the history's changes is ambitious."""
    recent_periods: int = 3
    """Without a value a year before, the base is the average of this many last periods."""
    met_window: int = 12
    """"Too easy" looks at the last this many comparable periods …"""
    too_easy_met: int = 11
    """… and warns when the target was met in at least this many of them (the same share of
    fewer periods) …"""
    min_met_periods: int = 3
    """… provided at least this many are known."""

    def __post_init__(self) -> None:
        if not 0 < self.ambitious_percentile <= 100:
            raise ValueError("ambitious_percentile is a percentile: above 0, at most 100")
        if not 0 < self.too_easy_met <= self.met_window:
            raise ValueError("too_easy_met is a count out of met_window")
        if min(self.history_years, self.min_changes, self.recent_periods, self.met_window) < 1:
            raise ValueError("history_years, min_changes, recent_periods and met_window are ≥ 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A stretch of days, both ends included, with its labels (``2025-04`` / ``آوریل ۲۰۲۵``)."""

    start: dt.date
    end: dt.date
    label: str
    label_fa: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
            "label_fa": self.label_fa or self.label,
        }


class PeriodState(StrEnum):
    """Where the checked period stands on the day of the check."""

    OVER = "over"
    RUNNING = "running"
    FUTURE = "future"


@dataclass(frozen=True)
class FormulaFacts:
    """How the KPI's formula compiled for the checked period (and the target's scope)."""

    measures: int | None
    """Distinct aggregates it reads with KPI references expanded; None if it does not parse."""
    tables: tuple[str, ...] = ()
    error: str | None = None
    """Why the KPI cannot be computed for the period (None: it compiles)."""
    error_code: str | None = None
    scope_error: str | None = None
    """Why the target's scope does not fit the tables the KPI reads."""


@dataclass(frozen=True)
class TableRows:
    """The rows of one table the KPI reads, in the target's scope."""

    table: str
    rows: int
    """Rows in the window checked."""
    first: dt.date | None
    last: dt.date | None
    """First and last day with rows in the window (None: none)."""
    rows_ever: int
    """Rows on any day."""
    through: dt.date | None
    """The last day with rows, on any day (None: none)."""

    def record(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "rows": self.rows,
            "first": _iso(self.first),
            "last": _iso(self.last),
            "rows_ever": self.rows_ever,
            "through": _iso(self.through),
        }


@dataclass(frozen=True)
class Coverage:
    """Which tables have rows in the window checked: the period when it is over, its days so
    far when it runs, the last year when it has not begun (or there is no period)."""

    window: Span
    kind: str
    """``period``, ``so_far`` or ``recent``."""
    tables: tuple[TableRows, ...]


@dataclass(frozen=True)
class GoalLink:
    """A goal that lists the KPI: its kind there, what it drives, and — when it is strategic
    there — the operational and functional KPIs of that goal and the KPIs that drive it."""

    goal: str
    kind: Kind
    period: Span
    drives: tuple[str, ...] = ()
    under: tuple[str, ...] = ()


@dataclass(frozen=True)
class Links:
    """The KPI's place among goals and other KPIs."""

    goals: tuple[GoalLink, ...] = ()
    drives: tuple[str, ...] = ()
    """The lagging KPIs it is meant to drive, in any goal."""
    driven_by: tuple[str, ...] = ()
    """The leading KPIs meant to drive it, in any goal."""


@dataclass(frozen=True)
class PastValue:
    """The KPI's value over one comparable past period; None when the period is incomplete
    (the data does not cover it) or the value is undefined."""

    span: Span
    value: float | None


@dataclass(frozen=True)
class History:
    """The KPI's values over the comparable periods before the checked one, oldest first and
    ending with the period just before it: months before a monthly target, the same range in
    earlier years before a fixed one. ``per_year`` periods make a year (12, 4 or 1), so
    ``values[-per_year]`` is the period a year before the checked one."""

    values: tuple[PastValue, ...] = ()
    per_year: int = 1
    error: str | None = None
    """Why the history could not be computed (the values are then empty)."""


@dataclass(frozen=True)
class Facts:
    """Everything the check reads about one KPI and (when it has one) one target."""

    kpi: KpiSpec
    on: dt.date
    formula: FormulaFacts
    target: TargetSpec | None = None
    period: Span | None = None
    """The period checked: the target's instance holding ``on`` (or its first or last), else
    the goal's period; None for a KPI with neither."""
    state: PeriodState | None = None
    coverage: Coverage | None = None
    """None when the formula or the scope does not compile."""
    links: Links = Links()
    target_goal: GoalLink | None = None
    """The goal the target names, when it names one."""
    history: History | None = None


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a letter has its status: a code (worded by ``smart_words``) and its numbers."""

    status: Status
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """What to do about it."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    """One letter's result; its status is the worst of its reasons'."""

    letter: str
    reasons: tuple[Reason, ...]
    suggestions: tuple[Suggestion, ...] = ()
    numbers: Mapping[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return worst(reason.status for reason in self.reasons)


@dataclass(frozen=True)
class Checked:
    """The five letters, S M A R T."""

    letters: tuple[Letter, ...]

    @property
    def status(self) -> Status:
        return worst(letter.status for letter in self.letters)

    def __getitem__(self, letter: str) -> Letter:
        return next(found for found in self.letters if found.letter == letter)


def check(facts: Facts, thresholds: Thresholds = Thresholds()) -> Checked:
    """The five letters of ``facts``."""
    return Checked(
        (
            specific(facts, thresholds),
            measurable(facts),
            achievable(facts, thresholds),
            relevant(facts),
            time_bound(facts),
        )
    )


# -- S --------------------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def specific(facts: Facts, thresholds: Thresholds = Thresholds()) -> Letter:
    """Description, unit, direction and scope defined; the formula one clear measure."""
    kpi, target = facts.kpi, facts.target
    words = max(_words(kpi.description.en), _words(kpi.description.fa))
    measures = facts.formula.measures
    numbers: dict[str, Any] = {
        "description_words": words,
        "min_description_words": thresholds.min_description_words,
        "unit": kpi.unit.value,
        "direction": kpi.direction.value,
        "scope": target.scope if target is not None else None,
        "measures": measures,
        "max_measures": thresholds.max_measures,
    }
    reasons: list[Reason] = []
    suggestions: list[Suggestion] = []
    if _same(kpi.description.en, kpi.name.en) and _same(kpi.description.fa, kpi.name.fa):
        reasons.append(Reason(Status.FAIL, "description_is_name", {"name": kpi.name.en}))
        suggestions.append(Suggestion("write_description"))
    elif words < thresholds.min_description_words:
        params: dict[str, Any] = {"words": words, "min_words": thresholds.min_description_words}
        reasons.append(Reason(Status.WARN, "description_short", params))
        suggestions.append(Suggestion("write_description"))
    if measures is None:
        reasons.append(Reason(Status.WARN, "formula_unreadable"))
    elif measures > thresholds.max_measures:
        params = {"measures": measures, "max_measures": thresholds.max_measures}
        reasons.append(Reason(Status.WARN, "many_measures", params))
        suggestions.append(Suggestion("split_formula"))
    if not reasons:
        params = {
            "unit": kpi.unit.value,
            "direction": kpi.direction.value,
            "scope": (target.scope or "all") if target is not None else "none",
            "measures": measures,
        }
        reasons.append(Reason(Status.PASS, "specific", params))
    return Letter("S", tuple(reasons), tuple(suggestions), numbers)


# -- M --------------------------------------------------------------------------------------------


def measurable(facts: Facts) -> Letter:
    """The formula compiles, the scope fits, and every table has rows in the period."""
    formula, coverage = facts.formula, facts.coverage
    scope = facts.target.scope if facts.target is not None else ""
    numbers: dict[str, Any] = {
        "compiles": formula.error is None and formula.scope_error is None,
        "tables": list(formula.tables),
        "window": None,
        "window_kind": None,
        "coverage": [],
    }
    if formula.error is not None:
        params: dict[str, Any] = {"error": formula.error, "error_code": formula.error_code}
        return Letter(
            "M",
            (Reason(Status.FAIL, "does_not_compile", params),),
            (Suggestion("fix_formula"),),
            numbers,
        )
    if formula.scope_error is not None:
        params = {"scope": scope, "error": formula.scope_error}
        return Letter(
            "M",
            (Reason(Status.FAIL, "scope_does_not_fit", params),),
            (Suggestion("fix_scope", {"tables": ", ".join(formula.tables)}),),
            numbers,
        )
    assert coverage is not None, "a KPI that compiles has its coverage checked"
    window = coverage.window
    numbers.update(
        window=window.record(),
        window_kind=coverage.kind,
        coverage=[table.record() for table in coverage.tables],
    )
    reasons: list[Reason] = []
    suggestions: list[Suggestion] = []
    for table in coverage.tables:
        table_params: dict[str, Any] = {
            "table": table.table,
            "scope": scope,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "through": _iso(table.through),
        }
        if table.rows_ever == 0:
            code = "no_rows_in_scope" if scope else "table_empty"
            reasons.append(Reason(Status.FAIL, code, table_params))
            suggestions.append(Suggestion("fix_scope_or_import" if scope else "import_table"))
        elif table.rows == 0:
            over = coverage.kind == "period"
            code = {"period": "no_rows_in_period", "so_far": "no_rows_yet"}.get(
                coverage.kind, "no_recent_rows"
            )
            reasons.append(Reason(Status.FAIL if over else Status.WARN, code, table_params))
            suggestions.append(Suggestion("import_period", {"table": table.table}))
    if not reasons:
        params = {
            "tables": ", ".join(formula.tables),
            "rows": sum(table.rows for table in coverage.tables),
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "kind": coverage.kind,
        }
        reasons.append(Reason(Status.PASS, "measurable", params))
    return Letter("M", tuple(reasons), _unique(suggestions), numbers)


# -- A --------------------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values`` by linear interpolation between the sorted
    values (numpy's default), so that it can be checked by hand.

    >>> quantile([0.1, 0.2, 0.3, 0.4, 0.5], 0.9)
    0.46
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("the quantile of no values")
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 12)


def percentile_rank(values: Sequence[float], x: float) -> float:
    """Where ``x`` falls among ``values``, 0–100: the share below it, counting ties as half.

    >>> percentile_rank([0.1, 0.2, 0.3, 0.4], 0.3)
    62.5
    """
    if not values:
        raise ValueError("the percentile rank among no values")
    below = sum(1 for v in values if v < x)
    ties = sum(1 for v in values if v == x)
    return 100 * (below + ties / 2) / len(values)


def _sign(direction: Direction) -> int:
    return 1 if direction is Direction.HIGHER_IS_BETTER else -1


def _known(value: PastValue) -> bool:
    return value.value is not None and math.isfinite(value.value)


def _base(history: History, thresholds: Thresholds) -> tuple[str, float, list[PastValue]] | None:
    """The value the target is compared with: the period a year before when it is known and
    above 0, else (for months and quarters) the mean of the last ``recent_periods`` known
    periods; None when there is neither."""
    values, per = history.values, history.per_year
    if len(values) >= per:
        year_ago = values[-per]
        if _known(year_ago) and year_ago.value is not None and year_ago.value > 0:
            return "last_year", year_ago.value, [year_ago]
    if per == 1:
        return None  # the period before is the year before: no other base
    recent = [v for v in values[-thresholds.recent_periods :] if _known(v)]
    if not recent:
        return None
    mean = statistics.fmean(v.value for v in recent if v.value is not None)
    return ("recent_average", mean, recent) if mean > 0 else None


def year_on_year(history: History, years: int) -> list[tuple[PastValue, float]]:
    """Each period of the last ``years`` years with its change on the period a year before
    (both known, the earlier above 0), oldest first."""
    values, per = history.values, history.per_year
    found = []
    for j in range(max(per, len(values) - years * per), len(values)):
        now, before = values[j], values[j - per]
        if _known(now) and _known(before) and before.value is not None and before.value > 0:
            assert now.value is not None
            found.append((now, now.value / before.value - 1))
    return found


def achievable(facts: Facts, thresholds: Thresholds = Thresholds()) -> Letter:
    """The target placed in the KPI's own history of comparable periods."""
    target, history, kpi = facts.target, facts.history, facts.kpi
    numbers: dict[str, Any] = {"thresholds": _a_thresholds(thresholds)}
    if target is None:
        return Letter(
            "A",
            (Reason(Status.WARN, "no_target_to_judge"),),
            (Suggestion("set_target"),),
            numbers,
        )
    if history is None or history.error is not None:
        params: dict[str, Any] = {"error": history.error if history is not None else None}
        return Letter("A", (Reason(Status.WARN, "no_history", params),), (), numbers)
    direction = kpi.direction
    recent = [v for v in history.values[-thresholds.met_window :] if _known(v)]
    met = sum(1 for v in recent if target.meets(v.value, direction))
    numbers.update(
        periods_met=met,
        periods_counted=len(recent),
        values=[{**v.span.record(), "value": _finite(v.value)} for v in history.values],
    )
    reasons: list[Reason] = []
    suggestions: list[Suggestion] = []
    base = _base(history, thresholds)
    changes = year_on_year(history, thresholds.history_years)
    numbers["changes"] = [{**v.span.record(), "change": change} for v, change in changes]
    numbers["changes_counted"] = len(changes)
    per = history.per_year
    year_ago = history.values[-per] if len(history.values) >= per else None
    if base is None and year_ago is not None and _known(year_ago):
        params = {  # known, so 0 or below: no percentage change is measured from it
            "base": year_ago.value,
            "base_label": year_ago.span.label,
            "base_label_fa": year_ago.span.label_fa,
        }
        reasons.append(Reason(Status.WARN, "base_not_positive", params))
    elif base is None:
        reasons.append(Reason(Status.WARN, "no_base", {"changes": len(changes)}))
    else:
        reasons.append(_place(target, direction, base, changes, thresholds, numbers, suggestions))
    too_easy = (
        len(recent) >= thresholds.min_met_periods
        and met * thresholds.met_window >= thresholds.too_easy_met * len(recent)
    )
    numbers["too_easy"] = too_easy
    if too_easy and reasons[0].status is not Status.FAIL:
        params = {"met": met, "periods": len(recent)}
        reasons.append(Reason(Status.WARN, "too_easy", params))
        if target.band is not None:
            suggestions.append(Suggestion("narrow_band"))
        else:
            median = statistics.median(v.value for v in recent if v.value is not None)
            suggestions.append(Suggestion("raise_target", {"median": median}))
            numbers["median_recent"] = median
    return Letter("A", tuple(reasons), tuple(suggestions), numbers)


def _a_thresholds(thresholds: Thresholds) -> dict[str, Any]:
    return {
        "history_years": thresholds.history_years,
        "min_changes": thresholds.min_changes,
        "ambitious_percentile": thresholds.ambitious_percentile,
        "recent_periods": thresholds.recent_periods,
        "too_easy_met": thresholds.too_easy_met,
        "met_window": thresholds.met_window,
        "min_met_periods": thresholds.min_met_periods,
    }


def _place(
    target: TargetSpec,
    direction: Direction,
    base: tuple[str, float, list[PastValue]],
    changes: list[tuple[PastValue, float]],
    thresholds: Thresholds,
    numbers: dict[str, Any],
    suggestions: list[Suggestion],
) -> Reason:
    """The needed change placed among the history's changes (and ``numbers`` filled in)."""
    kind, base_value, base_periods = base
    band = target.band
    if band is None:
        assert target.value is not None
        aim = target.value
    else:
        aim = min(max(base_value, band[0]), band[1])  # the nearest point of the band
    needed = aim / base_value - 1
    sign = _sign(direction)
    if band is not None and needed != 0:
        sign = 1 if needed > 0 else -1  # a band is reached by moving towards it
    first, last = base_periods[0].span, base_periods[-1].span
    params: dict[str, Any] = {
        "needed": needed,
        "aim": aim,
        "base": base_value,
        "base_kind": kind,
        "base_label": first.label if first == last else f"{first.label} … {last.label}",
        "base_label_fa": (
            first.label_fa if first == last else f"{first.label_fa} … {last.label_fa}"
        ),
        "base_periods": len(base_periods),
        "changes": len(changes),
        "years": thresholds.history_years,
        "min_changes": thresholds.min_changes,
    }
    numbers.update(
        base=base_value,
        base_kind=kind,
        base_periods=[p.span.record() for p in base_periods],
        aim=aim,
        needed_change=needed,
        percentile=None,
        best_change=None,
        ambitious_change=None,
    )
    if len(changes) < thresholds.min_changes:
        if changes:
            best_period, best = max(changes, key=lambda pair: sign * pair[1])
            numbers["best_change"] = best
            params.update(best=best, best_label=best_period.span.label)
            params["best_label_fa"] = best_period.span.label_fa
        return Reason(Status.WARN, "little_history", params)
    improvements = [sign * change for _, change in changes]
    best_period, best = max(changes, key=lambda pair: sign * pair[1])
    ambitious = sign * quantile(improvements, thresholds.ambitious_percentile / 100)
    rank = percentile_rank(improvements, sign * needed)
    numbers.update(percentile=rank, best_change=best, ambitious_change=ambitious)
    params.update(
        best=best,
        best_label=best_period.span.label,
        best_label_fa=best_period.span.label_fa,
        ambitious=ambitious,
        ambitious_percentile=thresholds.ambitious_percentile,
        percentile=rank,
    )
    if sign * needed > sign * best:
        suggestions.append(
            Suggestion(
                "aim_within_history",
                {
                    "at_best": base_value * (1 + best),
                    "at_ambitious": base_value * (1 + ambitious),
                    "best": best,
                    "ambitious": ambitious,
                },
            )
        )
        return Reason(Status.FAIL, "unrealistic", params)
    if sign * needed > sign * ambitious:
        suggestions.append(Suggestion("back_with_plan"))
        return Reason(Status.WARN, "ambitious", params)
    return Reason(Status.PASS, "within_history", params)


# -- R --------------------------------------------------------------------------------------------


def relevant(facts: Facts) -> Letter:
    """Linked to a goal; a leading KPI drives a lagging one; a strategic KPI has KPIs under
    it; a target's goal covers the target's period."""
    kpi, links = facts.kpi, facts.links
    goals = [link.goal for link in links.goals]
    strategic = [link for link in links.goals if link.kind is Kind.STRATEGIC]
    numbers: dict[str, Any] = {
        "goals": goals,
        "timing": kpi.timing.value,
        "kinds": {link.goal: link.kind.value for link in links.goals},
        "drives": list(links.drives),
        "driven_by": list(links.driven_by),
        "under": {link.goal: list(link.under) for link in strategic},
        "target_goal": facts.target_goal.goal if facts.target_goal else None,
    }
    reasons: list[Reason] = []
    suggestions: list[Suggestion] = []
    target, target_goal = facts.target, facts.target_goal
    if target is not None and target_goal is not None:
        period = target_goal.period
        if not target.period.overlaps(period.start, period.end):
            params: dict[str, Any] = {
                "goal": target_goal.goal,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
            reasons.append(Reason(Status.FAIL, "target_outside_goal", params))
            suggestions.append(Suggestion("align_target_goal"))
    if not goals:
        reasons.append(Reason(Status.WARN, "no_goal"))
        suggestions.append(Suggestion("link_goal"))
    else:
        if kpi.timing is Timing.LEADING and not links.drives:
            reasons.append(Reason(Status.WARN, "leading_drives_nothing"))
            suggestions.append(Suggestion("name_driven"))
        for link in strategic:
            if not link.under:
                reasons.append(Reason(Status.WARN, "strategic_alone", {"goal": link.goal}))
                suggestions.append(Suggestion("add_operational", {"goal": link.goal}))
    if not reasons:
        params = {"goals": ", ".join(goals), "count": len(goals)}
        if links.drives:
            params["drives"] = ", ".join(links.drives)
        reasons.append(Reason(Status.PASS, "linked_drives" if links.drives else "linked", params))
    return Letter("R", tuple(reasons), tuple(suggestions), numbers)


# -- T --------------------------------------------------------------------------------------------


def time_bound(facts: Facts) -> Letter:
    """It has a target with a period that is not over."""
    target, period = facts.target, facts.period
    numbers: dict[str, Any] = {
        "has_target": target is not None,
        "period": period.record() if period is not None else None,
        "state": facts.state.value if facts.state is not None else None,
        "recurring": target.period.recurring if target is not None else None,
    }
    if target is None:
        return Letter(
            "T", (Reason(Status.FAIL, "no_target"),), (Suggestion("set_target"),), numbers
        )
    assert period is not None
    params: dict[str, Any] = {
        "period": target.period.describe(),
        "period_fa": describe_period_fa(target.period),
        "label": period.label,
        "label_fa": period.label_fa or period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    if facts.state is PeriodState.OVER:
        return Letter(
            "T",
            (Reason(Status.WARN, "period_over", params),),
            (Suggestion("set_next_period"),),
            numbers,
        )
    if facts.state is PeriodState.FUTURE:
        code = "starts_later"
    else:
        code = "has_recurring_period" if target.period.recurring else "has_period"
    return Letter("T", (Reason(Status.PASS, code, params),), (), numbers)


# -- helpers --------------------------------------------------------------------------------------


def _unique(suggestions: Iterable[Suggestion]) -> tuple[Suggestion, ...]:
    """``suggestions`` without repeats (two empty tables need one "import" suggestion)."""
    seen: dict[tuple[str, tuple[tuple[str, Any], ...]], Suggestion] = {}
    for suggestion in suggestions:
        seen.setdefault((suggestion.code, tuple(sorted(suggestion.params.items()))), suggestion)
    return tuple(seen.values())


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
