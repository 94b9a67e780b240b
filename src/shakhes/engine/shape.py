"""Shape a query's wide rows into the engine's long result: one row per period × breakdown ×
KPI, with the facts a reader needs beside each value — whether its period is complete, and for
a comparison the other side's value, days and completeness.

KPIs that could not be computed (``Plan.failures``) keep their rows, with null values, so that
every KPI asked for appears in every period; the reason is in the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from shakhes.engine import arrow
from shakhes.engine.execute import PERIOD
from shakhes.engine.planner import Plan
from shakhes.engine.request import Window
from shakhes.errors import InternalError


def floats(column: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A numeric Arrow column as float64 with NaN for null and for ±infinity."""
    values = arrow.numbers(column, pa.float64(), np.nan)
    return np.where(np.isinf(values), np.nan, values)


def to_long(plan: Plan, windows: Sequence[Window], wide: pa.Table) -> pa.Table:
    """Reshape the query's wide rows (one per period × breakdown, ordered) to one row per KPI
    asked for, in the order asked. ``complete`` is :meth:`Plan.complete` of the row's window
    and KPI (None for a KPI that was not computed)."""
    by = list(plan.request.by)
    kpi_ids = list(plan.kpi_ids)
    computed = {k.spec.id: i for i, k in enumerate(plan.kpis)}
    n, k = wide.num_rows, len(kpi_ids)
    periods = arrow.numbers(wide.column(PERIOD), pa.int32(), 0)
    at = _positions(windows, periods)  # the window of each wide row
    repeat = np.repeat(np.arange(n), k)  # the wide row of each long row
    of_window = at[repeat]  # the window of each long row

    def days(values: list[dt.date]) -> pa.Array:
        """Per long row, the value of its window among ``values`` (one per window)."""
        return arrow.array(
            arrow.numbers(arrow.array(values, pa.date32()), pa.date32(), 0)[of_window], pa.date32()
        )

    def text(values: list[str]) -> pa.Array:
        """Per long row, the text of its window among ``values`` (one per window)."""
        return arrow.take(arrow.array(values, pa.string()), of_window)

    columns: dict[str, Any] = {
        PERIOD: arrow.array(periods[repeat], pa.int32()),
        "period_start": days([w.start for w in windows]),
        "period_end": days([w.end for w in windows]),
        "period_label": text([w.label for w in windows]),
        "period_label_fa": text([w.label_fa for w in windows]),
    }
    for dim in by:
        columns[dim] = arrow.take(wide.column(dim), repeat)
    columns["kpi"] = arrow.take(arrow.array(kpi_ids, pa.string()), np.tile(np.arange(k), n))
    for col in ("value", "numerator", "denominator"):
        if n:
            nan = np.full(n, np.nan)
            matrix = np.column_stack(
                [
                    floats(wide.column(name))
                    if kpi in computed and (name := f"{col}_{computed[kpi]}") in wide.column_names
                    else nan
                    for kpi in kpi_ids
                ]
            )
            columns[col] = arrow.array(matrix.reshape(-1), pa.float64())
        else:
            columns[col] = arrow.array([], pa.float64())
    complete = np.zeros((len(windows), k), dtype=bool)
    known = np.zeros((len(windows), k), dtype=bool)  # null for a KPI not computed
    for j, kpi in enumerate(kpi_ids):
        if kpi in computed:
            complete[:, j] = [plan.complete(w, kpi) for w in windows]
            known[:, j] = True
    columns["complete"] = arrow.array(
        complete[at].reshape(-1), pa.bool_(), valid=known[at].reshape(-1)
    )
    columns["missing"] = _missing(wide, kpi_ids, computed)
    return pa.table(columns)


def _positions(
    windows: Sequence[Window], periods: np.ndarray[Any, Any]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """The position in ``windows`` of the window of each period index of ``periods``."""
    indices = np.array([w.index for w in windows], dtype=np.int64)
    position = np.full(int(indices.max(initial=-1)) + 1, -1, dtype=np.int64)
    position[indices] = np.arange(len(windows))
    inside = (periods >= 0) & (periods < len(position))
    at: np.ndarray[Any, np.dtype[np.int64]] = position[np.where(inside, periods, 0)]
    if not inside.all() or (at < 0).any():
        raise InternalError("a period index of the query's rows is no window's")
    return at


def _missing(wide: pa.Table, kpi_ids: list[str], computed: dict[str, int]) -> pa.Array:
    """Per row, how many rows of the data lacked a value the KPI reads (0 for a KPI that reads
    no column that may be empty; null for a KPI not computed)."""
    n = wide.num_rows
    counts = np.zeros((n, len(kpi_ids)), dtype=np.int64)
    known = np.ones((n, len(kpi_ids)), dtype=bool)
    for j, kpi in enumerate(kpi_ids):
        name = f"missing_{computed[kpi]}" if kpi in computed else None
        if name is not None and name in wide.column_names:
            counts[:, j] = arrow.numbers(wide.column(name), pa.int64(), 0)
        elif kpi not in computed:
            known[:, j] = False
    return arrow.array(counts.reshape(-1), pa.int64(), valid=known.reshape(-1))


def compare(
    plan: Plan, current: pa.Table, previous: pa.Table, windows: Sequence[Window]
) -> pa.Table:
    """``current`` with the value of the window each period is compared with (``windows``,
    by period index), its days, whether every one of those days has data for the KPI
    (``previous_complete``), and the change (``change_pct`` null where the previous value is
    0 or unknown)."""
    by = list(plan.request.by)
    keys = [PERIOD, *by, "kpi"]
    # A left join on the keys, in Python: the tables are small, and pyarrow's join imports
    # pyarrow.dataset, which imports pandas (see shakhes.engine.arrow).
    earlier = dict(zip(_rows(previous, keys), floats(previous.column("value")), strict=True))
    before = np.array([earlier.get(key, np.nan) for key in _rows(current, keys)], dtype=float)
    bounds = {w.index: (w.start, w.end) for w in windows}
    computed = {k.spec.id for k in plan.kpis}
    covered = {
        (w.index, kpi): plan.covered(w, kpi) if kpi in computed else None
        for w in windows
        for kpi in plan.kpi_ids
    }
    index = current.column(PERIOD).to_pylist()
    kpis = current.column("kpi").to_pylist()
    value = floats(current.column("value"))
    change = value - before
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = change / np.where(before == 0.0, np.nan, np.abs(before))
    return (
        current.append_column(
            "previous_start", arrow.array([bounds[i][0] for i in index], pa.date32())
        )
        .append_column("previous_end", arrow.array([bounds[i][1] for i in index], pa.date32()))
        .append_column("previous_value", arrow.array(before, pa.float64()))
        .append_column(
            "previous_complete",
            arrow.array([covered[(i, k)] for i, k in zip(index, kpis, strict=True)], pa.bool_()),
        )
        .append_column("change", arrow.array(change, pa.float64()))
        .append_column("change_pct", arrow.array(pct, pa.float64()))
    )


def _rows(table: pa.Table, keys: list[str]) -> list[tuple[Any, ...]]:
    """The values of ``keys`` in each row of ``table``."""
    return list(zip(*(table.column(k).to_pylist() for k in keys), strict=True))
