"""Property tests: ratio KPIs are ratios of sums at every grain and breakdown."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.data.model import TABLES
from shakhes.data.warehouse import Warehouse, arrow_schema
from shakhes.engine.engine import Engine
from shakhes.spec.catalog import load_catalog

WAREHOUSE = Warehouse.connect("duckdb://")
WAREHOUSE.ensure_schema()
ENGINE = Engine(WAREHOUSE, {k.id: k for k in load_catalog()})
START = dt.date(2024, 1, 25)

row = st.fixed_dictionaries(
    {
        "day": st.integers(0, 40),
        "channel": st.sampled_from(["search", "social"]),
        "campaign": st.sampled_from(["a", "b", "c"]),
        "impressions": st.integers(0, 10_000),
        "clicks_share": st.floats(0, 1),
        "cost": st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2)),
    }
)


def load(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    WAREHOUSE.backend.con.execute("DELETE FROM ad_performance")
    records, seen = [], set()
    for r in rows:
        key = (r["day"], r["channel"], r["campaign"])
        if key in seen:
            continue
        seen.add(key)
        imps = int(r["impressions"])  # type: ignore[call-overload]
        records.append(
            {
                "date": START + dt.timedelta(days=int(r["day"])),  # type: ignore[call-overload]
                "platform": "p",
                "account": "a",
                "channel": r["channel"],
                "campaign_id": r["campaign"],
                "campaign": r["campaign"],
                "ad_group": "g",
                "ad": None,
                "currency": "USD",
                "impressions": imps,
                "clicks": int(imps * float(r["clicks_share"])),  # type: ignore[arg-type]
                "cost": r["cost"],
                "conversions": 0.0,
                "conversion_value": 0.0,
            }
        )
    table = pa.Table.from_pylist(records, schema=arrow_schema(TABLES["ad_performance"]))
    WAREHOUSE.upsert("ad_performance", table)
    ENGINE.clear_cache()
    return records


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=40))
def test_month_ratio_is_sum_of_numerators_over_sum_of_denominators(
    rows: list[dict[str, object]],
) -> None:
    records = load(rows)
    period = (START, START + dt.timedelta(days=40))
    months = ENGINE.compute(["ctr", "cpc"], grain="month", by=["channel"], period=period)
    days = ENGINE.compute(["ctr", "cpc"], grain="day", by=["channel"], period=period)
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in records:
        key = (f"{r['date']:%Y-%m}", str(r["channel"]))
        sums[key][0] += float(r["clicks"])  # type: ignore[arg-type]
        sums[key][1] += float(r["impressions"])  # type: ignore[arg-type]
        sums[key][2] += float(r["cost"])  # type: ignore[arg-type]
    for (month, channel), (clicks, imps, cost) in sums.items():
        ctr = months.value("ctr", month, channel=channel)
        cpc = months.value("cpc", month, channel=channel)
        assert (ctr is None) == (imps == 0)
        assert (cpc is None) == (clicks == 0)
        if ctr is not None:
            assert math.isclose(ctr, clicks / imps, rel_tol=1e-12)
        if cpc is not None:
            assert math.isclose(cpc, cost / clicks, rel_tol=1e-9)
        # The same from the day rows: Σ numerators / Σ denominators, never a mean of ratios.
        f = days.frame
        part = f[(f.kpi == "ctr") & (f.channel == channel) & (f.period_label.str.startswith(month))]
        if ctr is not None:
            assert math.isclose(ctr, part.numerator.sum() / part.denominator.sum(), rel_tol=1e-12)
