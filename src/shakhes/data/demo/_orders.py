"""Customers and orders: first orders from paid media and the baseline, then repeat orders.

Every incremental order of paid media is the first order of a new customer. Organic search,
direct, referral, organic social and email bring new customers in proportion to demand; email
also turns a share of its clicks into new customers over the days after a send.
Repeat orders come from existing customers (Poisson per plan, thinned by demand) until they
churn (exponential time to churn with a per-plan monthly hazard), via direct, email or organic
search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shakhes.data.demo._arrays import FloatArray, IntArray, ids, lognormal, strings
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._incremental import PaidResponse
from shakhes.data.demo._media import MEDIA
from shakhes.data.demo._slots import Slots
from shakhes.data.demo._world import (
    BASELINE_AOV,
    BASELINE_NEW_CUSTOMERS,
    BASELINE_PLAN_MIX,
    DAYS_PER_MONTH,
    EMAIL_CLICK_TO_NEW_CUSTOMER,
    EMAIL_PURCHASE_DELAY,
    PLAN_AOV,
    PLAN_CHURN_HAZARD,
    PLAN_REPEAT_RATE,
    PLANS,
    REPEAT_CHANNEL_MIX,
)


@dataclass(frozen=True, eq=False)
class Orders:
    """The ``orders`` and ``customers`` tables and what other tables need from them."""

    orders_table: dict[str, Any]
    customers_table: dict[str, Any]
    day: IntArray
    """Day, slot and revenue of every order, in the rows' order."""
    slot: IntArray
    revenue: FloatArray
    first_slot: IntArray
    """Slot and revenue of every customer's first order, in the customers' order."""
    first_revenue: FloatArray


def take_orders(
    rng: np.random.Generator,
    cal: Calendar,
    paid: PaidResponse,
    slots: Slots,
    email_clicks: FloatArray,
    scale: float,
    currency: str,
) -> Orders:
    """Draw the customers, their plans and churn, and every first and repeat order.

    ``email_clicks`` are the clicks of each day's email sends: a share of them become new
    customers over the following days (:data:`EMAIL_PURCHASE_DELAY`)."""
    n = cal.n_days
    # First orders: paid (from the response model) and baseline.
    days = [paid.order_day]
    slot_parts = [paid.order_campaign]  # campaign index == slot index for paid slots
    aov = [np.asarray([m.aov for m in MEDIA])[paid.order_media]]
    mix = [np.asarray([m.plan_mix for m in MEDIA])[paid.order_media]]
    for channel, rate in BASELINE_NEW_CUSTOMERS.items():
        mean = rate * scale * cal.demand
        if channel == "email":
            mean = mean + email_new_customers(email_clicks)
        counts = rng.poisson(mean)
        d = np.repeat(np.arange(n, dtype=np.int64), counts)
        days.append(d)
        slot_parts.append(slots.unpaid(channel, d))
        aov.append(np.full(len(d), BASELINE_AOV))
        mix.append(np.tile(np.asarray(BASELINE_PLAN_MIX), (len(d), 1)))
    first_day = np.concatenate(days)
    order = np.lexsort((rng.random(len(first_day)), first_day))
    first_day = first_day[order]
    first_slot = np.concatenate(slot_parts)[order]
    first_aov = np.concatenate(aov)[order]
    plan_mix = np.concatenate(mix)[order]
    n_cust = len(first_day)
    plan = (rng.random(n_cust)[:, None] > np.cumsum(plan_mix, axis=1)[:, :-1]).sum(axis=1)
    plan = plan.astype(np.int64)
    first_rev = np.round(first_aov * lognormal(rng, 0.5, n_cust), 2)

    hazard = np.asarray(PLAN_CHURN_HAZARD)[plan]
    life = np.maximum(np.ceil(rng.exponential(DAYS_PER_MONTH / hazard)), 1).astype(np.int64)
    churn_day = first_day + life
    churned = churn_day <= n - 1
    value_mult = lognormal(rng, 0.3, n_cust)
    monthly_value = np.round(
        np.asarray(PLAN_REPEAT_RATE)[plan] * np.asarray(PLAN_AOV)[plan] * value_mult, 2
    )

    # Repeat orders strictly after the first order and before churn, thinned by demand.
    last = np.where(churned, churn_day - 1, n - 1)
    window = np.maximum(last - first_day, 0)
    dmax = float(cal.demand.max())
    rate = np.asarray(PLAN_REPEAT_RATE)[plan] * dmax
    n_rep = rng.poisson(rate * window / DAYS_PER_MONTH)
    cust = np.repeat(np.arange(n_cust, dtype=np.int64), n_rep)
    rep_day = first_day[cust] + 1 + np.floor(rng.random(len(cust)) * window[cust])
    rep_day = rep_day.astype(np.int64)
    keep = rng.random(len(cust)) < cal.demand[rep_day] / dmax
    cust, rep_day = cust[keep], rep_day[keep]
    n_r = len(cust)
    rep_rev = np.asarray(PLAN_AOV)[plan[cust]] * value_mult[cust]
    rep_rev = np.round(rep_rev * lognormal(rng, 0.4, n_r), 2)
    channels = list(REPEAT_CHANNEL_MIX)
    probs = np.cumsum(list(REPEAT_CHANNEL_MIX.values()))
    ch = np.minimum(np.searchsorted(probs, rng.random(n_r) * probs[-1], side="right"), 2)
    rep_slot = np.zeros(n_r, dtype=np.int64)
    for i, channel in enumerate(channels):
        sel = ch == i
        rep_slot[sel] = slots.unpaid(channel, rep_day[sel])

    o_day = np.concatenate([first_day, rep_day])
    o_cust = np.concatenate([np.arange(n_cust, dtype=np.int64), cust])
    o_slot = np.concatenate([first_slot, rep_slot])
    o_rev = np.concatenate([first_rev, rep_rev])
    o_new = np.concatenate([np.ones(n_cust, dtype=np.bool_), np.zeros(n_r, dtype=np.bool_)])
    order = np.lexsort((rng.random(len(o_day)), o_day))
    o_day, o_cust, o_slot, o_rev, o_new = (
        o_day[order],
        o_cust[order],
        o_slot[order],
        o_rev[order],
        o_new[order],
    )
    cust_ids = ids("C", n_cust, 6)
    cur = np.full(len(o_day), currency, dtype=object)
    orders_table = {
        "order_id": ids("ORD-", len(o_day), 7),
        "order_date": cal.dates[o_day],
        "customer_id": cust_ids[o_cust],
        "channel": slots.channel[o_slot],
        "campaign": slots.campaign[o_slot],
        "revenue": o_rev,
        "currency": cur,
        "is_new_customer": o_new,
    }
    customers_table = {
        "customer_id": cust_ids,
        "acquired_date": cal.dates[first_day],
        "churned_date": (cal.dates[np.minimum(churn_day, n - 1)], ~churned),
        "channel": slots.channel[first_slot],
        "campaign": slots.campaign[first_slot],
        "plan": strings(list(PLANS))[plan],
        "monthly_value": monthly_value,
        "currency": np.full(n_cust, currency, dtype=object),
    }
    return Orders(
        orders_table=orders_table,
        customers_table=customers_table,
        day=o_day,
        slot=o_slot,
        revenue=o_rev,
        first_slot=first_slot,
        first_revenue=first_rev,
    )


def email_new_customers(clicks: FloatArray) -> FloatArray:
    """Expected new customers per day from the email clicks of each day: a share
    (:data:`EMAIL_CLICK_TO_NEW_CUSTOMER`) of a day's clicks, spread over the next days by
    :data:`EMAIL_PURCHASE_DELAY`."""
    spread = np.convolve(clicks, np.asarray(EMAIL_PURCHASE_DELAY))[: len(clicks)]
    out: FloatArray = EMAIL_CLICK_TO_NEW_CUSTOMER * spread
    return out
