"""Tests for shakhes.imports.values: number, ID, date, boolean and text cells as exported.

Cases come from /work/shared/reference/EXPORT_FORMATS.md and PERSIAN.md (Google Ads, Meta, GA4,
LinkedIn, TikTok and Iranian exports). Jalali conversions are checked against persiantools.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from persiantools.jdatetime import JalaliDate

from shakhes.imports import values as values_module
from shakhes.imports.values import (
    Parsed,
    normalize_digits,
    normalize_key,
    normalize_keys,
    parse_booleans,
    parse_dates,
    parse_integers_as_ids,
    parse_numbers,
    parse_text,
)
from shakhes.imports.values import base as values_base
from shakhes.imports.values import text as values_text

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def column(*cells: str | None) -> pa.Array:
    return pa.array(list(cells), pa.string())


def rows(parsed: Parsed) -> list[tuple[Any, str | None]]:
    return list(zip(parsed.values.to_pylist(), parsed.errors.to_pylist(), strict=True))


def one(parse: Any, text: str, **options: Any) -> tuple[Any, str | None]:
    """Parse a single cell, alone in its column."""
    [result] = rows(parse(column(text), **options))
    return result


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۲۳۴۵۶۷۸۹۰", "1234567890"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۱۲٬۵۰۰٬۰۰۰", "12,500,000"),
        ("۱۲٫۵", "12.5"),
        ("۷٪", "7%"),
        ("Campaign ۱۴۰۳", "Campaign 1403"),
        ("no digits", "no digits"),
    ],
)
def test_normalize_digits(text: str, expected: str) -> None:
    assert normalize_digits(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("كيك", "کیک"),  # Arabic kaf and yeh vs Persian
        ("علي", "علی"),
        ("مصطفى", "مصطفی"),  # alef maksura
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ removed
        ("Brand", "brand"),
        ("BRAND  Search", "brand search"),
        ("\u200fکمپین\u200e", "کمپین"),  # RLM / LRM
        ("\u061cهزینه", "هزینه"),  # ALM
        ("کمپین ۱۴۰۳", "کمپین 1403"),
        ("  Cost\u00a0/\u202fconv. ", "cost / conv."),
        ("\ufeffCampaign", "campaign"),  # BOM
        ("ﻛﻴﻚ", "کیک"),  # Arabic presentation forms (text copied from a PDF)
        ("بـــرنـد", "برند"),  # tatweel
        ("Straße", "strasse"),  # casefold, not lower
    ],
)
def test_normalize_key_equal(a: str, b: str) -> None:
    assert normalize_key(a) == normalize_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("کیک", "کیف"), ("brand", "brands"), ("Cost", "Cost / conv."), ("۱۲", "۱۳")],
)
def test_normalize_key_different(a: str, b: str) -> None:
    assert normalize_key(a) != normalize_key(b)


def test_normalize_key_output() -> None:
    assert normalize_key("  Brand\u00a0 Search ") == "brand search"
    assert normalize_key("يك\u200cشنبه") == "یکشنبه"


def test_normalize_keys_vectorised_keeps_nulls_and_length() -> None:
    result = normalize_keys(column("كيك", None, "کیک", "Brand", "brand", "Brand"))
    assert result.type == pa.string()
    assert result.to_pylist() == ["کیک", None, "کیک", "brand", "brand", "brand"]


def test_normalize_keys_chunked() -> None:
    chunked = pa.chunked_array([["A", "b"], ["C"]], pa.string())
    assert normalize_keys(chunked).to_pylist() == ["a", "b", "c"]


# --- numbers: single cells ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12.0),
        ("-3.5", -3.5),
        ("+4", 4.0),
        ("1e3", 1000.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("  42  ", 42.0),
        ("1,234.56", 1234.56),
        ('"1,234"', 1234.0),
        ('"1,020.50"', 1020.5),
        ("1,234", 1234.0),  # Google Ads impressions: only commas, 3 digits after → thousands
        ("17,134", 17134.0),
        ("1,234,567", 1234567.0),
        ("1.234,56", 1234.56),  # German
        ("1 234,56", 1234.56),
        ("1\u00a0234,56", 1234.56),  # no-break space
        ("1\u202f234,56", 1234.56),  # narrow no-break space (French Google Ads)
        ("12\u202f034", 12034.0),
        ("1'234.50", 1234.5),  # Swiss
        ("12,34,567", 1234567.0),  # Indian grouping
        ("۱۲٬۵۰۰٬۰۰۰", 12500000.0),  # PERSIAN.md
        ("۱۲٫۵", 12.5),
        ("١٢٬٥٠٠٫٢٥", 12500.25),  # Arabic-Indic
        ("۱٬۲۳۴٬۵۶۷٫۵", 1234567.5),
        ("۱۲۵۰۰", 12500.0),
        ("$1,234.50", 1234.5),
        ("£0.00", 0.0),
        ("€12.5", 12.5),
        ("US$ 0,00", 0.0),  # Dutch Universal Analytics
        ("12.50 USD", 12.5),
        ("USD 12.50", 12.5),
        ("1,200 ریال", 1200.0),
        ("۱۲۰۰ تومان", 1200.0),
        ("۱۲۰۰ ت", 1200.0),
        ("۵۰۰۰ ﷼", 5000.0),
        ("-$12.00", -12.0),
        ("$-12.00", -12.0),
        ("−5", -5.0),  # U+2212 minus sign
        ("(12.50)", -12.5),
        ("($1,234.50)", -1234.5),
        ("7.00%", 0.07),
        ("4.81%", 0.0481),
        ("92.41%", 0.9241),
        ("99,88%", 0.9988),  # Dutch UA: decimal comma (2 digits after the comma)
        ("10 %", 0.1),
        ("۷٪", 0.07),
        ("1.48E+08", 148000000.0),  # Yektanet cost cells widened by Excel
        ("1,48E+08", 148000000.0),  # the same from a German Excel
        ("2.5e-3", 0.0025),
        ("< 10%", 0.1),  # censored: the bound
        ("> 90%", 0.9),
        ("<5", 5.0),  # TikTok masked impressions
        ("≤ 3", 3.0),
        ("40.50", 40.5),
        ("4.19763158", 4.19763158),
        ("0,5", 0.5),
        ("0.123", 0.123),  # a leading zero before 3 digits can only be a decimal
        ("\u200f۱۲۳\u200e", 123.0),  # bidi marks around Persian cells
    ],
)
def test_number_cells(text: str, expected: float) -> None:
    value, error = one(parse_numbers, text)
    assert error is None
    assert value == pytest.approx(expected, rel=1e-12, abs=0)


def test_percent_exact_in_decimal() -> None:
    assert one(parse_numbers, "99.88%") == (0.9988, None)
    assert one(parse_numbers, "7.00%") == (0.07, None)


@pytest.mark.parametrize(
    ("text", "expected"), [("7.00%", 7.0), ("< 10%", 10.0), ("99,88%", 99.88), ("12", 12.0)]
)
def test_percent_not_as_fraction(text: str, expected: float) -> None:
    assert one(parse_numbers, text, percent_as_fraction=False) == (expected, None)


@pytest.mark.parametrize(
    "text", ["", "   ", "--", "-", "—", "NA", "na", "N/A", "n/a", "nan", "NaN", "null", "NULL"]
)
def test_number_empty_markers_are_null_without_error(text: str) -> None:
    assert one(parse_numbers, text) == (None, None)


def test_custom_empty_markers() -> None:
    parsed = parse_numbers(column("x", "--", "1"), empty_markers=frozenset({"X"}))
    assert rows(parsed) == [(None, None), (None, "not a number"), (1.0, None)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not a number"),
        ("12 apples", "not a number"),
        ("1.2.3.4,5,6", "not a number"),
        ("1,2,3", "not a number"),  # commas in the wrong places
        ("1 2", "not a number"),
        ("12.5.6", "not a number"),
        ("%", "not a number"),
        ("7%%", "not a number"),
        ("(-12)", "not a number"),
        ("inf", "not a number"),
        ("1e9999", "number out of range"),
        ("#DIV/0!", "spreadsheet error #DIV/0!"),
        ("#N/A", "spreadsheet error #N/A"),
        ("#VALUE!", "spreadsheet error #VALUE!"),
        ("تومان", "currency without a number"),
        ("$", "currency without a number"),
        ("۱۲٫۵٫۶", "not a number"),
    ],
)
def test_number_errors(text: str, reason: str) -> None:
    value, error = one(parse_numbers, text)
    assert value is None
    assert error is not None
    assert error.startswith(reason)


# --- numbers: per-column decimal separator --------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Only 3-digit comma groups: thousands (Google Ads impressions).
        (["1,234", "12,034", "842"], [1234.0, 12034.0, 842.0]),
        # One value with a decimal comma makes '1,234' a decimal too.
        (["1,234", "12,5"], [1.234, 12.5]),
        # Dutch UA: "2.546" is 2546 once the column shows a decimal comma.
        (["2.546", "99,88%", "US$ 0,00"], [2546.0, 0.9988, 0.0]),
        # German: '1.234' is a thousands dot in a column of '1.234,56'.
        (["1.234,56", "1.234", "12"], [1234.56, 1234.0, 12.0]),
        # English: '1.234' is a decimal.
        (["1,234.56", "1.234"], [1234.56, 1.234]),
        # Repeated separators settle it.
        (["1.234.567", "1.234"], [1234567.0, 1234.0]),
        (["1,234,567", "1,234"], [1234567.0, 1234.0]),
        # French with narrow no-break spaces.
        (["1\u202f234,56", "12\u202f034", "0,5"], [1234.56, 12034.0, 0.5]),
        # No evidence at all: '.' is the decimal separator.
        (["1.234", "12"], [1.234, 12.0]),
        # Persian separators say what they are and vote for nothing.
        (["۱۲٬۵۰۰", "12,5"], [12500.0, 12.5]),
        (["۱۲٫۵", "1,234"], [12.5, 1234.0]),
    ],
)
def test_decimal_separator_decided_per_column(cells: list[str], expected: list[float]) -> None:
    parsed = parse_numbers(column(*cells))
    assert parsed.error_count() == 0, parsed.errors.to_pylist()
    assert parsed.values.to_pylist() == pytest.approx(expected)


def test_mixed_column_follows_majority_and_flags_the_others() -> None:
    cells = ["1,234.56"] * 5 + ["1,234"] * 2 + ["12,5"]
    parsed = parse_numbers(column(*cells))
    result = rows(parsed)
    assert result[0] == (1234.56, None)
    assert result[5] == (1234.0, None)  # ambiguous cells follow the majority
    value, error = result[-1]
    assert value is None
    assert error == (
        "12,5 uses ',' as the decimal separator but most of the column uses '.' — "
        "set decimal in a mapping file"
    )
    assert parsed.error_count() == 1


def test_mixed_column_majority_is_by_rows_not_distinct_values() -> None:
    parsed = parse_numbers(column("12,5", "12,5", "12,5", "3,25", "1.5", "1.234"))
    assert parsed.values.to_pylist()[:4] == [12.5, 12.5, 12.5, 3.25]
    assert parsed.values.to_pylist()[4] is None
    assert parsed.values.to_pylist()[5] == 1234.0  # follows the comma majority
    assert parsed.error_count() == 1


def test_mixed_column_tie_flags_every_dependent_cell() -> None:
    parsed = parse_numbers(column("1,5", "2.5", "1,234", "7", "--"))
    result = rows(parsed)
    for value, error in result[:3]:
        assert value is None
        assert error is not None and "set decimal in a mapping file" in error
    assert result[3:] == [(7.0, None), (None, None)]


@pytest.mark.parametrize(
    ("decimal", "cells", "expected"),
    [
        (",", ["1.234", "1,5", "1 234,56"], [1234.0, 1.5, 1234.56]),
        (",", ["1,234"], [1.234]),
        (".", ["1,234", "12,345.5"], [1234.0, 12345.5]),
        (".", ["1.234"], [1.234]),
    ],
)
def test_forced_decimal(decimal: str, cells: list[str], expected: list[float]) -> None:
    parsed = parse_numbers(column(*cells), decimal=decimal)
    assert parsed.error_count() == 0
    assert parsed.values.to_pylist() == pytest.approx(expected)


def test_forced_decimal_flags_cells_that_contradict_it() -> None:
    result = rows(parse_numbers(column("1.234,56", "12,5"), decimal="."))
    assert result[0][0] is None
    assert result[0][1] == "1.234,56 uses ',' as the decimal separator but the mapping says '.'"
    assert result[1][0] is None


def test_invalid_decimal_option() -> None:
    with pytest.raises(ValueError, match="decimal"):
        parse_numbers(column("1"), decimal=";")


def test_rial_and_toman_in_one_column_are_errors() -> None:
    parsed = parse_numbers(column("1,200 ریال", "۵۰۰ تومان", "300"))
    result = rows(parsed)
    assert result[2] == (300.0, None)
    for value, error in result[:2]:
        assert value is None
        assert error is not None and "rial and toman" in error


def test_numbers_keep_length_nulls_and_type() -> None:
    parsed = parse_numbers(column("1", None, "", "x", "1"))
    assert parsed.values.type == pa.float64()
    assert parsed.errors.type == pa.string()
    assert rows(parsed) == [
        (1.0, None),
        (None, None),
        (None, None),
        (None, "not a number"),
        (1.0, None),
    ]
    assert parsed.error_count() == 1


def test_numbers_accept_chunked_and_empty_arrays() -> None:
    chunked = pa.chunked_array([["1", "2"], ["1,5"]], pa.string())
    assert parse_numbers(chunked).values.to_pylist() == [1.0, 2.0, 1.5]
    empty = parse_numbers(pa.array([], pa.string()))
    assert len(empty.values) == 0 and empty.error_count() == 0
    assert parse_numbers(pa.nulls(3)).values.to_pylist() == [None, None, None]


def test_google_ads_row() -> None:
    cells = ["12,034", "842", "7.00%", "1.47", "1,234.56", "40.50", "30.48", "4.81%", "4,050.00"]
    parsed = parse_numbers(column(*cells))
    assert parsed.values.to_pylist() == pytest.approx(
        [12034, 842, 0.07, 1.47, 1234.56, 40.5, 30.48, 0.0481, 4050.0]
    )


# --- IDs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120208123456789012", "120208123456789012"),
        ("123.0", "123"),
        ("123.00", "123"),
        ("123-456-7890", "123-456-7890"),  # Google Ads customer ID
        ("'00123", "00123"),  # spreadsheet text marker; leading zeros kept
        ('"987"', "987"),
        ("۱۲۳۴", "1234"),
        ("abc_123", "abc_123"),
        ("  42 ", "42"),
    ],
)
def test_id_cells(text: str, expected: str) -> None:
    assert one(parse_integers_as_ids, text) == (expected, None)


@pytest.mark.parametrize("text", ["", "--", "N/A"])
def test_id_empty(text: str) -> None:
    assert one(parse_integers_as_ids, text) == (None, None)


@pytest.mark.parametrize("text", ["1.20253E+17", "1.20253e+17", "1,20253E+17", "2E+15"])
def test_scientific_ids_are_mangled(text: str) -> None:
    value, error = one(parse_integers_as_ids, text)
    assert value is None
    assert error == f"looks like a mangled ID ({text}): Excel turned it into a number"


def test_ids_rounded_to_15_digits_are_mangled() -> None:
    parsed = parse_integers_as_ids(column("120253000000000000", "120254100000000000", "42"))
    result = rows(parsed)
    assert result[2] == ("42", None)
    for value, error in result[:2]:
        assert value is None
        assert error is not None and "rounded it to 15 digits" in error


def test_real_long_ids_with_a_trailing_zero_are_kept() -> None:
    ids = ["120208123456789010", "120208123456789123", "120208123456789000"]
    parsed = parse_integers_as_ids(column(*ids))
    assert parsed.error_count() == 0
    assert parsed.values.to_pylist() == ids


# --- dates: single cells --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", date(2024, 1, 5)),
        ("2024-1-5", date(2024, 1, 5)),
        ("2024/01/05", date(2024, 1, 5)),
        ("2024.01.05", date(2024, 1, 5)),
        ("2026-05-19T15:15:37-0400", date(2026, 5, 19)),  # Meta "Last significant edit"
        ("2026-05-19T15:15:37Z", date(2026, 5, 19)),
        ("2026-05-19T15:15:37.123+03:30", date(2026, 5, 19)),
        ("2024-01-01 00:00:00", date(2024, 1, 1)),
        ("2024-01-01 9:05", date(2024, 1, 1)),
        ("20240105", date(2024, 1, 5)),  # GA4 / Yektanet
        ("9/13/2026", date(2026, 9, 13)),  # M/D/YYYY settled by the 13
        ("13-09-2026", date(2026, 9, 13)),  # DD-MM-YYYY settled by the 13
        ("13.09.2026", date(2026, 9, 13)),
        ("05/05/2024", date(2024, 5, 5)),  # the same either way
        ("September 1, 2026", date(2026, 9, 1)),  # Google Ads date-range line
        ("Sep 1, 2026", date(2026, 9, 1)),
        ("Sept. 1, 2026", date(2026, 9, 1)),
        ("Tue, Sep 1, 2026", date(2026, 9, 1)),
        ("1 September 2026", date(2026, 9, 1)),
        ("1st September 2026", date(2026, 9, 1)),
        ("01-Sep-2026", date(2026, 9, 1)),  # Excel d-mmm-yyyy
        ("1 ژانویه 2024", date(2024, 1, 1)),
        ("45292", date(2024, 1, 1)),  # Excel serial
        ("45292.75", date(2024, 1, 1)),  # serial with a time fraction
        ("44197", date(2021, 1, 1)),
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        ("\u200f2024-01-05\u200e", date(2024, 1, 5)),
        ("۲۰۲۴-۰۱-۰۵", date(2024, 1, 5)),  # Gregorian in Persian digits
    ],
)
def test_date_cells(text: str, expected: date) -> None:
    assert one(parse_dates, text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "۱۴۰۳/۰۷/۱۵",
        "1403-07-15",
        "1403/7/15",
        "1403/07/15",
        "١٤٠٣/٠٧/١٥",  # Arabic-Indic digits
        "14030715",
        "۱۴۰۳/۰۷/۱۵ ۱۰:۳۰",
        "۱۵ مهر ۱۴۰۳",  # month name
        "15 Mehr 1403",
        "۱۵ میزان ۱۴۰۳",  # Afghan month name
        "15/07/1403",  # day-first, settled by the 15
    ],
)
def test_jalali_dates_convert_to_gregorian(text: str) -> None:
    assert one(parse_dates, text) == (date(2024, 10, 6), None)


def test_jalali_never_read_as_year_1403() -> None:
    value, _ = one(parse_dates, "1403/07/15")
    assert value is not None and value.year == 2024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1403/01/01", date(2024, 3, 20)),  # Nowruz 1403
        ("1403/12/30", date(2025, 3, 20)),  # 1403 is a leap year
        ("1404/07/01", date(2025, 9, 23)),
        ("1300/01/01", date(1921, 3, 21)),
        ("1399/12/30", date(2021, 3, 20)),
    ],
)
def test_jalali_known_days(text: str, expected: date) -> None:
    assert one(parse_dates, text) == (expected, None)
    assert JalaliDate(*map(int, text.split("/"))).to_gregorian() == expected


@pytest.mark.parametrize(
    "text", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "1404/12/30", "1403/13/01"]
)
def test_not_a_real_date(text: str) -> None:
    value, error = one(parse_dates, text)
    assert value is None
    assert error is not None and error.startswith("not a real date")


def test_excel_serial_60_is_an_error() -> None:
    value, error = one(parse_dates, "60")
    assert value is None
    assert error is not None and error.startswith("not a real date") and "Excel" in error


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "not a date"),
        ("2024-01", "not a date"),
        ("32/13/2024", "not a real date"),
        ("03/04/24", "two-digit year"),
        ("0031", "looks like a GA4 'Nth day' offset"),
        ("2024", "looks like a year"),
        ("1490/01/01", "date out of the supported range"),
        ("Foo 1, 2026", "not a date"),
        ("99999999", "not a real date"),
    ],
)
def test_date_errors(text: str, reason: str) -> None:
    value, error = one(parse_dates, text)
    assert value is None
    assert error is not None and error.startswith(reason), error


@pytest.mark.parametrize("text", ["", " ", "--", "-", "N/A", "NaT", "null"])
def test_date_empty(text: str) -> None:
    assert one(parse_dates, text) == (None, None)


# --- dates: per-column day/month order ------------------------------------------------------


def test_ambiguous_column_is_an_error_per_cell_never_a_guess() -> None:
    parsed = parse_dates(column("03/04/2024", "05/05/2024", "01/02/2024", None))
    result = rows(parsed)
    assert result[0] == (
        None,
        "ambiguous date: 03/04/2024 could be 3 April or 4 March — "
        "set date_format in a mapping file",
    )
    assert result[1] == (date(2024, 5, 5), None)
    assert result[2][0] is None and result[2][1] is not None
    assert result[3] == (None, None)
    assert parsed.error_count() == 2


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # LinkedIn: month first, settled by 09/13/2026.
        (["09/01/2026", "09/13/2026"], [date(2026, 9, 1), date(2026, 9, 13)]),
        # Excel re-save: day first, settled by 13-01-2026.
        (["09-01-2026", "13-01-2026"], [date(2026, 1, 9), date(2026, 1, 13)]),
        (["03/04/2024", "25/12/2024"], [date(2024, 4, 3), date(2024, 12, 25)]),
        (["03/04/2024", "12/25/2024"], [date(2024, 3, 4), date(2024, 12, 25)]),
        # Jalali, day first.
        (["05/07/1403", "15/07/1403"], [date(2024, 9, 26), date(2024, 10, 6)]),
    ],
)
def test_one_value_settles_the_order_for_the_column(cells: list[str], expected: list[date]) -> None:
    parsed = parse_dates(column(*cells))
    assert parsed.error_count() == 0
    assert parsed.values.to_pylist() == expected


def test_column_with_both_orders_flags_the_ambiguous_cells() -> None:
    result = rows(parse_dates(column("03/04/2024", "04/13/2024", "13/04/2024")))
    assert result[0][0] is None
    assert result[0][1] is not None and "both orders" in result[0][1]
    assert result[1] == (date(2024, 4, 13), None)
    assert result[2] == (date(2024, 4, 13), None)


def test_ambiguous_jalali_message_names_jalali_months() -> None:
    _, error = one(parse_dates, "03/04/1403")
    assert error is not None and "3 Tir or 4 Khordad" in error


# --- dates: formats, calendars, offsets -----------------------------------------------------


@pytest.mark.parametrize(
    ("date_format", "text", "expected"),
    [
        ("%d/%m/%Y", "03/04/2024", date(2024, 4, 3)),
        ("%m/%d/%Y", "03/04/2024", date(2024, 3, 4)),
        ("%d-%m-%Y", "03-04-2024", date(2024, 4, 3)),
        ("%Y-%m-%d", "2024-04-03", date(2024, 4, 3)),
        ("%Y-%m-%d", "2024-04-03T10:00:00", date(2024, 4, 3)),
        ("%Y%m%d", "20240403", date(2024, 4, 3)),
        ("%Y/%m/%d", "۱۴۰۳/۰۷/۱۵", date(2024, 10, 6)),
        ("%d %B %Y", "3 April 2024", date(2024, 4, 3)),
        ("%b %d, %Y", "Apr 3, 2024", date(2024, 4, 3)),
    ],
)
def test_date_format(date_format: str, text: str, expected: date) -> None:
    assert one(parse_dates, text, date_format=date_format) == (expected, None)


def test_date_format_is_strict() -> None:
    parsed = parse_dates(column("2024-04-03", "45292", "03/04/2024"), date_format="%d/%m/%Y")
    result = rows(parsed)
    assert result[2] == (date(2024, 4, 3), None)
    for value, error in result[:2]:
        assert value is None
        assert error == "not a date in the format %d/%m/%Y"


@pytest.mark.parametrize("bad", ["%H:%M", "%Y-%m", "%y-%m-%d", "%Y-%m-%d %d"])
def test_unsupported_date_format_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="date_format"):
        parse_dates(column("x"), date_format=bad)


def test_forced_calendars() -> None:
    assert one(parse_dates, "1403-07-15", calendar="jalali") == (date(2024, 10, 6), None)
    # Forced Gregorian reads the year literally: the caller said so.
    assert one(parse_dates, "1403-07-15", calendar="gregorian") == (date(1403, 7, 15), None)
    value, error = one(parse_dates, "2024-01-01", calendar="jalali")
    assert value is None and error is not None and "range" in error
    with pytest.raises(ValueError, match="calendar"):
        parse_dates(column("x"), calendar="hijri")  # type: ignore[arg-type]


def test_nth_day_offsets() -> None:
    base = date(2024, 1, 1)
    parsed = parse_dates(column("0000", "0001", "0031", "0", "365", None), day_offset_base=base)
    assert parsed.values.to_pylist() == [
        base,
        date(2024, 1, 2),
        date(2024, 2, 1),
        base,
        date(2024, 12, 31),
        None,
    ]
    assert parsed.error_count() == 0


def test_nth_day_base_does_not_change_full_dates() -> None:
    parsed = parse_dates(column("20240105", "2024-01-05"), day_offset_base=date(2023, 1, 1))
    assert parsed.values.to_pylist() == [date(2024, 1, 5)] * 2


def test_google_ads_date_range_line() -> None:
    parsed = parse_dates(column("September 1, 2026", "September 30, 2026"))
    assert parsed.values.to_pylist() == [date(2026, 9, 1), date(2026, 9, 30)]


def test_dates_type_length_and_repeats() -> None:
    cells = ["2024-01-05", None, "1403/07/15", "2024-01-05", "bad", "1403/07/15"]
    parsed = parse_dates(column(*cells))
    assert parsed.values.type == pa.date32()
    assert len(parsed.values) == len(cells) == len(parsed.errors)
    assert parsed.values.to_pylist() == [
        date(2024, 1, 5),
        None,
        date(2024, 10, 6),
        date(2024, 1, 5),
        None,
        date(2024, 10, 6),
    ]
    assert parsed.errors.to_pylist() == [None, None, None, None, "not a date", None]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 12, 31)))
def test_jalali_in_persian_digits_round_trips(day: date) -> None:
    jalali = JalaliDate(day)
    text = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}".translate(PERSIAN)
    assert one(parse_dates, text) == (day, None)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dates(min_value=date(1922, 1, 1), max_value=date(2099, 12, 31)), max_size=40))
def test_jalali_columns_agree_with_persiantools(days: list[date]) -> None:
    cells = []
    for i, day in enumerate(days):
        j = JalaliDate(day)
        digits = (PERSIAN, ARABIC_INDIC, str.maketrans("", ""))[i % 3]
        cells.append(f"{j.year}-{j.month}-{j.day}".translate(digits))
    parsed = parse_dates(column(*cells))
    assert parsed.error_count() == 0
    assert parsed.values.to_pylist() == days


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=61, max_value=80000).filter(lambda n: not 1900 <= n <= 2100))
def test_excel_serials_from_march_1900(serial: int) -> None:
    # Serial 61 is 1900-03-01: from there on, day 0 is 1899-12-30 (Excel counts a fake 29 Feb).
    assert one(parse_dates, str(serial)) == (date(1899, 12, 30) + timedelta(days=serial), None)


# --- booleans and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("yes", True),
        ("Y", True),
        ("t", True),
        ("1", True),
        ("۱", True),
        ("بله", True),
        ("بلی", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("f", False),
        ("0", False),
        ("خیر", False),
        ("خير", False),  # Arabic yeh
        (" No ", False),
    ],
)
def test_booleans(text: str, expected: bool) -> None:
    assert one(parse_booleans, text) == (expected, None)


def test_boolean_errors_and_empty() -> None:
    parsed = parse_booleans(column("maybe", "", None, "--", "2"))
    assert parsed.values.type == pa.bool_()
    assert rows(parsed) == [
        (None, "not a yes/no value"),
        (None, None),
        (None, None),
        (None, None),
        (None, "not a yes/no value"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Brand - Search  ", "Brand - Search"),
        ("طھط§ط±غŒط®", "تاریخ"),  # UTF-8 read as Windows-1256 (PERSIAN.md)
        ("ظ‡ط²غŒظ†ظ‡", "هزینه"),
        ("ع©ظ…ظ¾غŒظ†", "کمپین"),
        ("ØªØ§Ø±ÛŒØ®", "تاریخ"),  # UTF-8 read as Windows-1252
        ("تاریخ", "تاریخ"),  # correct Persian untouched
        ("علي", "علي"),  # display text keeps Arabic yeh
        ("نیم\u200cفاصله", "نیم\u200cفاصله"),  # display text keeps ZWNJ
        ("Montant dÃ©pensÃ©", "Montant dÃ©pensÃ©"),  # repaired text would not be Persian
        ("Café", "Café"),
        ("--", "--"),
        ("\ufeffCampaign", "Campaign"),
    ],
)
def test_text(text: str, expected: str) -> None:
    assert one(parse_text, text) == (expected, None)


def test_text_mojibake_round_trip() -> None:
    for word in ["تاریخ", "کمپین تابستان", "گزارش هفتگی ۱۴۰۳", "Brand کمپین"]:
        mangled = word.encode("utf-8").decode("cp1256")
        assert one(parse_text, mangled) == (word, None)


def test_text_empty_and_null() -> None:
    parsed = parse_text(column("", "   ", None, "x"))
    assert rows(parsed) == [(None, None), (None, None), (None, None), ("x", None)]
    assert parsed.error_count() == 0


# --- fuzz -----------------------------------------------------------------------------------

INTERESTING = [
    "1,234.56", "1.234,56", "1\u202f234,56", "۱۲٬۵۰۰٬۰۰۰", "1.48E+08", "< 10%", "--", "(12.50)",
    "US$ 0,00", "7.00%", "12,5", "1,234", "2024-01-05", "1403/07/15", "03/04/2024", "45292",
    "60", "0031", "September 1, 2026", "1404/12/30", "ریال", "تومان", "", " ", "e", "1e", "%",
    "()", "(", "$", "<", "1.20253E+17", "0", "٫", "٬",
]  # fmt: skip
cells_strategy = st.lists(
    st.one_of(st.none(), st.text(max_size=20), st.sampled_from(INTERESTING)), max_size=30
)


def check_shape(parsed: Parsed, n: int, value_type: pa.DataType) -> None:
    assert len(parsed.values) == n
    assert len(parsed.errors) == n
    assert parsed.values.type == value_type
    assert parsed.errors.type == pa.string()
    for value, error in zip(parsed.values.to_pylist(), parsed.errors.to_pylist(), strict=True):
        if error is not None:
            assert value is None
            assert error.strip()


@settings(max_examples=300, deadline=None)
@given(cells_strategy, st.sampled_from([None, ".", ","]), st.booleans())
def test_fuzz_numbers(cells: list[str | None], decimal: str | None, fraction: bool) -> None:
    parsed = parse_numbers(column(*cells), decimal=decimal, percent_as_fraction=fraction)
    check_shape(parsed, len(cells), pa.float64())


@settings(max_examples=300, deadline=None)
@given(
    cells_strategy,
    st.sampled_from([None, "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%b %d, %Y"]),
    st.sampled_from(["auto", "gregorian", "jalali"]),
    st.one_of(st.none(), st.dates()),
)
def test_fuzz_dates(
    cells: list[str | None], date_format: str | None, calendar: Any, base: date | None
) -> None:
    parsed = parse_dates(
        column(*cells), date_format=date_format, calendar=calendar, day_offset_base=base
    )
    check_shape(parsed, len(cells), pa.date32())


@settings(max_examples=200, deadline=None)
@given(cells_strategy)
def test_fuzz_other_parsers(cells: list[str | None]) -> None:
    check_shape(parse_integers_as_ids(column(*cells)), len(cells), pa.string())
    check_shape(parse_booleans(column(*cells)), len(cells), pa.bool_())
    text = parse_text(column(*cells))
    check_shape(text, len(cells), pa.string())
    assert text.error_count() == 0
    keys = normalize_keys(column(*cells))
    assert keys.to_pylist() == [None if c is None else normalize_key(c) for c in cells]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_fuzz_normalize_key_is_idempotent(text: str) -> None:
    key = normalize_key(text)
    assert normalize_key(key) == key


# --- the vectorised paths agree with the per-string path ------------------------------------

number_like = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from([*INTERESTING, "12", "-3.5", "1,234", "1.234", "0.123", "-0", "1,5"]),
        st.from_regex(r"-?[0-9]{1,4}(,[0-9]{3}){0,2}(\.[0-9]{1,4})?", fullmatch=True),
        st.from_regex(r"-?[0-9]{1,7}([.,][0-9]{1,4})?", fullmatch=True),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
    ),
    max_size=30,
)


def both_paths(parse: Any, cells: list[str | None], **options: Any) -> tuple[Parsed, Parsed]:
    saved = values_base.VECTORISE_ABOVE
    try:
        values_base.VECTORISE_ABOVE = 10**9
        per_string = parse(column(*cells), **options)
        values_base.VECTORISE_ABOVE = -1
        vectorised = parse(column(*cells), **options)
    finally:
        values_base.VECTORISE_ABOVE = saved
    return per_string, vectorised


@settings(max_examples=300, deadline=None)
@given(number_like, st.sampled_from([None, ".", ","]), st.booleans())
def test_plain_number_fast_path_agrees(
    cells: list[str | None], decimal: str | None, fraction: bool
) -> None:
    slow, fast = both_paths(parse_numbers, cells, decimal=decimal, percent_as_fraction=fraction)
    assert fast.values.to_pylist() == slow.values.to_pylist()
    assert fast.errors.to_pylist() == slow.errors.to_pylist()


def test_plain_number_fast_path_respects_empty_markers() -> None:
    slow, fast = both_paths(parse_numbers, ["0", "1"], empty_markers=frozenset({"0"}))
    assert fast.values.to_pylist() == slow.values.to_pylist() == [None, 1.0]


timestamps = st.builds(
    lambda d, h, m, tail: f"{d.isoformat()}{h}:{m:02d}{tail}",
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(["T", " ", "T0", "  "]).flatmap(
        lambda sep: st.integers(0, 99).map(lambda h: f"{sep}{h}")
    ),
    st.integers(0, 99),
    st.sampled_from(["", ":37", ":37.5Z", ":37-0400", " PM", "+03:30", "x", "\u00a0"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), timestamps, st.sampled_from(INTERESTING)), max_size=30))
def test_timestamp_fast_path_agrees(cells: list[str | None]) -> None:
    slow, fast = both_paths(parse_dates, cells)
    assert fast.values.to_pylist() == slow.values.to_pylist()
    assert fast.errors.to_pylist() == slow.errors.to_pylist()


text_like = st.lists(
    st.one_of(
        st.none(),
        st.text(max_size=12),
        st.text(alphabet=" \t\r\n\x0b\x0c\x1c\x1f\u00a0\u3000\ufeffab", max_size=6),
        st.sampled_from([*INTERESTING, "طھط§ط±غŒط®", "ØªØ§Ø±ÛŒØ®", " \ufeff x ", "\x1c--\x1f"]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(text_like)
def test_parse_text_agrees_with_the_cell_rule(cells: list[str | None]) -> None:
    """ASCII cells are trimmed by Arrow, the others cell by cell: the same as ``_text_cell``."""
    parsed = parse_text(column(*cells))
    expected = [None if c is None else values_text._text_cell(c)[0] for c in cells]
    assert parsed.values.to_pylist() == expected
    assert parsed.errors.to_pylist() == [None] * len(cells)
    assert parsed.values.type == parsed.errors.type == pa.string()


def test_numbers_with_many_distinct_values_take_the_vectorised_path() -> None:
    cells = [f"{i:,}" for i in range(1000, 1200)] + ["--", "7.00%", "(1,234.50)", None]
    slow, fast = both_paths(parse_numbers, cells)
    assert fast.values.to_pylist() == slow.values.to_pylist()
    assert fast.errors.to_pylist() == slow.errors.to_pylist()
    assert parse_numbers(column(*cells)).values.to_pylist() == slow.values.to_pylist()


# --- a platform's zero, and the file's decimal separator ---------------------------------------


def test_only_the_given_zero_spellings_read_as_zero() -> None:
    cells = pa.array(["--", " -- ", "NA", "", "n/a", "3", None], pa.string())
    parsed = parse_numbers(cells, zero_spellings=frozenset({"--"}))
    assert parsed.values.to_pylist() == [0.0, 0.0, None, None, None, 3.0, None]
    assert parsed.error_count() == 0
    # Meta's empty action cell: the empty text is zero there, NA still is not.
    meta = parse_numbers(pa.array(["", "NA", "2"]), zero_spellings=frozenset({""}))
    assert meta.values.to_pylist() == [0.0, None, 2.0]
    # Without spellings nothing is zero (the default everywhere else).
    assert parse_numbers(pa.array(["--", ""])).values.to_pylist() == [None, None]


def test_the_files_decimal_separator_reads_columns_that_cannot_tell() -> None:
    impressions = pa.array(["1.204", "1.100", "980"])
    cost = pa.array(["123,48", "105,00", "9,5"])
    assert values_module.decimal_votes(impressions) == {".": 0, ",": 0}
    assert values_module.decimal_votes(cost) == {".": 0, ",": 3}
    assert parse_numbers(impressions).values.to_pylist() == [1.204, 1.1, 980.0]
    read = parse_numbers(impressions, default_decimal=",")
    assert read.values.to_pylist() == [1204.0, 1100.0, 980.0]
    # A column that settles it itself keeps its own reading.
    assert parse_numbers(pa.array(["1.5", "2.25"]), default_decimal=",").values.to_pylist() == [
        1.5,
        2.25,
    ]
