"""The warehouse: canonical tables on any Ibis backend (DuckDB by default, Postgres for teams).

Only identifiers from the canonical data model ever reach SQL text here; values travel as data
(a registered Arrow table in DuckDB, ``COPY`` in Postgres), never as SQL literals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from shakhes.data.model import TABLES, ColumnType, Table
from shakhes.errors import WorkspaceError

CALENDAR_TABLE = "shakhes_calendar"

_SQL_TYPES = {
    ColumnType.DATE: "DATE",
    ColumnType.STRING: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.FLOAT: "DOUBLE PRECISION",
    ColumnType.BOOLEAN: "BOOLEAN",
}
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
class LoadResult:
    table: str
    inserted: int
    replaced: int


class Warehouse:
    """A connection to the warehouse that holds the canonical tables."""

    def __init__(self, backend: BaseBackend, url: str) -> None:
        self.backend = backend
        self.url = url
        self._tables: dict[str, ibis.Table] = {}

    @classmethod
    def connect(cls, url: str, root: Path | None = None) -> Warehouse:
        """Connect to ``url``; a relative DuckDB path is taken inside the workspace ``root``."""
        parsed = urlparse(url)
        if parsed.scheme == "duckdb":
            # Like SQLAlchemy: duckdb:///relative.duckdb, duckdb:////absolute/path.duckdb.
            path = url.removeprefix("duckdb://").removeprefix("/")
            if path not in ("", ":memory:") and root is not None and not Path(path).is_absolute():
                path = str(root / path)
            backend = ibis.duckdb.connect(path or ":memory:")
            return cls(backend, url)
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

    @property
    def dialect(self) -> str:
        return str(self.backend.name)

    # ---- schema -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the canonical tables and the date dimension where they are missing."""
        existing = set(self.backend.list_tables())
        for table in TABLES.values():
            if table.name not in existing:
                columns = ", ".join(
                    f"{_quote(c.name)} {_SQL_TYPES[c.type]}" + (" NOT NULL" if c.required else "")
                    for c in table.columns
                )
                self._execute(f"CREATE TABLE {_quote(table.name)} ({columns})")
        if CALENDAR_TABLE not in existing:
            from shakhes.engine.calendar import date_dimension

            self.backend.create_table(CALENDAR_TABLE, ibis.memtable(date_dimension()))

    def table(self, name: str) -> ibis.Table:
        """The Ibis table ``name`` (its schema is read once per connection)."""
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

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

    def _execute(self, sql: str) -> None:
        if self.dialect == "duckdb":
            self.backend.con.execute(sql)
        else:
            with self.backend.con.cursor() as cursor:
                cursor.execute(sql)

    def close(self) -> None:
        self.backend.disconnect()


def _scalar(cursor: Any, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchone()[0])


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
