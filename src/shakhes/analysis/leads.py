"""Leading and lagging: does one KPI move before another, by how many days, and how surely?

Two KPIs that both follow the season, the weekday and a growing trend look linked whether or
not one drives the other. So every test here runs on what is left once those are removed, and
compares a candidate's movements with the lagging KPI's movements some days later.

**De-seasoning** (:func:`deseason`). A series of positive values is first taken in logs (so a
weekday that is 20 % busier is the same step at any volume); a series with zeros or negative
values stays as it is. Daily series: minus a centred 7-day mean (the trend, the time of year,
budget levels — a week, so that budget changes, campaign starts and sales, which often start
together across channels, are taken out within days instead of faking links between the KPIs
they all move), minus the mean of what is left on each weekday (the weekly season). Weekly
series: week-on-week differences. The first and last three days (the first week) have no
centred mean and are left out. Values beyond :data:`CLIP` robust standard deviations are
pulled back to it, so that one extraordinary day (a budget typo, an outage) cannot make or
break a link.

**Cross-correlations** (:func:`cross_correlations`). The candidate's de-seasoned series is
*prewhitened*: an autoregression (order chosen by AIC, up to :data:`MAX_AR_ORDER`) predicts each
day from the days before, and only its surprises are kept; the lagging series goes through the
same filter. The correlation of the candidate's surprises with the lagging series ``k`` days
later, ``r_k`` for k = 0 … N, then estimates how strongly a surprise moves the lagging KPI after
``k`` days, and under "no link" each ``r_k`` is about Normal(0, 1/n): the significance bound
is ``z / √n`` with ``z`` the two-sided 5 % quantile after a Bonferroni correction for the N + 1
lags looked at (for n = 720 days and N = 7: ±0.104). Without prewhitening, two series that
merely drift slowly show large correlations at every lag.

**Granger test** (:func:`granger`). Null hypothesis: the candidate's last N values (every lag
looked at) add nothing to forecasting the lagging KPI beyond the lagging KPI's own past. An F
test compares the two least-squares regressions (with a constant) on the prewhitened series,
with as many of the lagging KPI's own past values as AIC chooses (at least N, at most
:data:`MAX_AR_ORDER`). Both choices keep the test honest: on the de-seasoned series with only
N own values, or at the lag where the correlation happened to be largest, it finds a link
between independent series one time in eight or ten instead of one in twenty.
A small p-value says the candidate's past helps forecast the lagging KPI. It cannot tell a
same-day link from a lagged one (a same-day link to a predictable candidate also helps
forecast), which is what the cross-correlations are for; nor a cause from a common cause.

**Verdict** (:func:`lead_lag`), with the best lag the one with the largest ``|r_k|``:

* ``leads`` — best lag ≥ 1, its ``r`` beyond the bound and Granger p < 0.05;
* ``same_day`` — best lag 0 and ``r_0`` beyond the bound: the two move together on the
  same day (a lead of less than a day, or a common cause);
* ``weak`` — only one of the two tests finds something;
* ``none`` — neither does: no evidence that the candidate leads.

A negative ``r`` means more of the candidate goes with less of the lagging KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

ALPHA = 0.05
"""Significance level of the verdict's tests (the cross-correlations' before Bonferroni)."""
CLIP = 5.0
"""De-seasoned values are pulled back to this many robust standard deviations: one
extraordinary day (a budget typo, an outage) cannot make or break a link on its own."""
MAX_AR_ORDER = 14
"""Longest autoregression the prewhitening may fit (two weeks of days)."""
MIN_POINTS = 30
"""Fewest de-seasoned points a test needs."""


class Verdict(StrEnum):
    """What the tests say about a candidate (see the module docstring)."""

    LEADS = "leads"
    SAME_DAY = "same_day"
    WEAK = "weak"
    NONE = "none"


@dataclass(frozen=True, eq=False)
class CrossCorrelation:
    """Prewhitened cross-correlations ``r[k]`` of a candidate with a lagging series ``k`` steps
    later, and the bound beyond which one is significant."""

    r: FloatArray
    bound: float
    n: int
    """Points the correlations are computed over."""
    ar_order: int
    """Order of the prewhitening autoregression."""

    @property
    def best_lag(self) -> int:
        """The lag with the largest ``|r|`` (the smallest such lag on a tie)."""
        return int(np.argmax(np.abs(self.r)))

    def significant(self, lag: int) -> bool:
        return bool(abs(self.r[lag]) > self.bound)


@dataclass(frozen=True)
class GrangerTest:
    """The F test of "the candidate's last ``lag`` values add nothing" (see :func:`granger`)."""

    lag: int
    """How many of the candidate's past values the test adds."""
    own_lags: int
    """How many of the lagging series' own past values both regressions hold."""
    f: float
    p: float
    df_num: int
    df_denom: int


@dataclass(frozen=True, eq=False)
class LeadLag:
    """The whole answer for one candidate and one lagging KPI."""

    candidate: str
    lagging: str
    unit: str
    """``day`` or ``week``: what a lag counts."""
    correlations: CrossCorrelation
    granger: GrangerTest
    verdict: Verdict
    text: str
    """The verdict in plain words."""
    log_candidate: bool
    log_lagging: bool
    """Whether each series was taken in logs before de-seasoning."""

    @property
    def best_lag(self) -> int:
        return self.correlations.best_lag

    @property
    def r(self) -> float:
        """The cross-correlation at the best lag."""
        return float(self.correlations.r[self.best_lag])


def deseason(values: npt.ArrayLike, period: int | None = 7) -> tuple[FloatArray, bool]:
    """The series with its trend and season removed (see the module docstring), and whether
    it was taken in logs. ``period``: 7 for days, None for weeks (differences).

    Unknown values (NaN, e.g. a ratio on a day without a denominator) stay NaN; the edges
    without a centred mean are NaN.

    >>> out, logged = deseason([2.0, 4.0] * 10, period=2)
    >>> logged, bool(np.allclose(out[1:-1], 0.0))
    (True, True)
    """
    y = np.asarray(values, dtype=np.float64)
    known = np.isfinite(y)
    logged = bool(known.any() and np.all(y[known] > 0))
    if logged:
        y = np.log(np.where(known, y, 1.0))
        y[~known] = np.nan
    if period is None:
        out = np.full(len(y), np.nan)
        out[1:] = np.diff(y)
        return out, logged
    trend = _centred_mean(y, period)
    rest = y - trend
    out = np.full(len(y), np.nan)
    for phase in range(period):
        sel = slice(phase, None, period)
        part = rest[sel]
        if np.isfinite(part).any():
            out[sel] = part - np.nanmean(part)
    return _clip(out), logged


def _clip(z: FloatArray) -> FloatArray:
    """``z`` with values beyond :data:`CLIP` robust standard deviations (1.4826 × the median
    absolute deviation) from the median pulled back to that distance."""
    known = z[np.isfinite(z)]
    if len(known) == 0:
        return z
    mid = float(np.median(known))
    sd = 1.4826 * float(np.median(np.abs(known - mid)))
    if sd <= 0:
        return z
    out: FloatArray = np.clip(z, mid - CLIP * sd, mid + CLIP * sd)
    return out


def _centred_mean(y: FloatArray, period: int) -> FloatArray:
    """The mean of each day's ``period`` days centred on it (an even period: the usual
    2 × period moving average), NaN at the edges or when fewer than half are known."""
    n = len(y)
    half = period // 2
    weights = np.ones(period + (1 if period % 2 == 0 else 0))
    if period % 2 == 0:
        weights[0] = weights[-1] = 0.5
    known = np.isfinite(y)
    sums = np.convolve(np.where(known, y, 0.0), weights, mode="same")
    counts = np.convolve(known.astype(np.float64), weights, mode="same")
    out = np.full(n, np.nan)
    ok = counts >= weights.sum() / 2
    out[ok] = sums[ok] / counts[ok]
    out[:half] = np.nan
    out[n - half :] = np.nan
    return out


def _usable(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The stretch from the first to the last day where both are known, unknown days inside
    it set to 0 (an ordinary day, once de-seasoned)."""
    both = np.isfinite(x) & np.isfinite(y)
    if not both.any():
        return np.zeros(0), np.zeros(0)
    idx = np.flatnonzero(both)
    lo, hi = idx[0], idx[-1] + 1
    return np.nan_to_num(x[lo:hi]), np.nan_to_num(y[lo:hi])


def _lags(z: FloatArray, p: int) -> FloatArray:
    """The matrix of z's values 1 … p steps back, for the points from p on."""
    n = len(z)
    return np.column_stack([z[p - i : n - i] for i in range(1, p + 1)]) if p else np.zeros((n, 0))


def _ols_rss(target: FloatArray, regressors: FloatArray) -> float:
    """Residual sum of squares of ``target`` on ``regressors`` and a constant."""
    design = np.column_stack([np.ones(len(target)), regressors])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ coef
    return float(resid @ resid)


def ar_order(x: FloatArray, max_order: int = MAX_AR_ORDER) -> int:
    """The order of autoregression (0 … ``max_order``) with the lowest AIC, all orders fitted
    on the same points."""
    n = len(x)
    max_order = max(0, min(max_order, n // 10))
    target = x[max_order:]
    best, best_aic = 0, np.inf
    for p in range(max_order + 1):
        rss = _ols_rss(target, _lags(x, p)[max_order - p :])
        aic = len(target) * np.log(max(rss, 1e-300) / len(target)) + 2 * (p + 1)
        if aic < best_aic - 1e-9:
            best, best_aic = p, aic
    return best


def prewhiten(x: FloatArray, y: FloatArray, order: int) -> tuple[FloatArray, FloatArray]:
    """``x``'s surprises under its AR(``order``) fit, and ``y`` through the same filter."""
    if order == 0:
        return x - x.mean(), y - y.mean()
    lags = _lags(x, order)
    design = np.column_stack([np.ones(len(lags)), lags])
    coef, *_ = np.linalg.lstsq(design, x[order:], rcond=None)
    phi = coef[1:]
    return x[order:] - lags @ phi - coef[0], y[order:] - _lags(y, order) @ phi


def cross_correlations(
    x: npt.ArrayLike, y: npt.ArrayLike, max_lag: int, *, alpha: float = ALPHA
) -> CrossCorrelation:
    """Prewhitened cross-correlations of ``x`` with ``y`` 0 … ``max_lag`` steps later, on
    de-seasoned series of equal length (unknown points count as 0).

    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=500)
    >>> y = np.concatenate([np.zeros(3), 0.8 * x[:-3]]) + rng.normal(size=500)
    >>> cross_correlations(x, y, 6).best_lag
    3
    """
    xs, ys = _usable(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    if len(xs) - max_lag < MIN_POINTS:
        raise ValueError(f"too few points ({len(xs)}) for lags up to {max_lag}")
    order = ar_order(xs)
    xw, yw = prewhiten(xs, ys, order)
    n = len(xw)
    xc, yc = xw - xw.mean(), yw - yw.mean()
    scale = n * xc.std() * yc.std()
    r = np.zeros(max_lag + 1)
    if scale > 0:
        for k in range(max_lag + 1):
            r[k] = float(xc[: n - k] @ yc[k:]) / scale
    z = NormalDist().inv_cdf(1 - alpha / (2 * (max_lag + 1)))
    return CrossCorrelation(r=r, bound=z / np.sqrt(n), n=n, ar_order=order)


def granger(
    x: npt.ArrayLike, y: npt.ArrayLike, lag: int, *, own_lags: int | None = None
) -> GrangerTest:
    """F test of the null "``x``'s last ``lag`` values add nothing to forecasting ``y`` beyond
    ``y``'s own last ``own_lags`` values" (least squares with a constant). ``own_lags``: by
    default ``lag``, as statsmodels' ``grangercausalitytests`` (its ``ssr_ftest``)."""
    from scipy.special import fdtrc

    if lag < 1:
        raise ValueError("a Granger test needs a lag of at least 1")
    own = lag if own_lags is None else own_lags
    xs, ys = _usable(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    first = max(lag, own)
    target = ys[first:]
    mine = _lags(ys, own)[first - own :]
    both = np.column_stack([mine, _lags(xs, lag)[first - lag :]])
    df_denom = len(target) - own - lag - 1
    if df_denom < MIN_POINTS:
        raise ValueError(f"too few points ({len(xs)}) for a Granger test at lag {lag}")
    rss_r = _ols_rss(target, mine)
    rss_u = _ols_rss(target, both)
    if rss_u <= 0:
        f = np.inf if rss_r > 0 else 0.0
    else:
        f = max((rss_r - rss_u) / lag / (rss_u / df_denom), 0.0)
    p = 0.0 if np.isinf(f) else float(fdtrc(lag, df_denom, f))
    return GrangerTest(lag=lag, own_lags=own, f=float(f), p=p, df_num=lag, df_denom=df_denom)


def lead_lag(
    candidate: npt.ArrayLike,
    lagging: npt.ArrayLike,
    *,
    max_lag: int,
    unit: str = "day",
    names: tuple[str, str] = ("x", "y"),
    alpha: float = ALPHA,
) -> LeadLag:
    """Does ``candidate`` lead ``lagging``? Both are raw series of the same days (or weeks),
    de-seasoned here; ``names`` word the verdict.

    >>> rng = np.random.default_rng(3)
    >>> x = 100 + rng.normal(0, 5, 400)
    >>> y = 50 + 0.5 * np.concatenate([np.full(2, 100.0), x[:-2]]) + rng.normal(0, 2, 400)
    >>> answer = lead_lag(x, y, max_lag=5, names=("clicks", "orders"))
    >>> answer.verdict.value, answer.best_lag
    ('leads', 2)
    """
    if unit not in ("day", "week"):
        raise ValueError(f"unknown unit '{unit}'")
    period = 7 if unit == "day" else None
    x, log_x = deseason(candidate, period)
    y, log_y = deseason(lagging, period)
    cc = cross_correlations(x, y, max_lag, alpha=alpha)
    xs, ys = _usable(x, y)
    xw, yw = prewhiten(xs, ys, cc.ar_order)
    test = granger(xw, yw, max_lag, own_lags=max(max_lag, ar_order(yw)))
    verdict = _verdict(cc, test, alpha)
    return LeadLag(
        candidate=names[0],
        lagging=names[1],
        unit=unit,
        correlations=cc,
        granger=test,
        verdict=verdict,
        text=_words(verdict, cc, test, names, unit),
        log_candidate=log_x,
        log_lagging=log_y,
    )


def _verdict(cc: CrossCorrelation, test: GrangerTest, alpha: float) -> Verdict:
    lag = cc.best_lag
    correlated = cc.significant(lag)
    granger_says = test.p < alpha
    if correlated and lag == 0:
        return Verdict.SAME_DAY
    if correlated and granger_says:
        return Verdict.LEADS
    if correlated or granger_says:
        return Verdict.WEAK
    return Verdict.NONE


def format_p(p: float) -> str:
    """A p-value as people quote one: ``p < 0.001``, ``p = 0.03``, ``p = 0.42``."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _span(k: int, unit: str) -> str:
    return f"{k} {unit}" + ("" if k == 1 else "s")


def _words(
    verdict: Verdict,
    cc: CrossCorrelation,
    test: GrangerTest,
    names: tuple[str, str],
    unit: str,
) -> str:
    x, y = names
    lag = cc.best_lag
    r = float(cc.r[lag])
    stats = f"r = {r:.2f}, Granger {format_p(test.p)}"
    opposite = " (in the opposite direction: more of one, less of the other)" if r < 0 else ""
    if verdict is Verdict.LEADS:
        return f"{x} leads {y} by {_span(lag, unit)}{opposite} ({stats})"
    if verdict is Verdict.SAME_DAY:
        when = "on the same day" if unit == "day" else "in the same week"
        return f"{x} and {y} move together {when}{opposite} ({stats}); no lead"
    if verdict is Verdict.WEAK:
        if cc.significant(lag):
            why = (
                f"a correlation {_span(lag, unit)} later, but {x}'s past does not help forecast {y}"
            )
        else:
            why = f"{_possessive(x)} past helps forecast {y}, but no lag's correlation stands out"
        return f"weak evidence that {x} leads {y}: {why} ({stats})"
    return (
        f"no evidence that {x} leads {y} (largest r = {r:.2f} at {_span(lag, unit)}, "
        f"within ±{cc.bound:.2f}; Granger {format_p(test.p)})"
    )
