"""Shared by the import tests: the source fixture files and SQL on a DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

from shakhes.data.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "imports" / "fixtures" / "sources"


def rows(wh: Warehouse, sql: str) -> list[tuple[object, ...]]:
    """The rows of a query on the warehouse, as tuples."""
    return [tuple(r) for r in wh.backend.con.execute(sql).fetchall()]


def imported_one_way(wh: Warehouse, path: Path, straight: bool) -> tuple[object, ...]:
    """What a canonical import of ``path`` into ``wh`` (emptied first) gives — rows read and
    accepted, the rows stored, the rows quarantined (line, column, value, reason), or the
    error — by the straight way where it can (``straight``) or by the general way only: the
    two must give the same."""
    from shakhes.errors import DataError
    from shakhes.imports import fast
    from shakhes.imports.ledger import Ledger
    from shakhes.imports.pipeline import ImportOptions, import_file
    from support.warehouses import empty

    empty(wh)
    usable = fast.usable
    try:
        if not straight:
            fast.usable = lambda *a: False  # type: ignore[assignment]
        try:
            report = import_file(wh, path, ImportOptions(source="canonical"))
        except DataError as exc:
            return ("error", str(exc))
    finally:
        fast.usable = usable  # type: ignore[assignment]
    stored = rows(wh, "SELECT * EXCLUDE (_import_id) FROM ad_performance ORDER BY ALL")
    quarantined = [r[2:6] for r in Ledger(wh).quarantine()]
    return (report.rows_read, report.accepted, stored, quarantined)
