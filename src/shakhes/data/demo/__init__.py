"""A deterministic, realistic synthetic marketing data set with a known ground truth.

:func:`generate` builds every canonical table of :mod:`shakhes.data.model` for a fictional online
shop that sells to consumers and small businesses and runs paid media on six platform/channel
pairs ("media"):

========================  ============  ==========  ==========================================
media key                 platform      channel     notes
========================  ============  ==========  ==========================================
``google_search``         google_ads    search      brand, generic, shopping, seasonal sales
``meta``                  meta          social      prospecting, retargeting, lead forms
``tiktok``                tiktok        social      spark ads, UGC, back-to-school
``yektanet``              yektanet      display     native and banner placements
``youtube``               google_ads    video       awareness, in-stream, shorts
``linkedin``              linkedin      social      B2B lead generation
========================  ============  ==========  ==========================================

How the data is made (every number below is recorded in :attr:`DemoData.truth`):

* **Demand** ``demand_t`` = trend × yearly seasonality × weekday multiplier, normalised to mean 1
  over the period. The yearly curve interpolates monthly anchors (Q4 peak, summer dip).
* **Spend** per campaign and day = budget weight × piecewise-constant budget changes × the
  media's weekday pacing × (yearly × trend)^0.7 × noise; campaigns start, stop, pause and run
  seasonal sale windows, and a paused campaign has no rows. Spend is split over 2–3 ad groups
  (and, on ad-level platforms, 1–2 ads; ``ad`` is null where the export is at ad-group level).
* **Response**: each media's daily spend ``S_t`` is carried over geometrically
  (``A_t = S_t + decay·A_{t-1}``) and saturates along a Hill curve:
  ``incremental_revenue_t = demand_t · beta · A_t^shape / (A_t^shape + half_saturation^shape)``.
  Incremental orders ~ Poisson(incremental_revenue / average order value); every such order is
  the first order of a new customer, credited to a campaign of that media in proportion to the
  campaign's own adstock.
* **Baseline**: organic search, direct, referral, organic social and email bring new customers
  in proportion to demand; email also turns 3 % of its clicks into new customers over the next
  days (most on the second day after the send). Repeat orders come from existing customers
  (Poisson per plan, thinned by demand) until they churn (exponential time to churn with a
  per-plan monthly hazard), via direct, email or organic search.
* **Platform reporting**: impressions = cost / CPM, clicks ~ Binomial(impressions, CTR), the
  platforms' attributed conversions over-claim the true incremental orders by a per-media factor
  and never exceed clicks; reach ≤ impressions, video views (YouTube, TikTok), engagements
  (social) and lead-form leads (Meta, LinkedIn).
* **Web traffic** (GA4 style): paid sessions are ~86 % of clicks; organic sources follow demand;
  email sessions follow email clicks; GA4 revenue is 93 % of the shop revenue of the same day,
  channel and campaign, split over rows by sessions.
* **Incidents**: four injected anomalies (``_incidents``) — a campaign's budget typo (10× spend
  for a day), a collapse of Google search CTR (to 5 % for 3 days), a viral organic social post
  (10× sessions for a day) and a Google Ads tracking outage (conversions at 3 % for 2 days,
  within the last three weeks) — placed by their own random generator.

Conventions: rows without a campaign (organic, direct, referral, organic social, repeat orders
and email traffic before the first send) use the campaign name :data:`NO_CAMPAIGN` ``"(none)"``
in ``orders``, ``customers``, ``leads`` and ``web_traffic``. Email orders, sessions and leads
carry the name of the latest email send on or before their day. Weekends are Saturday and
Sunday. ``scale`` multiplies volumes (spend, orders, customers, sessions, leads, email list)
but not the campaign structure, so ``ad_performance`` has about the same number of rows at
every scale.

The private modules each hold one concept: ``_media`` and ``_world`` (the fixed world),
``_response`` (adstock and Hill maths); the steps ``_calendar``, ``_campaigns``, ``_ads``,
``_incremental``, ``_email``, ``_slots``, ``_orders``, ``_leads`` and ``_web``, in the order
``_pipeline`` runs them; ``_incidents`` (the injected anomalies); and ``_truth`` (the ground
truth).
"""

from __future__ import annotations

import datetime
import json
import pathlib
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from shakhes.data.demo._pipeline import run
from shakhes.data.demo._world import NO_CAMPAIGN

__all__ = ["NO_CAMPAIGN", "DemoData", "generate", "write_truth"]


@dataclass(frozen=True)
class DemoData:
    """Synthetic canonical tables and the ground truth they were generated from.

    ``tables`` maps each canonical table name (see :data:`shakhes.data.model.TABLES`) to an Arrow
    table whose columns match the data model exactly (names, order, Arrow types). ``truth`` is a
    JSON-serialisable record of the generator's parameters and exact expectations:

    * ``seed``, ``start``, ``end`` (ISO dates), ``days``, ``scale``, ``currency``.
    * ``conventions``: ``no_campaign`` (the campaign name for rows without a campaign,
      ``"(none)"``), ``weekend`` (``["sat", "sun"]``), ``email_campaign_attribution``.
    * ``media``: per media key (``google_search``, ``meta``, ``tiktok``, ``yektanet``,
      ``youtube``, ``linkedin``): ``platform``, ``channel``, ``account``, ``campaigns``
      (campaign ids and names); ``adstock`` (``decay`` λ and ``formula``); ``response``
      (``formula``, ``beta``, ``half_saturation``, ``shape``); ``average_daily_spend`` (the
      period's mean daily spend, S̄), ``roas_at_average_spend`` (incremental revenue ÷ spend
      when S̄ is spent every day at average demand, i.e. adstock at steady state S̄/(1−λ)),
      ``roas_at_2x_average_spend``, ``marginal_roas_at_average_spend`` and
      ``marginal_roas_at_2x_average_spend`` (derivative of steady-state incremental revenue
      with respect to daily spend), ``total_spend``, ``expected_incremental_revenue`` (the sum
      of the response over the actual spend path and demand), ``realised_incremental_roas``
      (their ratio), ``incremental_orders`` and ``incremental_revenue`` (what was actually
      sampled), ``average_order_value``, ``platform_overclaim`` (factor by which the platform's
      reported conversions exceed true incremental orders), ``cpm``, ``ctr``,
      ``spend_weekday_multipliers`` (Mon..Sun, mean 1) and ``weekend_to_weekday_spend_ratio``.
    * ``channels``: per canonical paid channel, the media in it, ``total_spend``,
      ``expected_incremental_revenue`` and ``realised_incremental_roas``.
    * ``seasonality``: ``demand_formula``, ``demand_month_anchors`` (value on the 15th of each
      month, linearly interpolated between), ``demand_weekday_multipliers`` (Mon..Sun),
      ``trend_annual_growth``, ``demand_normalisation`` (the divisor that makes mean demand 1),
      ``spend_follows_demand_exponent``, ``seasonal_windows`` (sale periods).
    * ``baseline``: new customers per day at demand 1 per unpaid channel and their order value.
    * ``customers``: per plan ``monthly_churn_hazard``, ``repeat_orders_per_month``,
      ``average_order_value``; ``churn_formula``; ``repeat_channel_mix``; ``plan_mix``.
    * ``web``: paid session rate (sessions ÷ clicks) and GA4 revenue coverage.
    * ``leads``: unpaid leads per day, qualification and win rates, mean deal value.
    * ``email``: list size, growth and response rates, the share of clicks that become new
      customers and the delay kernel of those purchases.
    * ``lead_lag``: ``links`` — which KPI drives which (``leading``, ``lagging``), the lag in
      days where the effect is largest (``lag_days``), its ``kernel``, what a lead/lag analysis
      of daily totals should say (``verdict``: ``leads`` or ``same_day``) and how surely
      (``strength``: strong, moderate, weak); ``not_leading`` — pairs without a path from the
      candidate to the lagging KPI, with what still moves both (``common_cause``).
    * ``incidents``: the injected anomalies, each with ``key``, ``description``, ``start``,
      ``end``, ``days`` (per day: ``date``, ``value`` of the primary KPI's quantity in the
      dimension value, ``without`` = value ÷ factor, ``change``), ``factor``, ``kpi`` (the
      primary KPI), ``kpis`` (every KPI it moves), ``dimensions`` (the values it happens in,
      e.g. ``{"platform": "meta"}``) and ``measured_as``.
    * ``planned_changes``: the days a campaign starts or stops (``date``, ``campaign``,
      ``platform``, ``change``: start or stop) — planned breaks in spend, not anomalies.
    * ``row_counts``: rows per table.
    """

    tables: dict[str, pa.Table]
    truth: dict[str, Any]
    start: datetime.date
    end: datetime.date


def generate(
    seed: int = 7,
    *,
    end: datetime.date | None = None,
    years: int = 2,
    scale: float = 1.0,
    currency: str = "USD",
) -> DemoData:
    """Generate the demo data set.

    Args:
        seed: Seed of the numpy random generator; the same seed and ``end`` give identical data.
        end: Last day covered; default the last day of the month before today.
        years: Length of the period in years; it starts the day after ``end`` minus ``years``.
        scale: Multiplies volumes (spend, orders, sessions, leads, email list), not structure.
        currency: ISO 4217 code of every money column.

    Returns:
        The tables, the ground truth and the period.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    if end is None:
        end = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    start = _period_start(end, years)
    tables, truth = run(seed, start, end, scale, currency)
    return DemoData(tables=tables, truth=truth, start=start, end=end)


def write_truth(data: DemoData, path: pathlib.Path) -> None:
    """Write ``data.truth`` to ``path`` as UTF-8 JSON with an indent of 2."""
    path.write_text(json.dumps(data.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _period_start(end: datetime.date, years: int) -> datetime.date:
    nxt = end + datetime.timedelta(days=1)
    try:
        return nxt.replace(year=nxt.year - years)
    except ValueError:  # 29 February
        return datetime.date(nxt.year - years, 3, 1)
