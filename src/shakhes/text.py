"""When two Persian texts are the same text: one definition for all of shakhes.

Persian reaches shakhes typed on different keyboards and saved by different software: Arabic
``ي`` ``ى`` ``ك`` for Persian ``ی`` ``ک``, Persian (``۱۴۰۳``) or Arabic-Indic (``١٤٠٣``) digits
for ASCII ones, with or without the zero-width non-joiner (``حراج‌زمستانه`` / ``حراجزمستانه``),
with bidi marks, a kashida (``ـ``) or short-vowel marks that change nothing a reader sees. Such
spellings are the same text. Every place that compares text uses this module, so they agree:

- :func:`same_text` — the *equivalence form*: the character map :data:`EQUIVALENT_FROM` →
  :data:`EQUIVALENT_TO` (characters past the end of ``EQUIVALENT_TO`` are dropped). Formula
  filters compare it in SQL with ``translate(column, EQUIVALENT_FROM, EQUIVALENT_TO)``, and
  imports write a value the way the same text is already spelled. Case and spaces are kept:
  ``Brand`` and ``brand`` are two campaigns.
- :func:`match_key` — for headers and fixed vocabularies (channel names, month names): the
  equivalence form after Unicode NFKC (presentation forms, full-width letters), with spaces
  collapsed and case folded.
- :func:`to_ascii_digits` and :func:`to_persian_digits` — digits only, for parsing numbers and
  for showing them.

>>> same_text("حراج\u200cزمستانه ۱۴۰۳") == same_text("حراجزمستانه 1403")
True
>>> same_text("كيك")
'کیک'
>>> match_key("  Brand\u00a0 Search ")
'brand search'
"""

from __future__ import annotations

import unicodedata

_ASCII_DIGITS = "0123456789"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_REPLACED = {
    "ي": "ی",  # Arabic yeh
    "ى": "ی",  # alef maksura
    "ك": "ک",  # Arabic kaf
    "٫": ".",  # Arabic decimal separator
    "٬": ",",  # Arabic thousands separator
    "٪": "%",  # Arabic percent sign
    **dict(zip(_PERSIAN_DIGITS, _ASCII_DIGITS, strict=True)),
    **dict(zip(_ARABIC_INDIC_DIGITS, _ASCII_DIGITS, strict=True)),
}

INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2060\ufeff\u00ad"
)
"""Characters that change nothing a reader sees: zero-width space, non-joiner and joiner, bidi
marks, embeddings and isolates, the word joiner, the BOM and the soft hyphen."""

_DROPPED = (
    INVISIBLE
    + "\u0640"  # tatweel (kashida), a stretching stroke
    + "".join(chr(c) for c in range(0x064B, 0x0660))  # harakat (short-vowel marks)
    + "\u0670"  # superscript alef
)

EQUIVALENT_FROM = "".join(_REPLACED) + _DROPPED
"""The characters the equivalence form replaces (the first ``len(EQUIVALENT_TO)``) or drops
(the rest), in the order SQL's ``translate`` takes them."""
EQUIVALENT_TO = "".join(_REPLACED.values())

_EQUIVALENCE = str.maketrans({**_REPLACED, **dict.fromkeys(_DROPPED)})
_TO_ASCII_DIGITS = str.maketrans(
    dict(zip(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _ASCII_DIGITS * 2, strict=True))
)
_TO_ASCII_NUMBER = str.maketrans(
    {
        **dict(zip(_PERSIAN_DIGITS + _ARABIC_INDIC_DIGITS, _ASCII_DIGITS * 2, strict=True)),
        "٫": ".",
        "٬": ",",
        "٪": "%",
    }
)
_TO_PERSIAN_DIGITS = str.maketrans(_ASCII_DIGITS, _PERSIAN_DIGITS)
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE))


def same_text(text: str) -> str:
    """The equivalence form of ``text`` (see the module docstring); two texts are the same
    text when their forms are equal."""
    return text.translate(_EQUIVALENCE)


def match_key(text: str) -> str:
    """The key a header or vocabulary word is matched by: NFKC, :func:`same_text`, spaces
    collapsed and trimmed, case folded.

    >>> match_key("كيك") == match_key("کیک")
    True
    """
    return " ".join(same_text(unicodedata.normalize("NFKC", text)).split()).casefold()


def to_ascii_digits(text: str, *, separators: bool = False) -> str:
    """Persian and Arabic-Indic digits as ASCII; with ``separators`` also ``٫`` → ``.``,
    ``٬`` → ``,`` (kept, so that a number parser can still tell thousands from decimals) and
    ``٪`` → ``%``.

    >>> to_ascii_digits("۱۲٬۵۰۰٫۷۵٪", separators=True)
    '12,500.75%'
    """
    return text.translate(_TO_ASCII_NUMBER if separators else _TO_ASCII_DIGITS)


def drop_invisible(text: str) -> str:
    """``text`` without the characters of :data:`INVISIBLE`."""
    return text.translate(_DROP_INVISIBLE)


def to_persian_digits(text: str) -> str:
    """The ASCII digits 0-9 in ``text`` as Persian digits ۰-۹.

    >>> to_persian_digits("1404-07")
    '۱۴۰۴-۰۷'
    """
    return text.translate(_TO_PERSIAN_DIGITS)
