"""Why a KPI moved: worked examples computed by hand (as fractions), and the property that the
parts add up to the change, for any segments — new, stopped, without a denominator."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.analysis.why import (
    PartKind,
    Segment,
    Undefined,
    decompose_ratio,
    decompose_sum,
    ratio_effects,
)

MIX, RATE, UNMATCHED = PartKind.MIX, PartKind.RATE, PartKind.UNMATCHED


def exact(segments: list[Segment]) -> dict[tuple[str, PartKind], F]:
    return {(key[0], kind): value for key, kind, value in ratio_effects(segments)}


def test_ctr_by_two_channels_worked_by_hand() -> None:
    """Search: 1,000 → 1,000 impressions, 30 → 40 clicks; display: 1,000 → 3,000 impressions,
    10 → 10 clicks. CTR 40/2000 = 1/50 → 50/4000 = 1/80, a change of −3/400; R̄ = 13/800.

    search:  w 1/2 → 1/4, r 3/100 → 4/100, r̄ − R̄ = 7/200 − 13/800 = 15/800
             mix = −1/4 · 15/800 = −3/640,  rate = 3/8 · 1/100 = 3/800
    display: w 1/2 → 3/4, r 1/100 → 1/300, r̄ − R̄ = 1/150 − 13/800 = −23/2400
             mix = 1/4 · −23/2400 = −23/9600,  rate = 5/8 · −2/300 = −1/240
    """
    segments = [Segment(("search",), 30, 40, 1000, 1000), Segment(("display",), 10, 10, 1000, 3000)]
    assert exact(segments) == {
        ("search", MIX): F(-3, 640),
        ("search", RATE): F(3, 800),
        ("display", MIX): F(-23, 9600),
        ("display", RATE): F(-1, 240),
    }
    d = decompose_ratio(segments)
    assert (d.before, d.after, d.change) == (1 / 50, 1 / 80, float(F(-3, 400)))
    assert [(p.segment[0], p.kind) for p in d.parts] == [
        ("search", MIX),  # 45/9600
        ("display", RATE),  # 40/9600
        ("search", RATE),  # 36/9600
        ("display", MIX),  # 23/9600
    ]
    assert [p.share for p in d.parts] == pytest.approx([45 / 72, 40 / 72, -36 / 72, 23 / 72])
    search, display = d.segments
    assert (search.before, search.after) == (0.03, 0.04)
    assert (search.weight_before, search.weight_after) == (0.5, 0.25)
    assert display.effect == pytest.approx(float(F(-23, 9600) + F(-1, 240)))


def test_a_new_and_a_stopped_segment_are_all_mix() -> None:
    """a: 10/100 → 20/100; b stops (5/100 → nothing); c starts (nothing → 30/100).
    R = 15/200 = 3/40 → 50/200 = 1/4; change 7/40; R̄ = 13/80.

    a: w 1/2 → 1/2, mix 0, rate 1/2 · 1/10 = 1/20
    b: stopped, mix = −w0 (r0 − R̄) = −1/2 · (1/20 − 13/80) = 9/160
    c: new, mix = w1 (r1 − R̄) = 1/2 · (3/10 − 13/80) = 11/160
    """
    segments = [
        Segment(("a",), 10, 20, 100, 100),
        Segment(("b",), 5, 0, 100, 0),
        Segment(("c",), 0, 30, 0, 100),
    ]
    assert exact(segments) == {
        ("a", MIX): F(0),
        ("a", RATE): F(1, 20),
        ("b", MIX): F(9, 160),
        ("c", MIX): F(11, 160),
    }
    d = decompose_ratio(segments)
    assert d.change == pytest.approx(7 / 40)
    assert [(p.segment[0], p.kind) for p in d.parts] == [("c", MIX), ("b", MIX), ("a", RATE)]
    stopped = d.segments[1]
    assert (stopped.before, stopped.after, stopped.weight_after) == (0.05, None, 0.0)


def test_a_numerator_without_a_denominator_is_its_own_part() -> None:
    """ROAS by channel, where organic has revenue but no spend: ROAS = 300/100 = 3 → 500/100 =
    5. Paid: 200/100 → 200/100 (no mix, no rate); organic: 100/100 → 300/100, +2 unmatched."""
    segments = [Segment(("paid",), 200, 200, 100, 100), Segment(("organic",), 100, 300, 0, 0)]
    assert exact(segments) == {("paid", MIX): 0, ("paid", RATE): 0, ("organic", UNMATCHED): 2}
    d = decompose_ratio(segments)
    assert (d.before, d.after) == (3.0, 5.0)
    assert [(p.segment[0], p.kind, p.value, p.share) for p in d.parts] == [
        ("organic", UNMATCHED, 2.0, 1.0)
    ]
    assert d.segments[1].before is None  # no rate of its own


def test_a_segment_with_a_denominator_in_one_period_and_a_numerator_in_the_other() -> None:
    """x: 10/10 → 0/0 plus 4 of numerator after without a denominator; y: 10/10 → 10/10.
    R = 20/20 = 1 → 14/10 = 7/5; R̄ = 6/5. x stopped: mix = −1/2 (1 − 6/5) = 1/10, and its
    unmatched numerator 4/10 = 2/5; y: w 1/2 → 1, mix = 1/2 (1 − 6/5) = −1/10, rate 0."""
    segments = [Segment(("x",), 10, 4, 10, 0), Segment(("y",), 10, 10, 10, 10)]
    assert exact(segments) == {
        ("x", MIX): F(1, 10),
        ("x", UNMATCHED): F(2, 5),
        ("y", MIX): F(-1, 10),
        ("y", RATE): F(0),
    }


def test_a_zero_denominator_in_both_periods_contributes_nothing() -> None:
    segments = [Segment(("a",), 1, 2, 10, 10), Segment(("none",), 0, 0, 0, 0)]
    assert exact(segments) == {("a", MIX): 0, ("a", RATE): F(1, 10)}


@pytest.mark.parametrize("period", ["before", "after"])
def test_a_ratio_without_a_denominator_in_a_period_is_undefined(period: str) -> None:
    den = (0, 5) if period == "before" else (5, 0)
    with pytest.raises(Undefined) as caught:
        decompose_ratio([Segment(("a",), 1, 1, *den)])
    assert caught.value.params == {"period": period}


def test_an_additive_kpi_splits_into_each_segments_change() -> None:
    d = decompose_sum(
        [Segment(("search",), 120, 100), Segment(("social",), 30, 80), Segment(("tv",), 5, 5)]
    )
    assert (d.before, d.after, d.change) == (155, 185, 30)
    assert [(p.segment[0], p.value, p.share) for p in d.parts] == [
        ("social", 50, 50 / 30),
        ("search", -20, -20 / 30),
    ]  # tv did not change: no part
    assert [s.effect for s in d.segments] == [-20, 50, 0]


def test_no_change_has_parts_without_shares() -> None:
    """Weight moves from a high-rate to a low-rate segment while both rates rise: the KPI stays
    where it was, and the parts (which cancel) have no share of a change of 0."""
    d = decompose_ratio(
        exact_segments := [Segment(("a",), 1, 3, 10, 10), Segment(("b",), 1, 1, 10, 30)]
    )
    assert d.change == 0 and d.parts and all(p.share is None for p in d.parts)
    assert sum(exact(exact_segments).values()) == 0


# ---- the parts add up -----------------------------------------------------------------------

# What sums of marketing data are: counts, and amounts in cents (or finer); signed numerators
# (revenue − cost).
amount = st.one_of(
    st.just(0.0),
    st.integers(0, 10**9).map(float),
    st.integers(0, 10**11).map(lambda c: c / 100),
    st.floats(1e-4, 1e9, allow_nan=False, allow_infinity=False),
)
numerator = st.one_of(amount, amount.map(lambda x: -x))
segment = st.builds(
    lambda i, n0, n1, d0, d1: Segment((f"s{i}",), n0, n1, d0, d1),
    st.integers(0, 10**6),
    numerator,
    numerator,
    amount,
    amount,
)
segments = st.lists(segment, min_size=1, max_size=12, unique_by=lambda s: s.key)


@settings(max_examples=300, deadline=None)
@given(segments)
def test_ratio_parts_add_up_exactly_to_the_change(segs: list[Segment]) -> None:
    den0 = sum(F(s.denominator_before) for s in segs)
    den1 = sum(F(s.denominator_after) for s in segs)
    if den0 == 0 or den1 == 0:
        with pytest.raises(Undefined):
            decompose_ratio(segs)
        return
    change = (
        sum(F(s.numerator_after) for s in segs) / den1
        - sum(F(s.numerator_before) for s in segs) / den0
    )
    assert sum(v for _, _, v in ratio_effects(segs)) == change  # exactly, in fractions
    d = decompose_ratio(segs)
    total = math.fsum(p.value for p in d.parts)
    scale = max([abs(d.change), *(abs(p.value) for p in d.parts)])
    assert abs(total - d.change) <= 1e-9 * scale
    assert d.change == pytest.approx(
        d.after - d.before, rel=1e-9, abs=1e-12 * max(abs(d.after), abs(d.before), 1)
    )
    assert math.fsum(s.effect for s in d.segments) == pytest.approx(
        total, rel=1e-9, abs=1e-9 * scale
    )


@settings(max_examples=200, deadline=None)
@given(segments)
def test_additive_parts_add_up_to_the_change(segs: list[Segment]) -> None:
    d = decompose_sum(segs)
    change = sum(F(s.numerator_after) - F(s.numerator_before) for s in segs)
    assert d.change == float(change)
    scale = max([abs(d.change), *(abs(p.value) for p in d.parts)], default=0.0)
    assert abs(math.fsum(p.value for p in d.parts) - d.change) <= 1e-9 * scale
