"""One spelling per text value: a campaign written with Arabic letters, Persian digits or without
its zero-width non-joiner is the campaign already in the warehouse."""

from __future__ import annotations

from shakhes.data.model import ColumnType, Table
from shakhes.data.warehouse import IMPORT_ID, Warehouse
from shakhes.engine.compile import matchable_text

SPELLING_KEPT = frozenset({"platform", "channel", "currency"})
"""Text columns of a fixed vocabulary, checked as they are: no spelling is unified there."""


def unify_spellings(
    warehouse: Warehouse, rows: str, table: Table, in_place: int | None = None
) -> list[str]:
    """Write each text value the way it is already spelled: a campaign written with Arabic
    ي or ك, Persian digits or without its zero-width non-joiner is the campaign already in
    the warehouse (or, if it is new, the spelling most rows of the file use), so it is one
    campaign, and keeps the form it was first written in. Only non-ASCII values can differ
    this way, so only those are looked at. ``rows`` is the table the staged rows live in
    (the canonical table itself, as import ``in_place``, for a canonical CSV)."""
    wh = warehouse
    warnings: list[str] = []
    mine = "" if in_place is None else f" AND {IMPORT_ID} = {int(in_place)}"
    others = "" if in_place is None else f" AND {IMPORT_ID} IS DISTINCT FROM {int(in_place)}"
    non_ascii = (
        "strlen({c}) <> length({c})"
        if wh.dialect == "duckdb"
        else "octet_length({c}) <> char_length({c})"
    )
    texts = [
        c for c in table.columns if c.type is ColumnType.STRING and c.name not in SPELLING_KEPT
    ]
    # One pass finds the columns with any non-ASCII value at all (usually none).
    tests = [non_ascii.format(c=f'"{c.name}"') for c in texts]
    anywhere = ", ".join(f"coalesce(bool_or({test}), false)" for test in tests)
    with wh.transaction() as cur:
        cur.execute(f"SELECT {anywhere} FROM {rows} WHERE true{mine}")
        found = cur.fetchone()
    for col, has_any in zip(texts, found, strict=True):
        if not has_any:
            continue
        c = f'"{col.name}"'
        with wh.transaction() as cur:
            cur.execute(
                f"SELECT {c}, count(*) FROM {rows} WHERE {non_ascii.format(c=c)}{mine} GROUP BY {c}"
            )
            new = {str(v): int(n) for v, n in cur.fetchall()}
            if not new:
                continue
            cur.execute(
                f'SELECT DISTINCT {c} FROM "{table.name}" WHERE {non_ascii.format(c=c)}' + others
            )
            stored = sorted(str(v) for (v,) in cur.fetchall())
        chosen: dict[str, str] = {}
        for value in stored:
            chosen.setdefault(matchable_text(value), value)
        for value, _ in sorted(new.items(), key=lambda vn: (-vn[1], vn[0])):
            chosen.setdefault(matchable_text(value), value)
        changes = [(chosen[matchable_text(v)], v) for v in sorted(new)]
        changes = [(to, was) for to, was in changes if to != was]
        if not changes:
            continue
        with wh.transaction() as cur:
            for to, was in changes:
                cur.execute(wh.param(f"UPDATE {rows} SET {c} = ? WHERE {c} = ?{mine}"), [to, was])
        shown = "; ".join(f"'{was}' → '{to}'" for to, was in changes[:5])
        more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
        warnings.append(
            f"{col.name}: {len(changes)} value(s) spelled differently from the same "
            f"{col.name} elsewhere (Arabic letters, digits or zero-width non-joiners) were "
            f"written the way it is already spelled: {shown}{more}"
        )
    return warnings
