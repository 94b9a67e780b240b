"""Yektanet (یکتانت) native/display ad reports, as downloaded from the advertiser dashboard.

Layout: one header row, one row per day × campaign × ad group × creative. English headers
``Date, Campaign, Cost, Impression, Click, Ad Group, Creative, Sessions, Lead`` — note the
singular ``Impression``/``Click``, which is also what tells a Yektanet file from a Google Ads
report (``Impr.``/``Impressions``, ``Clicks``) — or the Persian ones of the Persian dashboard:

====================  =======================================================
canonical             Persian headers accepted
====================  =======================================================
date                  تاریخ، روز
campaign              کمپین، نام کمپین
ad_group              گروه تبلیغاتی، گروه تبلیغ، نام گروه تبلیغاتی
ad (``Creative``)     تبلیغ، نام تبلیغ، بنر، کریتیو، محتوا
impressions           نمایش، نمایش‌ها، تعداد نمایش، ایمپرشن
clicks                کلیک، کلیک‌ها، تعداد کلیک
cost                  هزینه، هزینه کل، مبلغ هزینه
leads (``Lead``)      لید، لیدها، سرنخ
(``Sessions``)        سشن، نشست، ورودی سایت — recognised, not imported
====================  =======================================================

Arabic ي/ك spellings (Windows-1256 files) and the zero-width non-joiner are matched through
:func:`~shakhes.imports.sources.base.header_key`.

Values: dates as ``YYYYMMDD``, ``M/D/YYYY``, spreadsheet serials or Jalali (``۱۴۰۳/۰۷/۱۵``),
all through :func:`shakhes.imports.values.parse_dates`; costs as plain, grouped
(``۱۲٬۵۰۰٬۰۰۰``) or spreadsheet-scientific (``1.48E+08``) numbers.

Decisions:

- platform ``yektanet``, channel ``display`` (Yektanet's native ads; see the channel
  vocabulary), account ``(not set)`` unless ``--account`` is given, ``campaign_id`` = the
  campaign name (the report has no ids).
- **Currency is never guessed.** Yektanet bills in rial or toman and the report does not say
  which, so the import stops with the pipeline's "no currency" error unless ``--currency IRR``
  (rial) or ``--currency IRT`` (toman) is given — or the file has a ``Currency``/``واحد پول``
  column, or a header such as ``Cost (IRR)``. A header that names the unit in Persian
  (``هزینه (تومان)``) is not placed: rename it ``Cost (IRT)`` or pass ``--currency``.
- ``Lead`` → ``leads``; ``conversions`` and ``conversion_value`` are 0 (the report has no
  attributed conversions; leads are not silently counted as conversions).
- ``Sessions`` is Yektanet's own count of landing-page visits: it belongs to web analytics,
  not to ``ad_performance``, so it is recognised (it helps tell the layout) but not imported.
- A row whose date cell says ``Total``/``جمع کل``/``مجموع`` is the report's total: skipped and
  checked against the imported sums (a mismatch is a warning).
- ``M/D/YYYY`` dates whose day is 12 or less in every row cannot be told from ``D/M/YYYY``;
  such cells are quarantined as ambiguous rather than guessed (see values.parse_dates).
- **Telling it from Google Ads.** In Persian both platforms write تاریخ، کمپین، هزینه،
  نمایش، کلیک: a file whose header row is the first line is Yektanet's (a Google Ads download
  starts with its title and date-range lines), unless its other columns say Google Ads
  (نوع کمپین، کد واحد پول).
- Rows that share day, campaign, ad group and creative are different creatives with one name:
  added together (see ``repeated_keys``).
"""

from __future__ import annotations

from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec, header_key

_TOTAL_WORDS = ("total", "sum", "جمع", "مجموع")


def _is_total(row: Mapping[str, str]) -> bool:
    """A total row: its date cell says ``Total``/``Sum``/``جمع کل``/``مجموع`` (only the date
    cell is looked at, so a campaign called "Total …" is still imported)."""
    return header_key(row.get("date", "")).startswith(_TOTAL_WORDS)


_IGNORED = (
    "CTR", "CPC", "CPM", "Conversion Rate", "Status", "Budget", "نرخ کلیک", "هزینه هر کلیک",
    "میانگین هزینه هر کلیک", "هزینه هر هزار نمایش", "نرخ تبدیل", "وضعیت", "بودجه",
)  # fmt: skip

YEKTANET = SourceSpec(
    name="yektanet",
    table="ad_performance",
    title="Yektanet report",
    fields=(
        Field("date", ("Date", "تاریخ", "روز"), "date", required=True),
        Field("campaign", ("Campaign", "کمپین", "نام کمپین"), "text", required=True),
        Field(
            "ad_group",
            ("Ad Group", "گروه تبلیغاتی", "گروه تبلیغ", "نام گروه تبلیغاتی"),
            "text",
        ),
        Field("ad", ("Creative", "تبلیغ", "نام تبلیغ", "بنر", "کریتیو", "محتوا"), "text"),
        Field(
            "impressions",
            ("Impression", "نمایش", "نمایش‌ها", "تعداد نمایش", "ایمپرشن"),
            "number",
            required=True,
        ),
        Field("clicks", ("Click", "کلیک", "کلیک‌ها", "تعداد کلیک"), "number", required=True),
        Field("cost", ("Cost", "هزینه", "هزینه کل", "مبلغ هزینه"), "number", required=True),
        Field("leads", ("Lead", "Leads", "لید", "لیدها", "سرنخ"), "number"),
        Field("_sessions", ("Sessions", "Session", "سشن", "نشست", "ورودی سایت"), "text"),
        Field("currency", ("Currency", "واحد پول"), "text"),
    ),
    ignored=_IGNORED,
    constants={"platform": "yektanet", "channel": "display"},
    copies={"campaign_id": "campaign"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "conversions": "0",
        "conversion_value": "0",
    },
    summary=_is_total,
    repeated_keys="add",
)
