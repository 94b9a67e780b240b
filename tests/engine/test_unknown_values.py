"""Unknown is not zero, in the engine: a column that may hold no value (leads, reach, a deal's
value) is added up over the rows that have one; the result says how many rows lacked it, and a
sum over rows that all lack it is unknown (null), never 0 — while a sum over no rows at all
stays 0. Checked on DuckDB and Postgres against counts written out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from shakhes.data.model import TABLES
from shakhes.data.warehouse import Warehouse, arrow_schema
from shakhes.engine.engine import Engine, Result
from shakhes.service.compute import columns, records
from shakhes.spec.catalog import load_catalog
from shakhes.spec.kpi import KpiSpec

D1, D2, D3 = dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)


def _ad(day: dt.date, channel: str, n: int, leads: int | None, cost: float) -> dict[str, Any]:
    return {
        "date": day,
        "platform": "yektanet" if channel == "display" else "google_ads",
        "account": "a",
        "channel": channel,
        "campaign_id": f"{channel}-{n}",
        "campaign": f"{channel} {n}",
        "ad_group": "g",
        "ad": "x",
        "currency": "USD",
        "impressions": 1000,
        "clicks": 10,
        "cost": cost,
        "conversions": 1.0,
        "conversion_value": 10.0,
        "reach": None,
        "video_views": None,
        "engagements": None,
        "leads": leads,
    }


ADS = [
    _ad(D1, "search", 0, 3, 30.0),
    _ad(D1, "search", 1, None, 20.0),  # unknown leads: left out, counted as missing
    _ad(D1, "display", 0, None, 50.0),  # display's only row on D1: its leads are unknown
    _ad(D2, "search", 0, 5, 10.0),
    _ad(D2, "search", 1, 7, 10.0),
    # D3: no rows at all — a sum over no rows is 0 (and nothing is missing)
]


def _kpi(kpi_id: str, formula: str, unit: str = "count") -> KpiSpec:
    return KpiSpec.model_validate(
        {
            "id": kpi_id,
            "name": {"en": kpi_id, "fa": kpi_id},
            "description": {"en": "-", "fa": "-"},
            "formula": formula,
            "unit": unit,
            "direction": "higher_is_better",
            "kind": "operational",
            "timing": "leading",
            "category": "engagement",
        }
    )


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = "duckdb://" if request.param == "duckdb" else request.getfixturevalue("pg_database")
    wh = Warehouse.connect(url)
    wh.ensure_schema()
    wh.upsert(
        "ad_performance",
        pa.Table.from_pylist(ADS, schema=arrow_schema(TABLES["ad_performance"])),
    )
    definitions = {k.id: k for k in load_catalog()}
    for spec in (
        _kpi("ad_leads", "sum(ad_performance.leads)"),
        _kpi("cost_per_ad_lead", "sum(ad_performance.cost) / ad_leads", "currency"),
        _kpi("search_leads", "sum(ad_performance.leads where channel = 'search')"),
    ):
        definitions[spec.id] = spec
    yield Engine(wh, definitions)
    wh.close()


def by_day(result: Result, kpi: str, channel: str | None = None) -> dict[str, tuple[Any, Any]]:
    """Per day label: (value, missing)."""
    out = {}
    for r in result.records():
        if r["kpi"] == kpi and (channel is None or r["channel"] == channel):
            value = None if r["value"] != r["value"] else r["value"]  # NaN → None
            out[r["period_label"]] = (value, r["missing"])
    return out


def test_known_values_add_up_and_the_unknown_are_counted(engine: Engine) -> None:
    result = engine.compute(["ad_leads", "cost_per_ad_lead", "clicks"], "day", (), (D1, D3))
    assert by_day(result, "ad_leads") == {
        "2025-03-01": (3.0, 2),  # 3 known; the search row and the display row lack leads
        "2025-03-02": (12.0, 0),
        "2025-03-03": (0.0, 0),  # no rows: 0, not unknown
    }
    # cost over all rows (100) / the leads known (3): the KPI says 2 rows lacked a value
    assert by_day(result, "cost_per_ad_lead")["2025-03-01"] == (pytest.approx(100 / 3), 2)
    assert by_day(result, "clicks")["2025-03-01"] == (30.0, 0)  # reads no column that can lack


def test_a_sum_over_rows_that_all_lack_the_value_is_unknown(engine: Engine) -> None:
    result = engine.compute(["ad_leads"], "day", ["channel"], (D1, D2))
    assert by_day(result, "ad_leads", "display") == {
        "2025-03-01": (None, 1),  # its one row lacks leads: unknown, not 0
        "2025-03-02": (0.0, 0),  # no display rows that day
    }
    assert by_day(result, "ad_leads", "search") == {"2025-03-01": (3.0, 1), "2025-03-02": (12.0, 0)}


def test_a_filtered_aggregate_counts_only_the_rows_it_reads(engine: Engine) -> None:
    result = engine.compute(["search_leads"], "total", (), (D1, D2))
    assert by_day(result, "search_leads") == {"2025-03-01 – 2025-03-02": (15.0, 1)}


def test_records_carry_missing_only_when_a_kpi_can_lack_values(engine: Engine) -> None:
    lacking = engine.compute(["ad_leads"], "total", (), (D1, D2))
    assert "missing" in columns(lacking)
    assert [(r["value"], r["missing"]) for r in records(lacking)] == [(15, 2)]
    plain = engine.compute(["clicks"], "total", (), (D1, D2))
    assert "missing" not in columns(plain)
    assert "missing" not in records(plain)[0]


def test_the_table_marks_values_over_rows_that_lacked_one(engine: Engine) -> None:
    import io

    from rich.console import Console

    from shakhes.cli import output

    result = engine.compute(["ad_leads", "clicks"], "day", ["channel"], (D1, D2))
    console = Console(file=io.StringIO(), width=120)
    output.to_table(result, engine.definitions, currency="USD", locale="en", console=console)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    lines = shown.splitlines()
    display_d1 = next(line for line in lines if "2025-03-01" in line and "display" in line)
    assert "—‡" in display_d1  # unknown, marked
    search_d1 = next(line for line in lines if "2025-03-01" in line and "search" in line)
    assert "3‡" in search_d1
    assert (
        "‡ ad_leads: 2 row(s) had no value of ad_performance.leads — unknown, left out of the "
        "value, not counted as 0" in shown
    )
