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
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.engine.execute import PERIOD
from shakhes.engine.planner import Plan
from shakhes.engine.request import Window


def floats(column: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A numeric Arrow column as float64 with NaN for null and for ±infinity."""
    values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isinf(values), np.nan, values)


def to_long(plan: Plan, windows: Sequence[Window], wide: pa.Table) -> pd.DataFrame:
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
        PERIOD: periods[repeat],
        "period_start": per_window([w.start for w in windows]),
        "period_end": per_window([w.end for w in windows]),
        "period_label": per_window([w.label for w in windows]),
        "period_label_fa": per_window([w.label_fa for w in windows]),
    }
    for dim in by:
        columns[dim] = wide.column(dim).to_numpy(zero_copy_only=False)[repeat]
    columns["kpi"] = np.tile(np.array(kpi_ids, dtype=object), n)
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
    columns["complete"] = complete[at].reshape(-1) if n else np.empty(0, dtype=object)
    return pd.DataFrame(columns)


def compare(
    plan: Plan, current: pd.DataFrame, previous: pd.DataFrame, windows: Sequence[Window]
) -> pd.DataFrame:
    """``current`` with the value of the window each period is compared with (``windows``,
    by period index), its days, whether every one of those days has data for the KPI
    (``previous_complete``), and the change."""
    by = list(plan.request.by)
    keys = [PERIOD, *by, "kpi"]
    prev = previous[[*keys, "value"]].rename(columns={"value": "previous_value"})
    out = current.merge(prev, on=keys, how="left")
    bounds = {w.index: (w.start, w.end) for w in windows}
    out["previous_start"] = out[PERIOD].map(lambda i: bounds[i][0])
    out["previous_end"] = out[PERIOD].map(lambda i: bounds[i][1])
    computed = {k.spec.id for k in plan.kpis}
    covered = {
        (w.index, kpi): plan.covered(w, kpi) if kpi in computed else None
        for w in windows
        for kpi in plan.kpi_ids
    }
    out["previous_complete"] = pd.Series(
        [covered[(int(i), str(kpi))] for i, kpi in zip(out[PERIOD], out["kpi"], strict=True)],
        index=out.index,
        dtype=object,
    )
    out["change"] = out["value"] - out["previous_value"]
    base = out["previous_value"].abs().replace(0.0, np.nan)
    out["change_pct"] = out["change"] / base
    return out
