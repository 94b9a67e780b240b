"""Why a KPI moved: its change between two periods split into parts, one or two per segment,
that add up to the change exactly.

Pure computation on numbers the engine computed (per segment: the KPI's value for an additive
KPI; the numerator and denominator sums for a ratio). No I/O: :mod:`shakhes.service.why` runs
the engine and calls :func:`decompose_sum` or :func:`decompose_ratio`.

**Additive KPIs** (clicks, cost, revenue − cost): the total is the sum of the segments, so each
segment's part is its own change, ``Δv_i`` (kind ``contribution``).

**Ratio KPIs** (CTR, CPA, ROAS): ``R = ΣN / ΣD = Σ w_i r_i`` with ``w_i = D_i / ΣD`` (the
segment's share of the denominator: of impressions for CTR, of spend for ROAS) and
``r_i = N_i / D_i`` (its own rate). The symmetric (midpoint) split is exact::

    ΔR = Σ Δw_i · (r̄_i − R̄)   mix: the denominator moving toward or away from the segment
       + Σ w̄_i · Δr_i          rate: the segment's own rate moving

where a bar is the mean of the two periods. ``Σ Δw_i = 0``, so subtracting ``R̄`` changes
nothing in the sum; it gives each segment's mix effect an honest sign: more weight on a
segment whose rate is above the average raises the KPI, on one below lowers it.

Segments that are not in both periods, and numerators without a denominator:

- a segment with a denominator in one period only (a new campaign, a stopped one) has no rate
  change to speak of: its rate is taken as the same in both periods, so its whole effect is mix
  (``w1_i (r1_i − R̄)`` for a new one, ``−w0_i (r0_i − R̄)`` for one that stopped);
- a segment with a zero denominator in both periods contributes nothing by weight;
- a numerator where the denominator is zero (revenue from organic search, which has no ad
  spend, in ROAS by channel) still counts in ``R = ΣN / ΣD``; its part is the change of
  ``N_i / ΣD`` (kind ``unmatched``), so the parts still add up.

Every number is computed in exact rational arithmetic (:class:`fractions.Fraction` of the
floats given), so the parts add up to the change exactly before each is rounded to a float.

CTR by two channels, impressions 1,000 → 1,000 on search (clicks 30 → 40) and 1,000 → 3,000 on
display (clicks 10 → 10): CTR fell from 2% to 1.25%, −3/400. Search's own CTR rose (+3/800),
display's fell (−1/240), and impressions moved from search (above the average) to display
(below it): −3/640 and −23/9600. Ranked:

>>> d = decompose_ratio([Segment(("search",), 30, 40, 1000, 1000),
...                      Segment(("display",), 10, 10, 1000, 3000)])
>>> d.before, d.after
(0.02, 0.0125)
>>> for p in d.parts:
...     print(p.segment[0], p.kind.value, f"{p.value * 9600:.0f}/9600")
search mix -45/9600
display rate -40/9600
search rate 36/9600
display mix -23/9600
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from shakhes.errors import QueryError


class PartKind(StrEnum):
    CONTRIBUTION = "contribution"
    """An additive KPI: the segment's own change."""
    MIX = "mix"
    """A ratio: the change from the denominator's shift toward (or away from) the segment."""
    RATE = "rate"
    """A ratio: the change from the segment's own rate."""
    UNMATCHED = "unmatched"
    """A ratio: the change from a numerator whose segment has no denominator."""


@dataclass(frozen=True)
class Segment:
    """One segment's sums in the two periods (``before``, ``after``). For an additive KPI the
    numerator is its value and the denominator unused."""

    key: tuple[str, ...]
    numerator_before: float
    numerator_after: float
    denominator_before: float = 0.0
    denominator_after: float = 0.0


@dataclass(frozen=True)
class Part:
    """One part of the change: its segment, kind, size (in the KPI's unit) and share of the
    total change (None when the KPI did not change)."""

    segment: tuple[str, ...]
    kind: PartKind
    value: float
    share: float | None


@dataclass(frozen=True)
class SegmentChange:
    """A segment's numbers in the two periods: its value (an additive KPI's value, a ratio's
    own rate; None where its denominator is zero), its weight (a ratio's share of the
    denominator), and the sum of its parts (``effect``)."""

    segment: tuple[str, ...]
    before: float | None
    after: float | None
    effect: float
    weight_before: float | None = None
    weight_after: float | None = None
    numerator_before: float | None = None
    numerator_after: float | None = None
    denominator_before: float | None = None
    denominator_after: float | None = None


@dataclass(frozen=True)
class Decomposition:
    """The KPI in the two periods, the change, and its parts ranked by size (largest first;
    parts that are exactly zero are left out). The segments are in the order given."""

    before: float
    after: float
    change: float
    parts: tuple[Part, ...]
    segments: tuple[SegmentChange, ...]


class Undefined(QueryError):
    """A ratio whose denominator sums to zero in a period: it has no value there, so its change
    cannot be split (``params``: ``period`` is ``before`` or ``after``)."""


def decompose_sum(segments: Iterable[Segment]) -> Decomposition:
    """The change of an additive KPI: each segment's own change (``numerator_*`` is its value).

    >>> d = decompose_sum([Segment(("a",), 10, 4), Segment(("b",), 5, 12)])
    >>> d.change, [(p.segment[0], p.value) for p in d.parts]
    (1.0, [('b', 7.0), ('a', -6.0)])
    """
    segments = list(segments)
    exact = [
        (s.key, PartKind.CONTRIBUTION, _q(s.numerator_after) - _q(s.numerator_before))
        for s in segments
    ]
    before = sum((_q(s.numerator_before) for s in segments), Fraction(0))
    after = sum((_q(s.numerator_after) for s in segments), Fraction(0))
    changes = tuple(
        SegmentChange(s.key, s.numerator_before, s.numerator_after, float(e))
        for s, (_, _, e) in zip(segments, exact, strict=True)
    )
    return _result(before, after, exact, changes)


def ratio_effects(segments: Sequence[Segment]) -> list[tuple[tuple[str, ...], PartKind, Fraction]]:
    """The exact parts of a ratio's change, segment by segment (see the module docstring);
    they add up to ``ΣN_after / ΣD_after − ΣN_before / ΣD_before`` exactly. Parts that do not
    apply to a segment (no rate effect for a new one) are left out; zeros that do are kept.

    >>> [(k[0], kind.value, str(v)) for k, kind, v in ratio_effects(
    ...     [Segment(("a",), 1, 3, 10, 10), Segment(("b",), 1, 1, 10, 30)])]
    [('a', 'mix', '-1/40'), ('a', 'rate', '3/40'), ('b', 'mix', '-1/120'), ('b', 'rate', '-1/24')]
    """
    den0 = sum((_q(s.denominator_before) for s in segments), Fraction(0))
    den1 = sum((_q(s.denominator_after) for s in segments), Fraction(0))
    for period, total in (("before", den0), ("after", den1)):
        if total == 0:
            raise Undefined(
                f"the denominator is zero {period}", code="undefined", params={"period": period}
            )
    num0 = sum((_q(s.numerator_before) for s in segments), Fraction(0))
    num1 = sum((_q(s.numerator_after) for s in segments), Fraction(0))
    mean = (num0 / den0 + num1 / den1) / 2  # R̄
    out: list[tuple[tuple[str, ...], PartKind, Fraction]] = []
    for s in segments:
        n0, n1 = _q(s.numerator_before), _q(s.numerator_after)
        d0, d1 = _q(s.denominator_before), _q(s.denominator_after)
        w0, w1 = d0 / den0, d1 / den1
        if d0 and d1:
            r0, r1 = n0 / d0, n1 / d1
            out.append((s.key, PartKind.MIX, (w1 - w0) * ((r0 + r1) / 2 - mean)))
            out.append((s.key, PartKind.RATE, (w0 + w1) / 2 * (r1 - r0)))
        elif d1:  # new: its rate is the same in both periods, all mix
            out.append((s.key, PartKind.MIX, w1 * (n1 / d1 - mean)))
        elif d0:  # stopped
            out.append((s.key, PartKind.MIX, -w0 * (n0 / d0 - mean)))
        if (n0 and not d0) or (n1 and not d1):
            # A numerator without a denominator counts in ΣN / ΣD as N / ΣD.
            unmatched = (n1 / den1 if not d1 else Fraction(0)) - (n0 / den0 if not d0 else 0)
            out.append((s.key, PartKind.UNMATCHED, unmatched))
    return out


def decompose_ratio(segments: Iterable[Segment]) -> Decomposition:
    """The change of a ratio ``ΣN / ΣD`` split into mix, rate and unmatched parts (see the
    module docstring). :class:`Undefined` when a period's denominators sum to zero."""
    segments = list(segments)
    exact = ratio_effects(segments)
    den0 = sum((_q(s.denominator_before) for s in segments), Fraction(0))
    den1 = sum((_q(s.denominator_after) for s in segments), Fraction(0))
    before = sum((_q(s.numerator_before) for s in segments), Fraction(0)) / den0
    after = sum((_q(s.numerator_after) for s in segments), Fraction(0)) / den1
    effect: dict[tuple[str, ...], Fraction] = {}
    for key, _, value in exact:
        effect[key] = effect.get(key, Fraction(0)) + value
    changes = tuple(
        SegmentChange(
            s.key,
            s.numerator_before / s.denominator_before if s.denominator_before else None,
            s.numerator_after / s.denominator_after if s.denominator_after else None,
            float(effect.get(s.key, 0)),
            float(_q(s.denominator_before) / den0),
            float(_q(s.denominator_after) / den1),
            s.numerator_before,
            s.numerator_after,
            s.denominator_before,
            s.denominator_after,
        )
        for s in segments
    )
    return _result(before, after, exact, changes)


def _result(
    before: Fraction,
    after: Fraction,
    exact: list[tuple[tuple[str, ...], PartKind, Fraction]],
    changes: tuple[SegmentChange, ...],
) -> Decomposition:
    change = after - before
    ranked = sorted(
        (p for p in exact if p[2] != 0),
        key=lambda p: (-abs(p[2]), p[0], list(PartKind).index(p[1])),
    )
    parts = tuple(
        Part(key, kind, float(value), float(value / change) if change else None)
        for key, kind, value in ranked
    )
    return Decomposition(float(before), float(after), float(change), parts, changes)


def _q(value: float) -> Fraction:
    """``value`` exactly, as a fraction (a float is a binary fraction)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return Fraction(value)
