"""The straight path for canonical files on a DuckDB warehouse: a clean file is read by DuckDB
straight into its table, as a bare load would — CSV, Parquet, JSON lines and XLSX alike.

One statement reads the file (streaming, in parallel, with bounded memory), types the columns,
trims text cells, checks every row with the row rules the data model declares — the general
path checks the same ones (:mod:`shakhes.imports.sql_rules`: required values, channels,
currency codes, whole and non-negative numbers, clicks ≤ impressions; and Gregorian dates) —
and appends the rows to the canonical table as the import's rows, inside the import's
transaction. It is optimistic: at the first cell that does not convert or row that fails a
check, DuckDB stops and :func:`insert_in_place` raises :class:`NotClean`; the caller rolls back
and imports the file the general way, which reads what it can (Jalali dates, ``usd``,
``1,000``) and quarantines every other bad row with its exact line or record number.

Typed sources (Parquet, XLSX read by fastexcel, JSON values) are taken only where a value
means the same to both ways: a number column takes integers, floats and decimals (a DOUBLE
``1.5`` in a count column fails the whole-number check, a negative INT the sign check) and
text only in plain notation (``1200``, not ``1,200``); a text column takes text and integers;
a date column takes DATE, ISO ``YYYY-MM-DD`` text and, from a workbook, datetimes at midnight.
A column of any other type sends the file the general way before anything is read. Non-ASCII
text is checked once more after the read (:func:`check_text`) against the general way's
reading of it (mojibake repair, Unicode spaces). Only identifiers and fixed texts of the data
model appear in the SQL; the file path is a parameter.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import pyarrow as pa

from shakhes.data.model import Column, ColumnType, Table
from shakhes.data.warehouse import IMPORT_ID, Warehouse
from shakhes.imports.readers import FileInfo
from shakhes.imports.sql_rules import BOOLEANS, all_good, checks, lit, q

_READ_TYPES = {
    ColumnType.DATE: "DATE",
    ColumnType.STRING: "VARCHAR",
    # Whole numbers are read as DOUBLE and checked: DuckDB would round '1.5' into a BIGINT.
    ColumnType.INTEGER: "DOUBLE",
    ColumnType.FLOAT: "DOUBLE",
    # Booleans are read as text and checked: DuckDB would read '1', 't' or 'yes' as true, which
    # the canonical format (and so `shakhes load`) does not take.
    ColumnType.BOOLEAN: "VARCHAR",
}
"""How a CSV file's column of each type is read, before the checks."""
_NOT_CLEAN = "shakhes: a row fails a check"
_FAIL = f"error('{_NOT_CLEAN}')"
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What Python's ``str.strip()`` removes — and the general way with it (DuckDB's ``trim()``
alone leaves tabs, line breaks and a few Unicode spaces): every ``c`` with ``c.isspace()``,
written out (working it out on import cost 45 ms; a test checks the two agree)."""
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_UNSIGNED = ("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
_PLAIN_NUMBER = r"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
"""A number in text that every reader reads alike (no sign, separator, symbol or percent)."""
_JSON_NUMBER = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?"
_JSON_INTEGER = "0|-?[1-9][0-9]*"
"""A JSON integer whose text is the one the general way writes (``-0`` is written ``0``)."""
_XLSX_VIEW = "_shakhes_fast_xlsx"
_REFUSED = "_shakhes_fast_refused"
STRAIGHT_FORMATS = ("csv", "parquet", "jsonl", "xlsx")


class NotClean(Exception):
    """The file has a cell DuckDB cannot read or a row that fails a check: roll back and import
    it the general way."""


def usable(
    warehouse: Warehouse, info: FileInfo, header_line: int, preamble: int, header: tuple[str, ...]
) -> bool:
    """Whether DuckDB can read this file as it is: a CSV (UTF-8), Parquet, JSON-lines (UTF-8)
    or XLSX file, not gzipped, whose first line or row is the header, of distinct names."""
    if warehouse.dialect != "duckdb" or info.compressed or info.format not in STRAIGHT_FORMATS:
        return False
    if header_line != (0 if info.format in ("parquet", "jsonl") else 1) or preamble:
        return False
    if len(set(header)) != len(header) or any(not h or h != h.strip() for h in header):
        return False
    if info.format == "xlsx":
        return _fastexcel() is not None
    if info.format == "parquet":
        return True
    text = info.encoding in ("utf-8", "utf-8-sig")
    return text and (info.format == "jsonl" or info.delimiter is not None)


def insert_in_place(
    warehouse: Warehouse,
    info: FileInfo,
    table: Table,
    header: list[str],
    import_id: int,
    view: str,
) -> None:
    """Read a canonical file straight into ``table`` as import ``import_id`` inside the
    caller's transaction and make ``view`` show those rows (the stage of the rest of the
    import); :class:`NotClean` if any row is not clean (roll back)."""
    import duckdb

    con = warehouse.backend.con
    try:
        source, params, cells, present = _source(con, info, table, header)
        bad = " OR ".join(c.sql for c in checks(table, present)) or "false"
        names = ", ".join(q(c.name) for c in table.columns)
        con.execute(
            f"INSERT INTO {q(table.name)} ({names}, {IMPORT_ID}) "
            f"SELECT {_stored(table, present)}, {int(import_id)} FROM (SELECT {cells} FROM "
            f"{source}) WHERE CASE WHEN {all_good(table, present)} THEN true "
            f"WHEN NOT coalesce({bad}, false) THEN true ELSE {_FAIL} END",
            params,
        )
    except duckdb.Error:
        # Our error() at a row that fails a check, or DuckDB's at a cell it cannot read.
        raise NotClean from None
    finally:
        if info.format == "xlsx":
            with contextlib.suppress(duckdb.Error, KeyError):
                con.unregister(_XLSX_VIEW)
    con.execute(
        f"CREATE OR REPLACE TEMPORARY VIEW {view} AS SELECT {names} FROM {q(table.name)} "
        f"WHERE {IMPORT_ID} = {int(import_id)}"
    )


def refused_rows(
    warehouse: Warehouse, info: FileInfo, table: Table, header: list[str]
) -> list[tuple[int, str, str]]:
    """Why a canonical file would not go the straight way: each (record number, column, reason
    code) of a row that fails a rule of the data model, as the checks of
    :func:`insert_in_place` find them (records numbered from 1 in the order DuckDB reads
    them: a CSV file's header is not one); :class:`NotClean` for a cell it cannot read at
    all. Nothing is written."""
    import duckdb

    con = warehouse.backend.con
    try:
        source, params, cells, present = _source(con, info, table, header)
        # Every cell is read first (a query of the checks alone would skip the others).
        con.execute(
            f"CREATE OR REPLACE TEMPORARY TABLE {_REFUSED} AS "
            f"SELECT row_number() OVER () AS n, {cells} FROM {source}",
            params,
        )
        found = [c for c in checks(table, present) if c.rule is not None]
        tests = "".join(f", coalesce({c.sql}, false)" for c in found)
        rows = con.execute(f"SELECT n{tests} FROM {_REFUSED} ORDER BY n").fetchall()
    except duckdb.Error:
        raise NotClean from None
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_REFUSED}")
        if info.format == "xlsx":
            with contextlib.suppress(duckdb.Error, KeyError):
                con.unregister(_XLSX_VIEW)
    return [
        (int(n), c.rule.column, c.rule.code)
        for n, *failed in rows
        for c, fails in zip(found, failed, strict=True)
        if fails and c.rule is not None
    ]


def check_text(warehouse: Warehouse, table: Table, import_id: int) -> bool:
    """:class:`NotClean` unless every non-ASCII text value import ``import_id`` wrote is what
    the general way would have made of it (it repairs mojibake, and strips a leading BOM);
    whether it wrote any non-ASCII text at all."""
    from shakhes.imports.values import parse_text

    con = warehouse.backend.con
    texts = [q(c.name) for c in table.columns if c.type is ColumnType.STRING]
    if not texts:
        return False
    mine = f"{IMPORT_ID} = {int(import_id)}"
    tests = ", ".join(f"coalesce(bool_or(strlen({c}) <> length({c})), false)" for c in texts)
    found = con.execute(f"SELECT {tests} FROM {q(table.name)} WHERE {mine}").fetchone()
    for c, any_non_ascii in zip(texts, found or (), strict=True):
        if not any_non_ascii:
            continue
        values = con.execute(
            f"SELECT DISTINCT {c} FROM {q(table.name)} WHERE {mine} AND strlen({c}) <> length({c})"
        ).fetchall()
        cells = pa.array([v for (v,) in values], pa.string())
        if parse_text(cells).values.to_pylist() != cells.to_pylist():
            raise NotClean
    return any(found or ())


def row_total(info: FileInfo) -> int | None:
    """The number of records of a Parquet file, from its metadata (None for other formats)."""
    if info.format != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(info.path).metadata.num_rows)
    except Exception:  # a damaged file: the general way says what is wrong
        return None


# ---- the source: the file as a relation, and each canonical column converted from it ------


def _source(
    con: Any, info: FileInfo, table: Table, header: list[str]
) -> tuple[str, list[Any], str, list[str]]:
    """The relation to read (SQL and parameters), the select list that converts its columns
    to the canonical types, trimmed, and the canonical columns it gives (``NotClean`` where a
    column's type does not fit)."""
    known = {c.name: c for c in table.columns}
    if info.format == "csv":
        types = ", ".join(
            f"{lit(h)}: {lit(_READ_TYPES[known[h].type] if h in known else 'VARCHAR')}"
            for h in header
        )
        source = (
            "read_csv(?, header = true, delim = ?, quote = '\"', escape = '\"', "
            f"auto_detect = false, columns = {{{types}}}, max_line_size = 10000000)"
        )
        cells = [
            f"{_trimmed(q(h)) if known[h].type is ColumnType.STRING else q(h)} AS {q(h)}"
            for h in header
            if h in known
        ]
        present = [h for h in header if h in known]
        return source, [str(info.path), info.delimiter], ", ".join(cells), present
    if info.format == "jsonl":
        # Every column of the table is read, so that one a later record has but the first
        # ones lack is not passed over (the general way refuses such a file: so do we).
        columns = [*header, *(c.name for c in table.columns if c.name not in header)]
        types = ", ".join(f"{lit(h)}: 'JSON'" for h in columns)
        # Values are taken out of the JSON first, then trimmed (each ->> parses again).
        values = ", ".join(
            f"{_from_json(q(h), known[h]) if h in header else _absent(q(h))} AS {q(h)}"
            for h in columns
            if h in known
        )
        source = (
            f"(SELECT {values} FROM read_json(?, format = 'newline_delimited', "
            f"columns = {{{types}}}))"
        )
        present = [h for h in columns if h in known]
        cells = [
            f"{_trimmed(q(h)) if known[h].type is ColumnType.STRING else q(h)} AS {q(h)}"
            for h in present
        ]
        return source, [str(info.path)], ", ".join(cells), present
    if info.format == "parquet":
        source, params = "read_parquet(?)", [str(info.path)]
    else:
        con.register(_XLSX_VIEW, _read_xlsx(info, header))
        source, params = _XLSX_VIEW, []
    described = con.execute(f"DESCRIBE SELECT * FROM {source}", params).fetchall()
    found = {str(name): str(kind) for name, kind, *_ in described}
    if [str(name) for name, *_ in described] != header:
        raise NotClean
    cells = []
    for h in header:
        if h in known:
            cells.append(f"{_typed(q(h), found[h], known[h], info.format)} AS {q(h)}")
    return source, params, ", ".join(cells), [h for h in header if h in known]


def _typed(c: str, kind: str, col: Column, fmt: str) -> str:
    """``c``, a column of DuckDB type ``kind``, as the canonical type of ``col`` — a value
    means the same to both ways, or the row fails (``NotClean`` for a type that never fits)."""
    if col.type is ColumnType.STRING:
        if kind == "VARCHAR":
            return _trimmed(c)
        if kind in _INTEGERS or kind in _UNSIGNED:
            return f"CAST({c} AS VARCHAR)"
    elif col.type is ColumnType.DATE:
        if kind == "DATE":
            return c
        if kind == "VARCHAR":
            return _iso_date(c)
        if fmt == "xlsx" and kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind:
            # Excel keeps dates as datetimes: one at midnight is the day (as openpyxl's reading)
            return (
                f"CASE WHEN {c} IS NULL THEN NULL WHEN CAST({c} AS TIME) = TIME '00:00:00' "
                f"THEN CAST({c} AS DATE) ELSE {_FAIL} END"
            )
    elif col.type.is_numeric:
        if kind in _INTEGERS or kind in _UNSIGNED or kind in ("FLOAT", "DOUBLE"):
            return f"CAST({c} AS DOUBLE)"
        if kind.startswith("DECIMAL"):  # through its text, as the general way reads it
            return f"CAST(CAST({c} AS VARCHAR) AS DOUBLE)"
        if kind == "VARCHAR":
            return (
                f"CASE WHEN {c} IS NULL OR {c} = '' THEN NULL "
                f"WHEN regexp_full_match({c}, {lit(_PLAIN_NUMBER)}) THEN CAST({c} AS DOUBLE) "
                f"ELSE {_FAIL} END"
            )
    elif col.type is ColumnType.BOOLEAN and kind == "BOOLEAN":  # as the text a CSV has
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    raise NotClean


def _from_json(c: str, col: Column) -> str:
    """A JSON value (as DuckDB reads it untyped) as the canonical type of ``col`` (text
    untrimmed): strings and integers in text columns, ISO strings in date columns, numbers in
    number columns, ``true``/``false`` in yes/no columns."""
    raw = f"CAST({c} AS VARCHAR)"
    if col.type is ColumnType.STRING:
        value = (
            f"WHEN starts_with({raw}, '\"') THEN {c} ->> '$' "
            f"WHEN regexp_full_match({raw}, {lit(_JSON_INTEGER)}) THEN {raw} "
        )
    elif col.type is ColumnType.DATE:
        value = f"WHEN regexp_full_match({raw}, '\"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}\"') " + (
            f"THEN CAST({raw}[2:11] AS DATE) "
        )
    elif col.type.is_numeric:
        value = f"WHEN regexp_full_match({raw}, {lit(_JSON_NUMBER)}) THEN CAST({raw} AS DOUBLE) "
    else:
        value = f"WHEN {raw} IN {BOOLEANS} THEN {raw} "  # as the text a CSV has
    return f"CASE WHEN {c} IS NULL THEN NULL {value}ELSE {_FAIL} END"


def _absent(c: str) -> str:
    """A column the first records lack: null in every record, or the file is not clean."""
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE {_FAIL} END"


def _iso_date(c: str) -> str:
    """Text ``YYYY-MM-DD`` as a date (a cell it does not cast fails the row)."""
    return (
        f"CASE WHEN {c} IS NULL OR {c} = '' THEN NULL "
        f"WHEN regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
        f"THEN CAST({c} AS DATE) ELSE {_FAIL} END"
    )


def _fastexcel() -> Any:
    try:
        import fastexcel
    except ImportError:  # pragma: no cover - a dependency; the general way reads workbooks
        return None
    # It logs a warning for an empty column (read as text); Python would print it on stderr.
    logger = logging.getLogger("fastexcel")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return fastexcel


def _read_xlsx(info: FileInfo, header: list[str]) -> pa.Table:
    """The first sheet of a workbook as typed Arrow columns (fastexcel), every column of one
    type (a column mixing types is not clean: the general way reads it cell by cell)."""
    fastexcel = _fastexcel()
    try:
        reader = fastexcel.read_excel(str(info.path))
        sheet = reader.load_sheet(
            0, schema_sample_rows=None, dtype_coercion="strict", skip_whitespace_tail_rows=True
        )
        names = [column.name for column in sheet.available_columns()]
        if names != header:
            raise NotClean
        return pa.table(sheet.to_arrow())
    except NotClean:
        raise
    except Exception:  # fastexcel's own errors: the general way says what is wrong
        raise NotClean from None


def drop_view(warehouse: Warehouse, view: str) -> None:
    warehouse.backend.con.execute(f"DROP VIEW IF EXISTS {view}")


def _trimmed(c: str) -> str:
    """``c`` stripped as Python strips it, skipped for the usual cell — ASCII, starting and
    ending with a visible character — which it would not change: stripping every cell costs
    more than this test."""
    clean = f"ascii({c}) > 32 AND ascii(right({c}, 1)) > 32 AND strlen({c}) = length({c})"
    return f"CASE WHEN {clean} THEN {c} ELSE trim({c}, {lit(_SPACES)}) END"


def _stored(table: Table, header: list[str]) -> str:
    """The canonical columns of ``table`` from the typed read (missing ones null)."""
    values = []
    for c in table.columns:
        name = q(c.name)
        if c.name not in header:
            values.append(f"CAST(NULL AS {c.type.sql_type})")
        elif c.type is ColumnType.STRING:
            values.append(f"coalesce({name}, '')" if c.required else f"nullif({name}, '')")
        elif c.type is ColumnType.INTEGER:
            values.append(f"CAST({name} AS BIGINT)")
        elif c.type is ColumnType.BOOLEAN:
            values.append(f"CAST(nullif(lower(trim({name})), '') AS BOOLEAN)")
        else:
            values.append(name)
    return ", ".join(values)
