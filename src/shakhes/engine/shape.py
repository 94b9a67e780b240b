"""Shape a query's wide rows into the engine's long result: one row per period × breakdown ×
KPI, with the facts a reader needs beside each value — whether its period is complete, and for
a comparison the other side's value, days and completeness.

KPIs that could not be computed (``Plan.failures``) keep their rows, with null values, so that
every KPI asked for appears in every period; the reason is in the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.engine.execute import PERIOD
from shakhes.engine.planner import Plan
from shakhes.engine.request import Window


def floats(column: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A numeric Arrow column as float64 with NaN for null and for ±infinity."""
    values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isinf(values), np.nan, values)


def to_long(plan: Plan, windows: Sequence[Window], wide: pa.Table) -> pa.Table:
    """Reshape the query's wide rows (one per period × breakdown, ordered) to one row per KPI
    asked for, in the order asked. ``complete`` is :meth:`Plan.complete` of the row's window
    and KPI (None for a KPI that was not computed)."""
    by = list(plan.request.by)
    kpi_ids = list(plan.kpi_ids)
    computed = {k.spec.id: i for i, k in enumerate(plan.kpis)}
    n, k = wide.num_rows, len(kpi_ids)
    position = {w.index: i for i, w in enumerate(windows)}
    periods = wide.column(PERIOD).to_numpy(zero_copy_only=False)
    at = np.array([position[int(i)] for i in periods], dtype=np.int64)
    repeat = np.repeat(np.arange(n), k)

    def per_window(values: list[object]) -> np.ndarray[Any, np.dtype[np.object_]]:
        spread: np.ndarray[Any, np.dtype[np.object_]] = np.array(values, dtype=object)[at][repeat]
        return spread

    columns: dict[str, Any] = {
        PERIOD: pa.array(periods[repeat], pa.int32()),
        "period_start": pa.array(per_window([w.start for w in windows]), pa.date32()),
        "period_end": pa.array(per_window([w.end for w in windows]), pa.date32()),
        "period_label": pa.array(per_window([w.label for w in windows]), pa.string()),
        "period_label_fa": pa.array(per_window([w.label_fa for w in windows]), pa.string()),
    }
    for dim in by:
        columns[dim] = pa.array(
            wide.column(dim).to_numpy(zero_copy_only=False)[repeat], pa.string()
        )
    columns["kpi"] = pa.array(np.tile(np.array(kpi_ids, dtype=object), n), pa.string())
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
            columns[col] = matrix.reshape(-1)
        else:
            columns[col] = np.empty(0, dtype=np.float64)
    complete = np.array(
        [[plan.complete(w, kpi) if kpi in computed else None for kpi in kpi_ids] for w in windows],
        dtype=object,
    ).reshape(len(windows), k)
    columns["complete"] = pa.array(
        complete[at].reshape(-1) if n else np.empty(0, dtype=object), pa.bool_()
    )
    columns["missing"] = _missing(wide, kpi_ids, computed)
    return pa.table(columns)


def _missing(wide: pa.Table, kpi_ids: list[str], computed: dict[str, int]) -> pa.Array:
    """Per row, how many rows of the data lacked a value the KPI reads (0 for a KPI that reads
    no column that may be empty; null for a KPI not computed)."""
    n = wide.num_rows
    per_kpi = []
    for kpi in kpi_ids:
        name = f"missing_{computed[kpi]}" if kpi in computed else None
        if name is not None and name in wide.column_names:
            per_kpi.append(
                pc.fill_null(wide.column(name), 0).to_numpy(zero_copy_only=False).astype(object)
            )
        else:
            per_kpi.append(np.full(n, 0 if kpi in computed else None, dtype=object))
    values = np.column_stack(per_kpi).reshape(-1) if n and per_kpi else np.empty(0, dtype=object)
    return pa.array(values, pa.int64())


def compare(
    plan: Plan, current: pa.Table, previous: pa.Table, windows: Sequence[Window]
) -> pa.Table:
    """``current`` with the value of the window each period is compared with (``windows``,
    by period index), its days, whether every one of those days has data for the KPI
    (``previous_complete``), and the change (``change_pct`` null where the previous value is
    0 or unknown)."""
    by = list(plan.request.by)
    keys = [PERIOD, *by, "kpi"]
    prev = previous.select([*keys, "value"]).rename_columns([*keys, "previous_value"])
    order = "_row"
    joined = (
        current.append_column(order, pa.array(np.arange(current.num_rows)))
        .join(prev, keys, join_type="left outer")
        .sort_by(order)
        .drop_columns([order])
    )
    bounds = {w.index: (w.start, w.end) for w in windows}
    computed = {k.spec.id for k in plan.kpis}
    covered = {
        (w.index, kpi): plan.covered(w, kpi) if kpi in computed else None
        for w in windows
        for kpi in plan.kpi_ids
    }
    index = joined.column(PERIOD).to_pylist()
    kpis = joined.column("kpi").to_pylist()
    value = floats(joined.column("value"))
    before = floats(joined.column("previous_value"))
    change = value - before
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = change / np.where(before == 0.0, np.nan, np.abs(before))
    return (
        joined.drop_columns(["previous_value"])
        .append_column("previous_start", pa.array([bounds[i][0] for i in index], pa.date32()))
        .append_column("previous_end", pa.array([bounds[i][1] for i in index], pa.date32()))
        .append_column("previous_value", pa.array(before, pa.float64()))
        .append_column(
            "previous_complete",
            pa.array([covered[(i, k)] for i, k in zip(index, kpis, strict=True)], pa.bool_()),
        )
        .append_column("change", pa.array(change, pa.float64()))
        .append_column("change_pct", pa.array(pct, pa.float64()))
    )
