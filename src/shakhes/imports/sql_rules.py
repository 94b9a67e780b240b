"""The row rules of the data model (:attr:`shakhes.data.model.Table.rules`) as SQL conditions,
for the straight path of :mod:`shakhes.imports.fast`; the general way checks the same rules on
Arrow columns (:mod:`shakhes.imports.pipeline.checks`).

Each condition reads a row of the typed, trimmed cells of a canonical file (numbers as DOUBLE,
dates as DATE, yes/no and text as VARCHAR). Besides the rules, a few conditions send a row the
general way because it reads the cell otherwise: a Jalali date (a year before 1800), a number
that is not finite, a yes/no cell not written ``true`` or ``false``. Only identifiers and fixed
texts of the data model appear in the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from shakhes.data.model import (
    CURRENCY_CODE,
    AtLeast,
    Column,
    ColumnType,
    Matches,
    NotAbove,
    OneOf,
    Required,
    Rule,
    Table,
    WholeNumber,
)
from shakhes.errors import InternalError

BOOLEANS = "('true', 'false')"
"""How the canonical format writes yes and no."""
_USUAL: dict[str, tuple[str, ...]] = {
    CURRENCY_CODE: (
        "USD", "EUR", "GBP", "IRR", "IRT", "AED", "TRY", "SAR", "CAD", "AUD", "CHF", "JPY", "CNY",
        "INR", "RUB", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "KRW", "SGD", "HKD", "NZD", "ZAR",
    ),
}  # fmt: skip
"""Values most rows of a column of this shape hold: testing them is cheaper than the pattern
(only in :func:`all_good`, which may be conservative)."""


@dataclass(frozen=True)
class Check:
    """A condition true of a row the straight path does not take: one that fails ``rule``, or
    (``rule`` None) one whose cell the general way reads otherwise."""

    sql: str
    rule: Rule | None = None


def q(name: str) -> str:
    """``name`` as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _listed(values: tuple[str, ...]) -> str:
    return f"({', '.join(lit(v) for v in values)})"


def _applies(rule: Rule, header: list[str]) -> bool:
    return all(c in header for c in rule.columns)


def checks(table: Table, header: list[str]) -> list[Check]:
    """The conditions of every rule of ``table`` on the columns of ``header``, and those of
    the cells the general way reads otherwise."""
    present = [c for c in table.columns if c.name in header]
    found = [Check(cond) for col in present for cond in _reading(col)]
    found += [
        Check(_fails(rule, table.column(rule.column)), rule)
        for rule in table.rules
        if _applies(rule, header) and not (isinstance(rule, Required) and rule.blank_ok)
    ]
    return found


def _reading(col: Column) -> list[str]:
    """Cells the general way reads otherwise than the straight read."""
    c = q(col.name)
    if col.type is ColumnType.BOOLEAN:  # '1', 'yes', 'TRUE ' are read by the general way
        return [f"(trim({c}) <> '' AND lower(trim({c})) NOT IN {BOOLEANS})"]
    if col.type is ColumnType.DATE:
        return [f"year({c}) < 1800"]  # a Jalali date: the general way converts it
    if col.type.is_numeric:
        return [f"NOT isfinite({c})"]
    return []


def _fails(rule: Rule, col: Column) -> str:
    """The condition true of a row that fails ``rule`` (on ``col``, the column it blames)."""
    c = q(rule.column)
    if isinstance(rule, Required):
        if col.type is ColumnType.STRING:
            return f"({c} IS NULL OR {c} = '')"  # (the cells are trimmed already)
        if col.type is ColumnType.BOOLEAN:
            return f"({c} IS NULL OR trim({c}) = '')"
        return f"{c} IS NULL"
    if isinstance(rule, WholeNumber):
        return f"{c} <> floor({c})"
    if isinstance(rule, AtLeast):
        return f"{c} < {rule.minimum!r}"
    # (A vocabulary or a shape is a rule of the values there are: an empty cell is Required's.)
    if isinstance(rule, Matches):
        return f"({c} <> '' AND NOT regexp_full_match(trim({c}), {lit(rule.pattern)}))"
    if isinstance(rule, OneOf):
        return f"({c} <> '' AND trim({c}) NOT IN {_listed(rule.values)})"
    if isinstance(rule, NotAbove):
        return f"{c} > {q(rule.limit)}"
    raise InternalError(f"no SQL for the rule {type(rule).__name__}: add it here")


def all_good(table: Table, header: list[str]) -> str:
    """A test that is true only of rows every condition of :func:`checks` passes — cheaper than
    running them one by one (it sees the cells trimmed). Where it is false or null the row still
    goes through the checks, so it may be conservative but never lenient."""
    present = [c for c in table.columns if c.name in header]
    rules = [r for r in table.rules if _applies(r, header)]
    shaped = {r.column for r in rules if isinstance(r, OneOf | Matches)}
    parts: list[str] = []
    for rule in rules:
        c, col = q(rule.column), table.column(rule.column)
        if isinstance(rule, Required) and col.type is ColumnType.DATE:
            parts.append(f"year({c}) >= 1800")
        elif isinstance(rule, OneOf):
            parts.append(f"{c} IN {_listed(rule.values)}")
        elif isinstance(rule, Matches):
            usual = _USUAL.get(rule.pattern)
            parts.append(
                f"{c} IN {_listed(usual)}"
                if usual
                else f"regexp_full_match({c}, {lit(rule.pattern)})"
            )
        elif (
            isinstance(rule, Required)
            and col.type is ColumnType.STRING
            and not rule.blank_ok
            and rule.column not in shaped
        ):
            parts.append(f"{c} <> ''")  # the cells are trimmed already
        elif isinstance(rule, Required) and col.type is ColumnType.BOOLEAN:
            parts.append(f"{c} IN {BOOLEANS}")
    numbers = [c for c in present if c.type.is_numeric]
    required = [q(c.name) for c in numbers if c.required]
    if required:  # (a sum of them is not finite when one is null, infinite or not a number)
        parts.append(f"isfinite({' + '.join(required)})")
    parts += [f"({q(c.name)} IS NULL OR isfinite({q(c.name)}))" for c in numbers if not c.required]
    for rule in rules:
        c = q(rule.column)
        if isinstance(rule, WholeNumber):
            parts.append(f"coalesce({c} = floor({c}), true)")
        elif isinstance(rule, AtLeast):
            parts.append(f"coalesce({c} >= {rule.minimum!r}, true)")
        elif isinstance(rule, NotAbove):
            parts.append(f"NOT {c} > {q(rule.limit)}")
    return " AND ".join(parts) or "true"
