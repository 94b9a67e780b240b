"""Google Analytics 4 UI report exports (Share → Download file → CSV) into ``web_traffic``.

Layout: a block of ``#`` comment lines (report name, account, property, segment, ``# Start
date: YYYYMMDD``, ``# End date: YYYYMMDD``), then the table. "Reports snapshot" and overview
exports stack several tables, each under its own ``#`` block: the table imported is the one with
a day column and the most ``web_traffic`` columns; the others are skipped with a warning naming
their lines. English and German headers are recognised, old and new casing alike.

Decisions:

* **Days.** Rows are daily only when the table has ``Date`` (``YYYYMMDD``) or ``Nth day`` (days
  since ``# Start date``). A table without either is imported only when the start and end dates
  are the same day; otherwise it is refused with how to add the Date dimension.
* **Columns.** ``Session source / medium`` is split at its last ``" / "`` (or ``Session
  source`` + ``Session medium``); missing source, medium, campaign or device are ``(not set)``.
  ``Total users``/``Users``/``Active users`` → users; ``Views``/``Screen page views`` →
  page_views; ``Key events`` or the older ``Conversions`` → key_events; ``Total revenue`` →
  revenue. ``Engagement rate`` and the other ratios and durations are not stored (they follow
  from the counts). Every metric ``web_traffic`` requires must be in the table: a table
  without, say, ``New users`` or ``Views`` is refused by name (add them with Customize report).
* **Channel** from the channel group: Organic Search → organic_search, Paid Search → search,
  Paid Shopping → search (as Google Ads' Shopping campaigns), Paid Social → social, Organic
  Social → organic_social, Direct → direct, Referral → referral, Email → email, Display →
  display, Paid/Organic Video → video, Affiliates → affiliate, anything else → other. Without a
  channel group, a simplified GA4 default channel rule on source / medium.
* **Currency.** GA4 UI exports do not state it: pass ``--currency`` (a ``(EUR)`` in a revenue
  header is used when present).
* **Keys.** ``web_traffic`` rows are keyed by day × source × medium × campaign × device, so a
  table broken down only by channel group (the default Traffic acquisition table) repeats a key
  on each day and is refused; add ``Session source / medium`` as a dimension.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec, header_key

_GROUPS = {
    "Organic Search": "organic_search",
    "Paid Search": "search",
    "Paid Shopping": "search",
    "Paid Social": "social",
    "Organic Social": "organic_social",
    "Direct": "direct",
    "Referral": "referral",
    "Email": "email",
    "Display": "display",
    "Paid Video": "video",
    "Organic Video": "video",
    "Affiliates": "affiliate",
    # German UI
    "Organische Suche": "organic_search",
    "Bezahlte Suche": "search",
    "Bezahlte soziale Netzwerke": "social",
    "Organische soziale Netzwerke": "organic_social",
    "Direkt": "direct",
    "Verweis": "referral",
    "E-Mail": "email",
    "Partner": "affiliate",
}
CHANNEL_GROUPS: Mapping[str, str] = {header_key(k): v for k, v in _GROUPS.items()}
"""GA4 default channel groups (by :func:`header_key`) → canonical channels."""

_SOCIAL_SOURCES = (
    "facebook",
    "instagram",
    "linkedin",
    "lnkd.in",
    "twitter",
    "t.co",
    "x.com",
    "tiktok",
    "pinterest",
    "reddit",
    "telegram",
    "whatsapp",
    "snapchat",
)
_VIDEO_SOURCES = ("youtube", "aparat", "vimeo")
_PAID = re.compile(r".*cp.*|ppc|retargeting|paid.*")


def channel_of_group(group: str) -> str:
    return CHANNEL_GROUPS.get(header_key(group), "other")


def split_source(source_medium: str) -> str | None:
    """``'google / cpc'`` → ``'google'``."""
    return source_medium.rsplit(" / ", 1)[0].strip() or None


def split_medium(source_medium: str) -> str | None:
    """``'google / cpc'`` → ``'cpc'``; None when the cell has no medium."""
    parts = source_medium.rsplit(" / ", 1)
    return parts[1].strip() or None if len(parts) == 2 else None


def channel_of(source: str, medium: str) -> str:
    """A simplified GA4 default channel rule, for tables without a channel group."""
    s, m = source.strip().lower(), medium.strip().lower()
    social = any(name in s for name in _SOCIAL_SOURCES)
    video = any(name in s for name in _VIDEO_SOURCES)
    if s == "(direct)" and m in ("(none)", "(not set)", ""):
        return "direct"
    if m in ("display", "banner", "expandable", "interstitial", "cpm"):
        return "display"
    if _PAID.fullmatch(m):
        return "social" if social else "video" if video else "search"
    if m in ("email", "e-mail", "e_mail", "e mail", "newsletter"):
        return "email"
    if m in ("affiliate", "affiliates"):
        return "affiliate"
    if m in ("social", "social-network", "social-media", "sm", "social network", "social media"):
        return "organic_social"
    if m == "organic":
        return "organic_social" if social else "video" if video else "organic_search"
    if m in ("referral", "app", "link"):
        return "organic_social" if social else "referral"
    if m == "video":
        return "video"
    if m == "(none)":
        return "direct"
    return "other"


def _channel_of_source_medium(source_medium: str) -> str:
    return channel_of(split_source(source_medium) or "", split_medium(source_medium) or "")


def _channel_of_medium(medium: str) -> str:
    return channel_of("", medium)


def _is_summary(row: Mapping[str, str]) -> bool:
    """A ``Total``/``Grand total``/``Gesamtsumme`` row."""
    first = header_key(next(iter(row.values()), ""))
    return first.startswith(("total", "grand total", "gesamtsumme", "summe"))


_IGNORED = (
    "Engagement rate", "Average engagement time", "Average engagement time per session",
    "Average engagement time per active user", "Engaged sessions per user", "Events per session",
    "Event count", "Event count per user", "Session key event rate", "User key event rate",
    "Session conversion rate", "User conversion rate", "Bounce rate", "Views per session",
    "Views per user", "Sessions per user", "Average session duration", "Returning users",
    "Ecommerce revenue", "Purchase revenue", "Total purchasers", "First time purchasers",
    "Transactions", "Ecommerce purchases", "Interaktionsrate",
    "Durchschnittliche Interaktionsdauer", "Durchschnittliche Interaktionsdauer pro Sitzung",
    "Sitzungen mit Interaktionen pro Nutzer", "Ereignisse pro Sitzung", "Ereignisanzahl",
    "Absprungrate",
)  # fmt: skip

GA4 = SourceSpec(
    name="ga4",
    table="web_traffic",
    title="GA4 report export",
    fields=(
        Field("date", ("Date", "Datum"), "date"),
        Field("_day_offset", ("Nth day", "N-ter Tag"), "date"),
        Field(
            "_source_medium",
            (
                "Session source / medium",
                "Source / medium",
                "Sitzung – Quelle/Medium",
                "Sitzungsquelle/-medium",
                "Quelle/Medium",
            ),
            "text",
        ),
        Field("source", ("Session source", "Source", "Sitzung – Quelle", "Quelle"), "text"),
        Field("medium", ("Session medium", "Medium", "Sitzung – Medium"), "text"),
        Field(
            "_channel_group",
            (
                "Session default channel group",
                "Session primary channel group (Default Channel Group)",
                "Default channel group",
                "Primary channel group (Default Channel Group)",
                "Sitzung - primäre Channelgruppe (Standard-Channelgruppe)",
                "Sitzung – Standard-Channelgruppe",
                "Standard-Channelgruppe",
            ),
            "text",
        ),
        Field("campaign", ("Session campaign", "Sitzung – Kampagne"), "text"),
        Field("device", ("Device category", "Gerätekategorie"), "text"),
        Field("sessions", ("Sessions", "Sitzungen"), "number", required=True),
        Field(
            "engaged_sessions",
            ("Engaged sessions", "Sitzungen mit Interaktionen"),
            "number",
            required=True,
        ),
        Field(
            "users",
            ("Total users", "Users", "Active users", "Nutzer insgesamt", "Nutzer", "Aktive Nutzer"),
            "number",
            required=True,
        ),
        Field("new_users", ("New users", "Neue Nutzer"), "number", required=True),
        Field(
            "page_views",
            ("Views", "Screen page views", "Screen Page Views", "Aufrufe"),
            "number",
            required=True,
        ),
        Field(
            "key_events",
            ("Key events", "Conversions", "Schlüsselereignisse", "Conversions"),
            "number",
            required=True,
        ),
        Field("revenue", ("Total revenue", "Revenue", "Gesamtumsatz"), "number", required=True),
    ),
    ignored=_IGNORED,
    copies={"date": "_day_offset"},
    derived={
        "source": (("_source_medium", split_source),),
        "medium": (("_source_medium", split_medium),),
        "channel": (
            ("_channel_group", channel_of_group),
            ("_source_medium", _channel_of_source_medium),
            ("medium", _channel_of_medium),
        ),
    },
    defaults={
        "source": "(not set)",
        "medium": "(not set)",
        "campaign": "(not set)",
        "device": "(not set)",
    },
    summary=_is_summary,
    preamble_date_range=True,
    daily_hint="In GA4 add the dimension Date to the report (Customize report → Dimensions), "
    "or export one day at a time.",
    comment_prefix="#",
    title_lines=True,
)
