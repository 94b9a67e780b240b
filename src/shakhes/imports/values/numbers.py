"""Number cells as ad platforms, analytics tools and spreadsheets write them: separators,
currencies, percentages, censored values, and the decimal separator decided per column."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.imports.values import base
from shakhes.imports.values.base import (
    DEFAULT_EMPTY_MARKERS,
    Distinct,
    Parsed,
    clean,
    distinct,
    folded,
    is_empty,
)

_SPREADSHEET_ERROR = re.compile(r"#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)")
_CURRENCY_WORDS = {
    "rial": ("ریال", "ريال", "﷼", "rial", "rials", "irr"),
    "toman": ("تومان", "تومن", "toman", "tomans", "irt"),
    "other": (
        "us$", "ca$", "au$", "nz$", "hk$", "mx$", "a$", "c$", "s$", "r$", "$", "£", "€", "¥",
        "₹", "₽", "₺", "₩", "₪", "₦", "₱", "฿", "₫", "₴", "₸", "₼", "₾", "؋", "usd", "eur",
        "gbp", "cad", "aud", "afn", "aed", "try", "inr", "rs.", "rs", "afghani", "افغانی",
        "درهم", "دلار", "یورو",
    ),
}  # fmt: skip
_UNIT_OF: dict[str, str] = {w: unit for unit, words in _CURRENCY_WORDS.items() for w in words}
_CURRENCY_ALTERNATION = "|".join(re.escape(w) for w in sorted(_UNIT_OF, key=len, reverse=True))
# Known symbols and words (any case), or any ISO-4217-shaped code (three capital letters).
_CURRENCY = rf"(?:(?i:{_CURRENCY_ALTERNATION})|[A-Z]{{3}})"
_CURRENCY_PREFIX = re.compile(rf"^(?P<cur>{_CURRENCY})\s*")
# As a suffix, the toman's one-letter abbreviation ت is accepted too ("۱۲۰۰ ت").
_CURRENCY_SUFFIX = re.compile(rf"\s*(?P<cur>{_CURRENCY}|ت)$")
_CENSOR = re.compile(r"^(?:<=|>=|≤|≥|<|>)\s*")
_SIGN = re.compile(r"^(?P<sign>[+\-\u2212])\s*")
_MANTISSA = re.compile(r"^(?P<m>[0-9.,'’٫٬\s]+?)(?:[eE](?P<e>[+-]?[0-9]{1,4}))?$")
_THOUSANDS_KIND = {",": ",", ".": ".", "'": "'", "’": "'", "٬": "٬"}


@dataclass(frozen=True)
class _NumberCell:
    """A number cell taken apart: its mantissa and what it says about the decimal separator."""

    text: str
    error: str | None = None
    empty: bool = False
    negative: bool = False
    percent: bool = False
    mantissa: str = ""
    exponent: str | None = None
    vote: str | None = None  # the decimal separator the cell proves, if any
    ambiguous: bool = False  # a single ',' or '.' followed by exactly three digits
    unit: str | None = None  # see _strip_number_dressing


def _strip_number_dressing(s: str) -> tuple[str, bool, bool, str | None] | str:
    """Remove parentheses, censoring signs, signs, currency and percent around a number.

    Returns ``(core, negative, percent, unit)`` or an error message. ``unit`` is ``"rial"``,
    ``"toman"``, ``"other"`` (a known currency symbol, code or word), ``"code"`` (some other
    three capital letters, taken for an ISO 4217 code) or None.
    """
    negative = percent = censored = parenthesised = signed = False
    unit: str | None = None
    changed = True
    while changed and s:
        changed = False
        if not parenthesised and s.startswith("(") and s.endswith(")"):
            s, parenthesised, changed = s[1:-1].strip(), True, True
            continue
        if not censored and (m := _CENSOR.match(s)):
            s, censored, changed = s[m.end() :], True, True
            continue
        if not signed and (m := _SIGN.match(s)):
            s, signed, changed = s[m.end() :], True, True
            negative = m.group("sign") != "+"
            continue
        if unit is None and (m := _CURRENCY_PREFIX.match(s)):
            s, unit, changed = s[m.end() :], _UNIT_OF.get(m.group("cur").lower(), "code"), True
            continue
        if s[:1] == "%" or s[-1:] == "%":
            if percent:
                return "not a number"
            s, percent, changed = (s[1:] if s[:1] == "%" else s[:-1]).strip(), True, True
            continue
        if unit is None and (m := _CURRENCY_SUFFIX.search(s)):
            cur = m.group("cur").lower()
            s, unit, changed = (
                s[: m.start()],
                _UNIT_OF.get(cur, "toman" if cur == "ت" else "code"),
                True,
            )
    if parenthesised and negative:
        return "not a number"
    return s, negative or parenthesised, percent, unit


def _analyse_number(
    text: str, markers: frozenset[str], zeros: frozenset[str] = frozenset()
) -> _NumberCell:
    """Take one distinct cell text apart (no column-level decision yet)."""
    s = clean(text).replace("٪", "%").strip("\"'")
    if s.strip().casefold() in zeros:
        return _NumberCell(text, mantissa="0")
    if is_empty(s.strip(), markers):
        return _NumberCell(text, empty=True)
    if (m := _SPREADSHEET_ERROR.search(s.upper())) is not None:
        return _NumberCell(text, error=f"spreadsheet error {m.group(0)} instead of a number")
    dressed = _strip_number_dressing(s.strip())
    if isinstance(dressed, str):
        return _NumberCell(text, error=dressed)
    core, negative, percent, unit = dressed
    core = core.strip()
    if not core:
        known = unit is not None and unit != "code"
        return _NumberCell(text, error="currency without a number" if known else "not a number")
    match = _MANTISSA.match(core)
    if match is None or not any(c.isdigit() for c in match.group("m")):
        return _NumberCell(text, error="not a number")
    mantissa, exponent = match.group("m"), match.group("e")
    vote: str | None = None
    ambiguous = False
    if "٫" not in mantissa and "٬" not in mantissa:  # Persian separators say what they are
        has_dot, has_comma = "." in mantissa, "," in mantissa
        if has_dot and has_comma:
            vote = "." if mantissa.rfind(".") > mantissa.rfind(",") else ","
        elif has_dot or has_comma:
            sep = "." if has_dot else ","
            other = "," if has_dot else "."
            before, _, after = mantissa.rpartition(sep)
            if exponent is not None:
                vote = sep
            elif mantissa.count(sep) > 1:
                vote = other
            elif len(after) == 3 and after.isdigit() and before.strip()[:1] not in ("", "0"):
                ambiguous = True
            else:
                vote = sep
    return _NumberCell(
        text,
        negative=negative,
        percent=percent,
        mantissa=mantissa,
        exponent=exponent,
        vote=vote,
        ambiguous=ambiguous,
        unit=unit,
    )


def _group_sizes_ok(groups: list[str], kind: str) -> bool:
    """Digit groups between thousands separators: 1-3 digits first (no leading zero), then
    threes — or, with commas, the Indian lakh grouping (twos, then a final three)."""
    first, rest = groups[0], groups[1:]
    if not (1 <= len(first) <= 3 and first.isdigit() and first[0] != "0"):
        return False
    if not all(g.isdigit() for g in rest):
        return False
    if all(len(g) == 3 for g in rest):
        return True
    return kind == "," and len(rest[-1]) == 3 and all(len(g) == 2 for g in rest[:-1])


def _number_value(
    cell: _NumberCell, decimal: str, percent_as_fraction: bool
) -> tuple[float | None, str | None]:
    """The value of a number cell once the column's decimal separator is known."""
    mantissa = cell.mantissa
    if "٫" in mantissa:
        decimals, thousands = {"٫"}, {"٬", ","}
    elif "٬" in mantissa:
        decimals, thousands = {"."}, {"٬"}
    else:
        decimals, thousands = {decimal}, {"," if decimal == "." else "."}
    thousands |= {"'", "’"}
    marks = [c for c in mantissa if c in decimals]
    if len(marks) > 1:
        return None, "not a number: more than one decimal separator"
    if marks:
        integer, _, fraction = mantissa.partition(marks[0])
    else:
        integer, fraction = mantissa, ""
    if not fraction.isdigit() and fraction:
        return None, "not a number: separators in the wrong places"
    kinds = {
        "space" if c.isspace() else _THOUSANDS_KIND.get(c, "bad")
        for c in integer
        if not c.isdigit()
    }
    if kinds:
        allowed = {"space"} | {_THOUSANDS_KIND[c] for c in thousands}
        if len(kinds) > 1 or not kinds <= allowed:
            return None, "not a number: separators in the wrong places"
        kind = next(iter(kinds))
        groups = re.split(r"[^0-9]", integer) if kind != "space" else integer.split()
        if not _group_sizes_ok(groups, kind):
            return None, "not a number: separators in the wrong places"
        integer = "".join(groups)
    if not integer.isdigit() and integer:
        return None, "not a number"
    if not integer and not fraction:
        return None, "not a number"
    literal = f"{integer or '0'}.{fraction or '0'}" + (f"e{cell.exponent}" if cell.exponent else "")
    # A percentage is scaled in decimal, so that "99.88%" is 0.9988 and not 0.9987999999999999.
    exact = Decimal(literal).scaleb(-2 if cell.percent and percent_as_fraction else 0)
    value = float(exact)
    if cell.negative:
        value = -value
    if not math.isfinite(value):
        return None, "number out of range"
    return value, None


def decimal_votes(
    values: pa.Array, *, empty_markers: frozenset[str] = DEFAULT_EMPTY_MARKERS
) -> dict[str, int]:
    """How many rows of a number column prove each decimal separator (``{".": 3, ",": 0}``),
    as :func:`parse_numbers` counts them: the evidence of one column, for deciding the
    columns of the same file that have none (a German export's ``1.204`` impressions beside
    its ``123,48`` cost)."""
    return _decimal_votes(distinct(values), folded(empty_markers))[0]


def _decimal_votes(
    column: Distinct, markers: frozenset[str], zeros: frozenset[str] = frozenset()
) -> tuple[dict[str, int], npt.NDArray[np.bool_] | None, dict[int, _NumberCell]]:
    """The votes of a column's distinct values, which of them are plain numbers (read by
    Arrow), and the others taken apart."""
    n = len(column.dictionary)
    votes = {".": 0, ",": 0}
    fast = _plain_numbers(column.dictionary, markers) if n > base.VECTORISE_ABOVE else None
    if fast is not None:
        votes["."] += _plain_number_dot_votes(column, fast)
    cells: dict[int, _NumberCell] = {}
    others = np.flatnonzero(~fast) if fast is not None else np.arange(n)
    for i, text in zip(others.tolist(), column.texts_at(others), strict=True):
        cells[i] = cell = _analyse_number(text, markers, zeros)
        if cell.vote is not None:
            votes[cell.vote] += int(column.rows[i])
    return votes, fast, cells


def parse_numbers(
    values: pa.Array,
    *,
    decimal: str | None = None,
    percent_as_fraction: bool = True,
    empty_markers: frozenset[str] = DEFAULT_EMPTY_MARKERS,
    default_decimal: str = ".",
    zero_spellings: frozenset[str] = frozenset(),
) -> Parsed:
    """Parse number cells as exported by ad platforms, analytics tools and spreadsheets.

    Accepted: ``12``, ``-3.5``, ``1e3``; thousands separators (``1,234.56``, ``"1,234"``,
    ``1.234,56``, ``1 234,56`` with a space, no-break space or narrow no-break space,
    ``1'234.5``, Indian ``12,34,567``); Persian and Arabic-Indic digits with ``٬`` and ``٫``
    (``۱۲٬۵۰۰٬۰۰۰`` → 12500000); currency symbols, codes and words before or after the number
    (``$1,234.50``, ``£0.00``, ``US$ 0,00``, ``1,200 ریال``, ``۵۰۰ تومان``); ``%`` and ``٪``
    (``7.00%`` → 0.07 when ``percent_as_fraction``, else 7.0); spreadsheet scientific notation
    (``1.48E+08``); parentheses negatives (``(12.50)`` → -12.5); censored values ``< 10%``,
    ``> 90%``, ``<5`` → their bound (0.1, 0.9, 5.0), with no error. Empty markers (``''``,
    ``--``, ``-``, ``NA``, ``N/A``, ``nan``, ``null``, ``—`` … compared case-insensitively) →
    null with no error.

    ``decimal=None`` decides the decimal separator for the whole column from the values that
    settle it: a value with both ``,`` and ``.`` (the last one is the decimal separator), a
    repeated separator (``1.234.567``: thousands), a separator not followed by exactly three
    digits (``12,5``: decimal), scientific notation (``1,48E+08``). ``1,234`` or ``1.234`` alone
    settle nothing; with no evidence the column uses ``.``. When the values disagree the
    majority (by rows) wins and the disagreeing cells are errors; a tie makes every cell that
    depends on the choice an error. ``decimal='.'`` or ``','`` forces the separator;
    ``default_decimal`` is the one taken when the values settle nothing (the file's other
    columns may: see :func:`decimal_votes`). ``zero_spellings`` are cell texts that mean 0
    in this column (Google Ads' ``--``), compared like the empty markers and read before them.

    A column mixing rial and toman amounts (``ریال`` and ``تومان`` cells) is an error on those
    cells: the amounts differ tenfold. The unit itself is the mapping's business, not this one's.
    """
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.', ',' or None, got {decimal!r}")
    if default_decimal not in (".", ","):
        raise ValueError(f"default_decimal must be '.' or ',', got {default_decimal!r}")
    markers = folded(empty_markers)
    zeros = folded(zero_spellings)
    column = distinct(values)
    n = len(column.dictionary)
    votes, fast, cells = _decimal_votes(column, markers, zeros)
    chosen: str | None
    if decimal is not None:
        chosen = decimal
    elif votes["."] and votes[","]:
        chosen = None if votes["."] == votes[","] else max(votes, key=votes.__getitem__)
    else:
        chosen = "," if votes[","] else "." if votes["."] else default_decimal

    numbers = np.zeros(n, dtype=np.float64)
    ok = np.zeros(n, dtype=bool)
    errors: list[str | None] = [None] * n
    if fast is not None and chosen == ".":
        plain = column.dictionary.filter(pa.array(fast))
        numbers[fast] = pc.cast(pc.replace_substring(plain, ",", ""), pa.float64()).to_numpy()
        ok[fast] = True
    elif fast is not None:  # their reading depends on the separator: take them one by one
        plain = np.flatnonzero(fast)
        for i, text in zip(plain.tolist(), column.texts_at(plain), strict=True):
            cells[i] = _analyse_number(text, markers, zeros)
    for i, cell in cells.items():
        value, errors[i] = _number_result(cell, chosen, decimal, percent_as_fraction)
        if value is not None:
            numbers[i], ok[i] = value, True

    units = {c.unit for i, c in cells.items() if ok[i] and c.unit}
    if {"rial", "toman"} <= units:
        for i, cell in cells.items():
            if cell.unit in ("rial", "toman") and ok[i]:
                ok[i] = False
                errors[i] = (
                    "the column mixes rial and toman amounts (1 toman = 10 rials) — "
                    "convert them to one unit"
                )
    as_numbers = pa.array(numbers, type=pa.float64(), mask=~ok)
    return Parsed(as_numbers.take(column.indices), column.expand(errors, pa.string()))


def _number_result(
    cell: _NumberCell, chosen: str | None, decimal: str | None, percent_as_fraction: bool
) -> tuple[float | None, str | None]:
    """A cell's value or error, given the column's decimal separator (None: undecided)."""
    if cell.empty or cell.error is not None:
        return None, cell.error
    if chosen is None and (cell.vote is not None or cell.ambiguous):
        return None, (
            f"{cell.text.strip()} is unclear: the column uses both '.' and ',' as the decimal "
            "separator equally often — set decimal in a mapping file"
        )
    if chosen is not None and cell.vote is not None and cell.vote != chosen:
        where = "the mapping says" if decimal is not None else "most of the column uses"
        return None, (
            f"{cell.text.strip()} uses '{cell.vote}' as the decimal separator but {where} "
            f"'{chosen}'" + ("" if decimal is not None else " — set decimal in a mapping file")
        )
    return _number_value(cell, chosen or ".", percent_as_fraction)


# Plain numbers, optionally with 3-digit comma groups and a dot decimal: "12", "-3.5",
# "1,234.56". They carry no currency, percent or unit; with '.' as the column's decimal
# separator (the usual case) Arrow reads them directly.
_PLAIN_NUMBER = r"^-?(?:[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.[0-9]+)?$"


def _plain_numbers(dictionary: pa.Array, markers: frozenset[str]) -> npt.NDArray[np.bool_]:
    """Which distinct strings are plain numbers (and not empty markers)."""
    plain = pc.and_(
        pc.match_substring_regex(dictionary, _PLAIN_NUMBER),
        pc.less_equal(pc.utf8_length(dictionary), 30),
    )
    plain = pc.and_(
        plain, pc.invert(pc.is_in(dictionary, pa.array(sorted(markers), dictionary.type)))
    )
    return np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)


def _plain_number_dot_votes(column: Distinct, fast: npt.NDArray[np.bool_]) -> int:
    """Rows of plain numbers that prove '.' is the decimal separator (as :func:`_analyse_number`
    decides: a '.' not followed by exactly three digits, or '.' after ',', or several ',')."""
    plain = column.dictionary.filter(pa.array(fast))
    ambiguous_dot = pc.match_substring_regex(plain, r"^-?[1-9][0-9]*\.[0-9]{3}$")
    dot = pc.and_(pc.match_substring(plain, "."), pc.invert(ambiguous_dot))
    several_commas = pc.match_substring_regex(plain, ",.*,")
    proves = np.asarray(pc.or_(dot, several_commas).to_numpy(zero_copy_only=False), dtype=bool)
    return int(column.rows[fast][proves].sum())
