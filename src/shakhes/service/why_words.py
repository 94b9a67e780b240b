"""A KPI's movement in plain words, in English or Persian: "ROAS fell from 4.10 to 3.20
(worsened), 2025-11 against 2025-10: −0.60 from search's own ROAS, −0.30 from the ad spend
shift toward display."

The words belong to the core, beside the numbers, so that the CLI and the REST API say the
same thing. Numbers are written as everywhere else in shakhes (:mod:`shakhes.display`, a
pure module of number formatting: the KPI's decimals, at least three significant digits,
Persian digits and separators in ``fa``); a change of a percentage is in percentage points.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shakhes.analysis.why import Part, PartKind, SegmentChange
from shakhes.display import format_number, format_value
from shakhes.spec.kpi import Text, Unit

if TYPE_CHECKING:
    from shakhes.service.why import Movement

SHOWN = 3
"""How many parts a summary names; the rest are added up in one phrase."""

KINDS: dict[str, dict[PartKind, str]] = {
    "en": {
        PartKind.CONTRIBUTION: "change",
        PartKind.MIX: "mix",
        PartKind.RATE: "own rate",
        PartKind.UNMATCHED: "without denominator",
    },
    "fa": {
        PartKind.CONTRIBUTION: "تغییر",
        PartKind.MIX: "ترکیب",
        PartKind.RATE: "نرخ خود",
        PartKind.UNMATCHED: "بدون مخرج",
    },
}
"""A part's kind as a table names it."""

_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]+)\)\s*$")
_GLOSS = re.compile(r"\s*\([^)]*\)\s*$")


def short_name(name: Text, locale: str) -> str:
    """A KPI's name as a sentence uses it: its acronym when it has one ("ROAS" for "Return on
    ad spend (ROAS)"), else the name without a gloss in brackets.

    >>> short_name(Text(en="Return on ad spend (ROAS)", fa="بازگشت هزینه تبلیغات (ROAS)"), "fa")
    'ROAS'
    >>> short_name(Text(en="Conversions", fa="تبدیل (کانورژن)"), "fa")
    'تبدیل'
    """
    text = name.fa if locale == "fa" else name.en
    if m := _ACRONYM.search(text):
        return m.group(1)
    return _GLOSS.sub("", text)


def _weight(m: Movement, locale: str) -> str:
    if m.weight is None:
        return "مخرج" if locale == "fa" else "denominator"
    word = short_name(m.weight, locale)
    return word if locale == "fa" or word.isupper() else word.lower()


def segment_name(key: tuple[str, ...]) -> str:
    return " / ".join(key)


def value(m: Movement, number: float | None, locale: str = "en") -> str:
    """A value of the KPI, as a table shows it ("—" for none)."""
    return minus(format_value(number, m.spec, currency=m.currency or "USD", locale=locale))


def delta(m: Movement, number: float, locale: str) -> str:
    """A change of the KPI, signed: ``+1.50 USD``, ``−0.30``, ``−0.12 pp`` for a percentage."""
    if m.spec.unit is Unit.PERCENT:
        points = " واحد درصد" if locale == "fa" else " pp"
        text = format_number(number * 100, m.spec.decimals, locale) + points
    else:
        text = format_value(number, m.spec, currency=m.currency or "USD", locale=locale)
    return "+" + text if number > 0 else minus(text)


def minus(text: str) -> str:
    """A minus sign, not a hyphen: "−0.30"."""
    return "−" + text[1:] if text.startswith("-") else text


def part(m: Movement, p: Part, locale: str = "en") -> str:
    """One part in words: "−0.60 from search's own ROAS"."""
    x = delta(m, p.value, locale)
    seg = segment_name(p.segment)
    info = next(s for s in m.decomposition.segments if s.segment == p.segment)
    fa = locale == "fa"
    match p.kind:
        case PartKind.CONTRIBUTION:
            return f"{x} از {seg}" if fa else f"{x} from {seg}"
        case PartKind.RATE:
            name = short_name(m.spec.name, locale)
            return f"{x} از {name} خودِ {seg}" if fa else f"{x} from {seg}'s own {name}"
        case PartKind.UNMATCHED:
            weight = _weight(m, locale)
            return f"{x} از {seg} بدون {weight}" if fa else f"{x} from {seg} without {weight}"
    return _mix(m, x, seg, info, locale)


def _mix(m: Movement, x: str, seg: str, info: SegmentChange, locale: str) -> str:
    weight = _weight(m, locale)
    fa = locale == "fa"
    if info.before is None:
        return f"{x} از {seg} (تازه)" if fa else f"{x} from {seg} (new)"
    if info.after is None:
        return f"{x} از {seg} (متوقف‌شده)" if fa else f"{x} from {seg} (stopped)"
    toward = (info.weight_after or 0.0) > (info.weight_before or 0.0)
    if fa:
        return f"{x} از جابه‌جایی {weight} {'به سوی' if toward else 'از'} {seg}"
    return f"{x} from the {weight} shift {'toward' if toward else 'away from'} {seg}"


def summary(m: Movement, locale: str = "en") -> str:
    """The movement in one sentence, its largest parts first."""
    d = m.decomposition
    fa = locale == "fa"
    name = short_name(m.spec.name, locale)
    a, b = value(m, d.before, locale), value(m, d.after, locale)
    now, then = (
        (m.period.label_fa, m.compared_with.label_fa)
        if fa
        else (
            m.period.label,
            m.compared_with.label,
        )
    )
    if d.change == 0:
        head = (
            f"{name} در {now} نسبت به {then} در {a} ماند"
            if fa
            else f"{name} stayed at {a}, {now} against {then}"
        )
    elif fa:
        moved = "افزایش یافت" if d.change > 0 else "کاهش یافت"
        verdict = "بهتر شد" if m.verdict.value == "improved" else "بدتر شد"
        head = f"{name} در {now} نسبت به {then} از {a} به {b} {moved} ({verdict})"
    else:
        moved = "rose" if d.change > 0 else "fell"
        head = f"{name} {moved} from {a} to {b} ({m.verdict.value}), {now} against {then}"
    if not d.parts:
        return head + "."
    count = SHOWN if len(d.parts) > SHOWN + 1 else SHOWN + 1  # never "the other 1 parts"
    shown = [part(m, p, locale) for p in d.parts[:count]]
    rest = d.parts[count:]
    if fa:
        text = (
            head
            + ": "
            + ("، ".join(shown[:-1]) + " و " + shown[-1] if len(shown) > 1 else shown[0])
        )
        if rest:
            text += f"؛ {_n(len(rest), locale)} بخش دیگر روی هم {delta(m, _sum(rest), locale)}"
        return text + "."
    text = (
        head + ": " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    )
    if rest:
        text += f"; the other {len(rest)} parts together {delta(m, _sum(rest), locale)}"
    return text + "."


def _sum(parts: tuple[Part, ...]) -> float:
    return sum(p.value for p in parts)


def _n(n: int, locale: str) -> str:
    return format_number(n, 0, locale)
