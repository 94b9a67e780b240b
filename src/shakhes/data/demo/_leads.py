"""Leads: lead-form leads of the platforms and unpaid leads, then qualification and wins.

Platform leads come from the lead-form counts of ``ad_performance`` (Meta, LinkedIn lead
generation campaigns); unpaid channels bring leads in proportion to demand. A lead is qualified
after a geometric delay with a per-channel rate (LinkedIn's leads more often, and worth more);
qualified leads are won after a further delay. Dates after the end are not yet known.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shakhes.data.demo._ads import AdRows
from shakhes.data.demo._arrays import ids, lognormal
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import Campaign
from shakhes.data.demo._media import MEDIA
from shakhes.data.demo._slots import Slots
from shakhes.data.demo._world import (
    BASELINE_LEADS,
    LEAD_QUALIFY_RATE,
    LEAD_VALUE_MEAN,
    LEAD_WIN_RATE,
)


def make_leads(
    rng: np.random.Generator,
    cal: Calendar,
    campaigns: list[Campaign],
    ads: AdRows,
    slots: Slots,
    scale: float,
    currency: str,
) -> dict[str, Any]:
    """The columns of the ``leads`` table."""
    n = cal.n_days
    leads, no_leads = ads.leads
    counts = np.where(no_leads, 0, leads)
    days = [np.repeat(ads.t, counts)]
    slot_parts = [np.repeat(ads.c, counts)]
    for lead_channel, rate in BASELINE_LEADS.items():
        c = rng.poisson(rate * scale * cal.demand)
        d = np.repeat(np.arange(n, dtype=np.int64), c)
        days.append(d)
        slot_parts.append(slots.unpaid(lead_channel, d))
    day = np.concatenate(days)
    slot = np.concatenate(slot_parts)
    order = np.lexsort((rng.random(len(day)), day))
    day, slot = day[order], slot[order]
    k = len(day)
    channel = slots.channel[slot]
    q_rate = np.asarray([LEAD_QUALIFY_RATE.get(str(c), 0.3) for c in slots.channel])[slot]
    is_linkedin = np.asarray(
        [
            i < len(campaigns) and MEDIA[campaigns[i].media].key == "linkedin"
            for i in range(len(slots.pairs))
        ]
    )[slot]
    q_rate = np.where(is_linkedin, 0.45, q_rate)
    q_day = day + rng.geometric(0.2, k) - 1
    qualified = (rng.random(k) < q_rate) & (q_day <= n - 1)
    w_day = q_day + 4 + rng.geometric(1 / 25.0, k)
    won = qualified & (rng.random(k) < LEAD_WIN_RATE) & (w_day <= n - 1)
    mean_value = np.where(is_linkedin, 1.6 * LEAD_VALUE_MEAN, LEAD_VALUE_MEAN)
    value = np.round(mean_value * lognormal(rng, 0.6, k), 2)
    return {
        "lead_id": ids("L", k, 6),
        "created_date": cal.dates[day],
        "channel": channel,
        "campaign": slots.campaign[slot],
        "qualified_date": (cal.dates[np.minimum(q_day, n - 1)], ~qualified),
        "won_date": (cal.dates[np.minimum(w_day, n - 1)], ~won),
        "value": (value, ~won),
        "currency": np.full(k, currency, dtype=object),
    }
