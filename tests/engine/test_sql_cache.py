"""The engine keeps the SQL of the queries it ran across data versions (``Engine._execute``):
after the data changes, a request runs its kept SQL on the new data, with the numbers a new
engine gives and hand-written SQL gives; what changes the SQL (a second currency to convert, a
longer data range, another formula) compiles anew."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from support.engine_data import END, START, dataset, sql_rows

from shakhes.data.rates import load_rates
from shakhes.data.warehouse import Compiled, Warehouse
from shakhes.engine.engine import Engine, Result
from shakhes.engine.execute import query_key
from shakhes.spec.catalog import load_catalog
from shakhes.spec.kpi import KpiSpec

PERIOD = (START, END)
CATALOG = {k.id: k for k in load_catalog()}


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every expression compiled from now on."""
    found: list[str] = []
    compile = Warehouse.compile

    def counted(self: Warehouse, expr: Any) -> Compiled | None:
        compiled = compile(self, expr)
        found.append(compiled.sql if compiled is not None else "")
        return compiled

    monkeypatch.setattr(Warehouse, "compile", counted)
    return found


@pytest.fixture
def local() -> Any:
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    wh.upsert("ad_performance", dataset()["ad_performance"])
    yield wh
    wh.close()


def by_month_and_channel(result: Result, kpi: str) -> dict[tuple[str, str], float]:
    return {
        (r["period_label"], r["channel"]): r["value"] for r in result.records() if r["kpi"] == kpi
    }


def rows(result: Result) -> list[dict[str, Any]]:
    """The result's rows, NaN as None (so that equal results compare equal)."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in result.records()
    ]


def queries(compiles: list[str]) -> list[str]:
    """The engine's own queries among ``compiles`` (not its look at the currencies)."""
    return [sql for sql in compiles if "value_0" in sql]


def hand_cost(wh: Warehouse) -> dict[tuple[str, str], float]:
    """Cost per month and channel, written by hand (0 where a month has no row of a channel
    that other months have, as the engine's spine gives)."""
    summed = sql_rows(
        wh,
        f"""SELECT strftime(date, '%Y-%m'), channel, sum(cost) FROM ad_performance
            WHERE date BETWEEN DATE '{START}' AND DATE '{END}' GROUP BY ALL""",
    )
    found = {(m, c): v for m, c, v in summed}
    channels = {c for _, c in found}
    months = {m for m, _ in found}
    return {(m, c): found.get((m, c), 0.0) for m in months for c in channels}


def test_kept_sql_runs_on_the_new_data_without_compiling(
    local: Warehouse, compiles: list[str]
) -> None:
    version = [0]
    engine = Engine(local, CATALOG, version=lambda: version[0])
    request = engine.request(["cost", "ctr"], "month", by=["channel"], period=PERIOD)
    before = engine.run(request)
    assert len(queries(compiles)) == 1
    assert by_month_and_channel(before, "cost") == pytest.approx(hand_cost(local))

    ads = dataset()["ad_performance"]
    doubled = ads.set_column(
        ads.schema.get_field_index("cost"), "cost", pc.multiply(ads.column("cost"), 2.0)
    )
    local.upsert("ad_performance", doubled)  # the same rows (keys) with twice the cost
    version[0] += 1
    after = engine.run(request)
    assert not after.from_cache
    assert len(queries(compiles)) == 1  # the kept SQL ran: nothing was built or compiled
    costs = by_month_and_channel(after, "cost")
    assert costs == pytest.approx(hand_cost(local))
    assert costs == pytest.approx(
        {k: 2 * v for k, v in by_month_and_channel(before, "cost").items()}
    )
    fresh = Engine(local, CATALOG, version=lambda: version[0]).run(request)
    assert len(queries(compiles)) == 2
    assert rows(after) == rows(fresh)


def test_a_second_currency_compiles_the_converting_query(
    local: Warehouse, compiles: list[str], tmp_path: Path
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2024-01-01,IRT,0.00002\n", encoding="utf-8")
    load_rates(local, rates, "USD", today=dt.date(2024, 7, 1))
    version = [0]
    engine = Engine(local, CATALOG, version=lambda: version[0], currency="USD")
    request = engine.request(["cost"], "year", period=PERIOD)
    usd = engine.run(request).value("cost", "2024")
    assert len(queries(compiles)) == 1 and "shakhes_rates" not in queries(compiles)[0]

    ads = dataset()["ad_performance"]
    irt = ads.slice(0, 1)
    irt = irt.set_column(irt.schema.get_field_index("currency"), "currency", pa.array(["IRT"]))
    irt = irt.set_column(irt.schema.get_field_index("account"), "account", pa.array(["ir"]))
    irt = irt.set_column(irt.schema.get_field_index("cost"), "cost", pa.array([500_000.0]))
    local.upsert("ad_performance", irt)
    version[0] += 1
    converted = engine.run(request)
    assert (
        len(queries(compiles)) == 2 and "shakhes_rates" in queries(compiles)[1]
    )  # not the kept SQL
    assert converted.currency == "USD"
    assert usd is not None
    assert converted.value("cost", "2024") == pytest.approx(usd + 500_000.0 * 0.00002)
    (hand,) = sql_rows(
        local,
        f"""SELECT sum(CASE WHEN a.currency = 'USD' THEN a.cost ELSE a.cost * r.rate END)
            FROM ad_performance a LEFT JOIN shakhes_rates r
              ON r.date = a.date AND r.currency = a.currency
            WHERE a.date BETWEEN DATE '{START}' AND DATE '{END}'""",
    )
    assert converted.value("cost", "2024") == pytest.approx(hand[0])


def test_a_longer_data_range_retargets_its_shape(local: Warehouse, compiles: list[str]) -> None:
    """Without a range asked for, the periods follow the data: a new day is a new period, in
    the SQL of the query's shape re-targeted to the new days (nothing compiled)."""
    version = [0]
    engine = Engine(local, CATALOG, version=lambda: version[0])
    request = engine.request(["clicks"], "day")
    before = engine.run(request)
    assert len(queries(compiles)) == 1
    ads = dataset()["ad_performance"]
    later = ads.slice(0, 1)
    day = END + dt.timedelta(days=3)
    later = later.set_column(later.schema.get_field_index("date"), "date", pa.array([day]))
    local.upsert("ad_performance", later)
    version[0] += 1
    after = engine.run(request)
    assert len(queries(compiles)) == 1
    assert after.plan.end == day and before.plan.end == END
    (hand,) = sql_rows(local, f"SELECT sum(clicks) FROM ad_performance WHERE date = '{day}'")
    assert after.value("clicks", str(day)) == pytest.approx(hand[0])
    assert after.value("clicks", str(day)) == later.column("clicks")[0].as_py()
    assert rows(after) == rows(Engine(local, CATALOG, version=lambda: 1).run(request))


def test_the_key_holds_what_the_sql_is_built_from(local: Warehouse) -> None:
    """Equal requests give equal keys; another formula, filter, parameter, week start or
    conversion gives another."""
    from shakhes.engine.calendar import CalendarSettings

    def key(engine: Engine, *args: Any, convert: dict[str, str] | None = None, **kw: Any) -> str:
        plan = engine.plan(engine.request(*args, **kw))
        with engine._session():
            return query_key(plan, plan.windows, engine.warehouse, convert)

    engine = Engine(local, CATALOG)
    base = key(engine, ["cpc"], "week", period=PERIOD)
    assert key(Engine(local, CATALOG), ["cpc"], "week", period=PERIOD) == base
    spec = CATALOG["cpc"].model_dump()
    other = {
        **CATALOG,
        "cpc": KpiSpec.model_validate(
            {**spec, "formula": "sum(ad_performance.cost) / sum(ad_performance.impressions)"}
        ),
    }
    assert key(Engine(local, other), ["cpc"], "week", period=PERIOD) != base
    assert key(engine, ["cpc"], "week", period=PERIOD, where="channel = 'search'") != base
    sunday = Engine(local, CATALOG, calendar=CalendarSettings(week_start=6))
    assert key(sunday, ["cpc"], "week", period=PERIOD) != base
    assert key(engine, ["cpc"], "week", period=PERIOD, convert={"ad_performance": "USD"}) != base
    roi = key(engine, ["roi"], "week", period=PERIOD)
    assert (
        key(Engine(local, CATALOG, params={"gross_margin": 0.4}), ["roi"], "week", period=PERIOD)
        != roi
    )
    assert key(engine, ["cpc"], "week", period=(START, END - dt.timedelta(days=1))) != base


def test_threads_run_one_kept_sql_at_once(local: Warehouse, compiles: list[str]) -> None:
    """Connections of their own run the same kept SQL side by side: the in-memory tables it
    names are views of each connection alone."""
    import itertools
    from collections.abc import Callable, Iterator
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import contextmanager

    @contextmanager
    def turn() -> Iterator[Callable[[], Warehouse]]:
        cursor = local.cursor()
        try:
            yield lambda: cursor
        finally:
            cursor.close()

    versions = itertools.count()  # a new data version for every call: no result is reused
    engine = Engine(turn, CATALOG, version=lambda: next(versions))
    request = engine.request(["cost", "ctr"], "week", by=["channel"], period=PERIOD)
    expected = rows(Engine(local, CATALOG).run(request))
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: rows(engine.run(request)), range(16)))
    assert all(f == expected for f in found)
    assert len(queries(compiles)) <= 1 + 4  # the fresh engine's, then at most one per thread


ADS = """\
date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,clicks,\
cost,conversions,conversion_value
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,10000,200,25.5,1,50
2024-01-20,meta,m1,social,c2,Winter,g1,,USD,20000,40,10,1,80
2024-02-03,google_ads,a1,search,c1,Brand,g1,,USD,1000,30,12,2,60
"""


def test_a_workspace_import_runs_the_kept_sql_on_the_imported_rows(
    tmp_path: Path, compiles: list[str]
) -> None:
    """Through the workspace, as the server computes: an import bumps the data version, and the
    same engine runs its kept SQL over the rows the import brought (one replaced, one new, inside
    the data's range: a day after it would change the periods' days, and so the SQL)."""
    from shakhes.service import imports
    from shakhes.service.compute import compute
    from shakhes.service.computed import Query
    from shakhes.workspace import init

    ws = init(tmp_path / "ws")
    try:
        first = tmp_path / "ads.csv"
        first.write_text(ADS, encoding="utf-8")
        imports.load(ws, "ad_performance", first)
        span = {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 2, 29)}
        query = Query(("cost", "clicks"), grain="month", by=("channel",), **span)
        before = by_month_and_channel(compute(ws, query), "cost")
        assert before == {
            ("2024-01", "search"): 25.5,
            ("2024-01", "social"): 10.0,
            ("2024-02", "search"): 12.0,
            ("2024-02", "social"): 0.0,
        }
        engine = ws.engine
        second = tmp_path / "more.csv"
        header, *_ = ADS.splitlines()
        second.write_text(
            f"{header}\n"
            "2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,10000,200,99.5,1,50\n"  # replaces
            "2024-02-02,meta,m1,social,c2,Winter,g1,,USD,5000,20,7.25,0,0\n",  # a new row
            encoding="utf-8",
        )
        imports.load(ws, "ad_performance", second)
        after = compute(ws, query)
        assert ws.engine is engine and not after.from_cache
        assert len(queries(compiles)) == 1  # the kept SQL ran on the new data
        assert by_month_and_channel(after, "cost") == {
            ("2024-01", "search"): 99.5,
            ("2024-01", "social"): 10.0,
            ("2024-02", "search"): 12.0,
            ("2024-02", "social"): 7.25,
        }
        with ws.reading() as session:
            fresh = Engine(session.warehouse, ws.definitions()).run(after.request)
        assert rows(after) == rows(fresh)
    finally:
        ws.close()
