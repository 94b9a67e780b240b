"""Formatting numbers and days for people: units, significant digits, locales, "—" for
undefined, and days in the workspace's calendar (:func:`format_day`).

The rule (docs/engine.md, "Reading the numbers"): a value is shown with its KPI's decimals
(``decimals`` in the definition, 2 by default), but never with fewer than three significant
digits — a CTR of 0.000176 is ``0.0176%``, not ``0.02%`` — and the extra decimals stop at the
last digit that is not zero (``0.5``, not ``0.500``). Whole counts have no decimals; money has
at most its currency's decimals (none for rial, toman and afghani). Rounding is half away from
zero, on the decimal value (2.675 → 2.68). Values under a ten-billionth and from a billion
billions (10^18) up are written in scientific notation (``1.23E-11``, ``1.50E18``). Changes
(Δ) have one decimal and at least two significant digits. In Persian (``fa``) the digits are
Persian, the separators ``٬`` and ``٫``, the percent sign ``٪``, and rial, toman and afghani
are written out.

>>> format_number(0.0176, 2, "en")
'0.0176'
>>> format_number(1234567.891, 2, "fa")
'۱٬۲۳۴٬۵۶۷٫۸۹'
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision, parse_pattern

from shakhes.spec.kpi import KpiSpec, Unit
from shakhes.text import to_persian_digits

DASH = "—"
"""Shown for an undefined value (a ratio over nothing)."""

SIGNIFICANT = 3
"""The fewest significant digits a value is shown with."""

MAX_DECIMALS = 10
"""Beyond this many decimals a value is written in scientific notation."""

MAX_DIGITS = 18
"""A value with more digits than this before the decimal point is written in scientific
notation (a billion billions: no real KPI value, but a number must never be unreadable)."""

_CURRENCY_FA = {"IRR": "ریال", "IRT": "تومان", "AFN": "افغانی"}
_NO_DECIMALS = {"IRT"}
"""Currencies without decimals that Babel does not know (IRT: the toman, 10 rials)."""


def percent_sign(locale: str) -> str:
    return "٪" if locale == "fa" else "%"


def currency_label(code: str, locale: str) -> str:
    """How an amount's currency is written: the ISO code, or its Persian name in ``fa`` for the
    currencies Persian readers use (rial, toman, afghani)."""
    return _CURRENCY_FA.get(code, code) if locale == "fa" else code


def currency_decimals(code: str) -> int:
    """Decimals of a currency (ISO 4217 minor units; 0 for rial, toman and afghani)."""
    if code in _NO_DECIMALS:
        return 0
    try:
        return int(get_currency_precision(code))
    except (KeyError, ValueError):  # pragma: no cover - Babel knows every ISO code
        return 2


def format_number(
    value: float, decimals: int, locale: str = "en", *, significant: int = SIGNIFICANT
) -> str:
    """``value`` with ``decimals`` decimals, more where needed to show ``significant``
    significant digits (trailing zeros past ``decimals`` dropped), grouped, in ``locale``.

    >>> format_number(0.000176 * 100, 2, "en"), format_number(-0.5, 0, "en")
    ('0.0176', '-0.5')
    >>> format_number(1.5e17, 2, "en"), format_number(1.5e30, 2, "en")
    ('150,000,000,000,000,000.00', '1.50E30')
    """
    number = Decimal(repr(float(value)))
    places = decimals
    if number != 0:
        places = max(decimals, significant - 1 - number.adjusted())
        if places > MAX_DECIMALS or number.adjusted() >= MAX_DIGITS:
            return _scientific(number, significant, locale)
    babel_locale = "fa_IR" if locale == "fa" else "en_US"
    pattern = "#,##0" + ("." + "0" * decimals + "#" * (places - decimals) if places else "")
    with localcontext() as ctx:
        ctx.prec = max(28, number.adjusted() + places + 4)
        ctx.rounding = ROUND_HALF_UP
        rounded = number.quantize(Decimal(1).scaleb(-places))
        if rounded == 0:
            rounded = abs(rounded)  # never "-0.00"
        text = _apply(pattern, rounded, babel_locale)
    return to_persian_digits(text) if locale == "fa" else text


@functools.lru_cache(maxsize=256)
def _parsed(pattern: str, locale: str) -> tuple[NumberPattern, Locale]:
    """Babel's number pattern and locale, parsed once (``format_decimal`` parses both on each
    call: half its time, and a KPI page formats a few hundred numbers)."""
    return parse_pattern(pattern), Locale.parse(locale)


def _apply(pattern: str, number: Decimal, locale: str) -> str:
    """``babel.numbers.format_decimal`` (or ``format_scientific``) of ``number`` with
    ``pattern`` in ``locale``'s default numbering system, as those functions apply it."""
    parsed, babel_locale = _parsed(pattern, locale)
    return str(parsed.apply(number, babel_locale, numbering_system="default"))


def _scientific(number: Decimal, significant: int, locale: str) -> str:
    babel_locale = "fa_IR" if locale == "fa" else "en_US"
    pattern = "0." + "0" * (significant - 1) + "E0"
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        text = _apply(pattern, number, babel_locale)
    return to_persian_digits(text) if locale == "fa" else text


def format_value(
    value: float | None, spec: KpiSpec, *, currency: str = "USD", locale: str = "en"
) -> str:
    """A KPI value as a reader sees it: ``0.0123`` of a percent KPI → ``1.23%``; null → ``—``.

    >>> from shakhes.spec.catalog import load_catalog
    >>> ctr = next(k for k in load_catalog() if k.id == "ctr")
    >>> format_value(0.000176, ctr), format_value(0.0123, ctr, locale="fa")
    ('0.0176%', '۱٫۲۳٪')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    decimals = spec.decimals
    if spec.unit is Unit.PERCENT:
        return format_number(value * 100, decimals, locale) + percent_sign(locale)
    if spec.unit is Unit.CURRENCY:
        decimals = min(decimals, currency_decimals(currency))
        return format_number(value, decimals, locale) + " " + currency_label(currency, locale)
    if spec.unit is Unit.COUNT and value == round(value):
        decimals = 0
    return format_number(value, decimals, locale)


def format_plain(value: float | None, locale: str = "en") -> str:
    """A number without a unit (a numerator or denominator): whole numbers without decimals,
    others with two (and at least three significant digits)."""
    if value is None or not math.isfinite(value):
        return DASH
    return format_number(value, 0 if value == round(value) else 2, locale)


def format_change(change_pct: float | None, locale: str = "en") -> str:
    """A relative change: ``0.153`` → ``+15.3%``; ``0.00026`` → ``+0.026%``; null → ``—``."""
    if change_pct is None or not math.isfinite(change_pct):
        return DASH
    text = format_number(change_pct * 100, 1, locale, significant=2)
    sign = "+" if change_pct > 0 else ""
    return sign + text + percent_sign(locale)


JALALI_MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip
GREGORIAN_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip

DayStyle = Literal["numeric", "long", "short"]


def format_day(
    day: dt.date, locale: str = "en", calendar: str = "gregorian", style: DayStyle = "numeric"
) -> str:
    """A day as shakhes writes it for people, everywhere (the CLI, the report, the words of
    ``explain`` and ``check``): in the Jalali calendar when the workspace's ``calendar`` is
    ``jalali`` (Gregorian otherwise: the fiscal calendar's days are Gregorian), with Persian
    digits in ``fa``.

    - ``numeric``: ``2025-11-05`` (Jalali ``1404-08-14``); in ``fa`` ``۱۴۰۴/۰۸/۱۴``;
    - ``long``: in ``fa`` the day, the month's name and the year (``۱۴ آبان ۱۴۰۴``); in English
      the numeric form;
    - ``short`` (a chart's axis): the day and the month's name (``5 Nov``, ``۱۴ آبان``).

    >>> day = dt.date(2025, 11, 5)
    >>> format_day(day), format_day(day, "en", "jalali"), format_day(day, "fa", "jalali")
    ('2025-11-05', '1404-08-14', '۱۴۰۴/۰۸/۱۴')
    >>> format_day(day, "fa", "gregorian"), format_day(day, "fa", "jalali", "long")
    ('۲۰۲۵/۱۱/۰۵', '۱۴ آبان ۱۴۰۴')
    >>> format_day(day, "en", "gregorian", "short"), format_day(day, "en", "jalali", "short")
    ('5 Nov', '14 Aban')
    """
    from shakhes.engine.calendar import GREGORIAN_MONTHS_FA, JALALI_MONTHS_FA, _jalali_ymd

    jalali = str(calendar) == "jalali"
    year, month, number = _jalali_ymd(day) if jalali else (day.year, day.month, day.day)
    fa = locale == "fa"
    if style == "short":
        if jalali:
            names = JALALI_MONTHS_FA if fa else JALALI_MONTHS_EN
        else:
            names = GREGORIAN_MONTHS_FA if fa else GREGORIAN_MONTHS_EN
        text = f"{number} {names[month - 1]}"
    elif style == "long" and fa:
        names = JALALI_MONTHS_FA if jalali else GREGORIAN_MONTHS_FA
        text = f"{number} {names[month - 1]} {year}"
    else:
        text = f"{year:04d}{'/' if fa else '-'}{month:02d}{'/' if fa else '-'}{number:02d}"
    return to_persian_digits(text) if fa else text
