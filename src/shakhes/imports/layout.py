"""Finding a file's layout: the header row among its first rows, and which source it is.

Headers are scored against every known layout (or the one asked for); the best-scoring header
row with all of a layout's required columns wins. A file that fits none gets an error naming the
nearest layout, the columns it lacks and the headers it could not place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from shakhes.data.model import TABLES
from shakhes.errors import DataError, nearest
from shakhes.imports import values as V
from shakhes.imports.readers import Row
from shakhes.imports.sources import REGISTRY
from shakhes.imports.sources.base import Field, SourceSpec, header_currency, header_key

HEADER_SEARCH_ROWS = 60


@dataclass
class Layout:
    spec: SourceSpec
    header: tuple[str, ...]
    header_line: int
    columns: dict[int, Field]
    preamble: list[Row]
    currency_from_headers: str | None


def candidates(source: str) -> list[SourceSpec]:
    """The layouts to try for ``--source`` (``auto``: all of them)."""
    if source == "auto":
        return list(REGISTRY.values())
    if source == "canonical":
        return [s for name, s in REGISTRY.items() if name.startswith("canonical:")]
    if source in REGISTRY:
        return [REGISTRY[source]]
    names = sorted({n.split(":")[0] for n in REGISTRY})
    hint = nearest(source, names)
    raise DataError(
        f"unknown source '{source}'" + (f" — did you mean '{hint}'?" if hint else ""),
        hint=f"Sources: auto, {', '.join(names)}.",
    )


def find_layout(path: Path, rows: Sequence[Row], specs: Sequence[SourceSpec]) -> Layout:
    """The header row and the source layout it belongs to, among the first rows of a file."""
    # Per layout, its best header row; a layout that stacks tables (GA4) prefers a table with a
    # day column. Between layouts, the most fields found wins, then the fewest unplaced headers,
    # then the earliest row and the earlier layout.
    best: dict[int, tuple[tuple[int, ...], int, int, int]] = {}
    nearest_miss: tuple[int, SourceSpec, Row, list[str]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for k, spec in enumerate(specs):
            if is_comment(spec, row):
                continue
            found, missing = spec.score(row.cells)
            if found == 0:
                continue
            if missing or found < 2:
                if nearest_miss is None or found > nearest_miss[0]:
                    nearest_miss = (found, spec, row, missing)
                continue
            unplaced = sum(1 for c in row.cells if c.strip() and spec.field_for(c) is None)
            rank: tuple[int, ...] = (found, -unplaced)
            if spec.comment_prefix is not None:
                rank = (int(has_day(spec, row.cells)), *rank)
            if k not in best or rank > best[k][0]:
                best[k] = (rank, found, -unplaced, i)
    if not best:
        raise _not_recognised(path, specs, nearest_miss)
    k = min(best, key=lambda k: (-best[k][1], -best[k][2], best[k][3], k))
    spec, index = specs[k], best[k][3]
    header = rows[index].cells
    columns: dict[int, Field] = {}
    taken: dict[str, int] = {}
    for pos, name in enumerate(header):
        f = spec.field_for(name)
        if f is None:
            continue
        if f.canonical not in taken:
            columns[pos] = f
            taken[f.canonical] = pos
        elif header_key(header[taken[f.canonical]]) == header_key(name):
            raise DataError(
                f"{path}, line {rows[index].line}: column '{name}' appears twice (columns "
                f"{taken[f.canonical] + 1} and {pos + 1}); which one holds {f.canonical} "
                "cannot be told",
                hint="Delete or rename one of them.",
            )
    currencies = {
        c
        for pos, f in columns.items()
        if f.canonical in ("cost", "conversion_value", "revenue")
        and (c := header_currency(header[pos])) is not None
    }
    if len(currencies) > 1:
        raise DataError(
            f"{path}: money columns in different currencies ({', '.join(currencies)})",
            hint="Export the report in one currency.",
        )
    return Layout(
        spec,
        header,
        rows[index].line,
        columns,
        list(rows[:index]),
        currencies.pop() if currencies else None,
    )


def is_comment(spec: SourceSpec, row: Row) -> bool:
    prefix = spec.comment_prefix
    return prefix is not None and bool(row.cells) and row.cells[0].lstrip().startswith(prefix)


def has_day(spec: SourceSpec, header: Sequence[str]) -> bool:
    """Whether a header gives each row its day (directly, or through a copied column)."""
    found = {f.canonical for h in header if (f := spec.field_for(h)) is not None}
    time_column = TABLES[spec.table].time_column
    return time_column in found or spec.copies.get(time_column) in found


def _not_recognised(
    path: Path, specs: Sequence[SourceSpec], miss: tuple[int, SourceSpec, Row, list[str]] | None
) -> DataError:
    tried = ", ".join(sorted({s.name.split(":")[0] for s in specs}))
    if miss is None:
        return DataError(
            f"{path}: no header row of a known layout in the first {HEADER_SEARCH_ROWS} rows "
            f"(tried: {tried})",
            hint="Pass --source NAME, or describe the file with --mapping FILE.yml "
            "(`shakhes import --suggest-mapping FILE` writes a starting one).",
        )
    _, spec, row, missing = miss
    unplaced = [c for c in row.cells if c.strip() and spec.field_for(c) is None]
    parts = [
        f"{path}: the headers on line {row.line} look most like the {spec.title} layout "
        f"({spec.name.split(':')[0]}), but"
    ]
    if missing:
        parts.append(f"the required column(s) {', '.join(repr(m) for m in missing)} are missing")
    else:
        parts.append("too few of its columns are there")
    if unplaced:
        wanted = [h for f in spec.fields if f.headers[0] in missing for h in f.headers]
        shown = ", ".join(_with_guess(u, wanted) for u in unplaced[:12])
        parts.append(f"; headers it could not place: {shown}")
    return DataError(
        " ".join(parts[:2]) + "".join(parts[2:]),
        hint=f"Layouts tried: {tried}. Use --mapping FILE.yml for other layouts.",
    )


def _with_guess(header: str, wanted: Sequence[str]) -> str:
    guess = nearest(header, wanted)
    return repr(header) + (f" (did you mean '{guess}'?)" if guess else "")


_RANGE = re.compile(r"(.+?)\s+[-–—]\s+(.+)")
_LABELLED = re.compile(
    r"(?:^|[\s,#])(?:report\s+)?(?P<which>start|end|startdatum|enddatum)(?:\s+date)?\s*:\s*"
    r"(?P<value>[^\s,]+)",
    re.IGNORECASE,
)


def preamble_range(
    rows: Sequence[Row], date_format: str | None = None
) -> tuple[dt.date, dt.date] | None:
    """The date range a report's preamble states — ``"September 1, 2026 - September 30, 2026"``
    (Google Ads), ``Report Start: 09/01/2026, Report End: 09/02/2026`` (LinkedIn), ``# Start
    date: 20260901`` and ``# End date: 20260930`` lines (GA4; the last ones, nearest the header)
    — or None when there is none."""

    def dates(lo_text: str, hi_text: str) -> tuple[dt.date, dt.date] | None:
        parsed = V.parse_dates(pa.array([lo_text, hi_text]), date_format=date_format)
        lo, hi = parsed.values.to_pylist()
        if isinstance(lo, dt.date) and isinstance(hi, dt.date):
            return lo, hi
        return None

    for row in rows:
        text = " ".join(c for c in row.cells if c.strip())
        match = _RANGE.fullmatch(text.strip().strip('"'))
        if match and (found := dates(match.group(1).strip(), match.group(2).strip())):
            return found
    labelled: dict[str, str] = {}
    for row in rows:
        for m in _LABELLED.finditer(" ".join(row.cells)):
            labelled["start" if m["which"].lower().startswith("start") else "end"] = m["value"]
    if "start" in labelled and "end" in labelled:
        return dates(labelled["start"], labelled["end"])
    return None


def looks_like_header(spec: SourceSpec, row: Row) -> bool:
    return spec.score(row.cells)[0] >= 2
