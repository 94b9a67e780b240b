"""The SMART check's rules on small hand-built facts: each letter's pass, warn and fail, with
every number (needed change, percentile, thresholds, periods met) worked out by hand; the
quantile and percentile rank against numpy; and the words of every reason in both languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.analysis import smart
from shakhes.analysis.smart import (
    Coverage,
    Facts,
    FormulaFacts,
    GoalLink,
    History,
    Links,
    PastValue,
    PeriodState,
    Span,
    Status,
    TableRows,
    Thresholds,
    percentile_rank,
    quantile,
)
from shakhes.analysis.smart_words import TEMPLATES, PlainNumbers, render
from shakhes.spec.catalog import load_catalog
from shakhes.spec.goals import TargetSpec
from shakhes.spec.kpi import Kind, KpiSpec
from shakhes.text import to_persian_digits

D = dt.date
CATALOG = {k.id: k for k in load_catalog()}
REVENUE, CPA, CTR = CATALOG["revenue"], CATALOG["cpa"], CATALOG["ctr"]
ON = D(2026, 1, 10)
JANUARY = Span(D(2026, 1, 1), D(2026, 1, 31), "2026-01", "ژانویه ۲۰۲۶")


def monthly(value: float | None = None, **band: float) -> TargetSpec:
    data: dict[str, Any] = {
        "id": "t",
        "kpi": "revenue",
        "period": {"every": "month", "calendar": "gregorian"},
    }
    data.update({"value": value} if value is not None else band)
    return TargetSpec.model_validate(data)


def yearly_fixed(value: float) -> TargetSpec:
    return TargetSpec.model_validate(
        {
            "id": "y",
            "kpi": "revenue",
            "period": {"start": "2026-01-01", "end": "2026-12-31"},
            "value": value,
        }
    )


def months(values: list[float | None], first: dt.date = D(2024, 1, 1)) -> History:
    """Consecutive monthly values from ``first`` (None: an incomplete month)."""
    spans = []
    year, month = first.year, first.month
    for _ in values:
        start = D(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        label = f"{start:%Y-%m}"
        end = D(year, month, 1) - dt.timedelta(days=1)
        spans.append(Span(start, end, label, to_persian_digits(label)))
    return History(tuple(PastValue(s, v) for s, v in zip(spans, values, strict=True)), 12)


def years(values: list[float | None], last: int = 2025) -> History:
    first = last - len(values) + 1
    spans = [
        Span(D(y, 1, 1), D(y, 12, 31), str(y), to_persian_digits(str(y)))
        for y in range(first, last + 1)
    ]
    return History(tuple(PastValue(s, v) for s, v in zip(spans, values, strict=True)), 1)


def facts(
    kpi: KpiSpec = REVENUE,
    target: TargetSpec | None = None,
    history: History | None = None,
    **changes: Any,
) -> Facts:
    base = Facts(
        kpi=kpi,
        on=ON,
        formula=FormulaFacts(1, ("orders",)),
        target=target,
        period=JANUARY if target is not None else None,
        state=PeriodState.RUNNING if target is not None else None,
        coverage=Coverage(
            Span(D(2026, 1, 1), ON, "so far"),
            "so_far",
            (TableRows("orders", 40, D(2026, 1, 1), D(2026, 1, 9), 900, D(2026, 1, 9)),),
        ),
        links=Links((GoalLink("g", Kind.STRATEGIC, JANUARY, under=("orders",)),)),
        history=history,
    )
    return dataclasses.replace(base, **changes)


def codes(letter: smart.Letter) -> list[str]:
    return [reason.code for reason in letter.reasons]


# -- Achievable -----------------------------------------------------------------------------------

# 2024: 100 each month; 2025: 100 × (1 + i/100) in month i — year-on-year changes of +1% … +12%
RISING = months([100.0] * 12 + [100.0 * (1 + i / 100) for i in range(1, 13)])


def test_a_target_beyond_the_best_change_in_history_is_unrealistic() -> None:
    """Needs +42% on last year; the best year-on-year change in 3 years was +18%: fail."""
    history = years([100.0, 110.0, 115.5, 136.29])  # +10%, +5%, +18%
    letter = smart.achievable(facts(target=yearly_fixed(136.29 * 1.42), history=history))
    assert letter.status is Status.FAIL and codes(letter) == ["unrealistic"]
    numbers = letter.numbers
    assert numbers["needed_change"] == pytest.approx(0.42)
    assert numbers["base"] == 136.29 and numbers["base_kind"] == "last_year"
    assert [c["change"] for c in numbers["changes"]] == pytest.approx([0.10, 0.05, 0.18])
    assert numbers["best_change"] == pytest.approx(0.18)
    # sorted 0.05, 0.10, 0.18: the 90th percentile sits at 1.8 → 0.10 + 0.8 × 0.08
    assert numbers["ambitious_change"] == pytest.approx(0.164)
    assert numbers["percentile"] == 100
    text = render("unrealistic", letter.reasons[0].params)
    assert "+42.0%" in text and "+18.0%" in text and "2025" in text and "unrealistic" in text
    suggestion = letter.suggestions[0]
    assert suggestion.code == "aim_within_history"
    assert suggestion.params["at_best"] == pytest.approx(136.29 * 1.18)


def test_twelve_months_placed_by_hand_ambitious_and_never_met() -> None:
    # January 2026 against January 2025 (101): +11.5% needed
    letter = smart.achievable(facts(target=monthly(101 * 1.115), history=RISING))
    numbers = letter.numbers
    assert numbers["base"] == pytest.approx(101) and numbers["needed_change"] == pytest.approx(
        0.115
    )
    assert numbers["changes_counted"] == 12
    # 11 of the 12 changes (+1% … +11%) are below +11.5%
    assert numbers["percentile"] == pytest.approx(100 * 11 / 12)
    # the 90th percentile of +1% … +12%: position 9.9 → 10% + 0.9 × 1%
    assert numbers["ambitious_change"] == pytest.approx(0.109)
    assert numbers["best_change"] == pytest.approx(0.12)
    assert letter.status is Status.WARN and codes(letter) == ["ambitious"]
    # the last 12 months were 101 … 112, all below 112.6
    assert (numbers["periods_met"], numbers["periods_counted"]) == (0, 12)
    assert numbers["thresholds"]["ambitious_percentile"] == 90


def test_met_in_11_of_the_last_12_months_is_too_easy() -> None:
    letter = smart.achievable(facts(target=monthly(102), history=RISING))
    numbers = letter.numbers
    assert (numbers["periods_met"], numbers["periods_counted"]) == (11, 12)  # 102 … 112
    assert numbers["percentile"] == 0  # +0.99% is below every change
    assert letter.status is Status.WARN
    assert codes(letter) == ["within_history", "too_easy"]
    assert letter.suggestions[0].code == "raise_target"
    assert letter.suggestions[0].params["median"] == pytest.approx(106.5)
    assert render("too_easy", letter.reasons[1].params) == (
        "met in 11 of the last 12 comparable periods: too easy"
    )


def test_met_in_10_of_12_passes() -> None:
    letter = smart.achievable(facts(target=monthly(103), history=RISING))
    assert letter.numbers["periods_met"] == 10
    assert letter.status is Status.PASS and codes(letter) == ["within_history"]


def test_a_lower_is_better_target_is_placed_in_its_direction() -> None:
    # CPA fell 1% … 12% year on year; a target 15% under last January is beyond the best fall
    falling = months([50.0] * 12 + [50.0 * (1 - i / 100) for i in range(1, 13)])
    base = 50 * 0.99
    cpa = smart.achievable(facts(CPA, monthly(base * 0.85), falling))
    assert cpa.status is Status.FAIL and cpa.numbers["best_change"] == pytest.approx(-0.12)
    assert cpa.numbers["needed_change"] == pytest.approx(-0.15)
    assert cpa.numbers["ambitious_change"] == pytest.approx(-0.109)
    ambitious = smart.achievable(facts(CPA, monthly(base * (1 - 0.115)), falling))
    assert ambitious.status is Status.WARN and codes(ambitious) == ["ambitious"]
    # a CPA allowed to rise 5%: met by every month of the year (all at or under 51.98)
    loose = smart.achievable(facts(CPA, monthly(base * 1.05), falling))
    assert loose.numbers["percentile"] == 0
    assert (loose.numbers["periods_met"], loose.numbers["periods_counted"]) == (12, 12)
    assert codes(loose) == ["within_history", "too_easy"]
    # the same numbers read as higher-is-better would be the other way round
    assert smart.achievable(facts(REVENUE, monthly(base * 0.85), falling)).status is not (
        Status.FAIL
    )


def test_a_band_is_reached_by_moving_towards_it() -> None:
    # base 101 (January 2025); a band 80–90 needs -10.9% to reach its top, a fall the history
    # never had (it only rose): unrealistic, whatever the KPI's direction
    letter = smart.achievable(facts(target=monthly(min=80, max=90), history=RISING))
    assert letter.numbers["aim"] == 90
    assert letter.numbers["needed_change"] == pytest.approx(90 / 101 - 1)
    assert letter.numbers["best_change"] == pytest.approx(0.01)  # the smallest rise
    assert letter.status is Status.FAIL
    inside = smart.achievable(facts(target=monthly(min=95, max=120), history=RISING))
    assert inside.numbers["needed_change"] == 0 and inside.numbers["aim"] == pytest.approx(101)
    assert codes(inside) == ["within_history", "too_easy"]  # every month was inside
    assert inside.suggestions[0].code == "narrow_band"


def test_too_little_history_warns_and_never_crashes() -> None:
    one_year = months([100.0 + i for i in range(12)], D(2025, 1, 1))
    letter = smart.achievable(facts(target=monthly(150), history=one_year))
    assert letter.status is Status.WARN and codes(letter) == ["little_history"]
    assert letter.numbers["base"] == 100 and letter.numbers["changes_counted"] == 0
    assert letter.numbers["percentile"] is None
    # two months: no value a year before, so the mean of the last (up to) three
    two = months([100.0, 110.0], D(2025, 11, 1))
    recent = smart.achievable(facts(target=monthly(126), history=two))
    assert recent.numbers["base_kind"] == "recent_average" and recent.numbers["base"] == 105
    assert recent.numbers["needed_change"] == pytest.approx(0.2)
    assert "the average of 2025-11 … 2025-12" in render("little_history", recent.reasons[0].params)
    for history in (months([]), months([None, None, None]), years([None, None])):
        empty = smart.achievable(facts(target=monthly(10), history=history))
        assert empty.status is Status.WARN and codes(empty) == ["no_base"]
    loss = smart.achievable(facts(target=yearly_fixed(10), history=years([5.0, -2.0])))
    assert codes(loss) == ["base_not_positive"] and loss.status is Status.WARN
    assert render("base_not_positive", loss.reasons[0].params).startswith(
        "the comparable period a year before (2025) was -2"
    )
    failed = smart.achievable(facts(target=monthly(10), history=History(error="no rates")))
    assert codes(failed) == ["no_history"] and failed.status is Status.WARN


def test_incomplete_periods_and_a_zero_base_are_left_out_of_the_changes() -> None:
    values: list[float | None] = [100.0] * 12 + [110.0] * 12
    values[0], values[5] = None, 0.0  # January 2024 incomplete, June 2024 zero
    history = months(values)
    changes = smart.year_on_year(history, 3)
    assert len(changes) == 10
    assert all(change == pytest.approx(0.1) for _, change in changes)
    letter = smart.achievable(facts(target=monthly(121), history=history))
    assert letter.numbers["base_kind"] == "last_year" and letter.numbers["base"] == 110


def test_no_target_has_nothing_to_place() -> None:
    letter = smart.achievable(facts())
    assert letter.status is Status.WARN and codes(letter) == ["no_target_to_judge"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1, 5, allow_nan=False), min_size=1, max_size=40),
    st.floats(0, 1),
    st.floats(-2, 6, allow_nan=False),
)
def test_quantile_and_percentile_rank_match_numpy(values: list[float], q: float, x: float) -> None:
    assert quantile(values, q) == pytest.approx(float(np.quantile(values, q)), abs=1e-9)
    expected = (
        100 * (np.sum(np.array(values) < x) + np.sum(np.array(values) == x) / 2) / len(values)
    )
    assert percentile_rank(values, x) == pytest.approx(expected)


# -- Specific -------------------------------------------------------------------------------------


def test_specific() -> None:
    good = smart.specific(facts(target=monthly(10)))
    assert good.status is Status.PASS and good.reasons[0].params["scope"] == "all"
    assert good.numbers["measures"] == 1 and good.numbers["unit"] == "currency"
    parrot = REVENUE.model_copy(update={"description": REVENUE.name})
    failed = smart.specific(facts(parrot))
    assert failed.status is Status.FAIL and codes(failed) == ["description_is_name"]
    short_text = REVENUE.description.model_copy(update={"en": "Money in", "fa": "پول"})
    short = smart.specific(facts(REVENUE.model_copy(update={"description": short_text})))
    assert short.status is Status.WARN and codes(short) == ["description_short"]
    assert short.reasons[0].params == {"words": 2, "min_words": 4}
    many = smart.specific(facts(formula=FormulaFacts(4, ("orders", "ad_performance"))))
    assert many.status is Status.WARN and codes(many) == ["many_measures"]
    assert smart.specific(facts(formula=FormulaFacts(3, ("orders",)))).status is Status.PASS
    broken = smart.specific(facts(formula=FormulaFacts(None, error="bad")))
    assert codes(broken) == ["formula_unreadable"]


# -- Measurable -----------------------------------------------------------------------------------


def _coverage(kind: str, rows: int, ever: int) -> Coverage:
    last = D(2025, 12, 31) if ever else None
    table = TableRows("orders", rows, None, None, ever, last)
    return Coverage(Span(D(2026, 1, 1), D(2026, 1, 31), "2026-01"), kind, (table,))


def test_measurable() -> None:
    ok = smart.measurable(facts(target=monthly(10)))
    assert ok.status is Status.PASS and ok.reasons[0].params["rows"] == 40
    assert ok.numbers["coverage"][0]["rows_ever"] == 900
    error = FormulaFacts(None, error="unknown column 'x'", error_code="invalid_formula")
    assert codes(smart.measurable(facts(formula=error))) == ["does_not_compile"]
    assert smart.measurable(facts(formula=error)).status is Status.FAIL
    scope = FormulaFacts(1, ("orders",), scope_error="unknown column 'device' in orders")
    assert codes(smart.measurable(facts(target=monthly(10), formula=scope))) == [
        "scope_does_not_fit"
    ]
    over = smart.measurable(facts(target=monthly(10), coverage=_coverage("period", 0, 500)))
    assert over.status is Status.FAIL and codes(over) == ["no_rows_in_period"]
    assert over.reasons[0].params["through"] == "2025-12-31"
    running = smart.measurable(facts(target=monthly(10), coverage=_coverage("so_far", 0, 500)))
    assert running.status is Status.WARN and codes(running) == ["no_rows_yet"]
    scoped = TargetSpec.model_validate({**monthly(10).model_dump(), "scope": "channel = 'email'"})
    nothing = smart.measurable(facts(target=scoped, coverage=_coverage("so_far", 0, 0)))
    assert nothing.status is Status.FAIL and codes(nothing) == ["no_rows_in_scope"]


# -- Relevant -------------------------------------------------------------------------------------


def test_relevant() -> None:
    assert smart.relevant(facts()).status is Status.PASS
    unlinked = smart.relevant(facts(links=Links()))
    assert unlinked.status is Status.WARN and codes(unlinked) == ["no_goal"]
    alone = Links((GoalLink("g", Kind.STRATEGIC, JANUARY),))
    assert codes(smart.relevant(facts(links=alone))) == ["strategic_alone"]
    leading = Links((GoalLink("g", Kind.OPERATIONAL, JANUARY),))
    assert codes(smart.relevant(facts(CTR, links=leading))) == ["leading_drives_nothing"]
    driving = Links((GoalLink("g", Kind.OPERATIONAL, JANUARY, drives=("revenue",)),), ("revenue",))
    assert smart.relevant(facts(CTR, links=driving)).reasons[0].code == "linked_drives"
    old_goal = GoalLink("g2024", Kind.STRATEGIC, Span(D(2024, 1, 1), D(2024, 12, 31), "2024"))
    outside = smart.relevant(facts(target=yearly_fixed(10), target_goal=old_goal))
    assert outside.status is Status.FAIL and codes(outside) == ["target_outside_goal"]


# -- Time-bound -----------------------------------------------------------------------------------


def test_time_bound() -> None:
    none = smart.time_bound(facts())
    assert none.status is Status.FAIL and codes(none) == ["no_target"]
    running = smart.time_bound(facts(target=monthly(10)))
    assert running.status is Status.PASS and codes(running) == ["has_recurring_period"]
    over = smart.time_bound(facts(target=yearly_fixed(10), state=PeriodState.OVER))
    assert over.status is Status.WARN and codes(over) == ["period_over"]
    later = smart.time_bound(facts(target=yearly_fixed(10), state=PeriodState.FUTURE))
    assert later.status is Status.PASS and codes(later) == ["starts_later"]


def test_check_gives_five_letters_and_the_worst_status() -> None:
    result = smart.check(facts(target=monthly(101 * 1.5), history=RISING))
    assert [letter.letter for letter in result.letters] == list("SMART")
    assert result["A"].status is Status.FAIL and result.status is Status.FAIL


# -- words ----------------------------------------------------------------------------------------


def _fields(template: str) -> set[tuple[str, str]]:
    return {
        (name, spec or "")
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    }


def test_every_code_has_english_and_persian_words_with_the_same_numbers() -> None:
    assert TEMPLATES["en"].keys() == TEMPLATES["fa"].keys()
    for code, english in TEMPLATES["en"].items():
        assert _fields(english) == _fields(TEMPLATES["fa"][code]), code


def test_every_reason_the_rules_give_is_worded() -> None:
    cases = [
        facts(target=monthly(101 * 1.5), history=RISING),
        facts(target=monthly(102), history=RISING),
        facts(target=monthly(150), history=months([100.0 + i for i in range(12)])),
        facts(links=Links(), formula=FormulaFacts(None, error="x")),
        facts(target=monthly(10), state=PeriodState.OVER, coverage=_coverage("period", 0, 5)),
    ]
    for case in cases:
        for letter in smart.check(case).letters:
            for item in (*letter.reasons, *letter.suggestions):
                for locale in ("en", "fa"):
                    text = render(item.code, item.params, locale, PlainNumbers(locale))
                    assert "{" not in text and text.strip()
                    if locale == "fa":
                        assert not re.search(r"[0-9]", text), text


def test_thresholds_move_the_lines() -> None:
    target = monthly(101 * 1.115)  # +11.5%: the 11th of 12 changes, ambitious at the 90th
    # at the 95th percentile (position 10.45 → 11% + 0.45 × 1% = 11.45%) it is still beyond
    assert smart.achievable(
        facts(target=target, history=RISING), Thresholds(ambitious_percentile=95)
    ).numbers["ambitious_change"] == pytest.approx(0.1145)
    lenient = Thresholds(ambitious_percentile=100)  # only beyond the best is flagged
    assert smart.achievable(facts(target=target, history=RISING), lenient).status is Status.PASS
    strict = Thresholds(too_easy_met=10)  # met in 10 of 12 is now too easy
    assert codes(smart.achievable(facts(target=monthly(103), history=RISING), strict)) == [
        "within_history",
        "too_easy",
    ]
    more = Thresholds(min_changes=13)
    assert codes(smart.achievable(facts(target=target, history=RISING), more)) == ["little_history"]
    with pytest.raises(ValueError, match="percentile"):
        Thresholds(ambitious_percentile=0)
    with pytest.raises(ValueError, match="too_easy_met"):
        Thresholds(too_easy_met=13)
