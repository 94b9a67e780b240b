"""Arrow arrays built from their buffers (shakhes.engine.arrow) equal pyarrow's own conversions,
for every kind the engine makes: nulls, NaN, empty arrays, text beyond ASCII, sliced and
chunked columns."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shakhes.engine import arrow
from shakhes.errors import InternalError

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
DATES = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
KINDS = {
    pa.int32(): INT32,
    pa.int64(): INT64,
    pa.float64(): st.floats(allow_nan=True, allow_infinity=True),
    pa.date32(): DATES,
    pa.string(): st.text(),
    pa.bool_(): st.booleans(),
}


def _same(built: pa.Array, expected: pa.Array) -> None:
    built.validate(full=True)
    assert built.type == expected.type
    assert built.null_count == expected.null_count
    # NaN != NaN: compare the values as text
    assert [repr(v) for v in built.to_pylist()] == [repr(v) for v in expected.to_pylist()]


@pytest.mark.parametrize("type_", list(KINDS), ids=str)
@settings(deadline=None)
@given(data=st.data())
def test_python_values_with_nulls_make_the_array_pyarrow_makes(
    type_: pa.DataType, data: st.DataObject
) -> None:
    values = data.draw(st.lists(st.none() | KINDS[type_], max_size=40))
    _same(arrow.array(values, type_), pa.array(values, type_))


@pytest.mark.parametrize("type_", [pa.int32(), pa.int64(), pa.float64()], ids=str)
@settings(deadline=None)
@given(data=st.data())
def test_numpy_numbers_with_a_validity_mask(type_: pa.DataType, data: st.DataObject) -> None:
    values = data.draw(st.lists(KINDS[type_], max_size=40))
    valid = data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    dtype = {pa.int32(): np.int32, pa.int64(): np.int64, pa.float64(): np.float64}[type_]
    expected = pa.array([v if ok else None for v, ok in zip(values, valid, strict=True)], type_)
    _same(arrow.array(np.array(values, dtype=dtype), type_, valid=np.array(valid)), expected)
    _same(arrow.array(np.array(values, dtype=dtype), type_), pa.array(values, type_))


def test_numpy_days_and_booleans() -> None:
    days = np.array([0, 1, -1, 19_000], dtype=np.int64)
    expected = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    _same(arrow.array(days, pa.date32()), pa.array(expected, pa.date32()))
    flags = np.array([True, False, True, True, False, False, True, False, True])
    _same(arrow.array(flags, pa.bool_()), pa.array(flags.tolist(), pa.bool_()))
    valid = np.array([True] * 8 + [False])
    _same(
        arrow.array(flags, pa.bool_(), valid=valid),
        pa.array([*flags.tolist()[:8], None], pa.bool_()),
    )


def test_numbers_reads_sliced_and_chunked_columns_with_nulls_filled() -> None:
    whole = pa.array([1, None, 3, 4, None, 6, 7, 8, 9, None], pa.int64())
    column = pa.chunked_array([whole.slice(1, 4), pa.array([], pa.int64()), whole.slice(7)])
    assert arrow.numbers(column, pa.int64(), -1).tolist() == [-1, 3, 4, -1, 8, 9, -1]
    floats = arrow.numbers(column, pa.float64(), math.nan)
    assert [None if math.isnan(v) else v for v in floats] == [None, 3, 4, None, 8, 9, None]
    assert arrow.numbers(pa.chunked_array([], pa.int32()), pa.int32(), 0).tolist() == []
    assert arrow.numbers(pa.nulls(3, pa.int32()), pa.float64(), 0.5).tolist() == [0.5] * 3


@settings(deadline=None)
@given(st.lists(st.none() | st.floats() | st.integers(-(2**40), 2**40), max_size=40))
def test_numbers_equals_pyarrows_numpy_conversion(values: list[Any]) -> None:
    column = pa.array(values, pa.float64())
    expected = column.fill_null(-7.0).to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(arrow.numbers(column, pa.float64(), -7.0), expected)


def test_a_kind_it_does_not_make_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match="timestamp"):
        arrow.array([None], pa.timestamp("s"))
    with pytest.raises(InternalError, match="string"):
        arrow.array(np.array([1, 2]), pa.string())


@settings(deadline=None)
@given(data=st.data())
def test_take_gathers_text_as_pyarrows_take(data: st.DataObject) -> None:
    """Text beyond ASCII, nulls and empty strings, from a sliced and chunked column, at any
    indices (repeated, out of order, none)."""
    values = data.draw(st.lists(st.none() | st.text(), max_size=30))
    cut = data.draw(st.integers(0, len(values)))
    whole = pa.array(["skipped", *values], pa.string()).slice(1)
    chunked = pa.chunked_array([whole.slice(0, cut), whole.slice(cut)], pa.string())
    column = chunked if data.draw(st.booleans()) else whole  # whole: a slice, at offset 1
    indices = data.draw(st.lists(st.integers(0, max(len(values) - 1, 0)), max_size=50))
    indices = indices if values else []
    expected = whole.take(pa.array(indices, pa.int64()))
    _same(arrow.take(column, np.array(indices, dtype=np.int64)), expected)
    _same(arrow.take(column, np.arange(len(values))), whole)  # every value, in order


def test_take_refuses_what_it_does_not_gather() -> None:
    with pytest.raises(InternalError, match="int64"):
        arrow.take(pa.array([1, 2]), np.array([0]))
    with pytest.raises(InternalError, match="empty"):
        arrow.take(pa.array([], pa.string()), np.array([0]))
