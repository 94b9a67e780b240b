"""Value parsers for the importer: text cells to typed columns, with a reason for every bad cell.

The importer reads every cell as text (a pyarrow ``string`` array, null for a missing cell). Each
parser here returns a :class:`Parsed`: the typed column and, cell by cell, why a value could not
be read (null when it is fine, including a legitimately empty cell), so that the row can be
quarantined with its file, line, column, value and reason.

Every parser is vectorised the same way: the column is dictionary-encoded, each *distinct*
string is parsed once in Python, and the results are taken back to the rows. Decisions that need
the whole column (the decimal separator of numbers, the day/month order of dates, IDs rounded by
a spreadsheet) are made from the distinct values weighted by how many rows hold them — per
column, never per cell. A column of a million cells with a thousand distinct strings costs a
thousand small parses and one ``take``. The common shapes (plain numbers such as ``1,234.56``,
ISO timestamps, ASCII text) are handled by Arrow compute kernels instead, with the same results,
so that columns of mostly different values cost no Python call per value either.

Decisions worth knowing (see each function for details):

- **Censored numbers** (``< 10%``, ``> 90%``, TikTok's masked ``<5``) parse to their bound
  (0.1, 0.9, 5.0) with no error: platforms print them instead of the exact value, and the bound
  is the best number available. The importer can spot them by the text if it must.
- **Decimal separator**: decided per column from every value that settles it (``1,234.56``,
  ``12,5``, ``1.234.567``); when nothing settles it, ``.`` (so ``1,234`` is 1234 and ``1.234``
  is 1.234). A column whose values disagree follows its majority (by rows) and flags the cells
  that disagree; a tie flags every cell that depends on the choice.
- **Jalali dates** are recognised by their year (1300–1500) and converted through the date
  dimension of :mod:`shakhes.engine.calendar`; a Jalali year is never read as a Gregorian one.
- **Day/month order** of ``03/04/2024``-style dates is taken from the column: a value with a
  field above 12 settles it; when none does, every cell whose reading depends on the order is an
  error, never a guess (``05/05/2024`` reads the same both ways and is fine).
- **Excel serial 60** is 29 February 1900, a day that never existed (Excel copied a Lotus 1-2-3
  bug): it is an error. Serials 1–59 are 1900-01-01 … 1900-02-28, serials from 61 on are one
  day "late" and are corrected.
- **Dates with a time part** (``2026-05-19T15:15:37-0400``) keep the date as written; the time
  and offset are dropped, not converted to UTC.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.engine.calendar import (
    GREGORIAN_MONTHS_FA,
    JALALI_MONTHS_AF,
    JALALI_MONTHS_FA,
    date_dimension,
)
from shakhes.text import drop_invisible, match_key, to_ascii_digits

__all__ = [
    "DEFAULT_EMPTY_MARKERS",
    "Parsed",
    "decimal_votes",
    "normalize_digits",
    "normalize_key",
    "normalize_keys",
    "parse_booleans",
    "parse_dates",
    "parse_integers_as_ids",
    "parse_numbers",
    "parse_text",
]

DEFAULT_EMPTY_MARKERS: frozenset[str] = frozenset(
    {"", "-", "--", "—", "–", "na", "n/a", "nan", "null", "none"}
)
"""Cell texts that mean "no value" (compared case-insensitively): null, with no error."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class Parsed:
    """A parsed column: typed ``values`` and, per cell, the reason it could not be parsed.

    ``values`` is null where the cell was missing, empty or bad; ``errors`` is null where the
    cell was fine (including legitimately empty) and otherwise a short reason a marketer
    understands. Both have the length of the input.
    """

    values: pa.Array
    errors: pa.Array

    def error_count(self) -> int:
        """How many cells could not be parsed."""
        return int(len(self.errors) - self.errors.null_count)


# --- text normalisation ---------------------------------------------------------------------


def normalize_digits(text: str) -> str:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII, with their separators.

    ``٫`` (Arabic decimal separator) becomes ``.``, ``٬`` (Arabic thousands separator) becomes
    ``,`` — kept, so that a number parser can still tell thousands from decimals — and ``٪``
    becomes ``%``. Everything else is unchanged.

    >>> normalize_digits("۱۲٬۵۰۰٫۷۵٪")
    '12,500.75%'
    """
    return to_ascii_digits(text, separators=True)


def normalize_key(text: str) -> str:
    """The matching key of a Persian or English text (a header, a campaign, a channel name):
    :func:`shakhes.text.match_key` — NFKC, Arabic ي ى ك as Persian ی ک, digits and separators
    in ASCII, invisible characters, kashida and short-vowel marks removed, spaces collapsed,
    case folded. Display text keeps the original; this is only for comparing.

    >>> normalize_key("كيك") == normalize_key("کیک")
    True
    >>> normalize_key("  Brand\u00a0 Search ")
    'brand search'
    """
    return match_key(text)


# --- vectorisation helpers ------------------------------------------------------------------


def _as_strings(values: Any) -> pa.Array:
    """``values`` as one ``string`` (or ``large_string``) array: chunks combined, other types
    cast to text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if not isinstance(values, pa.Array):
        values = pa.array(values, pa.string())
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    return values


# Above this many distinct strings, the parsers first handle the common shapes with Arrow
# compute kernels (plain numbers, ISO timestamps) instead of one Python call per string: from a
# few dozen strings on, that is the faster way.
_VECTORISE_ABOVE = 64


@dataclass(frozen=True)
class _Distinct:
    """A column as its distinct strings, the row → distinct index, and rows per distinct."""

    dictionary: pa.Array  # the distinct strings, no nulls
    indices: pa.Array  # int32, null where the cell is null
    rows: npt.NDArray[np.int64]  # rows[i]: how many cells hold texts[i]

    @functools.cached_property
    def texts(self) -> list[str]:
        """The distinct strings as Python strings."""
        texts: list[str] = self.dictionary.to_pylist()
        return texts

    def texts_at(self, where: npt.NDArray[np.int64]) -> list[str]:
        """The distinct strings at the positions ``where``, as Python strings."""
        texts: list[str] = self.dictionary.take(pa.array(where, pa.int64())).to_pylist()
        return texts

    def expand(self, per_distinct: Sequence[Any], type_: pa.DataType) -> pa.Array:
        """Broadcast one result per distinct string back to the rows (null cells stay null)."""
        return pa.array(per_distinct, type=type_).take(self.indices)


def _from_encoded(dictionary: pa.Array, indices: pa.Array) -> _Distinct:
    n = len(dictionary)
    filled = pc.fill_null(indices, n).to_numpy(zero_copy_only=False)
    rows = np.bincount(filled, minlength=n + 1)[:n].astype(np.int64)
    return _Distinct(dictionary, indices, rows)


def _distinct(values: Any) -> _Distinct:
    encoded = _as_strings(values).dictionary_encode()
    return _from_encoded(encoded.dictionary, encoded.indices)


def _regroup(column: _Distinct, dictionary: pa.Array) -> _Distinct:
    """``column`` with its distinct strings replaced by ``dictionary`` (same length), merged
    where they became equal."""
    encoded = dictionary.dictionary_encode()
    return _from_encoded(encoded.dictionary, encoded.indices.take(column.indices))


def _map_distinct(
    values: Any, parse: Callable[[str], tuple[_T | None, str | None]], type_: pa.DataType
) -> Parsed:
    """Apply a cell parser ``text → (value, error)`` to each distinct string, then to the rows."""
    column = _distinct(values)
    results = [parse(text) for text in column.texts]
    return Parsed(
        column.expand([r[0] for r in results], type_),
        column.expand([r[1] for r in results], pa.string()),
    )


def normalize_keys(values: pa.Array) -> pa.Array:
    """:func:`normalize_key` over a string array (each distinct value once); nulls stay null."""
    column = _distinct(values)
    return column.expand([normalize_key(t) for t in column.texts], pa.string())


def _clean(text: str) -> str:
    """Trimmed text without invisible marks, digits in ASCII (separators kept as they are)."""
    return to_ascii_digits(drop_invisible(text)).strip()


def _is_empty(cleaned: str, markers: frozenset[str]) -> bool:
    return cleaned.casefold() in markers


def _folded(markers: frozenset[str]) -> frozenset[str]:
    return frozenset(m.strip().casefold() for m in markers)


# --- numbers --------------------------------------------------------------------------------

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
    s = _clean(text).replace("٪", "%").strip("\"'")
    if s.strip().casefold() in zeros:
        return _NumberCell(text, mantissa="0")
    if _is_empty(s.strip(), markers):
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
    return _decimal_votes(_distinct(values), _folded(empty_markers))[0]


def _decimal_votes(
    column: _Distinct, markers: frozenset[str], zeros: frozenset[str] = frozenset()
) -> tuple[dict[str, int], npt.NDArray[np.bool_] | None, dict[int, _NumberCell]]:
    """The votes of a column's distinct values, which of them are plain numbers (read by
    Arrow), and the others taken apart."""
    n = len(column.dictionary)
    votes = {".": 0, ",": 0}
    fast = _plain_numbers(column.dictionary, markers) if n > _VECTORISE_ABOVE else None
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
    markers = _folded(empty_markers)
    zeros = _folded(zero_spellings)
    column = _distinct(values)
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
            "separator equally often — set decimal in the mapping"
        )
    if chosen is not None and cell.vote is not None and cell.vote != chosen:
        where = "the mapping says" if decimal is not None else "most of the column uses"
        return None, (
            f"{cell.text.strip()} uses '{cell.vote}' as the decimal separator but {where} "
            f"'{chosen}'" + ("" if decimal is not None else " — set decimal in the mapping")
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


def _plain_number_dot_votes(column: _Distinct, fast: npt.NDArray[np.bool_]) -> int:
    """Rows of plain numbers that prove '.' is the decimal separator (as :func:`_analyse_number`
    decides: a '.' not followed by exactly three digits, or '.' after ',', or several ',')."""
    plain = column.dictionary.filter(pa.array(fast))
    ambiguous_dot = pc.match_substring_regex(plain, r"^-?[1-9][0-9]*\.[0-9]{3}$")
    dot = pc.and_(pc.match_substring(plain, "."), pc.invert(ambiguous_dot))
    several_commas = pc.match_substring_regex(plain, ",.*,")
    proves = np.asarray(pc.or_(dot, several_commas).to_numpy(zero_copy_only=False), dtype=bool)
    return int(column.rows[fast][proves].sum())


# --- IDs ------------------------------------------------------------------------------------

_SCIENTIFIC_ID = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
_TRAILING_ZERO_DECIMAL = re.compile(r"^([0-9]+)\.0+$")
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


def _id_cell(text: str) -> tuple[str | None, str | None]:
    s = _clean(text)
    if s.startswith("'"):  # a spreadsheet's "this is text" prefix
        s = s[1:]
    s = s.strip('"').strip()
    if _is_empty(s, DEFAULT_EMPTY_MARKERS):
        return None, None
    if _SCIENTIFIC_ID.match(s):
        return None, f"looks like a mangled ID ({s}): Excel turned it into a number"
    if (m := _TRAILING_ZERO_DECIMAL.match(s)) is not None:
        return m.group(1), None
    return s, None


def parse_integers_as_ids(values: pa.Array) -> Parsed:
    """ID columns (campaign, ad, customer IDs): keep the text, catch what spreadsheets did to it.

    The text is kept (trimmed, invisible marks removed, Persian digits made ASCII, a leading
    ``'`` text marker and surrounding quotes dropped); a trailing ``.0`` is removed
    (``123.0`` → ``123``); empty markers are null. Errors:

    - scientific notation (``1.20253E+17``): Excel turned the ID into a number and lost digits;
    - long all-digit IDs rounded to 15 significant digits (``120253000000000000``): flagged
      when every ID of 16 digits or more in the column ends in zeros after its 15th digit and
      those zeros are too many to be chance (at least three trailing zeros in all).
    """
    column = _distinct(values)
    results = [_id_cell(t) for t in column.texts]
    long_ids = [(i, v) for i, (v, _) in enumerate(results) if v and v.isdigit() and len(v) > 15]
    zero_tails = [len(v) - _EXCEL_DIGITS for _, v in long_ids if set(v[_EXCEL_DIGITS:]) == {"0"}]
    if long_ids and len(zero_tails) == len(long_ids) and sum(zero_tails) >= 3:
        for i, v in long_ids:
            results[i] = (
                None,
                f"looks like a mangled ID ({v}): Excel rounded it to 15 digits — "
                "export IDs as text",
            )
    return Parsed(
        column.expand([r[0] for r in results], pa.string()),
        column.expand([r[1] for r in results], pa.string()),
    )


# --- dates ----------------------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
_EXCEL_BASE = date(1899, 12, 30)  # serial 61 → 1900-03-01 (after Excel's fake 1900-02-29)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_MONTHS_JALALI_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                     "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand")  # fmt: skip
_MONTH_NAMES: dict[str, tuple[str, int]] = {
    **{m.casefold(): ("g", i + 1) for i, m in enumerate(_MONTHS_EN)},
    **{m[:3].casefold(): ("g", i + 1) for i, m in enumerate(_MONTHS_EN)},
    "sept": ("g", 9),
    **{normalize_key(m): ("g", i + 1) for i, m in enumerate(GREGORIAN_MONTHS_FA)},
    **{normalize_key(m): ("j", i + 1) for i, m in enumerate(JALALI_MONTHS_FA)},
    **{normalize_key(m): ("j", i + 1) for i, m in enumerate(JALALI_MONTHS_AF)},
    **{m.casefold(): ("j", i + 1) for i, m in enumerate(_MONTHS_JALALI_EN)},
    normalize_key("امرداد"): ("j", 5),
}
_TIME_PART = (
    r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?"
)
_TIME = f"(?:{_TIME_PART})?"
# An ISO date with a time part (the same syntax in Python's re and Arrow's RE2).
_ISO_TIMESTAMP = rf"^\d{{4}}-\d{{2}}-\d{{2}}{_TIME_PART}$"
_YMD = re.compile(
    rf"^(?P<y>\d{{4}})\s*(?P<s>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=s)\s*(?P<d>\d{{1,2}}){_TIME}$"
)
_COMPACT = re.compile(rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}$")
_AB_Y = re.compile(
    rf"^(?P<a>\d{{1,2}})\s*(?P<s>[-/.])\s*(?P<b>\d{{1,2}})\s*(?P=s)\s*(?P<y>\d{{4}}){_TIME}$"
)
_TWO_DIGIT_YEAR = re.compile(rf"^\d{{1,2}}\s*([-/.])\s*\d{{1,2}}\s*\1\s*\d{{2}}{_TIME}$")
_SERIAL = re.compile(r"^(?P<n>\d{1,7})(?:\.\d+)?$")
_WORD = r"[^\W\d_]+"
_WEEKDAY = rf"(?:{_WORD}\.?,?\s+)?"  # "Tue, " — read past, not checked
_DAY_NUMBER = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
# "September 1, 2026", "Sep 1, 2026", "Tue, Sep 1, 2026"
_NAME_MDY = re.compile(
    rf"^{_WEEKDAY}(?P<mon>{_WORD})\.?\s+{_DAY_NUMBER},?\s+(?P<y>\d{{4}}){_TIME}$"
)
# "1 September 2026", "01-Sep-2026", "۱۵ مهر ۱۴۰۳"
_NAME_DMY = re.compile(
    rf"^{_WEEKDAY}{_DAY_NUMBER}[\s\-/.]*(?P<mon>{_WORD})\.?,?[\s\-/.]*(?P<y>\d{{4}}){_TIME}$"
)
_FORMAT_DIRECTIVE = re.compile(r"%(.)")
_DATE_EMPTY = DEFAULT_EMPTY_MARKERS | {"nat"}


@dataclass(frozen=True)
class _DateCell:
    """A date cell taken apart. Exactly one of: error, empty, day (epoch day), ymd, ab."""

    text: str
    error: str | None = None
    empty: bool = False
    day: int | None = None
    ymd: tuple[int, int, int] | None = None
    calendar: str | None = None  # "g" or "j" when the text itself says (a month name)
    ab: tuple[int, int, int] | None = None  # (first, second, year): order unknown


@functools.lru_cache(maxsize=1)
def _jalali_index() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Keys ``y*10000 + m*100 + d`` of every Jalali day of the date dimension (ascending, as
    Jalali dates run in time order) and the epoch day of each."""
    dim = date_dimension()
    keys = (
        dim.column("jalali_year").to_numpy().astype(np.int64) * 10000
        + dim.column("jalali_month").to_numpy().astype(np.int64) * 100
        + dim.column("jalali_day").to_numpy().astype(np.int64)
    )
    days = dim.column("date").cast(pa.int32()).to_numpy().astype(np.int64)
    return keys, days


def _jalali_to_days(ymd: Sequence[tuple[int, int, int]]) -> list[int | str]:
    """Epoch days of Jalali dates (vectorised lookup), or an error message per date."""
    keys, days = _jalali_index()
    if not ymd:
        return []
    parts = np.array(ymd, dtype=np.int64).reshape(-1, 3)
    wanted = parts[:, 0] * 10000 + parts[:, 1] * 100 + parts[:, 2]
    pos = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    found = keys[pos] == wanted
    out: list[int | str] = []
    for (y, m, d), ok, p in zip(ymd, found.tolist(), pos.tolist(), strict=True):
        if ok:
            out.append(int(days[p]))
        elif not (1 <= m <= 12 and 1 <= d <= (31 if m <= 6 else 30)):
            out.append(f"not a real date: {y}/{m:02d}/{d:02d} in the Jalali calendar")
        elif not keys[0] <= y * 10000 + m * 100 + d <= keys[-1]:
            out.append(f"date out of the supported range (Jalali {y}/{m:02d}/{d:02d})")
        else:
            out.append(f"not a real date: {y}/{m:02d}/{d:02d} in the Jalali calendar")
    return out


def _gregorian_day(y: int, m: int, d: int) -> int | str:
    try:
        return (date(y, m, d) - _EPOCH).days
    except ValueError:
        return f"not a real date: {y:04d}-{m:02d}-{d:02d}"


def _clean_date(text: str) -> str:
    s = _clean(text).replace("،", ",")
    return " ".join(s.split())


def _month_of(name: str) -> tuple[str, int] | None:
    return _MONTH_NAMES.get(name.casefold()) or _MONTH_NAMES.get(normalize_key(name))


def _compile_format(date_format: str) -> re.Pattern[str]:
    """A strftime-like format (``%Y %m %d %b %B %%``) as a regular expression."""
    numeric_only = not _FORMAT_DIRECTIVE.sub("", date_format)
    width = r"\d{2}" if numeric_only else r"\d{1,2}"
    pieces = {
        "Y": r"(?P<y>\d{4})",
        "m": rf"(?P<m>{width})",
        "d": rf"(?P<d>{width})",
        "b": rf"(?P<mon>{_WORD})\.?",
        "B": rf"(?P<mon>{_WORD})\.?",
        "%": "%",
    }
    out: list[str] = []
    pos = 0
    for m in _FORMAT_DIRECTIVE.finditer(date_format):
        literal = date_format[pos : m.start()]
        out.append(r"\s+".join(re.escape(p) for p in literal.split(" ")))
        if m.group(1) not in pieces:
            raise ValueError(
                f"date_format {date_format!r}: %{m.group(1)} is not supported "
                "(use %Y, %m, %d, %b, %B)"
            )
        out.append(pieces[m.group(1)])
        pos = m.end()
    out.append(r"\s+".join(re.escape(p) for p in date_format[pos:].split(" ")))
    body = "".join(out)
    if (
        "(?P<y>" not in body
        or ("(?P<m>" not in body and "(?P<mon>" not in body)
        or "(?P<d>" not in body
    ):
        raise ValueError(f"date_format {date_format!r} needs a year, a month and a day")
    try:
        return re.compile(f"^{body}{_TIME}$")
    except re.error as exc:  # e.g. a directive given twice
        raise ValueError(f"date_format {date_format!r} is not usable: {exc}") from exc


def _analyse_date(
    text: str, pattern: re.Pattern[str] | None, date_format: str | None, base: date | None
) -> _DateCell:
    s = _clean_date(text)
    if _is_empty(s, _DATE_EMPTY):
        return _DateCell(text, empty=True)
    shown = s
    if pattern is not None:
        m = pattern.match(s)
        if m is None:
            return _DateCell(text, error=f"not a date in the format {date_format}")
        groups = m.groupdict()
        if groups.get("mon") is not None:
            month = _month_of(groups["mon"])
            if month is None:
                return _DateCell(text, error=f"not a date: unknown month {groups['mon']!r}")
            return _DateCell(
                text, ymd=(int(groups["y"]), month[1], int(groups["d"])), calendar=month[0]
            )
        return _DateCell(text, ymd=(int(groups["y"]), int(groups["m"]), int(groups["d"])))
    if (m := _YMD.match(s)) or (m := _COMPACT.match(s)):
        return _DateCell(text, ymd=(int(m["y"]), int(m["m"]), int(m["d"])))
    if m := _AB_Y.match(s):
        return _DateCell(text, ab=(int(m["a"]), int(m["b"]), int(m["y"])))
    if m := _SERIAL.match(s):
        digits = m["n"]
        number = int(digits)
        if base is not None and len(digits) <= 5 and "." not in s:
            try:
                return _DateCell(text, day=(base + timedelta(days=number) - _EPOCH).days)
            except OverflowError:
                return _DateCell(text, error="date out of range")
        if base is None and len(digits) > 1 and digits.startswith("0") and "." not in s:
            return _DateCell(
                text,
                error=f"looks like a GA4 'Nth day' offset ({shown}): give the report's start "
                "date (day_offset_base)",
            )
        if len(digits) == 4 and 1900 <= number <= 2100 and "." not in s:
            return _DateCell(text, error=f"looks like a year ({shown}), not a full date")
        if number == 60:
            return _DateCell(
                text,
                error="not a real date: Excel serial 60 is 29 February 1900, a day that never "
                "existed (an Excel bug)",
            )
        if 1 <= number <= _EXCEL_MAX_SERIAL:
            offset = number if number > 60 else number + 1
            return _DateCell(text, day=(_EXCEL_BASE + timedelta(days=offset) - _EPOCH).days)
        return _DateCell(text, error="not a date")
    for named in (_NAME_MDY, _NAME_DMY):
        if m := named.match(s):
            month = _month_of(m["mon"])
            if month is None:
                continue
            return _DateCell(text, ymd=(int(m["y"]), month[1], int(m["d"])), calendar=month[0])
    if _TWO_DIGIT_YEAR.match(s):
        return _DateCell(
            text,
            error=f"two-digit year in {shown}: export with four-digit years or set date_format",
        )
    return _DateCell(text, error="not a date")


def _ambiguous_message(text: str, a: int, b: int, year: int, jalali: bool, both: bool) -> str:
    names = _MONTHS_JALALI_EN if jalali else _MONTHS_EN
    why = " — the column has dates in both orders;" if both else " —"
    return (
        f"ambiguous date: {text} could be {a} {names[b - 1]} or {b} {names[a - 1]}"
        f"{why} set date_format in the mapping"
    )


def parse_dates(
    values: pa.Array,
    *,
    date_format: str | None = None,
    calendar: Literal["auto", "gregorian", "jalali"] = "auto",
    day_offset_base: date | None = None,
) -> Parsed:
    """Parse date cells to ``date32``.

    Recognised without a format (per column where the column matters):

    - ISO ``2024-01-05`` (also ``/`` or ``.`` separated, with or without a time part such as
      ``T15:15:37-0400`` or `` 00:00:00``: the date as written is kept) and ``20240105``;
    - ``M/D/YYYY`` (LinkedIn), ``DD/MM/YYYY``, ``DD-MM-YYYY``, ``DD.MM.YYYY``: the order comes
      from the column — any value with a first field above 12 makes it day-first, with a second
      field above 12 month-first; with no such value, or values of both kinds, every cell whose
      reading depends on the order is an error ("ambiguous date …"), never a guess;
    - month names: ``September 1, 2026``, ``Sep 1, 2026``, ``Tue, Sep 1, 2026``,
      ``1 September 2026``, ``01-Sep-2026``, Persian ``۱۵ مهر ۱۴۰۳`` (Jalali month names, Iranian
      or Afghan) and ``۱ ژانویه ۲۰۲۴`` (Gregorian month names in Persian);
    - Excel serial numbers (``45292`` → 2024-01-01; 1900 date system; serial 60, Excel's
      fictitious 1900-02-29, is an error; a four-digit number 1900–2100 is an error, as it is
      more likely a year than a day in 1905);
    - GA4 ``Nth day`` offsets (``0000``, ``0031``, ``7``) when ``day_offset_base`` (the report's
      start date) is given: base + N days. Without it, zero-padded numbers are errors.

    Jalali: with ``calendar='auto'`` a year in 1300–1500 is Jalali (``۱۴۰۳/۰۷/۱۵``,
    ``1403-07-15``, ``1403/7/15`` → 2024-10-06), converted through the date dimension; a
    Jalali month name makes a date Jalali whatever the setting. ``calendar='jalali'`` or
    ``'gregorian'`` forces the reading of numeric years. Jalali dates outside 1900–2100 are
    errors.

    ``date_format`` (``%Y``, ``%m``, ``%d``, ``%b``, ``%B``, e.g. ``'%d/%m/%Y'``, ``'%Y%m%d'``)
    makes parsing strict: cells that do not match it are errors (a time part is still allowed).
    Invalid dates (``2024-02-30``, Jalali ``1404/12/30``) are "not a real date".
    """
    if calendar not in ("auto", "gregorian", "jalali"):
        raise ValueError(f"calendar must be 'auto', 'gregorian' or 'jalali', got {calendar!r}")
    pattern = _compile_format(date_format) if date_format else None
    column = _distinct(values)
    if pattern is None and len(column.dictionary) > _VECTORISE_ABOVE:
        # Timestamps make most strings distinct: keep only their date, then group again.
        stamps = pc.match_substring_regex(column.dictionary, _ISO_TIMESTAMP)
        if pc.any(stamps).as_py():
            dates_only = pc.utf8_slice_codeunits(column.dictionary, 0, 10)
            column = _regroup(column, pc.if_else(stamps, dates_only, column.dictionary))
    cells = [_analyse_date(t, pattern, date_format, day_offset_base) for t in column.texts]

    first_big = second_big = 0
    for cell, rows in zip(cells, column.rows, strict=True):
        if cell.ab is not None:
            first_big += int(rows) if cell.ab[0] > 12 >= cell.ab[1] else 0
            second_big += int(rows) if cell.ab[1] > 12 >= cell.ab[0] else 0
    order: str | None = None
    if first_big and not second_big:
        order = "dm"
    elif second_big and not first_big:
        order = "md"

    def is_jalali(year: int, said: str | None) -> bool:
        if said is not None:
            return said == "j"
        if calendar == "auto":
            return 1300 <= year <= 1500
        return calendar == "jalali"

    results: list[int | str | None] = [None] * len(cells)
    jalali_at: list[int] = []
    jalali_ymd: list[tuple[int, int, int]] = []
    for i, cell in enumerate(cells):
        ymd = cell.ymd
        if cell.empty:
            continue
        if cell.error is not None:
            results[i] = cell.error
            continue
        if cell.day is not None:
            results[i] = cell.day
            continue
        if cell.ab is not None:
            a, b, y = cell.ab
            cell_order = order
            if a > 12 >= b:
                cell_order = "dm"
            elif b > 12 >= a:
                cell_order = "md"
            elif a == b or a > 12:
                cell_order = cell_order or "dm"
            if cell_order is None:
                shown = _clean_date(cell.text)
                both = bool(first_big and second_big)
                results[i] = _ambiguous_message(shown, a, b, y, is_jalali(y, None), both)
                continue
            ymd = (y, b, a) if cell_order == "dm" else (y, a, b)
        assert ymd is not None
        if is_jalali(ymd[0], cell.calendar):
            jalali_at.append(i)
            jalali_ymd.append(ymd)
        else:
            results[i] = _gregorian_day(*ymd)
    for i, converted in zip(jalali_at, _jalali_to_days(jalali_ymd), strict=True):
        results[i] = converted

    days = [r if isinstance(r, int) else None for r in results]
    errors = [r if isinstance(r, str) else None for r in results]
    as_days = column.expand(days, pa.int32())
    return Parsed(as_days.cast(pa.date32()), column.expand(errors, pa.string()))


# --- booleans and text ----------------------------------------------------------------------

_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0", "بله", "بلی", "آری", "آره", "درست"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0", "خیر", "نه", "نادرست"})


def _boolean_cell(text: str) -> tuple[bool | None, str | None]:
    key = normalize_key(text)
    if key in _TRUE:
        return True, None
    if key in _FALSE:
        return False, None
    if key in DEFAULT_EMPTY_MARKERS:
        return None, None
    return None, "not a yes/no value"


def parse_booleans(values: pa.Array) -> Parsed:
    """Yes/no cells: ``true``/``false``, ``yes``/``no``, ``y``/``n``, ``t``/``f``, ``1``/``0``,
    ``بله``/``خیر`` (also ``بلی``, ``آری``, ``آره``, ``نه``, ``درست``/``نادرست``), any case;
    empty markers are null; anything else is an error."""
    return _map_distinct(values, _boolean_cell, pa.bool_())


_ARABIC_LETTER = re.compile(
    r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc]"
)
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _encode_cp1252(text: str) -> bytes | None:
    """Bytes of ``text`` in Windows-1252, keeping the five undefined bytes (decoders that map
    them to C1 controls, as Windows does, leave them in mojibake)."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) in _CP1252_UNDEFINED:
                out.append(ord(ch))
            else:
                return None
    return bytes(out)


def _looks_persian(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    arabic = sum(1 for c in letters if _ARABIC_LETTER.match(c))
    return arabic > 0 and arabic * 2 >= len(letters)


def _repair_mojibake(text: str) -> str:
    """``text`` repaired when it is UTF-8 that was read as Windows-1256 or Windows-1252 and the
    repair reads as Persian/Arabic; otherwise ``text`` unchanged."""
    if text.isascii():
        return text
    candidates: list[bytes | None] = []
    try:
        candidates.append(text.encode("cp1256"))
    except UnicodeEncodeError:
        candidates.append(None)
    candidates.append(_encode_cp1252(text))
    for raw in candidates:
        if raw is None:
            continue
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        controls = any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in fixed)
        if fixed != text and not controls and _looks_persian(fixed):
            return fixed
    return text


def _text_cell(text: str) -> tuple[str | None, str | None]:
    s = text.strip().lstrip("\ufeff").strip()
    if not s:
        return None, None
    return _repair_mojibake(s), None


def parse_text(values: pa.Array) -> Parsed:
    """Text cells: trimmed, empty → null (no error); UTF-8 text that was decoded as Windows-1256
    (``طھط§ط±غŒط®`` → ``تاریخ``) or Windows-1252 (``ØªØ§Ø±ÛŒØ®``) is repaired when the repair
    is valid UTF-8 and reads as Persian/Arabic. Empty markers such as ``--`` are kept as text.
    Text never fails: the errors are all null."""
    column = _distinct(values)
    # ASCII text needs only trimming (Arrow does it); the rest goes through _text_cell.
    ascii_only = pc.string_is_ascii(column.dictionary).to_numpy(zero_copy_only=False)
    trimmed = pc.utf8_trim(column.dictionary, _ASCII_SPACE).cast(pa.string())
    texts = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    others = np.flatnonzero(~ascii_only)
    if len(others):
        repaired = pa.array([_text_cell(t)[0] for t in column.texts_at(others)], pa.string())
        texts = pc.replace_with_mask(texts, pa.array(~ascii_only), repaired)
    return Parsed(texts.take(column.indices), pa.nulls(len(column.indices), pa.string()))


_ASCII_SPACE = "".join(c for c in map(chr, range(128)) if c.isspace())
"""What ``str.strip()`` removes from ASCII text."""
