"""Arrow arrays to and from Python values and NumPy, built from their buffers.

pyarrow's own conversions (``pa.array``, ``pa.scalar``, ``Array.to_numpy``, a Python number
given to a compute function) first ask whether pandas is installed, and asking imports it:
an eighth of every ``shakhes compute``, for a library the engine never uses. The engine makes
and reads its arrays here instead, from the buffers of Arrow's columnar format (a validity
bitmap, then the values; for text, offsets then UTF-8 bytes), which needs no pandas.
tests/engine/test_arrow.py checks every kind against pyarrow's own conversions.

>>> array([1, None, 3], pa.int32()).to_pylist()
[1, None, 3]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from shakhes.errors import InternalError

_STORAGE: dict[pa.DataType, type[np.generic]] = {
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
    pa.date32(): np.int32,  # days since 1970-01-01
}
"""The NumPy type of each fixed-width Arrow type's values."""

_EPOCH = dt.date(1970, 1, 1).toordinal()

Values = Sequence[Any] | np.ndarray[Any, Any]


def array(values: Values, type: pa.DataType, valid: np.ndarray[Any, Any] | None = None) -> pa.Array:
    """An Arrow array of ``type`` (int32, int64, float64, date32, string or bool) holding
    ``values``, like ``pa.array(values, type)``: None is null, NaN stays NaN. A NumPy array
    of numbers (days since 1970-01-01 for dates) or of booleans is taken as it is; ``valid``
    (booleans) then marks which of its values are not null."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        present = None if valid is None else np.asarray(valid, dtype=bool)
        if type == pa.bool_():
            flags = values.astype(bool) if present is None else values.astype(bool) & present
            bitmap = None if present is None else _bitmap(present)
            nulls = 0 if present is None else _nulls(present)
            return pa.Array.from_buffers(type, len(flags), [bitmap, _bits(flags)], null_count=nulls)
        if type not in _STORAGE:
            raise InternalError(f"no {type} array from a NumPy array of {values.dtype}")
        return _fixed(type, np.ascontiguousarray(values, dtype=_STORAGE[type]), present)
    items = list(values)
    present = np.fromiter((v is not None for v in items), dtype=bool, count=len(items))
    if valid is not None:
        present &= np.asarray(valid, dtype=bool)
    if type == pa.string():
        return _strings(items, present)
    if type == pa.bool_():
        bits = np.fromiter((bool(v) for v in items), dtype=bool, count=len(items))
        return pa.Array.from_buffers(
            type, len(items), [_bitmap(present), _bits(bits & present)], null_count=_nulls(present)
        )
    if type == pa.date32():
        days = np.fromiter(
            (v.toordinal() - _EPOCH if v is not None else 0 for v in items),
            dtype=np.int32,
            count=len(items),
        )
        return _fixed(type, days, present)
    if type in _STORAGE:
        storage = _STORAGE[type]
        zero = storage(0)
        data = np.fromiter((zero if v is None else v for v in items), storage, len(items))
        return _fixed(type, data, present)
    raise InternalError(f"no {type} array from Python values")


def numbers(
    column: pa.Array | pa.ChunkedArray, type: pa.DataType, fill: Any
) -> np.ndarray[Any, Any]:
    """A numeric column as a NumPy array of ``type``'s values, ``fill`` for null. A column of
    another type is cast first, unless its values are stored alike (dates as int32: days since
    1970-01-01), which are taken as they are (casting imports pyarrow.compute)."""
    storage = _STORAGE[type]
    cast = column if _STORAGE.get(column.type) is storage else column.cast(type)
    if isinstance(cast, pa.ChunkedArray):
        cast = cast.combine_chunks() if cast.num_chunks else pa.nulls(0, type)
    n = len(cast)
    validity, data = cast.buffers()[:2]
    if data is None:  # every value null
        return np.full(n, fill, dtype=storage)
    values = np.frombuffer(data, dtype=storage, count=cast.offset + n)[cast.offset :].copy()
    if validity is not None and cast.null_count:
        values[~_unpack(validity, cast.offset, n)] = fill
    return values


def take(column: pa.Array | pa.ChunkedArray, indices: np.ndarray[Any, Any]) -> pa.Array:
    """The values of a text column at ``indices`` (whole numbers into it), like
    ``Array.take``, which imports pyarrow.compute: the offsets and UTF-8 bytes of the values
    are gathered with NumPy."""
    if column.type != pa.string():
        raise InternalError(f"no taking from a {column.type} column (text only)")
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.nulls(0, pa.string())
    n = len(column)
    validity, offsets_buffer, data_buffer = column.buffers()
    index = np.asarray(indices, dtype=np.int64)
    if n == 0 and len(index):
        raise InternalError("taking values from an empty column")
    if len(index) == n and np.array_equal(index, np.arange(n)):
        return column  # every value, in order (one KPI's breakdown)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=column.offset + n + 1)
    offsets = offsets[column.offset :]
    lengths = np.diff(offsets)[index]
    ends = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ends[1:])
    if ends[-1] >= 2**31:
        raise InternalError("more than 2 GB of text in one column")
    # Each value's bytes: its start in the column, then one after another (in int32, as
    # Arrow's offsets are: a third of the time of int64 on a million bytes).
    shift = offsets[:-1][index] - ends[:-1].astype(np.int32)
    where = np.repeat(shift, lengths) + np.arange(ends[-1], dtype=np.int32)
    gathered = np.frombuffer(data_buffer or b"", dtype=np.uint8)[where]
    present = None
    if validity is not None and column.null_count:
        present = _unpack(validity, column.offset, n)[index]
    return pa.Array.from_buffers(
        pa.string(),
        len(index),
        [
            None if present is None else _bitmap(present),
            pa.py_buffer(ends.astype(np.int32)),
            pa.py_buffer(gathered),
        ],
        null_count=0 if present is None else _nulls(present),
    )


def _fixed(
    type: pa.DataType, data: np.ndarray[Any, Any], present: np.ndarray[Any, Any] | None
) -> pa.Array:
    bitmap = None if present is None else _bitmap(present)
    nulls = 0 if present is None else _nulls(present)
    return pa.Array.from_buffers(type, len(data), [bitmap, pa.py_buffer(data)], null_count=nulls)


def _strings(items: list[Any], present: np.ndarray[Any, Any]) -> pa.Array:
    encoded = [str(v).encode() if v is not None else b"" for v in items]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise InternalError("more than 2 GB of text in one column")
    return pa.Array.from_buffers(
        pa.string(),
        len(encoded),
        [_bitmap(present), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))],
        null_count=_nulls(present),
    )


def _bits(flags: np.ndarray[Any, Any]) -> pa.Buffer:
    return pa.py_buffer(np.packbits(flags, bitorder="little"))


def _bitmap(present: np.ndarray[Any, Any]) -> pa.Buffer | None:
    """The validity bitmap (None when nothing is null, as Arrow allows)."""
    return None if present.all() else _bits(present)


def _nulls(present: np.ndarray[Any, Any]) -> int:
    return int(len(present) - np.count_nonzero(present))


def _unpack(bitmap: pa.Buffer, offset: int, n: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[offset : offset + n].astype(bool)
