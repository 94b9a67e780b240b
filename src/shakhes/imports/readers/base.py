"""What the readers give and share: :class:`FileInfo` (what :func:`~shakhes.imports.readers.sniff`
found out), :class:`Row` and :class:`Block` (rows of text cells), the read position, and the
errors of the byte and text layer."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Literal, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from shakhes.errors import DataError

Format = Literal["csv", "xlsx", "parquet", "jsonl"]

DECOMPRESS_HINT: Final = "Decompress it first; only gzip is read directly."
_ESCAPED: Final = re.compile("[\udc80-\udcff]")
NOT_SUPPORTED: Final = "not a CSV, TSV, XLSX, Parquet or JSON-lines file"

_T = TypeVar("_T")


@dataclass(frozen=True)
class FileInfo:
    """What :func:`sniff` found out about a file; the input of :func:`iter_rows`."""

    path: Path
    format: Format
    compressed: bool
    """gzip-compressed (detected by the magic bytes ``1f 8b``, not by the name)."""
    encoding: str | None
    """Python codec name for text formats (``'utf-8'``, ``'utf-8-sig'``, ``'utf-16'``,
    ``'cp1256'``, ...); ``None`` for XLSX and Parquet."""
    delimiter: str | None
    """Cell separator for CSV (``','``, ``';'``, ``'\\t'``, or an explicit one); else ``None``."""
    sha256: str
    """Hex SHA-256 of the file bytes as stored (before any decompression)."""
    size: int
    """Size in bytes as stored."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a file as text cells.

    ``line`` is the 1-based physical line where a CSV row starts, the sheet row number for XLSX,
    or the record number for Parquet and JSON lines (whose header row has ``line=0``).
    """

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """Consecutive rows of a file as columns of text: ``columns[j][i]`` is cell ``j`` of row
    ``i``, null where that row has fewer cells (only ever at its end); ``lines[i]`` is its
    :attr:`Row.line`. What :func:`iter_blocks` yields."""

    lines: pa.Array  # int64
    columns: tuple[pa.Array, ...]  # string

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def ragged(self) -> bool:
        """Whether some rows have fewer cells than others."""
        return any(column.null_count for column in self.columns)

    @staticmethod
    def of_rows(rows: Sequence[Row]) -> Block:
        cells = itertools.zip_longest(*(row.cells for row in rows))
        return Block(
            pa.array([row.line for row in rows], pa.int64()),
            tuple(pa.array(column, pa.string()) for column in cells),
        )

    @staticmethod
    def concat(blocks: Sequence[Block]) -> Block:
        if len(blocks) == 1:
            return blocks[0]
        width = max(len(block.columns) for block in blocks)
        columns = [
            pa.concat_arrays(
                [
                    block.columns[j]
                    if j < len(block.columns)
                    else pa.nulls(len(block), pa.string())
                    for block in blocks
                ]
            )
            for j in range(width)
        ]
        return Block(pa.concat_arrays([block.lines for block in blocks]), tuple(columns))

    def rows(self) -> list[Row]:
        """The rows as :func:`iter_rows` yields them."""
        lines = self.lines.to_pylist()
        cells = zip(*(column.to_pylist() for column in self.columns), strict=True)
        if not self.ragged:
            return [Row(line, tuple(row)) for line, row in zip(lines, cells, strict=True)]
        return [
            Row(line, tuple(c for c in row if c is not None))
            for line, row in zip(lines, cells, strict=True)
        ]

    def slice(self, offset: int, length: int | None = None) -> Block:
        return Block(
            self.lines.slice(offset, length), tuple(c.slice(offset, length) for c in self.columns)
        )

    def take(self, indices: pa.Array) -> Block:
        return Block(self.lines.take(indices), tuple(c.take(indices) for c in self.columns))


class ReadPosition:
    """How far :func:`iter_rows` has got into a text file, in bytes as stored (compressed bytes
    for a gzipped file), for a progress bar. Ask it from the thread that reads the rows."""

    def __init__(self) -> None:
        self.stream: IO[bytes] | None = None
        self.size: int | None = None

    def bytes_read(self) -> int | None:
        """Bytes consumed so far (all of them once the file is closed), or None before it is
        opened and for formats read by other libraries (XLSX, Parquet)."""
        stream = self.stream
        if stream is None:
            return None
        if stream.closed:
            return self.size
        try:
            return stream.tell()
        except (OSError, ValueError):
            return None

    def watch(self, raw: gzip.GzipFile | io.BufferedReader) -> None:
        stream: IO[bytes] = raw.fileobj if isinstance(raw, gzip.GzipFile) else raw  # type: ignore[assignment]
        self.stream, self.size = stream, os.fstat(stream.fileno()).st_size


def open_bytes(info: FileInfo) -> gzip.GzipFile | io.BufferedReader:
    try:
        if info.compressed:
            return gzip.open(info.path, "rb")
        return info.path.open("rb")
    except OSError as exc:
        raise DataError(f"{info.path}: cannot be read ({exc.strerror or exc})") from None


def read_error(info: FileInfo, where: str, exc: Exception) -> DataError:
    """A DataError for a failure of the byte or text layer while streaming."""
    if isinstance(exc, UnicodeDecodeError):
        line = _bad_text_line(info)
        return DataError(
            f"{info.path}, {f'line {line}' if line else where}: bytes that are not valid "
            f"{info.encoding} ({exc.reason})",
            hint="The start of the file looked like another encoding; pass the right one "
            "explicitly (e.g. cp1256 or utf-8), or re-export the file as UTF-8.",
        )
    return DataError(
        f"{info.path}, {where}: the file is damaged or cut short ({exc})",
        hint="Download or export it again.",
    )


def _bad_text_line(info: FileInfo) -> int | None:
    """The exact line of the first undecodable bytes (a second pass; only on the error path).

    Bad bytes decode to lone surrogates with ``surrogateescape``, which valid text never holds.
    ``None`` if that cannot tell (codecs that cannot escape the bad bytes, a damaged gzip).
    """
    try:
        with (
            open_bytes(info) as raw,
            io.TextIOWrapper(
                raw, encoding=info.encoding or "utf-8", errors="surrogateescape", newline=""
            ) as text,
        ):
            for number, content in enumerate(text, start=1):
                if _ESCAPED.search(content):
                    return number
    except (UnicodeError, OSError, EOFError, zlib.error, DataError):
        return None
    return None


def guarded(items: Iterator[_T], error: Callable[[Exception], DataError]) -> Iterator[_T]:
    """Re-raise any failure of a third-party reader as the DataError ``error`` makes of it."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except DataError:
            raise
        except Exception as exc:  # the reader's own error types vary by version and damage
            raise error(exc) from None
        yield item


# A cell of nothing but whitespace, as str.isspace() sees it (RE2 syntax).
_BLANK_CELL = (
    "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]*$"
)


def blank_rows(columns: Sequence[pa.Array]) -> pa.Array | None:
    """Which rows have only whitespace in every cell (None: no row)."""
    blank: pa.Array | None = None
    for column in columns:
        cells = pc.match_substring_regex(column, _BLANK_CELL)
        blank = cells if blank is None else pc.and_(blank, cells)
        if not pc.any(blank).as_py():
            return None
    return blank
