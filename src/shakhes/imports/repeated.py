"""Rows of one file that share a natural key.

In a platform export such rows are different things with one name: TikTok and Meta let two
ads in one ad group carry the same name, a Google Ads report without campaign ids can hold two
campaigns called alike. The export lists each, and the platform's own total includes all of
them. Layouts whose ``repeated_keys`` is ``add`` have such rows **added together** into one row
(every additive column summed), so the file's total is the sum of what is imported, as the
platform shows it. They are quarantined instead when:

- a column that cannot be added differs between them: a non-additive count (reach: two ads
  reach overlapping people), a currency, a channel, a campaign name;
- one row of the key was quarantined for another reason: the others wait with it, so that when
  it is fixed and imported again (``quarantine retry``) they are added together again, rather
  than the fixed row replacing the rest by natural key.

Layouts whose ``repeated_keys`` is ``refuse`` (canonical files, shop exports) refuse the file
instead: there, a repeated key is a mistake (an orders export repeating each order on its item
rows would be counted twice).

Everything runs as SQL on the staged rows (``_line`` is each staged row's line in the file);
only identifiers of the data model reach the SQL text, values travel as parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shakhes.data.model import Additivity, ColumnType, Table
from shakhes.data.warehouse import STAGE_LINE as LINE
from shakhes.data.warehouse import Warehouse

HELD = "repeated_key"
"""The reason code of a row held back with the others of its natural key."""
_REPEATED = "_shakhes_repeated_keys"
_HELD = "_shakhes_held_keys"
_SUMMED = "_shakhes_summed_rows"
_KEY_WORDS = {
    "account": "account",
    "campaign_id": "campaign",
    "campaign": "campaign",
    "ad_group": "ad group",
    "ad": "ad",
    "source": "source",
    "medium": "medium",
    "device": "device",
    "order_id": "order",
    "date": "day",
}


@dataclass(frozen=True)
class Held:
    """A row moved from the stage to the quarantine, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class Added:
    """What :func:`add_repeated` did."""

    rows: int = 0
    """Rows that shared their key with another row and were added together…"""
    into: int = 0
    """… into this many rows."""
    held: tuple[Held, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.held)


def _q(name: str) -> str:
    return '"' + name + '"'


def key_label(table: Table, present: set[str]) -> str:
    """The natural key in words, of the key columns the file itself has:
    ``campaign/ad group/ad/day``."""
    words: list[str] = []
    order = [c for c in table.natural_key if c != table.time_column] + [table.time_column]
    for name in order:
        word = _KEY_WORDS.get(name, name.replace("_", " "))
        if name in present and word not in words:
            words.append(word)
    return "/".join(words) or "/".join(table.natural_key)


def repeated_rows(wh: Warehouse, stage: str, table: Table) -> int:
    """How many staged rows repeat the natural key of another staged row."""
    keys = ", ".join(_q(k) for k in table.natural_key)
    # GROUP BY (not count(DISTINCT …)) so that a stage larger than memory can spill. On DuckDB
    # one 64-bit hash of the key is grouped first (a third faster); only if two rows share a
    # hash are the keys themselves compared.
    groupings = [keys] if wh.dialect != "duckdb" else [f"hash({keys})", keys]
    extra = 0
    with wh.transaction() as cur:
        for grouping in groupings:
            cur.execute(
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {stage} "
                f"GROUP BY {grouping} HAVING count(*) > 1) AS repeated"
            )
            extra = int(cur.fetchone()[0] or 0)
            if not extra:
                break
    return extra


def add_repeated(
    wh: Warehouse,
    stage: str,
    table: Table,
    label: str,
    rejected: Sequence[tuple[int, tuple[Any, ...]]] = (),
) -> Added:
    """Add together the staged rows that share a natural key, in place in ``stage``; quarantine
    (remove from the stage, and return as :class:`Held`) those that cannot be added, and those
    that share a key with a ``rejected`` row (its line and its natural-key values)."""
    held: list[Held] = []
    if rejected:
        held += _hold_with_rejected(wh, stage, table, label, rejected)
    if not repeated_rows(wh, stage, table):
        return Added(held=tuple(held))
    match = " AND ".join(f"s.{_q(k)} IS NOT DISTINCT FROM r.{_q(k)}" for k in table.natural_key)
    keys = ", ".join(_q(k) for k in table.natural_key)
    cases = " ".join(
        f"WHEN count(DISTINCT {_q(c)}) > 1 OR (count({_q(c)}) > 0 AND count({_q(c)}) < count(*)) "
        f"THEN '{c}'"
        for c in _must_agree(table)
    )
    differs = f"CASE {cases} END" if cases else "CAST(NULL AS VARCHAR)"
    try:
        with wh.transaction() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_REPEATED}")
            cur.execute(
                f"CREATE TEMPORARY TABLE {_REPEATED} AS SELECT {keys}, {differs} AS differs "
                f"FROM {stage} GROUP BY {keys} HAVING count(*) > 1"
            )
            cur.execute(
                f"SELECT r.differs, s.{LINE}, {', '.join(f's.{_q(k)}' for k in table.natural_key)}"
                f" FROM {stage} AS s JOIN {_REPEATED} AS r ON {match} "
                f"WHERE r.differs IS NOT NULL ORDER BY s.{LINE}"
            )
            groups: dict[tuple[Any, ...], list[tuple[str, int]]] = {}
            for column, line, *key in cur.fetchall():
                groups.setdefault(tuple(key), []).append((str(column), int(line)))
            for members in groups.values():
                column = members[0][0]
                lines = [line for _, line in members]
                for line in lines:
                    others = ", ".join(str(n) for n in lines if n != line)
                    held.append(Held(line, _differs_reason(column, others, label)))
            cur.execute(
                f"DELETE FROM {stage} AS s WHERE EXISTS (SELECT 1 FROM {_REPEATED} AS r "
                f"WHERE {match} AND r.differs IS NOT NULL)"
            )
            added = f"EXISTS (SELECT 1 FROM {_REPEATED} AS r WHERE {match} AND r.differs IS NULL)"
            cur.execute(f"SELECT count(*) FROM {stage} AS s WHERE {added}")
            rows = int(cur.fetchone()[0])
            cur.execute(f"DROP TABLE IF EXISTS {_SUMMED}")
            aggregates = ", ".join(
                f"{_aggregate(table, c.name)} AS {_q(c.name)}" for c in table.columns
            )
            cur.execute(
                f"CREATE TEMPORARY TABLE {_SUMMED} AS SELECT {aggregates}, min({LINE}) AS {LINE} "
                f"FROM {stage} AS s WHERE {added} GROUP BY {keys}"
            )
            cur.execute(f"SELECT count(*) FROM {_SUMMED}")
            into = int(cur.fetchone()[0])
            cur.execute(f"DELETE FROM {stage} AS s WHERE {added}")
            cols = ", ".join([*(_q(c) for c in table.column_names), LINE])
            cur.execute(f"INSERT INTO {stage} ({cols}) SELECT {cols} FROM {_SUMMED}")
    finally:
        with wh.transaction() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_REPEATED}")
            cur.execute(f"DROP TABLE IF EXISTS {_SUMMED}")
    return Added(rows, into, tuple(sorted(held, key=lambda h: h.line)))


def _must_agree(table: Table) -> list[str]:
    """Columns outside the natural key that rows must agree on to be added together: the
    dimensions, and the counts that are not additive."""
    return [
        c.name
        for c in table.columns
        if c.name not in table.natural_key
        and (not c.type.is_numeric or c.additivity is Additivity.NON_ADDITIVE)
    ]


def _aggregate(table: Table, name: str) -> str:
    column = table.column(name)
    if name in table.natural_key:
        return _q(name)
    if column.type.is_numeric and column.additivity is Additivity.ADDITIVE:
        return f"sum({_q(name)})"
    if column.type is ColumnType.BOOLEAN:
        return f"bool_and({_q(name)})"
    return f"min({_q(name)})"  # the rows agree on it


def _differs_reason(column: str, others: str, label: str) -> str:
    why = {
        "reach": "reach cannot be added up (people reached by two ads overlap)",
        "users": "users cannot be added up (the same people)",
        "currency": "amounts in different currencies cannot be added up",
    }.get(column, f"they cannot be added up while their {column.replace('_', ' ')} differs")
    return (
        f"shares its {label} with line(s) {others} — rows that share it are added together, "
        f"but {why}; fix them to one row and import them again"
    )


def _hold_with_rejected(
    wh: Warehouse,
    stage: str,
    table: Table,
    label: str,
    rejected: Sequence[tuple[int, tuple[Any, ...]]],
) -> list[Held]:
    """Move the staged rows that share a key with a rejected row to the quarantine."""
    key = table.natural_key
    columns = ", ".join(f"{_q(k)} {table.column(k).type.sql_type}" for k in key)
    names = ", ".join(_q(k) for k in key)
    match = " AND ".join(f"s.{_q(k)} IS NOT DISTINCT FROM h.{_q(k)}" for k in key)
    marks = ", ".join("?" for _ in range(len(key) + 1))
    held: list[Held] = []
    try:
        with wh.transaction() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_HELD}")
            cur.execute(f"CREATE TEMPORARY TABLE {_HELD} ({columns}, line BIGINT)")
            cur.executemany(
                wh.param(f"INSERT INTO {_HELD} ({names}, line) VALUES ({marks})"),
                [[*values, line] for line, values in rejected],
            )
            cur.execute(
                f"SELECT s.{LINE}, min(h.line) FROM {stage} AS s JOIN {_HELD} AS h ON {match} "
                f"GROUP BY s.{LINE} ORDER BY s.{LINE}"
            )
            for line, bad in cur.fetchall():
                held.append(
                    Held(
                        int(line),
                        f"shares its {label} with line {int(bad)}, which was quarantined — rows "
                        "that share it are added together, so this one waits with it: fix line "
                        f"{int(bad)} and import both again",
                    )
                )
            cur.execute(
                f"DELETE FROM {stage} AS s WHERE EXISTS (SELECT 1 FROM {_HELD} AS h WHERE {match})"
            )
    finally:
        with wh.transaction() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {_HELD}")
    return held
