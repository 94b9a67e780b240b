"""The warehouse: canonical tables on any Ibis backend (DuckDB by default, Postgres for teams).

Only identifiers from the canonical data model ever reach SQL text here; values travel as data
(a registered Arrow table in DuckDB, ``COPY`` in Postgres), never as SQL literals.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import ibis
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.backends.duckdb import Backend as DuckDBBackend

from shakhes.data.model import TABLES, ColumnType, Table
from shakhes.errors import BusyError, InternalError, ShakhesError, WorkspaceError
from shakhes.locate import duckdb_path as duckdb_path

_CONNECTING = threading.Lock()
"""Held while a DuckDB file is opened. Threads that open one file at once share one database
instance, and DuckDB's Python client (1.5) hands the instance to the second before it has
registered its Python table functions on it: a NumPy or Arrow table registered on that
connection then fails with "Table Function with name pandas_scan does not exist" (seen as a
500 under load, and in 44 of 800 concurrent opens here). Opening takes about 10 ms."""

CALENDAR_TABLE = "shakhes_calendar"
IMPORT_ID = "_import_id"
"""System column of every canonical table: the import that wrote the row (null: loaded
before imports were tracked, or by the demo)."""
DERIVED_IMPORT_ID = 0
"""``_import_id`` of customers worked out from the orders (see :mod:`shakhes.imports.customers`):
no import wrote them, and import ids start at 1."""
REPLACED_BY = "_replaced_by"
IMPORTS_TABLE = "shakhes_imports"
QUARANTINE_TABLE = "shakhes_quarantine"
RATES_TABLE = "shakhes_rates"
STAGE_LINE = "_line"
"""Column of an import's stage: the line of the file each staged row comes from."""

SCHEMA_TABLE = "shakhes_schema"
SCHEMA_VERSION = 3
"""The version of the tables shakhes keeps in a warehouse: raise it with every change that
:meth:`Warehouse.ensure_schema` makes to an existing warehouse (2: imports record their
options; 3: a quarantined row keeps its problem's code), so that a workspace made by an older
shakhes is upgraded (``shakhes db upgrade``) before anything writes to it."""

SYSTEM_TABLES = {
    IMPORTS_TABLE: f"""CREATE TABLE {IMPORTS_TABLE} (
        import_id BIGINT PRIMARY KEY, table_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, source VARCHAR NOT NULL, account VARCHAR,
        rows_read BIGINT NOT NULL, accepted BIGINT NOT NULL, quarantined BIGINT NOT NULL,
        replaced BIGINT NOT NULL, removed BIGINT NOT NULL, date_from DATE, date_to DATE,
        replace_range BOOLEAN NOT NULL, totals VARCHAR NOT NULL, actor VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL, undone_at TIMESTAMP, options VARCHAR)""",
    RATES_TABLE: f"""CREATE TABLE {RATES_TABLE} (
        date DATE NOT NULL, currency VARCHAR NOT NULL, rate DOUBLE PRECISION NOT NULL)""",
    QUARANTINE_TABLE: f"""CREATE TABLE {QUARANTINE_TABLE} (
        import_id BIGINT NOT NULL, file_name VARCHAR NOT NULL, line BIGINT NOT NULL,
        column_name VARCHAR, cell VARCHAR, reason VARCHAR NOT NULL, row_json VARCHAR NOT NULL,
        resolved_by BIGINT, code VARCHAR)""",
}

OLD_REASON_CODES = {
    "not a number": "not_a_number",
    "not a number: more than one decimal separator": "not_a_number",
    "not a number: separators in the wrong places": "not_a_number",
    "currency without a number": "not_a_number",
    "not a date": "not_a_date",
    "not a yes/no value": "not_a_boolean",
    "not a whole number": "not_whole_number",
    "missing required value": "missing_value",
    "unknown (an empty or NA cell is not read as 0): write the number, 0 if there was none, "
    "and import the row again": "missing_value",
}
"""The code of a quarantined row kept before rows kept their code (schema version 3), worked
out from its reason where that is one of these fixed texts (of the value parsers and the data
model's rules) when the warehouse is upgraded; a reason that names its column or value leaves
the code null (its text is all there is)."""


def history_table(name: str) -> str:
    """The table keeping the rows of canonical table ``name`` that imports replaced, so that
    ``shakhes imports undo`` can restore them."""
    return f"shakhes_replaced_{name}"


_ARROW_TYPES = {
    ColumnType.DATE: pa.date32(),
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a canonical table."""
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.type], nullable=not c.required) for c in table.columns]
    )


def _quote(identifier: str) -> str:
    # Identifiers come from the data model only; quoting keeps reserved words (date) safe.
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class Compiled:
    """An Ibis expression compiled to DuckDB SQL (:meth:`Warehouse.compile`), with what running
    it needs besides the SQL: the data of its in-memory tables, by the names the SQL gives them,
    and the Ibis schema of its rows. The SQL names only tables, and holds only literals, that
    Ibis wrote from the expression; the data goes to DuckDB as data."""

    sql: str
    memtables: Mapping[str, pa.Table]
    schema: ibis.Schema


@dataclass(frozen=True)
class LoadResult:
    table: str
    inserted: int
    replaced: int


class Warehouse:
    """A connection to the warehouse that holds the canonical tables.

    One connection serves one thread at a time. A workspace opens one per read or write
    (:meth:`shakhes.workspace.Workspace.reading`); code holding a single ``Warehouse`` that
    several threads use runs their calls one at a time through :meth:`session`.
    """

    def __init__(self, backend: BaseBackend, url: str, *, read_only: bool = False) -> None:
        self.backend = backend
        self.url = url
        self.read_only = read_only
        """Opened read-only (a DuckDB file that other processes may be reading too)."""
        self._tables: dict[str, ibis.Table] = {}
        self._open_transactions = 0
        self._turn = threading.RLock()

    @classmethod
    def connect(cls, url: str, root: Path | None = None, *, read_only: bool = False) -> Warehouse:
        """Connect to ``url``; a relative DuckDB path is taken inside the workspace ``root``.

        ``read_only`` opens a DuckDB file read-only, as many processes may at once (a file open
        read-write in another process cannot be opened: :class:`BusyError`); it changes
        nothing elsewhere (an in-memory DuckDB, Postgres)."""
        parsed = urlparse(url)
        if parsed.scheme == "duckdb":
            path = duckdb_path(url, root)
            if path is None:
                return cls(DuckDBBackend().connect(":memory:"), url)
            try:
                with _CONNECTING:
                    backend = DuckDBBackend().connect(path, read_only=read_only)
            except duckdb.IOException as exc:
                raise _open_error(path, exc) from None
            return cls(backend, url, read_only=read_only)
        if parsed.scheme in ("postgres", "postgresql"):
            try:
                backend = ibis.connect(url.replace("postgresql://", "postgres://", 1))
            except Exception as exc:
                raise WorkspaceError(f"cannot connect to the warehouse at {url}: {exc}") from exc
            return cls(backend, url)
        raise WorkspaceError(
            f"unsupported warehouse URL '{url}'",
            hint="Use duckdb:///path/to/file.duckdb or postgres://user@host:5432/database.",
        )

    def cursor(self) -> Warehouse:
        """On DuckDB, a new connection to the same database (for another thread; close it after
        use), sharing this one's table schemas."""
        if self.dialect != "duckdb":
            raise InternalError("only DuckDB connections have cursors (Postgres: connect again)")
        backend = DuckDBBackend.from_connection(self.backend.con.cursor())
        other = Warehouse(backend, self.url, read_only=self.read_only)
        other._tables = self._tables
        return other

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        """This warehouse for one operation of the calling thread: operations of other threads
        wait until it is done (a connection serves one thread at a time)."""
        with self._turn:
            yield self

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """On Postgres, every query of the block reads one snapshot of the database (a
        ``REPEATABLE READ`` transaction): what a write commits meanwhile is not seen, so a
        block of reads sees the data before a write or after it, never a part. Elsewhere
        nothing (a DuckDB file is locked against writers while it is read)."""
        if self.dialect != "postgres":
            yield
            return
        import psycopg

        con = self.backend.con
        previous = con.isolation_level
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with con.transaction():
                yield
        finally:
            con.isolation_level = previous

    def use_tables(self, cache: dict[str, ibis.Table]) -> None:
        """Read table schemas from (and add them to) ``cache``, a dict shared by the
        connections of one warehouse and kept by its owner, so a new connection does not read
        them again (the engine keeps one per data version)."""
        self._tables = cache

    @property
    def dialect(self) -> str:
        return str(self.backend.name)

    # ---- schema -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the canonical tables, the import bookkeeping tables and the date dimension
        where they are missing; add columns a newer shakhes needs to older tables."""
        existing = set(self.backend.list_tables())
        for table in TABLES.values():
            columns = ", ".join(
                f"{_quote(c.name)} {c.type.sql_type}" + (" NOT NULL" if c.required else "")
                for c in table.columns
            )
            if table.name not in existing:
                self._execute(f"CREATE TABLE {_quote(table.name)} ({columns}, {IMPORT_ID} BIGINT)")
            elif IMPORT_ID not in self.backend.get_schema(table.name):
                self._execute(f"ALTER TABLE {_quote(table.name)} ADD COLUMN {IMPORT_ID} BIGINT")
            history = history_table(table.name)
            if history not in existing:
                plain = ", ".join(f"{_quote(c.name)} {c.type.sql_type}" for c in table.columns)
                self._execute(
                    f"CREATE TABLE {history} ({plain}, {IMPORT_ID} BIGINT, "
                    f"{REPLACED_BY} BIGINT NOT NULL)"
                )
        for name, ddl in SYSTEM_TABLES.items():
            if name not in existing:
                self._execute(ddl)
        if IMPORTS_TABLE in existing and "options" not in self.backend.get_schema(IMPORTS_TABLE):
            # Imports record the options they were imported with (currency, account, …).
            self._execute(f"ALTER TABLE {IMPORTS_TABLE} ADD COLUMN options VARCHAR")
        if QUARANTINE_TABLE in existing and "code" not in self.backend.get_schema(QUARANTINE_TABLE):
            # A quarantined row keeps its problem's code; older rows get it from a fixed text.
            self._execute(f"ALTER TABLE {QUARANTINE_TABLE} ADD COLUMN code VARCHAR")
            with self.transaction() as cur:
                for reason, code in OLD_REASON_CODES.items():
                    cur.execute(
                        self.param(
                            f"UPDATE {QUARANTINE_TABLE} SET code = ? "
                            "WHERE reason = ? AND code IS NULL"
                        ),
                        [code, reason],
                    )
        if CALENDAR_TABLE not in existing:
            self._create_date_dimension()
        if SCHEMA_TABLE not in existing:
            self._execute(f"CREATE TABLE {SCHEMA_TABLE} (version BIGINT NOT NULL)")
        self._execute(f"DELETE FROM {SCHEMA_TABLE}")
        self._execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES ({int(SCHEMA_VERSION)})")

    def _create_date_dimension(self) -> None:
        """The date dimension's table, one row per day of the calendar shakhes knows. On
        Postgres its rows go in as CSV by ``COPY``: Ibis inserts a table it is handed row by
        row, two seconds for the 73,000 days, which every new Postgres warehouse would wait."""
        from shakhes.engine.calendar import date_dimension

        days = date_dimension()
        if self.dialect != "postgres":
            self.backend.create_table(CALENDAR_TABLE, ibis.memtable(days))
            return
        import pyarrow.csv

        self.backend.create_table(CALENDAR_TABLE, schema=ibis.Schema.from_pyarrow(days.schema))
        text = pa.BufferOutputStream()
        pyarrow.csv.write_csv(days, text)
        cols = ", ".join(_quote(c) for c in days.column_names)
        sql = f"COPY {CALENDAR_TABLE} ({cols}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        with self.backend.con.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(text.getvalue().to_pybytes())

    def schema_version(self) -> int:
        """The version of shakhes' tables this warehouse has (:data:`SCHEMA_VERSION` once
        :meth:`ensure_schema` ran; 0 for a warehouse made before versions were kept)."""
        if SCHEMA_TABLE not in set(self.backend.list_tables()):
            return 0
        rows = self.fetchall(f"SELECT max(version) FROM {SCHEMA_TABLE}")
        return int(rows[0][0] or 0)

    def table(self, name: str) -> ibis.Table:
        """The Ibis table ``name``. Its schema is read once per connection (or once per shared
        cache, see :meth:`use_tables`); the expression names the table without being bound to
        this connection, so it runs on whichever connection executes it."""
        table = self._tables.get(name)
        if table is None:
            table = ibis.table(self.backend.get_schema(name), name=name)
            self._tables[name] = table
        return table

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr`` as an Arrow table, as Ibis' ``to_pyarrow`` gives them.

        On DuckDB without pandas: Ibis' ``to_pyarrow`` imports its DuckDB converter module,
        which imports pandas, and hands DuckDB the expression's in-memory tables (the engine's
        periods) as Arrow tables, which makes DuckDB import ``pyarrow.dataset``, which imports
        pandas — an eighth of a ``shakhes compute``. Here those tables reach DuckDB as NumPy
        arrays (:func:`_numpy_memtable`; tables of other data go Ibis' own way), and the rows
        come back through Ibis' Arrow type mapping alone (its DuckDB converter differs from it
        only for null-typed columns)."""
        compiled = self.compile(expr)
        if compiled is None:
            return self.backend.to_pyarrow(expr)
        return self.run(compiled)

    def compile(self, expr: ibis.Table) -> Compiled | None:
        """``expr`` compiled for :meth:`run` (which :meth:`to_arrow` does at once; the engine
        keeps it to run again on later data), or None where :meth:`to_arrow` goes Ibis' own
        way: on a backend other than DuckDB, or with in-memory tables NumPy cannot carry."""
        if not isinstance(self.backend, DuckDBBackend):
            return None
        from ibis.expr import operations as ops

        found = expr.op().find(ops.InMemoryTable)
        memtables = {op.name: op.data.to_pyarrow(op.schema) for op in found}
        if not all(_numpy_ready(t) for t in memtables.values()):
            return None
        return Compiled(str(self.backend.compile(expr)), memtables, expr.schema())

    def run(self, compiled: Compiled) -> pa.Table:
        """The rows of an expression :meth:`compile` compiled (on any connection to a DuckDB
        warehouse with the same tables), on this connection: its in-memory tables are temporary
        views of this connection while the query runs."""
        from ibis.formats.pyarrow import PyArrowData

        con = self.backend.con
        with contextlib.ExitStack() as stack:
            for name, data in compiled.memtables.items():
                stack.enter_context(_numpy_memtable(con, name, data))
            table = con.sql(compiled.sql).to_arrow_table()
        result: pa.Table = PyArrowData.convert_table(table, compiled.schema)
        return result

    def row_count(self, name: str) -> int:
        return int(self.backend.execute(self.table(name).count()))

    def date_range(self, name: str) -> tuple[dt.date, dt.date] | None:
        """First and last day with data in a canonical table (by its time column)."""
        t = self.table(name)
        col = t[TABLES[name].time_column]
        lo, hi = self.backend.execute(t.aggregate(lo=col.min(), hi=col.max())).iloc[0]
        if lo is None or hi is None or str(lo) in ("NaT", "nan"):
            return None
        return _as_date(lo), _as_date(hi)

    # ---- loading ------------------------------------------------------------------------------

    def upsert(self, name: str, rows: pa.Table) -> LoadResult:
        """Insert ``rows`` into canonical table ``name`` in one transaction; a row whose natural key
        is already there replaces the old row. All or nothing."""
        table = TABLES[name]
        rows = rows.select(table.column_names).cast(arrow_schema(table))
        cols = ", ".join(_quote(c) for c in table.column_names)
        key_match = " AND ".join(
            f"t.{_quote(k)} IS NOT DISTINCT FROM s.{_quote(k)}" for k in table.natural_key
        )
        target = _quote(name)
        with self._staged(rows, table) as (cursor, staged):
            before = _scalar(cursor, f"SELECT count(*) FROM {target}")
            cursor.execute(f"DELETE FROM {target} AS t USING {staged} AS s WHERE {key_match}")
            after_delete = _scalar(cursor, f"SELECT count(*) FROM {target}")
            cursor.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {staged}")
        return LoadResult(name, inserted=rows.num_rows, replaced=before - after_delete)

    @contextmanager
    def _staged(self, rows: pa.Table, table: Table) -> Iterator[tuple[Any, str]]:
        staged = "_shakhes_staged"
        if self.dialect == "duckdb":
            con = self.backend.con
            con.register(staged, rows)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con, staged
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            finally:
                con.unregister(staged)
        else:
            con = self.backend.con
            with con.transaction(), con.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMP TABLE {staged} (LIKE {_quote(table.name)}) ON COMMIT DROP"
                )
                cols = ", ".join(_quote(c) for c in table.column_names)
                with cursor.copy(f"COPY {staged} ({cols}) FROM STDIN") as copy:
                    for row in rows.to_pylist():
                        copy.write_row([row[c] for c in table.column_names])
                yield cursor, staged

    # ---- transactions and staging (used by imports) ----------------------------------------

    def param(self, sql: str) -> str:
        """``sql`` written with ``?`` placeholders, in this backend's placeholder style."""
        return sql if self.dialect == "duckdb" else sql.replace("?", "%s")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A DB-API cursor inside one transaction: committed on success, rolled back on any
        error (and by the database itself if the process dies). Inside another transaction it
        is part of that one (on Postgres, a savepoint): an error rolls back the outer one."""
        con = self.backend.con
        if self.dialect == "duckdb":
            if self._open_transactions:
                yield con
                return
            con.execute("BEGIN TRANSACTION")
            self._open_transactions += 1
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                self._open_transactions -= 1
        else:
            with con.transaction(), con.cursor() as cursor:
                yield cursor

    @contextmanager
    def duckdb_settings(self, **values: str | int) -> Iterator[None]:
        """On DuckDB, these settings for the duration (``memory_limit="1GB"``: it spills to
        disk beyond; ``threads=4``), then DuckDB's defaults again (shakhes sets no others);
        elsewhere, nothing."""
        if self.dialect != "duckdb":
            yield
            return
        con = self.backend.con
        # Names are identifiers of our code; a text value is a memory size, checked.
        names = list(values)
        if not all(re.fullmatch(r"[a-z_]+", name) for name in names):
            raise ValueError(f"not DuckDB setting names: {names}")
        for name in names:
            value = values[name]
            literal = str(int(value)) if isinstance(value, int) else f"'{_setting(value)}'"
            con.execute(f"SET {name} = {literal}")
        try:
            yield
        finally:
            for name in names:
                con.execute(f"RESET {name}")

    @contextmanager
    def query_progress(
        self, report: Callable[[float], None] | None, every: float = 0.2
    ) -> Iterator[None]:
        """On DuckDB, while the block runs, call ``report`` from a watcher thread with the
        fraction (0–1) of the running statement that is done, every ``every`` seconds; with no
        ``report``, turn DuckDB's progress tracking off for the block (it costs a few per cent
        of a long read). Elsewhere nothing."""
        if self.dialect != "duckdb":
            yield
            return
        con = self.backend.con
        if report is None:
            con.execute("SET enable_progress_bar = false")
            try:
                yield
            finally:
                with contextlib.suppress(duckdb.Error):  # in a failed transaction: left so
                    con.execute("RESET enable_progress_bar")
            return
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(every):
                percent = con.query_progress()
                if percent >= 0:
                    report(min(percent, 100.0) / 100)

        watcher = threading.Thread(target=watch, name="shakhes-query-progress", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
            with contextlib.suppress(duckdb.Error):  # in a failed transaction: left as it is
                con.execute("RESET enable_progress_bar")
                con.execute("RESET enable_progress_bar_print")

    def create_stage(self, name: str, table: Table, *, temporary: bool = True) -> str:
        """A session-private (temporary) table with the columns of canonical ``table`` and
        ``_line`` (the row's line in the file, when known), to collect a file's rows in batches
        before one transaction merges them; not ``temporary``, a table of the database (of a
        database of the import's own, that outlives the connection)."""
        stage = _quote(name)
        plain = ", ".join(f"{_quote(c.name)} {c.type.sql_type}" for c in table.columns)
        kind = "TEMPORARY TABLE" if temporary else "TABLE"
        self._execute(f"DROP TABLE IF EXISTS {stage}")
        self._execute(f"CREATE {kind} {stage} ({plain}, {STAGE_LINE} BIGINT)")
        return stage

    def append_stage(self, stage: str, table: Table, rows: pa.Table) -> None:
        """Add ``rows`` (canonical schema, and ``_line`` if they have it) to a stage table."""
        names = table.column_names + ([STAGE_LINE] if STAGE_LINE in rows.column_names else [])
        schema = arrow_schema(table)
        if STAGE_LINE in names:
            schema = schema.append(pa.field(STAGE_LINE, pa.int64()))
        rows = rows.select(names).cast(schema)
        cols = ", ".join(_quote(c) for c in names)
        if self.dialect == "duckdb":
            con = self.backend.con
            con.register("_shakhes_batch", rows)
            try:
                con.execute(f"INSERT INTO {stage} ({cols}) SELECT {cols} FROM _shakhes_batch")
            finally:
                con.unregister("_shakhes_batch")
        else:
            with (
                self.backend.con.cursor() as cursor,
                cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows.to_pylist():
                    copy.write_row([row[c] for c in names])

    def drop_stage(self, stage: str) -> None:
        self._execute(f"DROP TABLE IF EXISTS {stage}")

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` (written with ``?`` placeholders; identifiers from the data model
        only, values as ``params``), on this connection — for the small fixed-shape queries
        (date bounds, currencies) that need no Ibis expression. On a backend other than DuckDB
        and Postgres (the engine's queries run on any Ibis backend), the SQL is translated to
        its dialect and takes no ``params``."""
        if self.dialect == "duckdb":
            rows: list[tuple[Any, ...]] = self.backend.con.execute(sql, list(params)).fetchall()
            return rows
        if self.dialect == "postgres":
            with self.backend.con.cursor() as cursor:
                cursor.execute(self.param(sql), list(params))
                return list(cursor.fetchall())
        # Another Ibis backend (Spark, say), which reads the engine's queries but not this SQL
        # as written (Spark takes "date" for a string): Ibis translates it through sqlglot.
        if params:
            raise InternalError(f"shakhes' own SQL takes no parameters on {self.dialect}")
        found = self.backend.sql(sql, dialect="postgres").to_pyarrow()
        return list(zip(*(column.to_pylist() for column in found.columns), strict=True))

    def _execute(self, sql: str) -> None:
        if self.dialect == "duckdb":
            self.backend.con.execute(sql)
        else:
            with self.backend.con.cursor() as cursor:
                cursor.execute(sql)

    def close(self) -> None:
        self.backend.disconnect()


def _numpy_ready(data: pa.Table) -> bool:
    """Whether :func:`_numpy_memtable` can hand ``data`` to DuckDB: whole numbers and dates,
    without nulls (the engine's periods and day → period maps)."""
    return all(
        (pa.types.is_date32(f.type) or f.type in (pa.int32(), pa.int64()))
        and not data.column(f.name).null_count
        for f in data.schema
    )


@contextmanager
def _numpy_memtable(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> Iterator[None]:
    """``data`` (whole numbers and dates) as the temporary view ``name`` of DuckDB connection
    ``con`` while the block runs, handed over as NumPy arrays (dates as days since 1970), which
    DuckDB reads without importing pyarrow.dataset and pandas (see :meth:`Warehouse.to_arrow`).
    The SQL names only the table's own columns and types."""
    from shakhes.engine.arrow import numbers

    raw = f"{name}_numpy"
    arrays: dict[str, Any] = {}
    columns = []
    for field in data.schema:
        column = data.column(field.name)
        if pa.types.is_date32(field.type):
            arrays[field.name] = numbers(column, pa.int32(), 0)  # days since 1970
            columns.append(f"DATE '1970-01-01' + {_quote(field.name)} AS {_quote(field.name)}")
        elif field.type in (pa.int32(), pa.int64()):
            arrays[field.name] = numbers(column, field.type, 0)
            columns.append(_quote(field.name))
        else:
            raise InternalError(f"no {field.type} column in an in-memory table on DuckDB")
    con.register(raw, arrays)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMPORARY VIEW {_quote(name)} AS "
            f"SELECT {', '.join(columns)} FROM {_quote(raw)}"
        )
        try:
            yield
        finally:
            con.execute(f"DROP VIEW IF EXISTS {_quote(name)}")
    finally:
        con.unregister(raw)


def _open_error(path: str, exc: duckdb.IOException) -> ShakhesError:
    """A DuckDB file that cannot be opened: busy (another program holds it), or missing."""
    text = str(exc)
    if "lock" in text.lower():
        held = re.search(r"held in (.+?) \(PID (\d+)\)", text)
        program = f" ({held.group(1)}, pid {held.group(2)})" if held else ""
        return BusyError(
            f"the warehouse {path} is open in another program{program} that does not take "
            "turns with shakhes (a DuckDB shell, a notebook, an older shakhes?)",
            hint="Close it there, then try again.",
            code="warehouse_in_use",
            params={"path": path},
        )
    if not Path(path).exists():
        return WorkspaceError(f"the warehouse {path} does not exist")
    return WorkspaceError(f"cannot open the warehouse {path}: {text.splitlines()[0]}")


def _setting(value: str) -> str:
    """A memory size setting such as ``1GB`` or ``19.2 GiB``, checked before it reaches SQL."""
    if not re.fullmatch(r"[0-9.]+ ?[KMGT]i?B", value.strip()):
        raise WorkspaceError(f"'{value}' is not a memory size such as 1GB")
    return value.strip()


def _scalar(cursor: Any, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
