"""Pacing, forecasts and target tracking on small worked examples computed by hand, and the
invariants every answer keeps (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.analysis.forecast import (
    MIN_ORIGINS,
    Spread,
    forecast_ratio,
    forecast_span,
)
from shakhes.analysis.pacing import (
    MIN_SEASONAL_DAYS,
    MIN_WEEKDAY_DAYS,
    SMOOTHING_DAYS,
    YEAR,
    Pacing,
    estimate_profile,
)
from shakhes.analysis.series import DailySeries, RatioSeries
from shakhes.analysis.tracking import Status, Target, Thresholds, track

D = dt.date
APRIL = (D(2025, 4, 1), D(2025, 4, 30))
JUNE = (D(2025, 6, 1), D(2025, 6, 30))
# Monday..Sunday weights, mean 1
WEEKDAY = np.array([1.4, 1.2, 1.0, 1.0, 1.0, 0.7, 0.7])


def constant(start: dt.date, last: dt.date, value: float) -> DailySeries:
    return DailySeries(start, np.full((last - start).days + 1, value))


def level_by_hand(y: np.ndarray, p: np.ndarray, o: int) -> float:
    """The forecast's level at day ``o``: the last 28 days (or fewer), day k back weighing
    0.5 ** (k / 7)."""
    ks = [k for k in range(28) if o - k >= 0]
    volume = sum(0.5 ** (k / 7) * y[o - k] for k in ks)
    weight = sum(0.5 ** (k / 7) * p[o - k] for k in ks)
    return float(volume / weight)


def weekly(start: dt.date, last: dt.date, level: float, weights: np.ndarray) -> DailySeries:
    days = np.arange((last - start).days + 1)
    return DailySeries(start, level * weights[(start.weekday() + days) % 7])


# ---- pacing ---------------------------------------------------------------------------------


def test_linear_pacing_of_a_30_day_month_at_day_10() -> None:
    # 27 days of 100 a day: too little history for a weekday pattern
    history = constant(D(2025, 3, 15), D(2025, 4, 10), 100.0)
    t = track(history, APRIL, D(2025, 4, 10), 3000, "higher_is_better")
    assert t.pacing == Pacing.LINEAR
    assert (t.days_in_period, t.days_elapsed, t.days_remaining) == (30, 10, 20)
    assert t.elapsed_share == pytest.approx(10 / 30)
    assert t.actual == pytest.approx(1000)  # days 1..10 of April
    assert t.expected == pytest.approx(1000)  # 3000 × 10/30
    # 20 days ahead at the level of the last 28 days (100): 2000, no spread in a flat series
    assert [t.forecast, t.forecast_low, t.forecast_high] == pytest.approx([3000] * 3)
    assert t.run_rate == pytest.approx(100)
    assert t.run_rate_needed_min == pytest.approx(100)  # (3000 - 1000) / 20
    assert t.run_rate_needed_max is None
    assert t.spread == Spread.BOOTSTRAP
    assert t.probability == 1.0
    assert t.status == Status.ON_TRACK


def test_day_of_week_profile_paces_by_the_weekday_weights() -> None:
    assert JUNE[0].weekday() == 6  # 1 June 2025 is a Sunday
    history = weekly(D(2025, 2, 3), D(2025, 6, 10), 100.0, WEEKDAY)  # 18 weeks
    t = track(history, JUNE, D(2025, 6, 10), 3010, "higher_is_better")
    assert t.pacing == Pacing.DAY_OF_WEEK
    # days 1..10: Sun Mon Tue Wed Thu Fri Sat Sun Mon Tue
    to_date = 0.7 + 1.4 + 1.2 + 1 + 1 + 1 + 0.7 + 0.7 + 1.4 + 1.2  # 10.3
    month = 4 * 7 + 0.7 + 1.4  # four whole weeks, then Sun 29 and Mon 30: 30.1
    assert t.elapsed_share == pytest.approx(to_date / month)
    assert t.expected == pytest.approx(3010 * 10.3 / 30.1)  # 1030
    assert t.actual == pytest.approx(1030)
    assert [t.forecast, t.forecast_low, t.forecast_high] == pytest.approx([3010] * 3)
    assert t.run_rate == pytest.approx((30.1 - 10.3) * 100 / 20)


def test_weekday_factors_are_read_from_the_history() -> None:
    history = weekly(D(2025, 1, 6), D(2025, 3, 2), 50.0, WEEKDAY)  # exactly 8 weeks
    assert len(history.values) == MIN_WEEKDAY_DAYS
    profile = estimate_profile(history, D(2025, 3, 31))
    assert profile.kind == Pacing.DAY_OF_WEEK
    assert profile.weekday == pytest.approx(tuple(WEEKDAY))
    shorter = DailySeries(history.start, history.values[:-1])
    assert estimate_profile(shorter, D(2025, 3, 31)).kind == Pacing.LINEAR


def test_time_of_year_reads_last_years_same_weeks() -> None:
    # flat 100 a day, but a year earlier the days from 1 to 10 June ran at 300
    start = D(2024, 1, 1)
    history = constant(start, D(2025, 6, 10), 100.0)
    values = history.values.copy()
    peak = [(D(2025, 6, 1) - dt.timedelta(days=YEAR) - start).days + i for i in range(10)]
    values[peak] = 300.0
    history = DailySeries(start, values)
    assert len(values) >= MIN_SEASONAL_DAYS
    profile = estimate_profile(history, JUNE[1])
    assert profile.kind == Pacing.SEASONAL
    assert profile.weekday == pytest.approx((1.0,) * 7, abs=1e-9)  # weekday ratios are trimmed
    # each June day weighs the mean of the 15 days around its weekday-twin a year earlier,
    # to the power 0.7
    last_year = values[(JUNE[0] - dt.timedelta(days=YEAR) - start).days - 7 :]
    k = SMOOTHING_DAYS // 2
    by_hand = [np.mean(last_year[i : i + 2 * k + 1]) for i in range(30)]
    assert profile.span(*JUNE) == pytest.approx(np.power(by_hand, 0.7))
    # e.g. 1 June: 7 days at 100 and 8 at 300 → 193.3; 30 June: all 100
    assert by_hand[0] == pytest.approx((7 * 100 + 8 * 300) / 15)
    assert by_hand[-1] == pytest.approx(100)
    share = profile.share(JUNE[0], D(2025, 6, 10), JUNE[1])
    damped = np.power(by_hand, 0.7)  # pulled towards flat
    assert share == pytest.approx(damped[:10].sum() / damped.sum())
    assert estimate_profile(history, JUNE[1], seasonal=False).kind == Pacing.DAY_OF_WEEK


def test_ratio_expected_to_date_paces_numerator_and_denominator() -> None:
    # clicks come in with the weekday weights, impressions flat: the CTR to date that ends on
    # target is the target × (share of clicks past ÷ share of impressions past)
    start, through = D(2025, 2, 3), D(2025, 6, 10)
    clicks = weekly(start, through, 100.0, WEEKDAY)
    impressions = constant(start, through, 2000.0)
    t = track(RatioSeries(clicks, impressions), JUNE, through, 0.05, "higher_is_better")
    assert t.kind == "ratio"
    assert t.expected == pytest.approx(0.05 * (10.3 / 30.1) / (10 / 30))
    assert t.elapsed_share == pytest.approx(10 / 30)


# ---- forecasts ------------------------------------------------------------------------------


def test_track_record_of_a_step_change_by_hand() -> None:
    # 100 days at 10, then 30 at 20; forecast the next 5 days from day 129
    history = DailySeries(D(2025, 1, 1), np.array([10.0] * 100 + [20.0] * 30))
    f = forecast_span(history, D(2025, 5, 11), D(2025, 5, 15))
    assert f.profile.kind == Pacing.DAY_OF_WEEK
    assert f.profile.weekday == pytest.approx((1.0,) * 7)  # the step's ratios are trimmed
    assert f.point == pytest.approx(100)  # the last 28 days are all 20
    # origins 27..124, each: its 5 days ahead ÷ 5 × its level
    ratios = []
    ones = np.ones(130)
    for o in range(27, 125):
        level = level_by_hand(history.values, ones, o)
        ratios.append(np.mean(history.values[o + 1 : o + 6]) / level)
    assert ratios[: 95 - 27] == pytest.approx([1.0] * (95 - 27))  # before the step
    assert ratios[95 - 27 : 100 - 27] == pytest.approx([1.2, 1.4, 1.6, 1.8, 2.0])
    # one day after the step: 20 weighs 1, the 27 days of 10 before it weigh Σ 0.5^(k/7)
    tail = sum(0.5 ** (k / 7) for k in range(1, 28))
    assert ratios[100 - 27] == pytest.approx(20 / ((20 + 10 * tail) / (1 + tail)))
    assert f.spread == Spread.TRACK_RECORD
    assert sorted(f.outcomes) == pytest.approx(sorted(100 * np.array(ratios)))


def yearly(start: dt.date, days: int) -> DailySeries:
    """A smooth yearly wave with a little noise: every weekday alike."""
    t = np.arange(days)
    noise = np.random.default_rng(5).lognormal(0, 0.1, days)
    return DailySeries(start, 100 * (1 + 0.3 * np.sin(2 * np.pi * t / 365)) * noise)


def test_first_year_origins_read_the_time_of_year_a_year_later() -> None:
    history = yearly(D(2024, 1, 1), 466)  # to 10 April 2025
    f = forecast_span(history, D(2025, 4, 11), D(2025, 4, 30))  # 20 days ahead
    assert f.profile.kind == Pacing.SEASONAL and f.spread == Spread.TRACK_RECORD
    # last year's shape is known from day 371 on: level windows from there, origins 398..445;
    # a year later is known up to day 465 - 364 - 7 = 94: origins 27..74
    assert len(f.outcomes) == (445 - 398 + 1) + (74 - 27 + 1)
    y, mirror = history.values, f.profile.mirror
    assert mirror is not None
    dow = np.asarray(f.profile.weekday)[(history.start.weekday() + np.arange(466)) % 7]
    window = slice(50 + 364 - 7, 50 + 364 + 8)  # 15 days around day 50's twin a year later
    by_hand = dow[50] * (y[window].sum() / dow[window].sum()) ** 0.7
    assert mirror[50] == pytest.approx(by_hand)
    assert np.isnan(mirror[95]) and np.isnan(f.profile.weights[370])


def test_time_of_year_without_a_full_record_gives_way_to_the_weekday() -> None:
    history = yearly(D(2024, 1, 1), 410)
    assert estimate_profile(history, D(2025, 3, 5)).kind == Pacing.SEASONAL
    f = forecast_span(history, D(2025, 2, 14), D(2025, 3, 5))  # 20 days ahead
    # seasonal origins: none (398.. and ..389; 27.. and ..18); weekday origins 27..389
    assert f.profile.kind == Pacing.DAY_OF_WEEK
    assert len(f.outcomes) == 389 - 27 + 1


def test_too_short_a_record_is_widened_from_a_shorter_span() -> None:
    y = np.random.default_rng(3).lognormal(2, 0.4, 70)  # 70 days, to 11 March
    history = DailySeries(D(2025, 1, 1), y)
    f = forecast_span(history, D(2025, 3, 12), D(2025, 4, 10))  # 30 days ahead
    # 30 days ahead from origins 27..39: too few; 15 days ahead from origins 27..54: 28
    assert f.spread == Spread.SCALED_TRACK_RECORD
    assert len(f.outcomes) == MIN_ORIGINS == 54 - 27 + 1
    p = f.profile.weights
    ratios = []
    for o in range(27, 55):
        level = level_by_hand(y, p, o)
        ratios.append(y[o + 1 : o + 16].sum() / (level * p[o + 1 : o + 16].sum()))
    widened = np.maximum(1 + (np.array(ratios) - 1) * math.sqrt(30 / 15), 0)
    assert sorted(f.outcomes) == pytest.approx(sorted(f.point * widened))


def test_bootstrap_is_deterministic() -> None:
    history = DailySeries(D(2025, 1, 1), np.array([3.0, 9, 4, 7, 5, 8, 2, 6, 4, 9]))
    a = forecast_span(history, D(2025, 1, 11), D(2025, 1, 20))
    b = forecast_span(history, D(2025, 1, 11), D(2025, 1, 20))
    assert a.spread == Spread.BOOTSTRAP
    assert np.array_equal(a.outcomes, b.outcomes)
    assert a.point == pytest.approx(10 * level_by_hand(history.values, np.ones(10), 9))
    assert np.median(a.outcomes) == pytest.approx(a.point, rel=0.1)
    assert a.outcomes.std() > 0


def test_proportional_ratio_interval_collapses_to_the_ratio() -> None:
    rng = np.random.default_rng(1)
    start, through = D(2024, 1, 1), D(2025, 4, 10)
    clicks = rng.poisson(400, (through - start).days + 1).astype(float)
    den = DailySeries(start, clicks)
    num = DailySeries(start, clicks * 0.25)  # cost per click: exactly 0.25 every day
    t = track(RatioSeries(num, den), APRIL, through, 0.25, "lower_is_better")
    assert t.actual == pytest.approx(0.25)
    assert t.forecast == pytest.approx(0.25)
    assert t.forecast_low == pytest.approx(0.25)
    assert t.forecast_high == pytest.approx(0.25)
    assert t.run_rate == pytest.approx(0.25)
    n_span, d_span = forecast_ratio(num, den, D(2025, 4, 11), APRIL[1])
    assert n_span.outcomes == pytest.approx(0.25 * d_span.outcomes)
    assert n_span.outcomes.std() > 0  # N and D vary, their ratio does not
    assert track(RatioSeries(num, den), APRIL, through, 0.26, "lower_is_better").probability == 1
    assert track(RatioSeries(num, den), APRIL, through, 0.24, "lower_is_better").probability == 0


def noisy_cpa(through: dt.date) -> RatioSeries:
    rng = np.random.default_rng(7)
    start = D(2024, 9, 1)
    n = (through - start).days + 1
    conversions = rng.poisson(20, n).astype(float)
    cost = 500 * rng.lognormal(0, 0.3, n)
    return RatioSeries(DailySeries(start, cost), DailySeries(start, conversions))


def test_lower_is_better_statuses_cpa() -> None:
    history, through = noisy_cpa(D(2025, 4, 12)), D(2025, 4, 12)
    mid = track(history, APRIL, through, 25.0, "lower_is_better").forecast
    assert mid is not None
    easy = track(history, APRIL, through, mid * 1.5, "lower_is_better")
    hard = track(history, APRIL, through, mid / 1.5, "lower_is_better")
    even = track(history, APRIL, through, mid, "lower_is_better")
    assert (easy.probability, easy.status) == (1.0, Status.ON_TRACK)
    assert (hard.probability, hard.status) == (0.0, Status.OFF_TRACK)
    assert 0.3 <= even.probability <= 0.7 and even.status == Status.AT_RISK
    # the same target read the other way round
    higher = track(history, APRIL, through, mid * 1.5, "higher_is_better")
    assert higher.probability == 0.0 and higher.status == Status.OFF_TRACK
    # run rate needed: the CPA the remaining forecast conversions must be bought at
    assert hard.numerator is not None and hard.denominator is not None
    d_ahead = hard.forecast_denominator - hard.denominator  # type: ignore[operator]
    by_hand = (mid / 1.5 * (hard.denominator + d_ahead) - hard.numerator) / d_ahead
    assert hard.run_rate_needed_max == pytest.approx(by_hand)
    assert hard.run_rate_needed_min is None


def test_spend_over_budget_is_missed_before_the_period_ends() -> None:
    cost = constant(D(2025, 1, 1), D(2025, 4, 10), 100.0)
    over = track(cost, APRIL, D(2025, 4, 10), 900, "lower_is_better")  # 1000 spent already
    assert over.status == Status.MISSED and over.probability == 0.0
    assert over.run_rate_needed_max == pytest.approx(-5)  # (900 - 1000) / 20: too late
    under = track(cost, APRIL, D(2025, 4, 10), 3500, "lower_is_better")
    assert under.status == Status.ON_TRACK
    assert under.run_rate_needed_max == pytest.approx(125)  # (3500 - 1000) / 20


def test_higher_is_better_total_already_reached_is_achieved() -> None:
    clicks = constant(D(2025, 1, 1), D(2025, 4, 10), 100.0)
    t = track(clicks, APRIL, D(2025, 4, 10), 800, "higher_is_better")
    assert t.status == Status.ACHIEVED and t.probability == 1.0
    assert t.run_rate_needed_min == 0.0


def test_bands() -> None:
    clicks = constant(D(2025, 1, 1), D(2025, 4, 10), 100.0)  # ends on 3000
    inside = track(clicks, APRIL, D(2025, 4, 10), (2900, 3100), "higher_is_better")
    assert (inside.probability, inside.status) == (1.0, Status.ON_TRACK)
    assert (inside.target, inside.target_low, inside.target_high) == (None, 2900, 3100)
    assert inside.expected == pytest.approx(3000 / 3)  # the band's middle, paced
    assert inside.run_rate_needed_min == pytest.approx(95)  # (2900 - 1000) / 20
    assert inside.run_rate_needed_max == pytest.approx(105)
    above = track(clicks, APRIL, D(2025, 4, 10), (3100, 3200), "lower_is_better")
    assert (above.probability, above.status) == (0.0, Status.OFF_TRACK)
    passed = track(clicks, APRIL, D(2025, 4, 10), (500, 900), "higher_is_better")
    assert passed.status == Status.MISSED  # 1000 in already, above the band's top


def test_period_over() -> None:
    clicks = constant(D(2025, 1, 1), D(2025, 5, 3), 100.0)
    met = track(clicks, APRIL, D(2025, 5, 3), 3000, "higher_is_better")
    assert (met.days_elapsed, met.days_remaining) == (30, 0)
    assert met.actual == met.forecast == met.forecast_low == met.forecast_high == 3000
    assert (met.status, met.probability, met.spread) == (Status.ACHIEVED, 1.0, None)
    assert met.run_rate is None and met.run_rate_needed_min is None
    missed = track(clicks, APRIL, D(2025, 4, 30), 3001, "higher_is_better")
    assert (missed.status, missed.probability) == (Status.MISSED, 0.0)
    cpa = noisy_cpa(D(2025, 5, 3))
    final = cpa.ratio(*APRIL)
    assert track(cpa, APRIL, D(2025, 5, 3), final, "lower_is_better").status == Status.ACHIEVED
    assert track(cpa, APRIL, D(2025, 5, 3), final * 0.99, "lower_is_better").status == (
        Status.MISSED
    )


def test_period_not_started_forecasts_all_of_it() -> None:
    clicks = constant(D(2025, 1, 1), D(2025, 3, 20), 100.0)
    t = track(clicks, APRIL, D(2025, 3, 20), 3000, "higher_is_better")
    assert (t.days_elapsed, t.actual, t.expected, t.elapsed_share) == (0, 0.0, 0.0, 0.0)
    assert t.forecast == pytest.approx(3000)


def test_days_missing_up_to_data_through_are_zero() -> None:
    clicks = constant(D(2025, 1, 1), D(2025, 4, 5), 100.0)
    t = track(clicks, APRIL, D(2025, 4, 10), 3000, "higher_is_better")
    assert t.actual == pytest.approx(500)


def test_thresholds() -> None:
    th = Thresholds()
    assert [th.status(p) for p in (0.7, 0.69, 0.3, 0.29)] == [
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.AT_RISK,
        Status.OFF_TRACK,
    ]
    with pytest.raises(ValueError):
        Thresholds(on_track=0.2, at_risk=0.5)


def test_targets() -> None:
    assert Target.of(5) == Target(value=5)
    assert Target.of((1, 2)) == Target(low=1, high=2)
    for bad in ({}, {"value": 1, "low": 0, "high": 2}, {"low": 1}, {"low": 3, "high": 2}):
        with pytest.raises(ValueError):
            Target(**bad)


def test_to_dict_is_json() -> None:
    cost = constant(D(2025, 1, 1), D(2025, 4, 10), 100.0)
    data = track(cost, APRIL, D(2025, 4, 10), 3500, "lower_is_better").to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["status"] == "on_track"
    assert data["period_start"] == "2025-04-01" and data["direction"] == "lower_is_better"
    assert data["pacing"] == "day_of_week" and data["spread"] == "track_record"


def test_series_from_days() -> None:
    s = DailySeries.from_days([(D(2025, 1, 3), 2.0), (D(2025, 1, 1), 1.0), (D(2025, 1, 3), 1.0)])
    assert (s.start, s.values.tolist()) == (D(2025, 1, 1), [1.0, 0.0, 3.0])
    r = RatioSeries.from_days([(D(2025, 1, 2), 1.0, 4.0)], start=D(2025, 1, 1))
    assert r.denominator.values.tolist() == [0.0, 4.0]
    assert math.isnan(r.ratio(D(2025, 1, 1), D(2025, 1, 1)))
    with pytest.raises(ValueError):
        DailySeries(D(2025, 1, 1), np.array([1.0, math.nan]))


# ---- invariants -----------------------------------------------------------------------------

histories = st.builds(
    lambda n, seed, zeros: _random_series(n, seed, zeros),
    st.integers(1, 500),
    st.integers(0, 2**32 - 1),
    st.floats(0, 0.5),
)


def _random_series(n: int, seed: int, zeros: float) -> DailySeries:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(3, 0.5, n) * (rng.random(n) >= zeros)
    return DailySeries(D(2024, 1, 1), values)


@settings(max_examples=60, deadline=None)
@given(histories, st.integers(0, 40), st.integers(-10, 30), st.floats(0.1, 3))
def test_interval_holds_the_forecast_and_probability_is_monotone(
    history: DailySeries, length: int, elapsed: int, scale: float
) -> None:
    first = history.end + dt.timedelta(days=1 - elapsed)  # ``elapsed`` days are in
    period = (first, first + dt.timedelta(days=length))
    through = history.end
    expected_total = float(history.values.mean()) * (length + 1)
    targets = sorted(expected_total * scale * f for f in (0.5, 0.9, 1.0, 1.1, 2.0))
    for direction in ("higher_is_better", "lower_is_better"):
        results = [track(history, period, through, t, direction) for t in targets]
        for t in results:
            assert t.forecast_low is not None and t.forecast_high is not None
            assert t.forecast_low <= t.forecast <= t.forecast_high  # type: ignore[operator]
            assert 0.0 <= t.probability <= 1.0
        probabilities = [t.probability for t in results]
        if direction == "higher_is_better":
            assert probabilities == sorted(probabilities, reverse=True)
        else:
            assert probabilities == sorted(probabilities)


@settings(max_examples=40, deadline=None)
@given(histories, histories, st.integers(1, 60), st.floats(0.2, 5))
def test_ratio_interval_and_probability(
    num: DailySeries, den: DailySeries, ahead: int, scale: float
) -> None:
    n = min(len(num.values), len(den.values))
    history = RatioSeries(
        DailySeries(num.start, num.values[:n]), DailySeries(num.start, den.values[:n] + 1)
    )
    through = history.end
    period = (through - dt.timedelta(days=min(5, n - 1)), through + dt.timedelta(days=ahead))
    ratio = float(num.values[:n].sum() / (den.values[:n] + 1).sum())
    targets = sorted(ratio * scale * f for f in (0.5, 1.0, 2.0))
    probabilities = []
    for target in targets:
        t = track(history, period, through, target, "higher_is_better")
        assert t.forecast_low <= t.forecast <= t.forecast_high  # type: ignore[operator]
        probabilities.append(t.probability)
    assert probabilities == sorted(probabilities, reverse=True)


def _quantile_by_hand(values: list[float], p: float) -> float:
    """The p-quantile as tracking defines it (linear between order statistics: position
    p × (n − 1) in the sorted values), written out."""
    xs = sorted(values)
    h = p * (len(xs) - 1)
    lo = math.floor(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


def test_interval_and_probability_of_a_step_change_worked_by_hand() -> None:
    """The 80 % interval, its width, the median and the probability of meeting targets, for a
    KPI of 10 a day for 100 days and 20 a day for 30 (data through 10 May 2025), tracked over
    1–15 May: 10 days done at 20 (200), 5 to come.

    The level now is 20 (the last 28 days are all 20), so the point forecast of the 5 days is
    100 and each outcome is 200 + 100 × a ratio of the track record (origins 27…124, each
    forecasting its next 5 days):

    - origins 27…94: 5 days of 10 forecast at a level of 10: ratio 1 (68 of them);
    - origins 95…99: the step enters the 5 days ahead (1…5 days of 20): 1.2, 1.4 … 2.0;
    - origins 100 + j (j = 0…24): 5 days of 20, the level 20·S + 10·(T − S) over T, where
      T = Σ_{k<28} 0.5^(k/7) and S = Σ_{k≤j} 0.5^(k/7) (the j + 1 days since the step).
    """
    history = DailySeries(D(2025, 1, 1), np.array([10.0] * 100 + [20.0] * 30))
    w = [0.5 ** (k / 7) for k in range(28)]
    total = sum(w)
    since = [sum(w[: j + 1]) for j in range(25)]
    after = [20 / ((20 * s + 10 * (total - s)) / total) for s in since]
    ratios = [1.0] * 68 + [1.2, 1.4, 1.6, 1.8, 2.0] + after
    outcomes = [200 + 100 * r for r in ratios]
    assert len(outcomes) == 98

    may = (D(2025, 5, 1), D(2025, 5, 15))
    t = track(history, may, D(2025, 5, 10), 330, "higher_is_better")
    assert (t.actual, t.spread) == (200.0, Spread.TRACK_RECORD.value)
    low, high = _quantile_by_hand(outcomes, 0.1), _quantile_by_hand(outcomes, 0.9)
    assert low == 300.0  # 69 % of the ratios are 1: the 10th percentile is one of them
    assert t.forecast_low == pytest.approx(low, rel=1e-12)
    assert t.forecast_high == pytest.approx(high, rel=1e-12)
    assert t.forecast_high - t.forecast_low == pytest.approx(high - low, rel=1e-12)
    assert t.forecast == pytest.approx(_quantile_by_hand(outcomes, 0.5), rel=1e-12)
    # 330 needs a ratio ≥ 1.3: 1.4 … 2.0 (4) and the first origins after the step
    meeting = sum(r >= 1.3 for r in ratios)
    assert meeting == 4 + sum(r >= 1.3 for r in after) and 4 < meeting < 98
    assert t.probability == pytest.approx(meeting / 98, rel=1e-12)
    # a lower bar: every outcome is at least 300, so 300 is sure
    sure = track(history, may, D(2025, 5, 10), 300, "higher_is_better")
    assert sure.probability == 1.0
