"""The canonical format, strictly: what ``shakhes load`` takes and nothing else.

An export import reads cells the way platforms and spreadsheets write them (``1,234.50``,
``$5``, ``usd``, ``yes``, Jalali dates). A strict load takes the canonical format of
docs/data-model.md only — ISO dates, plain numbers, ``true``/``false``, upper-case ISO currency
codes, an empty cell for an optional value — so that a file meant to be exact is never read by
guessing. Each function returns, per cell, why it is not in the canonical format (null where
it is, or where the cell is empty).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from shakhes.imports.sources.base import Kind

_RULES: dict[str, tuple[str, str]] = {
    "number": (
        r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$",
        "not a plain number: write it with a '.' decimal point and without thousands "
        "separators, currency signs or % (1234.5)",
    ),
    "date": (
        r"^(?:1[89]|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}"
        r"(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$",
        "not an ISO date (2024-03-31)",
    ),
    "bool": (r"^(?i:true|false)$", "not a boolean: write true or false"),
    "currency": (r"^[A-Z]{3}$", "not an ISO currency code in capitals (USD, EUR, IRR, IRT)"),
}


def problems(kind: Kind, column: str, texts: pa.Array) -> pa.Array:
    """Why each cell of ``texts`` (a canonical ``column`` of ``kind``) is not in the canonical
    format; null where it is, and where it is empty (a missing required value is found
    later, with the other checks)."""
    rule = _RULES.get("currency" if column == "currency" else kind)
    n = len(texts)
    if rule is None:
        return pa.nulls(n, pa.string())
    pattern, reason = rule
    trimmed = pc.utf8_trim_whitespace(pc.fill_null(texts, ""))
    ok = pc.or_(pc.equal(trimmed, ""), pc.match_substring_regex(trimmed, pattern))
    return pc.if_else(ok, pa.scalar(None, pa.string()), pa.scalar(reason, pa.string()))
