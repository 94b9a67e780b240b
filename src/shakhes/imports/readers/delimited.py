"""CSV and TSV text: row by row with Python's csv module, in blocks with Arrow's CSV parser
wherever that provably reads the text alike."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import zlib
from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from shakhes.errors import DataError
from shakhes.imports.readers.base import (
    Block,
    FileInfo,
    ReadPosition,
    Row,
    blank_rows,
    open_bytes,
    read_error,
)

CSV_CHUNK_CHARS: Final = 1 << 22
"""How much CSV text :func:`iter_blocks` hands to Arrow's parser at a time."""


class CsvRows(Iterator[Row]):
    """The rows of a CSV file, as :func:`iter_rows` returns them.

    Row by row it is Python's csv module. :meth:`blocks` reads the rest of the file a few
    megabytes of text at a time with Arrow's CSV parser instead, many times faster, wherever
    that provably reads the text exactly as the csv module does (:func:`arrow_block`); from the
    first stretch where it might not, it goes on row by row.
    """

    def __init__(self, info: FileInfo, position: ReadPosition | None) -> None:
        self.info = info
        self._position = position
        self._delimiter = info.delimiter or ","
        self._text: io.TextIOWrapper | None = None
        self._reader: Any = None  # a csv reader, created on demand
        self._lines_before = 0  # lines read before self._reader began
        self._first = True  # no record read yet (its first cell may start with a BOM)
        self._closed = False

    def __iter__(self) -> CsvRows:
        return self

    def __next__(self) -> Row:
        while True:
            reader = self._csv_reader()
            start = self._lines_before + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                self.close()
                raise
            except csv.Error as exc:
                self.close()
                raise DataError(
                    f"{self.info.path}, line {start}: cannot split the row into cells ({exc})",
                    hint='Usually a cell opens a quote (") that never closes; fix that line, '
                    "or check the delimiter.",
                ) from None
            except (UnicodeError, OSError, EOFError, zlib.error) as exc:
                self.close()
                raise read_error(self.info, f"near line {start}", exc) from None
            if self._first and cells:
                cells[0] = cells[0].removeprefix("\ufeff")
                self._first = False
            if "".join(cells).strip():
                return Row(start, tuple(cells))

    def blocks(self, rows_each: int) -> Iterator[Block]:
        """The rows not read yet, in blocks: of a few megabytes of text each where Arrow parses
        them, of ``rows_each`` rows where the csv module does."""
        if self._first:  # the first record may start with a BOM: the csv module reads it
            row = next(self, None)
            if row is None:
                return
            yield Block.of_rows([row])
        if self._closed:
            return
        text = self._open()
        if self._reader is not None:
            self._lines_before += self._reader.line_num
            self._reader = None
        while not self._closed and self._reader is None:
            chunk = self._read_chunk(text)
            if not chunk:
                self.close()
                return
            read = arrow_block(chunk, self._delimiter, self._lines_before)
            if read is None:  # the csv module goes on from this chunk
                lines = itertools.chain(io.StringIO(chunk, newline=""), text)
                self._reader = csv.reader(lines, delimiter=self._delimiter)
                break
            block, lines_read = read
            self._lines_before += lines_read
            if len(block):
                yield block
        while rows := list(itertools.islice(self, rows_each)):
            yield Block.of_rows(rows)

    def close(self) -> None:
        self._closed = True
        if self._text is not None:
            self._text.close()

    def __del__(self) -> None:
        self.close()

    def _open(self) -> io.TextIOWrapper:
        if self._text is None:
            raw = open_bytes(self.info)
            self._text = io.TextIOWrapper(
                raw, encoding=self.info.encoding or "utf-8", errors="strict", newline=""
            )
            if self._position is not None:
                self._position.watch(raw)
        return self._text

    def _csv_reader(self) -> Any:
        if self._closed:
            raise StopIteration
        if self._reader is None:
            self._reader = csv.reader(self._open(), delimiter=self._delimiter)
        return self._reader

    def _read_chunk(self, text: io.TextIOWrapper) -> str:
        """The next ``CSV_CHUNK_CHARS`` or so of text, up to the end of a line ('' at the end)."""
        try:
            chunk = text.read(CSV_CHUNK_CHARS)
            if chunk and not chunk.endswith("\n"):
                chunk += text.readline()  # the rest of the line (a '\n' after a '\r')
        except (UnicodeError, OSError, EOFError, zlib.error) as exc:
            self.close()
            raise read_error(self.info, f"near line {self._lines_before + 1}", exc) from None
        return chunk


def arrow_block(chunk: str, delimiter: str, lines_before: int) -> tuple[Block, int] | None:
    """The rows of ``chunk`` (whole lines of a CSV file, after ``lines_before`` lines) read by
    Arrow, and how many lines it has; None when Arrow might read it otherwise than the csv
    module.

    They read alike when every line is *simple*: cells either without quotes or quoted whole
    (``"1,234"``, ``"a ""b"" c"``) with no line break inside, lines ended by LF or CRLF (a lone
    CR ends a line for the csv module only), no line longer than the csv module's field size
    limit, and every row with the same number of cells. Then each non-empty line is one row, and
    blank rows (only whitespace in every cell) are dropped as :func:`iter_rows` drops them.
    """
    if chunk.startswith("\ufeff") or len(delimiter.encode()) != 1:  # Arrow would drop a BOM
        return None
    try:
        data = chunk.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (no strict decoder makes one)
        return None
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    if not pc.match_substring_regex(text, _simple_lines(delimiter))[0].as_py():
        return None
    buffer = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buffer == ord("\n"))
    count = len(ends) + (0 if data.endswith(b"\n") else 1)
    starts = np.concatenate(([0], ends + 1))[:count]
    if int(np.diff(starts, append=len(data)).max()) > csv.field_size_limit():
        return None
    records = np.flatnonzero((buffer[starts] != ord("\n")) & (buffer[starts] != ord("\r")))
    if not len(records):
        return Block(pa.array([], pa.int64()), ()), count
    start = int(starts[records[0]])
    end = data.find(b"\n", start)
    width = data.count(delimiter.encode(), start, end if end >= 0 else len(data)) + 1
    # (at least the cells of the first row: a quoted cell may hold delimiters)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{j}": pa.string() for j in range(width)},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:  # e.g. rows with different numbers of cells
        return None
    if table.num_rows != len(records):
        return None
    columns = tuple(column.combine_chunks() for column in table.columns)
    block = Block(pa.array(lines_before + 1 + records, pa.int64()), columns)
    blank = blank_rows(columns)
    return (block.take(pc.indices_nonzero(pc.invert(blank))) if blank is not None else block), count


@functools.lru_cache(maxsize=8)
def _simple_lines(delimiter: str) -> str:
    """A regular expression (RE2) matching text whose every line is simple (see
    :func:`arrow_block`)."""
    d = f"\\x{{{ord(delimiter):x}}}"
    cell = f'(?:[^"{d}\\r\\n]*|"(?:[^"\\r\\n]|"")*")'
    line = f"{cell}(?:{d}{cell})*"
    return f"\\A(?:{line}\\r?\\n)*{line}\\z"
