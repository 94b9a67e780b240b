"""A quarantined row keeps its problem's code: a Meta export with six kinds of bad rows, its
quarantine as the service lists it and as its CSV export writes it; and a warehouse made
before rows kept their code (its quarantine table as the previous schema version made it) is
refused until it is upgraded, and then lists its rows, with the codes of the fixed texts
worked out."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from support.imports import FIXTURES

from shakhes.data.warehouse import SCHEMA_VERSION, Warehouse
from shakhes.errors import WorkspaceError
from shakhes.imports.ledger import Ledger
from shakhes.imports.records import NO_CODE
from shakhes.imports.report import ImportOptions
from shakhes.service import imports
from shakhes.web.data import REASON_WORDS, reason_text
from shakhes.workspace import Workspace, init

BAD_ROWS = FIXTURES / "meta_daily_bad_rows.csv"
"""A Meta Ads Manager daily export (the columns of meta_daily.csv) with two good rows and a bad
one of each kind below."""

EXPECTED = [
    (3, "cost", "lots", "not_a_number", "not a number"),
    (4, "date", "2026-09-31", "not_a_date", "not a real date: 2026-09-31"),
    (5, "date", "2026-09-02", "not_daily", "not a daily row"),
    (6, "clicks", "1200", "above_limit", "more clicks than impressions"),
    (7, "conversions", "3", "mixed_results", "Results count a different action"),
    (8, "cost", "-45.00", "below_minimum", "cost is negative"),
]
"""Line, column, value, code and the start of the reason of each quarantined row."""

OLD_QUARANTINE_DDL = """CREATE TABLE shakhes_quarantine (
        import_id BIGINT NOT NULL, file_name VARCHAR NOT NULL, line BIGINT NOT NULL,
        column_name VARCHAR, cell VARCHAR, reason VARCHAR NOT NULL, row_json VARCHAR NOT NULL,
        resolved_by BIGINT)"""
"""The quarantine table as schema version 2 made it (no code)."""


def _listed(found: list[imports.Quarantined]) -> list[tuple[object, ...]]:
    return [(q.issue.line, q.issue.column, q.issue.value, q.issue.code) for q in found]


def test_the_service_lists_each_quarantined_row_with_its_code(tmp_path: Path) -> None:
    ws = init(tmp_path / "ws")
    try:
        report = imports.import_file(ws, BAD_ROWS, ImportOptions())
        assert (report.rows_read, report.accepted, report.quarantined) == (8, 2, 6)
        found = imports.quarantined(ws, report.import_id)
    finally:
        ws.close()
    assert _listed(found) == [e[:4] for e in EXPECTED]
    for q, (*_, start) in zip(found, EXPECTED, strict=True):
        assert q.issue.message.startswith(start)
        assert q.issue.row is not None and q.issue.row["Ad set name"] == "Lookalike 1%"
        # The Data page's words: Persian by the code, English the text as the import wrote it.
        assert reason_text(q.issue.code, q.issue.message, "fa") == REASON_WORDS["fa"][q.issue.code]
        assert reason_text(q.issue.code, q.issue.message, "en") == q.issue.message

    header, body = imports.quarantine_table(found)
    assert header[:5] == ["import", "line", "column", "reason", "code"]
    assert "Amount spent (EUR)" in header
    assert [row[4] for row in body] == [e[3] for e in EXPECTED]
    assert body[0][header.index("Amount spent (EUR)")] == "lots"


def _make_previous_version(root: Path) -> None:
    """Turn the workspace's warehouse into one schema version 2 made: the quarantine table with
    the old DDL (its rows kept, without their code) and the tables' version 2."""
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        rows = con.execute(
            "SELECT import_id, file_name, line, column_name, cell, reason, row_json, resolved_by "
            "FROM shakhes_quarantine ORDER BY line"
        ).fetchall()
        con.execute("DROP TABLE shakhes_quarantine")
        con.execute(OLD_QUARANTINE_DDL)
        con.executemany("INSERT INTO shakhes_quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # A row of an older import whose reason is one of the fixed texts of a rule.
        raw = json.dumps({"Impressions": "12.5"})
        con.execute(
            "INSERT INTO shakhes_quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [rows[0][0], rows[0][1], 9, "impressions", "12.5", "not a whole number", raw, None],
        )
        con.execute("UPDATE shakhes_schema SET version = 2")
        assert "code" not in [c[0] for c in con.execute("DESCRIBE shakhes_quarantine").fetchall()]
    finally:
        con.close()


def test_an_older_warehouse_is_upgraded_and_its_quarantine_still_lists(tmp_path: Path) -> None:
    ws = init(tmp_path / "ws")
    try:
        import_id = imports.import_file(ws, BAD_ROWS, ImportOptions()).import_id
    finally:
        ws.close()
    _make_previous_version(ws.root)

    ws = Workspace.open(ws.root)
    try:
        with pytest.raises(WorkspaceError) as refused:
            imports.quarantined(ws)
        assert refused.value.code == "warehouse_outdated"
        done = ws.upgrade()
        assert (done.warehouse_before, done.warehouse_after) == (2, SCHEMA_VERSION) == (2, 3)
        found = imports.quarantined(ws)
        # Another import after the upgrade keeps its rows' codes again.
        other = tmp_path / "other.csv"
        other.write_text(BAD_ROWS.read_text(encoding="utf-8").replace("Video", "Clip"), "utf-8")
        again = imports.import_file(ws, other, ImportOptions()).import_id
        found_again = imports.quarantined(ws, again)
    finally:
        ws.close()

    # Every old row still lists, with its text; the fixed texts' codes are worked out, a
    # reason that names its column or value has none (NO_CODE: the page shows its text).
    assert [(q.import_id, q.issue.line, q.issue.column, q.issue.value) for q in found] == [
        (import_id, *e[:3]) for e in EXPECTED
    ] + [(import_id, 9, "impressions", "12.5")]
    assert [q.issue.code for q in found] == [
        "not_a_number",
        NO_CODE,
        NO_CODE,
        NO_CODE,
        NO_CODE,
        NO_CODE,
        "not_whole_number",
    ]
    assert [q.issue.message for q in found][-1] == "not a whole number"
    assert reason_text(found[0].issue.code, found[0].issue.message, "fa") == "عدد نیست"
    assert reason_text(found[5].issue.code, found[5].issue.message, "fa") == "cost is negative"
    assert found[0].issue.row == {**found[0].issue.row, "Amount spent (EUR)": "lots"}
    assert _listed(found_again) == [e[:4] for e in EXPECTED]


@pytest.mark.postgres
def test_a_postgres_warehouse_of_the_previous_version_is_upgraded(pg_database: str) -> None:
    wh = Warehouse.connect(pg_database)
    try:
        wh.ensure_schema()
        with wh.transaction() as cur:
            cur.execute("DROP TABLE shakhes_quarantine")
            cur.execute(OLD_QUARANTINE_DDL)
            for line, reason in ((2, "not a date"), (3, "cost is negative")):
                cur.execute(
                    "INSERT INTO shakhes_quarantine VALUES (1, 'a.csv', %s, 'x', 'y', %s, '{}', "
                    "NULL)",
                    [line, reason],
                )
            cur.execute("UPDATE shakhes_schema SET version = 2")
        assert wh.schema_version() == 2
        wh.ensure_schema()
        assert wh.schema_version() == SCHEMA_VERSION
        kept = Ledger(wh).quarantine(include_resolved=True)
    finally:
        wh.close()
    assert [(k.line, k.reason, k.code) for k in kept] == [
        (2, "not a date", "not_a_date"),
        (3, "cost is negative", None),
    ]
