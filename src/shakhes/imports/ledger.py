"""The import ledger: every import is one transaction, recorded with what it replaced.

- ``shakhes_imports`` logs each import (file, SHA-256, source, account, counts, date range, who,
  when, and the options it was imported with: currency, account, mapping, encoding); an import
  that fills several tables (a GA4 BigQuery export: ``web_traffic`` and
  ``orders``) has one record per table, all written in the same transaction with the same file,
  SHA-256 and time, and ``undo`` of any of them undoes them all;
- canonical rows carry the ``_import_id`` that wrote them;
- ``shakhes_replaced_<table>`` keeps every row an import replaced or removed, tagged
  ``_replaced_by``, so ``undo`` restores exactly what was there before;
- ``shakhes_quarantine`` keeps every rejected row with its file, line, column, value, reason and
  the reason's code.

The records themselves are in :mod:`shakhes.imports.records`, the SQL that merges an import's
rows into its table in :mod:`shakhes.imports.merge`; this module commits, lists and undoes.
All SQL here is built from identifiers of the data model and ``?`` placeholders for values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from shakhes.data.model import TABLES, Table
from shakhes.data.warehouse import (
    IMPORT_ID,
    IMPORTS_TABLE,
    QUARANTINE_TABLE,
    REPLACED_BY,
    Warehouse,
    history_table,
)
from shakhes.errors import DataError, InternalError, Issue
from shakhes.imports import customers as derived_customers
from shakhes.imports import merge
from shakhes.imports.partial import is_partial
from shakhes.imports.records import (
    OPTION_NAMES,
    RECORD_COLUMNS,
    Commit,
    ImportRecord,
    Kept,
    Rejected,
    UndoResult,
    cell_names,
    changed_options,
    record_of,
)

__all__ = [
    "OPTION_NAMES",
    "Commit",
    "ImportRecord",
    "Kept",
    "Ledger",
    "Rejected",
    "UndoResult",
    "cell_names",
    "changed_options",
]


def _q(name: str) -> str:
    return '"' + name + '"'


NEW_CUSTOMERS_FROM_HISTORY = ("shopify", "woocommerce", "ga4-bigquery")
"""Sources whose orders do not say whether the customer is new: for their orders,
``is_new_customer`` is worked out from the whole order history in the warehouse."""


def _derive_new_customers(cur: Any, wh: Warehouse) -> None:
    """Set ``is_new_customer`` on the orders of :data:`NEW_CUSTOMERS_FROM_HISTORY` (and of
    mappings that do not say it, see :data:`shakhes.imports.mapping.FROM_HISTORY`): true for a
    customer's first order in the warehouse (by day, then order id), from any source; false
    for later ones and for orders without a customer. Run after every change to ``orders``
    (an import, an undo), in its transaction, so that a file of older orders imported later,
    or an undone one, leaves every flag right."""
    from shakhes.imports.mapping import FROM_HISTORY

    marks = ", ".join("?" for _ in NEW_CUSTOMERS_FROM_HISTORY)
    cur.execute(
        wh.param(
            "UPDATE orders SET is_new_customer = f.is_first FROM ("
            "SELECT order_id, coalesce(customer_id, '') <> '' AND row_number() OVER ("
            "PARTITION BY customer_id ORDER BY order_date, order_id) = 1 AS is_first "
            "FROM orders) AS f "
            f"WHERE orders.order_id = f.order_id AND orders.{IMPORT_ID} IN ("
            f"SELECT import_id FROM {IMPORTS_TABLE} WHERE source IN ({marks}) "
            "OR source LIKE ?) AND orders.is_new_customer IS DISTINCT FROM f.is_first"
        ),
        [*NEW_CUSTOMERS_FROM_HISTORY, "%" + FROM_HISTORY],
    )


def _after_change(cur: Any, wh: Warehouse, tables: set[str], inactivity_days: int) -> None:
    """What follows a change to ``tables`` in the same transaction: the new-customer flags of
    shop orders, and the customers worked out from the orders."""
    if "orders" in tables:
        _derive_new_customers(cur, wh)
    if tables & {"orders", "customers"}:
        derived_customers.derive(cur, wh, inactivity_days)


class Ledger:
    """Imports into one warehouse: commit, list, undo, quarantine.

    ``inactivity_days`` is the workspace's inactivity window: the customers worked out from
    the orders after each change churn that many days after their last order (see
    :mod:`shakhes.imports.customers`)."""

    def __init__(
        self,
        warehouse: Warehouse,
        *,
        inactivity_days: int = derived_customers.DEFAULT_INACTIVITY_DAYS,
    ) -> None:
        self.warehouse = warehouse
        self.inactivity_days = inactivity_days

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.warehouse.transaction() as cur:
            cur.execute(self.warehouse.param(sql), list(params))
            return [tuple(r) for r in cur.fetchall()]

    # ---- reading ------------------------------------------------------------------------------

    def recent(self, limit: int = 50) -> list[ImportRecord]:
        """The latest imports, newest first."""
        cols = ", ".join(RECORD_COLUMNS)
        rows = self._rows(
            f"SELECT {cols} FROM {IMPORTS_TABLE} ORDER BY import_id DESC LIMIT ?", [limit]
        )
        return [record_of(r) for r in rows]

    def get(self, import_id: int) -> ImportRecord:
        cols = ", ".join(RECORD_COLUMNS)
        rows = self._rows(f"SELECT {cols} FROM {IMPORTS_TABLE} WHERE import_id = ?", [import_id])
        if not rows:
            raise DataError(
                f"there is no import #{import_id}",
                code="unknown_import",
                hint="The import log lists the imports of this workspace.",
            )
        return record_of(rows[0])

    def same_file(self, table: str, sha256: str) -> ImportRecord | None:
        """A standing (not undone) import of a file with the same content into ``table``."""
        cols = ", ".join(RECORD_COLUMNS)
        rows = self._rows(
            f"SELECT {cols} FROM {IMPORTS_TABLE} WHERE table_name = ? AND sha256 = ? "
            "AND undone_at IS NULL ORDER BY import_id DESC LIMIT 1",
            [table, sha256],
        )
        return record_of(rows[0]) if rows else None

    def quarantine(
        self, import_id: int | None = None, *, include_resolved: bool = False
    ) -> list[Kept]:
        """Quarantined rows (:class:`Kept`: import id, file, line, column, value, reason, row,
        code), by import and line. Without
        ``include_resolved``, only those still waiting: not imported since (a retry, a
        re-import with other options), and of an import that was not undone."""
        where, params = [], []
        if import_id is not None:
            where.append("import_id = ?")
            params.append(import_id)
        if not include_resolved:
            where.append("resolved_by IS NULL")
            where.append(
                f"import_id NOT IN (SELECT import_id FROM {IMPORTS_TABLE} "
                "WHERE undone_at IS NOT NULL)"
            )
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._rows(
            f"SELECT import_id, file_name, line, column_name, cell, reason, row_json, code "
            f"FROM {QUARANTINE_TABLE} {clause} ORDER BY import_id, line",
            params,
        )
        return [
            Kept(int(r[0]), str(r[1]), int(r[2]), r[3], r[4], str(r[5]), json.loads(r[6]), r[7])
            for r in rows
        ]

    # ---- writing ------------------------------------------------------------------------------

    def commit(
        self,
        *,
        table: Table,
        stage: str,
        rejected: Sequence[Issue],
        file_name: str,
        sha256: str,
        source: str,
        account: str | None,
        rows_read: int,
        date_range: tuple[dt.date, dt.date] | None,
        replace_range: bool,
        totals: dict[str, float],
        actor: str,
        in_place: int | None = None,
        options: dict[str, str | None] | None = None,
        supersedes: int | None = None,
    ) -> ImportRecord:
        """Merge the staged rows into ``table`` in one transaction and record the import.

        A staged row whose natural key is already there replaces the old row (kept in the
        history table); with ``replace_range``, rows of the file's scope and date range that the
        file lacks are removed (kept too); with ``supersedes``, every row that import wrote is
        replaced. Nothing is written unless everything is.
        """
        part = Commit(
            table=table,
            stage=stage,
            rejected=rejected,
            file_name=file_name,
            sha256=sha256,
            source=source,
            account=account,
            rows_read=rows_read,
            date_range=date_range,
            replace_range=replace_range,
            totals=totals,
            actor=actor,
            in_place=in_place,
            options=dict(options or {}),
            supersedes=supersedes,
        )
        return self.commit_many([part])[0]

    def next_id(self) -> int:
        """The id the next import will get (inside a transaction: the one it gets)."""
        return int(self._rows(f"SELECT coalesce(max(import_id), 0) + 1 FROM {IMPORTS_TABLE}")[0][0])

    def commit_many(self, parts: Sequence[Commit]) -> list[ImportRecord]:
        """Commit several tables' parts of one import in ONE transaction, as :meth:`commit`
        does each: one import record per part, all with the same time. Either all of them land
        or nothing does."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.warehouse.transaction() as cur:
            # Before anything is written: one part replacing its import would look, to the
            # next part's check, like a later import that replaced rows of the same transaction.
            for part in parts:
                if part.supersedes is not None:
                    reason = "replaced by an import with other options"
                    self._check_not_replaced(self.get(part.supersedes), reason)
            return [self._commit_on(cur, part, now) for part in parts]

    def _commit_on(self, cur: Any, part: Commit, now: dt.datetime) -> ImportRecord:
        """Merge ``part`` and record it as an import, on ``cur`` inside an open transaction."""
        wh, table = self.warehouse, part.table
        cur.execute(f"SELECT coalesce(max(import_id), 0) + 1 FROM {IMPORTS_TABLE}")
        import_id = int(cur.fetchone()[0])
        if part.in_place is not None and part.in_place != import_id:
            raise InternalError(
                f"rows written as import #{part.in_place}, but #{import_id} is next"
            )
        if part.supersedes is not None:
            merge.supersede(cur, wh, part.supersedes, import_id, table)
        if table.name == "customers":  # a customer list replaces the customers from orders
            derived_customers.remove(cur, wh)
        if is_partial(table):
            replaced, removed = merge.update(cur, wh, part, import_id)
        else:
            replaced, removed = merge.merge(cur, wh, part, import_id)
        cur.execute(f"SELECT count(*) FROM {part.stage}")
        accepted = int(cur.fetchone()[0])
        for r in part.rejected:
            cur.execute(
                wh.param(
                    f"INSERT INTO {QUARANTINE_TABLE} (import_id, file_name, line, column_name, "
                    "cell, reason, row_json, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [
                    import_id,
                    part.file_name,
                    r.line,
                    r.column,
                    r.value,
                    r.message,
                    json.dumps(r.row, ensure_ascii=False),
                    r.code,
                ],
            )
        lo, hi = part.date_range if part.date_range else (None, None)
        record = ImportRecord(
            import_id,
            table.name,
            part.file_name,
            part.sha256,
            part.source,
            part.account,
            part.rows_read,
            accepted,
            len(part.rejected),
            replaced,
            removed,
            lo,
            hi,
            part.replace_range,
            part.totals,
            part.actor,
            now,
            None,
            dict(part.options),
        )
        values = [getattr(record, c) for c in RECORD_COLUMNS]
        values[RECORD_COLUMNS.index("totals")] = json.dumps(part.totals, sort_keys=True)
        values[RECORD_COLUMNS.index("options")] = json.dumps(part.options, sort_keys=True)
        marks = ", ".join("?" for _ in RECORD_COLUMNS)
        cur.execute(
            wh.param(f"INSERT INTO {IMPORTS_TABLE} ({', '.join(RECORD_COLUMNS)}) VALUES ({marks})"),
            values,
        )
        _after_change(cur, wh, {table.name}, self.inactivity_days)
        return record

    def mark_resolved(self, import_id: int, lines: Sequence[int], by: int) -> None:
        """Record that the quarantined rows of ``import_id`` on ``lines`` were imported by
        import ``by`` (a retry)."""
        with self.warehouse.transaction() as cur:
            for line in lines:
                cur.execute(
                    self.warehouse.param(
                        f"UPDATE {QUARANTINE_TABLE} SET resolved_by = ? "
                        "WHERE import_id = ? AND line = ? AND resolved_by IS NULL"
                    ),
                    [by, import_id, line],
                )

    def replaced_rows(self, record: ImportRecord) -> int:
        """How many rows of other imports ``record`` (with the imports of its transaction)
        replaced or removed, kept for its undo."""
        return sum(
            int(
                self._rows(
                    f"SELECT count(*) FROM {history_table(r.table_name)} WHERE {REPLACED_BY} = ?",
                    [r.import_id],
                )[0][0]
            )
            for r in self.together(record)
        )

    def together(self, record: ImportRecord) -> list[ImportRecord]:
        """The standing imports written in the same transaction as ``record`` (itself
        included), oldest first: same file, SHA-256 and time."""
        cols = ", ".join(RECORD_COLUMNS)
        rows = self._rows(
            f"SELECT {cols} FROM {IMPORTS_TABLE} WHERE file_name = ? AND sha256 = ? "
            "AND imported_at = ? AND undone_at IS NULL ORDER BY import_id",
            [record.file_name, record.sha256, record.imported_at],
        )
        return [record_of(r) for r in rows]

    def undo(self, import_id: int) -> UndoResult:
        """Remove what import ``import_id`` wrote and restore exactly what it replaced; with
        it, the other imports of the same transaction (see :meth:`together`), in one
        transaction."""
        record = self.get(import_id)
        if record.undone_at is not None:
            raise DataError(
                f"import #{import_id} was already undone on {record.undone_at:%Y-%m-%d %H:%M}"
            )
        records = self._check_not_replaced(record, "undone")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        deleted = restored = 0
        with self.warehouse.transaction() as cur:
            for r in reversed(records):
                d, k = self._undo_on(cur, r.import_id, TABLES[r.table_name], now)
                deleted, restored = deleted + d, restored + k
            tables = {r.table_name for r in records}
            _after_change(cur, self.warehouse, tables, self.inactivity_days)
        others = tuple(r.import_id for r in records if r.import_id != import_id)
        return UndoResult(import_id, deleted, restored, others)

    def _check_not_replaced(self, record: ImportRecord, what: str) -> list[ImportRecord]:
        """The imports of ``record``'s transaction, when no later import replaced any of their
        rows; else an error naming the later imports to undo first."""
        import_id = record.import_id
        records = self.together(record)
        ids = {r.import_id for r in records}
        for r in records:
            history = history_table(r.table_name)
            later = [
                row[0]
                for row in self._rows(
                    f"SELECT DISTINCT {REPLACED_BY} FROM {history} WHERE {IMPORT_ID} = ? "
                    "ORDER BY 1",
                    [r.import_id],
                )
                if row[0] not in ids
            ]
            if later:
                names = ", ".join(f"#{i}" for i in later)
                whose = "its rows" if r.import_id == import_id else f"the rows of #{r.import_id}"
                raise DataError(
                    f"import #{import_id} cannot be {what} yet: later import(s) {names} "
                    f"replaced some of {whose}",
                    hint=f"Undo {names} first (newest first), then try again.",
                    code="replaced_by_later_import",
                    params={"import_id": import_id, "later": later},
                )
        return records

    def _undo_on(self, cur: Any, import_id: int, table: Table, now: dt.datetime) -> tuple[int, int]:
        """Undo one import on ``cur`` inside an open transaction: (rows deleted, restored)."""
        wh = self.warehouse
        target, history = _q(table.name), history_table(table.name)
        cols = ", ".join(_q(c) for c in table.column_names)
        cur.execute(wh.param(f"SELECT count(*) FROM {target} WHERE {IMPORT_ID} = ?"), [import_id])
        deleted = int(cur.fetchone()[0])
        cur.execute(wh.param(f"DELETE FROM {target} WHERE {IMPORT_ID} = ?"), [import_id])
        cur.execute(
            wh.param(f"SELECT count(*) FROM {history} WHERE {REPLACED_BY} = ?"), [import_id]
        )
        restored = int(cur.fetchone()[0])
        cur.execute(
            wh.param(
                f"INSERT INTO {target} ({cols}, {IMPORT_ID}) SELECT {cols}, {IMPORT_ID} "
                f"FROM {history} WHERE {REPLACED_BY} = ?"
            ),
            [import_id],
        )
        cur.execute(wh.param(f"DELETE FROM {history} WHERE {REPLACED_BY} = ?"), [import_id])
        cur.execute(
            wh.param(f"UPDATE {IMPORTS_TABLE} SET undone_at = ? WHERE import_id = ?"),
            [now, import_id],
        )
        # Quarantined rows it settled (a retry, a re-import with other options) are open again.
        cur.execute(
            wh.param(f"UPDATE {QUARANTINE_TABLE} SET resolved_by = NULL WHERE resolved_by = ?"),
            [import_id],
        )
        return deleted, restored
