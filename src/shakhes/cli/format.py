"""Formatting numbers for people: units, locales (Persian digits), and "—" for undefined."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

from shakhes.engine.calendar import to_persian_digits
from shakhes.spec.kpi import KpiSpec, Unit

DASH = "—"


def format_value(
    value: float | None, spec: KpiSpec, *, currency: str = "USD", locale: str = "en"
) -> str:
    """``0.0123`` for a percent KPI with 2 decimals → ``1.23%``; null or NaN → ``—``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    decimals = spec.decimals
    if spec.unit is Unit.PERCENT:
        text = _number(value * 100, decimals, locale) + "%"
    elif spec.unit is Unit.CURRENCY:
        text = _number(value, decimals, locale) + f" {currency}"
    elif spec.unit is Unit.COUNT:
        shown = decimals if value != round(value) else 0
        text = _number(value, shown, locale)
    else:
        text = _number(value, decimals, locale)
    return text


def format_change(change_pct: float | None, locale: str = "en") -> str:
    if change_pct is None or math.isnan(change_pct):
        return DASH
    sign = "+" if change_pct > 0 else ""
    return sign + _number(change_pct * 100, 1, locale) + "%"


def _number(value: float, decimals: int, locale: str) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    babel_locale = "fa_IR" if locale == "fa" else "en_US"
    text = format_decimal(value, format=pattern, locale=babel_locale, numbering_system="default")
    return to_persian_digits(text) if locale == "fa" else text
