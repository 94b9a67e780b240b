"""A KPI's whole day-by-day series computed with its peers (``day_series``: the default KPIs
whose days come from the same tables and date columns, in one query a server's pages share)
is the KPI's series alone: the same range, days and values; and the anomalies found from it
are those found from the KPI's own query."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest
from support.demo_copy import demo_copy

from shakhes.engine.planner import range_peers
from shakhes.service.anomalies import (
    DEFAULT_KPIS,
    AnomaliesQuery,
    anomalies,
    day_series,
    records,
)
from shakhes.service.compute import Query, compute
from shakhes.workspace import Workspace

AD = ("cost", "impressions", "clicks", "ctr", "cpc", "conversions", "conversion_rate", "cpa",
      "roas")  # fmt: skip
"""The default KPIs read from ad_performance alone (by its ``date``)."""
SINCE = dt.date(2025, 1, 1)
"""The first day reported: most of the demo's days (so that each KPI has anomalies)."""

LATER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
    "2027-01-20,google_ads,later,search,l1,Later,g,,USD,100,10,5.5,1,10\n"
)
"""A day of ads after every other table's last day: ad_performance's range then differs."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from shakhes.imports.report import ImportOptions
    from shakhes.service.imports import import_files

    folder = tmp_path_factory.mktemp("series")
    ws = Workspace.open(demo_copy(tmp_path_factory, folder / "demo"))
    (folder / "later.csv").write_text(LATER, encoding="utf-8")
    [done] = import_files(ws, [folder / "later.csv"], ImportOptions(source="canonical"))
    assert done.error is None
    yield ws
    ws.close()


def defined(ws: Workspace) -> list[str]:
    return [k for k in DEFAULT_KPIS if k in ws.definitions()]


def test_peers_read_their_days_from_the_same_columns(demo: Workspace) -> None:
    engine = demo.engine
    peers = range_peers(defined(demo), engine.definitions, engine.params)
    assert all(peers[k] == AD for k in AD)
    assert peers["revenue"] == peers["orders"] and set(peers["orders"]) == {"orders", "revenue"}
    assert peers["sessions"] == ("sessions",)
    # A KPI that cannot be planned (its formula names an unknown column) is alone.
    broken = {**engine.definitions}
    broken["cost"] = broken["cost"].model_copy(update={"formula": "sum(ad_performance.nope)"})
    assert range_peers(defined(demo), broken, engine.params)["cost"] == ("cost",)


def _rows(table: Any, kpi: str) -> list[tuple[Any, ...]]:
    import pyarrow.compute as pc

    mine = table.filter(pc.equal(table.column("kpi"), kpi))
    names = [
        n for n in ("period_start", "value", "numerator", "denominator") if n in mine.schema.names
    ]
    return list(zip(*(mine.column(n).to_pylist() for n in names), strict=True))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    return bool(a == b)


def test_a_kpis_series_with_its_peers_is_its_series_alone(demo: Workspace) -> None:
    engine = demo.engine
    peers = range_peers(defined(demo), engine.definitions, engine.params)
    data_ranges = set()
    for kpi in defined(demo):
        shared = day_series(demo, kpi)
        assert [k.spec.id for k in shared.plan.kpis] == list(peers[kpi])  # asked together
        alone = compute(demo, Query((kpi,), grain="day"))
        assert (shared.plan.start, shared.plan.end) == (alone.plan.start, alone.plan.end), kpi
        data_ranges.add((alone.plan.start, alone.plan.end))
        together, own = _rows(shared.table, kpi), _rows(alone.table, kpi)
        assert len(together) == len(own) > 0, kpi
        for x, y in zip(together, own, strict=True):
            assert all(_same(a, b) for a, b in zip(x, y, strict=True)), (kpi, x, y)
    assert len(data_ranges) > 1  # the tables' ranges differ: grouping them would show


def test_the_anomalies_of_one_kpi_from_the_shared_series_are_its_own(demo: Workspace) -> None:
    counted = {}
    for kpi in defined(demo):
        found = [
            records(anomalies(demo, AnomaliesQuery(kpis=[kpi], since=SINCE, shared=shared)))
            for shared in (True, False)
        ]
        assert found[0] == found[1], kpi  # (numbers rounded to 6 places, as the API writes them)
        counted[kpi] = len(found[0]["anomalies"])
    assert sum(counted.values()) > 10  # something to compare
