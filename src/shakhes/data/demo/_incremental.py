"""What paid media truly causes: incremental orders per media, and what the platforms claim.

Each media's daily spend is carried over (adstock) and saturates along a Hill curve:
``incremental_revenue_t = demand_t · beta · A_t^shape / (A_t^shape + half_saturation^shape)``,
with ``beta`` and ``half_saturation`` chosen so that spending the period's average every day
gives the media's ROAS and saturation at average spend. Incremental orders ~ Poisson(incremental
revenue / average order value); every such order is the first order of a new customer, credited
to a campaign of that media in proportion to the campaign's own adstock. The platforms'
attributed conversions over-claim the expected incremental orders by a per-media factor and
never exceed clicks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shakhes.data.demo._ads import AdRows
from shakhes.data.demo._arrays import FloatArray, IntArray, lognormal
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import CampaignPlan
from shakhes.data.demo._media import MEDIA
from shakhes.data.demo._response import adstock, hill


@dataclass(frozen=True)
class MediaFit:
    """A media's response parameters, fitted to its average daily spend over the period."""

    average_spend: float
    steady_adstock: float
    """Adstock at steady state when the average spend is spent every day."""
    half: float
    beta: float


@dataclass(frozen=True, eq=False)
class PaidResponse:
    """The incremental orders of paid media and the platforms' attributed conversions."""

    fits: list[MediaFit]
    """Per media, in the order of :data:`MEDIA`."""
    expected_revenue: FloatArray
    """Expected incremental revenue per media and day."""
    order_day: IntArray
    order_campaign: IntArray
    order_media: IntArray
    conversions: FloatArray
    """Platform-attributed conversions per ``ad_performance`` row."""
    conversion_value: FloatArray


def respond(
    rng: np.random.Generator,
    cal: Calendar,
    plan: CampaignPlan,
    ads: AdRows,
    conversion_factor: FloatArray,
) -> PaidResponse:
    """Draw the incremental orders of every media and the platforms' conversions per row;
    ``conversion_factor`` (per media and day, 1 but on an incident) multiplies what the
    platforms report, never the true orders."""
    n = cal.n_days
    decays = np.asarray([m.decay for m in MEDIA])
    media_adstock = adstock(ads.media_spend, decays)
    camp_adstock = adstock(ads.camp_spend, decays[plan.media])
    expected_revenue = np.zeros_like(media_adstock)
    fits: list[MediaFit] = []
    order_day: list[IntArray] = []
    order_camp: list[IntArray] = []
    order_media: list[IntArray] = []
    expected_orders = np.zeros_like(media_adstock)
    for m, media in enumerate(MEDIA):
        avg_spend = float(ads.media_spend[m].mean())
        a_ss = avg_spend / (1.0 - media.decay)
        sat = media.saturation_at_average
        half = a_ss * ((1.0 - sat) / sat) ** (1.0 / media.shape)
        beta = media.roas_at_average * avg_spend / sat
        fits.append(MediaFit(avg_spend, a_ss, half, beta))
        expected_revenue[m] = beta * cal.demand * hill(media_adstock[m], half, media.shape)
        expected_orders[m] = expected_revenue[m] / media.aov
        counts = rng.poisson(expected_orders[m]).astype(np.int64)
        days = np.repeat(np.arange(n, dtype=np.int64), counts)
        camps = np.flatnonzero(plan.media == m)
        weights = camp_adstock[camps][:, days]
        cum = np.cumsum(weights, axis=0)
        u = rng.random(len(days)) * cum[-1]
        pick = np.minimum((cum < u).sum(axis=0), len(camps) - 1)
        order_day.append(days)
        order_camp.append(camps[pick].astype(np.int64))
        order_media.append(np.full(len(days), m, dtype=np.int64))

    # Platform-attributed conversions: over-claimed expected orders split by row cost.
    share = ads.cost / ads.media_spend[ads.m, ads.t]
    overclaim = np.asarray([m.overclaim for m in MEDIA])[ads.m]
    conv = overclaim * expected_orders[ads.m, ads.t] * share
    conv = conv * lognormal(rng, 0.3, len(conv))
    conv = np.minimum(np.round(conv, 2), ads.clicks.astype(np.float64))
    conv = np.round(conv * conversion_factor[ads.m, ads.t], 2)
    aov = np.asarray([m.aov for m in MEDIA])[ads.m]
    return PaidResponse(
        fits=fits,
        expected_revenue=expected_revenue,
        order_day=np.concatenate(order_day),
        order_campaign=np.concatenate(order_camp),
        order_media=np.concatenate(order_media),
        conversions=conv,
        conversion_value=np.round(conv * aov * lognormal(rng, 0.1, len(conv)), 2),
    )
