"""The report's words in English and Persian, and how it writes days (Jalali in a Jalali
workspace, Persian digits in Persian)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from persiantools.jdatetime import JalaliDate

from shakhes.engine.calendar import GREGORIAN_MONTHS_FA, JALALI_MONTHS_FA
from shakhes.text import to_persian_digits

JALALI_MONTHS_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
# persiantools has no annotations: call it through a typed name (as the calendar does).
_jalali_date = cast("Callable[..., Any]", JalaliDate)

GREGORIAN_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "KPI report",
        "period": "Period",
        "on": "Status on",
        "generated": "Made by shakhes",
        "goals": "Goals and their status",
        "no_goals": "This workspace has no goals or targets for this period.",
        "no_goals_hint": "Add a goal with `shakhes goal add` and a target with "
        "`shakhes target set`; the report then tracks them.",
        "without_goal": "Targets without a goal",
        "kpi": "KPI",
        "scope": "scope",
        "all": "all",
        "target": "target",
        "actual": "actual",
        "expected": "expected by now",
        "forecast": "forecast",
        "interval": "80% interval",
        "probability": "probability",
        "status": "status",
        "data_through": "data through",
        "not_tracked": "not tracked",
        "achieved": "achieved",
        "on_track": "on track",
        "at_risk": "at risk",
        "off_track": "off track",
        "missed": "missed",
        "no_status": "no status",
        "charts": "Targets day by day",
        "chart_actual": "actual to date",
        "chart_expected": "pacing (expected)",
        "chart_forecast": "forecast",
        "chart_band": "80% interval",
        "chart_target": "target",
        "chart_daily": "day by day",
        "chart_anomaly": "anomaly",
        "comparison": "comparison period",
        "movers": "Biggest movers",
        "movers_intro": "The KPIs that changed most from the previous period, and why.",
        "no_movers": "No KPI can be compared with the previous period.",
        "previous": "previous",
        "current": "this period",
        "change": "change",
        "why": "why",
        "no_explanation": "not explained",
        "anomalies": "Anomalies",
        "anomalies_intro": "Days where a KPI broke from its expected value (weekday profile "
        "× recent level, robust spread), and the value that explains most of it.",
        "anomalies_not_available": "Anomalies could not be looked for",
        "no_anomalies": "No anomalies in this period.",
        "day": "day",
        "expected_value": "expected",
        "severity": "severity",
        "explained_by": "mostly",
        "low": "low",
        "medium": "medium",
        "high": "high",
        "to": "to",
        "band": "between {low} and {high}",
    },
    "fa": {
        "title": "گزارش شاخص‌ها",
        "period": "دوره",
        "on": "وضعیت در",
        "generated": "ساخته‌شده با شاخص",
        "goals": "اهداف و وضعیت آن‌ها",
        "no_goals": "این فضای کاری برای این دوره هیچ هدف یا هدف عددی‌ای ندارد.",
        "no_goals_hint": "با ‎`shakhes goal add`‎ هدفی و با ‎`shakhes target set`‎ هدفی عددی "
        "بگذارید تا گزارش آن‌ها را پیگیری کند.",
        "without_goal": "هدف‌های عددی بدون هدف",
        "kpi": "شاخص",
        "scope": "دامنه",
        "all": "همه",
        "target": "هدف عددی",
        "actual": "تا کنون",
        "expected": "مورد انتظار تا کنون",
        "forecast": "پیش‌بینی",
        "interval": "بازه ۸۰٪",
        "probability": "احتمال",
        "status": "وضعیت",
        "data_through": "داده تا",
        "not_tracked": "پیگیری نشد",
        "achieved": "محقق شد",
        "on_track": "در مسیر",
        "at_risk": "در خطر",
        "off_track": "خارج از مسیر",
        "missed": "محقق نشد",
        "no_status": "بی‌وضعیت",
        "charts": "هدف‌های عددی روز به روز",
        "chart_actual": "تا کنون",
        "chart_expected": "مسیر مورد انتظار",
        "chart_forecast": "پیش‌بینی",
        "chart_band": "بازه ۸۰٪",
        "chart_target": "هدف عددی",
        "chart_daily": "روز به روز",
        "chart_anomaly": "ناهنجاری",
        "comparison": "دوره مقایسه",
        "movers": "بیشترین تغییرها",
        "movers_intro": "شاخص‌هایی که نسبت به دوره پیش بیشترین تغییر را داشته‌اند، و چرایی آن.",
        "no_movers": "هیچ شاخصی را نمی‌توان با دوره پیش مقایسه کرد.",
        "previous": "دوره پیش",
        "current": "این دوره",
        "change": "تغییر",
        "why": "چرا",
        "no_explanation": "توضیحی نیست",
        "anomalies": "ناهنجاری‌ها",
        "anomalies_intro": "روزهایی که شاخصی از مقدار مورد انتظارش (الگوی روزهای هفته × سطح "
        "اخیر، با پراکندگی مقاوم) فاصله گرفت، و مقداری که بیشترِ آن را توضیح می‌دهد.",
        "anomalies_not_available": "ناهنجاری‌ها را نشد جست",
        "no_anomalies": "در این دوره ناهنجاری‌ای نیست.",
        "day": "روز",
        "expected_value": "مورد انتظار",
        "severity": "شدت",
        "explained_by": "بیشتر از",
        "low": "کم",
        "medium": "متوسط",
        "high": "زیاد",
        "to": "تا",
        "band": "بین {low} و {high}",
    },
}


def digits(text: str, lang: str) -> str:
    """``text`` with Persian digits in Persian."""
    return to_persian_digits(text) if lang == "fa" else text


def format_day(day: dt.date, lang: str, jalali: bool) -> str:
    """A day as the report writes it: ISO (``2025-11-05``, Jalali ``1404-08-14``) in English,
    the day, month name and year in Persian (``۱۴ آبان ۱۴۰۴``).

    >>> format_day(dt.date(2025, 11, 5), "fa", True), format_day(dt.date(2025, 11, 5), "en", True)
    ('۱۴ آبان ۱۴۰۴', '1404-08-14')
    """
    if jalali:
        j = _jalali_date(day)
        year, month, d = int(j.year), int(j.month), int(j.day)
    else:
        year, month, d = day.year, day.month, day.day
    if lang == "fa":
        names = JALALI_MONTHS_FA if jalali else GREGORIAN_MONTHS_FA
        return to_persian_digits(f"{d} {names[month - 1]} {year}")
    return f"{year:04d}-{month:02d}-{d:02d}"


def short_day(day: dt.date, lang: str, jalali: bool) -> str:
    """A day on a chart's axis: its number and month (``5 Nov``, ``۱۴ آبان``)."""
    if jalali:
        j = _jalali_date(day)
        month, d = int(j.month), int(j.day)
        names = JALALI_MONTHS_FA if lang == "fa" else JALALI_MONTHS_EN
    else:
        month, d = day.month, day.day
        names = GREGORIAN_MONTHS_FA if lang == "fa" else GREGORIAN_MONTHS_EN
    return digits(f"{d} {names[month - 1]}", lang)
