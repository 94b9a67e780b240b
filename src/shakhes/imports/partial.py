"""Files that carry only some columns of a table: they write those columns of its rows.

A mapping that maps only some columns (see :attr:`SourceSpec.writes`) is imported into a
*reduced* table — the natural key and the columns it writes — instead of the whole one: it is
staged, checked and merged with those columns only. For a row whose natural key is already
there, the merge changes the columns the file writes and keeps the others; a row that is new
is added (its other columns empty), unless the file only updates rows
(:attr:`SourceSpec.update_only`, ``update: true`` in the mapping): then a row whose key is not
in the table is quarantined with the reason, at its line, so that it can be retried once the
rows it completes are imported. A closed-deals export (lead id, won date, deal value) so
completes the leads a lead export wrote.

The rows an import changes are kept whole in the history table, so ``undo`` restores exactly
what was there. All SQL is built from identifiers of the data model; values are data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from shakhes.data.model import TABLES, Column, ColumnType, Table
from shakhes.data.warehouse import DERIVED_IMPORT_ID, IMPORT_ID, Warehouse
from shakhes.imports.sources.base import SourceSpec
from shakhes.text import same_text

KEYS_STAGE = "_shakhes_import_keys"
UNKNOWN_KEY = "unknown_key"
"""The reason code of a row a file that only updates rows cannot update: its key is not there."""
ROW = "_row"


def written_table(spec: SourceSpec) -> Table:
    """The table an import of ``spec`` writes: the canonical table, or — for a layout that
    writes only some columns — the natural key and those columns. Its time column is the
    table's when written, else the first date column written (the import log's date range)."""
    table = TABLES[spec.table]
    if spec.writes is None:
        return table
    names = set(spec.writes) | set(table.natural_key)
    columns = tuple(c for c in table.columns if c.name in names)
    dates = [c.name for c in columns if c.type is ColumnType.DATE]
    time = table.time_column if table.time_column in names else (dates[0] if dates else "")
    return Table(table.name, table.meaning, table.grain, time, table.natural_key, columns)


def is_partial(table: Table) -> bool:
    """Whether ``table`` is a reduced table (see :func:`written_table`)."""
    return table.column_names != TABLES[table.name].column_names


def key_match(table: Table, left: str, right: str) -> str:
    return " AND ".join(
        f'{left}."{k}" IS NOT DISTINCT FROM {right}."{k}"' for k in table.natural_key
    )


def updatable(table: Table, alias: str = "t") -> str:
    """The SQL condition that a row of ``table`` (as ``alias``) may be updated by a file: any
    row but a customer worked out from the orders."""
    if table.name != "customers":
        return "true"
    return f"{alias}.{IMPORT_ID} IS DISTINCT FROM {DERIVED_IMPORT_ID}"


def reject_unknown_keys(
    warehouse: Warehouse,
    spec: SourceSpec,
    table: Table,
    out: dict[str, pa.Array],
    reject: Callable[[int, str | None, str | None, str, str], None],
) -> None:
    """For a file that only updates rows, reject each row whose natural key is not in the
    table (compared as the import will store it: Persian spellings aside)."""
    if not spec.update_only:
        return
    keys = list(table.natural_key)
    n = len(out[keys[0]])
    if n == 0:
        return
    row = Column(ROW, ColumnType.INTEGER, "row of the batch")
    columns = (*(table.column(k) for k in keys), row)
    probe = Table(KEYS_STAGE, "", "", keys[0], table.natural_key, columns)
    stage = warehouse.create_stage(KEYS_STAGE, probe)
    try:
        rows = pa.table({**{k: out[k] for k in keys}, ROW: pa.array(np.arange(n))})
        warehouse.append_stage(stage, probe, rows)
        with warehouse.transaction() as cur:
            cur.execute(
                f"SELECT k.{ROW} FROM {stage} AS k WHERE NOT EXISTS (SELECT 1 FROM "
                f'"{table.name}" AS t WHERE {key_match(table, "t", "k")} AND {updatable(table)})'
                f" ORDER BY 1"
            )
            missing = [int(r[0]) for r in cur.fetchall()]
    finally:
        warehouse.drop_stage(stage)
    if not missing:
        return
    values = {k: out[k].take(pa.array(missing)).to_pylist() for k in keys}
    spelled = _stored_spellings(warehouse, table, values)
    for j, i in enumerate(missing):
        key = tuple(values[k][j] for k in keys)
        if key in spelled:
            continue
        named = ", ".join(f"{k} '{v}'" for k, v in zip(keys, key, strict=True))
        reason = f"{named} is not in {table.name}: this file only updates rows already there" + (
            " (customers worked out from orders are not updated by files)"
            if table.name == "customers"
            else ""
        )
        reject(i, keys[0], None if key[0] is None else str(key[0]), reason, UNKNOWN_KEY)


def _stored_spellings(
    warehouse: Warehouse, table: Table, values: dict[str, list[Any]]
) -> set[tuple[Any, ...]]:
    """The keys among ``values`` that are in the table spelled differently (Arabic ي or ك,
    Persian digits, zero-width non-joiners): they match once the import writes them the way
    they are stored."""
    keys = list(values)
    texts = [tuple(values[k][j] for k in keys) for j in range(len(values[keys[0]]))]
    if not any(isinstance(v, str) and not v.isascii() for key in texts for v in key):
        return set()
    cols = ", ".join(f'"{k}"' for k in keys)
    with warehouse.transaction() as cur:
        cur.execute(f'SELECT DISTINCT {cols} FROM "{table.name}" AS t WHERE {updatable(table)}')
        stored = {_matchable(tuple(r)) for r in cur.fetchall()}
    return {key for key in texts if _matchable(key) in stored}


def _matchable(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(same_text(v) if isinstance(v, str) else v for v in key)


def column_changes(warehouse: Warehouse, stage: str, table: Table) -> tuple[tuple[str, int], ...]:
    """For a reduced table: per column written, how many rows already there get a different
    value from the staged rows (what an update changes). Empty for a whole table."""
    if not is_partial(table):
        return ()
    names = [c for c in table.column_names if c not in table.natural_key]
    if not names:
        return ()
    counts = ", ".join(
        f'coalesce(sum(CASE WHEN t."{c}" IS DISTINCT FROM s."{c}" THEN 1 ELSE 0 END), 0)'
        for c in names
    )
    with warehouse.transaction() as cur:
        cur.execute(
            f'SELECT {counts} FROM "{table.name}" AS t JOIN {stage} AS s ON '
            f"{key_match(table, 't', 's')} WHERE {updatable(table)}"
        )
        row = cur.fetchone()
    return tuple((c, int(n)) for c, n in zip(names, row, strict=True))
