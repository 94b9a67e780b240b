"""Ad delivery: the ad groups and ads of every campaign and the rows of ``ad_performance``.

A campaign's spend is split over 2–3 ad groups (and, on ad-level platforms, 1–2 ads; ``ad`` is
null where the export is at ad-group level). Impressions = cost / CPM, clicks ~ Binomial
(impressions, CTR); reach ≤ impressions, video views (YouTube, TikTok), engagements (social)
and lead-form leads (Meta, LinkedIn) where the platform reports them. The platforms' attributed
conversions come from the response model (:mod:`shakhes.data.demo._incremental`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shakhes.data.demo._arrays import (
    BoolArray,
    FloatArray,
    IntArray,
    ObjArray,
    lognormal,
    strings,
)
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import CampaignPlan
from shakhes.data.demo._media import MEDIA

Nullable = tuple[IntArray, BoolArray]
"""Values and their null mask (True where the platform does not report the metric)."""


@dataclass(frozen=True, eq=False)
class _Units:
    """Ad groups (and ads) of every campaign (index ``u``) with their share of its spend."""

    camp: IntArray
    group: ObjArray
    ad: ObjArray
    weight: FloatArray
    cpm: FloatArray
    ctr: FloatArray


@dataclass(frozen=True, eq=False)
class AdRows:
    """The delivered rows of ``ad_performance``: one per active ad unit and day."""

    t: IntArray
    u: IntArray
    c: IntArray
    m: IntArray
    cost: FloatArray
    impressions: IntArray
    clicks: IntArray
    reach: Nullable
    video_views: Nullable
    engagements: Nullable
    leads: Nullable
    media_spend: FloatArray
    """Delivered spend per media and day."""
    camp_spend: FloatArray
    """Delivered spend per campaign and day."""
    unit_group: ObjArray
    unit_ad: ObjArray


def deliver_ads(
    rng: np.random.Generator, cal: Calendar, plan: CampaignPlan, ctr_factor: FloatArray
) -> AdRows:
    """Split the planned spend over ad units and draw what the platforms report per row;
    ``ctr_factor`` (per media and day, 1 but on an incident) multiplies the CTR."""
    units = _units(rng, plan)
    n = cal.n_days
    unit_active = plan.active[units.camp]  # (U, T)
    t_idx, u_idx = np.nonzero(unit_active.T)
    t_idx = t_idx.astype(np.int64)
    u_idx = u_idx.astype(np.int64)
    c_idx = units.camp[u_idx]
    m_idx = plan.media[c_idx]
    n_rows = len(t_idx)
    cost = plan.spend[c_idx, t_idx] * units.weight[u_idx]
    cost = np.maximum(np.round(cost * lognormal(rng, 0.2, n_rows), 2), 0.01)
    n_m, n_c = len(MEDIA), len(plan.campaigns)
    spend = np.bincount(m_idx * n + t_idx, cost, n_m * n).astype(np.float64)
    media_spend: FloatArray = spend.reshape(n_m, n)
    spend = np.bincount(c_idx * n + t_idx, cost, n_c * n).astype(np.float64)
    camp_spend: FloatArray = spend.reshape(n_c, n)

    cpm = np.asarray([m.cpm for m in MEDIA])[m_idx] * units.cpm[u_idx]
    cpm = cpm * np.sqrt(cal.yearly[t_idx]) * lognormal(rng, 0.12, n_rows)
    impressions = np.round(cost / cpm * 1000.0).astype(np.int64)
    ctr = np.asarray([m.ctr for m in MEDIA])[m_idx] * units.ctr[u_idx]
    ctr = np.clip(ctr * lognormal(rng, 0.15, n_rows) * ctr_factor[m_idx, t_idx], 0.0, 0.5)
    clicks = rng.binomial(impressions, ctr).astype(np.int64)

    has_reach = np.asarray([m.has_reach for m in MEDIA])[m_idx]
    frequency = 1.0 + rng.gamma(2.0, 0.35, n_rows)
    reach = np.floor(impressions / frequency).astype(np.int64)

    def optional_rate(rates: list[float | None], n_trials: IntArray) -> Nullable:
        has = np.asarray([r is not None for r in rates])[m_idx]
        p = np.asarray([r or 0.0 for r in rates])[m_idx] * lognormal(rng, 0.2, n_rows)
        values = rng.binomial(n_trials, np.clip(p, 0.0, 1.0)).astype(np.int64)
        return np.where(has, values, 0), ~has

    video_views = optional_rate([m.video_view_rate for m in MEDIA], impressions)
    engagements = optional_rate([m.engagement_rate for m in MEDIA], impressions)
    lead_gen = np.asarray([c.lead_gen for c in plan.campaigns])[c_idx]
    leads, no_leads = optional_rate([m.lead_rate for m in MEDIA], clicks)
    return AdRows(
        t=t_idx,
        u=u_idx,
        c=c_idx,
        m=m_idx,
        cost=cost,
        impressions=impressions,
        clicks=clicks,
        reach=(reach, ~has_reach),
        video_views=video_views,
        engagements=engagements,
        leads=(np.where(lead_gen, leads, 0), no_leads),
        media_spend=media_spend,
        camp_spend=camp_spend,
        unit_group=units.group,
        unit_ad=units.ad,
    )


def _units(rng: np.random.Generator, plan: CampaignPlan) -> _Units:
    unit_camp: list[int] = []
    unit_group: list[str] = []
    unit_ad: list[str | None] = []
    unit_weight: list[float] = []
    for c, camp in enumerate(plan.campaigns):
        media = MEDIA[camp.media]
        n_groups = int(rng.integers(2, 4))
        groups = rng.choice(len(media.ad_groups), size=n_groups, replace=False)
        shares = rng.dirichlet(np.full(n_groups, 3.0))
        for g, share in zip(groups, shares, strict=True):
            if media.max_ads == 0:
                unit_camp.append(c)
                unit_group.append(media.ad_groups[int(g)])
                unit_ad.append(None)
                unit_weight.append(float(share))
                continue
            n_ads = int(rng.integers(1, media.max_ads + 1))
            ads = rng.choice(len(media.ads), size=n_ads, replace=False)
            ad_shares = rng.dirichlet(np.full(n_ads, 4.0))
            for a, ad_share in zip(ads, ad_shares, strict=True):
                unit_camp.append(c)
                unit_group.append(media.ad_groups[int(g)])
                unit_ad.append(media.ads[int(a)])
                unit_weight.append(float(share * ad_share))
    n_u = len(unit_camp)
    ad_arr: ObjArray = np.empty(n_u, dtype=object)
    ad_arr[:] = unit_ad
    return _Units(
        camp=np.asarray(unit_camp, dtype=np.int64),
        group=strings(unit_group),
        ad=ad_arr,
        weight=np.asarray(unit_weight, dtype=np.float64),
        cpm=lognormal(rng, 0.15, n_u),
        ctr=lognormal(rng, 0.25, n_u),
    )


def ad_table(
    rows: AdRows,
    cal: Calendar,
    plan: CampaignPlan,
    conversions: FloatArray,
    conversion_value: FloatArray,
    currency: str,
) -> dict[str, Any]:
    """The columns of ``ad_performance``, with the platforms' attributed conversions."""
    n_rows = len(rows.t)
    media_platform = strings([m.platform for m in MEDIA])
    media_account = strings([m.account for m in MEDIA])
    media_channel = strings([m.channel for m in MEDIA])
    camp_id = strings([c.campaign_id for c in plan.campaigns])
    camp_name = strings([c.name for c in plan.campaigns])
    return {
        "date": cal.dates[rows.t],
        "platform": media_platform[rows.m],
        "account": media_account[rows.m],
        "channel": media_channel[rows.m],
        "campaign_id": camp_id[rows.c],
        "campaign": camp_name[rows.c],
        "ad_group": rows.unit_group[rows.u],
        "ad": rows.unit_ad[rows.u],
        "currency": np.full(n_rows, currency, dtype=object),
        "impressions": rows.impressions,
        "clicks": rows.clicks,
        "cost": rows.cost,
        "conversions": conversions,
        "conversion_value": conversion_value,
        "reach": rows.reach,
        "video_views": rows.video_views,
        "engagements": rows.engagements,
        "leads": rows.leads,
    }
