"""Import benchmark: ``shakhes import`` of each format against a bare DuckDB load and pandas.

The files are generated once (inside DuckDB) under ``bench/data/imports/``, and each is imported
by several methods, each in its own child process so that its peak RSS is its own:

* a **canonical** ``ad_performance`` file of N rows (header = canonical column names, unique
  date × campaign_id keys, ``ad`` empty) as CSV, and the same rows as **Parquet** (typed:
  DATE, BIGINT counts, DOUBLE amounts) and as **JSON lines**; as **XLSX** (first sheet, one
  header row) of X rows (a sheet holds at most 1,048,575);
* a **Google Ads** UI export of M rows: the title and date-range lines, the header, numbers over
  999 quoted with thousands separators, ``7.00%`` CTR cells, ``--`` for empty cells, and a
  ``Total: Account`` row with the right totals at the end.

Methods:

* **shakhes** — ``import_file`` (``shakhes import --source canonical``, or ``google-ads``) into a
  fresh DuckDB warehouse (``ensure_schema`` before the timer): sniff, find the layout, read and
  check every row, merge by natural key and write the import log, in one transaction;
* **load** — the same file the way ``shakhes load ad_performance FILE`` takes it (strict: all or
  nothing), which must be the same path at the same speed;
* **duckdb-bare** — DuckDB alone into a fresh file: ``CREATE TABLE t AS SELECT * FROM
  read_csv(...)`` for a CSV, ``INSERT INTO ad_performance SELECT … FROM read_parquet(...)``
  (and ``read_json`` with the column types) into the shakhes table for Parquet and JSON lines —
  no validation, no mapping: the practical limit. For the Google Ads export it is
  ``read_csv(skip=2, all_varchar=true)`` (DuckDB cannot read the quoted thousands as numbers
  without more work), so that row is *not comparable*: it only shows the cost of the I/O;
* **pandas** — ``pd.read_csv`` plus the same checks, vectorised (types, dates, required values,
  channel vocabulary, clicks ≤ impressions, negatives, whole counts, repeated keys), then
  ``con.register`` + ``INSERT`` into a typed DuckDB table in a fresh file.

    python bench/imports.py                                   # 5 M rows, 1 M export, 200 k XLSX
    python bench/imports.py --rows 20000 --export-rows 5000 --xlsx-rows 2000   # smoke run
    python bench/imports.py --rows 10000000 --files parquet,canonical --runs 3 --markdown

See docs/benchmarks.md for the latest results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import AD_CHANNELS, AD_PLATFORMS, machine, peak_rss_mb, sql_list, uniform

HERE = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = HERE / "data" / "imports"
GENERATOR_VERSION = 2
"""Bump when the generated files change, so that old ones are rebuilt."""

START = dt.date(2024, 1, 1)
DAYS = 730
"""The canonical file spans about two years; campaigns per day = ceil(N / DAYS)."""
EXPORT_DAYS = 365
METHODS = ("shakhes", "load", "duckdb-bare", "pandas")
FILES = ("canonical", "parquet", "jsonl", "xlsx", "google-ads")
KIND_METHODS = {
    "canonical": ("shakhes", "load", "duckdb-bare", "pandas"),
    "parquet": ("shakhes", "load", "duckdb-bare"),
    "jsonl": ("shakhes", "duckdb-bare"),
    "xlsx": ("shakhes",),
    "google-ads": ("shakhes", "duckdb-bare", "pandas"),
}
"""The methods that apply to each file (DuckDB cannot read a workbook without an extension
that is not shipped with it; pandas is shown for the CSV files only)."""
SUFFIXES = {"canonical": "csv", "parquet": "parquet", "jsonl": "jsonl", "xlsx": "xlsx"}

BARS = {
    "rows_per_s": 1_000_000.0,  # shakhes, canonical CSV, full validation + import log
    "vs_bare": 3.0,  # shakhes ≤ 3 × the bare DuckDB load of the canonical CSV
    "parquet_rows_per_s": 2_000_000.0,  # shakhes, canonical Parquet (at 10 M rows)
    "parquet_vs_bare": 2.0,  # ≤ 2 × a bare INSERT … SELECT FROM read_parquet
    "load_vs_import": 1.2,  # shakhes load ≤ 1.2 × shakhes import of the same CSV
}

CHANNELS = (
    "search",
    "social",
    "display",
    "video",
    "email",
    "affiliate",
    "referral",
    "organic_search",
    "organic_social",
    "direct",
    "other",
)
"""The canonical channel vocabulary (shakhes.data.model.CHANNELS; copied so that the pandas
worker does not import shakhes)."""

CANONICAL_COLUMNS = (
    "date",
    "platform",
    "account",
    "channel",
    "campaign_id",
    "campaign",
    "ad_group",
    "ad",
    "currency",
    "impressions",
    "clicks",
    "cost",
    "conversions",
    "conversion_value",
)
"""The columns of the canonical file: the required ``ad_performance`` columns and ``ad``."""
COUNTS = ("impressions", "clicks")
AMOUNTS = ("cost", "conversions", "conversion_value")
DIMENSIONS = tuple(c for c in CANONICAL_COLUMNS if c not in ("date", *COUNTS, *AMOUNTS))
REQUIRED_TEXT = tuple(c for c in DIMENSIONS if c != "ad")
NATURAL_KEY = ("date", "platform", "account", "campaign_id", "ad_group", "ad")

EXPORT_HEADER = (
    "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,CTR,Avg. CPC,Cost,Conversions,"
    "Conv. value"
)
CAMPAIGN_TYPES = ("Search", "Search", "Display", "Video", "Shopping")
TYPE_CHANNELS = {"Search": "search", "Shopping": "search", "Display": "display", "Video": "video"}
"""Google Ads campaign type → channel, as the google-ads layout maps them."""

TARGET_DDL = """
CREATE TABLE ad_performance (
    date DATE NOT NULL, platform VARCHAR NOT NULL, account VARCHAR NOT NULL,
    channel VARCHAR NOT NULL, campaign_id VARCHAR NOT NULL, campaign VARCHAR NOT NULL,
    ad_group VARCHAR NOT NULL, ad VARCHAR, currency VARCHAR NOT NULL,
    impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, cost DOUBLE NOT NULL,
    conversions DOUBLE NOT NULL, conversion_value DOUBLE NOT NULL
)"""
"""The table the pandas method loads into (the shakhes types of these columns)."""


# ---- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    kind: str
    rows: int
    path: Path

    @property
    def meta(self) -> Path:
        return self.path.with_suffix(".json")


def data_file(kind: str, rows: int, data_dir: Path) -> DataFile:
    if kind == "google-ads":
        name = f"google_ads_m{rows}.csv"
    else:
        name = f"canonical_n{rows}.{SUFFIXES[kind]}"
    return DataFile(kind, rows, Path(data_dir).resolve() / name)


def _is_current(f: DataFile) -> bool:
    if not f.path.exists() or not f.meta.exists():
        return False
    meta = json.loads(f.meta.read_text())
    return bool(meta.get("version") == GENERATOR_VERSION and meta.get("rows") == f.rows)


def _metrics_sql(n: int, per_day: int) -> str:
    """Rows ``i`` in [0, n): day ``i // per_day``, campaign ``i % per_day``, plausible numbers
    (clicks ≤ impressions, 2 % of rows without delivery, amounts with 2 decimals)."""
    u = lambda k: uniform("i", str(k))  # noqa: E731
    c = f"(i % {per_day})"
    return f"""
    WITH base AS (
        SELECT i, {c} AS c, DATE '{START}' + CAST(i // {per_day} AS INTEGER) AS date,
            200 + hash({c}, 0) % 5000 AS scale,
            1 + 0.3 * sin(2 * pi() * (i // {per_day}) / 365.0) AS season
        FROM range({n}) r(i)
    ), delivery AS (
        SELECT *, CASE WHEN {u(1)} < 0.02 THEN 0
                       ELSE CAST(scale * season * (0.5 + {u(2)}) AS BIGINT) END AS impressions
        FROM base
    ), clicked AS (
        SELECT *, CAST(floor(impressions * (0.005 + 0.05 * {u(3)})) AS BIGINT) AS clicks
        FROM delivery
    ), converted AS (
        SELECT *,
            CAST(round(clicks * (0.2 + 2.8 * {u(4)}), 2) AS DECIMAL(18, 2)) AS cost,
            CAST(round(clicks * (0.01 + 0.1 * {u(5)}), 2) AS DECIMAL(18, 2)) AS conversions
        FROM clicked
    )
    SELECT *,
        CAST(round(conversions * (20 + 180 * {u(6)}), 2) AS DECIMAL(18, 2)) AS conversion_value
    FROM converted
    """


def _canonical_sql(n: int) -> str:
    per_day = math.ceil(n / DAYS)
    channels, platforms = sql_list(AD_CHANNELS), sql_list(AD_PLATFORMS)
    return f"""
    WITH m AS ({_metrics_sql(n, per_day)})
    SELECT
        date, {platforms}[1 + c % 10] AS platform, 'acct-' || (c % 7) AS account,
        {channels}[1 + c % 10] AS channel, 'c' || c AS campaign_id,
        'Campaign ' || c AS campaign, 'ag' || (c % 3) AS ad_group, NULL::VARCHAR AS ad,
        'USD' AS currency, impressions, clicks,
        CASE WHEN c % 10 = 8 THEN 0 ELSE cost END AS cost,  -- email costs nothing
        conversions, conversion_value
    FROM m
    ORDER BY i
    """


def _thousands(expr: str, spec: str = "{:,}") -> str:
    """SQL: ``expr`` with thousands separators, in double quotes when it has one."""
    s = f"format('{spec}', {expr})"
    return f"CASE WHEN contains({s}, ',') THEN '\"' || {s} || '\"' ELSE {s} END"


def _money(expr: str) -> str:
    return _thousands(expr, "{:,.2f}")


def _export_sql(m: int) -> tuple[str, dt.date, dt.date]:
    """The Google Ads export as one text line per row, in file order (column ``line``)."""
    per_day = math.ceil(m / EXPORT_DAYS)
    first, last = START, START + dt.timedelta(days=(m - 1) // per_day)
    types = sql_list(CAMPAIGN_TYPES)

    def day(d: dt.date) -> str:
        return f"{d:%B} {d.day}, {d.year}"

    body = f"""
        SELECT 3 AS part, i,
            strftime(date, '%Y-%m-%d') || ',Campaign ' || c || ',' || {types}[1 + c % 5]
            || ',USD,' || {_thousands("impressions")} || ',' || {_thousands("clicks")} || ','
            || CASE WHEN impressions = 0 THEN '--'
                    ELSE printf('%.2f%%', 100.0 * clicks / impressions) END || ','
            || CASE WHEN clicks = 0 THEN '--' ELSE {_money("cost / clicks")} END || ','
            || {_money("cost")} || ','
            || CASE WHEN clicks = 0 THEN '--' ELSE {_money("conversions")} END || ','
            || CASE WHEN clicks = 0 THEN '--' ELSE {_money("conversion_value")} END AS line
        FROM metrics"""
    total = f"""
        SELECT 4 AS part, 0 AS i,
            'Total: Account,--,--,USD,' || {_thousands("sum(impressions)")} || ','
            || {_thousands("sum(clicks)")} || ','
            || printf('%.2f%%', 100.0 * sum(clicks) / sum(impressions)) || ','
            || {_money("sum(cost) / sum(clicks)")} || ',' || {_money("sum(cost)")} || ','
            || {_money("sum(conversions)")} || ',' || {_money("sum(conversion_value)")} AS line
        FROM metrics"""
    sql = f"""
    WITH metrics AS ({_metrics_sql(m, per_day)})
    SELECT line FROM (
        SELECT 0 AS part, 0 AS i, 'Campaign report' AS line
        UNION ALL SELECT 1, 0, '"{day(first)} - {day(last)}"'
        UNION ALL SELECT 2, 0, '{EXPORT_HEADER}'
        UNION ALL {body}
        UNION ALL {total}
    )
    ORDER BY part, i
    """
    return sql, first, last


def _typed_sql(n: int) -> str:
    """The canonical rows with the types a typed export has (amounts DOUBLE, not DECIMAL)."""
    return (
        f"SELECT * REPLACE (CAST(cost AS DOUBLE) AS cost, CAST(conversions AS DOUBLE) AS "
        f"conversions, CAST(conversion_value AS DOUBLE) AS conversion_value) "
        f"FROM ({_canonical_sql(n)})"
    )


def _write_xlsx(con: Any, n: int, path: Path) -> None:
    """The canonical rows as a workbook (openpyxl, write-only: streaming), with the sheet's
    dimension recorded as Excel records it (openpyxl's writer leaves it out, and its reader
    then scans the whole sheet to find it before the first row)."""
    import zipfile

    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(CANONICAL_COLUMNS))
    result = con.execute(_typed_sql(n))
    while batch := result.fetchmany(50_000):
        for row in batch:
            sheet.append(row)
    plain = path.with_name(path.name + ".plain")
    book.save(plain)
    last = f"{chr(ord('A') + len(CANONICAL_COLUMNS) - 1)}{n + 1}"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<sheetViews>", f'<dimension ref="A1:{last}"/><sheetViews>'.encode(), 1
                )
            out.writestr(item, data)
    plain.unlink()


def generate(kind: str, rows: int, data_dir: Path, *, quiet: bool = False) -> DataFile:
    """Build (or reuse) the ``kind`` file of ``rows`` data rows under ``data_dir``."""
    import duckdb

    f = data_file(kind, rows, data_dir)
    if _is_current(f):
        return f
    f.path.parent.mkdir(parents=True, exist_ok=True)
    f.meta.unlink(missing_ok=True)
    tmp = f.path.with_name(f.path.name + ".tmp")
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    meta: dict[str, Any] = {"version": GENERATOR_VERSION, "rows": rows, "kind": kind}
    if kind == "canonical":
        con.execute(f"COPY ({_canonical_sql(rows)}) TO '{tmp}' (FORMAT csv, HEADER true)")
    elif kind == "parquet":
        con.execute(f"COPY ({_typed_sql(rows)}) TO '{tmp}' (FORMAT parquet)")
    elif kind == "jsonl":
        con.execute(f"COPY ({_typed_sql(rows)}) TO '{tmp}' (FORMAT json)")
    elif kind == "xlsx":
        _write_xlsx(con, rows, tmp)
    else:
        sql, first, last = _export_sql(rows)
        # One text column written as is: no quoting by the writer (the lines quote themselves).
        con.execute(
            f"COPY ({sql}) TO '{tmp}' "
            "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t')"
        )
        meta["range"] = [str(first), str(last)]
    con.close()
    tmp.replace(f.path)
    f.meta.write_text(json.dumps(meta, indent=2))
    if not quiet:
        print(
            f"generated {kind} file of {rows:,} rows in {time.perf_counter() - t0:.1f} s "
            f"({f.path.stat().st_size / 2**20:,.0f} MB) → {f.path}"
        )
    return f


# ---- the methods (each run in a worker process) ------------------------------------------------


def _fresh_db(work: Path) -> Path:
    for suffix in ("", ".wal"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    return work


def run_shakhes(f: DataFile, db: Path, *, strict: bool = False) -> dict[str, Any]:
    from shakhes.data.warehouse import Warehouse
    from shakhes.imports.pipeline import ImportOptions, import_file

    wh = Warehouse.connect(f"duckdb:///{db}")
    wh.ensure_schema()
    if strict:  # what `shakhes load ad_performance FILE` does
        options = ImportOptions(source="canonical:ad_performance", strict=True, actor="bench")
    elif f.kind == "google-ads":
        options = ImportOptions(source="google-ads", account="bench", actor="bench")
    else:
        options = ImportOptions(source="canonical", actor="bench")
    t0 = time.perf_counter()
    report = import_file(wh, f.path, options)
    seconds = time.perf_counter() - t0
    stored = wh.row_count("ad_performance")
    wh.close()
    if report.accepted != f.rows or report.quarantined != 0 or stored != f.rows:
        raise SystemExit(
            f"shakhes: accepted {report.accepted:,}, quarantined {report.quarantined:,}, "
            f"stored {stored:,} of {f.rows:,} rows; warnings: {report.warnings}; "
            f"first rejected: {report.rejected[:3]}"
        )
    return {"seconds": seconds, "rows": report.accepted, "warnings": list(report.warnings)}


def run_load(f: DataFile, db: Path) -> dict[str, Any]:
    return run_shakhes(f, db, strict=True)


def run_bare(f: DataFile, db: Path) -> dict[str, Any]:
    import duckdb

    columns = ", ".join(CANONICAL_COLUMNS)
    if f.kind in ("parquet", "jsonl"):  # into the shakhes table, as the baseline
        from shakhes.data.warehouse import Warehouse

        wh = Warehouse.connect(f"duckdb:///{db}")
        wh.ensure_schema()
        wh.close()
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    if f.kind == "parquet":
        sql = f"INSERT INTO ad_performance ({columns}) SELECT {columns} FROM read_parquet(?)"
    elif f.kind == "jsonl":
        types = {"date": "DATE", **dict.fromkeys(COUNTS, "BIGINT")}
        types |= dict.fromkeys(AMOUNTS, "DOUBLE")
        spec = ", ".join(f"{c}: '{types.get(c, 'VARCHAR')}'" for c in CANONICAL_COLUMNS)
        sql = (
            f"INSERT INTO ad_performance ({columns}) SELECT {columns} FROM "
            f"read_json(?, format = 'newline_delimited', columns = {{{spec}}})"
        )
    elif f.kind == "canonical":
        sql = "CREATE TABLE t AS SELECT * FROM read_csv(?)"
    else:
        sql = "CREATE TABLE t AS SELECT * FROM read_csv(?, skip=2, header=true, all_varchar=true)"
    t0 = time.perf_counter()
    con.execute(sql, [str(f.path)])
    seconds = time.perf_counter() - t0
    table = "ad_performance" if f.kind in ("parquet", "jsonl") else "t"
    (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
    con.close()
    expected = f.rows + 1 if f.kind == "google-ads" else f.rows  # the export's Total row
    if rows != expected:
        raise SystemExit(f"duckdb-bare: loaded {rows:,} rows, expected {expected:,}")
    return {"seconds": seconds, "rows": f.rows}


def _pandas_checks(df: Any, raw: Any) -> Any:
    """Mask of the rows that fail a check (types, required values, dates, vocabulary, rules).

    ``df`` holds the typed columns, ``raw`` the cells as read (to tell an empty cell from one
    that did not parse)."""
    import pandas as pd

    bad = pd.Series(False, index=df.index)
    for col in REQUIRED_TEXT:
        bad |= df[col].isna() | (df[col].astype("string").str.strip() == "")
    bad |= df["date"].isna()
    for col in COUNTS + AMOUNTS:
        bad |= df[col].isna() & raw[col].notna()  # a cell that is not a number
        bad |= df[col] < 0
    for col in COUNTS:
        bad |= df[col].notna() & (df[col] % 1 != 0)  # counts must be whole
        bad |= df[col].isna()
    bad |= df["clicks"] > df["impressions"]
    bad |= ~df["channel"].isin(CHANNELS)
    return bad


def _pandas_insert(df: Any, db: Path) -> None:
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    con.execute(TARGET_DDL)
    con.register("frame", df)
    types = {"date": "DATE", **dict.fromkeys(COUNTS, "BIGINT"), **dict.fromkeys(AMOUNTS, "DOUBLE")}
    casts = ", ".join(f"CAST({c} AS {types.get(c, 'VARCHAR')}) AS {c}" for c in CANONICAL_COLUMNS)
    con.execute(f"INSERT INTO ad_performance BY NAME SELECT {casts} FROM frame")
    con.unregister("frame")
    con.close()


def run_pandas(f: DataFile, db: Path) -> dict[str, Any]:
    import pandas as pd

    t0 = time.perf_counter()
    if f.kind == "canonical":
        raw = pd.read_csv(f.path, dtype={c: "string" for c in ("date", *DIMENSIONS)})
        df = raw.copy()
        df["date"] = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
        for col in COUNTS + AMOUNTS:
            df[col] = pd.to_numeric(raw[col], errors="coerce")
    else:
        raw = pd.read_csv(
            f.path,
            skiprows=2,
            thousands=",",
            na_values=["--"],
            dtype={"Day": "string", "Campaign": "string", "Campaign type": "string"},
        )
        is_total = raw["Day"].str.startswith("Total").fillna(False)
        totals = raw[is_total].iloc[0] if is_total.any() else None
        raw = raw[~is_total]
        raw = raw.rename(
            columns={
                "Day": "date",
                "Campaign": "campaign",
                "Currency code": "currency",
                "Impr.": "impressions",
                "Clicks": "clicks",
                "Cost": "cost",
                "Conversions": "conversions",
                "Conv. value": "conversion_value",
            }
        )
        raw["conversions"] = raw["conversions"].fillna(0)  # "--" = none
        raw["conversion_value"] = raw["conversion_value"].fillna(0)
        df = pd.DataFrame(
            {
                "date": pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce"),
                "platform": "google_ads",
                "account": "bench",
                "channel": raw["Campaign type"].map(TYPE_CHANNELS).fillna("other"),
                "campaign_id": raw["campaign"],
                "campaign": raw["campaign"],
                "ad_group": "(not set)",
                "ad": pd.Series(pd.NA, index=raw.index, dtype="string"),
                "currency": raw["currency"].str.upper(),
                **{c: pd.to_numeric(raw[c], errors="coerce") for c in COUNTS + AMOUNTS},
            }
        )
        if totals is not None:  # tick the file's own Total row, as shakhes does
            for col, name in (("impressions", "Impr."), ("clicks", "Clicks"), ("cost", "Cost")):
                stated, mine = float(totals[name]), float(df[col].sum())
                if abs(mine - stated) > max(0.005 * abs(stated), 0.01):
                    print(f"pandas: Total row says {col} = {stated}, rows add up to {mine}")
    bad = _pandas_checks(df, raw)
    if df.duplicated(list(NATURAL_KEY)).any():
        raise SystemExit("pandas: repeated natural keys")
    good = df[~bad]
    _pandas_insert(good, db)
    seconds = time.perf_counter() - t0
    if len(good) != f.rows or bad.any():
        raise SystemExit(f"pandas: {len(good):,} good rows of {f.rows:,} ({int(bad.sum())} bad)")
    return {"seconds": seconds, "rows": len(good)}


RUNNERS = {
    "shakhes": run_shakhes,
    "load": run_load,
    "duckdb-bare": run_bare,
    "pandas": run_pandas,
}


def worker(method: str, f: DataFile, out: Path) -> None:
    db = _fresh_db(out.with_suffix(".duckdb"))
    try:
        result = RUNNERS[method](f, db)
        result["db_mb"] = db.stat().st_size / 2**20
    finally:
        _fresh_db(db)
    result.update(method=method, file=f.kind, peak_mb=peak_rss_mb())
    out.write_text(json.dumps(result))


# ---- parent -------------------------------------------------------------------------------------


def _prewarm(f: DataFile) -> None:
    """Read the input once so every method starts with the same (warm) OS page cache."""
    with f.path.open("rb") as fh:
        while fh.read(1 << 24):
            pass


def spawn(method: str, f: DataFile, data_dir: Path) -> dict[str, Any]:
    out = f.path.parent / f"result_{f.kind}_{method}.json"
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        method,
        "--file",
        f.kind,
        {"google-ads": "--export-rows", "xlsx": "--xlsx-rows"}.get(f.kind, "--rows"),
        str(f.rows),
        "--data-dir",
        str(data_dir),
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


def run_here(method: str, f: DataFile) -> dict[str, Any]:
    """What :func:`spawn` gives, the method run in this process (``--in-process``)."""
    out = f.path.parent / f"result_{f.kind}_{method}.json"
    worker(method, f, out)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


def summarise(f: DataFile, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    table = []
    for method, rs in runs.items():
        seconds = statistics.median(r["seconds"] for r in rs)
        table.append(
            {
                "method": method,
                "seconds": seconds,
                "runs": [r["seconds"] for r in rs],
                "rows_per_s": f.rows / seconds,
                "peak_mb": max(r["peak_mb"] for r in rs),
                "warnings": rs[0].get("warnings", []),
            }
        )
    s = {r["method"]: r for r in table}
    ratios: dict[str, float] = {}
    if "shakhes" in s and "duckdb-bare" in s:
        ratios["shakhes / duckdb-bare"] = s["shakhes"]["seconds"] / s["duckdb-bare"]["seconds"]
    if "shakhes" in s and "load" in s:
        ratios["load / shakhes"] = s["load"]["seconds"] / s["shakhes"]["seconds"]
    if "shakhes" in s and "pandas" in s:
        ratios["pandas / shakhes"] = s["pandas"]["seconds"] / s["shakhes"]["seconds"]
    return {
        "file": f.kind,
        "rows": f.rows,
        "table": table,
        "ratios": ratios,
        "bars": _bars(f, s, ratios),
    }


def _bars(
    f: DataFile, s: dict[str, dict[str, Any]], ratios: dict[str, float]
) -> list[tuple[str, bool]]:
    """The bars of the issues (3: canonical CSV; 10: Parquet, and load = import) that apply."""
    bars: list[tuple[str, bool]] = []
    rate = s["shakhes"]["rows_per_s"] if "shakhes" in s else None
    bare = ratios.get("shakhes / duckdb-bare")
    if f.kind == "canonical" and rate is not None:
        bars.append(
            (
                f"shakhes ≥ {BARS['rows_per_s']:,.0f} rows/s on the canonical CSV with full "
                f"validation and import log (got {rate:,.0f})",
                rate >= BARS["rows_per_s"],
            )
        )
        if bare is not None:
            bars.append(
                (
                    f"shakhes within {BARS['vs_bare']:.0f}× of the bare DuckDB load "
                    f"(got {bare:.2f}×)",
                    bare <= BARS["vs_bare"],
                )
            )
    if f.kind == "parquet" and rate is not None:
        at = "" if f.rows >= 10_000_000 else f" (the bar is set at 10 M rows; this is {f.rows:,})"
        bars.append(
            (
                f"shakhes ≥ {BARS['parquet_rows_per_s']:,.0f} rows/s on the canonical Parquet "
                f"file (got {rate:,.0f}){at}",
                rate >= BARS["parquet_rows_per_s"],
            )
        )
        if bare is not None:
            bars.append(
                (
                    f"shakhes within {BARS['parquet_vs_bare']:.0f}× of a bare INSERT … SELECT "
                    f"FROM read_parquet (got {bare:.2f}×)",
                    bare <= BARS["parquet_vs_bare"],
                )
            )
    if f.kind == "canonical" and "load / shakhes" in ratios:
        r = ratios["load / shakhes"]
        bars.append(
            (
                f"load within {BARS['load_vs_import']:.1f}× of import --source canonical "
                f"(got {r:.2f}×)",
                r <= BARS["load_vs_import"],
            )
        )
    if "pandas / shakhes" in ratios:
        r = ratios["pandas / shakhes"]
        bars.append((f"shakhes faster than pandas on the {f.kind} file (got {r:.2f}×)", r > 1))
    return bars


def _title(summary: dict[str, Any]) -> str:
    what = {
        "canonical": "canonical ad_performance CSV",
        "parquet": "canonical ad_performance Parquet",
        "jsonl": "canonical ad_performance JSON lines",
        "xlsx": "canonical ad_performance XLSX",
    }.get(summary["file"], "Google Ads export")
    return f"{what}, {summary['rows']:,} rows"


def _note(method: str, kind: str) -> str:
    if method == "duckdb-bare" and kind == "google-ads":
        return "all text, not comparable"
    if method == "duckdb-bare":
        return "no validation"
    return ""


def print_summary(summary: dict[str, Any]) -> None:
    print(f"\n=== {_title(summary)} ===")
    print(f"{'method':<12} {'seconds':>9} {'rows/s':>12} {'peak RSS MB':>12}")
    for r in summary["table"]:
        note = _note(r["method"], summary["file"])
        print(
            f"{r['method']:<12} {r['seconds']:>9.2f} {r['rows_per_s']:>12,.0f} "
            f"{r['peak_mb']:>12,.0f}" + (f"  ({note})" if note else "")
        )
        if len(r["runs"]) > 1:
            print(f"    runs: {', '.join(f'{x:.2f}' for x in r['runs'])} s")
        for w in r["warnings"]:
            print(f"    warning: {w}")
    for name, value in summary["ratios"].items():
        extra = " (not comparable)" if "bare" in name and summary["file"] == "google-ads" else ""
        print(f"  {name}: {value:.2f}×{extra}")
    for text, ok in summary["bars"]:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


def markdown(summaries: list[dict[str, Any]], command: str) -> str:
    m = machine()
    lines = [
        f"### Import results — {dt.date.today().isoformat()}",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {m['cpu']}, {m['ram']} RAM, {m['os']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}.",
        "",
    ]
    for s in summaries:
        lines += [
            f"#### {_title(s)}",
            "",
            "| method | seconds | rows/s | peak RSS (MB) | note |",
            "|---|---:|---:|---:|---|",
        ]
        for r in s["table"]:
            lines.append(
                f"| {r['method']} | {r['seconds']:.2f} | {r['rows_per_s']:,.0f} | "
                f"{r['peak_mb']:,.0f} | {_note(r['method'], s['file'])} |"
            )
        lines.append("")
        for name, value in s["ratios"].items():
            extra = " (not comparable)" if "bare" in name and s["file"] == "google-ads" else ""
            lines.append(f"- {name}: **{value:.2f}×**{extra}")
        for text, ok in s["bars"]:
            lines.append(f"- bar: {'**PASS**' if ok else '**FAIL**'} — {text}")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--rows", type=lambda s: int(float(s)), default=5_000_000)
    p.add_argument("--export-rows", type=lambda s: int(float(s)), default=1_000_000)
    p.add_argument("--xlsx-rows", type=lambda s: int(float(s)), default=200_000)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--files", default=",".join(FILES), help=",".join(FILES))
    p.add_argument("--runs", type=int, default=1, help="worker processes per method (median)")
    p.add_argument("--markdown", action="store_true", help="also print a Markdown section")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="run the methods in this process, not each in a new one (a quick smoke run: "
        "its seconds and peak memory are not comparable)",
    )
    p.add_argument("--clean", action="store_true", help="delete the generated files after")
    p.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    p.add_argument("--file", choices=FILES, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    kinds = [k.strip() for k in args.files.split(",") if k.strip()]

    def rows_of(kind: str) -> int:
        return {"google-ads": args.export_rows, "xlsx": args.xlsx_rows}.get(kind, args.rows)

    if args.worker:
        rows = rows_of(args.file)
        f = data_file(args.file, rows, args.data_dir)
        if not _is_current(f):
            raise SystemExit(f"no current {args.file} file of {rows} rows in {args.data_dir}")
        worker(args.worker, f, args.out)
        return 0

    summaries = []
    for kind in kinds:
        f = generate(kind, rows_of(kind), args.data_dir)
        applicable = [m for m in methods if m in KIND_METHODS[kind]]
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in applicable}
        for _ in range(args.runs):
            for method in applicable:  # interleaved, so that drift on the machine hits all alike
                _prewarm(f)
                if args.in_process:
                    runs[method].append(run_here(method, f))
                else:
                    runs[method].append(spawn(method, f, args.data_dir))
        summary = summarise(f, runs)
        print_summary(summary)
        summaries.append(summary)
        if args.clean:
            f.path.unlink()
            f.meta.unlink()
    if args.markdown:
        command = "python bench/imports.py " + " ".join(sys.argv[1:] if argv is None else argv)
        print("\n" + markdown(summaries, command.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
