"""How a page writes numbers, days and words: one :class:`Look` per request.

Numbers are shakhes' own (:mod:`shakhes.display`: the KPI's decimals, at least three
significant digits, Persian digits and separators in Persian), days are the report's
(:mod:`shakhes.report.words`: Jalali in a Jalali workspace), and the words are the report's
plus the pages' own (:data:`WORDS`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.display import (
    DASH,
    JALALI_MONTHS_EN,
    format_change,
    format_day,
    format_plain,
    format_value,
)
from shakhes.report.words import WORDS as REPORT_WORDS
from shakhes.report.words import digits
from shakhes.spec.periods import JALALI_BEFORE

if TYPE_CHECKING:
    from shakhes.engine.calendar import Period
    from shakhes.spec.kpi import KpiSpec

LANGS = ("en", "fa")
_MONTH = re.compile(r"(\d{4})-(\d{2})")

_PAGE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "app": "shakhes",
        "sep": " · ",
        "overview": "Overview",
        "campaigns": "Campaigns",
        "data": "Data",
        "settings": "Settings",
        "workspace": "Workspace",
        "switch": "Go",
        "logout": "Log out",
        "language": "فارسی",
        "signed_in": "Signed in as",
        "show": "Show",
        "compare_with": "compared with",
        "previous_period": "the previous period",
        "last_year": "the same period last year",
        "months": "Months",
        "quarters": "Quarters",
        "years": "Years",
        "goal_tree": "Goals",
        "scorecards": "KPIs",
        "value": "value",
        "vs": "vs",
        "no_target": "no target",
        "tracked_on": "targets tracked on",
        "owner": "owner",
        "drives": "drives",
        "driven_by": "driven by",
        "kind": "kind",
        "strategic": "strategic",
        "operational": "operational",
        "functional": "functional",
        "leading": "leading",
        "over_time": "Over time",
        "daily": "day by day",
        "comparison": "comparison period",
        "breakdown": "Breakdown",
        "by": "by",
        "share": "share",
        "smart": "SMART check",
        "why_moved": "Why did it move?",
        "show_panel": "Show this part",
        "not_explained": "This change cannot be explained",
        "anomaly": "anomaly",
        "links": "Leading and lagging KPIs",
        "no_links": "No goal links this KPI to another.",
        "formula": "formula",
        "unit": "unit",
        "campaign": "campaign",
        "channel": "channel",
        "spend": "spend",
        "conversions": "conversions",
        "cpa": "CPA",
        "roas": "ROAS",
        "dates": "dates",
        "meets": "meets target",
        "misses": "misses target",
        "channel_average": "channel average",
        "this_campaign": "this campaign",
        "no_campaigns": "No campaign has ad data in this period.",
        "error": "Something went wrong",
        "not_found": "Not found",
        "back": "Back to the overview",
        "hint": "What to do",
        "edit": "Edit",
        "targets_edit": "Set targets",
        "new_kpi": "New KPI",
        "new_goal": "New goal",
        "all_kpis": "All KPIs",
        "sort": "Click a column's head to sort by it.",
        "page_period": "Period",
        "status_of_targets": "status against targets",
        "target_rule": "A campaign meets a CPA or ROAS target when its value over its dates is "
        "on the target's good side (targets of the whole workspace or of its channel).",
    },
    "fa": {
        "app": "شاخص",
        "sep": "، ",
        "overview": "نمای کلی",
        "campaigns": "کمپین‌ها",
        "data": "داده‌ها",
        "settings": "تنظیمات",
        "workspace": "فضای کاری",
        "switch": "برو",
        "logout": "خروج",
        "language": "English",
        "signed_in": "واردشده با",
        "show": "نمایش",
        "compare_with": "در مقایسه با",
        "previous_period": "دوره پیش",
        "last_year": "همین دوره در سال پیش",
        "months": "ماه‌ها",
        "quarters": "فصل‌ها",
        "years": "سال‌ها",
        "goal_tree": "اهداف",
        "scorecards": "شاخص‌ها",
        "value": "مقدار",
        "vs": "در برابر",
        "no_target": "بی هدف عددی",
        "tracked_on": "هدف‌ها پیگیری‌شده در",
        "owner": "مسئول",
        "drives": "پیش‌برنده",
        "driven_by": "پیش‌برده با",
        "kind": "نوع",
        "strategic": "راهبردی",
        "operational": "عملیاتی",
        "functional": "کارکردی",
        "leading": "پیشرو",
        "over_time": "در طول زمان",
        "daily": "روز به روز",
        "comparison": "دوره مقایسه",
        "breakdown": "تفکیک",
        "by": "بر پایه",
        "share": "سهم",
        "smart": "آزمون SMART",
        "why_moved": "چرا تغییر کرد؟",
        "show_panel": "نمایش این بخش",
        "not_explained": "این تغییر را نمی‌توان توضیح داد",
        "anomaly": "ناهنجاری",
        "links": "شاخص‌های پیشرو و پسرو",
        "no_links": "هیچ هدفی این شاخص را به شاخص دیگری پیوند نمی‌دهد.",
        "formula": "فرمول",
        "unit": "واحد",
        "campaign": "کمپین",
        "channel": "کانال",
        "spend": "هزینه",
        "conversions": "تبدیل‌ها",
        "cpa": "CPA",
        "roas": "ROAS",
        "dates": "تاریخ‌ها",
        "meets": "در هدف",
        "misses": "خارج از هدف",
        "channel_average": "میانگین کانال",
        "this_campaign": "این کمپین",
        "no_campaigns": "در این دوره هیچ کمپینی داده تبلیغاتی ندارد.",
        "error": "خطایی رخ داد",
        "not_found": "پیدا نشد",
        "back": "بازگشت به نمای کلی",
        "hint": "چه باید کرد",
        "edit": "ویرایش",
        "targets_edit": "تعیین هدف‌ها",
        "new_kpi": "شاخص تازه",
        "new_goal": "هدف کلان تازه",
        "all_kpis": "همه شاخص‌ها",
        "sort": "برای مرتب‌کردن، روی سرِ ستون بزنید.",
        "page_period": "دوره",
        "status_of_targets": "وضعیت در برابر هدف‌ها",
        "target_rule": "کمپینی در حد هدف CPA یا ROAS است که مقدارش در تاریخ‌هایش در سمت خوب "
        "هدف باشد (هدف‌های کل فضای کاری یا کانال آن).",
    },
}
WORDS = {lang: {**REPORT_WORDS[lang], **_PAGE_WORDS[lang]} for lang in LANGS}
"""The pages' words: the report's and the pages' own."""

FONTS = {
    "en": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
    "fa": '"Noto Sans Arabic", Vazirmatn, Tahoma, "Segoe UI", system-ui, sans-serif',
}
"""Font stacks; Noto Sans Arabic is served by the pages (``/static/fonts/``)."""


@dataclass(frozen=True)
class Look:
    """The language, calendar and currency a page is written in."""

    lang: str
    jalali: bool
    currency: str

    @property
    def calendar(self) -> str:
        return "jalali" if self.jalali else "gregorian"

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    @property
    def dir(self) -> str:
        return "rtl" if self.lang == "fa" else "ltr"

    @property
    def font(self) -> str:
        return FONTS[self.lang]

    def value(self, value: float | None, spec: KpiSpec) -> str:
        return format_value(_finite(value), spec, currency=self.currency, locale=self.lang)

    def plain(self, value: float | None) -> str:
        return format_plain(_finite(value), self.lang)

    def change(self, pct: float | None) -> str:
        return format_change(_finite(pct), self.lang)

    def day(self, day: dt.date | str | None) -> str:
        if day is None:
            return DASH
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        return format_day(day, self.lang, self.calendar, "long")

    def short_day(self, day: dt.date) -> str:
        return format_day(day, self.lang, self.calendar, "short")

    def digits(self, text: str) -> str:
        return digits(text, self.lang)

    def name(self, spec: KpiSpec | None, kpi: str = "") -> str:
        if spec is None:
            return kpi
        return spec.name.fa if self.lang == "fa" else spec.name.en

    def period(self, period: Period) -> str:
        """A period as the picker and headings name it: ``فروردین ۱۴۰۴``, ``2025-04``, and a
        Jalali month in English by its name (``Farvardin 1404``)."""
        if self.lang == "fa":
            return period.label_fa
        month = _MONTH.fullmatch(period.label)
        if self.jalali and month and int(month[1]) < JALALI_BEFORE:
            return f"{JALALI_MONTHS_EN[int(month[2]) - 1]} {month[1]}"
        return period.label

    def span(self, start: dt.date, end: dt.date) -> str:
        return f"{self.day(start)} {self.words['to']} {self.day(end)}"

    def status(self, value: str | None) -> dict[str, str]:
        key = value or "no_status"
        return {"key": key, "text": self.words[key]}


def raw(value: Any) -> str:
    """A number as the ``data-value`` attribute holds it: JSON, unrounded (null: none)."""
    return json.dumps(_finite(value))


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
