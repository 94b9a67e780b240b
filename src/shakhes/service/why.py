"""Why did a KPI move: ``shakhes explain`` and the API's explanation of a change.

The engine computes the KPI broken down by the dimension asked for, in the period and in the
period it is compared with (one query: ``compute --by DIM --compare``, the breakdown a KPI page
shows; the same window ``compute --compare`` uses: the previous period, or the same period a
year before; a partial period is compared over as many days) — and once without the
breakdown (the total ``compute --compare`` shows). :mod:`shakhes.analysis.why`
splits the change; :mod:`shakhes.service.why_words` says it in words.

Which KPIs can be split (read from the engine's plan of the formula, never from SQL):

- **additive**: a sum of additive measures with constant factors (clicks, cost, revenue − cost:
  sums and counts, and a snapshot's count of customers) — each segment's own change;
- **ratio**: the engine's numerator over its denominator (CTR, CPA, ROAS; CPM and bounce rate,
  which are ratios scaled or shifted by a constant; ROI, whose numerator is revenue × margin −
  cost over cost), both additive — mix and rate parts;
- anything else (a distinct count, an average, a ratio of ratios such as CLV) does not add up
  over segments, and is refused with a reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from shakhes.analysis.why import (
    Decomposition,
    Segment,
    Undefined,
    decompose_ratio,
    decompose_sum,
)
from shakhes.engine.calendar import Grain, Period, period_of, shift
from shakhes.engine.planner import PlannedKpi, comparison_windows, fraction, is_constant
from shakhes.engine.request import Compare, Window
from shakhes.errors import InternalError, QueryError, ShakhesError
from shakhes.formula import ast
from shakhes.formula.parser import parse_formula
from shakhes.formula.printer import to_text
from shakhes.spec.kpi import Direction, KpiSpec, Text
from shakhes.spec.periods import parse_period

if TYPE_CHECKING:
    import pyarrow as pa

    from shakhes.engine.engine import Engine, Result
    from shakhes.workspace import Workspace

AGAINST: dict[str, Compare] = {
    "previous": "previous",
    "last-year": "last_year",
    "last_year": "last_year",
}
"""How the comparison may be spelled (the CLI's ``last-year``, the API's ``last_year``)."""

ADDITIVE_FUNCS = frozenset({"sum", "count", "approx_sum", "active_at_start", "churned"})
"""Aggregates whose value over segments is the sum of the segments' values (rows, and a
period's customers, belong to one segment each)."""

TOLERANCE = 1e-9
"""How far (relative) the sum of the segments may be from the engine's total: rounding."""


class Shape(StrEnum):
    ADDITIVE = "additive"
    RATIO = "ratio"


class Verdict(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ExplainQuery:
    """What to explain, as a user asks for it. ``period`` is text (``2025-11``, ``2025-Q3``,
    ``1404-08``, ``FY2025/26-Q1``, ``2025-01-01..2025-01-31``: see
    :func:`~shakhes.spec.periods.parse_period`); or ``start`` and
    ``end`` give a range of days; neither: the last complete period of the workspace's default
    grain (a month, or a Jalali month)."""

    kpi: str
    by: str | Sequence[str]
    period: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    against: str = "previous"
    """``previous`` or ``last_year`` (also spelled ``last-year``)."""
    where: str | None = None


@dataclass(frozen=True)
class Span:
    """The days a side of the comparison covers, its calendar period's labels, whether the
    KPI's data covers every day of the period (``complete``), and how many rows lacked a value
    the KPI reads (``missing``: left out, never counted as 0)."""

    label: str
    label_fa: str
    start: dt.date
    end: dt.date
    complete: bool
    missing: int = 0


@dataclass(frozen=True)
class Movement:
    """A KPI's change from ``compared_with`` to ``period``, split by ``by``."""

    spec: KpiSpec
    shape: Shape
    by: tuple[str, ...]
    grain: Grain
    against: Compare
    period: Span
    compared_with: Span
    decomposition: Decomposition
    currency: str | None
    weight: Text | None = None
    """What a ratio is "per" (its denominator: impressions for CTR, ad spend for ROAS), for the
    words of its mix parts."""

    @property
    def verdict(self) -> Verdict:
        change = self.decomposition.change
        if change == 0:
            return Verdict.UNCHANGED
        better = (change > 0) == (self.spec.direction is Direction.HIGHER_IS_BETTER)
        return Verdict.IMPROVED if better else Verdict.WORSENED

    @property
    def change_pct(self) -> float | None:
        """The change relative to the earlier value (None when that is 0)."""
        before = self.decomposition.before
        return self.decomposition.change / abs(before) if before else None


def explain(ws: Workspace, query: ExplainQuery) -> Movement:
    """Split the change of ``query.kpi`` between two periods by ``query.by`` (see the module
    docstring). User errors (unknown KPI, dimension or comparison, a bad period, no data in a
    period, a KPI with no value in one, a KPI that cannot be split) raise
    :class:`~shakhes.errors.ShakhesError` with a code. Kept for the workspace's state
    (:func:`shakhes.service.cache.answer`)."""
    from shakhes.service.cache import answer, key_of

    key = (
        query.kpi, key_of(query.by), query.period, query.start, query.end, query.against,
        query.where,
    )  # fmt: skip
    return answer(ws, "explain", key, lambda: _explain(ws, query))


def _explain(ws: Workspace, query: ExplainQuery) -> Movement:
    against = AGAINST.get(query.against)
    if against is None:
        raise QueryError(
            f"unknown comparison '{query.against}'",
            code="unknown_comparison",
            params={"compare": query.against},
            hint="Compare with 'previous' or 'last_year'.",
        )
    if "," in query.kpi:
        raise QueryError(
            "explain one KPI at a time",
            code="one_kpi",
            params={"kpi": query.kpi},
            hint="Name one KPI, e.g. roas.",
        )
    by = _split(query.by)
    if not by:
        raise QueryError(
            "explaining a change needs a dimension to split it by",
            code="no_breakdown",
            hint="Name a dimension, e.g. channel or campaign.",
        )
    engine = ws.engine  # first: building it may write (customers from orders), not in a read
    with ws.reading():
        grain, span = _period(ws, engine, query, by)
        # Both periods by segment in one query: the breakdown compared (a KPI page's own).
        request = engine.request(query.kpi, grain, by, span, query.where, against)
        plan = engine.plan(request)
        if plan.failures:
            raise next(iter(plan.failures.values()))
        kpi = plan.kpis[0]
        shape = _shape(kpi)
        if len(plan.windows) != 1:  # pragma: no cover - one calendar period by construction
            raise InternalError(f"{span} is {len(plan.windows)} periods of {grain}")
        window = plan.windows[0]
        other = comparison_windows(plan, against, engine.calendar)[0]
        _check_data(kpi.spec, plan.coverage.get(kpi.spec.id), window, other)
        both = _checked(engine.run(request), kpi.spec.id)
        now, before = both.table, both.compared
        if before is None or not _compared_over(now, other):  # pragma: no cover - by design
            raise InternalError(f"{query.kpi} by {', '.join(by)} was not compared over {other}")
        total = _checked(
            engine.run(engine.request(query.kpi, grain, (), span, query.where, against)),
            kpi.spec.id,
        )
    segments = _segments(shape, by, before, now)
    row = total.records()[0]
    period = Span(
        window.label,
        window.label_fa,
        window.start,
        window.end,
        plan.complete(window, kpi.spec.id),
        _missing(now),
    )
    compared = Span(
        other.label,
        other.label_fa,
        other.start,
        other.end,
        plan.covered(other, kpi.spec.id),  # as compute --compare's previous_complete
        _missing(before),
    )
    weight = _weight(kpi.spec, ws.definitions()) if shape is Shape.RATIO else None
    for side, value in ((compared, row["previous_value"]), (period, row["value"])):
        if _number(value) is None:
            raise _no_value(kpi.spec, side, shape, weight)
    try:
        split = decompose_ratio(segments) if shape is Shape.RATIO else decompose_sum(segments)
    except Undefined as exc:  # pragma: no cover - the total above has no value then
        side = compared if exc.params["period"] == "before" else period
        raise _no_value(kpi.spec, side, shape, weight) from None
    for mine, engines in ((split.before, row["previous_value"]), (split.after, row["value"])):
        if not math.isclose(mine, engines, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            if "currency" in by:  # each segment in its own currency, the total converted
                raise QueryError(
                    f"{kpi.spec.name.en} by currency adds up amounts in different currencies, "
                    "so its change cannot be split by currency",
                    code="explain_by_currency",
                    params={"kpi": kpi.spec.id},
                    hint="Split it by another dimension, or filter one currency.",
                )
            raise InternalError(
                f"{kpi.spec.id} by {', '.join(by)} adds up to {mine}, its total is {engines}"
            )
    return Movement(
        kpi.spec,
        shape,
        by,
        grain,
        against,
        period,
        compared,
        split,
        total.currency or both.currency,
        weight,
    )


# ---- the period -----------------------------------------------------------------------------


def _period(
    ws: Workspace, engine: Engine, query: ExplainQuery, by: tuple[str, ...]
) -> tuple[Grain, tuple[dt.date, dt.date]]:
    """The grain and days of the period to explain."""
    if query.period is not None and (query.start or query.end):
        raise QueryError(
            "give a period or a range of days, not both",
            code="period_and_range",
            hint="A period is a month, quarter or year (2025-11, 2025-Q3, 2025); a range is "
            "its first and last day.",
        )
    if query.start or query.end:
        if query.start is None or query.end is None:
            raise QueryError(
                "a range of days needs its first and its last day",
                code="half_range",
                hint="Give both the first and the last day.",
            )
        if query.start > query.end:
            raise QueryError(
                f"the range starts ({query.start}) after it ends ({query.end})",
                code="empty_range",
            )
        return Grain.TOTAL, (query.start, query.end)
    if query.period is not None:
        named = parse_period(query.period, ws.calendar)
        return named.grain, (named.start, named.end)
    grain = ws.default_grain
    plan = engine.plan(engine.request(query.kpi, grain, by, None, query.where))
    if plan.failures:
        raise next(iter(plan.failures.values()))
    coverage = plan.coverage.get(plan.kpis[0].spec.id)
    if coverage is None:
        raise QueryError(
            f"there is no data for {query.kpi} yet, so no period to explain",
            code="no_data_range",
            params={"kpi": query.kpi},
            hint="Load data first.",
        )
    last = last_full_period(grain, coverage[1], engine)
    return grain, (last.start, last.end)


def last_full_period(grain: Grain, data_end: dt.date, engine: Engine) -> Period:
    """The last period of ``grain`` that the data covers to its end (the one before the
    period of ``data_end`` when the data stops inside it)."""
    period = period_of(grain, data_end, engine.calendar)
    return period if period.end == data_end else shift(grain, period, -1, engine.calendar)


def _check_data(
    spec: KpiSpec,
    coverage: tuple[dt.date, dt.date] | None,
    window: Window,
    other: Window,
) -> None:
    """A clear error when a side of the comparison has no data for the KPI at all."""
    name = spec.name.en
    if coverage is None:
        raise QueryError(
            f"there is no data for {name} yet",
            code="no_data_range",
            params={"kpi": spec.id},
            hint="Load data first.",
        )
    lo, hi = coverage
    for side, code, what in (
        (window, "no_data_in_period", f"there is no data for {name} in {window.label}"),
        (
            other,
            "nothing_to_compare",
            f"there is no data for {name} in {other.label} to compare {window.label} with",
        ),
    ):
        if side.end < lo or side.start > hi:
            raise QueryError(
                f"{what} (its data runs from {lo} to {hi})",
                code=code,
                params={"kpi": spec.id, "period": side.label, "first": lo, "last": hi},
                hint="Choose a period inside the data, or compare with the other period "
                "(previous or last year).",
            )


# ---- what the engine computed ---------------------------------------------------------------


def _checked(result: Result, kpi: str) -> Result:
    """``result``, or the reason the engine could not compute the KPI (mixed currencies,
    missing exchange rates)."""
    error: ShakhesError | None = result.errors.get(kpi)
    if error is not None:
        raise error
    return result


def _compared_over(now: pa.Table, other: Window) -> bool:
    """Whether every row of ``now`` is compared with ``other``'s days."""
    days = set(zip(now.column("previous_start").to_pylist(),
                   now.column("previous_end").to_pylist(), strict=True))  # fmt: skip
    return days <= {(other.start, other.end)}


def _segments(shape: Shape, by: tuple[str, ...], before: pa.Table, now: pa.Table) -> list[Segment]:
    """One :class:`Segment` per breakdown value seen in either period, in order. A sum over
    rows that all lack a value is unknown (null) in the engine; here it counts as 0, as in the
    total, which leaves unknown values out."""
    sides: dict[tuple[str, ...], list[float]] = {}
    for i, table in enumerate((before, now)):
        for r in table.to_pylist():
            key = tuple(str(r[d]) for d in by)
            amounts = sides.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            if shape is Shape.RATIO:
                amounts[i] += _number(r["numerator"]) or 0.0
                amounts[2 + i] += _number(r["denominator"]) or 0.0
            else:
                amounts[i] += _number(r["value"]) or 0.0
    return [Segment(key, *amounts) for key, amounts in sorted(sides.items())]


def _missing(table: pa.Table) -> int:
    if "missing" not in table.column_names:
        return 0
    return sum(int(m or 0) for m in table.column("missing").to_pylist())


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


# ---- which KPIs can be split ----------------------------------------------------------------


def additive(expr: ast.Expr) -> bool:
    """Whether ``expr`` over a union of segments is the sum of ``expr`` over each: additive
    aggregates, added, subtracted, and multiplied or divided by constants — no constant term
    (``clicks + 5`` would count the 5 once per segment).

    >>> additive(parse_formula("sum(orders.revenue) * $gross_margin - sum(ad_performance.cost)"))
    True
    >>> additive(parse_formula("count_distinct(orders.customer_id)"))
    False
    """
    match expr:
        case ast.Aggregate(func=func):
            return func in ADDITIVE_FUNCS
        case ast.Negate(operand=operand):
            return additive(operand)
        case ast.BinaryOp(op="+" | "-", left=left, right=right):
            return additive(left) and additive(right)
        case ast.BinaryOp(op="*", left=left, right=right):
            return (is_constant(left) and additive(right)) or (
                is_constant(right) and additive(left)
            )
        case ast.BinaryOp(op="/", left=left, right=right):
            return is_constant(right) and additive(left)
    return False


def _shape(kpi: PlannedKpi) -> Shape:
    if additive(kpi.expr):
        return Shape.ADDITIVE
    num, den = kpi.numerator, kpi.denominator
    if num is not None and den is not None and additive(num) and additive(den):
        return Shape.RATIO
    raise QueryError(
        f"{kpi.spec.name.en} ({kpi.spec.formula}) does not add up over segments, so its change "
        "cannot be split exactly: only sums and counts, and ratios of them, can be",
        code="not_decomposable",
        params={"kpi": kpi.spec.id},
        hint="Explain the sums or ratios it is made of instead.",
    )


def _weight(spec: KpiSpec, definitions: dict[str, KpiSpec]) -> Text | None:
    """The name of what a ratio is "per": its denominator as its formula names it (a KPI's
    name, a KPI whose formula is that sum, else the column or table summed)."""
    expr: ast.Expr = parse_formula(spec.formula)
    for _ in range(len(definitions) + 1):  # follow KPI references, never in a cycle
        found = fraction(expr)
        if found is not None:
            return _name_of(found[1], definitions)
        match expr:
            case ast.KpiRef(id=ref) if ref in definitions:
                expr = parse_formula(definitions[ref].formula)
            case ast.Negate(operand=operand):
                expr = operand
            case ast.BinaryOp(left=left, right=right) if is_constant(left) != is_constant(right):
                expr = right if is_constant(left) else left
            case _:
                return None
    return None


def _name_of(expr: ast.Expr, definitions: dict[str, KpiSpec]) -> Text | None:
    if isinstance(expr, ast.KpiRef) and expr.id in definitions:
        return definitions[expr.id].name
    text = to_text(expr)
    for spec in definitions.values():
        try:
            if to_text(parse_formula(spec.formula)) == text:
                return spec.name
        except ShakhesError:
            continue
    if isinstance(expr, ast.Aggregate):
        word = (expr.column or expr.table).replace("_", " ")
        return Text(en=word, fa=word)
    return None


def _no_value(spec: KpiSpec, side: Span, shape: Shape, weight: Text | None) -> QueryError:
    why = "its data lacks the values it needs"
    if shape is Shape.RATIO:
        why = f"it has no {weight.en.lower() if weight else 'denominator'} then"
    return QueryError(
        f"{spec.name.en} has no value in {side.label} ({why}), so its change cannot be explained",
        code="no_value",
        params={"kpi": spec.id, "period": side.label},
        hint="Choose another period, or compare with the other one (previous or last year).",
    )


def _split(by: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(by, str):
        by = [d.strip() for d in by.split(",")]
    return tuple(dict.fromkeys(d for d in by if d))


# ---- as data --------------------------------------------------------------------------------


def record(movement: Movement, locale: str = "en") -> dict[str, Any]:
    """``movement`` as JSON-ready data: every number the table shows, and the words (in
    ``locale``: ``en`` or ``fa``)."""
    from shakhes.service import why_words

    m, d = movement, movement.decomposition

    def span(s: Span) -> dict[str, Any]:
        return {
            "label": s.label,
            "label_fa": s.label_fa,
            "start": s.start.isoformat(),
            "end": s.end.isoformat(),
            "complete": s.complete,
            "missing": s.missing,
        }

    def segment(key: tuple[str, ...]) -> dict[str, str]:
        return dict(zip(m.by, key, strict=True))

    return {
        "kpi": m.spec.id,
        "name": m.spec.name.fa if locale == "fa" else m.spec.name.en,
        "shape": m.shape.value,
        "unit": m.spec.unit.value,
        "direction": m.spec.direction.value,
        "currency": m.currency,
        "by": list(m.by),
        "grain": m.grain.value,
        "against": m.against,
        "period": span(m.period),
        "compared_with": span(m.compared_with),
        "before": d.before,
        "after": d.after,
        "change": d.change,
        "change_pct": m.change_pct,
        "verdict": m.verdict.value,
        "summary": why_words.summary(m, locale),
        "parts": [
            {
                "segment": segment(p.segment),
                "kind": p.kind.value,
                "value": p.value,
                "share": p.share,
                "text": why_words.part(m, p, locale),
            }
            for p in d.parts
        ],
        "segments": [
            {
                "segment": segment(s.segment),
                "before": s.before,
                "after": s.after,
                "effect": s.effect,
                **(
                    {
                        "weight_before": s.weight_before,
                        "weight_after": s.weight_after,
                        "numerator_before": s.numerator_before,
                        "numerator_after": s.numerator_after,
                        "denominator_before": s.denominator_before,
                        "denominator_after": s.denominator_after,
                    }
                    if m.shape is Shape.RATIO
                    else {}
                ),
            }
            for s in d.segments
        ],
    }
