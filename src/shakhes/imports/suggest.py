"""A starting mapping file for a file shakhes has no layout for.

The file's headers are scored against every canonical table — its column names, the words
CRMs, shops and e-mail tools use for them (:mod:`synonyms`), the columns of the known layouts,
and headers that point to a table without filling a column (``Deal Stage``) — and the best
table wins. Each of its columns gets the header that names it most clearly; the values of a
source column become a channel map, a ``(تومان)`` in a money header the currency, a
``new``/``returning`` column the new-customer flag. A file with a table's key but not its
required dates or amounts (a closed-deals export: lead id, won date, value) is proposed as an
update of rows already imported. What could not be placed is listed in comments, so that a
mapping with nothing missing can be used as it is and one with something missing says what.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from shakhes.data.model import CHANNELS, TABLES, Table
from shakhes.errors import DataError
from shakhes.imports import values as V
from shakhes.imports.layout import HEADER_SEARCH_ROWS, find_layout
from shakhes.imports.readers import Row, iter_rows, sniff
from shakhes.imports.sources import REGISTRY
from shakhes.imports.sources.base import header_key
from shakhes.imports.synonyms import (
    CANCELLED_WORDS,
    CHANNEL_WORDS,
    CURRENCY_WORDS,
    HEADERS,
    NEW_WORDS,
    PERSONAL,
    PREFIXES,
    REFERENCES,
    SIGNS,
    WON_WORDS,
)

SAMPLE_ROWS = 5000
"""Data rows read for the values of a source, currency or stage column."""
_PARENS = re.compile(r"\s*\(([^)]*)\)\s*$")
_DEFAULT_TEXT = {"channel": "other", "campaign": "(none)", "plan": "(not set)"}
_STAGE_HEADERS = frozenset(
    {"deal stage", "stage", "status", "deal status", "مرحله", "وضعیت", "مرحله معامله"}
)


def _key(header: str) -> str:
    """A header as words are looked up: :func:`header_key` without a trailing ``(…)`` and
    without spaces (Persian headers are typed with or without a zero-width non-joiner)."""
    return _PARENS.sub("", header_key(header)).replace(" ", "")


def _lookup() -> dict[str, dict[str, dict[str, int]]]:
    """Table → column → looked-up header → strength: the synonyms, the canonical names and the
    headers of the known layouts."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for table in TABLES.values():
        columns = out.setdefault(table.name, {})
        for column in table.columns:
            words = columns.setdefault(column.name, {})
            words[_key(column.name.replace("_", " "))] = 3
            for word, strength in HEADERS.get(table.name, {}).get(column.name, {}).items():
                words[_key(word)] = max(strength, words.get(_key(word), 0))
    for spec in REGISTRY.values():
        for f in spec.fields:
            if f.canonical.startswith("_") or not TABLES[spec.table].has_column(f.canonical):
                continue
            words = out[spec.table][f.canonical]
            for h in f.headers:
                words.setdefault(_key(h), 2)
    return out


_LOOKUP = _lookup()
_SIGNS = {t: frozenset(_key(s) for s in signs) for t, signs in SIGNS.items()}


@dataclass
class Suggestion:
    """A proposed mapping for one file."""

    table: str
    columns: dict[str, str]
    scores: list[tuple[str, float]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    currency: str | None = None
    update: bool = False
    only: dict[str, list[str]] = field(default_factory=dict)
    skip: dict[str, list[str]] = field(default_factory=dict)
    hash: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _candidates(header: str, table: str) -> list[tuple[int, str]]:
    """(strength, column) of ``table`` that ``header`` may carry, strongest first."""
    key = _key(header)
    keys = [key] + [
        key[len(p.replace(" ", "")) :] for p in PREFIXES if key.startswith(p.replace(" ", ""))
    ]
    found = []
    for column, words in _LOOKUP[table].items():
        strength = max((words.get(k, 0) for k in keys if k), default=0)
        if strength:
            found.append((strength, column))
    return sorted(found, key=lambda sc: -sc[0])


def _place(header: Sequence[str], table: Table) -> dict[str, tuple[str, int]]:
    """Column → (header, strength): the strongest pairs first, each header and column once."""
    pairs = [
        (strength, column, pos)
        for pos, h in enumerate(header)
        for strength, column in _candidates(h, table.name)
    ]
    order = {c: i for i, c in enumerate(table.column_names)}
    placed: dict[str, tuple[str, int]] = {}
    used: set[int] = set()
    for strength, column, pos in sorted(pairs, key=lambda p: (-p[0], order[p[1]], p[2])):
        if column in placed or pos in used:
            continue
        placed[column] = (header[pos], strength)
        used.add(pos)
    return placed


def score(header: Sequence[str], table: Table) -> float:
    """How well ``header`` fits ``table``: the strength of each column it fills (required ones
    count more, the whole natural key more still) and the headers that point to the table."""
    placed = _place(header, table)
    total = sum(
        strength * (1.5 if table.column(column).required else 1.0)
        for column, (_, strength) in placed.items()
    )
    if all(k in placed for k in table.natural_key if table.column(k).required):
        total += 2
    keys = [_key(h) for h in header]
    total += sum(1 for k in keys if k in _SIGNS.get(table.name, frozenset()))
    if table.name == "leads":
        total += min(3, sum(1 for h in header if header_key(h).startswith(PREFIXES)))
    return total


def suggest(
    header: Sequence[str], rows: Sequence[Sequence[str]] = (), table: str | None = None
) -> Suggestion:
    """The mapping proposed for a file with ``header`` and (a sample of) its data ``rows``."""
    header = [h for h in header]
    scores = sorted(((t.name, score(header, t)) for t in TABLES.values()), key=lambda ts: -ts[1])
    chosen = TABLES[table or scores[0][0]]
    placed = _place(header, chosen)
    columns = {c: placed[c][0] for c in chosen.column_names if c in placed}
    s = Suggestion(chosen.name, columns, scores)
    column_values = {
        h: [row[i] for row in rows if i < len(row) and row[i].strip()] for i, h in enumerate(header)
    }
    time = chosen.time_column
    key_found = all(k in s.columns for k in chosen.natural_key if chosen.column(k).required)
    others = [c for c in s.columns if c not in chosen.natural_key]
    s.update = key_found and bool(others) and time not in s.columns
    reference = [k for k in chosen.natural_key if header_key(s.columns.get(k, "")) in REFERENCES]
    if key_found and reference:
        # A deals export keyed by its contacts: its dates and sources are the deal's own.
        kept = {*chosen.natural_key, "won_date", "value", "qualified_date", "currency"}
        dropped = [s.columns.pop(c) for c in list(s.columns) if c not in kept]
        s.update = True
        if dropped:
            s.notes.append(
                f"'{s.columns[reference[0]]}' names other records: this file completes them, so "
                f"its own {', '.join(dropped)} are left out"
            )
    _currency(s, chosen, header, column_values)
    for column in ("channel", "is_new_customer"):
        if column in s.columns:
            _value_map(s, column, column_values[s.columns[column]])
    who = header_key(s.columns.get("customer_id", ""))
    if who and any(word in who for word in PERSONAL):
        s.hash.append("customer_id")
        s.notes.append(
            f"customer_id comes from '{s.columns['customer_id']}': only the SHA-256 of each "
            "value is stored (hash), as for Shopify and WooCommerce e-mails"
        )
    if chosen.name == "orders":
        _skip_cancelled(s, header, column_values)
    if s.update:
        _only_won(s, header, column_values)
    else:
        for column, text in _DEFAULT_TEXT.items():  # also for the empty cells of a column
            if chosen.has_column(column):
                s.defaults.setdefault(column, text)
    supplied = set(s.columns) | set(s.defaults) | {"account", "currency"}
    if s.currency:
        supplied.add("currency")
    if chosen.name == "orders":
        supplied.add("is_new_customer")
    if chosen.name == "ad_performance":
        supplied |= {"ad_group", "conversions", "conversion_value", "campaign_id"}
    s.missing = [
        c.name
        for c in chosen.columns
        if c.required
        and c.name not in supplied
        and not (s.update and c.name not in chosen.natural_key)
    ]
    s.unplaced = [h for h in header if h.strip() and h not in s.columns.values()]
    won_from = _key(s.columns.get("won_date", ""))
    if won_from in ("closedate", "closeddate") and not s.only:
        s.notes.append(
            f"'{s.columns['won_date']}' is the expected close date of deals not won yet: "
            "import won deals only (only:) or map won_date from a won-date column"
        )
    if chosen.name == "customers" and "churned_date" not in s.columns:
        s.notes.append(
            "the list has no churn date, so none of its customers would ever churn: a shop "
            "without one does better importing its orders only (customers are then worked out "
            "from the order history)"
        )
    return s


def _currency(
    s: Suggestion, table: Table, header: Sequence[str], column_values: dict[str, list[str]]
) -> None:
    if not table.has_column("currency") or "currency" in s.columns:
        if "currency" in s.columns:
            words = {
                _key(v): CURRENCY_WORDS[_key(v)]
                for v in column_values[s.columns["currency"]]
                if _key(v) in CURRENCY_WORDS
            }
            if words:
                s.values["currency"] = {v: code for v, code in sorted(words.items())}
        return
    for column, h in s.columns.items():
        if table.column(column).unit != "currency":
            continue
        inside = _PARENS.search(header_key(h))
        word = _key(inside.group(1)) if inside else ""
        if word in CURRENCY_WORDS:
            s.currency = CURRENCY_WORDS[word]
        elif re.fullmatch(r"[a-z]{3}", word):
            s.currency = word.upper()
        else:
            cells = " ".join(column_values[h][:200])
            found = {code for w, code in CURRENCY_WORDS.items() if w and w in _key(cells)}
            if len(found) == 1:
                s.currency = found.pop()
        if s.currency:
            return


def _value_map(s: Suggestion, column: str, cells: list[str]) -> None:
    """File values → canonical values for ``column``, from the values the file has."""
    distinct = sorted({c.strip() for c in cells}, key=lambda v: (-cells.count(v), v))[:60]
    words = NEW_WORDS if column == "is_new_customer" else CHANNEL_WORDS
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for value in distinct:
        key = header_key(value)
        if column == "channel" and value in CHANNELS:
            continue
        found = words.get(key) or next(
            (
                v
                for w, v in words.items()
                if "*" in w and re.fullmatch(re.escape(w).replace(r"\*", ".*"), key)
            ),
            None,
        )
        if (
            found is None
            and column == "is_new_customer"
            and V.parse_booleans(pa.array([value])).values[0].is_valid
        ):
            continue
        if found is None:
            unknown.append(value)
        else:
            mapping[value] = found
    if mapping:
        s.values[column] = mapping
    if unknown and column == "channel":
        s.defaults["channel"] = "other"
        s.notes.append(
            f"values of '{s.columns[column]}' not recognised (they become the default, other, "
            f"unless you list them under values: channel): {', '.join(unknown[:12])}"
        )


def _skip_cancelled(
    s: Suggestion, header: Sequence[str], column_values: dict[str, list[str]]
) -> None:
    """Orders whose status says they are not sales are skipped, as the shop layouts do."""
    for h in header:
        if not {"status", "وضعیت"} & set(header_key(h).split()):
            continue
        cancelled = sorted(
            {v.strip() for v in column_values[h] if header_key(v) in CANCELLED_WORDS}
        )
        if cancelled:
            s.skip[h] = cancelled
            return


def _only_won(s: Suggestion, header: Sequence[str], column_values: dict[str, list[str]]) -> None:
    """For an update with a won date: import only the won deals, when a stage column says."""
    if "won_date" not in s.columns:
        return
    for h in header:
        if header_key(h) not in _STAGE_HEADERS and _key(h) not in {_key(x) for x in _STAGE_HEADERS}:
            continue
        won = sorted({v.strip() for v in column_values[h] if header_key(v) in WON_WORDS})
        if won:
            s.only[h] = won
            return


def render(s: Suggestion) -> str:
    """The suggestion as a mapping file, with comments for what is still to do."""
    lines: list[str] = []
    runners = ", ".join(f"{t} {v:g}" for t, v in s.scores[1:3])
    lines.append(f"# The headers fit {s.table} best (score {s.scores[0][1]:g}; then {runners}).")
    lines += [f"# Note: {n}." for n in s.notes]
    document: dict[str, Any] = {"table": s.table, "columns": s.columns}
    if s.values:
        document["values"] = s.values
    if s.defaults:
        document["defaults"] = s.defaults
    if s.currency:
        document["currency"] = s.currency
    if s.hash:
        document["hash"] = s.hash
    if s.only:
        document["only"] = s.only
    if s.skip:
        document["skip"] = s.skip
    if s.update:
        document["update"] = True
    lines.append(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100).rstrip())
    if s.update:
        lines.append(
            "# update: the file has the key of rows but not what a new row needs: it completes "
            "rows already imported; a row whose key is not there yet is quarantined."
        )
    if s.missing:
        lines.append(
            "# Required columns not found (map them under columns, or set them under "
            f"constants): {', '.join(s.missing)}"
        )
    table = TABLES[s.table]
    if table.has_column("currency") and "currency" not in s.columns and not s.currency:
        lines.append("# The file does not say its currency: add  currency: USD  (or IRR, IRT, …)")
    if s.table == "ad_performance":
        lines.append("# constants: {platform: my_platform, account: main}")
    if s.unplaced:
        lines.append(f"# Headers not placed: {', '.join(s.unplaced)}")
    return "\n".join(lines) + "\n"


def suggest_mapping(header: list[str], table: str | None = None) -> str:
    """A starting mapping file for a file with ``header`` (see :func:`suggest`)."""
    return render(suggest(header, table=table))


def suggest_for_file(path: Path, *, encoding: str | None = None) -> str:
    """A starting mapping file for ``path``: its header row (the first of its first rows with
    the most filled cells that are not numbers), scored against every table, with a sample of
    its rows for the values. A file a known layout reads as it is says so."""
    info = sniff(path, encoding=encoding)
    rows: list[Row] = []
    for row in iter_rows(info):
        rows.append(row)
        if len(rows) >= HEADER_SEARCH_ROWS + SAMPLE_ROWS:
            break
    best, at = -1, -1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [c.strip() for c in row.cells]
        texts = sum(1 for c in cells if c and not V.parse_numbers(pa.array([c])).values[0].is_valid)
        if texts > best:
            best, at = texts, i
    if best <= 0:
        raise DataError(f"{path}: no header row found in its first rows", code="no_header")
    header = [c.strip() for c in rows[at].cells]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    sample = [[c for c in r.cells] for r in rows[at + 1 :]]
    text = render(suggest(header, sample))
    try:
        layout = find_layout(path, rows[:HEADER_SEARCH_ROWS], list(REGISTRY.values()))
    except DataError:
        return text
    name = layout.spec.name.split(":")[0]
    return (
        f"# This file is read as it is by the {layout.spec.title} layout ({name}): it needs no "
        "mapping.\n" + text
    )
