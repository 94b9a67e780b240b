"""The response maths: geometric adstock, Hill saturation and the steady-state helpers.

A media's daily spend ``S_t`` is carried over geometrically (``A_t = S_t + decay·A_{t-1}``) and
saturates along a Hill curve ``A^shape / (A^shape + half_saturation^shape)``; the steady-state
helpers give revenue and marginal revenue when the same spend is spent every day.
"""

from __future__ import annotations

import numpy as np

from shakhes.data.demo._arrays import FloatArray
from shakhes.data.demo._media import Media


def hill(adstock: FloatArray | float, half: float, shape: float) -> FloatArray:
    """The Hill curve A^s / (A^s + K^s) with half saturation K and shape s, in [0, 1)."""
    a = np.power(np.asarray(adstock, dtype=np.float64), shape)
    out: FloatArray = a / (a + half**shape)
    return out


def hill_slope(adstock: float, half: float, shape: float) -> float:
    """d/dA of A^s / (A^s + K^s)."""
    ks = half**shape
    return float(shape * ks * adstock ** (shape - 1) / (adstock**shape + ks) ** 2)


def steady_revenue(spend: float, media: Media, beta: float, half: float) -> float:
    """Incremental revenue per day when ``spend`` is spent every day, at demand 1."""
    return float(beta * hill(spend / (1.0 - media.decay), half, media.shape))


def steady_marginal(spend: float, media: Media, beta: float, half: float) -> float:
    """Derivative of :func:`steady_revenue` with respect to the daily spend."""
    adstock = spend / (1.0 - media.decay)
    return beta * hill_slope(adstock, half, media.shape) / (1.0 - media.decay)


def adstock(spend: FloatArray, decay: float | FloatArray) -> FloatArray:
    """Geometric carry-over along the last axis, warm-started at the steady state of day 0."""
    out = np.empty_like(spend)
    lam = np.asarray(decay, dtype=np.float64)
    prev = spend[..., 0] / (1.0 - lam)
    out[..., 0] = prev
    for t in range(1, spend.shape[-1]):
        prev = spend[..., t] + lam * prev
        out[..., t] = prev
    return out
