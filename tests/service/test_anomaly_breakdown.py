"""The anomalies service's breakdown of one KPI by a dimension, from the engine's long rows:
the same parts, in the same order, with the same contributions on every asked day as a pandas
group and a whole-series baseline per value (:mod:`support.anomaly_parts`), whatever the rows'
order, gaps and values without a name."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from support.anomaly_parts import breakdown_part_by_part

from shakhes.service.anomalies import _breakdown

START = dt.date(2025, 1, 1)
DAYS = 150
NAMES = ["search", "Social", "(none)", "display", "ébook", "", None, "b", "a"]


def rows(dtype: str, seed: int, *, ratio: bool) -> pd.DataFrame:
    """Long rows (one per value and day) of a few dimension values, shuffled, each value
    missing some days, one (None) the rows without a value; a spike on day 140 of one."""
    rng = np.random.default_rng(seed)
    records = []
    for i, name in enumerate(NAMES):
        level = 100.0 * (i + 1)
        for day in range(DAYS):
            if rng.random() < 0.15:  # no row that day
                continue
            den = level * rng.lognormal(0.0, 0.1) * (1.0 + 0.3 * (day % 7 == 5))
            num = den * 0.05 * rng.lognormal(0.0, 0.1) * (3.0 if (i, day) == (3, 140) else 1.0)
            if rng.random() < 0.05:
                num = 0.0  # a day with no clicks: not multiplicative
            records.append(
                {
                    "period_start": START + dt.timedelta(days=day),
                    "dim": name,
                    "value": num / den if ratio else num,
                    "numerator": num if ratio else np.nan,
                    "denominator": den if ratio else np.nan,
                }
            )
    frame = pd.DataFrame(records).sample(frac=1.0, random_state=seed)
    frame["dim"] = frame["dim"].astype(dtype)
    return frame


@pytest.mark.parametrize("dtype", ["str", "object"])
@pytest.mark.parametrize("ratio", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_breakdown_is_a_baseline_per_part(dtype: str, ratio: bool, seed: int) -> None:
    frame = rows(dtype, seed, ratio=ratio)
    end = START + dt.timedelta(days=DAYS - 1)
    days = [140, 60, 149, 3, 100]
    table = pa.Table.from_pandas(frame.assign(kpi="k"), preserve_index=False)
    got = _breakdown(table, "k", "dim", ratio=ratio, start=START, end=end, days=days)
    want = breakdown_part_by_part(frame, "dim", ratio=ratio, start=START, end=end, days=days)
    assert got.names == want.names
    assert got.names[-2:] == ["ébook", ""]  # sorted, the rows without a value last
    for t in days:
        assert list(got.at(t).items()) == list(want.at(t).items())  # order: ties in explain
    assert max(got.at(140).items(), key=lambda kv: kv[1])[0] == "display"


@pytest.mark.parametrize("ratio", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_breakdown_summed_from_rows_by_two_dimensions_is_the_breakdown_by_one(
    ratio: bool, seed: int
) -> None:
    """The engine's rows by two dimensions (Arrow), summed per value of one of them, give the
    breakdown of the rows by that one alone — summed here with pandas — part for part, day for
    day; a day where no row of a value has a number has none."""
    whole = rows("object", seed, ratio=ratio)
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.1, 0.9, size=len(whole))  # each row split in two by `other`
    columns = ["value", "numerator", "denominator"]
    x, y = whole.assign(other="x"), whole.assign(other="y")
    x[columns] = x[columns].mul(share, axis=0)
    y[columns] = y[columns].mul(1 - share, axis=0)
    frame = pd.concat([x, y.sample(frac=0.7, random_state=seed)])  # not every row has a y
    frame.loc[frame.sample(frac=0.02, random_state=seed).index, "numerator"] = np.nan
    frame["kpi"] = "k"
    noise = frame.assign(kpi="another", value=1e9, numerator=1e9, denominator=1.0)
    table = pa.Table.from_pandas(pd.concat([noise, frame]), preserve_index=False)
    alone = frame.groupby(["period_start", "dim"], dropna=False)[columns].sum(min_count=1)
    end = START + dt.timedelta(days=DAYS - 1)
    days = [140, 60, 149, 3, 100]
    got = _breakdown(table, "k", "dim", ratio=ratio, start=START, end=end, days=days)
    want = breakdown_part_by_part(alone.reset_index(), "dim", ratio=ratio, start=START, end=end,
                                  days=days)  # fmt: skip
    assert got.names == want.names and got.names[-1] == ""
    for t in days:
        assert [name for name, _ in got.at(t).items()] == [name for name, _ in want.at(t).items()]
        np.testing.assert_allclose(
            [v for _, v in got.at(t).items()], [v for _, v in want.at(t).items()], rtol=1e-12
        )
