"""Strict loading of canonical-format files (``shakhes load TABLE FILE``).

A canonical file has a header of canonical column names, ISO dates and plain numbers. Loading is
all or nothing: every problem is reported (file, line, column, value, reason) and nothing is
written unless the whole file is valid. Real platform exports are the importers' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shakhes.data.model import CHANNELS, Column, ColumnType, Table, table
from shakhes.data.warehouse import arrow_schema
from shakhes.errors import DataError, nearest

MAX_REPORTED = 20

_INTEGER = r"^-?[0-9]+$"
_FLOAT = r"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_BOOL = {"true": True, "false": False, "1": True, "0": False}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    reason: str


def read_canonical(path: Path, table_name: str) -> pa.Table:
    """Read and validate a canonical CSV or Parquet file for ``table_name``.

    Returns an Arrow table with the canonical schema, or raises :class:`DataError` listing every
    problem found (up to 20 shown) with its line and column.
    """
    spec = table(table_name)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    suffix = "".join(path.suffixes).lower()
    if suffix.endswith(".parquet"):
        raw, first_line = _read_parquet(path), 1
    elif suffix.endswith((".csv", ".csv.gz", ".txt")):
        raw, first_line = _read_csv(path), 2
    else:
        raise DataError(
            f"{path}: unsupported file type '{suffix or path.name}'",
            hint="`shakhes load` takes canonical .csv or .parquet files; "
            "`shakhes import` is for platform exports.",
        )
    _check_header(path, spec, raw.column_names)
    problems: list[Problem] = []
    columns: dict[str, pa.Array] = {}
    for col in spec.columns:
        if col.name not in raw.column_names:
            columns[col.name] = pa.nulls(raw.num_rows, type=arrow_schema(spec).field(col.name).type)
            continue
        columns[col.name] = _convert(
            raw.column(col.name), col, first_line, problems, spec.natural_key
        )
    if problems:
        raise DataError(_render(path, table_name, problems))
    rows = pa.table(columns, schema=arrow_schema(spec))
    _check_unique(path, spec, rows, first_line)
    return rows


def _check_unique(path: Path, spec: Table, rows: pa.Table, first_line: int) -> None:
    """Two rows of one file with the same natural key would both be stored: refuse the file."""
    keyed = rows.select(list(spec.natural_key)).append_column(
        "_row", pa.array(range(rows.num_rows), pa.int64())
    )
    groups = keyed.group_by(list(spec.natural_key), use_threads=False).aggregate(
        [("_row", "list"), ("_row", "count")]
    )
    repeated = groups.filter(pc.greater(groups["_row_count"], 1))
    if repeated.num_rows == 0:
        return
    examples = [
        " and ".join(str(first_line + i) for i in lines[:3])
        for lines in repeated["_row_list"].to_pylist()[:5]
    ]
    raise DataError(
        f"{path}: {repeated.num_rows} natural key(s) ({', '.join(spec.natural_key)}) appear "
        f"on more than one line (lines {'; '.join(examples)}); nothing was loaded",
        hint="Each row must be unique by its natural key: merge or remove the repeated rows.",
    )


def _read_csv(path: Path) -> pa.Table:
    try:
        with path.open("rb") as fh:
            header = fh.readline().decode("utf-8-sig").strip().split(",")
        names = [h.strip().strip('"') for h in header]
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf-8"),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable UTF-8 CSV file: {exc}") from None


def _read_parquet(path: Path) -> pa.Table:
    try:
        data = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file: {exc}") from None
    # Validate Parquet through the same text rules: a date must be a date, a count a number.
    return pa.table({name: _as_text(data.column(name)) for name in data.column_names})


def _as_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(values.type):
        return pc.fill_null(values, "")
    if pa.types.is_boolean(values.type):
        return pc.fill_null(pc.if_else(values, "true", "false"), "")
    return pc.fill_null(pc.cast(values, pa.string()), "")


def _check_header(path: Path, spec: Table, header: list[str]) -> None:
    unknown = [h for h in header if not spec.has_column(h)]
    missing = [c.name for c in spec.columns if c.required and c.name not in header]
    repeated = sorted({h for h in header if header.count(h) > 1})
    messages = [f"column '{h}' appears {header.count(h)} times" for h in repeated]
    for name in unknown:
        hint = nearest(name, spec.column_names)
        messages.append(f"unknown column '{name}'" + (f" — did you mean '{hint}'?" if hint else ""))
    if missing:
        messages.append(f"missing required column(s): {', '.join(missing)}")
    if messages:
        raise DataError(
            f"{path}: header does not fit table {spec.name}: " + "; ".join(messages),
            hint=f"{spec.name} columns: {', '.join(spec.column_names)} (see docs/data-model.md).",
        )


def _convert(
    values: pa.ChunkedArray,
    col: Column,
    first_line: int,
    out: list[Problem],
    key_columns: tuple[str, ...] = (),
) -> pa.Array:
    text = pc.utf8_trim_whitespace(values.combine_chunks())
    empty = pc.equal(text, "")
    if col.type is ColumnType.STRING:
        if col.name == "channel":
            _report(
                out,
                pc.invert(pc.is_in(text, pa.array(list(CHANNELS)))),
                text,
                col,
                first_line,
                _channel_reason,
            )
        if col.name == "currency":
            bad = pc.invert(pc.match_substring_regex(text, _CURRENCY.pattern))
            _report(out, bad, text, col, first_line, lambda v: "not a 3-letter ISO currency code")
        elif col.required and col.name in key_columns:
            _report(out, empty, text, col, first_line, lambda v: "missing required value")
        return pc.if_else(empty, None, text) if not col.required else text
    if col.required:
        _report(out, empty, text, col, first_line, lambda v: "missing required value")
    present = pc.invert(empty)
    if col.type is ColumnType.DATE:
        ok = pc.match_substring_regex(text, _DATE)
        _report(
            out,
            pc.and_(present, pc.invert(ok)),
            text,
            col,
            first_line,
            lambda v: "not an ISO date (YYYY-MM-DD)",
        )
        parsed = pc.strptime(
            pc.if_else(ok, text, None), format="%Y-%m-%d", unit="s", error_is_null=True
        )
        # Arrow rolls 2024-02-30 over to March 1st; printing the date back catches that.
        printed = pc.strftime(parsed, format="%Y-%m-%d")
        real = pc.fill_null(pc.equal(printed, text), False)
        _report(
            out,
            pc.and_(ok, pc.invert(real)),
            text,
            col,
            first_line,
            lambda v: "not a real calendar date",
        )
        years = pc.year(parsed)
        _report(
            out,
            pc.fill_null(pc.less(years, 1800), False),
            text,
            col,
            first_line,
            lambda v: (
                "year before 1800 — a Jalali date? convert it to Gregorian "
                "(`shakhes import` does this)"
            ),
        )
        return pc.cast(parsed, pa.date32())
    if col.type is ColumnType.BOOLEAN:
        lowered = pc.utf8_lower(text)
        known = pc.is_in(lowered, pa.array(list(_BOOL)))
        _report(
            out,
            pc.and_(present, pc.invert(known)),
            text,
            col,
            first_line,
            lambda v: "not a boolean (true/false)",
        )
        return pc.if_else(
            pc.is_in(lowered, pa.array(["true", "1"])), True, pc.if_else(known, False, None)
        )
    pattern = _INTEGER if col.type is ColumnType.INTEGER else _FLOAT
    ok = pc.match_substring_regex(text, pattern)
    _report(
        out,
        pc.and_(present, pc.invert(ok)),
        text,
        col,
        first_line,
        lambda v: f"not a plain {'whole ' if col.type is ColumnType.INTEGER else ''}number",
    )
    number = pc.cast(pc.if_else(ok, text, None), pa.float64())
    _report(
        out,
        pc.fill_null(pc.is_inf(number), False),
        text,
        col,
        first_line,
        lambda v: "number too large",
    )
    _report(
        out,
        pc.fill_null(pc.less(number, 0), False),
        text,
        col,
        first_line,
        lambda v: "negative — counts and amounts cannot be below 0",
    )
    target = pa.int64() if col.type is ColumnType.INTEGER else pa.float64()
    return pc.cast(pc.if_else(ok, text, None), target)


def _channel_reason(value: str) -> str:
    hint = nearest(value, CHANNELS)
    return (
        "not a canonical channel"
        + (f" — did you mean '{hint}'?" if hint else "")
        + (f" (one of: {', '.join(CHANNELS)})")
    )


def _report(
    out: list[Problem],
    mask: pa.Array,
    text: pa.Array,
    col: Column,
    first_line: int,
    reason: Callable[[str], str],
) -> None:
    if len(out) >= MAX_REPORTED or not pc.any(mask).as_py():
        return
    indices = pc.indices_nonzero(mask)
    for idx in indices.to_pylist()[: MAX_REPORTED - len(out)]:
        value = text[idx].as_py()
        out.append(Problem(first_line + idx, col.name, value, reason(value)))


def _render(path: Path, table_name: str, problems: list[Problem]) -> str:
    lines = [f"{path}: {len(problems)} problem(s) loading into {table_name}; nothing was loaded"]
    lines += [
        f"  {path.name}:{p.line}: column '{p.column}': value '{p.value}' — {p.reason}"
        for p in sorted(problems, key=lambda p: (p.line, p.column))
    ]
    if len(problems) >= MAX_REPORTED:
        lines.append(f"  (showing the first {MAX_REPORTED})")
    return "\n".join(lines)
