"""Look at a file before reading it: format, gzip, encoding, delimiter and checksum."""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import charset_normalizer

from shakhes.errors import DataError
from shakhes.imports.readers.base import DECOMPRESS_HINT, NOT_SUPPORTED, FileInfo, Format

SAMPLE_BYTES: Final = 1 << 20
"""How much of a file (after gzip) is looked at to sniff its encoding and delimiter."""
SNIFF_ROWS: Final = 50
"""How many non-blank, non-comment rows decide the delimiter."""

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
_OTHER_MAGICS: Final = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel .xls workbook (or a password-protected .xlsx)",
        "Open it in Excel and save it as .xlsx or CSV (without a password).",
    ),
    (b"\xfd7zXZ\x00", "an xz archive", DECOMPRESS_HINT),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", DECOMPRESS_HINT),
    (b"\x28\xb5\x2f\xfd", "a zstd archive", DECOMPRESS_HINT),
    (b"Rar!\x1a\x07", "a RAR archive", DECOMPRESS_HINT),
    (b"%PDF", "a PDF document", "Download the report as CSV or XLSX instead."),
)
_BZIP2: Final = re.compile(rb"BZh[1-9]1AY&SY")
# Control characters that have no business in a text table (TAB, LF, CR, FF and the DOS
# end-of-file mark ^Z are fine).
_BAD_CONTROLS: Final = re.compile("[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
_WEB_PAGE: Final = re.compile(r"\s*<(!doctype\s+html|html|\?xml)", re.IGNORECASE)


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
                f"{path}: {NOT_SUPPORTED} (text without a ',', ';' or TAB table in it)",
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
            raise DataError(f"{path}: {NOT_SUPPORTED} (it is {what})", hint=hint)
    if _BZIP2.match(head):
        raise DataError(f"{path}: {NOT_SUPPORTED} (it is a bzip2 archive)", hint=DECOMPRESS_HINT)
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
            f"{path}: {NOT_SUPPORTED} (it is a ZIP archive, not an Excel workbook)",
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
            f"{path}: {NOT_SUPPORTED} (it looks like binary data, not text)",
            hint="Export the report again as CSV, XLSX or Parquet.",
        )
    return _ENCODING_NAMES.get(best.encoding, best.encoding)


def _decode_sample(path: Path, head: bytes, whole: bool, encoding: str, *, explicit: bool) -> str:
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=whole)
    except UnicodeDecodeError as exc:
        if not explicit:
            raise DataError(f"{path}: {NOT_SUPPORTED} (undecodable text: {exc})") from None
        raise DataError(
            f"{path}: not valid {encoding} text (byte {exc.start} of the content: {exc.reason})",
            hint="Leave the encoding out to let shakhes detect it, or pass the right one.",
        ) from None
    except (UnicodeError, ValueError) as exc:  # e.g. a UTF-32 codec fed a non-UTF-32 head
        raise DataError(f"{path}: {NOT_SUPPORTED} (undecodable as {encoding}: {exc})") from None
    return text.removeprefix("\ufeff")


def _check_text(path: Path, text: str, whole: bool) -> None:
    if len(_BAD_CONTROLS.findall(text)) * 100 > len(text):
        raise DataError(
            f"{path}: {NOT_SUPPORTED} (it looks like binary data, not text)",
            hint="Export the report again as CSV, XLSX or Parquet.",
        )
    if _WEB_PAGE.match(text):
        raise DataError(
            f"{path}: {NOT_SUPPORTED} (it is an HTML or XML document)",
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
