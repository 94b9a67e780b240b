"""The paid media of the demo world: six platform/channel pairs, their campaigns and sale windows.

Each :class:`Media` carries its response to spend (adstock decay, Hill shape and saturation),
its budget, its platform's reporting (CPM, CTR, over-claim, reach, views, engagements, leads)
and the ad groups and ads its campaigns use. :data:`CAMPAIGNS` is the campaign list with each
campaign's schedule; :data:`WINDOWS` are the yearly sale periods the seasonal campaigns run in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media:
    """A platform/channel pair: its response to spend, budget, reporting and ad structure."""

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


MEDIA: tuple[Media, ...] = (
    Media(
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
    Media(
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
    Media(
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
    Media(
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
    Media(
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
    Media(
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
WINDOWS: dict[str, tuple[int, int, int]] = {
    "winter_sale": (12, 20, 50),
    "black_friday": (11, 15, 18),
    "nowruz": (3, 1, 35),
    "summer_sale": (7, 1, 45),
    "back_to_school": (8, 10, 35),
}

# (media key, campaign name, schedule, budget weight, lead generation?)
# schedule: "always" | "window:<name>" | "launch:<fraction of period>" | "stop:<fraction>"
CAMPAIGNS: tuple[tuple[str, str, str, float, bool], ...] = (
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
