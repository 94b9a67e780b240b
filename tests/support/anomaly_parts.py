"""The reference for the anomalies service's breakdowns: how they were computed before the parts
were done all at once, on the asked days only."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

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
