"""Anomalies on synthetic series with known breaks: the expected value matches a computation by
hand, a spike is found where it was put (and nothing in clean noise), a new level is one shift,
a ratio on a thin denominator is not flagged, and the explanation names the value that moved."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.analysis.anomalies import (
    LEVEL_DAYS,
    PROFILE_DAYS,
    THRESHOLD,
    Breakdown,
    Explanation,
    Kind,
    baseline,
    breakdown,
    expected_at,
    explain,
    find,
    ratio_values,
    severity,
)

WEEK = np.array([1.2, 1.15, 1.1, 1.05, 0.95, 0.75, 0.8])


def daily(rng: np.random.Generator, n: int = 365, level: float = 1000.0, noise: float = 0.05):
    t = np.arange(n)
    return level * WEEK[t % 7] * rng.lognormal(0.0, noise, n)


def by_hand(y: np.ndarray, t: int) -> float:
    """The expected value of day t, straight from the definition: each weekday's median over
    the 8 weeks before, scaled to average 1; the median of the last 7 days over their
    weekday's factor; times day t's weekday factor."""
    hist = {d: [y[s] for s in range(t - PROFILE_DAYS, t) if s % 7 == d] for d in range(7)}
    medians = {d: float(np.median(v)) for d, v in hist.items()}
    mean = sum(medians.values()) / 7
    factor = {d: m / mean for d, m in medians.items()}
    level = float(np.median([y[s] / factor[s % 7] for s in range(t - LEVEL_DAYS, t)]))
    return level * factor[t % 7]


def test_expected_value_matches_the_definition() -> None:
    y = daily(np.random.default_rng(1))
    b = baseline(y)
    for t in (60, 61, 137, 200, 364):
        assert b.expected[t] == pytest.approx(by_hand(y, t), rel=1e-12)
    assert b.multiplicative
    assert np.isnan(b.expected[: 4 * 7 - 1]).all()  # too little history
    assert np.isnan(b.z[:50]).all()  # the spread needs four weeks of residuals too


def test_a_spike_is_found_where_it_was_put_and_nothing_else() -> None:
    y = daily(np.random.default_rng(2), n=730)
    expected_before = baseline(y).expected[400]
    y[400] *= 1.6
    found = find(baseline(y))
    assert [a.index for a in found] == [400]
    a = found[0]
    assert a.kind is Kind.ANOMALY and a.z > THRESHOLD and a.direction.value == "up"
    assert a.expected == pytest.approx(expected_before)  # the past alone sets the expectation
    assert a.change == pytest.approx(y[400] - expected_before)
    assert a.change_pct == pytest.approx(y[400] / expected_before - 1)
    assert a.severity == severity(a.z) != "none"


def test_clean_noise_raises_few_alarms() -> None:
    """Four robust standard deviations: in plain noise about one false alarm in four years of
    days (the spread and the expected value are estimates, so the tails are heavier than the
    normal distribution's 1 in 16,000 days). Ten two-year series: at most 8 (0.4 a year)."""
    alarms = sum(
        len(find(baseline(daily(np.random.default_rng(10 + s), n=730)))) for s in range(10)
    )
    assert alarms <= 8


def test_a_new_level_is_one_shift_not_a_run_of_anomalies() -> None:
    y = daily(np.random.default_rng(3), n=300)
    y[200:] *= 1.6  # a budget raised for good
    found = find(baseline(y))
    assert [(a.index, a.kind) for a in found] == [(200, Kind.SHIFT)]


def test_a_real_spike_in_the_week_after_a_new_level_still_counts() -> None:
    y = daily(np.random.default_rng(4), n=300)
    y[200:] *= 1.5
    y[203] *= 2.5
    found = find(baseline(y))
    assert (200, Kind.SHIFT) in [(a.index, a.kind) for a in found]
    assert (203, Kind.ANOMALY) in [(a.index, a.kind) for a in found]


def test_since_only_chooses_what_is_reported() -> None:
    y = daily(np.random.default_rng(5), n=300)
    y[150] *= 0.4
    y[250] *= 0.4
    b = baseline(y)
    assert [a.index for a in find(b)] == [150, 250]
    assert [a.index for a in find(b, since=200)] == [250]


def test_a_ratio_on_a_thin_denominator_is_not_flagged() -> None:
    rng = np.random.default_rng(6)
    n = 300
    clicks = daily(rng, n, 5000.0, 0.05)
    conversions = clicks * 0.03 * rng.lognormal(0.0, 0.05, n)
    conversions[200] = clicks[200] * 0.03 * 1.5  # +50 % on a normal day
    clicks[250] *= 0.03  # almost no clicks ...
    conversions[250] = clicks[250] * 0.03 * 1.5  # ... and the same +50 %
    ratio = ratio_values(conversions, clicks)
    b = baseline(ratio, clicks)
    flagged = [a.index for a in find(b)]
    assert 200 in flagged and 250 not in flagged
    plain = baseline(ratio)  # judged without its denominator, both would be
    assert abs(plain.z[250]) > THRESHOLD
    support = np.sqrt(clicks[250] / np.median(clicks[250 - PROFILE_DAYS : 250]))
    assert b.z[250] == pytest.approx(plain.z[250] * support)


def test_a_series_with_zeros_uses_the_additive_model() -> None:
    rng = np.random.default_rng(7)
    n = 200
    sends = np.where(np.arange(n) % 7 == 1, 25000.0, 0.0) + np.where(
        np.arange(n) % 7 == 1, rng.normal(0, 500, n), 0.0
    )
    sends[162] = 0.0  # a Tuesday send that did not go out
    b = baseline(sends)
    assert not b.multiplicative
    assert b.expected[150] == pytest.approx(0.0, abs=1e-9)  # a Monday: nothing expected
    found = find(b)
    assert [(a.index, a.direction.value) for a in found] == [(162, "down")]


def test_an_additive_breakdown_names_the_value_that_moved() -> None:
    rng = np.random.default_rng(8)
    search, social, none = (daily(rng, 200, level) for level in (600.0, 300.0, 100.0))
    search[180] += 500.0
    parts = breakdown(["search", "social", "(none)"], [search, social, none], days=[180])
    contribution = parts.at(180)
    assert contribution["search"] == pytest.approx(500.0, abs=60.0)
    total = baseline(search + social + none)
    change = float(total.values[180] - total.expected[180])
    e = explain([("channel", contribution)], change)
    assert e == Explanation("channel", "search", contribution["search"], e.share)
    assert 0.8 < e.share < 1.2


def test_explain_prefers_the_finest_dimension_that_explains_most_and_never_a_placeholder() -> None:
    campaign = {"Brand | Exact": 30.0, "Generic": 25.0, "(none)": 45.0}
    platform = {"google_ads": 95.0, "meta": 5.0}
    assert explain([("campaign", campaign), ("platform", platform)], 100.0) == Explanation(
        "platform", "google_ads", 95.0, 0.95
    )
    campaign["Brand | Exact"] = 80.0
    assert explain([("campaign", campaign), ("platform", platform)], 100.0) == Explanation(
        "campaign", "Brand | Exact", 80.0, 0.8
    )
    # a drop is explained by the value that dropped most
    assert explain([("platform", {"a": -70.0, "b": 10.0})], -60.0) == Explanation(
        "platform", "a", -70.0, pytest.approx(70 / 60)
    )
    assert explain([("campaign", {"(none)": 100.0})], 100.0) is None


def test_a_ratio_breakdown_splits_the_deviation_into_own_and_mix_effects() -> None:
    """Search's CTR collapses on day 180: search explains the drop of the total CTR. The
    contributions add up to the total ratio minus Σ ŝ·q̂ (computed here by hand)."""
    rng = np.random.default_rng(9)
    n = 200
    imp = {"search": daily(rng, n, 8000.0), "display": daily(rng, n, 60000.0)}
    ctr = {"search": 0.045, "display": 0.0035}
    clicks = {k: imp[k] * ctr[k] * rng.lognormal(0.0, 0.05, n) for k in imp}
    clicks["search"][180] *= 0.2
    parts = breakdown(list(imp), [clicks[k] for k in imp], [imp[k] for k in imp])
    c = parts.at(180)
    assert c["search"] < 0 and abs(c["search"]) > 5 * abs(c["display"])
    # the identity, by hand
    q = {k: clicks[k][180] / imp[k][180] for k in imp}
    q_hat = {k: baseline(ratio_values(clicks[k], imp[k])).expected[180] for k in imp}
    d_hat = {k: baseline(imp[k]).expected[180] for k in imp}
    s = {k: imp[k][180] / sum(imp[j][180] for j in imp) for k in imp}
    s_hat = {k: d_hat[k] / sum(d_hat.values()) for k in imp}
    total_now = sum(s[k] * q[k] for k in imp)
    total_hat = sum(s_hat[k] * q_hat[k] for k in imp)
    assert sum(c.values()) == pytest.approx(total_now - total_hat, rel=1e-9)


def test_severity_bands() -> None:
    assert [severity(z) for z in (3.9, 4.0, -5.9, 6.0, 9.99, -10.0, 25.0)] == [
        "none",
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


KINDS = ("positive", "one zero", "counts", "signed", "flat")


@st.composite
def parts(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    """A few series over the same days (positive, positive but for one 0, small counts with
    zeros and ties, signed, flat), some with unknown days, some shorter than the history a
    day needs; and some days of them (repeats and out-of-order included)."""
    n = draw(st.integers(1, 130))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = []
    for kind in draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5)):
        if kind in ("positive", "one zero"):
            row = daily(rng, n, 100.0, 0.2)
            if kind == "one zero":  # additive for all its days, though only one is 0
                row[draw(st.integers(0, n - 1))] = 0.0
        elif kind == "counts":
            row = rng.poisson(draw(st.sampled_from([0.3, 2.0, 9.0])), n).astype(float)
        elif kind == "signed":
            row = rng.normal(0.0, 10.0, n).round(draw(st.integers(0, 2)))
        else:
            row = np.full(n, 5.0)
        unknown = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
        row[rng.random(n) < unknown] = np.nan
        rows.append(row)
    days = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))
    return np.array(rows), days


@settings(max_examples=300, deadline=None)
@given(parts())
def test_expected_at_some_days_is_the_baselines_expected_value(case) -> None:
    """The expected values of many series on a few days, computed at once, are each series'
    own :func:`baseline` on those days: same model per series (multiplicative only when all
    its known values are above 0, over the whole series), same numbers, NaN where it has
    none."""
    rows, days = case
    got = expected_at(rows, days)
    want = np.array([baseline(row).expected[days] for row in rows])
    assert got.shape == want.shape == (len(rows), len(days))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)  # NaN at the same places
    for outside in (-1, rows.shape[1]):
        with pytest.raises(ValueError, match="days must be positions"):
            expected_at(rows, [*days, outside])


@settings(max_examples=100, deadline=None)
@given(parts(), st.booleans())
def test_a_breakdown_on_some_days_is_the_breakdown_over_all_days(case, ratio: bool) -> None:
    """What each part explains on a day is the same whether only the asked days' expected
    values were computed or every day's from each part's own :func:`baseline`."""
    rows, days = case
    names = [f"v{i}" for i in range(len(rows))]
    num = np.nan_to_num(np.abs(rows)) if ratio else np.nan_to_num(rows)
    den = np.nan_to_num(np.abs(rows[::-1])) * 10 if ratio else None
    some = breakdown(names, num, den, days=days)
    q = ratio_values(num, den) if den is not None else num
    every = Breakdown(
        names,
        list(range(rows.shape[1])),
        q,
        np.array([baseline(r).expected for r in q]),
        den,
        None if den is None else np.array([baseline(d).expected for d in den]),
    )
    for t in days:
        assert some.at(t) == pytest.approx(every.at(t), rel=1e-12, abs=1e-12)
    with pytest.raises(ValueError, match="not one of the breakdown's days"):
        some.at(next(t for t in range(rows.shape[1] + 1) if t not in days))


def test_the_baseline_leaves_the_process_wide_warning_filters_alone() -> None:
    """The server computes baselines in several threads at once: silencing numpy's warnings
    through the warnings module (whose filters are the whole process's) let one thread's
    restore of the filters reach another mid-computation ("Mean of empty slice" in a test
    run's log). Floating-point states are per thread (np.errstate) and nanmean's own warning
    is not raised at all: with every warning an error and the warnings module's filters out
    of reach, a baseline over gaps, a short history and a thin denominator still computes."""
    import warnings

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the process-wide warning filters were changed")

    rng = np.random.default_rng(7)
    y = daily(rng, 200)
    y[20:90] = np.nan  # a gap longer than the profile: rows without a known value
    den = np.where(np.arange(200) % 5 == 0, 0.0, 50.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        original = warnings.catch_warnings
        warnings.catch_warnings = refuse  # type: ignore[assignment,misc]
        try:
            base = baseline(y, den)
            plain = baseline(y[:40])
        finally:
            warnings.catch_warnings = original  # type: ignore[misc]
    assert np.isnan(base.spread[:PROFILE_DAYS]).all() and np.isfinite(base.z[150:]).any()
    assert np.isnan(plain.z).all()  # too short a history to judge any day


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=9),
        min_size=1,
        max_size=6,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_the_mean_of_known_values_is_numpys_nanmean_to_the_bit(
    rows: list[list[float | None]],
) -> None:
    import warnings

    from shakhes.analysis.anomalies import _mean

    a = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmean(a, axis=1)
    assert np.array_equal(_mean(a), expected, equal_nan=True)
