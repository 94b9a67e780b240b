"""The words of a movement: each kind of part, in English and Persian, and the sentence."""

from __future__ import annotations

import datetime as dt

import pytest

from shakhes.analysis.why import Segment, decompose_ratio, decompose_sum
from shakhes.engine.calendar import Grain
from shakhes.service.why import Movement, Shape, Span
from shakhes.service.why_words import delta, part, short_name, summary
from shakhes.spec.catalog import load_catalog
from shakhes.spec.kpi import Text

SPECS = {k.id: k for k in load_catalog()}
NOV = Span("2025-11", "نوامبر ۲۰۲۵", dt.date(2025, 11, 1), dt.date(2025, 11, 30), True)
OCT = Span("2025-10", "اکتبر ۲۰۲۵", dt.date(2025, 10, 1), dt.date(2025, 10, 31), True)


def movement(kpi: str, segments: list[Segment], shape: Shape = Shape.RATIO) -> Movement:
    split = decompose_ratio(segments) if shape is Shape.RATIO else decompose_sum(segments)
    weight = SPECS["cost"].name if shape is Shape.RATIO else None
    return Movement(
        SPECS[kpi], shape, ("channel",), Grain.MONTH, "previous", NOV, OCT, split, "USD", weight
    )


ROAS = movement(
    "roas",
    [
        # search: ROAS 4 → 3 on 100 → 100 spend; display 2 → 2 with spend 100 → 300 (the shift
        # toward a low-ROAS channel); video stops; social starts; organic has no spend.
        Segment(("search",), 400, 300, 100, 100),
        Segment(("display",), 200, 600, 100, 300),
        Segment(("video",), 50, 0, 100, 0),
        Segment(("social",), 0, 100, 0, 100),
        Segment(("organic",), 0, 50, 0, 0),
    ],
)


def texts(m: Movement, locale: str) -> dict[tuple[str, str], str]:
    return {(p.segment[0], p.kind.value): part(m, p, locale) for p in m.decomposition.parts}


def test_each_kind_of_part_in_english() -> None:
    words = texts(ROAS, "en")
    assert words[("search", "rate")].endswith(" from search's own ROAS")
    assert words[("search", "rate")].startswith("−")  # a minus sign, not a hyphen
    assert words[("display", "mix")].endswith(" from the ad spend shift toward display")
    assert words[("search", "mix")].endswith(" from the ad spend shift away from search")
    assert words[("video", "mix")].endswith(" from video (stopped)")
    assert words[("social", "mix")].endswith(" from social (new)")
    assert words[("organic", "unmatched")] == "+0.10 from organic without ad spend"  # 50 / 500


def test_each_kind_of_part_in_persian() -> None:
    words = texts(ROAS, "fa")
    assert words[("search", "rate")].endswith(" از ROAS خودِ search")
    assert words[("display", "mix")].endswith(" از جابه‌جایی هزینه تبلیغات به سوی display")
    assert words[("search", "mix")].endswith(" از جابه‌جایی هزینه تبلیغات از search")
    assert words[("video", "mix")].endswith(" از video (متوقف‌شده)")
    assert words[("social", "mix")].endswith(" از social (تازه)")
    assert words[("organic", "unmatched")] == "+۰٫۱۰ از organic بدون هزینه تبلیغات"


def test_the_sentence_names_the_three_largest_parts_and_adds_up_the_rest() -> None:
    d = ROAS.decomposition
    assert (d.before, d.after) == (650 / 300, 1050 / 500)  # 2.17 → 2.10
    text = summary(ROAS, "en")
    assert text.startswith("ROAS fell from 2.17 to 2.10 (worsened), 2025-11 against 2025-10: ")
    shown = [part(ROAS, p) for p in d.parts[:3]]
    assert ": " + ", ".join(shown[:2]) + " and " + shown[2] + "; the other " in text
    rest = sum(p.value for p in d.parts[3:])
    assert text.endswith(f"the other {len(d.parts) - 3} parts together {delta(ROAS, rest, 'en')}.")


def test_a_lower_is_better_kpi_that_falls_has_improved() -> None:
    cpa = movement("cpa", [Segment(("search",), 100, 80, 10, 10)])
    assert summary(cpa, "en") == (
        "CPA fell from 10.00 USD to 8.00 USD (improved), 2025-11 against 2025-10: "
        "−2.00 USD from search's own CPA."
    )
    assert summary(cpa, "fa").startswith(
        "CPA در نوامبر ۲۰۲۵ نسبت به اکتبر ۲۰۲۵ از ۱۰٫۰۰ USD به ۸٫۰۰ USD کاهش یافت (بهتر شد): "
    )


def test_a_percentage_moves_in_points() -> None:
    ctr = movement("ctr", [Segment(("a",), 10, 15, 1000, 1000)])
    assert delta(ctr, 0.005, "en") == "+0.50 pp" and delta(ctr, -0.005, "fa") == "−۰٫۵۰ واحد درصد"


def test_four_parts_are_all_named() -> None:
    clicks = movement(
        "clicks",
        [Segment((c,), 10, 10 + i, 0, 0) for i, c in enumerate("abcd", 1)],
        Shape.ADDITIVE,
    )
    assert summary(clicks, "en").endswith(": +4 from d, +3 from c, +2 from b and +1 from a.")


@pytest.mark.parametrize(
    ("en", "fa", "short_en", "short_fa"),
    [
        ("Return on ad spend (ROAS)", "بازگشت هزینه تبلیغات (ROAS)", "ROAS", "ROAS"),
        ("Conversions", "تبدیل (کانورژن)", "Conversions", "تبدیل"),
        ("Ad spend", "هزینه تبلیغات", "Ad spend", "هزینه تبلیغات"),
    ],
)
def test_short_names(en: str, fa: str, short_en: str, short_fa: str) -> None:
    name = Text(en=en, fa=fa)
    assert (short_name(name, "en"), short_name(name, "fa")) == (short_en, short_fa)
