"""Leading and lagging on synthetic series whose link is known: a lag is found where it was put,
none where there is none, a shared trend or weekly season fakes nothing once removed, the
significance bound and the Granger test are calibrated, and the Granger test agrees with
statsmodels'."""

from __future__ import annotations

import numpy as np
import pytest

from shakhes.analysis.leads import (
    Verdict,
    cross_correlations,
    deseason,
    format_p,
    granger,
    lead_lag,
)

N = 730


def lagged(rng: np.random.Generator, lag: int, a: float = 0.6, n: int = N) -> tuple:
    """x white around a level; y_t = a·x_{t−lag} + noise."""
    x = 100 + 10 * rng.normal(size=n + lag)
    y = 50 + a * x[:n] + 10 * rng.normal(size=n)
    return x[lag:], y


def test_a_lag_of_three_days_is_found_and_granger_significant() -> None:
    x, y = lagged(np.random.default_rng(1), 3)
    answer = lead_lag(x, y, max_lag=7, names=("clicks", "orders"))
    assert answer.best_lag == 3
    assert answer.verdict is Verdict.LEADS
    assert answer.granger.p < 0.001
    assert answer.r > 0.3 and answer.correlations.significant(3)
    assert answer.text.startswith("clicks leads orders by 3 days (r = ")
    assert "Granger p < 0.001" in answer.text


def test_independent_series_show_no_link() -> None:
    rng = np.random.default_rng(2)
    x = 100 + 10 * rng.normal(size=N)
    y = 100 + 10 * rng.normal(size=N)
    answer = lead_lag(x, y, max_lag=7, names=("x", "y"))
    assert answer.verdict is Verdict.NONE
    assert answer.text.startswith("no evidence that x leads y")


def _shared_trend_and_season(rng: np.random.Generator) -> tuple:
    t = np.arange(N)
    common = (1 + 0.3 * t / N) * np.array([1.3, 1.2, 1.1, 1.0, 0.9, 0.7, 0.8])[t % 7]
    common *= 1 + 0.25 * np.sin(2 * np.pi * t / 365.25)
    x = 1000 * common * rng.lognormal(0, 0.05, N)
    y = 300 * common * rng.lognormal(0, 0.05, N)
    return x, y


def test_a_shared_trend_and_weekly_season_fake_no_link_once_removed() -> None:
    x, y = _shared_trend_and_season(np.random.default_rng(3))
    assert np.corrcoef(x, y)[0, 1] > 0.9  # raw, the two look tightly linked
    answer = lead_lag(x, y, max_lag=7)
    assert answer.verdict is Verdict.NONE
    assert answer.log_candidate and answer.log_lagging


def test_a_same_day_link_is_not_a_lead() -> None:
    rng = np.random.default_rng(4)
    x = 100 + 10 * rng.normal(size=N)
    y = 20 + 0.8 * x + 5 * rng.normal(size=N)
    answer = lead_lag(x, y, max_lag=7, names=("clicks", "sessions"))
    assert answer.verdict is Verdict.SAME_DAY and answer.best_lag == 0
    assert "move together on the same day" in answer.text


def test_a_negative_link_says_so() -> None:
    x, y = lagged(np.random.default_rng(5), 2, a=-0.6)
    answer = lead_lag(x, y, max_lag=7, names=("price", "orders"))
    assert answer.verdict is Verdict.LEADS and answer.best_lag == 2 and answer.r < 0
    assert "opposite direction" in answer.text


def test_weekly_series_are_differenced_and_lags_count_weeks() -> None:
    rng = np.random.default_rng(6)
    weeks = 260
    walk = np.cumsum(rng.normal(size=weeks + 1))  # a shared random walk: a trend
    x = 1000 + 20 * walk[1:] + 20 * rng.normal(size=weeks)
    shock = 20 * rng.normal(size=weeks + 1)
    x = x + shock[1:]
    y = 500 + 20 * walk[1:] + 0.8 * shock[:-1] + 10 * rng.normal(size=weeks)
    out, logged = deseason(x, None)
    assert logged and np.isnan(out[0]) and np.allclose(out[1:], np.diff(np.log(x)))
    answer = lead_lag(x, y, max_lag=4, unit="week", names=("spend", "revenue"))
    assert answer.best_lag == 1 and answer.verdict is Verdict.LEADS
    assert "by 1 week " in answer.text


def test_deseason_removes_weekday_and_trend_of_a_clean_series() -> None:
    t = np.arange(140)
    clean = 100 * (1.002**t) * np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 1.0])[t % 7]
    out, logged = deseason(clean)
    assert logged
    inner = out[3:-3]
    assert np.all(np.isnan(out[:3])) and np.all(np.isnan(out[-3:]))
    assert np.max(np.abs(inner)) < 0.01  # what is left of a clean series is (almost) nothing


def test_deseason_keeps_a_series_with_zeros_unlogged() -> None:
    sends = np.where(np.arange(70) % 7 == 1, 25000.0, 0.0)
    out, logged = deseason(sends)
    assert not logged
    assert np.nanmax(np.abs(out)) < 1e-6  # a pure weekly schedule is all season


def test_cross_correlations_of_a_white_candidate_are_plain_lagged_correlations() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=N)
    y = np.concatenate([[0.0], 0.5 * x[:-1]]) + rng.normal(size=N)
    cc = cross_correlations(x, y, 5)
    assert cc.ar_order == 0  # white noise needs no prewhitening
    for k in range(6):
        direct = np.corrcoef(x[: N - k], y[k:])[0, 1]
        assert cc.r[k] == pytest.approx(direct, abs=0.01), k
    from scipy.stats import norm

    assert cc.bound == pytest.approx(norm.ppf(1 - 0.05 / 12) / np.sqrt(N))  # Bonferroni, 6 lags


def test_the_tests_are_calibrated_on_unrelated_series() -> None:
    """Under "no link" (two independent series with a weekly season, a trend and noise that
    lingers from day to day), a lag beyond the bound and a Granger p below 0.05 each happen in
    about 5 % of cases, and a lead is called in fewer still."""
    rng = np.random.default_rng(8)
    t = np.arange(400)
    season = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 1.0])[t % 7] * (1 + t / 800)
    beyond = small_p = leads = 0
    runs = 200
    for _ in range(runs):
        e1, e2 = rng.normal(size=(2, 402))
        x = 500 * season * np.exp(0.05 * np.convolve(e1, [1.0, 0.7, 0.4], mode="valid"))
        y = 80 * season * np.exp(0.05 * np.convolve(e2, [1.0, 0.5], mode="valid")[1:])
        answer = lead_lag(x, y, max_lag=7)
        cc = answer.correlations
        beyond += bool(np.any(np.abs(cc.r) > cc.bound))
        small_p += answer.granger.p < 0.05
        leads += answer.verdict is Verdict.LEADS
    assert beyond / runs < 0.09
    assert small_p / runs < 0.1
    assert leads / runs < 0.03


def test_granger_agrees_with_statsmodels() -> None:
    from statsmodels.tsa.stattools import grangercausalitytests

    x, y = lagged(np.random.default_rng(9), 2, a=0.2)
    for lag in (1, 2, 4):
        ours = granger(x, y, lag)
        theirs = grangercausalitytests(np.column_stack([y, x]), maxlag=[lag])
        f, p, df_denom, df_num = theirs[lag][0]["ssr_ftest"]
        assert ours.f == pytest.approx(f, rel=1e-8)
        assert ours.p == pytest.approx(p, rel=1e-6, abs=1e-300)
        assert (ours.df_num, ours.df_denom) == (df_num, df_denom)


def test_too_short_a_series_is_an_error() -> None:
    with pytest.raises(ValueError, match="too few points"):
        lead_lag(np.arange(20.0) + 1, np.arange(20.0) + 1, max_lag=7)


@pytest.mark.parametrize(
    ("p", "text"), [(0.0004, "p < 0.001"), (0.0042, "p = 0.004"), (0.031, "p = 0.03")]
)
def test_p_values_are_quoted_as_people_quote_them(p: float, text: str) -> None:
    assert format_p(p) == text
