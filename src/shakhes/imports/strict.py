"""The canonical format, strictly: what ``shakhes load`` takes and nothing else, and what a
strict (all or nothing) import says when a file is not in it.

An export import reads cells the way platforms and spreadsheets write them (``1,234.50``,
``$5``, ``usd``, ``yes``, Jalali dates). A strict load takes the canonical format of
docs/data-model.md only — ISO dates, plain numbers, ``true``/``false``, upper-case ISO currency
codes, an empty cell for an optional value — so that a file meant to be exact is never read by
guessing. Each function returns, per cell, why it is not in the canonical format (null where
it is, or where the cell is empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from shakhes.errors import DataError, Issue, nearest
from shakhes.imports.layout import Layout
from shakhes.imports.sources.base import Kind

MAX_LISTED = 20
"""Problems a strict import lists in its error."""

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
}
"""How the canonical format writes the cells of each kind. (What a value may be — a currency
code's shape, a channel — is a rule of the data model, checked on every import.)"""


def problems(kind: Kind, texts: pa.Array) -> pa.Array:
    """Why each cell of ``texts`` (a canonical column of ``kind``) is not in the canonical
    format; null where it is, and where it is empty (a missing required value is found
    later, with the other checks)."""
    rule = _RULES.get(kind)
    n = len(texts)
    if rule is None:
        return pa.nulls(n, pa.string())
    pattern, reason = rule
    trimmed = pc.utf8_trim_whitespace(pc.fill_null(texts, ""))
    ok = pc.or_(pc.equal(trimmed, ""), pc.match_substring_regex(trimmed, pattern))
    return pc.if_else(ok, pa.scalar(None, pa.string()), pa.scalar(reason, pa.string()))


def refuse_unknown_columns(path: Path, layout: Layout) -> None:
    """A strict import takes no column it cannot place: a misspelt optional column would
    otherwise be left out without a word."""
    known = [h for f in layout.spec.fields for h in f.headers]
    unknown = [h for h in layout.header if h.strip() and not layout.spec.knows(h)]
    if unknown:
        issues = [
            Issue(
                "unknown column",
                code="unknown_column",
                file=str(path),
                line=layout.header_line,
                column=h,
                suggestion=nearest(h, known),
            )
            for h in unknown
        ]
        named = "; ".join(
            f"'{i.column}'" + (f" — did you mean '{i.suggestion}'?" if i.suggestion else "")
            for i in issues
        )
        raise DataError(
            f"{path}, line {layout.header_line}: unknown column(s) for {layout.spec.title}: "
            f"{named}; nothing was loaded",
            hint="Rename or remove them (docs/data-model.md lists the columns).",
            code="unknown_columns",
            issues=issues,
        )


def at_fault(r: Issue) -> str:
    """``column 'x': value 'y' — `` of a rejected row, or nothing when no one cell is at fault."""
    return "" if r.column is None else f"column '{r.column}': value '{r.value}' — "


def all_problems(path: Path, rejected: Sequence[Issue]) -> DataError:
    """The error of a strict import: every problem's line, column, value and reason (several
    per row when a row has several)."""
    lines = [f"  {path.name}:{r.line}: {at_fault(r)}{r.message}" for r in rejected[:MAX_LISTED]]
    if len(rejected) > MAX_LISTED:
        lines.append(f"  … and {len(rejected) - MAX_LISTED} more")
    return DataError(
        f"{path}: {len(rejected)} problem(s); nothing was loaded:\n" + "\n".join(lines),
        hint="Fix the file and load it again.",
        code="load_problems",
        issues=[
            Issue(
                r.message, code=r.code, file=path.name, line=r.line, column=r.column, value=r.value
            )
            for r in rejected
        ],
    )
