"""Forecasts of what a KPI's days still to come will add up to, with an honest spread.

**The model.** A day's expected value is a *level* times the day's weight in the KPI's
:class:`~shakhes.analysis.pacing.Profile` (day of week, time of year). The level is the volume
of the last :data:`~shakhes.analysis.pacing.LEVEL_DAYS` days divided by their weights, a day
``k`` days back counting 0.5^(k / :data:`HALF_LIFE`): recent enough to follow a budget change
within days, long enough to average out a day's noise (the backtest's Brier score was about 6 %
better than with 28 equal days, and flat between half-lives of 4 and 10 days). The forecast of
a span of days is the level times the span's weights.

**The spread comes from the model's own track record.** At every earlier day of the history
(an *origin*) the same model, with the level measured up to that day, forecast the same kind of
span (as far ahead, as long); each origin gives one ratio actual ÷ forecast. The forecast of the
span now, times each of those ratios, is one possible outcome: their spread is the spread of
outcomes, including what a day's noise cannot show — budget changes, paused campaigns, sales —
as often as they happened before. It grows with the horizon by itself, needs no distribution
assumption, and is deterministic. Several series forecast jointly (a ratio KPI's numerator and
denominator) take their ratios from the *same* origins, so outcomes keep the series' correlation.
The point forecast is the model's; the outcomes' median (what tracking reports) also corrects
the model's usual bias (a level that lags a trend).

The time of year needs last year's shape, which the history's first year does not have: there
the track record reads the shape a year *later* instead (another year's shape, just as good a
stand-in), so that with 13 months of history the record still spans the seasons. The time of
year is used only when its track record for the span is full; else the day of week alone.

When the history is too short for :data:`MIN_ORIGINS` origins of the full span, the track record
of the longest span that has them (at least :data:`MIN_SCALED_HORIZON` days) is widened by
√(days ahead ÷ its days) — a level that wanders like a random walk; below that, days of the
history are resampled (a bootstrap of days, the same days for every series, seeded from the
inputs), for the spread of the days to come and of the level's estimate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from shakhes.analysis.pacing import LEVEL_DAYS, Pacing, Profile, estimate_profile
from shakhes.analysis.series import DailySeries, FloatArray

MIN_ORIGINS = 28
"""Fewest earlier forecasts of a span (as far ahead, as long) that make a track record."""
MIN_SCALED_HORIZON = 7
"""Shortest span whose track record may be widened to a longer one."""
HALF_LIFE = 7.0
"""Days back at which a day counts half as much in the level as the latest day."""
BOOTSTRAP_PATHS = 2000
"""Resampled outcomes when the history is too short for a track record."""


class Spread(StrEnum):
    """Where a forecast's spread came from (see the module docstring)."""

    TRACK_RECORD = "track_record"
    SCALED_TRACK_RECORD = "scaled_track_record"
    BOOTSTRAP = "bootstrap"


@dataclass(frozen=True, eq=False)
class SpanForecast:
    """What the days ``first..last`` of one series may add up to.

    ``point`` is the model's forecast; ``outcomes`` are equally likely totals (the point times
    each ratio of the track record). The outcomes of series forecast together line up: the
    i-th of each comes from the same origin or the same resampled days. ``profile`` is the
    profile the forecast used (the one pacing should use too)."""

    first: dt.date
    last: dt.date
    point: float
    outcomes: FloatArray
    spread: Spread
    profile: Profile


def forecast_span(
    history: DailySeries, first: dt.date, last: dt.date, *, level_days: int = LEVEL_DAYS
) -> SpanForecast:
    """The total of ``history``'s KPI over ``first..last``, days after the history's end.

    >>> s = DailySeries(dt.date(2025, 1, 1), np.full(120, 10.0))
    >>> f = forecast_span(s, dt.date(2025, 5, 1), dt.date(2025, 5, 10))
    >>> f.point, float(f.outcomes.min()), float(f.outcomes.max()), f.spread.value
    (100.0, 100.0, 100.0, 'track_record')
    """
    (span,) = _forecast([history], first, last, level_days)
    return span


def forecast_ratio(
    numerator: DailySeries,
    denominator: DailySeries,
    first: dt.date,
    last: dt.date,
    *,
    level_days: int = LEVEL_DAYS,
) -> tuple[SpanForecast, SpanForecast]:
    """Joint forecasts of a ratio KPI's numerator and denominator totals over ``first..last``:
    the i-th outcomes of both come from the same origin, so they keep their correlation."""
    n_span, d_span = _forecast([numerator, denominator], first, last, level_days)
    return n_span, d_span


def _forecast(
    histories: Sequence[DailySeries], first: dt.date, last: dt.date, level_days: int
) -> list[SpanForecast]:
    """Joint forecasts of the series' totals over ``first..last``.

    With a year of history there are two candidate profiles, with and without the time of
    year. The time of year is used when its track record for this span is full
    (:data:`MIN_ORIGINS` origins), so that its spread is known; else the day of week alone
    (its track record reaches further back); when neither has a full track record, the day of
    week alone with a shorter one or a bootstrap."""
    start, end = histories[0].start, histories[0].end
    if any(h.start != start or h.end != end for h in histories):
        raise ValueError("the series must cover the same days")
    n = len(histories[0].values)
    if n == 0:
        raise ValueError("a forecast needs at least one day of history")
    gap = (first - end).days - 1
    horizon = (last - first).days + 1
    if gap < 0 or horizon < 1:
        raise ValueError(f"{first} to {last} is not a span of days after {end}")
    ys = [h.values for h in histories]
    candidates = [[estimate_profile(h, last) for h in histories]]
    if any(p.kind == Pacing.SEASONAL for p in candidates[0]):
        candidates.append([estimate_profile(h, last, seasonal=False) for h in histories])
    for profiles in candidates:
        ratios = _rows(_record(ys, profiles, gap, horizon, level_days))
        if len(ratios) >= MIN_ORIGINS:
            spread = Spread.TRACK_RECORD
            break
    else:  # with the simplest profile
        weights = [p.weights for p in profiles]
        short, spread = _short_record(ys, weights, gap, horizon, level_days)
        if short is None:
            short = _bootstrap(ys, weights, gap, horizon, _seed(histories, first, last))
        ratios = short
    return [
        SpanForecast(
            first,
            last,
            point := _today(y, p.weights, level_days) * _weight(p.weights, n + gap, horizon),
            point * ratios[:, i],
            spread,
            p,
        )
        for i, (y, p) in enumerate(zip(ys, profiles, strict=True))
    ]


def _levels(y: FloatArray, p: FloatArray, days: int) -> FloatArray:
    """The level at every day of the history: volume per unit of weight over the ``days``
    days up to it, the older days weighing less (half-life :data:`HALF_LIFE`); NaN where the
    window has no weight or a day of unknown weight (the first days count what there is)."""
    n = len(y)
    known = ~np.isnan(p[:n])
    kernel = 0.5 ** (np.arange(days) / HALF_LIFE)
    volume = np.convolve(np.where(known, y, 0.0), kernel)[:n]
    weight = np.convolve(np.where(known, p[:n], 0.0), kernel)[:n]
    unknown = np.convolve((~known).astype(float), np.ones(days))[:n]
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where((weight > 0) & (unknown == 0), volume / weight, np.nan)
    return out


def _today(y: FloatArray, p: FloatArray, days: int) -> float:
    """The level at the history's last day (0 when there is no weight to measure it by)."""
    level = float(_levels(y, p, days)[-1])
    return level if math.isfinite(level) else 0.0


def _weight(p: FloatArray, first: int, days: int) -> float:
    return float(p[first : first + days].sum())


def _record(
    ys: Sequence[FloatArray], profiles: Sequence[Profile], gap: int, horizon: int, level_days: int
) -> FloatArray:
    """The track record of a forecast with ``profiles``: at each origin, with the time of year
    read a year before, or — where that is not in the history — a year after (each origin
    reads one of them for all its days and series, so that their scales never mix)."""
    ratios = _ratios(ys, [p.weights for p in profiles], gap, horizon, level_days)
    mirrors = [p.mirror for p in profiles]
    if any(m is None for m in mirrors):
        return ratios
    other = _ratios(ys, mirrors, gap, horizon, level_days)  # type: ignore[arg-type]
    missing = np.isnan(ratios).any(axis=1)
    ratios[missing] = other[missing]
    return ratios


def _short_record(
    ys: Sequence[FloatArray], ps: Sequence[FloatArray], gap: int, horizon: int, level_days: int
) -> tuple[FloatArray | None, Spread]:
    """The track record of the longest shorter span that has one, widened to this span; None
    when even a short span has too few origins."""
    for short in range(horizon - 1, MIN_SCALED_HORIZON - 1, -1):
        ratios = _rows(_ratios(ys, ps, 0, short, level_days))
        if len(ratios) >= MIN_ORIGINS:
            widen = math.sqrt((gap + horizon) / short)
            return np.maximum(1.0 + (ratios - 1.0) * widen, 0.0), Spread.SCALED_TRACK_RECORD
    return None, Spread.BOOTSTRAP


def _ratios(
    ys: Sequence[FloatArray], ps: Sequence[FloatArray], gap: int, horizon: int, level_days: int
) -> FloatArray:
    """Actual ÷ forecast at every origin from day ``level_days - 1`` on (rows: origins,
    columns: series); a row is NaN where a series had no level, no known profile or no
    positive forecast."""
    n = len(ys[0])
    origins = np.arange(level_days - 1, n - gap - horizon)
    if len(origins) == 0:
        return np.zeros((0, len(ys)))
    columns, valid = [], np.ones(len(origins), dtype=bool)
    for y, p in zip(ys, ps, strict=True):
        known = ~np.isnan(p[:n])
        cp = np.concatenate([[0.0], np.cumsum(np.where(known, p[:n], 0.0))])
        cn = np.concatenate([[0], np.cumsum(~known)])
        cy = np.concatenate([[0.0], np.cumsum(y)])
        a, b = origins + gap + 1, origins + gap + horizon + 1  # the span ahead: days a..b-1
        level = _levels(y, p, level_days)[origins]
        with np.errstate(divide="ignore", invalid="ignore"):
            forecast = level * (cp[b] - cp[a])
            ratio = (cy[b] - cy[a]) / forecast
        valid &= ~np.isnan(level) & (cn[b] - cn[a] == 0) & (forecast > 0)
        columns.append(ratio)
    out: FloatArray = np.column_stack(columns)
    out[~valid] = np.nan
    return out


def _rows(ratios: FloatArray) -> FloatArray:
    """The origins of a track record where every series had a forecast."""
    out: FloatArray = ratios[~np.isnan(ratios).any(axis=1)]
    return out


def _bootstrap(
    ys: Sequence[FloatArray], ps: Sequence[FloatArray], gap: int, horizon: int, seed: int
) -> FloatArray:
    """Ratios outcome ÷ forecast from resampled days of the history: the days ahead resampled
    (their noise) times the level re-estimated from resampled history (its uncertainty); the
    same days for every series."""
    n = len(ys[0])
    known = np.ones(n, dtype=bool)
    for p in ps:
        known &= ~np.isnan(p[:n]) & (p[:n] > 0)
    days = np.flatnonzero(known)
    if len(days) == 0:
        return np.ones((1, len(ys)))
    rng = np.random.default_rng(seed)
    ahead = rng.integers(0, len(days), size=(BOOTSTRAP_PATHS, horizon))
    again = rng.integers(0, len(days), size=(BOOTSTRAP_PATHS, len(days)))
    columns = []
    for y, p in zip(ys, ps, strict=True):
        yk, pk = y[days], p[:n][days]
        level = yk.sum() / pk.sum()
        if level <= 0:
            columns.append(np.ones(BOOTSTRAP_PATHS))
            continue
        residual = yk / (level * pk)
        future = p[n + gap : n + gap + horizon]
        noise = (residual[ahead] * future).sum(axis=1) / future.sum() if future.sum() > 0 else 1.0
        relevel = (yk[again].sum(axis=1) / pk[again].sum(axis=1)) / level
        columns.append(noise * relevel)
    out: FloatArray = np.column_stack(columns)
    return out


def _seed(histories: Sequence[DailySeries], first: dt.date, last: dt.date) -> int:
    """A seed from the inputs, so the same question always gets the same answer."""
    digest = hashlib.blake2b(digest_size=8)
    for h in histories:
        digest.update(h.start.isoformat().encode())
        digest.update(np.ascontiguousarray(h.values).tobytes())
    digest.update(f"{first.isoformat()}/{last.isoformat()}".encode())
    return int.from_bytes(digest.digest(), "little")
