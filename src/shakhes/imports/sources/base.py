"""What a source layout is: which headers mean which canonical column, what to skip, and the
constants and rules that complete a row.

Headers are matched by name, never by position: case-insensitively, ignoring punctuation,
spacing, a currency in parentheses (``Amount spent (USD)``) and Persian spelling variants, and
accepting any of several aliases (``Impr.``, ``Impressions``, ``نمایش``). Each layout lists the
spellings its platform really writes — singular and plural (TikTok's ``Impression``), the
``(destination)`` suffixes, the localised names — and the columns it writes that are derived
from others (CPC, CPM, CTR, CPA, cost per result, …) or describe settings (status, budget):
those are *recognised and ignored*, neither imported nor reported as unplaced.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from shakhes.data.model import ColumnType
from shakhes.imports.values import normalize_key

if TYPE_CHECKING:
    import pyarrow as pa

Kind = Literal["text", "number", "percent", "date", "id", "bool"]
"""How a column's cells are read (see :mod:`shakhes.imports.values`)."""

KIND_OF_TYPE: dict[ColumnType, Kind] = {
    ColumnType.DATE: "date",
    ColumnType.STRING: "text",
    ColumnType.INTEGER: "number",
    ColumnType.FLOAT: "number",
    ColumnType.BOOLEAN: "bool",
}
"""How the cells of a canonical column of each type are read."""

UNREADABLE: dict[Kind, str] = {
    "text": "unreadable_text",  # (text always reads)
    "number": "not_a_number",
    "percent": "not_a_number",
    "date": "not_a_date",
    "id": "mangled_id",
    "bool": "not_a_boolean",
}
"""The reason code of a cell that does not read as its kind."""

_CURRENCY_SUFFIX = re.compile(r"\s*\(([A-Za-z]{3})\)\s*$")
_PUNCTUATION = re.compile(r"[\s._:/\-–—#'\"`’]+")


@functools.lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """The form a header is matched in: ``'Amount spent (USD)'`` → ``'amount spent'``,
    ``'Impr.'`` → ``'impr'``, ``'Clicks (Destination)'`` → ``'clicks (destination)'``."""
    text = _CURRENCY_SUFFIX.sub("", header.strip().lstrip("\ufeff"))
    return _PUNCTUATION.sub(" ", normalize_key(text)).strip()


def header_currency(header: str) -> str | None:
    """The currency a header names, as Meta writes it: ``'Amount spent (EUR)'`` → ``'EUR'``."""
    match = _CURRENCY_SUFFIX.search(header.strip())
    return match.group(1).upper() if match else None


@dataclass(frozen=True)
class Field:
    """A canonical column and the headers that carry it in this layout."""

    canonical: str
    headers: tuple[str, ...]
    kind: Kind
    required: bool = False
    """The layout is only recognised, and a file only imported, when this header is present."""

    def matches(self, key: str) -> bool:
        return key in _keys(self.headers)


RowRule = Callable[[Mapping[str, str]], bool]
TextRewrite = Callable[
    [dict[str, "pa.Array"], dict[str, Field]], tuple[dict[str, "pa.Array"], dict[str, Field]]
]
"""Rewrites the cell texts of a batch (keyed by canonical column) before they are parsed, and
may add columns with their fields: a mapping file's value maps, defaults and hashing, and one
file column sent to several canonical columns (see :mod:`shakhes.imports.rewrite`)."""
RowPrep = Callable[[dict[str, str]], str | None]
"""Rewrites a row's cells in place (keyed by canonical column) before it is parsed; returns
why the row is not imported (``"cancelled order"``), or None to import it."""


@dataclass(frozen=True)
class SourceSpec:
    """A source layout (a platform export, a shop export, the canonical format).

    ``constants`` fill columns the file does not have (``platform``); ``defaults`` fill columns
    the file may lack; ``channel_by`` maps the text of one column (Google Ads' campaign type) to
    a canonical channel; ``summary`` tells total rows, which are checked but never imported.
    """

    name: str
    table: str
    title: str
    fields: tuple[Field, ...]
    constants: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    channel_by: tuple[str, Mapping[str, str]] | None = None
    summary: RowRule | None = None
    prepare: RowPrep | None = None
    decimal: str | None = None
    """The decimal separator of every number column, when the file's own values cannot tell."""
    multiply: Mapping[str, float] = field(default_factory=dict)
    """Unit multipliers per canonical column (rial → toman: ``{"cost": 0.1}``)."""
    channel_rules: tuple[tuple[re.Pattern[str] | None, str], ...] = ()
    """(campaign-name pattern, channel) pairs; the first match wins, None matches anything."""
    currency: str | None = None
    """The currency of every amount, when the file does not say (``--currency`` wins)."""
    copies: Mapping[str, str] = field(default_factory=dict)
    """Columns filled from another column when the file lacks them (``campaign_id`` from
    ``campaign`` in a report without ids)."""
    date_format: str | None = None
    account_from: str | None = None
    """Canonical column whose value names the account when ``--account`` is not given."""
    preamble_date_range: bool = False
    """The preamble may state the report's range (``"September 1, 2026 - September 30, 2026"``,
    ``Report Start: …, Report End: …``, ``# Start date: …``): a file without a day column is
    imported as that day when the range is one day, and refused otherwise."""
    daily_hint: str | None = None
    """How to export this layout by day, shown when a report that is not is refused."""
    comment_prefix: str | None = None
    """Rows whose first cell starts with this (GA4's ``#`` blocks) are comments, never a header.
    Such a file may stack several tables, each under its own comment block: the one read has a
    day column and the most fields, it ends at the next comment row, and the others are skipped
    with a warning. A field named ``_day_offset`` (GA4's ``Nth day``) counts days from the
    preamble's start date."""
    derived: Mapping[str, tuple[tuple[str, Callable[[str], str | None]], ...]] = field(
        default_factory=dict
    )
    """Columns computed from the text of another column when the file lacks them, trying each
    (column, function) in turn: GA4's ``source`` and ``medium`` from ``Session source / medium``,
    ``channel`` from the channel group."""
    ignored: tuple[str, ...] = ()
    """Headers this platform writes that are recognised and not imported: ratios derived from
    the imported columns (CPC, CPM, CTR, CPA, cost per result, …) and settings (status,
    budget). They do not help recognise the layout, but they are not "unplaced" either."""
    zero: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per number column, the cell texts this platform writes for zero (Google Ads' ``--``). Any
    other empty or ``NA``-like cell in a number column is unknown, never 0."""
    repeated_keys: Literal["add", "refuse"] = "refuse"
    """Rows of one file that share a natural key: ``add`` — they are different items with the
    same name (two TikTok ads called "Spark ad A" in one ad group on one day), added together
    into one row; ``refuse`` — the file is refused (a canonical file, an orders export that
    repeats each order on its item rows)."""
    title_lines: bool = False
    """The platform writes lines above the header (a report title, the date range, ``#``
    comments). Between two layouts that place a header row equally well, the one whose shape
    fits the file (lines above the header or not) is taken."""
    rewrite: TextRewrite | None = None
    """Rewrites the cell texts before parsing (see :data:`TextRewrite`)."""
    writes: tuple[str, ...] | None = None
    """The only columns an import of this layout writes, besides the natural key: rows already
    there keep their other columns (see :mod:`shakhes.imports.partial`). None: every column."""
    update_only: bool = False
    """The file completes rows another import wrote: a row whose natural key is not in the
    table yet is quarantined, never added."""

    def field_for(self, header: str) -> Field | None:
        key = header_key(header)
        for f in self.fields:
            if f.matches(key):
                return f
        return None

    def knows(self, header: str) -> bool:
        """Whether ``header`` is one of this layout's columns, imported or ignored."""
        return self.field_for(header) is not None or header_key(header) in _keys(self.ignored)

    def score(self, header: Sequence[str]) -> tuple[int, list[str]]:
        """How many of this layout's fields ``header`` has, and its required fields it lacks."""
        found = {f.canonical for h in header if (f := self.field_for(h)) is not None}
        missing = [f.headers[0] for f in self.fields if f.required and f.canonical not in found]
        return len(found), missing


@functools.lru_cache(maxsize=64)
def _keys(headers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)


def number_fields(fields: Sequence[Field], zero: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``zero`` as the zero spelling of every number field: the ``zero`` of a layout whose
    platform writes zero the same way in every number column."""
    return {f.canonical: zero for f in fields if f.kind == "number"}


def starts_with_total(row: Mapping[str, str]) -> bool:
    """A total or summary row: the first cell says ``Total``/``Total:``/``Totals`` (or the
    French ``Total :``), in any case."""
    first = next(iter(row.values()), "")
    return header_key(first).startswith("total")
