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
    """The layouts to try for a source name (``auto``: all of them)."""
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
        code="unknown_source",
        params={"source": source, "suggestion": hint, "sources": names},
    )


def find_layout(path: Path, rows: Sequence[Row], specs: Sequence[SourceSpec]) -> Layout:
    """The header row and the source layout it belongs to, among the first rows of a file.

    Only rows that look like a header (at least two filled cells, most of them words rather
    than numbers or dates) are considered. Per layout, its best header row is the one with the
    most of its fields, then the fewest headers it does not know; a layout that stacks tables
    (GA4) prefers a table with a day column. Between layouts: the most fields found wins, then
    the fewest unplaced headers, then the layout whose shape fits the file (title lines above
    the header, or none), then the earliest row and the earlier layout.
    """
    best: dict[int, tuple[tuple[int, ...], tuple[int, ...], int]] = {}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not _header_like(row):
            continue
        above = _Above(rows[:i])
        for k, spec in enumerate(specs):
            if is_comment(spec, row):
                continue
            found, missing = spec.score(row.cells)
            if missing or found < 2:
                continue
            unplaced = sum(1 for c in row.cells if c.strip() and not spec.knows(c))
            within: tuple[int, ...] = (found, -unplaced)
            if spec.comment_prefix is not None:
                within = (int(has_day(spec, row.cells)), *within)
            between = (found, -unplaced, int(above.fits(spec)))
            if k not in best or within > best[k][0]:
                best[k] = (within, between, i)
    if not best:
        raise _not_recognised(path, rows, specs)
    k = min(best, key=lambda k: (tuple(-v for v in best[k][1]), best[k][2], k))
    spec, index = specs[k], best[k][2]
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
                code="repeated_column",
            )
    currencies = {
        c
        for pos, f in columns.items()
        if f.canonical in ("cost", "conversion_value", "revenue")
        and (c := header_currency(header[pos])) is not None
    }
    if len(currencies) > 1:
        raise DataError(
            f"{path}: money columns in different currencies ({', '.join(sorted(currencies))})",
            hint="Export the report in one currency.",
            code="mixed_currencies",
        )
    return Layout(
        spec,
        header,
        rows[index].line,
        columns,
        list(rows[:index]),
        currencies.pop() if currencies else None,
    )


class _Above:
    """The rows above a candidate header, and whether a layout's shape fits them."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows
        self.filled = any(c.strip() for r in rows for c in r.cells)
        self._range: bool | None = None

    def fits(self, spec: SourceSpec) -> bool:
        """A layout that writes no title lines fits a header on the first filled row; one that
        writes them fits title lines that state the report's dates (or ``#`` comments)."""
        if not spec.title_lines:
            return not self.filled
        if not self.filled:
            return False
        if spec.comment_prefix is not None:
            return any(is_comment(spec, r) for r in self.rows)
        if self._range is None:
            self._range = preamble_range(self.rows) is not None
        return self._range


def is_comment(spec: SourceSpec, row: Row) -> bool:
    prefix = spec.comment_prefix
    return prefix is not None and bool(row.cells) and row.cells[0].lstrip().startswith(prefix)


def has_day(spec: SourceSpec, header: Sequence[str]) -> bool:
    """Whether a header gives each row its day (directly, or through a copied column)."""
    found = {f.canonical for h in header if (f := spec.field_for(h)) is not None}
    time_column = TABLES[spec.table].time_column
    return time_column in found or spec.copies.get(time_column) in found


_VALUE = re.compile(r"[\d\s.,:;/\\+\-−%٪$€£¥<>()'’٬٫#]*\d[\d\s.,:;/\\+\-−%٪$€£¥<>()'’٬٫A-Za-z]*")
_MARKERS = V.DEFAULT_EMPTY_MARKERS - {""}


def _is_value(cell: str) -> bool:
    """A cell that reads as a value (a number, an amount, a date, a ``--``), not a name."""
    text = V.normalize_digits(cell.strip().strip('"'))
    if text.casefold() in _MARKERS:
        return True
    return bool(_VALUE.fullmatch(text)) and sum(c.isalpha() for c in text) <= 3


def _header_like(row: Row) -> bool:
    """Whether a row can be a header: at least two filled cells, and more names than values
    among them (a data row is mostly numbers, amounts and dates)."""
    filled = [c for c in row.cells if c.strip()]
    if len(filled) < 2:
        return False
    values = sum(1 for c in filled if _is_value(c))
    return values * 2 < len(filled)


def _probable_header(rows: Sequence[Row], specs: Sequence[SourceSpec]) -> Row | None:
    """The row a file that fits no layout most likely has as its header: the first row that
    looks like a header and has a column some layout knows — else the first that looks like a
    header. Rows below it are data, never taken for headers."""
    first: Row | None = None
    for row in rows[:HEADER_SEARCH_ROWS]:
        if not _header_like(row) or all(is_comment(s, row) for s in specs):
            continue
        first = first or row
        if any(spec.score(row.cells)[0] for spec in specs):
            return row
    return first


def _near(spec: SourceSpec, missing: Sequence[str], header: Sequence[str]) -> bool:
    """Whether a header that lacks ``missing`` has more than half of ``spec``'s required
    columns, counting a missing one that an unplaced header looks like (``Spend`` for
    ``Cost``)."""
    required = [f for f in spec.fields if f.required]
    lacking = [f for f in required if f.headers[0] in missing]
    unplaced = [c.strip() for c in header if c.strip() and not spec.knows(c)]
    guessed = sum(1 for f in lacking if any(nearest(u, f.headers) for u in unplaced))
    return 2 * (len(required) - len(lacking) + guessed) > len(required)


def _not_recognised(path: Path, rows: Sequence[Row], specs: Sequence[SourceSpec]) -> DataError:
    tried = sorted({s.name.split(":")[0] for s in specs})
    canonical = all(s.name.startswith("canonical:") for s in specs)
    row = _probable_header(rows, specs)
    cells = row.cells if row else []
    fits = [(s.score(cells), -k, s) for k, s in enumerate(specs)] if row else []
    # A layout is "nearest" only when the header has, or nearly has, most of the columns it
    # cannot do without: a contact list's Email column does not make it a Shopify orders
    # export, nor a lead list's campaign column a Yektanet report.
    fits = [f for f in fits if f[0][0] and _near(f[2], f[0][1], cells)]
    if row is None or not fits:
        shown = ""
        if row is not None:
            cells = ", ".join(repr(c.strip()) for c in row.cells if c.strip())
            shown = f"; line {row.line} looks like a header: {cells}"
        if canonical and (platform := _platform_export(path, rows, 0)) is not None:
            return platform
        if canonical:
            return DataError(
                f"{path}: no header row with the canonical column names in the first "
                f"{HEADER_SEARCH_ROWS} rows{shown}",
                hint="The first row must name the table's columns (docs/data-model.md).",
                code="not_canonical",
            )
        return DataError(
            f"{path}: no header row of a known layout in the first {HEADER_SEARCH_ROWS} rows "
            f"(tried: {', '.join(tried)}){shown}",
            hint="Describe the file with a mapping file (docs/importing.md).",
            code="unrecognised_layout",
            params={"layouts": ", ".join(tried)},
        )
    (placed, missing), _, spec = max(
        fits,
        key=lambda f: (
            f[0][0],
            -sum(1 for c in row.cells if c.strip() and not f[2].knows(c)),
            f[1],
        ),
    )
    name = spec.name.split(":")[0]
    unplaced = [c.strip() for c in row.cells if c.strip() and not spec.knows(c)]
    parts = [f"{path}: the headers on line {row.line} look most like the {spec.title} layout"]
    if not canonical:
        parts[0] += f" ({name})"
    if missing:
        parts.append(
            f", but the required column(s) {', '.join(repr(m) for m in missing)} are missing"
        )
    else:
        parts.append(", but too few of its columns are there")
    if unplaced:
        wanted = [h for f in spec.fields if f.headers[0] in missing for h in f.headers]
        shown = ", ".join(_with_guess(u, wanted) for u in unplaced[:12])
        more = f" and {len(unplaced) - 12} more" if len(unplaced) > 12 else ""
        parts.append(f"; headers it could not place: {shown}{more}")
    if canonical and (platform := _platform_export(path, rows, placed)) is not None:
        return platform
    if canonical:
        return DataError(
            "".join(parts),
            hint="Add the missing columns (docs/data-model.md lists each table's columns).",
            code="missing_columns",
            params={"missing": missing},
        )
    return DataError(
        "".join(parts),
        hint=f"Layouts tried: {', '.join(tried)}. A mapping file describes any other layout "
        "(docs/importing.md).",
        code="unrecognised_layout",
        params={"layouts": ", ".join(tried), "nearest": name, "missing": missing},
    )


def _platform_export(path: Path, rows: Sequence[Row], placed: int) -> DataError | None:
    """The error for a platform export given where a canonical file is expected (``shakhes
    load``, ``--source canonical``): it names the layout that reads it, instead of listing
    the canonical columns a Google Ads report lacks. None when no platform layout reads it,
    or when one places no more of its columns than the nearest canonical table (``placed``):
    a canonical file that lacks a column is one."""
    platforms = [s for name, s in REGISTRY.items() if not name.startswith("canonical:")]
    try:
        layout = find_layout(path, rows, platforms)
    except DataError:
        return None
    if len(layout.columns) <= placed:
        return None
    return DataError(
        f"{path}: the headers on line {layout.header_line} are those of the "
        f"{layout.spec.title} layout ({layout.spec.name}), not of the canonical format",
        hint=f"Import it as a {layout.spec.name} export: the platform layouts read it as it is.",
        code="platform_export",
        params={"source": layout.spec.name, "file": str(path)},
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
