"""Every row rule the data model declares (and every column's type) refuses a row the same way
whichever way its file goes: the general way of an import (which quarantines it), and a load of
the canonical CSV or Parquet file, which DuckDB's straight read tries first (it finds the row
with its own SQL checks, gives up, and the general way lists the problem).

Each case is a file of two rows: a good one and one that breaks one rule (line 3 of a CSV file,
record 2 of a Parquet file: the line numbers an import reports). The expected line, column and
reason code are written out here, not taken from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shakhes.data.model import (
    TABLES,
    AtLeast,
    ColumnType,
    Matches,
    NotAbove,
    OneOf,
    Required,
    Rule,
    Table,
    WholeNumber,
)
from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports import fast
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.readers import sniff

GOOD: dict[str, dict[str, str]] = {
    "ad_performance": {
        "date": "2026-01-05", "platform": "google_ads", "account": "acc1", "channel": "search",
        "campaign_id": "c1", "campaign": "Brand", "ad_group": "G1", "ad": "A1",
        "currency": "USD", "impressions": "100", "clicks": "10", "cost": "5.5",
        "conversions": "1.5", "conversion_value": "20", "reach": "80", "video_views": "3",
        "engagements": "4", "leads": "1",
    },
    "web_traffic": {
        "date": "2026-01-05", "source": "google", "medium": "cpc", "channel": "search",
        "campaign": "Brand", "device": "mobile", "sessions": "10", "engaged_sessions": "5",
        "users": "8", "new_users": "2", "page_views": "30", "key_events": "1",
        "revenue": "12.5", "currency": "USD",
    },
    "orders": {
        "order_id": "o1", "order_date": "2026-01-05", "customer_id": "cu1", "channel": "email",
        "campaign": "Spring", "revenue": "10", "currency": "EUR", "is_new_customer": "true",
    },
    "customers": {
        "customer_id": "cu1", "acquired_date": "2026-01-05", "churned_date": "2026-03-01",
        "channel": "referral", "campaign": "Spring", "plan": "basic", "monthly_value": "9.9",
        "currency": "IRT",
    },
    "leads": {
        "lead_id": "l1", "created_date": "2026-01-05", "channel": "social", "campaign": "Spring",
        "qualified_date": "2026-01-07", "won_date": "2026-01-20", "value": "100",
        "currency": "USD",
    },
    "email_campaigns": {
        "date": "2026-01-05", "campaign": "News", "sent": "100", "delivered": "90",
        "opens": "40", "clicks": "10", "unsubscribes": "1", "bounces": "10",
    },
}  # fmt: skip
"""A row of each table that passes every rule."""

CODES = {
    Required: "missing_value",
    WholeNumber: "not_whole_number",
    AtLeast: "below_minimum",
    Matches: "wrong_format",
    NotAbove: "above_limit",
    OneOf: "unknown_value",
}
"""The reason code of a row that breaks each kind of rule."""

UNREADABLE = {
    ColumnType.INTEGER: ("many", "not_a_number"),
    ColumnType.FLOAT: ("12,5x", "not_a_number"),
    ColumnType.DATE: ("someday", "not_a_date"),
    ColumnType.BOOLEAN: ("maybe", "not_a_boolean"),
}
"""A cell that does not read as each type, and the reason code of its row."""


def breaking(rule: Rule) -> dict[str, str]:
    """The cells that make a good row break ``rule``."""
    if isinstance(rule, Required):
        return {rule.column: ""}
    if isinstance(rule, WholeNumber):
        return {rule.column: "1.5"}
    if isinstance(rule, AtLeast):
        return {rule.column: "-1"}
    if isinstance(rule, Matches):
        return {rule.column: "US1"}
    if isinstance(rule, NotAbove):
        return {rule.column: "200", rule.limit: "100"}
    if isinstance(rule, OneOf):
        return {rule.column: "serch"}
    raise AssertionError(rule)


def case_name(table: str, what: str, column: str) -> str:
    return f"{table}-{what}-{column}"


RULE_CASES = [
    pytest.param(t, rule, id=case_name(t.name, type(rule).__name__, rule.column))
    for t in TABLES.values()
    for rule in t.rules
    if not (isinstance(rule, Required) and rule.blank_ok)
]
BLANK_CASES = [
    pytest.param(t, rule.column, id=case_name(t.name, "blank", rule.column))
    for t in TABLES.values()
    for rule in t.rules
    if isinstance(rule, Required) and rule.blank_ok
]


def _type_cases() -> list[Any]:
    """Every column of a type a cell may not read as; beyond the first of each type in each
    table (the quick suite's), marked slow: a column reads as its type says."""
    cases, seen = [], set()
    for t in TABLES.values():
        for c in t.columns:
            if c.type in UNREADABLE:
                marks = [pytest.mark.slow] if (t.name, c.type) in seen else []
                seen.add((t.name, c.type))
                name = case_name(t.name, c.type.value, c.name)
                cases.append(pytest.param(t, c.name, id=name, marks=marks))
    return cases


TYPE_CASES = _type_cases()


def test_every_kind_of_rule_is_declared_and_exercised() -> None:
    kinds = {type(p.values[1]) for p in RULE_CASES}
    assert kinds == set(CODES)
    assert len(RULE_CASES) > 80 and BLANK_CASES and len(TYPE_CASES) > 30
    # What was encoded by hand in both paths before: every number non-negative, integer
    # counts whole, channel and currency checked in every table that has them.
    for t in TABLES.values():
        rules = {(type(r), r.column) for r in t.rules}
        for c in t.columns:
            assert (c.type.is_numeric) == ((AtLeast, c.name) in rules), (t.name, c.name)
            assert (c.type is ColumnType.INTEGER) == ((WholeNumber, c.name) in rules)
        assert t.has_column("channel") == ((OneOf, "channel") in rules)
        assert t.has_column("currency") == ((Matches, "currency") in rules)
    assert (NotAbove, "clicks") in {(type(r), r.column) for r in TABLES["ad_performance"].rules}
    assert (NotAbove, "engaged_sessions") in {
        (type(r), r.column) for r in TABLES["web_traffic"].rules
    }


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    warehouse = Warehouse.connect("duckdb://")
    warehouse.ensure_schema()
    return warehouse


def rows_of(table: Table, cells: dict[str, str]) -> list[dict[str, str]]:
    """The good row, then the good row with ``cells`` and another natural key."""
    good = GOOD[table.name]
    other = dict(good)
    for k in table.natural_key:
        if table.column(k).type is ColumnType.DATE:
            other[k] = "2026-01-06"
        else:
            other[k] = good[k] + "-2"
    return [good, {**other, **cells}]


def write_csv(path: Path, table: Table, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.column_names)
        writer.writerows([[row[c] for c in table.column_names] for row in rows])
    return path


def write_gzip(path: Path, csv_path: Path) -> Path:
    path.write_bytes(gzip.compress(csv_path.read_bytes()))
    return path


def write_parquet(path: Path, table: Table, rows: list[dict[str, str]]) -> Path:
    """The rows typed as a Parquet writer types them; a cell that does not fit its column's
    type makes that column text."""
    columns: dict[str, pa.Array] = {}
    for c in table.columns:
        cells = [row[c.name] for row in rows]
        try:
            columns[c.name] = pa.array([_typed(c.type, v) for v in cells], _arrow(c.type))
        except ValueError:
            columns[c.name] = pa.array(cells, pa.string())
    pq.write_table(pa.table(columns), path)
    return path


def _arrow(kind: ColumnType) -> pa.DataType:
    return {
        ColumnType.DATE: pa.date32(),
        ColumnType.STRING: pa.string(),
        ColumnType.INTEGER: pa.float64(),  # (so that 1.5 fits: the rule refuses it)
        ColumnType.FLOAT: pa.float64(),
        ColumnType.BOOLEAN: pa.bool_(),
    }[kind]


def _typed(kind: ColumnType, text: str) -> Any:
    if kind is ColumnType.STRING:
        return text
    if text == "":
        return None
    if kind is ColumnType.DATE:
        return dt.date.fromisoformat(text)
    if kind is ColumnType.BOOLEAN:
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    return float(text)


def imported(wh: Warehouse, path: Path, table: Table) -> list[tuple[int | None, str | None, str]]:
    """The general way: (line, column, code) of each quarantined row."""
    report = import_file(wh, path, ImportOptions(source=f"canonical:{table.name}"))
    assert report.import_id is not None and report.accepted == 1
    return [(r.line, r.column, r.code) for r in report.rejected]


def loaded(wh: Warehouse, path: Path, table: Table) -> list[tuple[int | None, str | None, str]]:
    """``shakhes load``: (line, column, code) of each problem it lists."""
    options = ImportOptions(source=f"canonical:{table.name}", strict=True)
    before = Ledger(wh).recent(1)
    with pytest.raises(DataError) as refused:
        import_file(wh, path, options)
    assert refused.value.code == "load_problems"
    assert Ledger(wh).recent(1) == before  # nothing was written
    return [(i.line, i.column, i.code) for i in refused.value.issues]


def straight(wh: Warehouse, path: Path, table: Table) -> list[tuple[int, str, str]]:
    """The straight way's own checks: (line, column, code) of each rule a row fails, in the
    order of the table's rules (a CSV file's records start on line 2, a Parquet file's are
    numbered from 1)."""
    info = sniff(path)
    first = 2 if info.format == "csv" else 1
    found = fast.refused_rows(wh, info, table, list(table.column_names))
    return [(n + first - 1, column, code) for n, column, code in found]


def as_records(found: list[tuple[int, str, str]], csv_file: bool) -> list[tuple[int, str, str]]:
    """CSV lines as record numbers, to compare with a Parquet file's."""
    return [(n - 1 if csv_file else n, column, code) for n, column, code in found]


@pytest.mark.parametrize(("table", "rule"), RULE_CASES)
def test_a_broken_rule_is_refused_alike_by_both_ways(
    wh: Warehouse, tmp_path: Path, table: Table, rule: Rule
) -> None:
    code = CODES[type(rule)]
    rows = rows_of(table, breaking(rule))
    plain = write_csv(tmp_path / "rows.csv", table, rows)
    packed = write_gzip(tmp_path / "rows.csv.gz", plain)
    typed = write_parquet(tmp_path / "rows.parquet", table, rows)

    # The general way quarantines the row, with its first problem: the broken rule.
    assert imported(wh, packed, table) == [(3, rule.column, code)]
    # The straight way's checks find the row, and the broken rule first, in CSV and Parquet...
    from_csv, from_parquet = straight(wh, plain, table), straight(wh, typed, table)
    assert from_csv[0] == (3, rule.column, code) and from_parquet[0] == (2, rule.column, code)
    assert as_records(from_csv, csv_file=True) == as_records(from_parquet, csv_file=False)
    # ... so a load goes the general way, which lists the problems of the row: the broken rule,
    # and another the same values break (-1 impressions: more clicks than impressions).
    for path, found in ((plain, from_csv), (typed, from_parquet)):
        problems = loaded(wh, path, table)
        assert problems[0] == found[0] and set(problems) <= set(found)
    # (And the straight insert itself gives up: DuckDB stops at the row.)
    with pytest.raises(fast.NotClean), wh.transaction():
        fast.insert_in_place(wh, sniff(plain), table, table.column_names, 999, "_test_view")


@pytest.mark.parametrize(("table", "column"), BLANK_CASES)
def test_an_empty_text_where_the_model_allows_it_is_taken_by_both_ways(
    wh: Warehouse, tmp_path: Path, table: Table, column: str
) -> None:
    rows = rows_of(table, {column: ""})
    plain = write_csv(tmp_path / "rows.csv", table, rows)
    packed = write_gzip(tmp_path / "rows.csv.gz", plain)
    typed = write_parquet(tmp_path / "rows.parquet", table, rows)
    assert straight(wh, plain, table) == straight(wh, typed, table) == []
    for path in (packed, plain, typed):
        report = import_file(wh, path, ImportOptions(source=f"canonical:{table.name}"))
        assert (report.accepted, report.rejected) == (2, ())
        key = table.natural_key[0]
        stored = wh.backend.con.execute(
            f'SELECT "{column}" FROM "{table.name}" WHERE "{key}" = ?', [rows[1][key]]
        ).fetchall()
        assert stored == [("",)]
        Ledger(wh).undo(report.import_id or 0)


@pytest.mark.parametrize(("table", "column"), TYPE_CASES)
def test_a_cell_not_of_its_columns_type_is_refused_alike_by_both_ways(
    wh: Warehouse, tmp_path: Path, table: Table, column: str
) -> None:
    text, code = UNREADABLE[table.column(column).type]
    rows = rows_of(table, {column: text})
    plain = write_csv(tmp_path / "rows.csv", table, rows)
    packed = write_gzip(tmp_path / "rows.csv.gz", plain)
    typed = write_parquet(tmp_path / "rows.parquet", table, rows)
    assert imported(wh, packed, table) == [(3, column, code)]
    # The straight way does not read the cell as the general way (not at all, or as a cell to
    # leave to the general way): it gives up, and the load lists the problem.
    for path, line in ((plain, 3), (typed, 2)):
        with pytest.raises(fast.NotClean), wh.transaction():
            fast.insert_in_place(wh, sniff(path), table, table.column_names, 999, "_test_view")
        assert loaded(wh, path, table) == [(line, column, code)]


def test_the_data_model_doc_lists_every_rule_with_its_code() -> None:
    from shakhes.data import model_doc

    text = model_doc.render()
    for t in TABLES.values():
        section = text.split(f"## `{t.name}`")[1].split("\n## ")[0]
        for rule in t.rules:
            assert f"`{CODES[type(rule)]}`" in section and f"`{rule.column}`" in section
