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

import codecs
import contextlib
import csv
import datetime as dt
import decimal
import functools
import gzip
import hashlib
import io
import itertools
import json
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal, TextIO, TypeVar

import charset_normalizer
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from shakhes.errors import DataError, nearest

__all__ = [
    "Block",
    "FileInfo",
    "Format",
    "Row",
    "iter_batches",
    "iter_blocks",
    "iter_rows",
    "sniff",
]

Format = Literal["csv", "xlsx", "parquet", "jsonl"]

SAMPLE_BYTES: Final = 1 << 20
"""How much of a file (after gzip) is looked at to sniff its encoding and delimiter."""
SNIFF_ROWS: Final = 50
"""How many non-blank, non-comment rows decide the delimiter."""
JSONL_HEADER_RECORDS: Final = 1000
"""How many leading JSON-lines records make up the header."""
PARQUET_BATCH_ROWS: Final = 8192
CSV_CHUNK_CHARS: Final = 1 << 22
"""How much CSV text :func:`iter_blocks` hands to Arrow's parser at a time."""

_DELIMITERS: Final = (",", "\t", ";")
_EXTENSIONS: Final[dict[str, Format]] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_GZIP_MAGIC: Final = b"\x1f\x8b"
_ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06")
_PARQUET_MAGIC: Final = b"PAR1"
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings charset-normalizer may choose from when a file is neither BOM-marked nor UTF-8:
# Windows Arabic (Persian exports from Iranian software), Western European, UTF-16 without BOM.
_GUESS_CANDIDATES: Final = ("cp1256", "cp1252", "utf_16_le", "utf_16_be", "latin_1")
_ENCODING_NAMES: Final = {
    "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be",
    "latin_1": "latin-1",
}
_DECOMPRESS_HINT: Final = "Decompress it first; only gzip is read directly."
_OTHER_MAGICS: Final = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel .xls workbook (or a password-protected .xlsx)",
        "Open it in Excel and save it as .xlsx or CSV (without a password).",
    ),
    (b"\xfd7zXZ\x00", "an xz archive", _DECOMPRESS_HINT),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", _DECOMPRESS_HINT),
    (b"\x28\xb5\x2f\xfd", "a zstd archive", _DECOMPRESS_HINT),
    (b"Rar!\x1a\x07", "a RAR archive", _DECOMPRESS_HINT),
    (b"%PDF", "a PDF document", "Download the report as CSV or XLSX instead."),
)
_BZIP2: Final = re.compile(rb"BZh[1-9]1AY&SY")
# Control characters that have no business in a text table (TAB, LF, CR, FF and the DOS
# end-of-file mark ^Z are fine).
_BAD_CONTROLS: Final = re.compile("[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
_WEB_PAGE: Final = re.compile(r"\s*<(!doctype\s+html|html|\?xml)", re.IGNORECASE)
_ESCAPED: Final = re.compile("[\udc80-\udcff]")
_NOT_SUPPORTED: Final = "not a CSV, TSV, XLSX, Parquet or JSON-lines file"

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


# --------------------------------------------------------------------------------------------
# sniff


def sniff(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    checksum: bool = True,
) -> FileInfo:
    """Find out a file's format, compression, encoding and delimiter, and checksum it (with
    ``checksum=False``, ``sha256`` is left empty: the caller computes it, e.g. meanwhile).

    The format comes from the content first (ZIP workbook, ``PAR1``, gzip then its content) and
    the name second (``.csv .tsv .txt .xlsx .parquet .jsonl .ndjson .json``, optionally ``.gz``);
    a text file with another name is JSON lines if it starts with ``{``, CSV if a delimiter is
    found. An explicit ``encoding`` or ``delimiter`` wins over sniffing (both matter only for
    text formats). Raises :class:`DataError` for a missing, empty, damaged or unsupported file.
    """
    path = Path(path)
    if delimiter is not None:
        _check_delimiter(path, delimiter)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(
                f"{path}: unknown encoding '{encoding}'",
                hint="Use a Python codec name such as utf-8, utf-16, cp1256 or cp1252.",
            ) from None
    size, digest = _checksum(path) if checksum else (_size(path), "")
    if size == 0:
        raise DataError(
            f"{path} is empty", hint="The file has no bytes; download or export it again."
        )
    compressed, head, whole = _read_head(path)
    if not head:
        raise DataError(
            f"{path} is empty",
            hint="The gzip archive holds an empty file; download or export it again.",
        )
    fmt = _binary_format(path, head, compressed)
    if fmt is not None:
        return FileInfo(path, fmt, compressed, None, None, digest, size)

    chosen = encoding or _guess_encoding(path, head, whole)
    text = _decode_sample(path, head, whole, chosen, explicit=encoding is not None)
    _check_text(path, text, whole)
    named = _named_format(path)
    if named in ("xlsx", "parquet"):
        kind = "an Excel workbook" if named == "xlsx" else "a Parquet file"
        raise DataError(
            f"{path}: named {named} but not {kind}: its content is text",
            hint="If it is a CSV or JSON-lines export, rename it to .csv or .jsonl.",
        )
    if named == "jsonl":
        return FileInfo(path, "jsonl", compressed, chosen, None, digest, size)
    if named is None and delimiter is None and text.lstrip().startswith("{"):
        return FileInfo(path, "jsonl", compressed, chosen, None, digest, size)
    found = delimiter or _guess_delimiter(text, whole)
    if found is None:
        if named is None:
            raise DataError(
                f"{path}: {_NOT_SUPPORTED} (text without a ',', ';' or TAB table in it)",
                hint="Give the file a .csv/.tsv/.jsonl name or pass the delimiter explicitly.",
            )
        found = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    return FileInfo(path, "csv", compressed, chosen, found, digest, size)


def _check_delimiter(path: Path, delimiter: str) -> None:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise DataError(
            f"{path}: cannot use {delimiter!r} as the delimiter",
            hint="The delimiter is one character other than a quote or line break, e.g. ';'.",
        )


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    """Hex SHA-256 of the file's bytes as stored."""
    ascii: bool
    """Every byte is ASCII (so no text in it can be Persian, or spelled two ways)."""


def fingerprint(path: Path) -> Fingerprint:
    """The file's SHA-256 and whether it is all ASCII, in one read."""
    digest = hashlib.sha256()
    ascii_only = True
    with _readable(path), path.open("rb") as stream:
        while chunk := stream.read(SAMPLE_BYTES):
            digest.update(chunk)
            ascii_only = ascii_only and chunk.isascii()
    return Fingerprint(digest.hexdigest(), ascii_only)


def _checksum(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with _readable(path), path.open("rb") as stream:
        while chunk := stream.read(SAMPLE_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _size(path: Path) -> int:
    with _readable(path), path.open("rb") as stream:
        return os.fstat(stream.fileno()).st_size


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Errors opening or reading ``path`` as a DataError saying what is wrong."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: no such file", hint="Check the path and the name.") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file", hint="Name a file in it.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _read_head(path: Path) -> tuple[bool, bytes, bool]:
    """(gzip-compressed, the first ``SAMPLE_BYTES`` of the content, whether that is all of it)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SAMPLE_BYTES + 1)
        compressed = head.startswith(_GZIP_MAGIC)
        if compressed:
            with gzip.open(path, "rb") as gz:
                head = gz.read(SAMPLE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"{path}: a damaged gzip file ({exc})",
            hint="Download it again, or decompress it with another tool to see what is left.",
        ) from None
    return compressed, head[:SAMPLE_BYTES], len(head) <= SAMPLE_BYTES


def _named_format(path: Path) -> Format | None:
    name = path.name.lower().removesuffix(".gz")
    return _EXTENSIONS.get(Path(name).suffix)


def _binary_format(path: Path, head: bytes, compressed: bool) -> Format | None:
    """XLSX or Parquet by magic bytes; a DataError for other known binary formats; else None."""
    if head.startswith(_ZIP_MAGICS):
        if compressed:
            raise DataError(
                f"{path}: a gzip-compressed ZIP or XLSX file",
                hint="Decompress it first (an XLSX workbook is compressed already).",
            )
        _check_workbook(path)
        return "xlsx"
    if head.startswith(_PARQUET_MAGIC):
        if compressed:
            raise DataError(
                f"{path}: a gzip-compressed Parquet file",
                hint="Decompress it first (Parquet is compressed already).",
            )
        _check_parquet(path)
        return "parquet"
    for magic, what, hint in _OTHER_MAGICS:
        if head.startswith(magic):
            raise DataError(f"{path}: {_NOT_SUPPORTED} (it is {what})", hint=hint)
    if _BZIP2.match(head):
        raise DataError(f"{path}: {_NOT_SUPPORTED} (it is a bzip2 archive)", hint=_DECOMPRESS_HINT)
    return None


def _check_workbook(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DataError(
            f"{path}: a damaged ZIP/XLSX file ({exc})", hint="Download or export it again."
        ) from None
    if "xl/workbook.xml" not in names:
        raise DataError(
            f"{path}: {_NOT_SUPPORTED} (it is a ZIP archive, not an Excel workbook)",
            hint="Unzip it and import the file inside.",
        )


def _check_parquet(path: Path) -> None:
    import pyarrow.parquet as pq

    try:
        pq.ParquetFile(path).close()
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a broken file
        raise DataError(
            f"{path}: a damaged Parquet file ({exc})", hint="Write or download it again."
        ) from None


def _guess_encoding(path: Path, head: bytes, whole: bool) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=whole)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = charset_normalizer.from_bytes(head, cp_isolation=list(_GUESS_CANDIDATES)).best()
    if best is None:
        raise DataError(
            f"{path}: {_NOT_SUPPORTED} (it looks like binary data, not text)",
            hint="Export the report again as CSV, XLSX or Parquet.",
        )
    return _ENCODING_NAMES.get(best.encoding, best.encoding)


def _decode_sample(path: Path, head: bytes, whole: bool, encoding: str, *, explicit: bool) -> str:
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=whole)
    except UnicodeDecodeError as exc:
        if not explicit:
            raise DataError(f"{path}: {_NOT_SUPPORTED} (undecodable text: {exc})") from None
        raise DataError(
            f"{path}: not valid {encoding} text (byte {exc.start} of the content: {exc.reason})",
            hint="Leave the encoding out to let shakhes detect it, or pass the right one.",
        ) from None
    except (UnicodeError, ValueError) as exc:  # e.g. a UTF-32 codec fed a non-UTF-32 head
        raise DataError(f"{path}: {_NOT_SUPPORTED} (undecodable as {encoding}: {exc})") from None
    return text.removeprefix("\ufeff")


def _check_text(path: Path, text: str, whole: bool) -> None:
    if len(_BAD_CONTROLS.findall(text)) * 100 > len(text):
        raise DataError(
            f"{path}: {_NOT_SUPPORTED} (it looks like binary data, not text)",
            hint="Export the report again as CSV, XLSX or Parquet.",
        )
    if _WEB_PAGE.match(text):
        raise DataError(
            f"{path}: {_NOT_SUPPORTED} (it is an HTML or XML document)",
            hint="This is often a login or error page saved instead of the report; "
            "download the report again as CSV or XLSX.",
        )
    if whole and not text.strip():
        raise DataError(f"{path} is empty", hint="It holds only blank lines; export it again.")


def _guess_delimiter(text: str, whole: bool) -> str | None:
    """The delimiter whose most common field count (> 1) covers the most sample rows."""
    if not whole:  # drop the last, possibly cut, line
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    best: str | None = None
    best_score = (0, 0)
    for candidate in _DELIMITERS:
        counts: Counter[int] = Counter()
        rows = 0
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=candidate)
        try:
            for cells in reader:
                if not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
                    continue
                if len(cells) > 1:
                    counts[len(cells)] += 1
                rows += 1
                if rows >= SNIFF_ROWS:
                    break
        except csv.Error:
            pass  # e.g. an unbalanced quote swallowed the rest: judge what was read
        if not counts:
            continue
        fields, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (agreeing, fields) > best_score:
            best, best_score = candidate, (agreeing, fields)
    return best


# --------------------------------------------------------------------------------------------
# iter_rows


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
        return _CsvRows(info, position)
    if info.format == "jsonl":
        return _jsonl_rows(info, position)
    if info.compressed:
        raise DataError(f"{info.path}: a gzip-compressed {info.format} file", hint=_DECOMPRESS_HINT)
    if info.format == "xlsx":
        return _xlsx_rows(info, sheet)
    return _ParquetRows(info)


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
    if isinstance(rows, _CsvRows):
        yield from rows.blocks(size)
        return
    if isinstance(rows, _ParquetRows):
        yield from rows.blocks()
        return
    while batch := list(itertools.islice(rows, size)):
        yield Block.of_rows(batch)


def _open_bytes(info: FileInfo) -> gzip.GzipFile | io.BufferedReader:
    try:
        if info.compressed:
            return gzip.open(info.path, "rb")
        return info.path.open("rb")
    except OSError as exc:
        raise DataError(f"{info.path}: cannot be read ({exc.strerror or exc})") from None


def _read_error(info: FileInfo, where: str, exc: Exception) -> DataError:
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
            _open_bytes(info) as raw,
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


class _CsvRows(Iterator[Row]):
    """The rows of a CSV file, as :func:`iter_rows` returns them.

    Row by row it is Python's csv module. :meth:`blocks` reads the rest of the file a few
    megabytes of text at a time with Arrow's CSV parser instead, many times faster, wherever
    that provably reads the text exactly as the csv module does (:func:`_arrow_block`); from the
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

    def __iter__(self) -> _CsvRows:
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
                raise _read_error(self.info, f"near line {start}", exc) from None
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
            read = _arrow_block(chunk, self._delimiter, self._lines_before)
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
            raw = _open_bytes(self.info)
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
            raise _read_error(self.info, f"near line {self._lines_before + 1}", exc) from None
        return chunk


def _arrow_block(chunk: str, delimiter: str, lines_before: int) -> tuple[Block, int] | None:
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
    blank = _blank_rows(columns)
    return (block.take(pc.indices_nonzero(pc.invert(blank))) if blank is not None else block), count


@functools.lru_cache(maxsize=8)
def _simple_lines(delimiter: str) -> str:
    """A regular expression (RE2) matching text whose every line is simple (see
    :func:`_arrow_block`)."""
    d = f"\\x{{{ord(delimiter):x}}}"
    cell = f'(?:[^"{d}\\r\\n]*|"(?:[^"\\r\\n]|"")*")'
    line = f"{cell}(?:{d}{cell})*"
    return f"\\A(?:{line}\\r?\\n)*{line}\\z"


# A cell of nothing but whitespace, as str.isspace() sees it (RE2 syntax).
_BLANK_CELL = (
    "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]*$"
)


def _blank_rows(columns: Sequence[pa.Array]) -> pa.Array | None:
    """Which rows have only whitespace in every cell (None: no row)."""
    blank: pa.Array | None = None
    for column in columns:
        cells = pc.match_substring_regex(column, _BLANK_CELL)
        blank = cells if blank is None else pc.and_(blank, cells)
        if not pc.any(blank).as_py():
            return None
    return blank


def _jsonl_rows(info: FileInfo, where: ReadPosition | None) -> Iterator[Row]:
    encoding = info.encoding or "utf-8"
    with (
        _open_bytes(info) as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="strict") as text,
    ):
        if where is not None:
            where.watch(raw)
        records = _json_records(info, text)
        leading: list[tuple[int, int, dict[str, object]]] = []
        keys: dict[str, None] = {}
        for record in records:
            leading.append(record)
            keys.update(dict.fromkeys(record[2]))
            if len(leading) >= JSONL_HEADER_RECORDS:
                break
        header = tuple(keys)
        yield Row(0, header)
        width = len(header)
        position = {key: index for index, key in enumerate(header)}
        for number, line, obj in _chain(leading, records):
            cells = [""] * width
            for key, value in obj.items():
                index = position.get(key)
                if index is None:
                    unknown = ", ".join(repr(k) for k in obj if k not in position)
                    raise DataError(
                        f"{info.path}, record {number} (line {line}): key(s) {unknown} not in "
                        f"the first {JSONL_HEADER_RECORDS} records",
                        hint="The columns of a JSON-lines file are the keys of its first "
                        f"{JSONL_HEADER_RECORDS} records: give the first record every key "
                        "(null is fine), or split the file.",
                    )
                cells[index] = _cell_text(value)
            if "".join(cells).strip():
                yield Row(number, tuple(cells))


def _chain(
    leading: list[tuple[int, int, dict[str, object]]],
    rest: Iterator[tuple[int, int, dict[str, object]]],
) -> Iterator[tuple[int, int, dict[str, object]]]:
    leading.reverse()
    while leading:  # hand the buffered records over one by one, freeing them as we go
        yield leading.pop()
    yield from rest


def _json_records(info: FileInfo, text: TextIO) -> Iterator[tuple[int, int, dict[str, object]]]:
    """(record number, line number, object) for each non-blank line."""
    number = 0
    line = 0
    while True:
        try:
            content = text.readline()
        except (UnicodeError, OSError, EOFError, zlib.error) as exc:
            raise _read_error(info, f"near line {line + 1}", exc) from None
        if not content:
            return
        line += 1
        stripped = content.strip()
        if not stripped:
            continue
        if line == 1:
            stripped = stripped.removeprefix("\ufeff")
        number += 1
        try:
            obj = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise DataError(
                f"{info.path}, line {line}: not valid JSON ({detail})",
                hint="A JSON-lines file holds one JSON object per line.",
            ) from None
        if not isinstance(obj, dict):
            hint = "A JSON-lines file holds one JSON object ({...}) per line."
            if number == 1 and (isinstance(obj, list) or stripped == "["):
                hint += " This looks like a JSON array: convert it with `jq -c '.[]'`."
            raise DataError(
                f"{info.path}, line {line}: a JSON {type(obj).__name__}, not an object",
                hint=hint,
            )
        yield number, line, obj


def _xlsx_rows(info: FileInfo, sheet: str | None) -> Iterator[Row]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(info.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise DataError(
            f"{info.path}: not a readable Excel workbook ({type(exc).__name__}: {exc})",
            hint="Open it in Excel and save it again as .xlsx, or export it as CSV.",
        ) from None
    try:
        worksheet = _pick_sheet(info, workbook, sheet)
        worksheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        name = worksheet.title
        rows = _guarded(
            worksheet.iter_rows(values_only=True),
            lambda exc: DataError(
                f"{info.path}, sheet '{name}': a damaged worksheet ({type(exc).__name__}: {exc})",
                hint="Open it in Excel and save it again as .xlsx, or export it as CSV.",
            ),
        )
        for number, values in enumerate(rows, start=1):
            cells = tuple(_cell_text(value, midnight_is_date=True) for value in values)
            if "".join(cells).strip():
                yield Row(number, cells)
    finally:
        workbook.close()


def _pick_sheet(info: FileInfo, workbook: Any, sheet: str | None) -> Any:
    worksheets: list[Any] = list(workbook.worksheets)
    names = [str(ws.title) for ws in worksheets]
    if sheet is None:
        if not worksheets:
            raise DataError(f"{info.path}: the workbook has no worksheets")
        return worksheets[0]
    if sheet in names:
        return worksheets[names.index(sheet)]
    guess = nearest(sheet, names)
    raise DataError(
        f"{info.path}: no sheet '{sheet}'" + (f" — did you mean '{guess}'?" if guess else ""),
        hint="Sheets: " + ", ".join(f"'{n}'" for n in names),
    )


class _ParquetRows(Iterator[Row]):
    """The rows of a Parquet file, as :func:`iter_rows` returns them: the header (``line=0``),
    then each record with at least one non-blank cell, numbered by its place in the file.

    Row by row, each value becomes text by :func:`_cell_text`. :meth:`blocks` gives the rest of
    the file as :class:`Block` s instead, converting whole columns at once to the same texts
    (:func:`_text_column`), many times faster.
    """

    def __init__(self, info: FileInfo) -> None:
        import pyarrow.parquet as pq

        self.info = info
        try:
            self._file = pq.ParquetFile(info.path)
        except Exception as exc:  # ArrowInvalid, OSError, ...
            raise self._damaged(exc) from None
        self._batches = _guarded(
            self._file.iter_batches(batch_size=PARQUET_BATCH_ROWS), self._damaged
        )
        self._header: Row | None = Row(0, tuple(str(n) for n in self._file.schema_arrow.names))
        self._batch: pa.RecordBatch | None = None
        self._cells: list[tuple[Any, ...]] = []
        self._index = 0  # records of self._batch already taken
        self._number = 0  # record number of the last record taken

    def _damaged(self, exc: Exception) -> DataError:
        return DataError(
            f"{self.info.path}: a damaged Parquet file ({exc})", hint="Write or download it again."
        )

    def __iter__(self) -> _ParquetRows:
        return self

    def __next__(self) -> Row:
        if self._header is not None:
            header, self._header = self._header, None
            return header
        while True:
            if self._batch is None or self._index >= len(self._cells):
                self._batch = self._next_batch()
                self._cells = list(zip(*(c.to_pylist() for c in self._batch.columns), strict=True))
                self._index = 0
            values = self._cells[self._index]
            self._index += 1
            self._number += 1
            cells = tuple(_cell_text(value) for value in values)
            if "".join(cells).strip():
                return Row(self._number, cells)

    def _next_batch(self) -> pa.RecordBatch:
        try:
            return next(self._batches)
        except StopIteration:
            self.close()
            raise

    def blocks(self) -> Iterator[Block]:
        """The rows not taken yet, a record batch at a time."""
        if self._header is not None:
            yield Block.of_rows([next(self)])
        if self._batch is not None and self._index < len(self._cells):
            rest = self._batch.slice(self._index)
            self._batch, self._cells = None, []
            yield self._block(rest)
        self._batch = None
        for batch in self._batches:
            yield self._block(batch)
        self.close()

    def _block(self, batch: pa.RecordBatch) -> Block:
        first = self._number + 1
        self._number += batch.num_rows
        columns = tuple(_text_column(column) for column in batch.columns)
        block = Block(pa.array(np.arange(first, self._number + 1), pa.int64()), columns)
        blank = _blank_rows(columns)
        return block if blank is None else block.take(pc.indices_nonzero(pc.invert(blank)))

    def close(self) -> None:
        self._file.close()


def _text_column(column: pa.Array) -> pa.Array:
    """Each value of a Parquet column as :func:`_cell_text` writes it (``''`` for null),
    converted column by column where Arrow or numpy write the same text, else value by value."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.dictionary_decode(), kind.value_type
    if pa.types.is_floating(kind):
        text = _float_texts(column)
    elif (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date32(kind)  # YYYY-MM-DD, the year in four digits, as isoformat()
    ):
        text = column.cast(pa.string())
    else:
        return pa.array([_cell_text(value) for value in column.to_pylist()], pa.string())
    return pc.fill_null(text, "")


def _float_texts(column: pa.Array) -> pa.Array:
    """Floats as :func:`_float_text` writes them: whole ones below 1e16 without ``.0``, the
    others as Python's shortest repr. Between 1e-4 and 1e16 Arrow writes that repr too (the
    same shortest digits, without an exponent); outside it, numpy's ``str`` of a float64 does."""
    floats = column.cast(pa.float64())
    values = floats.fill_null(0.0).to_numpy(zero_copy_only=False)
    valid = ~floats.is_null().to_numpy(zero_copy_only=False)
    size = np.abs(values)
    finite = np.isfinite(values)
    whole = valid & finite & (size < 1e16)
    whole[whole] = np.floor(values[whole]) == values[whole]
    text = floats.cast(pa.string())
    positional = ~pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(zero_copy_only=False)
    if whole.any():
        integers = pa.array(np.where(whole, values, 0).astype(np.int64)).cast(pa.string())
        text = pc.if_else(pa.array(whole), integers, text)
    # (Arrow also writes some large ones with an exponent, where Python does not.)
    odd = valid & ~whole & ~(finite & (size >= 1e-4) & (size < 1e16) & positional)
    if odd.any():
        text = pc.replace_with_mask(text, pa.array(odd), pa.array(values[odd].astype(str)))
    return text


def _guarded(items: Iterator[_T], error: Callable[[Exception], DataError]) -> Iterator[_T]:
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


# --------------------------------------------------------------------------------------------
# values to text


def _cell_text(value: object, *, midnight_is_date: bool = False) -> str:
    """One XLSX, Parquet or JSON value as text (rules in the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if midnight_is_date and value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration_text(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _duration_text(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    micros = abs(value) // dt.timedelta(microseconds=1)
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    text = f"{sign}{hours}:{minute:02d}:{second:02d}"
    return f"{text}.{micro:06d}" if micro else text


def _json_default(value: object) -> object:
    """Nested values json.dumps cannot write itself (dates, decimals, bytes from Parquet)."""
    return _cell_text(value)
