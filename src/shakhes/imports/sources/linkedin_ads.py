"""LinkedIn Campaign Manager exports ("Campaign Performance Report", CSV).

Layout: a title line (``Campaign Performance Report (in UTC)``), a ``Report Start: 09/01/2026,
Report End: 09/02/2026`` line and a blank line, then the header; US ``M/D/YYYY`` dates in
``Start Date (in UTC)``; quoted thousands; the currency in a ``Currency`` column; a ``Total``
row at the end.

Decisions:

* **Hierarchy.** A LinkedIn *campaign group* sits above the campaign, so it is not an ad group:
  ``campaign`` and ``campaign_id`` are LinkedIn's campaign, ``ad_group`` is ``(not set)`` and
  the group is left out (the model has no column above the campaign). A creative-level export
  fills ``ad`` from the creative name.
* **Clicks** are ``Clicks to Landing Page`` when the file has them — LinkedIn's ``Clicks`` also
  count social actions, "see more" and company-page clicks, so landing-page clicks are what
  compares with Meta's link clicks and TikTok's destination clicks. A file without them falls
  back to ``Clicks``.
* **Days.** Rows are daily (Time breakdown → Daily). A file without the date column is imported
  only when ``Report Start`` equals ``Report End``; a file with an ``End Date`` column has each
  row checked to cover one day.
"""

from __future__ import annotations

from shakhes.imports.sources.base import Field, SourceSpec, starts_with_total

_IGNORED = (
    "Average CPM", "Average CPC", "Click Through Rate", "Average CTR", "CTR", "Conversion Rate",
    "Cost per Conversion", "Return on Ad Spend", "ROAS", "Cost per Lead",
    "Lead Form Completion Rate", "Average Engagement Rate", "Engagement Rate",
    "Average Frequency", "Frequency", "Video Completion Rate", "Cost per Completed View",
    "Average Dwell Time (in Seconds)", "Campaign Status", "Campaign Type", "Campaign Objective",
    "Campaign Objective Type", "Cost Type", "Daily Budget", "Total Budget", "Unit Cost",
    "Bid Strategy", "Campaign Start Date", "Campaign End Date", "Campaign Group ID",
    "Campaign Group Status", "Account ID", "Creative ID", "Reactions", "Comments", "Shares",
    "Follows", "Other Clicks", "Other Engagements", "Viral Impressions", "Viral Clicks",
    "Company Page Clicks", "Lead Form Opens", "Video Starts", "Video Completions",
    "Post-Click Conversions", "View-Through Conversions",
)  # fmt: skip

LINKEDIN_ADS = SourceSpec(
    name="linkedin-ads",
    table="ad_performance",
    title="LinkedIn Campaign Manager export",
    fields=(
        Field("date", ("Start Date (in UTC)", "Start Date", "Date (in UTC)", "Date"), "date"),
        Field("_date_end", ("End Date (in UTC)", "End Date"), "date"),
        Field("account", ("Account Name", "Account"), "text"),
        Field("campaign", ("Campaign Name",), "text", required=True),
        Field("campaign_id", ("Campaign ID",), "id"),
        Field("_campaign_group", ("Campaign Group Name", "Campaign Group"), "text"),
        Field("ad", ("Creative Name", "Ad Name", "Creative"), "text"),
        Field("currency", ("Currency",), "text"),
        Field("cost", ("Total Spent",), "number", required=True),
        Field("impressions", ("Impressions",), "number", required=True),
        Field("clicks", ("Clicks to Landing Page", "Landing Page Clicks"), "number"),
        Field("_clicks_all", ("Clicks",), "number"),
        Field("conversions", ("Conversions", "Total Conversions"), "number"),
        Field("conversion_value", ("Total Conversion Value", "Conversion Value"), "number"),
        Field("leads", ("Leads",), "number"),
        Field("engagements", ("Total Engagements", "Engagements"), "number"),
        Field("video_views", ("Video Views",), "number"),
        Field("reach", ("Reach", "Approximate Member Reach"), "number"),
    ),
    ignored=_IGNORED,
    constants={"platform": "linkedin", "channel": "social"},
    copies={"campaign_id": "campaign", "clicks": "_clicks_all"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "conversions": "0",
        "conversion_value": "0",
    },
    summary=starts_with_total,
    date_format="%m/%d/%Y",
    account_from="account",
    preamble_date_range=True,
    title_lines=True,
    repeated_keys="add",
    daily_hint="In Campaign Manager set Time breakdown → Daily before exporting.",
)
