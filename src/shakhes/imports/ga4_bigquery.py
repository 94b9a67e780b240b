"""GA4 BigQuery event exports (Parquet or JSON lines, one row per event) → ``web_traffic`` and
``orders``.

The file is aggregated by DuckDB in a private in-memory connection (the file path is a query
parameter, never spliced into SQL), so it works whatever the warehouse backend is. Rules:

- A session is ``(user_pseudo_id, ga_session_id event param)``. Events without either are not
  part of any session: they are left out of ``web_traffic`` (a warning counts them).
- A session belongs to the day, device and source of its **first** event (``event_timestamp``,
  then file order): all its events (page views, purchases, revenue) count on that row, also
  when the session runs past midnight, so ``sessions`` stays additive.
- Source / medium / campaign come from the ``source`` / ``medium`` / ``campaign`` event params
  of the session's first event that carries them (GA4 sets them on the landing events). A
  session without them falls back to ``traffic_source{source,medium,name}``, which is the
  user's **first-user** acquisition source, not this session's: returning direct visits thus
  show the user's original source. Missing values are ``(not set)``.
- ``channel`` follows the simplified GA4 default channel grouping of
  :func:`shakhes.imports.sources.ga4.channel_of` (cpc/ppc/paid → search or social, organic →
  organic_search, email, referral, (direct)/(none) → direct, else other).
- ``sessions`` counts distinct sessions (with or without a ``session_start`` event in the file);
  ``engaged_sessions`` those with any event whose ``session_engaged`` param is ``'1'``;
  ``users`` distinct ``user_pseudo_id``; ``new_users`` distinct users with a ``first_visit``
  event in a session of the row; ``page_views`` ``page_view`` events.
- ``key_events`` counts ``purchase`` events: which events are key events is configured in GA4
  and is not in the export; ``purchase`` is the one GA4 marks by default.
- ``revenue`` sums ``ecommerce.purchase_revenue`` of purchase events, in ``--currency``
  (required: the export carries no currency for the property).
- ``orders``: one row per purchase event with a ``transaction_id`` (the first one when GA4
  repeats a transaction id), with the session's channel and campaign; ``customer_id`` is the
  ``user_pseudo_id``; ``is_new_customer`` is worked out from the order history in the
  warehouse (the export cannot tell whether a buyer bought before; see
  :data:`shakhes.imports.ledger.NEW_CUSTOMERS_FROM_HISTORY`).

``web_traffic`` and ``orders`` are committed in ONE transaction (either both land or nothing
does), as two ledger records, one per table; ``shakhes imports undo`` of either undoes both. The
returned report is the ``web_traffic`` one and a warning names the orders import. The same file
imported again with the same options changes nothing; with another ``--currency`` or
``--account`` it replaces every row its earlier import wrote in both tables (undoing it brings
them back), as for any other source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.model import TABLES, Table
from shakhes.data.warehouse import Warehouse, arrow_schema
from shakhes.errors import DataError
from shakhes.imports.ledger import Commit, Ledger
from shakhes.imports.readers import FileInfo, iter_rows, sniff
from shakhes.imports.reimport import earlier_import, recorded_options
from shakhes.imports.report import ImportOptions, ImportReport, Step
from shakhes.imports.sources.ga4 import channel_of

SOURCE = "ga4-bigquery"
NOT_SET = "(not set)"
SIGNATURE = ("event_name", "event_date", "event_params")
"""Top-level columns that mark a GA4 BigQuery event export."""
REQUIRED = (*SIGNATURE, "user_pseudo_id")

_PARAMS = (
    "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, "
    "float_value DOUBLE, double_value DOUBLE))[]"
)
_JSON_COLUMNS: dict[str, str] = {
    "event_date": "VARCHAR",
    "event_timestamp": "BIGINT",
    "event_name": "VARCHAR",
    "event_params": _PARAMS,
    "user_pseudo_id": "VARCHAR",
    "device": "STRUCT(category VARCHAR)",
    "traffic_source": "STRUCT(name VARCHAR, medium VARCHAR, source VARCHAR)",
    "ecommerce": "STRUCT(purchase_revenue DOUBLE, transaction_id VARCHAR)",
}
_FIELDS: dict[str, tuple[str, str]] = {
    # output column: (top-level column it needs, expression)
    "event_date": ("event_date", "CAST(event_date AS VARCHAR)"),
    "ts": ("event_timestamp", "CAST(event_timestamp AS BIGINT)"),
    "name": ("event_name", "CAST(event_name AS VARCHAR)"),
    "params": ("event_params", f"CAST(event_params AS {_PARAMS})"),
    "uid": ("user_pseudo_id", "CAST(user_pseudo_id AS VARCHAR)"),
    "device": ("device", "CAST(device.category AS VARCHAR)"),
    "ts_source": ("traffic_source", "CAST(traffic_source.source AS VARCHAR)"),
    "ts_medium": ("traffic_source", "CAST(traffic_source.medium AS VARCHAR)"),
    "ts_name": ("traffic_source", "CAST(traffic_source.name AS VARCHAR)"),
    "revenue": ("ecommerce", "CAST(ecommerce.purchase_revenue AS DOUBLE)"),
    "transaction_id": ("ecommerce", "CAST(ecommerce.transaction_id AS VARCHAR)"),
}

_MACROS = (
    "CREATE TEMP MACRO pv(params, k) AS list_filter(params, x -> x.key = k)[1].value",
    "CREATE TEMP MACRO ptext(params, k) AS nullif(trim(coalesce(pv(params, k).string_value, "
    "CAST(pv(params, k).int_value AS VARCHAR), CAST(pv(params, k).double_value AS VARCHAR), "
    "CAST(pv(params, k).float_value AS VARCHAR))), '')",
    "CREATE TEMP MACRO clean(v) AS coalesce(nullif(trim(v), ''), '(not set)')",
)

_EVENTS = """
CREATE TEMP TABLE ev AS
SELECT n, try_strptime(event_date, '%Y%m%d')::DATE AS day, event_date, ts, name, uid,
       revenue, transaction_id, device, ts_source, ts_medium, ts_name,
       CASE WHEN uid IS NULL OR ptext(params, 'ga_session_id') IS NULL THEN NULL
            ELSE uid || '/' || ptext(params, 'ga_session_id') END AS skey,
       ptext(params, 'source') AS p_source, ptext(params, 'medium') AS p_medium,
       ptext(params, 'campaign') AS p_campaign,
       ptext(params, 'session_engaged') = '1' AS engaged
FROM (SELECT row_number() OVER () AS n, * FROM raw)
"""

_ATTRIBUTION = """
CASE WHEN {p}_source IS NOT NULL OR {p}_medium IS NOT NULL
     THEN [clean({p}_source), clean({p}_medium), clean({p}_campaign)]
     ELSE [clean({t}_source), clean({t}_medium), clean({t}_name)] END
"""

_SESSIONS = f"""
CREATE TEMP TABLE sess AS
WITH s AS (
  SELECT skey, any_value(uid) AS uid,
         arg_min(day, (coalesce(ts, 0), n)) AS day,
         arg_min_null(device, (coalesce(ts, 0), n)) AS device,
         arg_min_null(p_source, (coalesce(ts, 0), n))
           FILTER (WHERE p_source IS NOT NULL OR p_medium IS NOT NULL) AS s_source,
         arg_min_null(p_medium, (coalesce(ts, 0), n))
           FILTER (WHERE p_source IS NOT NULL OR p_medium IS NOT NULL) AS s_medium,
         arg_min_null(p_campaign, (coalesce(ts, 0), n))
           FILTER (WHERE p_source IS NOT NULL OR p_medium IS NOT NULL) AS s_campaign,
         arg_min_null(ts_source, (coalesce(ts, 0), n)) AS f_source,
         arg_min_null(ts_medium, (coalesce(ts, 0), n)) AS f_medium,
         arg_min_null(ts_name, (coalesce(ts, 0), n)) AS f_name,
         coalesce(bool_or(engaged), false) AS engaged,
         bool_or(name = 'first_visit') AS is_new,
         count(*) FILTER (WHERE name = 'page_view') AS page_views,
         count(*) FILTER (WHERE name = 'purchase') AS key_events,
         coalesce(sum(revenue) FILTER (WHERE name = 'purchase'), 0) AS revenue
  FROM ev WHERE skey IS NOT NULL AND day IS NOT NULL GROUP BY skey
)
SELECT skey, uid, day, lower(clean(device)) AS device, engaged, is_new, page_views, key_events,
       revenue, {_ATTRIBUTION.format(p="s", t="f")} AS attr
FROM s
"""

_WEB_TRAFFIC = """
SELECT day AS date, attr[1] AS source, attr[2] AS medium, attr[3] AS campaign, device,
       count(*) AS sessions, count(*) FILTER (WHERE engaged) AS engaged_sessions,
       count(DISTINCT uid) AS users, count(DISTINCT uid) FILTER (WHERE is_new) AS new_users,
       sum(page_views) AS page_views, sum(key_events) AS key_events,
       sum(revenue)::DOUBLE AS revenue
FROM sess GROUP BY ALL ORDER BY ALL
"""

_PURCHASES = f"""
CREATE TEMP TABLE purchases AS
SELECT e.n, e.ts, trim(e.transaction_id) AS order_id, e.day AS order_date,
       e.uid AS customer_id, coalesce(e.revenue, 0)::DOUBLE AS revenue,
       coalesce(s.attr, {_ATTRIBUTION.format(p="e.p", t="e.ts")}) AS attr
FROM ev AS e LEFT JOIN sess AS s USING (skey)
WHERE e.name = 'purchase' AND e.day IS NOT NULL AND e.uid IS NOT NULL
  AND nullif(trim(e.transaction_id), '') IS NOT NULL AND trim(e.transaction_id) <> '(not set)'
"""

_ORDERS = """
SELECT order_id, order_date, customer_id, attr[1] AS source, attr[2] AS medium,
       attr[3] AS campaign, revenue
FROM purchases
QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY coalesce(ts, 0), n) = 1
ORDER BY order_date, order_id
"""


def detect(path: Path, encoding: str | None = None) -> bool:
    """True for a Parquet or JSON-lines file whose first row has the GA4 BigQuery event
    columns (``event_name``, ``event_date``, ``event_params``)."""
    info = sniff(path, encoding=encoding)
    if info.format not in ("parquet", "jsonl") or (info.compressed and info.format == "parquet"):
        return False
    header = next(iter_rows(info), None)
    return header is not None and set(SIGNATURE) <= set(header.cells)


def import_ga4_bigquery(warehouse: Warehouse, path: Path, options: ImportOptions) -> ImportReport:
    """Import a GA4 BigQuery event export as ``web_traffic`` and ``orders`` (see the module
    docstring for the rules). Returns the ``web_traffic`` report."""
    path = Path(path)
    if not options.currency:
        raise DataError(
            f"{path}: a GA4 BigQuery export does not say which currency its revenue is in",
            code="no_currency",
            hint="Give the currency of the GA4 property (an ISO code such as USD).",
        )
    currency = options.currency.strip().upper()
    info = sniff(path, encoding=options.encoding)
    web, orders, rows_read, warnings = _aggregate(info)
    if not web.num_rows and not orders.num_rows:
        raise DataError(
            f"{path}: none of its {rows_read} event(s) has a valid event_date, a user_pseudo_id "
            "and a ga_session_id",
            hint="Export the events table as it is, with its event_params.",
        )
    if options.progress is not None:
        options.progress(Step("reading", info.size, info.size, rows_read))
    web_rows = _canonical(web, TABLES["web_traffic"], currency)
    order_rows = _canonical(orders, TABLES["orders"], currency)
    file_name = options.file_name or str(path)
    web_report = _report(file_name, TABLES["web_traffic"], web_rows, rows_read, warnings, options)
    if options.dry_run:
        note = f"would also import {order_rows.num_rows} order(s) into orders"
        return replace(web_report, warnings=(*web_report.warnings, note))
    parts = [(web_report, web_rows)]
    if order_rows.num_rows:
        order_report = _report(file_name, TABLES["orders"], order_rows, rows_read, [], options)
        parts.append((order_report, order_rows))
    web_report, *others = _commit(warehouse, parts, info, options)
    notes: list[str] = []
    for order_report in others:
        if order_report.already_imported is not None:
            notes.append(
                f"the orders of this file were already imported as import "
                f"#{order_report.already_imported}"
            )
        else:
            replacing = (
                f", replacing import #{order_report.replaces}"
                if order_report.replaces is not None
                else ""
            )
            notes.append(
                f"also imported {order_report.accepted} order(s) into orders as import "
                f"#{order_report.import_id}{replacing}"
            )
    if not others:
        notes.append("no purchase event with a transaction_id: no orders imported")
    return replace(web_report, warnings=(*web_report.warnings, *notes))


def _source_sql(con: duckdb.DuckDBPyConnection, info: FileInfo) -> tuple[str, list[Any]]:
    """``SELECT`` of the event fields from the file, with its parameters."""
    if info.format == "jsonl":
        compression = "gzip" if info.compressed else "uncompressed"  # a constant, not user text
        base = (
            "read_json(?, format = 'newline_delimited', columns = ?, "
            f"compression = '{compression}')"
        )
        params: list[Any] = [str(info.path), _JSON_COLUMNS]
        # BigQuery leaves null fields out of JSON: the first record must name the signature
        # columns; the others may be missing anywhere (NULL).
        header = next(iter_rows(info), None)
        first = set(header.cells) if header is not None else set()
        present = set(_JSON_COLUMNS) - {c for c in SIGNATURE if c not in first}
    elif info.format == "parquet" and not info.compressed:
        base = "read_parquet(?)"
        params = [str(info.path)]
        described = con.execute(f"DESCRIBE SELECT * FROM {base}", params).fetchall()
        present = {str(r[0]) for r in described}
    else:
        raise DataError(
            f"{info.path}: a GA4 BigQuery export must be Parquet or JSON lines "
            f"(this is {'gzip-compressed ' if info.compressed else ''}{info.format})",
            hint="Export the events table from BigQuery as Parquet or newline-delimited JSON.",
        )
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise DataError(
            f"{info.path}: not a GA4 BigQuery event export: no {', '.join(missing)} column",
            hint="Export the events_YYYYMMDD table as it is, with its nested columns.",
        )
    fields = ", ".join(
        f"{expr if column in present else 'NULL'} AS {name}"
        for name, (column, expr) in _FIELDS.items()
    )
    return f"SELECT {fields} FROM {base}", params


def _aggregate(info: FileInfo) -> tuple[pa.Table, pa.Table, int, list[str]]:
    con = duckdb.connect()
    try:
        sql, params = _source_sql(con, info)
        try:
            con.execute(f"CREATE TEMP TABLE raw AS {sql}", params)
        except duckdb.Error as exc:
            raise DataError(
                f"{info.path}: could not read the GA4 events: {exc}",
                hint="Check that the file is a complete BigQuery export of an events table.",
            ) from None
        for macro in _MACROS:
            con.execute(macro)
        con.execute(_EVENTS)
        con.execute(_SESSIONS)
        con.execute(_PURCHASES)
        web = con.execute(_WEB_TRAFFIC).fetch_arrow_table()
        orders = con.execute(_ORDERS).fetch_arrow_table()
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE day IS NULL), "
            "count(*) FILTER (WHERE day IS NOT NULL AND skey IS NULL), "
            "(SELECT count(*) - count(DISTINCT order_id) FROM purchases) FROM ev"
        ).fetchone()
        bad_date = con.execute("SELECT any_value(event_date) FROM ev WHERE day IS NULL").fetchone()
    finally:
        con.close()
    assert counts is not None and bad_date is not None
    rows_read, no_date, no_session, repeated = (int(v) for v in counts)
    warnings: list[str] = []
    if no_date:
        warnings.append(
            f"{no_date} event(s) have no valid event_date (YYYYMMDD, e.g. '{bad_date[0]}') "
            "and were left out"
        )
    if no_session:
        warnings.append(
            f"{no_session} event(s) have no user_pseudo_id or ga_session_id and belong to no "
            "session: left out of web_traffic"
        )
    if repeated:
        warnings.append(
            f"{repeated} purchase event(s) repeat a transaction_id: each order imported once "
            "(its first purchase event)"
        )
    return web, orders, rows_read, warnings


def _canonical(rows: pa.Table, table: Table, currency: str) -> pa.Table:
    """``rows`` with channel and currency added, in ``table``'s canonical schema."""
    n = rows.num_rows
    pairs = zip(rows.column("source").to_pylist(), rows.column("medium").to_pylist(), strict=True)
    columns: dict[str, Any] = {name: rows.column(name) for name in rows.column_names}
    columns["channel"] = pa.array([channel_of(s, m) for s, m in pairs], pa.string())
    columns["currency"] = pa.array([currency] * n, pa.string())
    if table.name == "orders":
        columns["is_new_customer"] = pa.array([False] * n, pa.bool_())
    schema = arrow_schema(table)
    return pa.table({c: columns[c] for c in table.column_names}, schema=schema)


def _report(
    file_name: str,
    table: Table,
    rows: pa.Table,
    rows_read: int,
    warnings: list[str],
    options: ImportOptions,
) -> ImportReport:
    totals: dict[str, float] = {}
    for name in ("sessions", "key_events", "revenue"):
        if table.has_column(name):
            totals[name] = float(pc.sum(rows.column(name)).as_py() or 0) if rows.num_rows else 0.0
    date_range: tuple[dt.date, dt.date] | None = None
    if rows.num_rows:
        dates = rows.column(table.time_column)
        date_range = (pc.min(dates).as_py(), pc.max(dates).as_py())
    return ImportReport(
        file_name,
        SOURCE,
        table.name,
        rows_read,
        rows.num_rows,
        0,
        0,
        0,
        0,
        date_range,
        totals,
        tuple(warnings),
        dry_run=options.dry_run,
    )


def _commit(
    warehouse: Warehouse,
    parts: list[tuple[ImportReport, pa.Table]],
    info: FileInfo,
    options: ImportOptions,
) -> list[ImportReport]:
    """Merge each part's rows into its report's table, all in ONE transaction (one import
    record per table); a table this file was already imported into with the same options is
    left alone, one it was imported into with other options (a currency, an account) has every
    row of that import replaced, as any import of the same file again does
    (:mod:`shakhes.imports.reimport`)."""
    ledger = Ledger(warehouse, inactivity_days=options.inactivity_days)
    recorded = recorded_options(options, SOURCE)
    done: dict[str, ImportReport] = {}
    todo: list[tuple[ImportReport, pa.Table]] = []
    for report, rows in parts:
        earlier = earlier_import(ledger, report.table, info.sha256, recorded, info.path, options)
        if earlier is not None and not earlier.changed:
            done[report.table] = replace(
                report, already_imported=earlier.record.import_id, accepted=0
            )
            continue
        if earlier is not None:  # the same file with other options: it replaces that import
            report = replace(
                report, replaces=earlier.record.import_id, changed_options=earlier.changed
            )
        todo.append((report, rows))
    stages: list[str] = []
    try:
        commits = []
        for report, rows in todo:
            table = TABLES[report.table]
            stage = warehouse.create_stage(f"_shakhes_ga4bq_{table.name}", table)
            stages.append(stage)
            if rows.num_rows:
                warehouse.append_stage(stage, table, rows)
            commits.append(
                Commit(
                    table=table,
                    stage=stage,
                    rejected=[],
                    file_name=report.file,
                    sha256=info.sha256,
                    source=SOURCE,
                    account=options.account,
                    rows_read=report.rows_read,
                    date_range=report.date_range,
                    replace_range=options.replace_range,
                    totals=report.totals,
                    actor=options.actor,
                    options=recorded,
                    supersedes=report.replaces,
                )
            )
        records = ledger.commit_many(commits)
    finally:
        for stage in stages:
            warehouse.drop_stage(stage)
    for (report, _), record in zip(todo, records, strict=True):
        done[report.table] = replace(
            report,
            accepted=record.accepted,
            replaced=record.replaced,
            removed=record.removed,
            import_id=record.import_id,
        )
    return [done[report.table] for report, _ in parts]
