"""TikTok Ads Manager exports (Reporting → custom report, or the campaign/ad group/ad tables;
CSV or XLSX).

Layout: one header row, no preamble; ``By Day`` (or ``Date``) holds the day; ``Campaign name``,
``Ad group name``, ``Ad name``; the currency in a ``Currency`` column; metric labels as the
TikTok API names them (``Cost``, ``CPC (destination)``, ``Clicks (destination)``, ``CTR
(destination)``); video columns ``2-second video views``, ``6-second video views``,
``Video views at 25%`` … Real daily ad-level exports also write ``Impression`` (singular),
``Ad Group Name``, ``(Destination)`` capitalised and derived columns truncated to integers
(``CPC (Destination)``, ``CPM``, ``CTR (Destination)``, ``CPA``): all recognised, the derived
ones ignored.

Decisions:

* **Clicks** are ``Clicks (destination)`` (clicks that went to the landing page, like Meta's
  link clicks); ``Clicks (all)`` only when the file has no destination clicks.
* **Masked counts.** TikTok prints ``<5`` for small counts; they are read as their bound, 5
  (as :func:`~shakhes.imports.values.parse_numbers` does for every censored value), not
  quarantined: the row is real delivery, and the error is at most 4 impressions.
* **Video views** are ``Video views`` when the file has them, else ``2-second video views``
  (TikTok's nearest to Meta's 3-second plays); the 6-second and quartile columns are not kept.
* **Days.** A report without ``By Day`` covers its whole period in one row and is refused.
* **Ads with the same name.** Several ads can share one name: rows with the same campaign, ad
  group, ad name and day but different numbers are different ads, and TikTok's own totals
  include all of them. They are added together into one row (see ``repeated_keys``); rows whose
  reach differs are quarantined, since reach cannot be added.
"""

from __future__ import annotations

from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec, header_key


def _is_summary(row: Mapping[str, str]) -> bool:
    """TikTok's total row: its first cell says ``Total``/``Total of N …``, or it has no
    campaign, ad group or ad name."""
    first = next(iter(row.values()), "")
    if header_key(first).startswith("total"):
        return True
    names = [v for k, v in row.items() if k in ("campaign", "ad_group", "ad")]
    return bool(names) and not any(v.strip() for v in names)


_IGNORED = (
    "CPC (destination)", "CPC", "CPM", "CTR (destination)", "CTR", "CPA", "Cost per conversion",
    "Conversion rate", "CVR", "Conversion rate (%)", "Cost per 1,000 people reached", "Frequency",
    "CPC (all)", "CTR (all)", "6-second video views", "Video views at 25%", "Video views at 50%",
    "Video views at 75%", "Video views at 100%", "Average play time per video view",
    "Average play time per user", "Profile visits", "Profile visits rate", "Likes", "Comments",
    "Shares", "Follows", "Result", "Results", "Cost per result", "Result rate",
    "Real-time conversions", "Real-time cost per conversion", "Real-time conversion rate",
    "Complete payment", "Cost per complete payment", "Complete payment ROAS", "Ad group ID",
    "Ad ID", "Advertiser ID", "Primary status", "Status", "Campaign budget", "Ad group budget",
    "Budget", "Bid", "Bid strategy", "Optimization goal", "Objective", "Secondary goal",
)  # fmt: skip

TIKTOK_ADS = SourceSpec(
    name="tiktok-ads",
    table="ad_performance",
    title="TikTok Ads Manager export",
    fields=(
        Field("date", ("By Day", "Date", "Day", "stat_time_day"), "date"),
        Field("account", ("Advertiser name", "Account name", "Advertiser"), "text"),
        Field("campaign", ("Campaign name",), "text", required=True),
        Field("campaign_id", ("Campaign ID",), "id"),
        Field("ad_group", ("Ad group name", "Ad group"), "text"),
        Field("ad", ("Ad name",), "text"),
        Field("currency", ("Currency",), "text"),
        Field("cost", ("Cost", "Total cost", "Spend"), "number", required=True),
        Field("impressions", ("Impressions", "Impression"), "number", required=True),
        Field(
            "clicks", ("Clicks (destination)", "Click (destination)", "Clicks", "Click"), "number"
        ),
        Field("_clicks_all", ("Clicks (all)",), "number"),
        Field("reach", ("Reach",), "number"),
        Field("conversions", ("Conversions", "Conversion"), "number"),
        Field(
            "conversion_value",
            ("Total complete payment value", "Complete payment value", "Conversion value"),
            "number",
        ),
        Field("leads", ("Leads", "Form submissions"), "number"),
        Field("engagements", ("Engagements",), "number"),
        Field("video_views", ("Video views", "Video plays"), "number"),
        Field("_video_views_2s", ("2-second video views",), "number"),
    ),
    ignored=_IGNORED,
    constants={"platform": "tiktok", "channel": "social"},
    copies={"campaign_id": "campaign", "clicks": "_clicks_all", "video_views": "_video_views_2s"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "conversions": "0",
        "conversion_value": "0",
    },
    summary=_is_summary,
    account_from="account",
    preamble_date_range=True,
    repeated_keys="add",
    daily_hint="In TikTok Ads Manager add the breakdown By Day (Time → Day) and export again.",
)
