"""The reference for the anomalies service's breakdowns: how they were computed before the parts
were done all at once, on the asked days only."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from shakhes.analysis import anomalies as method


def breakdown_part_by_part(
    rows: pd.DataFrame,
    dim: str,
    *,
    ratio: bool,
    start: dt.date,
    end: dt.date,
    days: list[int],
) -> method.Breakdown:
    """One KPI's breakdown by ``dim`` on every day from ``start`` to ``end`` (``days`` only
    says which are asked): each value's rows a pandas group (groupby's order, no value as
    ""), put day by day into a series (additive: 0 for a day without a row), and each part's
    expected values from its own :func:`~shakhes.analysis.anomalies.baseline` over every day
    (the ratio's and the denominator's)."""
    n = (end - start).days + 1
    names, series = [], []
    for value, group in rows.groupby(dim, sort=True, dropna=False):
        names.append("" if pd.isna(value) else str(value))
        by_day = {c: np.full(n, np.nan) for c in ("value", "numerator", "denominator")}
        for day, *numbers in group[["period_start", *by_day]].itertuples(index=False):
            for column, number in zip(by_day, numbers, strict=True):
                by_day[column][(day - start).days] = number
        series.append(by_day)

    def matrix(rows: list[np.ndarray]) -> np.ndarray:
        return np.array(rows, dtype=np.float64).reshape(len(names), n)

    def expected(rows: list[np.ndarray]) -> np.ndarray:
        return matrix([method.baseline(r).expected for r in rows])

    every = list(range(n))
    if ratio:
        q = [method.ratio_values(x["numerator"], x["denominator"]) for x in series]
        den = [x["denominator"] for x in series]
        return method.Breakdown(names, every, matrix(q), expected(q), matrix(den), expected(den))
    v = [np.nan_to_num(x["value"]) for x in series]
    return method.Breakdown(names, every, matrix(v), expected(v), None, None)


def breakdown_part_by_part_of(
    table: pa.Table,
    kpi: str,
    dim: str,
    *,
    ratio: bool,
    start: dt.date,
    end: dt.date,
    days: list[int],
) -> method.Breakdown:
    """:func:`breakdown_part_by_part` of ``kpi``'s rows among the engine's long rows (Arrow),
    as the service's breakdown takes them: by ``dim`` alone or by several dimensions, each
    day and value of ``dim`` the sum of its rows' numbers, added one by one in the rows'
    order (no number where none of them has one)."""
    columns = ["value", "numerator", "denominator"]
    sums: dict[tuple[Any, Any], dict[str, float]] = {}
    for row in table.select(["kpi", "period_start", dim, *columns]).to_pylist():
        if row["kpi"] != kpi:
            continue
        found = sums.setdefault((row["period_start"], row[dim]), {})
        for column in columns:
            number = row[column]
            if number is not None and not math.isnan(number):
                found[column] = found.get(column, 0.0) + number
    summed = pd.DataFrame(
        [
            {"period_start": day, dim: value, **{c: found.get(c, np.nan) for c in columns}}
            for (day, value), found in sums.items()
        ]
    )
    return breakdown_part_by_part(summed, dim, ratio=ratio, start=start, end=end, days=days)
