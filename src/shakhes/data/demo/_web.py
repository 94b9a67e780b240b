"""Web traffic (GA4 style): sessions per day, source, campaign and device, with revenue.

Paid sessions are ~86 % of clicks; organic sources follow demand; email sessions follow email
clicks; GA4 revenue is 93 % of the shop revenue of the same day, channel and campaign, split
over rows by sessions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shakhes.data.demo._ads import AdRows
from shakhes.data.demo._arrays import FloatArray, lognormal, strings
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import CampaignPlan
from shakhes.data.demo._email import Email
from shakhes.data.demo._media import MEDIA
from shakhes.data.demo._orders import Orders
from shakhes.data.demo._slots import Slots
from shakhes.data.demo._world import (
    DEVICES,
    GA4_REVENUE_COVERAGE,
    ORGANIC_SOURCES,
    PAID_SESSION_RATE,
    WEB_BEHAVIOUR,
)


def web_traffic(
    rng: np.random.Generator,
    cal: Calendar,
    plan: CampaignPlan,
    ads: AdRows,
    email: Email,
    slots: Slots,
    orders: Orders,
    scale: float,
    currency: str,
    session_factor: dict[str, FloatArray],
) -> dict[str, Any]:
    """The columns of the ``web_traffic`` table; ``session_factor`` (per unpaid channel and
    day, 1 but on an incident) multiplies that channel's sessions."""
    n = cal.n_days
    n_c = len(plan.campaigns)
    n_s = len(slots.pairs)
    # Paid: sessions from clicks per campaign-day.
    key = ads.c * n + ads.t
    clicks = np.bincount(key, ads.clicks.astype(np.float64), n_c * n).astype(np.int64)
    active_key = np.flatnonzero(plan.active.reshape(-1))
    c_of = active_key // n
    t_of = active_key % n
    sessions = rng.binomial(clicks[active_key], PAID_SESSION_RATE)
    dev = np.zeros((len(active_key), 3), dtype=np.int64)
    for m, media in enumerate(MEDIA):
        sel = plan.media[c_of] == m
        dev[sel] = rng.multinomial(sessions[sel], media.device_mix)
    paid_day = np.repeat(t_of, 3)
    paid_slot = np.repeat(c_of, 3)
    paid_source = np.repeat(plan.media[c_of], 3)  # media index = source index
    paid_device = np.tile(np.arange(3, dtype=np.int64), len(active_key))
    paid_sessions = dev.reshape(-1)

    # Unpaid sources.
    sources = [(m.source, m.medium) for m in MEDIA]
    o_day, o_slot, o_src, o_dev, o_sess = [], [], [], [], []
    all_days = np.arange(n, dtype=np.int64)
    unpaid_mix = {
        "organic_search": (0.42, 0.53, 0.05),
        "direct": (0.50, 0.44, 0.06),
        "organic_social": (0.12, 0.85, 0.03),
        "referral": (0.45, 0.50, 0.05),
        "email": (0.35, 0.60, 0.05),
    }
    unpaid = [*ORGANIC_SOURCES, ("newsletter", "email", "email", 0.0)]
    for source, medium, src_channel, base in unpaid:
        sources.append((source, medium))
        if src_channel == "email":
            mean = email.session_mean
        else:
            mean = base * scale * cal.demand * lognormal(rng, 0.08, n)
        if src_channel in session_factor:
            mean = mean * session_factor[src_channel]
        total = rng.poisson(mean)
        split = rng.multinomial(total, unpaid_mix[src_channel])
        o_day.append(np.repeat(all_days, 3))
        o_slot.append(np.repeat(slots.unpaid(src_channel, all_days), 3))
        o_src.append(np.full(3 * n, len(sources) - 1, dtype=np.int64))
        o_dev.append(np.tile(np.arange(3, dtype=np.int64), n))
        o_sess.append(split.reshape(-1))
    day = np.concatenate([paid_day, *o_day])
    slot = np.concatenate([paid_slot, *o_slot])
    src = np.concatenate([paid_source, *o_src])
    device = np.concatenate([paid_device, *o_dev])
    sess = np.concatenate([paid_sessions, *o_sess]).astype(np.int64)
    keep = sess > 0
    day, slot, src, device, sess = day[keep], slot[keep], src[keep], device[keep], sess[keep]
    order = np.lexsort((device, slot, src, day))
    day, slot, src, device, sess = (
        day[order],
        slot[order],
        src[order],
        device[order],
        sess[order],
    )
    k = len(day)

    # GA4 revenue and key events: the shop's orders of the same day × slot, split by sessions.
    skey = day * n_s + slot
    sess_sum = np.bincount(skey, sess.astype(np.float64), n * n_s)
    okey = orders.day * n_s + orders.slot
    rev_sum = np.bincount(okey, orders.revenue, n * n_s)
    cnt_sum = np.bincount(okey, None, n * n_s)
    share = sess / sess_sum[skey]
    revenue = np.round(share * rev_sum[skey] * GA4_REVENUE_COVERAGE, 2)
    ga4_orders = share * cnt_sum[skey] * GA4_REVENUE_COVERAGE
    key_events = np.floor(ga4_orders + rng.random(k)).astype(np.int64)
    key_events += rng.binomial(sess, 0.008)

    channel = slots.channel[slot]
    behaviour = np.asarray([WEB_BEHAVIOUR[str(c)] for c in slots.channel])[slot]
    engaged = rng.binomial(sess, behaviour[:, 0])
    users = 1 + rng.binomial(sess - 1, 0.82)
    new_users = rng.binomial(users, behaviour[:, 1])
    page_views = sess + rng.poisson(sess * (behaviour[:, 2] - 1.0))
    src_arr = strings([s for s, _ in sources])
    med_arr = strings([m for _, m in sources])
    return {
        "date": cal.dates[day],
        "source": src_arr[src],
        "medium": med_arr[src],
        "channel": channel,
        "campaign": slots.campaign[slot],
        "device": strings(list(DEVICES))[device],
        "sessions": sess,
        "engaged_sessions": engaged.astype(np.int64),
        "users": users.astype(np.int64),
        "new_users": new_users.astype(np.int64),
        "page_views": page_views.astype(np.int64),
        "key_events": key_events,
        "revenue": revenue,
        "currency": np.full(k, currency, dtype=object),
    }
