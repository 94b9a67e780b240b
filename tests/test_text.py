"""One definition of "the same Persian text", used alike by filters (in SQL), imports and
header matching."""

from __future__ import annotations

import duckdb
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.engine.compile import matchable_text
from shakhes.imports.sources.base import header_key
from shakhes.imports.values import normalize_key
from shakhes.text import (
    EQUIVALENT_FROM,
    EQUIVALENT_TO,
    match_key,
    same_text,
    to_ascii_digits,
    to_persian_digits,
)

SPELLINGS = [
    ("حراج\u200cزمستانه ۱۴۰۳", "حراجزمستانه 1403"),
    ("كيك", "کیک"),
    ("مشتري", "مشتری"),
    ("فروش\u200f ويژه", "فروش ویژه"),
    ("١٢٣", "123"),
    ("تخفيـــف", "تخفیف"),
    ("كِتاب", "کتاب"),
]

PERSIAN_ALPHABET = (
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی" + "يىك" + "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩" + "\u200c\u200e\u0640ًٌ "
)


@pytest.mark.parametrize(("typed", "stored"), SPELLINGS)
def test_spellings_are_the_same_text(typed: str, stored: str) -> None:
    assert same_text(typed) == same_text(stored)
    assert matchable_text(typed) == same_text(stored)
    assert match_key(typed) == match_key(stored) == normalize_key(stored)
    assert header_key(typed) == header_key(stored)


def test_case_and_spaces_are_kept_in_the_equivalence_form() -> None:
    assert same_text("Brand  Search") == "Brand  Search"
    assert match_key("Brand  Search") == "brand search"


def test_the_sql_map_is_the_python_map() -> None:
    assert len(EQUIVALENT_TO) < len(EQUIVALENT_FROM)
    assert len(set(EQUIVALENT_FROM)) == len(EQUIVALENT_FROM)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=PERSIAN_ALPHABET + "abcXYZ012", max_size=30))
def test_duckdb_translate_equals_same_text(text: str) -> None:
    con = duckdb.connect()
    (got,) = con.execute(
        "SELECT translate(?, ?, ?)", [text, EQUIVALENT_FROM, EQUIVALENT_TO]
    ).fetchone()
    assert got == same_text(text)


@pytest.mark.postgres
def test_postgres_translate_equals_same_text(pg_server: str) -> None:
    samples = [typed for typed, _ in SPELLINGS] + [PERSIAN_ALPHABET]
    with psycopg.connect(pg_server) as con:
        for text in samples:
            row = con.execute(
                "SELECT translate(%s, %s, %s)", [text, EQUIVALENT_FROM, EQUIVALENT_TO]
            ).fetchone()
            assert row is not None and row[0] == same_text(text)


def test_digits_both_ways() -> None:
    assert to_ascii_digits("۱۴۰۳/۰۷/۱۵") == "1403/07/15"
    assert to_ascii_digits("۱۲٬۵۰۰٫۵", separators=True) == "12,500.5"
    assert to_ascii_digits("۱۲٬۵۰۰") == "12٬500"
    assert to_persian_digits("1404-07") == "۱۴۰۴-۰۷"
