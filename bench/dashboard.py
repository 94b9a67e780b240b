"""Dashboard benchmark: shakhes vs hand-written DuckDB SQL vs idiomatic pandas.

For each row count N the script builds (once) a DuckDB warehouse with N rows of
``ad_performance`` over 730 days and N/10 ``orders``, exports both tables to Parquet, and
computes a 12-KPI dashboard three ways:

* **shakhes** — ``Engine.compute`` over the warehouse (Ibis → DuckDB → pandas long frame);
* **sql** — one hand-written DuckDB query per request, fetched to a pandas DataFrame;
* **pandas** — ``pd.read_parquet`` + groupby / merge / ratios, as an analyst would write it.

The dashboard is two requests: (a) monthly × channel over the whole two years, and (b) daily, no
breakdown, over the last 90 days of data. Every method runs in its own child process (so peak
RSS is per method); each measures the first request of the process (cold) and repeats (warm),
writes its numbers to Parquet, and the parent checks that all three agree before it prints the
times, the peak memory and the bars of the issue.

    python bench/dashboard.py --rows 1000000,10000000,50000000
    python bench/dashboard.py --rows 20000 --repeat 1            # smoke run, a few seconds
    python bench/dashboard.py --rows 10000000 --profile          # where shakhes' time goes

See docs/benchmarks.md for what is measured and the latest results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from common import AD_CHANNELS, AD_PLATFORMS, peak_rss_mb, sql_list, uniform
from common import machine as common_machine

HERE = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = HERE / "data"
GENERATOR_VERSION = 1
"""Bump when the generated data changes, so that old data sets are rebuilt."""

START = dt.date(2024, 1, 1)
DAYS = 730
DAILY_DAYS = 90
CAMPAIGNS = 500
GROSS_MARGIN = 1.0
"""The workspace default of ``$gross_margin`` (roi = (revenue × margin − cost) / cost)."""

KPIS = (
    "impressions",
    "clicks",
    "cost",
    "ctr",
    "cpc",
    "cpm",
    "conversions",
    "conversion_rate",
    "cpa",
    "roas",
    "revenue",
    "roi",
)
METHODS = ("shakhes", "sql", "pandas")
MONTHLY = "monthly_by_channel"
DAILY = "daily_last_90d"
KEYS = ["request", "period", "channel", "kpi"]

BARS = {
    "cold_vs_sql": 2.0,  # shakhes cold ≤ 2 × hand-written SQL cold at 10 M rows, both from
    # nothing but the files (workspace open, store, planning; connect for SQL): issue 7 §4
    "pandas_speedup": 10.0,  # pandas cold ≥ 10 × shakhes cold
    "peak_mb_50m": 4096.0,  # shakhes peak RSS < 4 GB at 50 M rows
}


# ---- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSet:
    rows: int
    directory: Path
    start: dt.date
    end: dt.date

    @property
    def warehouse(self) -> Path:
        return self.directory / "warehouse.duckdb"

    @property
    def ads_parquet(self) -> Path:
        return self.directory / "ad_performance.parquet"

    @property
    def orders_parquet(self) -> Path:
        return self.directory / "orders.parquet"

    @property
    def monthly_period(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end

    @property
    def daily_period(self) -> tuple[dt.date, dt.date]:
        return self.end - dt.timedelta(days=DAILY_DAYS - 1), self.end

    def files(self) -> list[Path]:
        return [self.warehouse, self.ads_parquet, self.orders_parquet]


ORDER_CHANNELS = (
    "search",
    "search",
    "social",
    "social",
    "display",
    "email",
    "organic_search",
    "direct",
    "referral",
    "affiliate",
)
"""Orders come from the ad channels (but video) and from unpaid ones (no ad rows: zero
impressions, so ctr etc. are null there)."""


def _ads_sql(n: int) -> str:
    per_day = math.ceil(n / DAYS)
    c = f"((i % {per_day}) % {CAMPAIGNS})"  # campaign number of row i
    u = lambda k: uniform("i", str(k))  # noqa: E731
    # Campaign number → channel and platform (search and social are the big ones).
    channels = sql_list(AD_CHANNELS)
    platforms = sql_list(AD_PLATFORMS)
    return f"""
    INSERT INTO ad_performance BY NAME
    WITH base AS (
        SELECT
            i,
            DATE '{START}' + CAST(i // {per_day} AS INTEGER) AS date,
            {c} AS c,
            (i % {per_day}) // {CAMPAIGNS} AS g,
            {channels}[1 + {c} % 10] AS channel,
            {platforms}[1 + {c} % 10] AS platform,
            200 + hash({c}, 0) % 5000 AS scale,
            1 + 0.3 * sin(2 * pi() * (i // {per_day}) / 365.0) AS season
        FROM range({n}) r(i)
    ), delivery AS (
        SELECT *,
            CASE WHEN {u(1)} < 0.02 THEN 0
                 ELSE CAST(scale * season * (0.5 + {u(2)}) AS BIGINT) END AS impressions
        FROM base
    ), clicked AS (
        SELECT *, CAST(floor(impressions * (0.005 + 0.05 * {u(3)})) AS BIGINT) AS clicks
        FROM delivery
    ), converted AS (
        SELECT *,
            CASE WHEN channel = 'email' THEN 0.0
                 ELSE round(clicks * (0.2 + 2.8 * {u(4)}), 2) END AS cost,
            round(clicks * (0.01 + 0.1 * {u(5)}), 2) AS conversions
        FROM clicked
    )
    SELECT
        date, platform, 'acct-' || (c % 7) AS account, channel,
        'c' || c AS campaign_id, 'Campaign ' || c AS campaign, 'ag' || g AS ad_group,
        NULL AS ad, 'USD' AS currency, impressions, clicks, cost, conversions,
        round(conversions * (20 + 180 * {u(6)}), 2) AS conversion_value
    FROM converted
    ORDER BY i
    """


def _orders_sql(m: int) -> str:
    u = lambda k: uniform("j", str(k))  # noqa: E731
    channels = sql_list(ORDER_CHANNELS)
    return f"""
    INSERT INTO orders BY NAME
    SELECT
        'o' || j AS order_id,
        DATE '{START}' + CAST(j * {DAYS} // {m} AS INTEGER) AS order_date,
        'cu' || (hash(j, 10) % ({m} // 3 + 1)) AS customer_id,
        {channels}[1 + CAST(hash(j, 11) % 10 AS BIGINT)] AS channel,
        'Campaign ' || (hash(j, 12) % {CAMPAIGNS}) AS campaign,
        round(10 + 290 * {u(13)}, 2) AS revenue,
        'USD' AS currency,
        {u(14)} < 0.25 AS is_new_customer
    FROM range({m}) r(j)
    ORDER BY j
    """


def load_dataset(n: int, data_dir: Path | str = DEFAULT_DATA_DIR) -> DataSet | None:
    """The data set of ``n`` ad rows under ``data_dir`` if it is there and current."""
    directory = Path(data_dir).resolve() / f"n{n}"
    meta_path = directory / "meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    data = DataSet(
        n, directory, dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"])
    )
    if (
        meta.get("version") != GENERATOR_VERSION
        or meta.get("rows") != n
        or not all(p.exists() for p in data.files())
    ):
        return None
    return data


def generate(n: int, data_dir: Path | str = DEFAULT_DATA_DIR, *, quiet: bool = False) -> DataSet:
    """Build (or reuse) the data set of ``n`` ad rows under ``data_dir``: a DuckDB warehouse
    with the shakhes schema, and both tables exported to Parquet."""
    import duckdb

    from shakhes.data.warehouse import Warehouse

    existing = load_dataset(n, data_dir)
    if existing is not None:
        return existing
    directory = Path(data_dir).resolve() / f"n{n}"
    meta_path = directory / "meta.json"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    t0 = time.perf_counter()
    path = directory / "warehouse.duckdb"
    wh = Warehouse.connect(f"duckdb:///{path}")
    wh.ensure_schema()
    wh.close()
    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    con.execute(_ads_sql(n))
    con.execute(_orders_sql(max(n // 10, 1)))
    (ads_rows,) = con.execute("SELECT count(*) FROM ad_performance").fetchone()
    (order_rows,) = con.execute("SELECT count(*) FROM orders").fetchone()
    lo, hi = con.execute(
        "SELECT least(min(a.lo), min(o.lo)), greatest(max(a.hi), max(o.hi)) FROM "
        "(SELECT min(date) lo, max(date) hi FROM ad_performance) a, "
        "(SELECT min(order_date) lo, max(order_date) hi FROM orders) o"
    ).fetchone()
    con.execute("CHECKPOINT")
    for name in ("ad_performance", "orders"):
        con.execute(f"COPY {name} TO '{directory / name}.parquet' (FORMAT parquet)")
    con.close()
    assert ads_rows == n, (ads_rows, n)
    meta = {
        "version": GENERATOR_VERSION,
        "rows": n,
        "orders": order_rows,
        "start": str(lo),
        "end": str(hi),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    if not quiet:
        size = sum(p.stat().st_size for p in directory.iterdir()) / 2**20
        print(
            f"generated {n:,} ad rows + {order_rows:,} orders in "
            f"{time.perf_counter() - t0:.1f} s ({size:,.0f} MB) → {directory}"
        )
    return DataSet(n, directory, lo, hi)


# ---- the three implementations ------------------------------------------------------------------


def workspace_for(data: DataSet) -> Path:
    """A shakhes workspace over the data set's warehouse (made once, beside it)."""
    from shakhes.workspace import init

    root = data.warehouse.parent / "workspace"
    if not (root / "shakhes.toml").is_file():
        init(root, name="bench", warehouse_url=f"duckdb:///{data.warehouse}").close()
    return root


def run_shakhes(data: DataSet) -> tuple[Callable[[], dict[str, pd.DataFrame]], Callable[[], Any]]:
    """A function computing the dashboard from nothing but the workspace's folder, and a handle
    on the engine it built.

    Returns ``(cold, engine)``: ``cold()`` does everything a new ``shakhes compute`` process
    does after Python has imported shakhes — open the workspace (settings, metadata store,
    definitions), build the engine, plan, compile and run both requests in one read session —
    as the SQL method's cold run connects to DuckDB inside its timer too (issue 7 §4).
    ``engine()`` then gives the engine for the warm runs (each request a session of its own).
    """
    from shakhes.workspace import Workspace

    root = workspace_for(data)
    state: dict[str, Any] = {}

    def compute(engine: Any) -> dict[str, pd.DataFrame]:
        monthly = engine.compute(KPIS, "month", ["channel"], data.monthly_period)
        daily = engine.compute(KPIS, "day", [], data.daily_period)
        return {MONTHLY: monthly.frame, DAILY: daily.frame}

    def cold() -> dict[str, pd.DataFrame]:
        t0 = time.perf_counter()
        state["workspace"] = Workspace.open(root)
        state["engine"] = state["workspace"].engine
        state["open_s"] = time.perf_counter() - t0  # the rest of cold: the first dashboard
        # One read session for the page's two requests, as the SQL method's one connection
        # (and as a server's page would): one DuckDB connection, one snapshot.
        with state["workspace"].reading():
            return compute(state["engine"])

    def engine() -> Any:
        return state["engine"], compute, state["open_s"]

    return cold, engine


def shakhes_long(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    out = []
    for request, f in frames.items():
        channel = f.get("channel", "")
        out.append(
            pd.DataFrame(
                {
                    "request": request,
                    "period": f["period_label"],
                    "channel": channel,
                    "kpi": f["kpi"],
                    "value": f["value"],
                }
            )
        )
    return pd.concat(out, ignore_index=True)


_SQL_MEASURES = """
        sum(impressions)::DOUBLE AS impressions,
        sum(clicks)::DOUBLE AS clicks,
        sum(cost) AS cost,
        sum(conversions) AS conversions,
        sum(conversion_value) AS conversion_value"""

_SQL_KPIS = """
    impressions,
    clicks,
    cost,
    clicks / nullif(impressions, 0) AS ctr,
    cost / nullif(clicks, 0) AS cpc,
    cost / nullif(impressions, 0) * 1000 AS cpm,
    conversions,
    conversions / nullif(clicks, 0) AS conversion_rate,
    cost / nullif(conversions, 0) AS cpa,
    conversion_value / nullif(cost, 0) AS roas,
    revenue,
    (revenue * $gross_margin - cost) / nullif(cost, 0) AS roi"""

SQL_MONTHLY = f"""
WITH ads AS (
    SELECT date_trunc('month', date)::DATE AS month, channel, {_SQL_MEASURES}
    FROM ad_performance
    WHERE date BETWEEN $start AND $end
    GROUP BY ALL
), ords AS (
    SELECT date_trunc('month', order_date)::DATE AS month, channel, sum(revenue) AS revenue
    FROM orders
    WHERE order_date BETWEEN $start AND $end
    GROUP BY ALL
), months AS (
    SELECT unnest(generate_series(date_trunc('month', $start), $end, INTERVAL 1 MONTH))::DATE
        AS month
), channels AS (
    SELECT channel FROM ads UNION SELECT channel FROM ords
), filled AS (
    SELECT m.month, c.channel,
        coalesce(a.impressions, 0) AS impressions, coalesce(a.clicks, 0) AS clicks,
        coalesce(a.cost, 0) AS cost, coalesce(a.conversions, 0) AS conversions,
        coalesce(a.conversion_value, 0) AS conversion_value, coalesce(o.revenue, 0) AS revenue
    FROM months m
    CROSS JOIN channels c
    LEFT JOIN ads a ON a.month = m.month AND a.channel = c.channel
    LEFT JOIN ords o ON o.month = m.month AND o.channel = c.channel
)
SELECT strftime(month, '%Y-%m') AS period, channel, {_SQL_KPIS}
FROM filled
ORDER BY period, channel
"""

SQL_DAILY = f"""
WITH ads AS (
    SELECT date AS day, {_SQL_MEASURES}
    FROM ad_performance
    WHERE date BETWEEN $start AND $end
    GROUP BY ALL
), ords AS (
    SELECT order_date AS day, sum(revenue) AS revenue
    FROM orders
    WHERE order_date BETWEEN $start AND $end
    GROUP BY ALL
), days AS (
    SELECT unnest(generate_series($start, $end, INTERVAL 1 DAY))::DATE AS day
), filled AS (
    SELECT d.day,
        coalesce(a.impressions, 0) AS impressions, coalesce(a.clicks, 0) AS clicks,
        coalesce(a.cost, 0) AS cost, coalesce(a.conversions, 0) AS conversions,
        coalesce(a.conversion_value, 0) AS conversion_value, coalesce(o.revenue, 0) AS revenue
    FROM days d
    LEFT JOIN ads a ON a.day = d.day
    LEFT JOIN ords o ON o.day = d.day
)
SELECT strftime(day, '%Y-%m-%d') AS period, {_SQL_KPIS}
FROM filled
ORDER BY period
"""


def run_sql(data: DataSet) -> tuple[Callable[[], dict[str, pd.DataFrame]], Callable[[], Any]]:
    """The dashboard with hand-written DuckDB SQL: ``cold()`` connects and runs both queries
    (as shakhes' cold run opens its workspace), ``warm()`` reuses the connection."""
    import duckdb

    state: dict[str, Any] = {}

    def dashboard() -> dict[str, pd.DataFrame]:
        con = state["con"]
        out = {}
        for request, sql, (start, end) in (
            (MONTHLY, SQL_MONTHLY, data.monthly_period),
            (DAILY, SQL_DAILY, data.daily_period),
        ):
            params = {"start": start, "end": end, "gross_margin": GROSS_MARGIN}
            out[request] = con.execute(sql, params).df()
        return out

    def cold() -> dict[str, pd.DataFrame]:
        state["con"] = duckdb.connect(str(data.warehouse), read_only=True)
        state["con"].execute("SET enable_progress_bar = false")
        return dashboard()

    return cold, dashboard


def wide_long(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    out = []
    for request, f in frames.items():
        f = f.copy()
        if "channel" not in f:
            f["channel"] = ""
        long = f.melt(id_vars=["period", "channel"], value_vars=list(KPIS), var_name="kpi")
        long.insert(0, "request", request)
        out.append(long)
    return pd.concat(out, ignore_index=True)


AD_COLUMNS = ["date", "channel", "impressions", "clicks", "cost", "conversions", "conversion_value"]
AD_MEASURES = ["impressions", "clicks", "cost", "conversions", "conversion_value"]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator != 0)


def _kpis(df: pd.DataFrame) -> pd.DataFrame:
    """The 12 KPIs from summed measures (a zero denominator gives NaN)."""
    return pd.DataFrame(
        {
            "impressions": df.impressions,
            "clicks": df.clicks,
            "cost": df.cost,
            "ctr": _ratio(df.clicks, df.impressions),
            "cpc": _ratio(df.cost, df.clicks),
            "cpm": _ratio(df.cost, df.impressions) * 1000,
            "conversions": df.conversions,
            "conversion_rate": _ratio(df.conversions, df.clicks),
            "cpa": _ratio(df.cost, df.conversions),
            "roas": _ratio(df.conversion_value, df.cost),
            "revenue": df.revenue,
            "roi": _ratio(df.revenue * GROSS_MARGIN - df.cost, df.cost),
        }
    )


def pandas_load(data: DataSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the two Parquet files the way an analyst would."""
    ads = pd.read_parquet(data.ads_parquet, columns=AD_COLUMNS)
    ads["date"] = pd.to_datetime(ads["date"])
    orders = pd.read_parquet(data.orders_parquet, columns=["order_date", "channel", "revenue"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    return ads, orders


def pandas_dashboard(
    ads: pd.DataFrame, orders: pd.DataFrame, data: DataSet
) -> dict[str, pd.DataFrame]:
    """The dashboard in idiomatic pandas over loaded frames."""
    # (a) monthly by channel
    start, end = (pd.Timestamp(d) for d in data.monthly_period)
    a = ads[(ads.date >= start) & (ads.date <= end)]
    a = a.groupby([a.date.dt.to_period("M").rename("month"), "channel"])[AD_MEASURES].sum()
    o = orders[(orders.order_date >= start) & (orders.order_date <= end)]
    o = o.groupby([o.order_date.dt.to_period("M").rename("month"), "channel"])[["revenue"]].sum()
    channels = sorted(
        set(a.index.get_level_values("channel")) | set(o.index.get_level_values("channel"))
    )
    grid = pd.MultiIndex.from_product(
        [pd.period_range(start, end, freq="M"), channels], names=["month", "channel"]
    )
    monthly = a.join(o, how="outer").reindex(grid, fill_value=0).fillna(0)
    monthly = _kpis(monthly).reset_index()
    monthly.insert(0, "period", monthly.pop("month").dt.strftime("%Y-%m"))

    # (b) daily, last 90 days
    start, end = (pd.Timestamp(d) for d in data.daily_period)
    a = ads[(ads.date >= start) & (ads.date <= end)].groupby("date")[AD_MEASURES].sum()
    o = orders[(orders.order_date >= start) & (orders.order_date <= end)]
    o = o.groupby("order_date")[["revenue"]].sum()
    days = pd.date_range(start, end, freq="D")
    daily = a.join(o, how="outer").reindex(days, fill_value=0).fillna(0)
    daily = _kpis(daily)
    daily.insert(0, "period", daily.index.strftime("%Y-%m-%d"))
    return {MONTHLY: monthly, DAILY: daily.reset_index(drop=True)}


def run_pandas(
    data: DataSet,
) -> tuple[Callable[[], dict[str, pd.DataFrame]], Callable[[], dict[str, pd.DataFrame]]]:
    """``(cold, warm)``: cold reads the Parquet files and computes; warm computes over the frames
    already in memory (an analyst's notebook after the first cell)."""
    state: dict[str, pd.DataFrame] = {}

    def cold() -> dict[str, pd.DataFrame]:
        state["ads"], state["orders"] = pandas_load(data)
        return warm()

    def warm() -> dict[str, pd.DataFrame]:
        return pandas_dashboard(state["ads"], state["orders"], data)

    return cold, warm


# ---- worker -------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def worker(method: str, data: DataSet, repeat: int, out: Path) -> dict[str, Any]:
    """Run one method in this (fresh) process; write its numbers to ``out``.parquet and its
    timings to ``out``.json."""
    setup_mb = peak_rss_mb()
    timings: dict[str, Any] = {"method": method, "rows": data.rows}
    if method == "shakhes":
        cold, engine = run_shakhes(data)
        timings["setup_mb"] = peak_rss_mb()
        timings["cold"], frames = _timed(cold)
        eng, compute, timings["open"] = engine()
        timings["warm_runs"] = [_timed(lambda: compute(eng))[0] for _ in range(repeat)]

        def uncached() -> dict[str, pd.DataFrame]:
            eng.clear_cache()
            return compute(eng)

        timings["uncached_runs"] = [_timed(uncached)[0] for _ in range(repeat)]
        long = shakhes_long(frames)
    elif method == "sql":
        cold_sql, dashboard = run_sql(data)
        timings["setup_mb"] = peak_rss_mb()
        timings["cold"], frames = _timed(cold_sql)
        timings["warm_runs"] = [_timed(dashboard)[0] for _ in range(repeat)]
        long = wide_long(frames)
    elif method == "pandas":
        cold, warm = run_pandas(data)
        timings["setup_mb"] = peak_rss_mb()
        timings["cold"], frames = _timed(cold)
        timings["warm_runs"] = [_timed(warm)[0] for _ in range(repeat)]
        long = wide_long(frames)
    else:
        raise SystemExit(f"unknown method {method}")
    timings["import_mb"] = setup_mb
    timings["peak_mb"] = peak_rss_mb()
    long.to_parquet(out.with_suffix(".parquet"), index=False)
    out.with_suffix(".json").write_text(json.dumps(timings, indent=2))
    return timings


def profile_shakhes(data: DataSet, repeat: int = 5) -> None:
    """Where shakhes' time goes, cold (the first dashboard of a fresh process and engine) and
    steady (cache cleared): the engine's steps are wrapped with timers, then one uncached
    dashboard runs under cProfile."""
    import cProfile
    import pstats

    import shakhes.engine.engine as engine_module
    from shakhes.data.warehouse import Warehouse
    from shakhes.engine.engine import Engine
    from shakhes.spec.catalog import load_catalog

    warehouse = Warehouse.connect(f"duckdb:///{data.warehouse}")
    warehouse.backend.con.execute("SET enable_progress_bar = false")
    backend = warehouse.backend
    spent: dict[str, float] = {}

    def timer(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

        return wrapped

    engine_module.build_query = timer("ibis: build expression", engine_module.build_query)
    engine_module.to_long = timer("arrow: reshape to long", engine_module.to_long)
    backend._run_pre_execute_hooks = timer(
        "ibis: register memtables", backend._run_pre_execute_hooks
    )
    backend.compile = timer("ibis: compile to SQL", backend.compile)
    backend.to_pyarrow = timer("execute", backend.to_pyarrow)
    definitions = {k.id: k for k in load_catalog()}

    def dashboard(engine: Engine) -> dict[str, float]:
        spent.clear()
        t0 = time.perf_counter()
        for args in (
            (KPIS, "month", ["channel"], data.monthly_period),
            (KPIS, "day", [], data.daily_period),
        ):
            engine.compute(*args)
        total = time.perf_counter() - t0
        parts = {k: v for k, v in spent.items() if k != "execute"}
        inner = sum(v for k, v in parts.items() if k.startswith("ibis: ") and "build" not in k)
        parts["duckdb: execute + fetch Arrow"] = spent["execute"] - inner
        parts["other (plan, cache, glue)"] = total - sum(parts.values())
        parts["total"] = total
        return parts

    engine = Engine(warehouse, definitions)
    cold = dashboard(engine)
    steady = []
    for _ in range(repeat):
        engine.clear_cache()
        steady.append(dashboard(engine))
    table = pd.DataFrame({"cold (s)": cold, "steady (s)": pd.DataFrame(steady).median()})
    table["cold %"] = 100 * table["cold (s)"] / cold["total"]
    table["steady %"] = 100 * table["steady (s)"] / table.loc["total", "steady (s)"]
    print(
        f"\nshakhes, both dashboard requests at {data.rows:,} rows: cold = first dashboard "
        f"of this process, steady = median of {repeat} with the result cache cleared"
    )
    print(table.round({"cold (s)": 3, "steady (s)": 3, "cold %": 0, "steady %": 0}).to_string())

    engine.clear_cache()
    profiler = cProfile.Profile()
    profiler.enable()
    dashboard(engine)
    profiler.disable()
    print("\ncProfile of one uncached dashboard, top 25 by cumulative time:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


# ---- parent -------------------------------------------------------------------------------------


def _prewarm(data: DataSet) -> None:
    """Read the data files once so every method starts with the same (warm) OS page cache."""
    for path in data.files():
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass


def spawn(method: str, data: DataSet, repeat: int, data_dir: Path) -> dict[str, Any]:
    out = data.directory / f"result_{method}"
    for suffix in (".json", ".parquet"):
        out.with_suffix(suffix).unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        method,
        "--rows",
        str(data.rows),
        "--data-dir",
        str(data_dir),
        "--repeat",
        str(repeat),
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True)
    timings = json.loads(out.with_suffix(".json").read_text())
    timings["result"] = pd.read_parquet(out.with_suffix(".parquet"))
    return timings


def compare(results: dict[str, pd.DataFrame], rtol: float = 1e-9, atol: float = 1e-9) -> list[str]:
    """Problems found comparing the long results of the methods (empty when all agree)."""
    problems: list[str] = []
    names = list(results)
    if len(names) < 2:
        return problems
    base_name = names[0]
    base = results[base_name].set_index(KEYS)["value"].astype("float64")
    if base.index.has_duplicates:
        problems.append(f"{base_name}: duplicate keys")
    for name in names[1:]:
        other = results[name].set_index(KEYS)["value"].astype("float64")
        if other.index.has_duplicates:
            problems.append(f"{name}: duplicate keys")
            continue
        missing = base.index.difference(other.index)
        extra = other.index.difference(base.index)
        if len(missing) or len(extra):
            problems.append(
                f"{name} vs {base_name}: {len(missing)} keys missing, "
                f"{len(extra)} extra (e.g. {list(missing[:3])} {list(extra[:3])})"
            )
        common = base.index.intersection(other.index)
        a = base.loc[common].to_numpy()
        b = other.loc[common].to_numpy()
        ok = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
        if not ok.all():
            bad = common[~ok]
            examples = ", ".join(
                f"{k}: {x!r} vs {y!r}"
                for k, x, y in zip(bad[:5], a[~ok][:5], b[~ok][:5], strict=True)
            )
            problems.append(f"{name} vs {base_name}: {int((~ok).sum())} values differ: {examples}")
    return problems


def _fmt(x: float | None, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def summarise(n: int, timings: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per method: median cold over the worker processes, median warm over every warm run, the
    largest peak RSS; the ratios and the bars."""
    rows = []
    for method, runs in timings.items():
        warm = [x for t in runs for x in t["warm_runs"]]
        uncached = [x for t in runs for x in t.get("uncached_runs", [])]
        rows.append(
            {
                "method": method,
                "cold_s": statistics.median(t["cold"] for t in runs),
                "cold_runs": [t["cold"] for t in runs],
                "warm_s": statistics.median(warm) if warm else None,
                "warm_uncached_s": statistics.median(uncached) if uncached else None,
                "peak_mb": max(t["peak_mb"] for t in runs),
                "first_s": statistics.median(t["cold"] - t["open"] for t in runs)
                if all("open" in t for t in runs)
                else None,
            }
        )
    s = {r["method"]: r for r in rows}
    ratios: dict[str, float | None] = {}
    if "shakhes" in s and "sql" in s:
        ratios["shakhes_cold_over_sql_cold"] = s["shakhes"]["cold_s"] / s["sql"]["cold_s"]
        if s["shakhes"]["warm_uncached_s"] is not None and s["sql"]["warm_s"]:
            ratios["shakhes_uncached_over_sql_warm"] = (
                s["shakhes"]["warm_uncached_s"] / s["sql"]["warm_s"]
            )
    if "shakhes" in s and "pandas" in s:
        ratios["pandas_cold_over_shakhes_cold"] = s["pandas"]["cold_s"] / s["shakhes"]["cold_s"]
        if s["shakhes"]["first_s"]:
            # issue 3's bar: the engine built before the clock, as pandas' imports are
            ratios["pandas_cold_over_shakhes_first"] = (
                s["pandas"]["cold_s"] / s["shakhes"]["first_s"]
            )
        if s["pandas"]["warm_s"] and s["shakhes"]["warm_uncached_s"]:
            ratios["pandas_warm_over_shakhes_uncached"] = (
                s["pandas"]["warm_s"] / s["shakhes"]["warm_uncached_s"]
            )
    bars: list[tuple[str, bool]] = []
    if n == 10_000_000 and "shakhes_cold_over_sql_cold" in ratios:
        r = ratios["shakhes_cold_over_sql_cold"]
        bars.append(
            (
                f"shakhes cold ≤ {BARS['cold_vs_sql']}× SQL cold at 10 M (got {r:.2f}×)",
                r <= BARS["cold_vs_sql"],
            )
        )
    if "pandas_cold_over_shakhes_first" in ratios and n >= 1_000_000:
        r = ratios["pandas_cold_over_shakhes_first"]
        bars.append(
            (
                f"shakhes first dashboard ≥ {BARS['pandas_speedup']:.0f}× faster than pandas "
                f"cold at "
                f"{_rows_label(n)} (got {r:.1f}×)",
                r >= BARS["pandas_speedup"],
            )
        )
    if n == 50_000_000 and "shakhes" in s:
        mb = s["shakhes"]["peak_mb"]
        bars.append(
            (f"shakhes peak RSS < 4 GB at 50 M (got {mb:,.0f} MB)", mb < BARS["peak_mb_50m"])
        )
    return {"rows": n, "table": rows, "ratios": ratios, "bars": bars}


def _rows_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000} M"
    return f"{n:,}"


def print_summary(summary: dict[str, Any], problems: list[str]) -> None:
    print(f"\n=== {summary['rows']:,} ad rows ===")
    print(
        f"{'method':<9} {'cold s':>9} {'first s':>9} {'warm s':>9} {'uncached s':>11} "
        f"{'peak RSS MB':>12}"
    )
    for r in summary["table"]:
        print(
            f"{r['method']:<9} {_fmt(r['cold_s']):>9} {_fmt(r.get('first_s')):>9} "
            f"{_fmt(r['warm_s']):>9} "
            f"{_fmt(r['warm_uncached_s']):>11} {r['peak_mb']:>12,.0f}"
        )
    for name, value in summary["ratios"].items():
        print(f"  {name.replace('_', ' ')}: {_fmt(value, 2)}×")
    print("  results: " + ("all methods agree" if not problems else "MISMATCH"))
    for p in problems:
        print(f"    {p}")
    for text, ok in summary["bars"]:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


def machine() -> dict[str, str]:
    import ibis

    return {**common_machine(), "ibis": ibis.__version__}


def markdown(summaries: list[dict[str, Any]], agree: dict[int, list[str]], command: str) -> str:
    m = machine()
    lines = [
        f"### Results — {dt.date.today().isoformat()}",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {m['cpu']}, {m['ram']} RAM, {m['os']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, Ibis {m['ibis']}, pandas {m['pandas']}.",
        "",
    ]
    for s in summaries:
        n = s["rows"]
        lines += [
            f"#### {_rows_label(n)} ad rows ({n // 10:,} orders)",
            "",
            "| method | cold (s) | of which first dashboard (s) | warm (s) "
            "| warm, cache cleared (s) | peak RSS (MB) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in s["table"]:
            lines.append(
                f"| {r['method']} | {_fmt(r['cold_s'])} | {_fmt(r.get('first_s'))} "
                f"| {_fmt(r['warm_s'])} | "
                f"{_fmt(r['warm_uncached_s'])} | {r['peak_mb']:,.0f} |"
            )
        lines.append("")
        for name, value in s["ratios"].items():
            lines.append(f"- {name.replace('_', ' ')}: **{_fmt(value, 2)}×**")
        lines.append(
            "- results: "
            + (
                "all three methods agree (rel/abs 1e-9)"
                if not agree[n]
                else "MISMATCH: " + "; ".join(agree[n])
            )
        )
        for text, ok in s["bars"]:
            lines.append(f"- bar: {'**PASS**' if ok else '**FAIL**'} — {text}")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--rows",
        default="1000000,10000000",
        help="comma-separated row counts of ad_performance (default 1M,10M)",
    )
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument(
        "--repeat", type=int, default=5, help="warm runs per worker process (median shown)"
    )
    p.add_argument(
        "--cold-runs",
        type=int,
        default=3,
        help="worker processes per method; cold is the median of their first runs",
    )
    p.add_argument("--markdown", action="store_true", help="also print a Markdown section")
    p.add_argument(
        "--profile",
        action="store_true",
        help="profile shakhes (phases + cProfile) instead of benchmarking",
    )
    p.add_argument("--clean", action="store_true", help="delete each data set after its run")
    p.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sizes = [int(float(x)) for x in args.rows.split(",") if x.strip()]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]

    if args.worker:
        # No generate() here: it imports shakhes, which the sql and pandas workers must not pay.
        data = load_dataset(sizes[0], args.data_dir)
        if data is None:
            raise SystemExit(f"no data set of {sizes[0]} rows in {args.data_dir}")
        worker(args.worker, data, args.repeat, args.out)
        return 0
    if args.profile:
        for n in sizes:
            profile_shakhes(generate(n, args.data_dir), args.repeat)
        return 0

    summaries = []
    agree: dict[int, list[str]] = {}
    for n in sizes:
        data = generate(n, args.data_dir)
        timings: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
        results: dict[str, pd.DataFrame] = {}
        for _ in range(args.cold_runs):
            for method in methods:  # interleaved, so that drift on the machine hits all alike
                _prewarm(data)
                t = spawn(method, data, args.repeat, args.data_dir)
                results.setdefault(method, t.pop("result"))
                timings[method].append(t)
        problems = compare(results)
        summary = summarise(n, timings)
        print_summary(summary, problems)
        summaries.append(summary)
        agree[n] = problems
        if args.clean:
            shutil.rmtree(data.directory)
    if args.markdown:
        command = "python bench/dashboard.py " + " ".join(sys.argv[1:] if argv is None else argv)
        print("\n" + markdown(summaries, agree, command.strip()))
    return 1 if any(agree.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
