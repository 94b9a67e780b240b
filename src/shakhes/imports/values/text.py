"""ID, yes/no and text cells: IDs a spreadsheet mangled, yes/no in English and Persian, and text
trimmed and repaired of mojibake."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.imports.values.base import (
    DEFAULT_EMPTY_MARKERS,
    Parsed,
    clean,
    distinct,
    is_empty,
    map_distinct,
    normalize_key,
)

_SCIENTIFIC_ID = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$")
_TRAILING_ZERO_DECIMAL = re.compile(r"^([0-9]+)\.0+$")
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


def _id_cell(text: str) -> tuple[str | None, str | None]:
    s = clean(text)
    if s.startswith("'"):  # a spreadsheet's "this is text" prefix
        s = s[1:]
    s = s.strip('"').strip()
    if is_empty(s, DEFAULT_EMPTY_MARKERS):
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
    column = distinct(values)
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
    return map_distinct(values, _boolean_cell, pa.bool_())


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
    column = distinct(values)
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
