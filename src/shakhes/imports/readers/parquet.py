"""Parquet files: the header, then each record, row by row or a record batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.errors import DataError
from shakhes.imports.readers.base import Block, FileInfo, Row, blank_rows, guarded
from shakhes.imports.readers.cells import cell_text

PARQUET_BATCH_ROWS: Final = 8192


class ParquetRows(Iterator[Row]):
    """The rows of a Parquet file, as :func:`iter_rows` returns them: the header (``line=0``),
    then each record with at least one non-blank cell, numbered by its place in the file.

    Row by row, each value becomes text by :func:`cell_text`. :meth:`blocks` gives the rest of
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
        self._batches = guarded(
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

    def __iter__(self) -> ParquetRows:
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
            cells = tuple(cell_text(value) for value in values)
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
        blank = blank_rows(columns)
        return block if blank is None else block.take(pc.indices_nonzero(pc.invert(blank)))

    def close(self) -> None:
        self._file.close()


def _text_column(column: pa.Array) -> pa.Array:
    """Each value of a Parquet column as :func:`cell_text` writes it (``''`` for null),
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
        return pa.array([cell_text(value) for value in column.to_pylist()], pa.string())
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
