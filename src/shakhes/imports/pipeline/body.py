"""The rows of the file under its header: the day of a report without a day column, the one
table of a file that stacks several, and the rows in blocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from shakhes.errors import DataError
from shakhes.imports.layout import Layout, has_day, is_comment, looks_like_header
from shakhes.imports.readers import Block, FileInfo, Row, iter_blocks, iter_rows


def single_day(
    path: Path, layout: Layout, stated_range: tuple[dt.date, dt.date] | None
) -> dt.date | None:
    """The day of every row of a report without a day column whose preamble names a
    single day; a clear error for a report that covers several days in one row."""
    spec = layout.spec
    if "_day_offset" in {f.canonical for f in layout.columns.values()} and (stated_range is None):
        raise DataError(
            f"{path}: the table counts days from the report's start ('Nth day') but "
            "no '# Start date:' line says which day that is",
            hint="Export the report again without removing its '#' lines.",
        )
    if has_day(spec, layout.header):
        return None
    if not spec.preamble_date_range:
        return None
    rng = stated_range
    if rng is not None and rng[0] == rng[1]:
        return rng[0]
    raise DataError(
        f"{path}: this report is not broken down by day (no Day column"
        + (f"; it covers {rng[0]} to {rng[1]}" if rng else "")
        + ")",
        hint=spec.daily_hint or "Export the report broken down by day.",
        code="not_daily",
    )


def one_table(body: Iterator[Row], layout: Layout, warn: Callable[[str], None]) -> Iterator[Row]:
    """The rows of the table under the chosen header, in a file that stacks several tables
    (GA4): it ends at the next comment row or header; the other tables are skipped, and a
    warning (given to ``warn``) names them."""
    spec = layout.spec
    others: list[int] = []
    after_comment = False
    for row in layout.preamble:
        if not is_comment(spec, row) and (after_comment or looks_like_header(spec, row)):
            others.append(row.line)
        after_comment = is_comment(spec, row)
    ended = after_comment = False
    for row in body:
        comment = is_comment(spec, row)
        if not ended and (comment or looks_like_header(spec, row)):
            ended = True
        if not ended:
            yield row
        elif not comment and (after_comment or looks_like_header(spec, row)):
            others.append(row.line)
        after_comment = comment
    if others:
        lines = ", ".join(str(n) for n in others)
        warn(
            f"the file holds {len(others) + 1} tables: imported the one with its header on "
            f"line {layout.header_line}, skipped the one(s) on line(s) {lines}"
        )


def raw_rows(info: FileInfo, layout: Layout | None, lines: set[int]) -> dict[int, dict[str, str]]:
    """The cells of the file's rows on ``lines`` (read again: rows the import quarantines
    after staging), by header."""
    found: dict[int, dict[str, str]] = {}
    if layout is None or not lines:
        return found
    for row in iter_rows(info):
        if row.line in lines:
            found[row.line] = dict(zip(layout.header, row.cells, strict=False))
            if len(found) == len(lines):
                break
    return found


def take(rows: Iterator[Row], n: int) -> list[Row]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


class Chain(Iterator[Row]):
    """The rows ``first``, then ``rest``."""

    def __init__(self, first: Sequence[Row], rest: Iterator[Row]) -> None:
        self.first, self.rest = list(first), rest

    def __next__(self) -> Row:
        return self.first.pop(0) if self.first else next(self.rest)


def chain(first: Sequence[Row], rest: Iterator[Row]) -> Iterator[Row]:
    return Chain(first, rest)


def batches(rows: Iterator[Row], size: int) -> Iterator[Block]:
    """``rows`` in blocks of ``size`` rows (the last may be shorter): read by Arrow, where the file
    is a CSV file that lets it (see :func:`iter_blocks`)."""
    if isinstance(rows, Chain):
        first, rows.first = rows.first, []
        return iter_blocks(rows.rest, size, first=first)
    return iter_blocks(rows, size)
