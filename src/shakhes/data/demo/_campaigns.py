"""The campaign plan: which campaigns run on which days and what they plan to spend.

Campaigns start, stop, pause and run seasonal sale windows; a paused campaign has no rows.
Spend per campaign and day = budget weight × piecewise-constant budget changes × the media's
weekday pacing × (yearly × trend)^0.7 × noise, rescaled so that each media spends its daily
budget on average.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shakhes.data.demo._arrays import BoolArray, FloatArray, IntArray, lognormal
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._media import CAMPAIGNS, MEDIA
from shakhes.data.demo._world import SPEND_FOLLOWS_DEMAND


@dataclass(frozen=True)
class Campaign:
    """One campaign of :data:`CAMPAIGNS` with its drawn id; ``media`` indexes :data:`MEDIA`."""

    media: int
    campaign_id: str
    name: str
    schedule: str
    weight: float
    lead_gen: bool


@dataclass(frozen=True, eq=False)
class CampaignPlan:
    """The campaigns (index ``c``, in the order of :data:`CAMPAIGNS`) and their planned spend."""

    campaigns: list[Campaign]
    active: BoolArray
    """Whether campaign ``c`` runs on day ``t``, shape (campaigns, days)."""
    media: IntArray
    """The media index of each campaign."""
    spend_weekday: FloatArray
    """Spend pacing per media and day of the week (Mon..Sun), mean 1 per media."""
    spend: FloatArray
    """Planned spend per campaign and day, before the noise of delivery."""


def plan_campaigns(rng: np.random.Generator, cal: Calendar, scale: float) -> CampaignPlan:
    """Draw the campaigns' ids, schedules and planned spend."""
    campaigns, active = _schedule(rng, cal)
    camp_media = np.asarray([c.media for c in campaigns], dtype=np.int64)
    spend_weekday, spend = _spend(rng, cal, campaigns, active, camp_media, scale)
    return CampaignPlan(campaigns, active, camp_media, spend_weekday, spend)


def _schedule(rng: np.random.Generator, cal: Calendar) -> tuple[list[Campaign], BoolArray]:
    media_index = {m.key: i for i, m in enumerate(MEDIA)}
    campaigns: list[Campaign] = []
    active = np.zeros((len(CAMPAIGNS), cal.n_days), dtype=np.bool_)
    first_of_media: set[int] = set()
    for c, (mkey, name, schedule, weight, lead_gen) in enumerate(CAMPAIGNS):
        m = media_index[mkey]
        media = MEDIA[m]
        number = int(rng.integers(10**7, 10**8))
        cid = f"{media.id_prefix}{number}{c:02d}"
        campaigns.append(Campaign(m, cid, name, schedule, weight, lead_gen))
        kind, _, arg = schedule.partition(":")
        n = cal.n_days
        if kind == "always":
            active[c] = True
            if m in first_of_media:
                for _ in range(int(rng.integers(0, 3))):
                    p0 = int(rng.integers(0, n - 30))
                    active[c, p0 : p0 + int(rng.integers(5, 26))] = False
            first_of_media.add(m)
        elif kind == "window":
            active[c] = cal.window_mask(arg)
        elif kind == "launch":
            active[c, int(n * (float(arg) + rng.uniform(-0.05, 0.05))) :] = True
        elif kind == "stop":
            active[c, : int(n * (float(arg) + rng.uniform(-0.05, 0.05)))] = True
        else:  # pragma: no cover - the table above is fixed
            raise AssertionError(schedule)
    return campaigns, active


def _spend(
    rng: np.random.Generator,
    cal: Calendar,
    campaigns: list[Campaign],
    active: BoolArray,
    camp_media: IntArray,
    scale: float,
) -> tuple[FloatArray, FloatArray]:
    n_c, n = len(campaigns), cal.n_days
    season = (cal.yearly * cal.trend) ** SPEND_FOLLOWS_DEMAND
    weekday = np.asarray([m.spend_weekday for m in MEDIA], dtype=np.float64)
    weekday /= weekday.mean(axis=1, keepdims=True)
    spend = np.zeros((n_c, n))
    days = np.arange(n)
    for c, camp in enumerate(campaigns):
        k = int(rng.poisson(n / 45.0))
        points = np.sort(rng.integers(1, n, size=k))
        steps = np.concatenate([[0.0], np.cumsum(rng.normal(0.0, 0.22, size=k))])
        level = np.exp(np.clip(steps, np.log(0.45), np.log(2.2)))
        budget = level[np.searchsorted(points, days, side="right")]
        spend[c] = camp.weight * budget * weekday[camp.media][cal.dow] * season
    spend *= lognormal(rng, 0.15, (n_c, n)) * active
    for m, media in enumerate(MEDIA):
        rows = camp_media == m
        total = spend[rows].sum(axis=0).mean()
        spend[rows] *= media.daily_spend * scale / total
    return weekday, spend
