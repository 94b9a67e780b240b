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
  in proportion to demand. Repeat orders come from existing customers (Poisson per plan, thinned
  by demand) until they churn (exponential time to churn with a per-plan monthly hazard), via
  direct, email or organic search.
* **Platform reporting**: impressions = cost / CPM, clicks ~ Binomial(impressions, CTR), the
  platforms' attributed conversions over-claim the true incremental orders by a per-media factor
  and never exceed clicks; reach ≤ impressions, video views (YouTube, TikTok), engagements
  (social) and lead-form leads (Meta, LinkedIn).
* **Web traffic** (GA4 style): paid sessions are ~86 % of clicks; organic sources follow demand;
  email sessions follow email clicks; GA4 revenue is 93 % of the shop revenue of the same day,
  channel and campaign, split over rows by sessions.

Conventions: rows without a campaign (organic, direct, referral, organic social, repeat orders
and email traffic before the first send) use the campaign name :data:`NO_CAMPAIGN` ``"(none)"``
in ``orders``, ``customers``, ``leads`` and ``web_traffic``. Email orders, sessions and leads
carry the name of the latest email send on or before their day. Weekends are Saturday and
Sunday. ``scale`` multiplies volumes (spend, orders, customers, sessions, leads, email list)
but not the campaign structure, so ``ad_performance`` has about the same number of rows at
every scale.
"""

from __future__ import annotations

import datetime
import json
import math
import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shakhes.data.model import TABLES, ColumnType

__all__ = ["NO_CAMPAIGN", "DemoData", "generate", "write_truth"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

NO_CAMPAIGN = "(none)"
"""Campaign name used wherever there is no campaign (organic, direct, referral, repeat orders)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS_PER_MONTH = 365.25 / 12
_DEVICES = ("desktop", "mobile", "tablet")

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.DATE: pa.date32(),
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}

# ---------------------------------------------------------------------------------------------
# The fixed world: demand, media, campaigns, plans.
# ---------------------------------------------------------------------------------------------

_DEMAND_MONTH_ANCHORS = (0.95, 0.92, 1.05, 0.98, 0.95, 0.90, 0.82, 0.85, 0.97, 1.05, 1.30, 1.35)
_DEMAND_WEEKDAY = (1.02, 1.03, 1.02, 1.00, 0.97, 0.95, 1.01)
_TREND_ANNUAL_GROWTH = 0.18
_SPEND_FOLLOWS_DEMAND = 0.7
_PAID_SESSION_RATE = 0.86
_GA4_REVENUE_COVERAGE = 0.93


@dataclass(frozen=True)
class _Media:
    key: str
    platform: str
    account: str
    channel: str
    source: str
    medium: str
    decay: float
    shape: float
    saturation_at_average: float
    daily_spend: float
    roas_at_average: float
    aov: float
    cpm: float
    ctr: float
    overclaim: float
    spend_weekday: tuple[float, ...]
    device_mix: tuple[float, float, float]
    plan_mix: tuple[float, float, float]
    ad_groups: tuple[str, ...]
    ads: tuple[str, ...]
    max_ads: int
    has_reach: bool
    video_view_rate: float | None
    engagement_rate: float | None
    lead_rate: float | None
    id_prefix: str


_MEDIA: tuple[_Media, ...] = (
    _Media(
        key="google_search",
        platform="google_ads",
        account="123-456-7890",
        channel="search",
        source="google",
        medium="cpc",
        decay=0.15,
        shape=1.2,
        saturation_at_average=0.65,
        daily_spend=300.0,
        roas_at_average=3.4,
        aov=92.0,
        cpm=38.0,
        ctr=0.045,
        overclaim=1.25,
        spend_weekday=(1.08, 1.08, 1.06, 1.04, 0.98, 0.86, 0.90),
        device_mix=(0.55, 0.40, 0.05),
        plan_mix=(0.50, 0.35, 0.15),
        ad_groups=("Exact Match", "Phrase Match", "Broad Match"),
        ads=(),
        max_ads=0,
        has_reach=False,
        video_view_rate=None,
        engagement_rate=None,
        lead_rate=None,
        id_prefix="21",
    ),
    _Media(
        key="meta",
        platform="meta",
        account="act_1029384756",
        channel="social",
        source="facebook",
        medium="paid_social",
        decay=0.45,
        shape=1.0,
        saturation_at_average=0.5,
        daily_spend=220.0,
        roas_at_average=2.1,
        aov=74.0,
        cpm=9.5,
        ctr=0.011,
        overclaim=1.6,
        spend_weekday=(0.95, 0.95, 0.96, 0.98, 1.02, 1.10, 1.08),
        device_mix=(0.20, 0.75, 0.05),
        plan_mix=(0.65, 0.28, 0.07),
        ad_groups=("Women 25-44", "Men 25-44", "Interests - Home & Living", "Lookalike 1%"),
        ads=("Carousel | Best Sellers", "Video 15s | Unboxing", "Static | Offer", "Reel | Creator"),
        max_ads=2,
        has_reach=True,
        video_view_rate=None,
        engagement_rate=0.012,
        lead_rate=0.09,
        id_prefix="1202",
    ),
    _Media(
        key="tiktok",
        platform="tiktok",
        account="7012345678901234567",
        channel="social",
        source="tiktok",
        medium="paid_social",
        decay=0.30,
        shape=1.4,
        saturation_at_average=0.45,
        daily_spend=100.0,
        roas_at_average=1.4,
        aov=56.0,
        cpm=6.0,
        ctr=0.008,
        overclaim=1.8,
        spend_weekday=(0.92, 0.92, 0.94, 0.96, 1.04, 1.14, 1.12),
        device_mix=(0.05, 0.93, 0.02),
        plan_mix=(0.75, 0.20, 0.05),
        ad_groups=("Gen Z - Broad", "Creators Lookalike", "Interest - Lifestyle"),
        ads=("Spark | Creator A", "Spark | Creator B", "In-Feed | Trend Sound"),
        max_ads=1,
        has_reach=True,
        video_view_rate=0.30,
        engagement_rate=0.03,
        lead_rate=None,
        id_prefix="17",
    ),
    _Media(
        key="yektanet",
        platform="yektanet",
        account="yn-48213",
        channel="display",
        source="yektanet",
        medium="display",
        decay=0.50,
        shape=1.1,
        saturation_at_average=0.5,
        daily_spend=90.0,
        roas_at_average=1.1,
        aov=70.0,
        cpm=1.6,
        ctr=0.0035,
        overclaim=2.2,
        spend_weekday=(1.02, 1.02, 1.02, 1.00, 0.98, 0.98, 0.98),
        device_mix=(0.30, 0.67, 0.03),
        plan_mix=(0.65, 0.27, 0.08),
        ad_groups=("Placement - News", "Placement - Lifestyle", "Contextual - Shopping"),
        ads=(),
        max_ads=0,
        has_reach=True,
        video_view_rate=None,
        engagement_rate=None,
        lead_rate=None,
        id_prefix="ync-",
    ),
    _Media(
        key="youtube",
        platform="google_ads",
        account="123-456-7890",
        channel="video",
        source="youtube",
        medium="video",
        decay=0.65,
        shape=1.3,
        saturation_at_average=0.4,
        daily_spend=110.0,
        roas_at_average=1.6,
        aov=82.0,
        cpm=12.0,
        ctr=0.004,
        overclaim=1.9,
        spend_weekday=(0.96, 0.96, 0.97, 0.98, 1.00, 1.07, 1.06),
        device_mix=(0.30, 0.60, 0.10),
        plan_mix=(0.60, 0.30, 0.10),
        ad_groups=("In-Market - Home", "Custom Intent - Competitors", "Affinity - Lifestyle"),
        ads=("Bumper 6s", "Skippable 30s | Story", "Shorts 15s | Demo"),
        max_ads=1,
        has_reach=True,
        video_view_rate=0.28,
        engagement_rate=None,
        lead_rate=None,
        id_prefix="22",
    ),
    _Media(
        key="linkedin",
        platform="linkedin",
        account="508812345",
        channel="social",
        source="linkedin",
        medium="paid_social",
        decay=0.25,
        shape=1.0,
        saturation_at_average=0.6,
        daily_spend=80.0,
        roas_at_average=0.8,
        aov=185.0,
        cpm=34.0,
        ctr=0.0055,
        overclaim=1.4,
        spend_weekday=(1.15, 1.17, 1.17, 1.15, 1.05, 0.45, 0.42),
        device_mix=(0.78, 0.20, 0.02),
        plan_mix=(0.25, 0.40, 0.35),
        ad_groups=("IT Decision Makers", "Marketing Managers", "Founders & CEOs"),
        ads=("Single Image | Case Study", "Document | Playbook", "Video | Customer Story"),
        max_ads=1,
        has_reach=True,
        video_view_rate=None,
        engagement_rate=0.008,
        lead_rate=0.12,
        id_prefix="3",
    ),
)

# Seasonal windows: (month, day, length in days), repeated every year.
_WINDOWS: dict[str, tuple[int, int, int]] = {
    "winter_sale": (12, 20, 50),
    "black_friday": (11, 15, 18),
    "nowruz": (3, 1, 35),
    "summer_sale": (7, 1, 45),
    "back_to_school": (8, 10, 35),
}

# (media key, campaign name, schedule, budget weight, lead generation?)
# schedule: "always" | "window:<name>" | "launch:<fraction of period>" | "stop:<fraction>"
_CAMPAIGNS: tuple[tuple[str, str, str, float, bool], ...] = (
    ("google_search", "Brand | Exact", "always", 1.0, False),
    ("google_search", "Generic | Core Products", "always", 1.6, False),
    ("google_search", "Competitor | Conquest", "stop:0.55", 0.6, False),
    ("google_search", "DSA | All Pages", "always", 0.7, False),
    ("google_search", "Shopping | Best Sellers", "launch:0.2", 1.3, False),
    ("google_search", "جستجوی برند | فارسی", "always", 0.5, False),
    ("google_search", "حراج زمستانه | Search", "window:winter_sale", 1.5, False),
    ("google_search", "Black Friday | Search", "window:black_friday", 2.0, False),
    ("meta", "Prospecting | Broad", "always", 1.5, False),
    ("meta", "Retargeting | 30d Visitors", "always", 0.8, False),
    ("meta", "Lookalike | 1% Purchasers", "launch:0.4", 1.0, False),
    ("meta", "Advantage+ Shopping", "launch:0.6", 1.4, False),
    ("meta", "حراج زمستانه | Meta", "window:winter_sale", 1.5, False),
    ("meta", "Black Friday | Meta", "window:black_friday", 2.0, False),
    ("meta", "Lead Gen | Webinar", "always", 0.5, True),
    ("meta", "نوروز | Meta", "window:nowruz", 1.3, False),
    ("meta", "Summer Sale | Meta", "window:summer_sale", 1.2, False),
    ("tiktok", "TikTok | Spark Ads", "always", 1.0, False),
    ("tiktok", "TikTok | Creators UGC", "launch:0.25", 1.0, False),
    ("tiktok", "TikTok | Back to School", "window:back_to_school", 1.6, False),
    ("tiktok", "TikTok | Retargeting", "stop:0.7", 0.6, False),
    ("yektanet", "یکتانت | نیتیو برند", "always", 1.0, False),
    ("yektanet", "یکتانت | ریتارگتینگ", "always", 0.7, False),
    ("yektanet", "Yektanet | Banner Prospecting", "stop:0.5", 0.8, False),
    ("yektanet", "تخفیف نوروزی | یکتانت", "window:nowruz", 1.5, False),
    ("youtube", "YouTube | Brand Awareness", "always", 1.0, False),
    ("youtube", "YouTube | In-Stream Conversions", "always", 1.0, False),
    ("youtube", "YouTube | Shorts", "launch:0.45", 0.8, False),
    ("youtube", "YouTube | Black Friday", "window:black_friday", 1.8, False),
    ("linkedin", "LinkedIn | B2B Lead Gen", "always", 1.0, True),
    ("linkedin", "LinkedIn | Webinar Registrations", "always", 0.6, True),
    ("linkedin", "LinkedIn | Thought Leadership", "stop:0.65", 0.5, False),
    ("linkedin", "LinkedIn | Retargeting", "launch:0.3", 0.4, False),
)

# Organic traffic sources: (source, medium, channel, sessions per day at demand 1 and scale 1).
_ORGANIC_SOURCES: tuple[tuple[str, str, str, float], ...] = (
    ("google", "organic", "organic_search", 900.0),
    ("bing", "organic", "organic_search", 60.0),
    ("(direct)", "(none)", "direct", 520.0),
    ("instagram", "social", "organic_social", 160.0),
    ("linkedin.com", "social", "organic_social", 40.0),
    ("news.example.com", "referral", "referral", 70.0),
    ("partner-blog.example.org", "referral", "referral", 45.0),
)
_EMAIL_BASE_SESSIONS = 30.0

# New customers per day at demand 1 and scale 1 from unpaid channels; their order value.
_BASELINE_NEW_CUSTOMERS: dict[str, float] = {
    "organic_search": 4.5,
    "direct": 2.8,
    "referral": 1.0,
    "organic_social": 0.9,
    "email": 0.6,
}
_BASELINE_AOV = 85.0
_BASELINE_PLAN_MIX = (0.6, 0.3, 0.1)

# Per channel web behaviour: (engaged rate, new-user rate, pages per session).
_WEB_BEHAVIOUR: dict[str, tuple[float, float, float]] = {
    "search": (0.66, 0.55, 3.4),
    "social": (0.48, 0.70, 2.2),
    "display": (0.35, 0.75, 1.6),
    "video": (0.42, 0.72, 1.9),
    "organic_search": (0.62, 0.58, 3.1),
    "direct": (0.55, 0.30, 3.6),
    "referral": (0.60, 0.65, 2.8),
    "organic_social": (0.45, 0.60, 2.0),
    "email": (0.68, 0.10, 3.2),
}

_PLANS = ("basic", "plus", "pro")
_PLAN_CHURN_HAZARD = (0.08, 0.05, 0.03)  # per month
_PLAN_REPEAT_RATE = (0.08, 0.14, 0.24)  # repeat orders per active month
_PLAN_AOV = (50.0, 75.0, 120.0)
_REPEAT_CHANNEL_MIX: dict[str, float] = {"direct": 0.40, "email": 0.35, "organic_search": 0.25}

# Leads: unpaid leads per day at demand 1; qualification and win rates per channel.
_BASELINE_LEADS: dict[str, float] = {
    "organic_search": 1.6,
    "direct": 0.8,
    "referral": 0.5,
    "email": 0.4,
}
_LEAD_QUALIFY_RATE: dict[str, float] = {
    "social": 0.30,
    "organic_search": 0.35,
    "direct": 0.30,
    "referral": 0.40,
    "email": 0.30,
}
_LEAD_WIN_RATE = 0.30
_LEAD_VALUE_MEAN = 2500.0

_EMAIL_LIST_SIZE = 25000.0
_EMAIL_LIST_GROWTH = 0.30  # per year
_EMAIL_RATES = {"delivery": 0.982, "open": 0.24, "click": 0.12, "unsubscribe": 0.0025}
_EMAIL_SESSION_KERNEL = (0.62, 0.22, 0.10, 0.06)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


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
    * ``email``: list size, growth and response rates.
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
    return _Generator(seed, start, end, scale, currency).run()


def write_truth(data: DemoData, path: pathlib.Path) -> None:
    """Write ``data.truth`` to ``path`` as UTF-8 JSON with an indent of 2."""
    path.write_text(json.dumps(data.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _period_start(end: datetime.date, years: int) -> datetime.date:
    nxt = end + datetime.timedelta(days=1)
    try:
        return nxt.replace(year=nxt.year - years)
    except ValueError:  # 29 February
        return datetime.date(nxt.year - years, 3, 1)


def _hill(adstock: FloatArray | float, half: float, shape: float) -> FloatArray:
    a = np.power(np.asarray(adstock, dtype=np.float64), shape)
    out: FloatArray = a / (a + half**shape)
    return out


def _hill_slope(adstock: float, half: float, shape: float) -> float:
    """d/dA of A^s / (A^s + K^s)."""
    ks = half**shape
    return float(shape * ks * adstock ** (shape - 1) / (adstock**shape + ks) ** 2)


def _steady_revenue(spend: float, media: _Media, beta: float, half: float) -> float:
    """Incremental revenue per day when ``spend`` is spent every day, at demand 1."""
    return float(beta * _hill(spend / (1.0 - media.decay), half, media.shape))


def _steady_marginal(spend: float, media: _Media, beta: float, half: float) -> float:
    """Derivative of :func:`_steady_revenue` with respect to the daily spend."""
    adstock = spend / (1.0 - media.decay)
    return beta * _hill_slope(adstock, half, media.shape) / (1.0 - media.decay)


def _adstock(spend: FloatArray, decay: float | FloatArray) -> FloatArray:
    """Geometric carry-over along the last axis, warm-started at the steady state of day 0."""
    out = np.empty_like(spend)
    lam = np.asarray(decay, dtype=np.float64)
    prev = spend[..., 0] / (1.0 - lam)
    out[..., 0] = prev
    for t in range(1, spend.shape[-1]):
        prev = spend[..., t] + lam * prev
        out[..., t] = prev
    return out


def _lognormal(rng: np.random.Generator, sigma: float, size: int | tuple[int, ...]) -> FloatArray:
    """Multiplicative noise with mean 1."""
    out: FloatArray = rng.lognormal(-0.5 * sigma * sigma, sigma, size)
    return out


def _strings(values: list[str] | tuple[str, ...]) -> ObjArray:
    out: ObjArray = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _ids(prefix: str, n: int, width: int) -> ObjArray:
    nums = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    out: ObjArray = np.char.add(prefix, nums).astype(object)
    return out


def _r(x: float, digits: int = 6) -> float:
    return round(float(x), digits)


def _arrow_table(name: str, data: dict[str, Any]) -> pa.Table:
    spec = TABLES[name]
    if list(data) != spec.column_names:
        raise AssertionError(f"{name}: columns {list(data)} != {spec.column_names}")
    arrays = []
    fields = []
    for col in spec.columns:
        typ = _ARROW_TYPES[col.type]
        value = data[col.name]
        if isinstance(value, tuple):
            values, mask = value
            arrays.append(pa.array(values, type=typ, mask=mask))
        else:
            arrays.append(pa.array(value, type=typ))
        fields.append(pa.field(col.name, typ, nullable=not col.required))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


@dataclass(frozen=True)
class _Campaign:
    media: int
    campaign_id: str
    name: str
    schedule: str
    weight: float
    lead_gen: bool


class _Generator:
    """One generation run; state lives on the instance to keep the steps readable."""

    def __init__(
        self, seed: int, start: datetime.date, end: datetime.date, scale: float, currency: str
    ) -> None:
        self.seed = seed
        self.start = start
        self.end = end
        self.scale = scale
        self.currency = currency
        self.rng = np.random.default_rng(seed)
        self.n_days = (end - start).days + 1
        self.dates = np.datetime64(start, "D") + np.arange(self.n_days)
        self.truth: dict[str, Any] = {}

    # -- calendar and demand -------------------------------------------------------------------

    def _calendar(self) -> None:
        dates = self.dates
        epoch = dates.astype(np.int64)
        self.dow = ((epoch + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
        year_start = dates.astype("datetime64[Y]").astype("datetime64[D]")
        next_year = (dates.astype("datetime64[Y]") + 1).astype("datetime64[D]")
        doy = (dates - year_start).astype(np.float64)
        year_len = (next_year - year_start).astype(np.float64)
        self.month = (dates.astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)
        x = (doy + 0.5) / year_len * 12.0
        anchors = np.asarray(_DEMAND_MONTH_ANCHORS)
        xp = np.arange(-0.5, 13.0, 1.0)
        fp = np.concatenate([[anchors[-1]], anchors, [anchors[0]]])
        self.yearly = np.interp(x, xp, fp)
        t = np.arange(self.n_days, dtype=np.float64)
        self.trend = (1.0 + _TREND_ANNUAL_GROWTH) ** (t / 365.25)
        weekday = np.asarray(_DEMAND_WEEKDAY) / np.mean(_DEMAND_WEEKDAY)
        raw = self.yearly * self.trend * weekday[self.dow]
        self.demand_norm = float(np.mean(raw))
        self.demand: FloatArray = raw / self.demand_norm
        self.truth["seasonality"] = {
            "demand_formula": "demand_t = trend_t * yearly_t * weekday[dow_t] / "
            "demand_normalisation; trend_t = (1 + trend_annual_growth) ** (t / 365.25) with t "
            "days since start; yearly_t interpolates demand_month_anchors (placed at the "
            "middle of each month) linearly and periodically",
            "demand_month_anchors": dict(zip(_MONTHS, _DEMAND_MONTH_ANCHORS, strict=True)),
            "demand_weekday_multipliers": dict(
                zip(_WEEKDAYS, [_r(v) for v in weekday], strict=True)
            ),
            "trend_annual_growth": _TREND_ANNUAL_GROWTH,
            "demand_normalisation": _r(self.demand_norm),
            "spend_follows_demand_exponent": _SPEND_FOLLOWS_DEMAND,
            "spend_formula": "spend[c, t] = weight_c * budget_level_c(t) * "
            "spend_weekday_multipliers[media][dow_t] * (yearly_t * trend_t) ** "
            "spend_follows_demand_exponent * lognormal noise, rescaled per media",
            "seasonal_windows": {
                k: {"month": m, "day": d, "length_days": n} for k, (m, d, n) in _WINDOWS.items()
            },
        }

    def _window_mask(self, window: str) -> BoolArray:
        month, day, length = _WINDOWS[window]
        mask = np.zeros(self.n_days, dtype=np.bool_)
        for year in range(self.start.year - 1, self.end.year + 1):
            first = (datetime.date(year, month, day) - self.start).days
            lo, hi = max(first, 0), min(first + length, self.n_days)
            if lo < hi:
                mask[lo:hi] = True
        return mask

    # -- campaigns and spend -------------------------------------------------------------------

    def _campaigns(self) -> None:
        rng = self.rng
        media_index = {m.key: i for i, m in enumerate(_MEDIA)}
        campaigns: list[_Campaign] = []
        active = np.zeros((len(_CAMPAIGNS), self.n_days), dtype=np.bool_)
        first_of_media: set[int] = set()
        for c, (mkey, name, schedule, weight, lead_gen) in enumerate(_CAMPAIGNS):
            m = media_index[mkey]
            media = _MEDIA[m]
            number = int(rng.integers(10**7, 10**8))
            cid = f"{media.id_prefix}{number}{c:02d}"
            campaigns.append(_Campaign(m, cid, name, schedule, weight, lead_gen))
            kind, _, arg = schedule.partition(":")
            n = self.n_days
            if kind == "always":
                active[c] = True
                if m in first_of_media:
                    for _ in range(int(rng.integers(0, 3))):
                        p0 = int(rng.integers(0, n - 30))
                        active[c, p0 : p0 + int(rng.integers(5, 26))] = False
                first_of_media.add(m)
            elif kind == "window":
                active[c] = self._window_mask(arg)
            elif kind == "launch":
                active[c, int(n * (float(arg) + rng.uniform(-0.05, 0.05))) :] = True
            elif kind == "stop":
                active[c, : int(n * (float(arg) + rng.uniform(-0.05, 0.05)))] = True
            else:  # pragma: no cover - the table above is fixed
                raise AssertionError(schedule)
        self.campaigns = campaigns
        self.active = active
        self.camp_media = np.asarray([c.media for c in campaigns], dtype=np.int64)

    def _spend(self) -> None:
        rng = self.rng
        n_c, n = len(self.campaigns), self.n_days
        season = (self.yearly * self.trend) ** _SPEND_FOLLOWS_DEMAND
        weekday = np.asarray([m.spend_weekday for m in _MEDIA], dtype=np.float64)
        weekday /= weekday.mean(axis=1, keepdims=True)
        self.spend_weekday = weekday
        spend = np.zeros((n_c, n))
        days = np.arange(n)
        for c, camp in enumerate(self.campaigns):
            k = int(rng.poisson(n / 45.0))
            points = np.sort(rng.integers(1, n, size=k))
            steps = np.concatenate([[0.0], np.cumsum(rng.normal(0.0, 0.22, size=k))])
            level = np.exp(np.clip(steps, np.log(0.45), np.log(2.2)))
            budget = level[np.searchsorted(points, days, side="right")]
            spend[c] = camp.weight * budget * weekday[camp.media][self.dow] * season
        spend *= _lognormal(rng, 0.15, (n_c, n)) * self.active
        for m, media in enumerate(_MEDIA):
            rows = self.camp_media == m
            total = spend[rows].sum(axis=0).mean()
            spend[rows] *= media.daily_spend * self.scale / total
        self.camp_spend_plan = spend

    # -- ad_performance ------------------------------------------------------------------------

    def _units(self) -> None:
        """Ad groups (and ads) of every campaign with their share of the campaign's spend."""
        rng = self.rng
        unit_camp: list[int] = []
        unit_group: list[str] = []
        unit_ad: list[str | None] = []
        unit_weight: list[float] = []
        for c, camp in enumerate(self.campaigns):
            media = _MEDIA[camp.media]
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
        self.unit_camp = np.asarray(unit_camp, dtype=np.int64)
        self.unit_group = _strings(unit_group)
        ad_arr: ObjArray = np.empty(n_u, dtype=object)
        ad_arr[:] = unit_ad
        self.unit_ad = ad_arr
        self.unit_weight = np.asarray(unit_weight, dtype=np.float64)
        self.unit_cpm = _lognormal(rng, 0.15, n_u)
        self.unit_ctr = _lognormal(rng, 0.25, n_u)

    def _ad_rows(self) -> None:
        rng = self.rng
        n = self.n_days
        unit_active = self.active[self.unit_camp]  # (U, T)
        t_idx, u_idx = np.nonzero(unit_active.T)
        t_idx = t_idx.astype(np.int64)
        u_idx = u_idx.astype(np.int64)
        c_idx = self.unit_camp[u_idx]
        m_idx = self.camp_media[c_idx]
        n_rows = len(t_idx)
        cost = self.camp_spend_plan[c_idx, t_idx] * self.unit_weight[u_idx]
        cost = np.maximum(np.round(cost * _lognormal(rng, 0.2, n_rows), 2), 0.01)
        self.row_t, self.row_u, self.row_c, self.row_m = t_idx, u_idx, c_idx, m_idx
        self.row_cost = cost
        n_m, n_c = len(_MEDIA), len(self.campaigns)
        spend = np.bincount(m_idx * n + t_idx, cost, n_m * n).astype(np.float64)
        self.media_spend: FloatArray = spend.reshape(n_m, n)
        spend = np.bincount(c_idx * n + t_idx, cost, n_c * n).astype(np.float64)
        self.camp_spend: FloatArray = spend.reshape(n_c, n)

        cpm = np.asarray([m.cpm for m in _MEDIA])[m_idx] * self.unit_cpm[u_idx]
        cpm = cpm * np.sqrt(self.yearly[t_idx]) * _lognormal(rng, 0.12, n_rows)
        impressions = np.round(cost / cpm * 1000.0).astype(np.int64)
        ctr = np.asarray([m.ctr for m in _MEDIA])[m_idx] * self.unit_ctr[u_idx]
        ctr = np.clip(ctr * _lognormal(rng, 0.15, n_rows), 0.0, 0.5)
        clicks = rng.binomial(impressions, ctr).astype(np.int64)
        self.row_impressions, self.row_clicks = impressions, clicks

        has_reach = np.asarray([m.has_reach for m in _MEDIA])[m_idx]
        frequency = 1.0 + rng.gamma(2.0, 0.35, n_rows)
        reach = np.floor(impressions / frequency).astype(np.int64)
        self.row_reach = (reach, ~has_reach)

        def optional_rate(
            rates: list[float | None], n_trials: IntArray
        ) -> tuple[IntArray, BoolArray]:
            has = np.asarray([r is not None for r in rates])[m_idx]
            p = np.asarray([r or 0.0 for r in rates])[m_idx] * _lognormal(rng, 0.2, n_rows)
            values = rng.binomial(n_trials, np.clip(p, 0.0, 1.0)).astype(np.int64)
            return np.where(has, values, 0), ~has

        self.row_video_views = optional_rate([m.video_view_rate for m in _MEDIA], impressions)
        self.row_engagements = optional_rate([m.engagement_rate for m in _MEDIA], impressions)
        lead_gen = np.asarray([c.lead_gen for c in self.campaigns])[c_idx]
        leads, no_leads = optional_rate([m.lead_rate for m in _MEDIA], clicks)
        self.row_leads = (np.where(lead_gen, leads, 0), no_leads)

    # -- response model ------------------------------------------------------------------------

    def _response(self) -> None:
        rng = self.rng
        n = self.n_days
        decays = np.asarray([m.decay for m in _MEDIA])
        adstock = _adstock(self.media_spend, decays)
        camp_adstock = _adstock(self.camp_spend, decays[self.camp_media])
        expected_revenue = np.zeros_like(adstock)
        media_truth: dict[str, Any] = {}
        order_day: list[IntArray] = []
        order_camp: list[IntArray] = []
        order_media: list[IntArray] = []
        self.expected_orders = np.zeros_like(adstock)
        for m, media in enumerate(_MEDIA):
            avg_spend = float(self.media_spend[m].mean())
            a_ss = avg_spend / (1.0 - media.decay)
            sat = media.saturation_at_average
            half = a_ss * ((1.0 - sat) / sat) ** (1.0 / media.shape)
            beta = media.roas_at_average * avg_spend / sat
            expected_revenue[m] = beta * self.demand * _hill(adstock[m], half, media.shape)
            self.expected_orders[m] = expected_revenue[m] / media.aov
            counts = rng.poisson(self.expected_orders[m]).astype(np.int64)
            days = np.repeat(np.arange(n, dtype=np.int64), counts)
            camps = np.flatnonzero(self.camp_media == m)
            weights = camp_adstock[camps][:, days]
            cum = np.cumsum(weights, axis=0)
            u = rng.random(len(days)) * cum[-1]
            pick = np.minimum((cum < u).sum(axis=0), len(camps) - 1)
            order_day.append(days)
            order_camp.append(camps[pick].astype(np.int64))
            order_media.append(np.full(len(days), m, dtype=np.int64))

            total_spend = float(self.media_spend[m].sum())
            exp_rev = float(expected_revenue[m].sum())
            weekday = self.spend_weekday[m]
            media_truth[media.key] = {
                "platform": media.platform,
                "channel": media.channel,
                "account": media.account,
                "campaigns": [
                    {
                        "campaign_id": self.campaigns[c].campaign_id,
                        "campaign": self.campaigns[c].name,
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
                "saturation_at_average_spend": sat,
                "roas_at_average_spend": _r(
                    _steady_revenue(avg_spend, media, beta, half) / avg_spend
                ),
                "roas_at_2x_average_spend": _r(
                    _steady_revenue(2 * avg_spend, media, beta, half) / (2 * avg_spend)
                ),
                "marginal_roas_at_average_spend": _r(
                    _steady_marginal(avg_spend, media, beta, half)
                ),
                "marginal_roas_at_2x_average_spend": _r(
                    _steady_marginal(2 * avg_spend, media, beta, half)
                ),
                "total_spend": _r(total_spend, 2),
                "expected_incremental_revenue": _r(exp_rev, 2),
                "realised_incremental_roas": _r(exp_rev / total_spend),
                "average_order_value": media.aov,
                "platform_overclaim": media.overclaim,
                "cpm": media.cpm,
                "ctr": media.ctr,
                "spend_weekday_multipliers": dict(
                    zip(_WEEKDAYS, [_r(v) for v in weekday], strict=True)
                ),
                "weekend_to_weekday_spend_ratio": _r(weekday[5:].mean() / weekday[:5].mean()),
            }
        self.paid_day = np.concatenate(order_day)
        self.paid_camp = np.concatenate(order_camp)
        self.paid_media = np.concatenate(order_media)
        self.truth["media"] = media_truth
        channels: dict[str, Any] = {}
        for m, media in enumerate(_MEDIA):
            entry = channels.setdefault(
                media.channel,
                {"media": [], "total_spend": 0.0, "expected_incremental_revenue": 0.0},
            )
            entry["media"].append(media.key)
            entry["total_spend"] += float(self.media_spend[m].sum())
            entry["expected_incremental_revenue"] += float(expected_revenue[m].sum())
        for entry in channels.values():
            entry["total_spend"] = _r(entry["total_spend"], 2)
            entry["expected_incremental_revenue"] = _r(entry["expected_incremental_revenue"], 2)
            entry["realised_incremental_roas"] = _r(
                entry["expected_incremental_revenue"] / entry["total_spend"]
            )
        self.truth["channels"] = channels

        # Platform-attributed conversions: over-claimed expected orders split by row cost.
        share = self.row_cost / self.media_spend[self.row_m, self.row_t]
        overclaim = np.asarray([m.overclaim for m in _MEDIA])[self.row_m]
        conv = overclaim * self.expected_orders[self.row_m, self.row_t] * share
        conv = conv * _lognormal(rng, 0.3, len(conv))
        conv = np.minimum(np.round(conv, 2), self.row_clicks.astype(np.float64))
        aov = np.asarray([m.aov for m in _MEDIA])[self.row_m]
        self.row_conversions = conv
        self.row_conv_value = np.round(conv * aov * _lognormal(rng, 0.1, len(conv)), 2)

    # -- email ---------------------------------------------------------------------------------

    def _email(self) -> None:
        rng = self.rng
        n = self.n_days
        names: list[ObjArray] = []
        days: list[IntArray] = []
        sizes: list[FloatArray] = []
        all_days = np.arange(n, dtype=np.int64)
        week = (all_days + int(self.dow[0])) // 7

        def add(mask: BoolArray, name: str, share: float) -> None:
            d = all_days[mask]
            days.append(d)
            arr: ObjArray = np.empty(len(d), dtype=object)
            arr[:] = name
            names.append(arr)
            sizes.append(np.full(len(d), share))

        add(self.dow == 1, "Weekly Newsletter", 1.0)
        add((self.dow == 3) & (week % 2 == 0), "Tips & Stories", 0.6)
        promo_days = (self.dow == 0) | (self.dow == 4)
        promos = {
            "winter_sale": "حراج زمستانه | Email",
            "black_friday": "Black Friday | Email",
            "nowruz": "تخفیف نوروزی | Email",
            "summer_sale": "Summer Sale | Email",
        }
        for window, name in promos.items():
            add(promo_days & self._window_mask(window), name, 0.85)
        day = np.concatenate(days)
        name_arr = np.concatenate(names)
        share = np.concatenate(sizes)
        order = np.lexsort((name_arr.astype(str), day))
        day, name_arr, share = day[order], name_arr[order], share[order]
        list_size = _EMAIL_LIST_SIZE * self.scale * (1 + _EMAIL_LIST_GROWTH) ** (day / 365.25)
        sent = rng.poisson(list_size * share).astype(np.int64)
        delivered = rng.binomial(sent, _EMAIL_RATES["delivery"]).astype(np.int64)
        opens = rng.binomial(delivered, _EMAIL_RATES["open"] * _lognormal(rng, 0.1, len(day)))
        clicks = rng.binomial(opens, _EMAIL_RATES["click"] * _lognormal(rng, 0.15, len(day)))
        unsubs = rng.binomial(delivered, _EMAIL_RATES["unsubscribe"])
        self.email_table = {
            "date": self.dates[day],
            "campaign": name_arr,
            "sent": sent,
            "delivered": delivered,
            "opens": opens.astype(np.int64),
            "clicks": clicks.astype(np.int64),
            "unsubscribes": unsubs.astype(np.int64),
            "bounces": sent - delivered,
        }
        # The latest send on or before each day names email-attributed rows.
        idx = np.searchsorted(day, all_days, side="right") - 1
        send_names = [NO_CAMPAIGN, *sorted(set(name_arr.tolist()))]
        code = {s: i for i, s in enumerate(send_names)}
        send_codes = np.asarray([code[s] for s in name_arr.tolist()], dtype=np.int64)
        self.email_names = send_names
        self.email_code_by_day = np.where(idx >= 0, send_codes[np.maximum(idx, 0)], 0)
        daily_clicks = np.bincount(day, clicks.astype(np.float64), n)
        kernel = np.asarray(_EMAIL_SESSION_KERNEL)
        self.email_session_mean = (
            np.convolve(daily_clicks, kernel)[:n] * 1.05
            + _EMAIL_BASE_SESSIONS * self.scale * self.demand
        )
        self.truth["email"] = {
            "list_size_at_start": _EMAIL_LIST_SIZE * self.scale,
            "list_growth_per_year": _EMAIL_LIST_GROWTH,
            "rates": dict(_EMAIL_RATES),
            "sends": "Weekly Newsletter every Tuesday, Tips & Stories every other Thursday, "
            "promotions on Mondays and Fridays during sale windows",
            "session_kernel": list(_EMAIL_SESSION_KERNEL),
        }

    # -- slots: (channel, campaign) pairs shared by orders, leads and web traffic ----------------

    def _slots(self) -> None:
        slots: list[tuple[str, str]] = [(_MEDIA[c.media].channel, c.name) for c in self.campaigns]
        for ch in ("organic_search", "direct", "referral", "organic_social"):
            slots.append((ch, NO_CAMPAIGN))
        self.email_slot0 = len(slots)
        slots.extend(("email", name) for name in self.email_names)
        self.slots = slots
        self.slot_index = {s: i for i, s in enumerate(slots)}
        self.slot_channel = _strings([s[0] for s in slots])
        self.slot_campaign = _strings([s[1] for s in slots])

    def _unpaid_slot(self, channel: str, days: IntArray) -> IntArray:
        if channel == "email":
            out: IntArray = self.email_slot0 + self.email_code_by_day[days]
            return out
        return np.full(len(days), self.slot_index[(channel, NO_CAMPAIGN)], dtype=np.int64)

    # -- customers and orders ------------------------------------------------------------------

    def _orders(self) -> None:
        rng = self.rng
        n = self.n_days
        # First orders: paid (from the response model) and baseline.
        days = [self.paid_day]
        slots = [self.paid_camp]  # campaign index == slot index for paid slots
        aov = [np.asarray([m.aov for m in _MEDIA])[self.paid_media]]
        mix = [np.asarray([m.plan_mix for m in _MEDIA])[self.paid_media]]
        for channel, rate in _BASELINE_NEW_CUSTOMERS.items():
            counts = rng.poisson(rate * self.scale * self.demand)
            d = np.repeat(np.arange(n, dtype=np.int64), counts)
            days.append(d)
            slots.append(self._unpaid_slot(channel, d))
            aov.append(np.full(len(d), _BASELINE_AOV))
            mix.append(np.tile(np.asarray(_BASELINE_PLAN_MIX), (len(d), 1)))
        first_day = np.concatenate(days)
        order = np.lexsort((rng.random(len(first_day)), first_day))
        first_day = first_day[order]
        first_slot = np.concatenate(slots)[order]
        first_aov = np.concatenate(aov)[order]
        plan_mix = np.concatenate(mix)[order]
        n_cust = len(first_day)
        plan = (rng.random(n_cust)[:, None] > np.cumsum(plan_mix, axis=1)[:, :-1]).sum(axis=1)
        plan = plan.astype(np.int64)
        first_rev = np.round(first_aov * _lognormal(rng, 0.5, n_cust), 2)

        hazard = np.asarray(_PLAN_CHURN_HAZARD)[plan]
        life = np.maximum(np.ceil(rng.exponential(_DAYS_PER_MONTH / hazard)), 1).astype(np.int64)
        churn_day = first_day + life
        churned = churn_day <= n - 1
        value_mult = _lognormal(rng, 0.3, n_cust)
        monthly_value = np.round(
            np.asarray(_PLAN_REPEAT_RATE)[plan] * np.asarray(_PLAN_AOV)[plan] * value_mult, 2
        )

        # Repeat orders strictly after the first order and before churn, thinned by demand.
        last = np.where(churned, churn_day - 1, n - 1)
        window = np.maximum(last - first_day, 0)
        dmax = float(self.demand.max())
        rate = np.asarray(_PLAN_REPEAT_RATE)[plan] * dmax
        n_rep = rng.poisson(rate * window / _DAYS_PER_MONTH)
        cust = np.repeat(np.arange(n_cust, dtype=np.int64), n_rep)
        rep_day = first_day[cust] + 1 + np.floor(rng.random(len(cust)) * window[cust])
        rep_day = rep_day.astype(np.int64)
        keep = rng.random(len(cust)) < self.demand[rep_day] / dmax
        cust, rep_day = cust[keep], rep_day[keep]
        n_r = len(cust)
        rep_rev = np.asarray(_PLAN_AOV)[plan[cust]] * value_mult[cust]
        rep_rev = np.round(rep_rev * _lognormal(rng, 0.4, n_r), 2)
        channels = list(_REPEAT_CHANNEL_MIX)
        probs = np.cumsum(list(_REPEAT_CHANNEL_MIX.values()))
        ch = np.minimum(np.searchsorted(probs, rng.random(n_r) * probs[-1], side="right"), 2)
        rep_slot = np.zeros(n_r, dtype=np.int64)
        for i, channel in enumerate(channels):
            sel = ch == i
            rep_slot[sel] = self._unpaid_slot(channel, rep_day[sel])

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
        self.order_day, self.order_slot, self.order_rev = o_day, o_slot, o_rev
        cust_ids = _ids("C", n_cust, 6)
        cur = np.full(len(o_day), self.currency, dtype=object)
        self.orders_table = {
            "order_id": _ids("ORD-", len(o_day), 7),
            "order_date": self.dates[o_day],
            "customer_id": cust_ids[o_cust],
            "channel": self.slot_channel[o_slot],
            "campaign": self.slot_campaign[o_slot],
            "revenue": o_rev,
            "currency": cur,
            "is_new_customer": o_new,
        }
        self.customers_table = {
            "customer_id": cust_ids,
            "acquired_date": self.dates[first_day],
            "churned_date": (self.dates[np.minimum(churn_day, n - 1)], ~churned),
            "channel": self.slot_channel[first_slot],
            "campaign": self.slot_campaign[first_slot],
            "plan": _strings(list(_PLANS))[plan],
            "monthly_value": monthly_value,
            "currency": np.full(n_cust, self.currency, dtype=object),
        }
        # Sampled incremental orders and revenue per media.
        is_paid = first_slot < len(self.campaigns)
        paid_media = self.camp_media[first_slot[is_paid]]
        for m, media in enumerate(_MEDIA):
            sel = paid_media == m
            entry = self.truth["media"][media.key]
            entry["incremental_orders"] = int(sel.sum())
            entry["incremental_revenue"] = _r(first_rev[is_paid][sel].sum(), 2)
        self.truth["baseline"] = {
            "new_customers_per_day_at_demand_1": dict(_BASELINE_NEW_CUSTOMERS),
            "average_order_value": _BASELINE_AOV,
            "plan_mix": dict(zip(_PLANS, _BASELINE_PLAN_MIX, strict=True)),
        }
        self.truth["customers"] = {
            "plans": {
                p: {
                    "monthly_churn_hazard": _PLAN_CHURN_HAZARD[i],
                    "repeat_orders_per_month": _PLAN_REPEAT_RATE[i],
                    "average_order_value": _PLAN_AOV[i],
                }
                for i, p in enumerate(_PLANS)
            },
            "plan_mix_by_media": {
                m.key: dict(zip(_PLANS, m.plan_mix, strict=True)) for m in _MEDIA
            },
            "churn_formula": "days to churn = max(1, ceil(Exponential(mean = 30.4375 / "
            "monthly_churn_hazard))); churned_date = acquired_date + days, null if after end",
            "repeat_formula": "repeat orders ~ Poisson(repeat_orders_per_month * demand_t) on "
            "days strictly after acquired_date and strictly before churned_date; value = plan "
            "AOV * customer multiplier * lognormal noise",
            "monthly_value": "repeat_orders_per_month * plan AOV * customer multiplier (mean 1)",
            "repeat_channel_mix": dict(_REPEAT_CHANNEL_MIX),
            "first_order_is_new_customer": True,
        }

    # -- leads ---------------------------------------------------------------------------------

    def _leads(self) -> None:
        rng = self.rng
        n = self.n_days
        leads, no_leads = self.row_leads
        counts = np.where(no_leads, 0, leads)
        days = [np.repeat(self.row_t, counts)]
        slots = [np.repeat(self.row_c, counts)]
        for lead_channel, rate in _BASELINE_LEADS.items():
            c = rng.poisson(rate * self.scale * self.demand)
            d = np.repeat(np.arange(n, dtype=np.int64), c)
            days.append(d)
            slots.append(self._unpaid_slot(lead_channel, d))
        day = np.concatenate(days)
        slot = np.concatenate(slots)
        order = np.lexsort((rng.random(len(day)), day))
        day, slot = day[order], slot[order]
        k = len(day)
        channel = self.slot_channel[slot]
        q_rate = np.asarray([_LEAD_QUALIFY_RATE.get(str(c), 0.3) for c in self.slot_channel])[slot]
        is_linkedin = np.asarray(
            [
                i < len(self.campaigns) and _MEDIA[self.campaigns[i].media].key == "linkedin"
                for i in range(len(self.slots))
            ]
        )[slot]
        q_rate = np.where(is_linkedin, 0.45, q_rate)
        q_day = day + rng.geometric(0.2, k) - 1
        qualified = (rng.random(k) < q_rate) & (q_day <= n - 1)
        w_day = q_day + 4 + rng.geometric(1 / 25.0, k)
        won = qualified & (rng.random(k) < _LEAD_WIN_RATE) & (w_day <= n - 1)
        mean_value = np.where(is_linkedin, 1.6 * _LEAD_VALUE_MEAN, _LEAD_VALUE_MEAN)
        value = np.round(mean_value * _lognormal(rng, 0.6, k), 2)
        self.leads_table = {
            "lead_id": _ids("L", k, 6),
            "created_date": self.dates[day],
            "channel": channel,
            "campaign": self.slot_campaign[slot],
            "qualified_date": (self.dates[np.minimum(q_day, n - 1)], ~qualified),
            "won_date": (self.dates[np.minimum(w_day, n - 1)], ~won),
            "value": (value, ~won),
            "currency": np.full(k, self.currency, dtype=object),
        }
        self.lead_day, self.lead_slot = day, slot
        self.truth["leads"] = {
            "baseline_leads_per_day_at_demand_1": dict(_BASELINE_LEADS),
            "platform_lead_rate_per_click": {
                m.key: m.lead_rate for m in _MEDIA if m.lead_rate is not None
            },
            "qualify_rate": {**_LEAD_QUALIFY_RATE, "linkedin": 0.45},
            "qualify_delay": "geometric(p = 0.2) - 1 days after created",
            "win_rate_of_qualified": _LEAD_WIN_RATE,
            "win_delay": "4 + geometric(p = 1/25) days after qualified",
            "value_mean": {"default": _LEAD_VALUE_MEAN, "linkedin": 1.6 * _LEAD_VALUE_MEAN},
            "note": "Dates after the end are not yet known: the lead stays unqualified/unwon.",
        }

    # -- web traffic ---------------------------------------------------------------------------

    def _web(self) -> None:
        rng = self.rng
        n = self.n_days
        n_c = len(self.campaigns)
        n_s = len(self.slots)
        # Paid: sessions from clicks per campaign-day.
        key = self.row_c * n + self.row_t
        clicks = np.bincount(key, self.row_clicks.astype(np.float64), n_c * n).astype(np.int64)
        active_key = np.flatnonzero(self.active.reshape(-1))
        c_of = active_key // n
        t_of = active_key % n
        sessions = rng.binomial(clicks[active_key], _PAID_SESSION_RATE)
        dev = np.zeros((len(active_key), 3), dtype=np.int64)
        for m, media in enumerate(_MEDIA):
            sel = self.camp_media[c_of] == m
            dev[sel] = rng.multinomial(sessions[sel], media.device_mix)
        paid_day = np.repeat(t_of, 3)
        paid_slot = np.repeat(c_of, 3)
        paid_source = np.repeat(self.camp_media[c_of], 3)  # media index = source index
        paid_device = np.tile(np.arange(3, dtype=np.int64), len(active_key))
        paid_sessions = dev.reshape(-1)

        # Unpaid sources.
        sources = [(m.source, m.medium) for m in _MEDIA]
        o_day, o_slot, o_src, o_dev, o_sess = [], [], [], [], []
        all_days = np.arange(n, dtype=np.int64)
        unpaid_mix = {
            "organic_search": (0.42, 0.53, 0.05),
            "direct": (0.50, 0.44, 0.06),
            "organic_social": (0.12, 0.85, 0.03),
            "referral": (0.45, 0.50, 0.05),
            "email": (0.35, 0.60, 0.05),
        }
        unpaid = [*_ORGANIC_SOURCES, ("newsletter", "email", "email", 0.0)]
        for source, medium, src_channel, base in unpaid:
            sources.append((source, medium))
            if src_channel == "email":
                mean = self.email_session_mean
            else:
                mean = base * self.scale * self.demand * _lognormal(rng, 0.08, n)
            total = rng.poisson(mean)
            split = rng.multinomial(total, unpaid_mix[src_channel])
            o_day.append(np.repeat(all_days, 3))
            o_slot.append(np.repeat(self._unpaid_slot(src_channel, all_days), 3))
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
        okey = self.order_day * n_s + self.order_slot
        rev_sum = np.bincount(okey, self.order_rev, n * n_s)
        cnt_sum = np.bincount(okey, None, n * n_s)
        share = sess / sess_sum[skey]
        revenue = np.round(share * rev_sum[skey] * _GA4_REVENUE_COVERAGE, 2)
        orders = share * cnt_sum[skey] * _GA4_REVENUE_COVERAGE
        key_events = np.floor(orders + rng.random(k)).astype(np.int64)
        key_events += rng.binomial(sess, 0.008)

        channel = self.slot_channel[slot]
        behaviour = np.asarray([_WEB_BEHAVIOUR[str(c)] for c in self.slot_channel])[slot]
        engaged = rng.binomial(sess, behaviour[:, 0])
        users = 1 + rng.binomial(sess - 1, 0.82)
        new_users = rng.binomial(users, behaviour[:, 1])
        page_views = sess + rng.poisson(sess * (behaviour[:, 2] - 1.0))
        src_arr = _strings([s for s, _ in sources])
        med_arr = _strings([m for _, m in sources])
        self.web_table = {
            "date": self.dates[day],
            "source": src_arr[src],
            "medium": med_arr[src],
            "channel": channel,
            "campaign": self.slot_campaign[slot],
            "device": _strings(list(_DEVICES))[device],
            "sessions": sess,
            "engaged_sessions": engaged.astype(np.int64),
            "users": users.astype(np.int64),
            "new_users": new_users.astype(np.int64),
            "page_views": page_views.astype(np.int64),
            "key_events": key_events,
            "revenue": revenue,
            "currency": np.full(k, self.currency, dtype=object),
        }
        self.truth["web"] = {
            "paid_sessions_per_click": _PAID_SESSION_RATE,
            "ga4_revenue_coverage": _GA4_REVENUE_COVERAGE,
            "organic_sessions_per_day_at_demand_1": {
                f"{s}/{m}": b for s, m, _, b in _ORGANIC_SOURCES
            },
            "behaviour_by_channel": {
                ch: {"engaged_rate": e, "new_user_rate": u, "pages_per_session": p}
                for ch, (e, u, p) in _WEB_BEHAVIOUR.items()
            },
        }

    # -- assembly ------------------------------------------------------------------------------

    def _ad_table(self) -> dict[str, Any]:
        n_rows = len(self.row_t)
        media_platform = _strings([m.platform for m in _MEDIA])
        media_account = _strings([m.account for m in _MEDIA])
        media_channel = _strings([m.channel for m in _MEDIA])
        camp_id = _strings([c.campaign_id for c in self.campaigns])
        camp_name = _strings([c.name for c in self.campaigns])
        return {
            "date": self.dates[self.row_t],
            "platform": media_platform[self.row_m],
            "account": media_account[self.row_m],
            "channel": media_channel[self.row_m],
            "campaign_id": camp_id[self.row_c],
            "campaign": camp_name[self.row_c],
            "ad_group": self.unit_group[self.row_u],
            "ad": self.unit_ad[self.row_u],
            "currency": np.full(n_rows, self.currency, dtype=object),
            "impressions": self.row_impressions,
            "clicks": self.row_clicks,
            "cost": self.row_cost,
            "conversions": self.row_conversions,
            "conversion_value": self.row_conv_value,
            "reach": self.row_reach,
            "video_views": self.row_video_views,
            "engagements": self.row_engagements,
            "leads": self.row_leads,
        }

    def run(self) -> DemoData:
        self._calendar()
        self._campaigns()
        self._spend()
        self._units()
        self._ad_rows()
        self._response()
        self._email()
        self._slots()
        self._orders()
        self._leads()
        self._web()
        tables = {
            "ad_performance": _arrow_table("ad_performance", self._ad_table()),
            "web_traffic": _arrow_table("web_traffic", self.web_table),
            "orders": _arrow_table("orders", self.orders_table),
            "customers": _arrow_table("customers", self.customers_table),
            "leads": _arrow_table("leads", self.leads_table),
            "email_campaigns": _arrow_table("email_campaigns", self.email_table),
        }
        truth: dict[str, Any] = {
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.n_days,
            "scale": self.scale,
            "currency": self.currency,
            "conventions": {
                "no_campaign": NO_CAMPAIGN,
                "weekend": ["sat", "sun"],
                "email_campaign_attribution": "email orders, sessions and leads carry the "
                "name of the latest email send on or before their day",
                "ad_null": "ad is null for google_ads search and yektanet (ad-group level)",
                "scale": "scale multiplies volumes, not the campaign structure",
            },
            **self.truth,
            "row_counts": {name: t.num_rows for name, t in tables.items()},
        }
        if not math.isfinite(float(np.sum(self.row_cost))):  # pragma: no cover - sanity
            raise AssertionError("non-finite spend")
        return DemoData(tables=tables, truth=truth, start=self.start, end=self.end)
