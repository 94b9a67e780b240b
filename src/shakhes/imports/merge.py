"""How an import's staged rows are merged into their table, inside the import's transaction:
by natural key (the rows replaced kept in the history table), by date range
(``--replace-range``), column by column (a file that writes only some columns), or replacing
every row of an earlier import of the same file. All SQL is built from identifiers of the data
model and ``?`` placeholders for values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shakhes.data.model import TABLES, Table
from shakhes.data.warehouse import (
    IMPORT_ID,
    QUARANTINE_TABLE,
    REPLACED_BY,
    Warehouse,
    history_table,
)
from shakhes.errors import DataError
from shakhes.imports.partial import updatable
from shakhes.imports.records import Commit

REPLACE_SCOPE: dict[str, tuple[str, ...]] = {
    "ad_performance": ("platform", "account"),
}
"""With ``--replace-range``, which rows a file speaks for besides its date range: an ad export
covers its own platform and account, never another's. Tables not listed: the whole range."""


def _q(name: str) -> str:
    return '"' + name + '"'


def key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(
        f"{left}.{_q(k)} IS NOT DISTINCT FROM {right}.{_q(k)}" for k in table.natural_key
    )


def supersede(cur: Any, wh: Warehouse, old: int, new: int, table: Table) -> None:
    """Replace every row import ``old`` wrote in ``table`` by import ``new`` (kept in the
    history table, restored by undoing ``new``); its quarantined rows are settled by ``new``
    too, which read the same file again. (The commit checked that no later import replaced
    rows of ``old``: see :meth:`shakhes.imports.ledger.Ledger.commit_many`.)"""
    target, history = _q(table.name), history_table(table.name)
    cols = ", ".join(_q(c) for c in table.column_names)
    cur.execute(
        wh.param(
            f"INSERT INTO {history} ({cols}, {IMPORT_ID}, {REPLACED_BY}) "
            f"SELECT {cols}, {IMPORT_ID}, ? FROM {target} WHERE {IMPORT_ID} = ?"
        ),
        [new, old],
    )
    cur.execute(wh.param(f"DELETE FROM {target} WHERE {IMPORT_ID} = ?"), [old])
    cur.execute(
        wh.param(
            f"UPDATE {QUARANTINE_TABLE} SET resolved_by = ? "
            "WHERE import_id = ? AND resolved_by IS NULL"
        ),
        [new, old],
    )


def merge(cur: Any, wh: Warehouse, part: Commit, import_id: int) -> tuple[int, int]:
    """Replace the rows whose natural key the staged rows carry by the staged rows (the old
    ones kept in the history table); with ``replace_range``, remove the rows of the file's
    scope and range that it lacks. Returns (rows replaced, rows removed)."""
    table = part.table
    target, history = _q(table.name), history_table(table.name)
    cols = ", ".join(_q(c) for c in table.column_names)
    t_cols = ", ".join(f"t.{_q(c)}" for c in table.column_names)
    match = key_match(table, "t", "s")
    # The rows of this import (already there when written in place) replace no one.
    exists = (
        f"t.{IMPORT_ID} IS DISTINCT FROM {import_id} AND "
        f"EXISTS (SELECT 1 FROM {part.stage} AS s WHERE {match})"
    )
    cur.execute(
        wh.param(
            f"INSERT INTO {history} ({cols}, {IMPORT_ID}, {REPLACED_BY}) "
            f"SELECT {t_cols}, t.{IMPORT_ID}, ? FROM {target} AS t WHERE {exists}"
        ),
        [import_id],
    )
    cur.execute(f"SELECT count(*) FROM {history} WHERE {REPLACED_BY} = {import_id}")
    replaced = int(cur.fetchone()[0])
    cur.execute(f"DELETE FROM {target} AS t WHERE {exists}")
    removed = 0
    if part.replace_range and part.date_range is not None:
        removed = remove_range(cur, wh, table, part.stage, import_id, part.date_range)
    if part.in_place is None:
        cur.execute(
            wh.param(
                f"INSERT INTO {target} ({cols}, {IMPORT_ID}) SELECT {cols}, ? FROM {part.stage}"
            ),
            [import_id],
        )
    return replaced, removed


def update(cur: Any, wh: Warehouse, part: Commit, import_id: int) -> tuple[int, int]:
    """Write the columns of a reduced table (see :mod:`shakhes.imports.partial`): rows whose
    natural key is there get the staged values of those columns and keep the others (the
    whole old rows are kept in the history table); the other staged rows are added when
    the reduced table has every required column. Returns (rows changed, 0)."""
    table = part.table
    full = TABLES[table.name]
    if part.replace_range:
        raise DataError(
            f"{part.file_name}: a file that writes only some columns of {table.name} cannot "
            "replace a date range",
            code="partial_replace_range",
        )
    target, history = _q(table.name), history_table(table.name)
    full_cols = ", ".join(_q(c) for c in full.column_names)
    t_cols = ", ".join(f"t.{_q(c)}" for c in full.column_names)
    match = key_match(table, "t", "s")
    mine = f"t.{IMPORT_ID} IS DISTINCT FROM {int(import_id)} AND {updatable(table)}"
    exists = f"{mine} AND EXISTS (SELECT 1 FROM {part.stage} AS s WHERE {match})"
    cur.execute(
        wh.param(
            f"INSERT INTO {history} ({full_cols}, {IMPORT_ID}, {REPLACED_BY}) "
            f"SELECT {t_cols}, t.{IMPORT_ID}, ? FROM {target} AS t WHERE {exists}"
        ),
        [import_id],
    )
    cur.execute(f"SELECT count(*) FROM {history} WHERE {REPLACED_BY} = {int(import_id)}")
    changed = int(cur.fetchone()[0])
    values = [c for c in table.column_names if c not in table.natural_key]
    sets = ", ".join([*(f"{_q(c)} = s.{_q(c)}" for c in values), f"{IMPORT_ID} = ?"])
    cur.execute(
        wh.param(
            f"UPDATE {target} AS t SET {sets} FROM {part.stage} AS s WHERE {match} AND {mine}"
        ),
        [import_id],
    )
    new = f"NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {match} AND {updatable(table)})"
    if all(table.has_column(c.name) for c in full.columns if c.required):
        cols = ", ".join(_q(c) for c in table.column_names)
        cur.execute(
            wh.param(
                f"INSERT INTO {target} ({cols}, {IMPORT_ID}) SELECT {cols}, ? "
                f"FROM {part.stage} AS s WHERE {new}"
            ),
            [import_id],
        )
    else:
        cur.execute(f"SELECT count(*) FROM {part.stage} AS s WHERE {new}")
        if int(cur.fetchone()[0]):  # checked row by row before; another process took them
            raise DataError(
                f"{part.file_name}: rows it updates were removed while it was imported; "
                "nothing was written",
                code="update_rows_gone",
            )
    return changed, 0


def remove_range(
    cur: Any,
    wh: Warehouse,
    table: Table,
    stage: str,
    import_id: int,
    date_range: tuple[dt.date, dt.date],
) -> int:
    target, history = _q(table.name), history_table(table.name)
    cols = ", ".join(_q(c) for c in table.column_names)
    scope = REPLACE_SCOPE.get(table.name, ())
    condition = (
        f"{IMPORT_ID} IS DISTINCT FROM {int(import_id)} AND {_q(table.time_column)} BETWEEN ? AND ?"
    )
    if scope:
        keys = ", ".join(_q(c) for c in scope)
        condition += f" AND ({keys}) IN (SELECT DISTINCT {keys} FROM {stage})"
    cur.execute(
        wh.param(
            f"INSERT INTO {history} ({cols}, {IMPORT_ID}, {REPLACED_BY}) "
            f"SELECT {cols}, {IMPORT_ID}, ? FROM {target} WHERE {condition}"
        ),
        [import_id, *date_range],
    )
    cur.execute(wh.param(f"SELECT count(*) FROM {target} WHERE {condition}"), list(date_range))
    removed = int(cur.fetchone()[0])
    cur.execute(wh.param(f"DELETE FROM {target} WHERE {condition}"), list(date_range))
    return removed
