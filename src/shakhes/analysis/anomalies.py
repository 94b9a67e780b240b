"""Anomalies: days on which a KPI breaks from what its recent weeks lead one to expect.

**Expected value.** A day's expected value is a *weekday profile* times a *recent level*, both
from the days before it only, both robust (medians, so that an odd day in the history does not
move them): the profile is the median of each weekday over the last :data:`PROFILE_DAYS` days
(eight of each weekday), scaled to average 1; the level is the median of the last
:data:`LEVEL_DAYS` days, each divided by its weekday's profile. A series with zeros or negative
values (a KPI that can be negative, a send schedule) uses the same model additively: profile
offsets, level plus offset.

**Spread.** How far a day falls from its expected value is its *residual* — relative (value ÷
expected − 1) or, for the additive model, absolute. Its usual size is the robust standard
deviation of the residuals of the last :data:`PROFILE_DAYS` days, each against its own
expected value: 1.4826 × their median absolute deviation (the standard deviation, for normal
noise, that one extraordinary day cannot inflate). A day's **z** is its residual over that
spread; it is an anomaly when ``|z| ≥`` :data:`THRESHOLD`. Severity: ``low`` below 6,
``medium`` below 10, ``high`` from 10 (:data:`SEVERITY`).

**Ratio KPIs** (CTR, CPA, conversion rate) are judged on the ratio, with its denominator's
support: a ratio over few clicks or little spend swings more, so a day whose denominator is
below the median of the last :data:`PROFILE_DAYS` days has its ``z`` shrunk by
√(denominator ÷ that median) — a day with a quarter of the usual clicks needs twice the usual
deviation — and a day without denominator is not judged. A day above the median is never
made more anomalous than the spread says.

**What explains it.** The same model runs on each value of a dimension (each channel,
platform or campaign): an additive KPI's value explains its own deviation from its expected
value; for a ratio KPI, value ``v`` with share ``s_v`` of the denominator (expected ``ŝ_v``)
and ratio ``q_v`` (expected ``q̂_v``) explains ``s_v·(q_v − q̂_v) + (s_v − ŝ_v)·(q̂_v − q̂)``:
its own ratio moving, and its weight moving between values with different ratios (the two sum
to the total ratio's deviation from ``q̂ = Σ ŝ_v·q̂_v``). :func:`explain` names the value that
explains most of the total deviation, in the finest dimension where one value explains at
least :data:`EXPLAINS` of it. Placeholder values (``(none)``, ``(not set)``) lump unrelated
rows together and are never named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = npt.NDArray[np.float64]

PROFILE_DAYS = 56
"""Days of history behind the weekday profile and the spread (eight of each weekday)."""
LEVEL_DAYS = 7
"""Days of history behind the recent level: a week, so that the level follows a budget change
or a sale within days (a median of seven still ignores a few odd days among them)."""
MIN_HISTORY = 28
"""Fewest known days (and past residuals) a day needs before it is judged."""
THRESHOLD = 4.0
"""``|z|`` from which a day is an anomaly: four robust standard deviations."""
SEVERITY = ((10.0, "high"), (6.0, "medium"), (THRESHOLD, "low"))
"""Severity by ``|z|``: the first band whose bound ``|z|`` reaches."""
CONFIRM_DAYS = 7
"""Days after a break that tell a one-off from a new level."""
SHIFT_Z = 2.0
SHIFT_KEEPS = 2 / 3
"""A break is a new level when the median z of the following days, against the old
expectation, is at least :data:`SHIFT_Z` and at least this share of the day's own z."""
SETTLING = 1.5
"""How many times as far as a new level's first day a day in its first week must break to be
an anomaly of its own."""
EXPLAINS = 0.5
"""Share of a deviation one dimension value must explain to be named in a finer dimension."""
PLACEHOLDERS = frozenset({"(none)", "(not set)", ""})
"""Dimension values that mean "no value": never named as what explains an anomaly."""
MIN_ACTIVE = 8
"""Fewest residuals other than 0 a spread is measured on."""
MAD_TO_SD = 1.4826
MEAN_AD_TO_SD = 1.2533
"""Robust standard deviation from the mean absolute deviation, used when more than half of
the residuals are exactly equal (then the median absolute deviation is 0)."""


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, eq=False)
class Baseline:
    """A series' expected value, residual and z per day (NaN where not judged)."""

    values: FloatArray
    expected: FloatArray
    residual: FloatArray
    """value ÷ expected − 1 (multiplicative) or value − expected (additive)."""
    spread: FloatArray
    z: FloatArray
    multiplicative: bool
    level: FloatArray
    profile: FloatArray
    """Per day, the weekday profile its expected value used: column ``c`` is the weekday of
    the day ``c`` days later (shape: days × 7)."""

    def persistence(self, t: int, days: int = CONFIRM_DAYS) -> float | None:
        """The median z, on the spread of day ``t``, of the ``days`` days after ``t`` against
        what day ``t``'s level and profile expected of them: how far the series *stayed* from
        the old expectation. None when fewer than half of those days are known."""
        later = self.values[t + 1 : t + 1 + days]
        cols = np.arange(1, len(later) + 1) % 7
        old = self.level[t] * self.profile[t, cols] if self.multiplicative else None
        with np.errstate(all="ignore"):
            if old is not None:
                resid = later / old - 1.0
            else:
                resid = later - (self.level[t] + self.profile[t, cols])
            known = resid[np.isfinite(resid)]
        if len(known) < (days + 1) // 2 or not np.isfinite(self.spread[t]):
            return None
        return float(np.median(known) / self.spread[t])


class Kind(StrEnum):
    """A one-off break, or the start of a new level that the following days keep."""

    ANOMALY = "anomaly"
    SHIFT = "shift"


@dataclass(frozen=True)
class Anomaly:
    """A day that breaks from its expected value."""

    index: int
    """Position of the day in the series."""
    value: float
    expected: float
    z: float
    kind: Kind = Kind.ANOMALY

    @property
    def change(self) -> float:
        """Size of the break in the KPI's unit: value − expected."""
        return self.value - self.expected

    @property
    def change_pct(self) -> float | None:
        """Size of the break as a fraction of the expected value (None when that is 0)."""
        return self.value / self.expected - 1.0 if self.expected else None

    @property
    def direction(self) -> Direction:
        return Direction.UP if self.z > 0 else Direction.DOWN

    @property
    def severity(self) -> str:
        return severity(self.z)


@dataclass(frozen=True)
class Explanation:
    """The dimension value that explains most of a day's deviation."""

    dimension: str
    value: str
    change: float
    """The part of the total deviation it explains, in the KPI's unit."""
    share: float
    """That part as a fraction of the total deviation (above 1 when others moved the other
    way)."""


def severity(z: float) -> str:
    """The severity band of ``z`` (see :data:`SEVERITY`); ``none`` below the threshold."""
    for bound, name in SEVERITY:
        if abs(z) >= bound:
            return name
    return "none"


def _windows(y: FloatArray, days: int) -> FloatArray:
    """Row ``t``: the ``days`` values before day ``t`` (NaN before the series starts)."""
    padded = np.concatenate([np.full(days, np.nan), y])
    out: FloatArray = sliding_window_view(padded, days)[: len(y)]
    return out


def _median(a: FloatArray, axis: int) -> FloatArray:
    """The median of the known values along ``axis`` (NaN where none is known): numpy's
    ``nanmedian``, many times faster on many short rows (NaN sorts last)."""
    a = np.moveaxis(a, axis, -1)
    ordered = np.sort(a, axis=-1)
    k = np.isfinite(a).sum(axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((k - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(k // 2, 0)[..., None], -1)[..., 0]
    out: FloatArray = np.where(k > 0, (lo + hi) / 2, np.nan)
    return out


def _robust_sd(rows: FloatArray) -> FloatArray:
    """Robust standard deviation of each row's known values (NaN with too few).

    Residuals of exactly 0 — a day on which nothing was expected and nothing happened, in a
    schedule of sends — say nothing about the spread and are left out; at least
    :data:`MIN_ACTIVE` others must remain."""
    known = np.isfinite(rows)
    active = known & (rows != 0)
    picked = np.where(active, rows, np.nan)
    with np.errstate(all="ignore"):  # rows without a known value
        med = _median(picked, 1)[:, None]
        dev = np.abs(picked - med)
        mad = MAD_TO_SD * _median(dev, 1)
        mean_ad = MEAN_AD_TO_SD * _mean(dev)
    out = np.where(mad > 0, mad, mean_ad)
    too_few = (known.sum(axis=1) < MIN_HISTORY) | (active.sum(axis=1) < MIN_ACTIVE)
    out[too_few | ~(out > 0)] = np.nan
    result: FloatArray = out
    return result


def _mean(rows: FloatArray) -> FloatArray:
    """The mean of each row's known values (NaN where none is known), as numpy's ``nanmean``
    computes it (the sum with the unknown values as 0, over their count) but without its
    warning for a row with none: a warning can only be silenced through the warnings module,
    whose filters are the whole process's and not safe to change from the server's threads
    (NumPy's floating-point state, ``np.errstate``, is the thread's own)."""
    known = ~np.isnan(rows)
    with np.errstate(all="ignore"):  # 0 / 0: NaN
        out: FloatArray = np.sum(np.where(known, rows, 0.0), axis=1) / known.sum(axis=1)
    return out


def _multiplicative(rows: FloatArray) -> npt.NDArray[np.bool_]:
    """Per row: whether its series uses the multiplicative model (some value known and every
    known value above 0). Decided over the whole row, so that all its days use the same model."""
    known = np.isfinite(rows)
    return np.asarray(known.any(axis=-1) & (~known | (rows > 0)).all(axis=-1))


def _model(hist: FloatArray, *, multiplicative: bool) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Expected value, level and weekday profile (see the module docstring) of the days whose
    histories are ``hist`` (shape ``(..., PROFILE_DAYS)``: the days before each, oldest first,
    NaN where unknown). The expected value is NaN where the history is too short or the
    value is not a usable one (not above 0 for the multiplicative model)."""
    weeks = hist.reshape(*hist.shape[:-1], PROFILE_DAYS // 7, 7)  # column c: weekday of t + c
    cols = np.arange(LEVEL_DAYS) % 7  # the last LEVEL_DAYS days' weekdays, as columns
    recent = hist[..., PROFILE_DAYS - LEVEL_DAYS :]
    with np.errstate(all="ignore"):  # days without history
        by_weekday = _median(weeks, -2)  # (..., 7)
        enough = (np.isfinite(weeks).sum(axis=-2) >= 2).all(axis=-1)
        enough &= np.isfinite(hist).sum(axis=-1) >= MIN_HISTORY
        mean = by_weekday.mean(axis=-1, keepdims=True)
        if multiplicative:
            profile = by_weekday / mean
            level = _median(recent / profile[..., cols], -1)
            expected = level * profile[..., 0]
        else:
            profile = by_weekday - mean
            level = _median(recent - profile[..., cols], -1)
            expected = level + profile[..., 0]
    bad = ~enough | ~np.isfinite(expected)
    if multiplicative:
        bad |= ~(expected > 0)
    expected[bad] = np.nan
    return expected, level, profile


def expected_at(rows: npt.ArrayLike, days: Sequence[int]) -> FloatArray:
    """Each row's expected value on each of ``days`` (positions in the rows), shape
    ``(rows, days)``: what :func:`baseline` of the row gives on those days, computed for those
    days only and for all rows at once. Each row's model (multiplicative or additive) is
    decided over the whole row, as :func:`baseline` decides it.

    >>> y = np.tile([10.0, 12, 11, 10, 9, 6, 5], 12)
    >>> expected_at(np.array([y, y - 5]), [70, 72]).round(6).tolist()
    [[10.0, 11.0], [5.0, 6.0]]
    """
    y = np.asarray(rows, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError(f"rows must be a 2-d array (rows × days), not {y.ndim}-d")
    t = np.asarray(days, dtype=np.int64)
    if t.size and not (t.min() >= 0 and t.max() < y.shape[1]):
        raise ValueError(f"days must be positions in the rows (0 to {y.shape[1] - 1})")
    padded = np.concatenate([np.full((len(y), PROFILE_DAYS), np.nan), y], axis=1)
    hist = padded[:, t[:, None] + np.arange(PROFILE_DAYS)]  # (rows, days, PROFILE_DAYS)
    out = np.full((len(y), len(t)), np.nan)
    multiplicative = _multiplicative(y)
    for model in (True, False):
        chosen = multiplicative == model
        if chosen.any():
            out[chosen] = _model(hist[chosen], multiplicative=model)[0]
    return out


def baseline(values: npt.ArrayLike, denominator: npt.ArrayLike | None = None) -> Baseline:
    """Expected value, residual, spread and z of every day of ``values`` (see the module
    docstring). Unknown values are NaN. With ``denominator`` (a ratio KPI's, per day),
    ``values`` are the ratios and z takes the denominator's support into account.

    >>> week = np.array([10.0, 12, 11, 10, 9, 6, 5])
    >>> y = np.tile(week, 12) * np.random.default_rng(0).lognormal(0.0, 0.05, 84)
    >>> y[80] = 20.0
    >>> b = baseline(y)
    >>> round(float(b.expected[80]), 1), bool(np.isnan(b.z[40])), [a.index for a in find(b)]
    (9.8, True, [80])
    """
    y = np.asarray(values, dtype=np.float64).copy()
    multiplicative = bool(_multiplicative(y[None, :])[0])
    expected, level, profile = _model(_windows(y, PROFILE_DAYS), multiplicative=multiplicative)
    with np.errstate(all="ignore"):  # days not judged: NaN expected
        residual = y / expected - 1.0 if multiplicative else y - expected
    spread = _robust_sd(_windows(residual, PROFILE_DAYS))
    z = residual / spread
    if denominator is not None:
        den = np.asarray(denominator, dtype=np.float64)
        with np.errstate(all="ignore"):
            usual = _median(_windows(np.where(den > 0, den, np.nan), PROFILE_DAYS), 1)
            support = np.sqrt(np.clip(den / usual, 0.0, 1.0))
        z = z * support
        z[~(den > 0)] = np.nan
    return Baseline(y, expected, residual, spread, z, multiplicative, level, profile)


def find(base: Baseline, *, since: int = 0, threshold: float = THRESHOLD) -> list[Anomaly]:
    """The days from position ``since`` on whose ``|z|`` reaches ``threshold``, in order.

    A day whose following :data:`CONFIRM_DAYS` days stay away from its expectation, the same
    way, by at least :data:`SHIFT_Z` spreads and :data:`SHIFT_KEEPS` of its own z, starts a new
    level (:attr:`Kind.SHIFT`). In the :data:`CONFIRM_DAYS` days after a new level began, while
    the expected level catches up with it, a day that breaks the same way belongs to it and is
    not reported, unless it breaks :data:`SETTLING` times as far. Days too recent to tell are
    anomalies."""
    z = base.z
    hits = np.flatnonzero(np.nan_to_num(np.abs(z), nan=0.0) >= threshold)
    out: list[Anomaly] = []
    shift: Anomaly | None = None
    for t in (int(t) for t in hits):
        stay = base.persistence(t)
        kept = stay * np.sign(z[t]) if stay is not None else 0.0
        is_shift = kept >= SHIFT_Z and kept >= SHIFT_KEEPS * abs(z[t])
        kind = Kind.SHIFT if is_shift else Kind.ANOMALY
        found = Anomaly(t, float(base.values[t]), float(base.expected[t]), float(z[t]), kind)
        settling = (
            shift is not None
            and shift.index >= t - CONFIRM_DAYS
            and shift.direction is found.direction
            and abs(found.z) < SETTLING * abs(shift.z)
        )
        if settling:
            continue
        if is_shift:
            shift = found
        if t >= since:
            out.append(found)
    return out


def ratio_values(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """numerator ÷ denominator per day, NaN where the denominator is 0 or unknown."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(all="ignore"):
        out: FloatArray = np.where(den != 0, num / den, np.nan)
    return out


@dataclass(frozen=True, eq=False)
class Breakdown:
    """The parts of one dimension (its values) with their expected values on some days, ready
    to say how much of each of those days' deviation each part explains (:meth:`at`)."""

    names: list[str]
    days: list[int]
    """The days (positions in the parts' series) it can tell about: the columns below."""
    values: FloatArray
    """Per part and day: an additive KPI's value, or a ratio KPI's ratio."""
    expected: FloatArray
    denominator: FloatArray | None
    expected_denominator: FloatArray | None

    def at(self, t: int) -> dict[str, float]:
        """How much of day ``t``'s deviation each part explains (see the module docstring), in
        the KPI's unit. A part without history expects nothing (additive) or the parts'
        expected ratio (ratio). ``t`` must be one of :attr:`days`."""
        if t not in self.days:
            raise ValueError(f"day {t} is not one of the breakdown's days")
        j = self.days.index(t)
        if self.denominator is None or self.expected_denominator is None:
            change = self.values[:, j] - np.nan_to_num(self.expected[:, j])
            return {
                name: float(c) for name, c in zip(self.names, np.nan_to_num(change), strict=True)
            }
        q, q_hat = self.values[:, j], self.expected[:, j]
        d_now = np.nan_to_num(self.denominator[:, j])
        d_hat = np.nan_to_num(self.expected_denominator[:, j])
        s = d_now / d_now.sum() if d_now.sum() > 0 else np.zeros(len(self.names))
        s_hat = d_hat / d_hat.sum() if d_hat.sum() > 0 else s
        known = np.isfinite(q_hat)
        weight = float(np.sum(s_hat[known]))
        fallback = float(np.sum(s_hat[known] * q_hat[known]) / weight) if weight > 0 else 0.0
        q_hat = np.where(known, q_hat, fallback)
        q_hat_total = float(np.sum(s_hat * q_hat))
        own = np.where(s > 0, s * (np.nan_to_num(q) - q_hat), 0.0)
        mix = (s - s_hat) * (q_hat - q_hat_total)
        return {name: float(a + b) for name, a, b in zip(self.names, own, mix, strict=True)}


def breakdown(
    names: Sequence[str],
    values: npt.ArrayLike,
    denominator: npt.ArrayLike | None = None,
    *,
    days: Sequence[int] | None = None,
) -> Breakdown:
    """The :class:`Breakdown` of the parts ``names``, whose series over the same days are the
    rows of ``values`` (an additive KPI's values, or a ratio KPI's numerators with their
    ``denominator``), on ``days`` (positions in the series; None: every day). Only those days'
    expected values are computed (:func:`expected_at`): a page asks what explains a few days.

    >>> flat = np.full(70, 10.0) * np.random.default_rng(1).lognormal(0.0, 0.05, 70)
    >>> jump = flat.copy()
    >>> jump[65] += 30.0
    >>> parts = breakdown(["search", "social"], [jump, flat], days=[65])
    >>> {k: round(v) for k, v in parts.at(65).items()}
    {'search': 30, 'social': 0}
    """
    rows = np.asarray(values, dtype=np.float64)
    if rows.ndim != 2 or len(rows) != len(names):
        raise ValueError(f"values must have one row per name ({len(names)}), not {rows.shape}")
    asked = list(range(rows.shape[1])) if days is None else [int(t) for t in days]
    if denominator is None:
        return Breakdown(list(names), asked, rows[:, asked], expected_at(rows, asked), None, None)
    den = np.asarray(denominator, dtype=np.float64).reshape(rows.shape)
    ratios = ratio_values(rows, den)
    return Breakdown(
        list(names),
        asked,
        ratios[:, asked],
        expected_at(ratios, asked),
        den[:, asked],
        expected_at(den, asked),
    )


def explain(
    by_dimension: Sequence[tuple[str, dict[str, float]]], total_change: float
) -> Explanation | None:
    """The value that explains most of ``total_change`` (see the module docstring), from the
    contributions of each dimension's values, finest dimension first."""
    if not total_change:
        return None
    best: Explanation | None = None
    for dimension, parts in by_dimension:
        named = {v: c for v, c in parts.items() if v not in PLACEHOLDERS}
        if not named:
            continue
        value = max(named, key=lambda v: named[v] * np.sign(total_change))
        found = Explanation(dimension, value, named[value], named[value] / total_change)
        if found.share >= EXPLAINS:
            return found
        if found.share > 0 and (best is None or found.share > best.share):
            best = found
    return best


def day_of(start: dt.date, index: int) -> dt.date:
    """The date of position ``index`` of a series that starts on ``start``."""
    return start + dt.timedelta(days=index)
