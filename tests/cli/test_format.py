"""The significant-digits rule and the locales of shakhes.display, on worked examples: tiny
and huge values, negatives, zero, rounding, money in rial and toman, changes, Persian."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shakhes.display import format_change, format_number, format_plain, format_value
from shakhes.spec.catalog import load_catalog

KPIS = {k.id: k for k in load_catalog()}


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (1.23, 2, "1.23"),
        (0.0176, 2, "0.0176"),  # three significant digits, not 0.02
        (0.000176, 2, "0.000176"),
        (0.5, 2, "0.50"),  # never fewer decimals than the KPI's own
        (0.5, 0, "0.5"),  # extra decimals stop at the last digit that is not zero
        (0.01, 2, "0.01"),
        (0.0009996, 2, "0.001"),  # rounds up to one significant digit shown, not to 0.00
        (0.0, 2, "0.00"),
        (-0.0, 2, "0.00"),  # never "-0.00"
        (-0.0176, 2, "-0.0176"),
        (-1234.5, 2, "-1,234.50"),
        (2.675, 2, "2.68"),  # half away from zero, on the decimal value
        (-2.675, 2, "-2.68"),
        (123456.5, 0, "123,457"),
        (1e17, 2, "100,000,000,000,000,000.00"),
        (1.5e30, 2, "1.50E30"),  # from 10^18 up: scientific
        (1.234e-12, 2, "1.23E-12"),  # under 10^-10: scientific
        (-1.235e-12, 2, "-1.24E-12"),
    ],
)
def test_numbers_keep_three_significant_digits(value: float, decimals: int, shown: str) -> None:
    assert format_number(value, decimals, "en") == shown


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (1234567.891, 2, "۱٬۲۳۴٬۵۶۷٫۸۹"),
        (0.0176, 2, "۰٫۰۱۷۶"),
        (-0.5, 0, "-۰٫۵"),
        (0.0, 2, "۰٫۰۰"),
        (1.5e30, 2, "۱٫۵۰×۱۰^۳۰"),
    ],
)
def test_persian_numbers(value: float, decimals: int, shown: str) -> None:
    assert format_number(value, decimals, "fa") == shown


def test_percent_kpis_in_both_locales() -> None:
    ctr = KPIS["ctr"]
    assert format_value(0.000176, ctr) == "0.0176%"
    assert format_value(0.0123, ctr) == "1.23%"
    assert format_value(0.00856, ctr) == "0.856%"
    assert format_value(0.000176, ctr, locale="fa") == "۰٫۰۱۷۶٪"
    assert format_value(None, ctr) == "—" and format_value(float("nan"), ctr) == "—"


def test_money_has_its_currencys_decimals() -> None:
    cost, cpc = KPIS["cost"], KPIS["cpc"]
    assert format_value(12345.678, cost, currency="USD") == "12,345.68 USD"
    assert format_value(12345.678, cost, currency="IRR") == "12,346 IRR"  # no .00 on rial
    assert format_value(12345.678, cost, currency="IRR", locale="fa") == "۱۲٬۳۴۶ ریال"
    assert format_value(12345.0, cost, currency="IRT", locale="fa") == "۱۲٬۳۴۵ تومان"
    assert format_value(0.25, cpc, currency="IRT", locale="fa") == "۰٫۲۵ تومان"
    assert format_value(1500.0, cost, currency="AFN", locale="fa") == "۱٬۵۰۰ افغانی"
    assert format_value(0.004, cpc, currency="USD") == "0.004 USD"


def test_counts_are_whole_unless_they_are_not() -> None:
    clicks, conversions = KPIS["clicks"], KPIS["conversions"]
    assert format_value(23000.0, clicks) == "23,000"
    assert format_value(1857.05, conversions) == "1,857.05"
    assert format_plain(23000.0) == "23,000" and format_plain(25.5) == "25.50"
    assert format_plain(0.00123) == "0.00123"


def test_changes_have_one_decimal_and_two_significant_digits() -> None:
    assert format_change(1.53) == "+153.0%"
    assert format_change(0.00026) == "+0.026%"
    assert format_change(-0.0913) == "-9.1%"
    assert format_change(0.0) == "0.0%"
    assert format_change(-0.0913, "fa") == "-۹٫۱٪"
    assert format_change(None) == "—"


@given(
    number=st.decimals(
        allow_nan=False, allow_infinity=False, places=6, max_value=10**15, min_value=-(10**15)
    ),
    decimals=st.integers(0, 3),
    extra=st.integers(0, 4),
    locale=st.sampled_from(["en_US", "fa_IR"]),
    scientific=st.booleans(),
)
def test_numbers_are_written_as_babels_own_functions_write_them(
    number: Decimal, decimals: int, extra: int, locale: str, scientific: bool
) -> None:
    """The patterns and locales parsed once (shakhes.display._apply) give exactly what
    ``format_decimal`` / ``format_scientific`` give, which parse them on every call."""
    from babel.numbers import format_decimal, format_scientific

    from shakhes.display import _apply

    if scientific:
        pattern = "0." + "0" * (decimals + 1) + "E0"
        expected = format_scientific(
            number, format=pattern, locale=locale, numbering_system="default"
        )
    else:
        pattern = "#,##0" + ("." + "0" * decimals + "#" * extra if decimals + extra else "")
        expected = format_decimal(number, format=pattern, locale=locale, numbering_system="default")
    assert _apply(pattern, number, locale) == expected
    assert _apply(pattern, number, locale) == expected  # (parsed once, applied again)
