"""JSON lines: one object per line, the header the keys of the first records."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from typing import Final, TextIO

from shakhes.errors import DataError
from shakhes.imports.readers.base import FileInfo, ReadPosition, Row, open_bytes, read_error
from shakhes.imports.readers.cells import cell_text

JSONL_HEADER_RECORDS: Final = 1000
"""How many leading JSON-lines records make up the header."""


def jsonl_rows(info: FileInfo, where: ReadPosition | None) -> Iterator[Row]:
    encoding = info.encoding or "utf-8"
    with (
        open_bytes(info) as raw,
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
                cells[index] = cell_text(value)
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
            raise read_error(info, f"near line {line + 1}", exc) from None
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
