"""Turn any supported data file into rows of text cells, streaming.

Two steps: :func:`sniff` looks at a file (format, gzip, encoding, delimiter, checksum) and
:func:`iter_rows` streams its rows as :class:`Row` objects whose cells are all text. Nothing here
knows about platforms, headers or numbers: finding the header, dropping ``Total:`` rows and
parsing ``"1 234,56"`` are later steps. Memory stays bounded whatever the file size.
:func:`iter_blocks` gives the same rows as columns (:class:`Block`), in bulk: a CSV file is then
parsed by Arrow wherever Arrow provably reads it as the csv module does.

Supported: CSV/TSV text (``,``, ``;`` or TAB; any encoding Python knows, sniffed from a BOM,
strict UTF-8 or charset-normalizer; CR, LF or CRLF line ends), XLSX workbooks, Parquet and
JSON lines. Text formats may be gzip-compressed (recognised by magic bytes, whatever the name).

Decisions, so that callers can rely on them:

* **Line numbers.** For CSV, ``Row.line`` is the 1-based physical line where the row starts in
  the decoded text; CR, LF and CRLF each end a line, and a quoted cell spanning lines moves the
  next row's number on accordingly. For XLSX it is the sheet row number. For Parquet and JSON
  lines it is the record number (1-based) and a header row with ``line=0`` comes first.
* **What is yielded.** Every row that has at least one non-blank cell, including preamble, title,
  ``#`` comment and totals rows: skipping those needs the header, which is the next step's job.
  Blank lines and rows whose cells are all empty or whitespace are skipped (numbering unaffected).
  Cells are never stripped or otherwise changed; a leading BOM is removed from the first cell.
* **Values to text** (XLSX, Parquet, JSON): ``None`` → ``''``; ``True``/``False`` → ``'true'``/
  ``'false'``; integral floats below 1e16 without ``.0`` (``12.0`` → ``'12'``), other floats as
  Python's shortest repr (so a mangled ID stays visibly ``'1.20253e+17'``); decimals in plain
  notation; dates ``YYYY-MM-DD``; datetimes ISO 8601 (in XLSX a datetime at exactly midnight is a
  date, since Excel stores dates as datetimes); times ``HH:MM:SS``; durations ``H:MM:SS``;
  dicts and lists as ``json.dumps(..., ensure_ascii=False)``.
* **JSON lines.** Each non-blank line holds one JSON object. The header is the union of the keys
  of the first 1000 records in first-seen order; a missing key gives ``''``; a later record with
  a key not in the header is a :class:`~shakhes.errors.DataError` naming the record.
* **Not supported:** gzip-compressed XLSX or Parquet (both are compressed already), legacy
  ``.xls``, ZIP archives other than workbooks, and single JSON documents (a JSON array): each is
  a ``DataError`` that says what to do.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from shakhes.errors import DataError
from shakhes.imports.readers.base import DECOMPRESS_HINT, Block, FileInfo, Format, ReadPosition, Row
from shakhes.imports.readers.delimited import CsvRows
from shakhes.imports.readers.excel import xlsx_rows
from shakhes.imports.readers.jsonl import jsonl_rows
from shakhes.imports.readers.parquet import ParquetRows
from shakhes.imports.readers.sniff import Fingerprint, fingerprint, sniff

__all__ = [
    "Block",
    "FileInfo",
    "Fingerprint",
    "Format",
    "ReadPosition",
    "Row",
    "fingerprint",
    "iter_batches",
    "iter_blocks",
    "iter_rows",
    "sniff",
]


def iter_rows(
    info: FileInfo, *, sheet: str | None = None, position: ReadPosition | None = None
) -> Iterator[Row]:
    """Stream the rows of a sniffed file (see the module docstring for numbering and text rules).

    ``sheet`` picks an XLSX worksheet by name (default: the first). Problems found while reading
    (bad bytes, an unbalanced quote, invalid JSON, a damaged workbook) raise :class:`DataError`
    naming the file and line or record.
    """
    if sheet is not None and info.format != "xlsx":
        raise DataError(
            f"{info.path}: a {info.format} file has no sheets", hint="Leave the sheet out."
        )
    if info.format == "csv":
        return CsvRows(info, position)
    if info.format == "jsonl":
        return jsonl_rows(info, position)
    if info.compressed:
        raise DataError(f"{info.path}: a gzip-compressed {info.format} file", hint=DECOMPRESS_HINT)
    if info.format == "xlsx":
        return xlsx_rows(info, sheet)
    return ParquetRows(info)


def iter_batches(
    info: FileInfo, *, batch_rows: int = 100_000, sheet: str | None = None
) -> Iterator[list[Row]]:
    """:func:`iter_rows` in lists of at most ``batch_rows`` rows (the last one may be shorter)."""
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, not {batch_rows}")
    batch: list[Row] = []
    for row in iter_rows(info, sheet=sheet):
        batch.append(row)
        if len(batch) >= batch_rows:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_blocks(rows: Iterator[Row], size: int, *, first: Iterable[Row] = ()) -> Iterator[Block]:
    """``first``, then the rest of ``rows`` (what :func:`iter_rows` returned, possibly partly
    read), in :class:`Block` s of ``size`` rows (the last one may be shorter).

    The same rows as iterating, much faster for a CSV file: Arrow parses it wherever it reads
    the text exactly as the csv module does, without a Python object per row or cell.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size}")
    pending: list[Block] = []
    count = 0
    for piece in _pieces(rows, size, list(first)):
        pending.append(piece)
        count += len(piece)
        while count >= size:
            joined = Block.concat(pending)
            yield joined.slice(0, size)
            rest = joined.slice(size)
            pending, count = [rest], len(rest)
    if count:
        yield Block.concat(pending)


def _pieces(rows: Iterator[Row], size: int, first: list[Row]) -> Iterator[Block]:
    if first:
        yield Block.of_rows(first)
    if isinstance(rows, CsvRows):
        yield from rows.blocks(size)
        return
    if isinstance(rows, ParquetRows):
        yield from rows.blocks()
        return
    while batch := list(itertools.islice(rows, size)):
        yield Block.of_rows(batch)
