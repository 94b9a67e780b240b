"""The ground truth: the generator's parameters and exact expectations, as JSON-ready data.

Its layout is documented on :class:`shakhes.data.demo.DemoData`. Sections appear in the order
the generator's steps produce them; numbers are rounded to 6 decimals (money to 2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shakhes.data.demo._ads import AdRows
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import CampaignPlan
from shakhes.data.demo._incremental import PaidResponse
from shakhes.data.demo._media import MEDIA, WINDOWS
from shakhes.data.demo._orders import Orders
from shakhes.data.demo._response import steady_marginal, steady_revenue
from shakhes.data.demo._world import (
    BASELINE_AOV,
    BASELINE_LEADS,
    BASELINE_NEW_CUSTOMERS,
    BASELINE_PLAN_MIX,
    DEMAND_MONTH_ANCHORS,
    EMAIL_CLICK_TO_NEW_CUSTOMER,
    EMAIL_LIST_GROWTH,
    EMAIL_LIST_SIZE,
    EMAIL_PURCHASE_DELAY,
    EMAIL_RATES,
    EMAIL_SESSION_KERNEL,
    GA4_REVENUE_COVERAGE,
    LEAD_QUALIFY_RATE,
    LEAD_VALUE_MEAN,
    LEAD_WIN_RATE,
    MONTHS,
    NO_CAMPAIGN,
    ORGANIC_SOURCES,
    PAID_SESSION_RATE,
    PLAN_AOV,
    PLAN_CHURN_HAZARD,
    PLAN_REPEAT_RATE,
    PLANS,
    REPEAT_CHANNEL_MIX,
    SPEND_FOLLOWS_DEMAND,
    TREND_ANNUAL_GROWTH,
    WEB_BEHAVIOUR,
    WEEKDAYS,
)


def ground_truth(
    *,
    seed: int,
    cal: Calendar,
    scale: float,
    currency: str,
    plan: CampaignPlan,
    ads: AdRows,
    paid: PaidResponse,
    orders: Orders,
    row_counts: dict[str, int],
    incidents: list[Any],
) -> dict[str, Any]:
    """The whole ground truth of one run."""
    return {
        "seed": seed,
        "start": cal.start.isoformat(),
        "end": cal.end.isoformat(),
        "days": cal.n_days,
        "scale": scale,
        "currency": currency,
        "conventions": {
            "no_campaign": NO_CAMPAIGN,
            "weekend": ["sat", "sun"],
            "email_campaign_attribution": "email orders, sessions and leads carry the "
            "name of the latest email send on or before their day",
            "ad_null": "ad is null for google_ads search and yektanet (ad-group level)",
            "scale": "scale multiplies volumes, not the campaign structure",
        },
        "seasonality": _seasonality(cal),
        "media": _media(plan, ads, paid, orders),
        "channels": _channels(ads, paid),
        "email": _email(scale),
        "baseline": _baseline(),
        "customers": _customers(),
        "leads": _leads(),
        "web": _web(),
        "lead_lag": _lead_lag(),
        "incidents": incidents,
        "planned_changes": _planned_changes(cal, plan),
        "row_counts": row_counts,
    }


def _r(x: float, digits: int = 6) -> float:
    return round(float(x), digits)


def _seasonality(cal: Calendar) -> dict[str, Any]:
    return {
        "demand_formula": "demand_t = trend_t * yearly_t * weekday[dow_t] / "
        "demand_normalisation; trend_t = (1 + trend_annual_growth) ** (t / 365.25) with t "
        "days since start; yearly_t interpolates demand_month_anchors (placed at the "
        "middle of each month) linearly and periodically",
        "demand_month_anchors": dict(zip(MONTHS, DEMAND_MONTH_ANCHORS, strict=True)),
        "demand_weekday_multipliers": dict(
            zip(WEEKDAYS, [_r(v) for v in cal.weekday], strict=True)
        ),
        "trend_annual_growth": TREND_ANNUAL_GROWTH,
        "demand_normalisation": _r(cal.demand_norm),
        "spend_follows_demand_exponent": SPEND_FOLLOWS_DEMAND,
        "spend_formula": "spend[c, t] = weight_c * budget_level_c(t) * "
        "spend_weekday_multipliers[media][dow_t] * (yearly_t * trend_t) ** "
        "spend_follows_demand_exponent * lognormal noise, rescaled per media",
        "seasonal_windows": {
            k: {"month": m, "day": d, "length_days": n} for k, (m, d, n) in WINDOWS.items()
        },
    }


def _media(plan: CampaignPlan, ads: AdRows, paid: PaidResponse, orders: Orders) -> dict[str, Any]:
    """Per media: its parameters, its true response and what was actually sampled."""
    # Sampled incremental orders and revenue per media: the first orders of paid slots.
    is_paid = orders.first_slot < len(plan.campaigns)
    paid_media = plan.media[orders.first_slot[is_paid]]
    media_truth: dict[str, Any] = {}
    for m, media in enumerate(MEDIA):
        fit = paid.fits[m]
        avg_spend, a_ss, beta, half = fit.average_spend, fit.steady_adstock, fit.beta, fit.half
        camps = np.flatnonzero(plan.media == m)
        total_spend = float(ads.media_spend[m].sum())
        exp_rev = float(paid.expected_revenue[m].sum())
        weekday = plan.spend_weekday[m]
        sel = paid_media == m
        media_truth[media.key] = {
            "platform": media.platform,
            "channel": media.channel,
            "account": media.account,
            "campaigns": [
                {
                    "campaign_id": plan.campaigns[c].campaign_id,
                    "campaign": plan.campaigns[c].name,
                }
                for c in camps
            ],
            "adstock": {
                "decay": media.decay,
                "formula": "A_t = S_t + decay * A_{t-1}; A_0 = S_0 / (1 - decay); S_t = "
                "the media's total cost on day t",
            },
            "response": {
                "formula": "incremental_revenue_t = demand_t * beta * A_t**shape / "
                "(A_t**shape + half_saturation**shape)",
                "beta": _r(beta),
                "half_saturation": _r(half),
                "shape": media.shape,
            },
            "average_daily_spend": _r(avg_spend),
            "average_adstock_steady_state": _r(a_ss),
            "saturation_at_average_spend": media.saturation_at_average,
            "roas_at_average_spend": _r(steady_revenue(avg_spend, media, beta, half) / avg_spend),
            "roas_at_2x_average_spend": _r(
                steady_revenue(2 * avg_spend, media, beta, half) / (2 * avg_spend)
            ),
            "marginal_roas_at_average_spend": _r(steady_marginal(avg_spend, media, beta, half)),
            "marginal_roas_at_2x_average_spend": _r(
                steady_marginal(2 * avg_spend, media, beta, half)
            ),
            "total_spend": _r(total_spend, 2),
            "expected_incremental_revenue": _r(exp_rev, 2),
            "realised_incremental_roas": _r(exp_rev / total_spend),
            "average_order_value": media.aov,
            "platform_overclaim": media.overclaim,
            "cpm": media.cpm,
            "ctr": media.ctr,
            "spend_weekday_multipliers": dict(zip(WEEKDAYS, [_r(v) for v in weekday], strict=True)),
            "weekend_to_weekday_spend_ratio": _r(weekday[5:].mean() / weekday[:5].mean()),
            "incremental_orders": int(sel.sum()),
            "incremental_revenue": _r(orders.first_revenue[is_paid][sel].sum(), 2),
        }
    return media_truth


def _channels(ads: AdRows, paid: PaidResponse) -> dict[str, Any]:
    """Per canonical paid channel: its media, spend and expected incremental revenue."""
    channels: dict[str, Any] = {}
    for m, media in enumerate(MEDIA):
        entry = channels.setdefault(
            media.channel,
            {"media": [], "total_spend": 0.0, "expected_incremental_revenue": 0.0},
        )
        entry["media"].append(media.key)
        entry["total_spend"] += float(ads.media_spend[m].sum())
        entry["expected_incremental_revenue"] += float(paid.expected_revenue[m].sum())
    for entry in channels.values():
        entry["total_spend"] = _r(entry["total_spend"], 2)
        entry["expected_incremental_revenue"] = _r(entry["expected_incremental_revenue"], 2)
        entry["realised_incremental_roas"] = _r(
            entry["expected_incremental_revenue"] / entry["total_spend"]
        )
    return channels


def _email(scale: float) -> dict[str, Any]:
    return {
        "list_size_at_start": EMAIL_LIST_SIZE * scale,
        "list_growth_per_year": EMAIL_LIST_GROWTH,
        "rates": dict(EMAIL_RATES),
        "sends": "Weekly Newsletter every Tuesday, Tips & Stories every other Thursday, "
        "promotions on Mondays and Fridays during sale windows",
        "session_kernel": list(EMAIL_SESSION_KERNEL),
        "click_to_new_customer": EMAIL_CLICK_TO_NEW_CUSTOMER,
        "purchase_delay_kernel": list(EMAIL_PURCHASE_DELAY),
        "new_customers_formula": "email new customers ~ Poisson(baseline email rate * "
        "demand_t + click_to_new_customer * sum_k purchase_delay_kernel[k] * "
        "clicks_{t-k}), clicks_t = the clicks of day t's sends",
    }


def _baseline() -> dict[str, Any]:
    return {
        "new_customers_per_day_at_demand_1": dict(BASELINE_NEW_CUSTOMERS),
        "average_order_value": BASELINE_AOV,
        "plan_mix": dict(zip(PLANS, BASELINE_PLAN_MIX, strict=True)),
    }


def _customers() -> dict[str, Any]:
    return {
        "plans": {
            p: {
                "monthly_churn_hazard": PLAN_CHURN_HAZARD[i],
                "repeat_orders_per_month": PLAN_REPEAT_RATE[i],
                "average_order_value": PLAN_AOV[i],
            }
            for i, p in enumerate(PLANS)
        },
        "plan_mix_by_media": {m.key: dict(zip(PLANS, m.plan_mix, strict=True)) for m in MEDIA},
        "churn_formula": "days to churn = max(1, ceil(Exponential(mean = 30.4375 / "
        "monthly_churn_hazard))); churned_date = acquired_date + days, null if after end",
        "repeat_formula": "repeat orders ~ Poisson(repeat_orders_per_month * demand_t) on "
        "days strictly after acquired_date and strictly before churned_date; value = plan "
        "AOV * customer multiplier * lognormal noise",
        "monthly_value": "repeat_orders_per_month * plan AOV * customer multiplier (mean 1)",
        "repeat_channel_mix": dict(REPEAT_CHANNEL_MIX),
        "first_order_is_new_customer": True,
    }


def _leads() -> dict[str, Any]:
    return {
        "baseline_leads_per_day_at_demand_1": dict(BASELINE_LEADS),
        "platform_lead_rate_per_click": {
            m.key: m.lead_rate for m in MEDIA if m.lead_rate is not None
        },
        "qualify_rate": {**LEAD_QUALIFY_RATE, "linkedin": 0.45},
        "qualify_delay": "geometric(p = 0.2) - 1 days after created",
        "win_rate_of_qualified": LEAD_WIN_RATE,
        "win_delay": "4 + geometric(p = 1/25) days after qualified",
        "value_mean": {"default": LEAD_VALUE_MEAN, "linkedin": 1.6 * LEAD_VALUE_MEAN},
        "note": "Dates after the end are not yet known: the lead stays unqualified/unwon.",
    }


def _web() -> dict[str, Any]:
    return {
        "paid_sessions_per_click": PAID_SESSION_RATE,
        "ga4_revenue_coverage": GA4_REVENUE_COVERAGE,
        "organic_sessions_per_day_at_demand_1": {f"{s}/{m}": b for s, m, _, b in ORGANIC_SOURCES},
        "behaviour_by_channel": {
            ch: {"engaged_rate": e, "new_user_rate": u, "pages_per_session": p}
            for ch, (e, u, p) in WEB_BEHAVIOUR.items()
        },
    }


def _lead_lag() -> dict[str, Any]:
    """Which KPIs drive which, and after how many days, as the generator builds them.

    ``kernel[k]`` is the share of the effect that lands ``k`` days later; ``lag_days`` is where
    it is largest; ``verdict`` is what a lead/lag analysis of the daily totals should say
    (``leads`` by ``lag_days``, or ``same_day``), and ``strength`` how surely it can: ``strong``
    (in every seed tried), ``moderate`` (the lag shows, the tests may fall short) or ``weak``
    (real, but too faint in daily totals to call). ``not_leading`` pairs have no path from the
    candidate to the lagging KPI; ``common_cause`` says what still moves both."""
    session_mode = max(range(len(EMAIL_SESSION_KERNEL)), key=lambda k: EMAIL_SESSION_KERNEL[k])
    delay_mode = max(range(len(EMAIL_PURCHASE_DELAY)), key=lambda k: EMAIL_PURCHASE_DELAY[k])
    email_orders = (
        "a share of each day's email clicks become new customers (first orders) over the "
        "next days, by the purchase delay kernel"
    )
    return {
        "links": [
            {
                "leading": "clicks",
                "lagging": "sessions",
                "lag_days": 0,
                "kernel": [1.0],
                "verdict": "same_day",
                "strength": "strong",
                "how": "paid sessions ~ Binomial(the day's paid clicks, paid_sessions_per_click)",
            },
            {
                "leading": "emails_delivered",
                "lagging": "sessions",
                "lag_days": session_mode,
                "kernel": list(EMAIL_SESSION_KERNEL),
                "verdict": "same_day",
                "strength": "strong",
                "how": "email sessions follow the clicks of each send over four days",
            },
            {
                "leading": "emails_delivered",
                "lagging": "new_customers",
                "lag_days": delay_mode,
                "kernel": list(EMAIL_PURCHASE_DELAY),
                "verdict": "leads",
                "strength": "strong",
                "how": email_orders,
            },
            {
                "leading": "emails_delivered",
                "lagging": "orders",
                "lag_days": delay_mode,
                "kernel": list(EMAIL_PURCHASE_DELAY),
                "verdict": "leads",
                "strength": "moderate",
                "how": email_orders + "; repeat orders, which email does not drive, dilute it",
            },
            {
                "leading": "cost",
                "lagging": "new_customers",
                "lag_days": 0,
                "kernel": "geometric adstock per media (decay 0.15-0.65): 1, decay, decay^2, …",
                "verdict": "same_day",
                "strength": "weak",
                "how": "paid media's incremental orders follow adstocked spend through a Hill "
                "curve; day-to-day spend moves little and orders are Poisson counts",
            },
        ],
        "not_leading": [
            {
                "candidate": "leads",
                "lagging": "new_customers",
                "why": "form leads close as deals in the CRM, never as shop orders",
                "common_cause": "faint: the spend of lead generation campaigns also buys orders",
            },
            {
                "candidate": "emails_delivered",
                "lagging": "cost",
                "why": "email sends and ad budgets are planned independently",
                "common_cause": "the calendar: promotions and sale campaigns start on the same "
                "days, so the two move together on the same day",
            },
        ],
    }


def _planned_changes(cal: Calendar, plan: CampaignPlan) -> list[dict[str, str]]:
    """The days a campaign starts or stops (launches, ends, pauses, sale windows), in order:
    breaks in spend that are planned, not anomalies."""
    out = []
    active = plan.active.astype(np.int8)
    for c, t in zip(*np.nonzero(np.diff(active, axis=1)), strict=True):
        camp = plan.campaigns[int(c)]
        out.append(
            {
                "date": cal.dates[int(t) + 1].item().isoformat(),
                "campaign": camp.name,
                "platform": MEDIA[camp.media].platform,
                "change": "start" if active[c, t + 1] else "stop",
            }
        )
    return sorted(out, key=lambda row: (row["date"], row["campaign"]))
