"""The fast path for canonical CSV files on a DuckDB warehouse: a clean file is read by DuckDB
straight into its table, as a bare load would.

One statement reads the file (streaming, in parallel, with bounded memory), types the columns,
trims text cells, checks every row with the rules of the general path (required values,
channels, currencies, whole and non-negative numbers, Gregorian dates, clicks ≤ impressions)
and appends the rows to the canonical table as the import's rows, inside the import's
transaction. It is optimistic: at the first cell that does not cast or row that fails a check,
DuckDB stops and :func:`insert_in_place` raises :class:`NotClean`; the caller rolls back and
imports the file the general way, which reads what it can (Jalali dates, ``usd``) and
quarantines every other bad row with its exact line. Only identifiers and fixed texts of the
data model appear in the SQL; the file path is a parameter.
"""

from __future__ import annotations

from shakhes.data.model import CHANNELS, Column, ColumnType, Table
from shakhes.data.warehouse import IMPORT_ID, Warehouse
from shakhes.imports.readers import FileInfo

_SQL_TYPES = {
    ColumnType.DATE: "DATE",
    ColumnType.STRING: "VARCHAR",
    # Whole numbers are read as DOUBLE and checked: DuckDB would round '1.5' into a BIGINT.
    ColumnType.INTEGER: "DOUBLE",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
}
# Booleans are read as text and checked: DuckDB would read '1', 't' or 'yes' as true, which
# the canonical format (and so `shakhes load`) does not take.
_READ_TYPES = {**_SQL_TYPES, ColumnType.BOOLEAN: "VARCHAR"}
_BOOLEANS = "('true', 'false')"
_NOT_CLEAN = "shakhes: a row fails a check"
_COMMON_CURRENCIES = (
    "USD", "EUR", "GBP", "IRR", "IRT", "AED", "TRY", "SAR", "CAD", "AUD", "CHF", "JPY", "CNY",
    "INR", "RUB", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "KRW", "SGD", "HKD", "NZD", "ZAR",
)  # fmt: skip


class NotClean(Exception):
    """The file has a cell DuckDB cannot read or a row that fails a check: roll back and import
    it the general way."""


def usable(warehouse: Warehouse, info: FileInfo, header_line: int, preamble: int) -> bool:
    """Whether DuckDB can read this file as it is: a UTF-8 CSV whose first line is the header."""
    return (
        warehouse.dialect == "duckdb"
        and info.format == "csv"
        and not info.compressed
        and info.encoding in ("utf-8", "utf-8-sig")
        and info.delimiter is not None
        and header_line == 1
        and preamble == 0
    )


def insert_in_place(
    warehouse: Warehouse,
    info: FileInfo,
    table: Table,
    header: list[str],
    import_id: int,
    view: str,
) -> None:
    """Read a canonical CSV straight into ``table`` as import ``import_id`` inside the caller's
    transaction and make ``view`` show those rows (the stage of the rest of the import);
    :class:`NotClean` if any row is not clean (roll back)."""
    import duckdb

    con = warehouse.backend.con
    known = {c.name: c for c in table.columns}
    types = ", ".join(
        f"{_lit(h)}: {_lit(_READ_TYPES[known[h].type] if h in known else 'VARCHAR')}"
        for h in header
    )
    # Text cells are trimmed once, as they are read (and only those that need it).
    cells = ", ".join(
        f"{_trimmed(_q(h))} AS {_q(h)}"
        if h in known and known[h].type is ColumnType.STRING
        else _q(h)
        for h in header
    )
    bad = " OR ".join(_problems(table, header)) or "false"
    names = ", ".join(_q(c.name) for c in table.columns)
    try:
        con.execute(
            f"INSERT INTO {_q(table.name)} ({names}, {IMPORT_ID}) "
            f"SELECT {_stored(table, header)}, {int(import_id)} FROM (SELECT {cells} FROM "
            "read_csv(?, header = true, delim = ?, quote = '\"', escape = '\"', "
            f"auto_detect = false, columns = {{{types}}}, max_line_size = 10000000)) "
            f"WHERE CASE WHEN {_all_good(table, header)} THEN true "
            f"WHEN NOT coalesce({bad}, false) THEN true ELSE error({_lit(_NOT_CLEAN)}) END",
            [str(info.path), info.delimiter],
        )
    except duckdb.Error:
        # Our error() at a row that fails a check, or DuckDB's at a cell it cannot read.
        raise NotClean from None
    con.execute(
        f"CREATE OR REPLACE TEMPORARY VIEW {view} AS SELECT {names} FROM {_q(table.name)} "
        f"WHERE {IMPORT_ID} = {int(import_id)}"
    )


def drop_view(warehouse: Warehouse, view: str) -> None:
    warehouse.backend.con.execute(f"DROP VIEW IF EXISTS {view}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _problems(table: Table, header: list[str]) -> list[str]:
    """SQL conditions, each true of a row with a problem the general path would reject or read
    differently."""
    out = [cond for col in table.columns if col.name in header for cond in _checks(col, table)]
    if {"clicks", "impressions"} <= set(header):
        out.append("clicks > impressions")
    if {"engaged_sessions", "sessions"} <= set(header):
        out.append("engaged_sessions > sessions")
    return out


def _checks(col: Column, table: Table) -> list[str]:
    c = _q(col.name)
    if col.type is ColumnType.STRING:
        checks = []
        if col.required and (col.name in table.natural_key or col.name in ("channel", "currency")):
            checks.append(f"({c} IS NULL OR trim({c}) = '')")
        if col.name == "channel":
            checks.append(f"trim({c}) NOT IN ({', '.join(_lit(ch) for ch in CHANNELS)})")
        if col.name == "currency":
            checks.append(f"NOT regexp_full_match(trim({c}), '[A-Z]{{3}}')")
        return checks
    if col.type is ColumnType.BOOLEAN:
        text = f"lower(trim({c})) NOT IN {_BOOLEANS}"
        return [f"({c} IS NULL OR {text})" if col.required else f"(trim({c}) <> '' AND {text})"]
    checks = [f"{c} IS NULL"] if col.required else []
    if col.type is ColumnType.DATE:
        checks.append(f"year({c}) < 1800")  # a Jalali date: the general path converts it
    elif col.type.is_numeric:
        checks += [f"NOT isfinite({c})", f"{c} < 0"]
        if col.type is ColumnType.INTEGER:
            checks.append(f"{c} <> floor({c})")
    return checks


def _all_good(table: Table, header: list[str]) -> str:
    """A test that is true only of rows every check of :func:`_problems` passes — cheaper than
    running them one by one (it sees the cells trimmed). Where it is false or null the row still
    goes through the checks, so it may be conservative but never lenient."""
    present = [c for c in table.columns if c.name in header]
    parts: list[str] = []
    for col in present:
        c = _q(col.name)
        if col.type is ColumnType.DATE and col.required:
            parts.append(f"year({c}) >= 1800")
        elif col.name == "channel":
            parts.append(f"{c} IN ({', '.join(_lit(ch) for ch in CHANNELS)})")
        elif col.name == "currency":  # the usual codes, cheaper than the pattern
            parts.append(f"{c} IN ({', '.join(_lit(code) for code in _COMMON_CURRENCIES)})")
        elif col.type is ColumnType.STRING and col.required and col.name in table.natural_key:
            parts.append(f"{c} <> ''")  # the cells are trimmed already
        elif col.type is ColumnType.BOOLEAN and col.required:
            parts.append(f"{c} IN {_BOOLEANS}")
        elif col.type is ColumnType.DATE and col.required:
            parts.append(f"{c} IS NOT NULL")
    numbers = [c for c in present if c.type.is_numeric]
    required = [_q(c.name) for c in numbers if c.required]
    if required:
        parts.append(f"isfinite({' + '.join(required)})")
    parts += [
        f"({_q(c.name)} IS NULL OR isfinite({_q(c.name)}))" for c in numbers if not c.required
    ]
    parts += [
        f"coalesce({_q(c.name)} = floor({_q(c.name)}), true)"
        for c in numbers
        if c.type is ColumnType.INTEGER
    ]
    parts += [f"coalesce({_q(c.name)} >= 0, true)" for c in numbers]
    if {"clicks", "impressions"} <= set(header):
        parts.append("NOT clicks > impressions")
    if {"engaged_sessions", "sessions"} <= set(header):
        parts.append("NOT engaged_sessions > sessions")
    return " AND ".join(parts) or "true"


def _trimmed(c: str) -> str:
    """``trim(c)``, skipped for the usual cell — ASCII, starting with a visible character and
    not ending with a space — which it would not change (trim() strips spaces, and the Unicode
    space separators, which are not ASCII): trimming every cell costs more than this test."""
    clean = f"ascii({c}) > 32 AND NOT ends_with({c}, ' ') AND strlen({c}) = length({c})"
    return f"CASE WHEN {clean} THEN {c} ELSE trim({c}) END"


def _stored(table: Table, header: list[str]) -> str:
    """The canonical columns of ``table`` from the typed read (missing ones null)."""
    values = []
    for c in table.columns:
        name = _q(c.name)
        if c.name not in header:
            values.append(f"CAST(NULL AS {_SQL_TYPES[c.type]})")
        elif c.type is ColumnType.STRING:
            values.append(f"coalesce({name}, '')" if c.required else f"nullif({name}, '')")
        elif c.type is ColumnType.INTEGER:
            values.append(f"CAST({name} AS BIGINT)")
        elif c.type is ColumnType.BOOLEAN:
            values.append(f"CAST(nullif(lower(trim({name})), '') AS BOOLEAN)")
        else:
            values.append(name)
    return ", ".join(values)
