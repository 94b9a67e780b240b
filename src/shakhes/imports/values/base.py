"""What every value parser shares: :class:`Parsed`, the empty markers, text normalisation, and
the machinery that parses each distinct string of a column once (see the package docstring)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.text import drop_invisible, match_key, to_ascii_digits

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


def as_strings(values: Any) -> pa.Array:
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
VECTORISE_ABOVE = 64


@dataclass(frozen=True)
class Distinct:
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


def from_encoded(dictionary: pa.Array, indices: pa.Array) -> Distinct:
    n = len(dictionary)
    filled = pc.fill_null(indices, n).to_numpy(zero_copy_only=False)
    rows = np.bincount(filled, minlength=n + 1)[:n].astype(np.int64)
    return Distinct(dictionary, indices, rows)


def distinct(values: Any) -> Distinct:
    encoded = as_strings(values).dictionary_encode()
    return from_encoded(encoded.dictionary, encoded.indices)


def regroup(column: Distinct, dictionary: pa.Array) -> Distinct:
    """``column`` with its distinct strings replaced by ``dictionary`` (same length), merged
    where they became equal."""
    encoded = dictionary.dictionary_encode()
    return from_encoded(encoded.dictionary, encoded.indices.take(column.indices))


def map_distinct(
    values: Any, parse: Callable[[str], tuple[_T | None, str | None]], type_: pa.DataType
) -> Parsed:
    """Apply a cell parser ``text → (value, error)`` to each distinct string, then to the rows."""
    column = distinct(values)
    results = [parse(text) for text in column.texts]
    return Parsed(
        column.expand([r[0] for r in results], type_),
        column.expand([r[1] for r in results], pa.string()),
    )


def normalize_keys(values: pa.Array) -> pa.Array:
    """:func:`normalize_key` over a string array (each distinct value once); nulls stay null."""
    column = distinct(values)
    return column.expand([normalize_key(t) for t in column.texts], pa.string())


def clean(text: str) -> str:
    """Trimmed text without invisible marks, digits in ASCII (separators kept as they are)."""
    return to_ascii_digits(drop_invisible(text)).strip()


def is_empty(cleaned: str, markers: frozenset[str]) -> bool:
    return cleaned.casefold() in markers


def folded(markers: frozenset[str]) -> frozenset[str]:
    return frozenset(m.strip().casefold() for m in markers)
