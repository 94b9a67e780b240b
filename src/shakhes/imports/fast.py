"""The fast path for canonical CSV files on a DuckDB warehouse.

DuckDB reads the file itself (streaming, in parallel, with bounded memory), typing the columns
as it reads (a cell that does not cast is recorded with its line by ``store_rejects``) and
checking every row with the same rules as the general path (required values, channels,
currencies, negatives, whole numbers, clicks ≤ impressions), text cells trimmed. Two ways:

1. :func:`insert_in_place` — the usual one: one statement reads the file straight into the
   canonical table, inside the import's transaction, as a bare load would; the first row that
   fails a check aborts it (:class:`NotClean`, roll back) and the file goes the second way.
2. :func:`stage_canonical` — reads the file into a temporary table with each row's first
   problem, so that every bad row is quarantined with its line, column, value and reason; the
   good rows are then merged from a view of it. If DuckDB cannot read the file typed at all,
   every cell is read as text and checked in SQL instead.

Only identifiers and fixed texts of the data model appear in the SQL; the file path is a
parameter.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shakhes.data.model import CHANNELS, Column, ColumnType, Table
from shakhes.data.warehouse import IMPORT_ID, Warehouse
from shakhes.imports.ledger import Rejected
from shakhes.imports.readers import FileInfo, iter_rows

RAW = "_shakhes_import_raw"
MAX_REJECTED = 100_000


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class FastResult:
    rows_read: int
    rejected: list[Rejected]
    view: bool = False
    """The stage was turned into a view of the table read from the file (see :func:`drop`)."""


def usable(warehouse: Warehouse, info: FileInfo, header_line: int, preamble: int) -> bool:
    """Whether DuckDB can read this file as it is: a UTF-8 CSV whose first line is the header."""
    return (
        warehouse.dialect == "duckdb"
        and info.format == "csv"
        and info.encoding in ("utf-8", "utf-8-sig")
        and info.delimiter is not None
        and header_line == 1
        and preamble == 0
    )


def _checks(col: Column, table: Table) -> list[tuple[str, str]]:
    """(SQL condition that is true when the cell is bad, reason) for one column, in order."""
    c = _q(col.name)
    empty = f"({c} IS NULL OR trim({c}) = '')"
    checks: list[tuple[str, str]] = []
    if col.required and (
        col.type is not ColumnType.STRING
        or col.name in table.natural_key
        or col.name in ("channel", "currency")
    ):
        checks.append((empty, "missing required value"))
    present = f"NOT {empty}"
    if col.type is ColumnType.DATE:
        parsed = f"try_strptime({c}, '%Y-%m-%d')"
        checks.append(
            (
                f"{present} AND NOT regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')",
                "not an ISO date (YYYY-MM-DD)",
            )
        )
        checks.append((f"{present} AND {parsed} IS NULL", "not a real calendar date"))
        checks.append(
            (
                f"{present} AND year({parsed}) < 1800",
                "year before 1800 — a Jalali date? write it in Gregorian",
            )
        )
    elif col.type is ColumnType.INTEGER:
        checks.append(
            (f"{present} AND try_cast(trim({c}) AS BIGINT) IS NULL", "not a plain whole number")
        )
        checks.append(
            (f"{present} AND try_cast(trim({c}) AS BIGINT) < 0", f"{col.name} is negative")
        )
    elif col.type is ColumnType.FLOAT:
        number = f"try_cast(trim({c}) AS DOUBLE)"
        checks.append(
            (f"{present} AND ({number} IS NULL OR NOT isfinite({number}))", "not a plain number")
        )
        checks.append((f"{present} AND {number} < 0", f"{col.name} is negative"))
    elif col.type is ColumnType.BOOLEAN:
        checks.append(
            (
                f"{present} AND lower(trim({c})) NOT IN ('true', 'false', '1', '0')",
                "not a boolean (true/false)",
            )
        )
    elif col.name == "channel":
        names = ", ".join(_lit(ch) for ch in CHANNELS)
        checks.append((f"{present} AND trim({c}) NOT IN ({names})", "unknown channel"))
    elif col.name == "currency":
        checks.append(
            (
                f"{present} AND NOT regexp_full_match(trim({c}), '[A-Z]{{3}}')",
                "not a 3-letter ISO currency code",
            )
        )
    return checks


def _cast(col: Column) -> str:
    c = _q(col.name)
    if col.type is ColumnType.DATE:
        return f"CAST(strptime({c}, '%Y-%m-%d') AS DATE)"
    if col.type is ColumnType.INTEGER:
        return f"CAST(trim({c}) AS BIGINT)"
    if col.type is ColumnType.FLOAT:
        return f"CAST(trim({c}) AS DOUBLE)"
    if col.type is ColumnType.BOOLEAN:
        return f"lower(trim({c})) IN ('true', '1')"
    return f"nullif(trim({c}), '')" if not col.required else f"coalesce(trim({c}), '')"


_SQL_TYPES = {
    ColumnType.DATE: "DATE",
    ColumnType.STRING: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
}
_READ_TYPES = {**_SQL_TYPES, ColumnType.INTEGER: "DOUBLE"}
_CAST_REASONS = {
    ColumnType.DATE: "not an ISO date (YYYY-MM-DD) or not a real calendar date",
    ColumnType.INTEGER: "not a plain whole number",
    ColumnType.FLOAT: "not a plain number",
    ColumnType.BOOLEAN: "not a boolean (true/false)",
}
_SHAPE_REASONS = {
    "TOO MANY COLUMNS": "the row has more cells than the header's {0} (an unquoted comma in "
    "a value, or a comma as thousands separator? quote such values)",
    "MISSING COLUMNS": "the row has fewer cells than the header's {0}",
}
REJECTS = "_shakhes_import_rejects"
REJECT_SCANS = "_shakhes_import_reject_scans"


def _typed_checks(col: Column, table: Table) -> list[tuple[str, str]]:
    """Like :func:`_checks`, for a column DuckDB has already typed while reading."""
    c = _q(col.name)
    checks: list[tuple[str, str]] = []
    if col.type is ColumnType.STRING:
        if col.required and (col.name in table.natural_key or col.name in ("channel", "currency")):
            checks.append((f"({c} IS NULL OR trim({c}) = '')", "missing required value"))
        if col.name == "channel":
            names = ", ".join(_lit(ch) for ch in CHANNELS)
            checks.append((f"trim({c}) NOT IN ({names})", "unknown channel"))
        if col.name == "currency":
            checks.append(
                (
                    f"NOT regexp_full_match(trim({c}), '[A-Z]{{3}}')",
                    "not a 3-letter ISO currency code",
                )
            )
        return checks
    if col.required:
        checks.append((f"{c} IS NULL", "missing required value"))
    if col.type is ColumnType.DATE:
        checks.append(
            (f"year({c}) < 1800", "year before 1800 — a Jalali date? write it in Gregorian")
        )
    elif col.type.is_numeric:
        # Whole numbers are read as DOUBLE too: DuckDB would round '1.5' into a BIGINT.
        checks.append((f"NOT isfinite({c})", "not a plain number"))
        if col.type is ColumnType.INTEGER:
            checks.append((f"{c} <> floor({c})", "not a whole number"))
        checks.append((f"{c} < 0", f"{col.name} is negative"))
    return checks


_STARTS_PRINTABLE = (
    "(ascii({c}) > 32 AND ascii({c}) NOT BETWEEN 127 AND 160 "
    "AND ascii({c}) NOT BETWEEN 5760 AND 12288 AND ascii({c}) <> 65279)"
)
"""True when the first character of ``{c}`` is one trim() cannot strip (it strips the space
separators: U+0020, U+00A0, U+1680, U+2000–U+200A, U+202F, U+205F, U+3000)."""


def _trimmed(c: str) -> str:
    """``trim(c)``, skipped for the usual cell — ASCII, not starting or ending with a space —
    which it would not change: trimming every cell costs more than the whole check."""
    clean = (
        f"{_STARTS_PRINTABLE.format(c=c)} AND NOT ends_with({c}, ' ') AND strlen({c}) = length({c})"
    )
    return f"CASE WHEN {clean} THEN {c} ELSE trim({c}) END"


def _all_good(table: Table, header: list[str]) -> str:
    """A test that is true only of rows every check of :func:`_typed_checks` passes (and of
    the cross-column rules) — cheaper than running them one by one. Where it is false or null
    the row still goes through the checks, so it may be conservative but never lenient."""
    present = [c for c in table.columns if c.name in header]
    parts: list[str] = []
    for col in present:
        c = _q(col.name)
        if col.type is ColumnType.DATE and col.required:
            parts.append(f"year({c}) >= 1800")
        elif col.name == "channel":
            parts.append(f"{c} IN ({', '.join(_lit(ch) for ch in CHANNELS)})")
        elif col.name == "currency":
            parts.append(f"regexp_full_match({c}, '[A-Z]{{3}}')")
        elif col.type is ColumnType.STRING and col.required and col.name in table.natural_key:
            # Not blank: faster than trimming every cell.
            parts.append(_STARTS_PRINTABLE.format(c=c))
        elif col.type in (ColumnType.DATE, ColumnType.BOOLEAN) and col.required:
            parts.append(f"{c} IS NOT NULL")
    numbers = [c for c in present if c.type.is_numeric]
    required = [_q(c.name) for c in numbers if c.required]
    if required:
        parts.append(f"isfinite({' + '.join(required)})")
    optional = [_q(c.name) for c in numbers if not c.required]
    parts += [f"({c} IS NULL OR isfinite({c}))" for c in optional]
    parts += [
        f"coalesce({_q(c.name)} = floor({_q(c.name)}), true)"
        for c in numbers
        if c.type is ColumnType.INTEGER
    ]
    if numbers:
        parts.append(f"coalesce(least({', '.join(_q(c.name) for c in numbers)}), 0) >= 0")
    if {"clicks", "impressions"} <= set(header):
        parts.append("NOT clicks > impressions")
    if {"engaged_sessions", "sessions"} <= set(header):
        parts.append("NOT engaged_sessions > sessions")
    return " AND ".join(parts)


def _line_of(position: int, cast_rejected: list[int]) -> int:
    """The file line of the ``position``-th row DuckDB accepted (0-based), given the sorted
    lines it rejected: line 1 is the header."""
    line = position + 2
    for rejected in cast_rejected:
        if rejected <= line:
            line += 1
        else:
            break
    return line


def stage_canonical(
    warehouse: Warehouse, info: FileInfo, table: Table, header: list[str], stage: str
) -> FastResult:
    """Read, check and stage a canonical CSV: DuckDB types the columns as it reads (cells that
    do not cast are recorded with their line); one more pass checks what types cannot (channels,
    negatives, clicks ≤ impressions); the bad rows come back. Falls back to reading every cell
    as text when DuckDB cannot read the file typed."""
    import duckdb

    try:
        return _stage_typed(warehouse, info, table, header, stage)
    except duckdb.Error:
        warehouse.backend.con.execute(f"DELETE FROM {stage}")
        return _stage_as_text(warehouse, info, table, header, stage)


@dataclass(frozen=True)
class _TypedRead:
    """The pieces of the SQL that reads a canonical CSV typed, checks and trims it."""

    select: str
    """The file's columns, text ones trimmed, and ``_problem``: the first problem of the row
    as ``'column|reason'``, or null."""
    source: str
    """``read_csv(?, …)`` (parameters: the path and the delimiter)."""


def _typed_read(table: Table, header: list[str]) -> _TypedRead:
    known = {c.name: c for c in table.columns}
    types = ", ".join(
        f"{_lit(h)}: {_lit(_READ_TYPES[known[h].type] if h in known else 'VARCHAR')}"
        for h in header
    )
    cases = [
        f"WHEN {condition} THEN {_lit(col.name + '|' + reason)}"
        for col in table.columns
        if col.name in header
        for condition, reason in _typed_checks(col, table)
    ]
    if {"clicks", "impressions"} <= set(header):
        cases.append("WHEN clicks > impressions THEN 'clicks|more clicks than impressions'")
    if {"engaged_sessions", "sessions"} <= set(header):
        cases.append(
            "WHEN engaged_sessions > sessions "
            "THEN 'engaged_sessions|more engaged sessions than sessions'"
        )
    verdict = f"CASE {' '.join(cases)} END" if cases else "NULL"
    good = _all_good(table, header)
    if good and cases:
        # Most rows pass: one cheap test settles them; only the others run the checks in turn.
        verdict = f"CASE WHEN {good} THEN NULL ELSE {verdict} END"
    # Text cells are trimmed once, as they are read (and only those that need it).
    cells = ", ".join(
        f"{_trimmed(_q(h))} AS {_q(h)}"
        if h in known and known[h].type is ColumnType.STRING
        else _q(h)
        for h in header
    )
    source = (
        "read_csv(?, header = true, delim = ?, quote = '\"', escape = '\"', auto_detect = false, "
        f"columns = {{{types}}}, store_rejects = true, rejects_table = '{REJECTS}', "
        f"rejects_scan = '{REJECT_SCANS}', max_line_size = 10000000)"
    )
    return _TypedRead(f"{cells}, {verdict} AS _problem", source)


def _cast_rejections(con: Any, info: FileInfo, table: Table, header: list[str]) -> list[Rejected]:
    """The rows DuckDB could not read (a cell that does not cast, a row of the wrong shape),
    one per line, from its rejects table."""
    known = {c.name: c for c in table.columns}
    # One problem per line (DuckDB may record several): a row of the wrong shape first.
    cast_bad = con.execute(
        f"SELECT line, column_name, error_type, csv_line, error_message FROM {REJECTS} "
        "QUALIFY row_number() OVER (PARTITION BY line "
        "ORDER BY error_type = 'CAST', column_idx) = 1 ORDER BY line"
    ).fetchall()
    rejected: list[Rejected] = []
    for line, column, kind, text, message in cast_bad:
        cells = dict(
            zip(
                header,
                next(csv.reader([text or ""], delimiter=info.delimiter or ",")),
                strict=False,
            )
        )
        name: str | None = str(column) if column in known else None
        if str(kind) in _SHAPE_REASONS:
            name, reason = None, _SHAPE_REASONS[str(kind)].format(len(header), len(cells))
        elif name is not None and str(kind) == "CAST":
            reason = _CAST_REASONS[known[name].type]
        else:
            reason = str(message)
        rejected.append(Rejected(int(line), name, cells.get(name or "", ""), reason, cells))
    return rejected


def _stored(table: Table, header: list[str]) -> str:
    """The canonical columns of ``table`` from the typed read (missing ones null)."""
    return ", ".join(
        (
            (f"coalesce({_q(c.name)}, '')" if c.required else f"nullif({_q(c.name)}, '')")
            if c.type is ColumnType.STRING
            else f"CAST({_q(c.name)} AS BIGINT)"
            if c.type is ColumnType.INTEGER
            else _q(c.name)
        )
        if c.name in header
        else f"CAST(NULL AS {_SQL_TYPES[c.type]})"
        for c in table.columns
    )


class NotClean(Exception):
    """A row of the file fails a check: :func:`insert_in_place` gave up (its transaction must
    be rolled back) and the file goes the way that collects every problem."""


_NOT_CLEAN = "shakhes: a row fails a check"


def insert_in_place(
    warehouse: Warehouse,
    info: FileInfo,
    table: Table,
    header: list[str],
    import_id: int,
    view: str,
) -> FastResult:
    """Read a canonical CSV straight into ``table`` as import ``import_id`` — one pass, as a
    bare load would — inside the caller's transaction, and make ``view`` show those rows (the
    stage of the rest of the import). Cells that do not cast are left out and come back as
    rejected rows; a row that fails any other check raises :class:`NotClean` (roll back)."""
    import duckdb

    con = warehouse.backend.con
    read = _typed_read(table, header)
    for temp in (REJECTS, REJECT_SCANS):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    names = ", ".join(_q(c.name) for c in table.columns)
    try:
        con.execute(
            f"INSERT INTO {_q(table.name)} ({names}, {IMPORT_ID}) "
            f"SELECT {_stored(table, header)}, {int(import_id)} FROM "
            f"(SELECT {read.select} FROM {read.source}) WHERE CASE WHEN _problem IS NULL THEN "
            f"true ELSE error({_lit(_NOT_CLEAN)}) END",
            [str(info.path), info.delimiter],
        )
    except duckdb.Error as exc:
        if _NOT_CLEAN in str(exc):
            raise NotClean from None
        raise
    rejected = _cast_rejections(con, info, table, header)
    for temp in (REJECTS, REJECT_SCANS):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    con.execute(
        f"CREATE OR REPLACE TEMPORARY VIEW {view} AS SELECT {names} FROM {_q(table.name)} "
        f"WHERE {IMPORT_ID} = {int(import_id)}"
    )
    inserted = int(con.execute(f"SELECT count(*) FROM {view}").fetchone()[0])
    return FastResult(inserted + len(rejected), rejected, view=True)


def _stage_typed(
    warehouse: Warehouse, info: FileInfo, table: Table, header: list[str], stage: str
) -> FastResult:
    con = warehouse.backend.con
    read = _typed_read(table, header)
    for temp in (RAW, REJECTS, REJECT_SCANS):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    con.execute(
        f"CREATE TEMPORARY TABLE {RAW} AS SELECT {read.select} FROM {read.source}",
        [str(info.path), info.delimiter],
    )
    rejected = _cast_rejections(con, info, table, header)
    accepted_read = int(con.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0])
    bad = con.execute(
        f"SELECT rowid, _problem FROM {RAW} WHERE _problem IS NOT NULL ORDER BY rowid "
        f"LIMIT {MAX_REJECTED}"
    ).fetchall()
    cast_lines = sorted(r.line for r in rejected)
    problems = {_line_of(int(position), cast_lines): str(problem) for position, problem in bad}
    for line, written in _rows_at(info, header, set(problems)):
        where, why = problems[line].split("|", 1)
        rejected.append(Rejected(line, where, written.get(where, ""), why, written))
    cast_count = len(cast_lines)
    names = ", ".join(_q(c.name) for c in table.columns)
    # The stage becomes a view of the good rows: they are copied once, into the table itself.
    con.execute(f"DROP TABLE IF EXISTS {stage}")
    con.execute(
        f"CREATE TEMPORARY VIEW {stage} ({names}) AS SELECT {_stored(table, header)} FROM {RAW} "
        "WHERE _problem IS NULL"
    )
    for temp in (REJECTS, REJECT_SCANS):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    rejected.sort(key=lambda r: r.line)
    return FastResult(accepted_read + cast_count, rejected, view=True)


def drop(warehouse: Warehouse, stage: str, result: FastResult | None) -> None:
    """Drop what :func:`stage_canonical` left for the merge: the view of the good rows and the
    table read from the file (or the plain stage table)."""
    con = warehouse.backend.con
    if result is not None and result.view:
        con.execute(f"DROP VIEW IF EXISTS {stage}")
        con.execute(f"DROP TABLE IF EXISTS {RAW}")
    else:
        warehouse.drop_stage(stage)


def _rows_at(
    info: FileInfo, header: list[str], lines: set[int]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The cells of the records at ``lines`` as written in the file (record 1 is the header)."""
    if not lines:
        return
    last = max(lines)
    for number, row in enumerate(iter_rows(info), 1):
        if number in lines:
            yield number, dict(zip(header, row.cells, strict=False))
        if number >= last:
            break


def _stage_as_text(
    warehouse: Warehouse, info: FileInfo, table: Table, header: list[str], stage: str
) -> FastResult:
    """Read, check and stage a canonical CSV in two SQL statements; the bad rows come back."""
    con = warehouse.backend.con
    present = [c for c in table.columns if c.name in header]
    con.execute(f"DROP TABLE IF EXISTS {RAW}")
    cases = []
    for col in present:
        for condition, reason in _checks(col, table):
            cases.append(f"WHEN {condition} THEN {_lit(col.name + '|' + reason)}")
    if {"clicks", "impressions"} <= set(header):
        cases.append(
            "WHEN try_cast(trim(clicks) AS DOUBLE) > try_cast(trim(impressions) AS "
            "DOUBLE) THEN 'clicks|more clicks than impressions'"
        )
    if {"engaged_sessions", "sessions"} <= set(header):
        cases.append(
            "WHEN try_cast(trim(engaged_sessions) AS DOUBLE) > try_cast(trim(sessions) "
            "AS DOUBLE) THEN 'engaged_sessions|more engaged sessions than sessions'"
        )
    verdict = f"CASE {' '.join(cases)} END" if cases else "NULL"
    types = ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header)
    # One pass over the file: every cell as text, plus the first problem of the row.
    con.execute(
        f"CREATE TEMPORARY TABLE {RAW} AS SELECT *, {verdict} AS _problem FROM read_csv(?, "
        "header = true, all_varchar = true, delim = ?, quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{types}}})",
        [str(info.path), info.delimiter],
    )
    rows_read = int(con.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0])
    raw_json = "json_object(" + ", ".join(f"{_lit(h)}, {_q(h)}" for h in header) + ")"
    bad = con.execute(
        f"SELECT rowid + 2, _problem, CAST({raw_json} AS VARCHAR) FROM {RAW} "
        f"WHERE _problem IS NOT NULL ORDER BY rowid LIMIT {MAX_REJECTED}"
    ).fetchall()
    rejected = []
    for line, problem, raw in bad:
        column, reason = str(problem).split("|", 1)
        cells = {k: ("" if v is None else str(v)) for k, v in json.loads(raw).items()}
        rejected.append(Rejected(int(line), column, cells.get(column, ""), reason, cells))
    columns = ", ".join(_q(c.name) for c in table.columns)
    values = ", ".join(_cast(c) if c.name in header else "NULL" for c in table.columns)
    con.execute(
        f"INSERT INTO {stage} ({columns}) SELECT {values} FROM {RAW} WHERE _problem IS NULL"
    )
    con.execute(f"DROP TABLE IF EXISTS {RAW}")
    return FastResult(rows_read, rejected)
