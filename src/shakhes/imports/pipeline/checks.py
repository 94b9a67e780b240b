"""The row rules the data model declares (:attr:`shakhes.data.model.Table.rules`), checked on a
batch's Arrow columns: the general way's side of them. :mod:`shakhes.imports.fast` checks the
same rules in SQL, so that a row is refused the same way whichever way its file goes.

A rule is blamed on its column, with its code and reason; :class:`~shakhes.data.model.OneOf`
adds a "did you mean" to the reason, :class:`~shakhes.data.model.Required` and
:class:`~shakhes.data.model.WholeNumber` are checked where a column is completed or parsed
(:mod:`shakhes.imports.pipeline.rows`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.model import AtLeast, Matches, NotAbove, OneOf, Rule, Table
from shakhes.errors import nearest

EXTRA_CELLS = "extra_cells"
NOT_CANONICAL = "not_canonical"
NOT_DAILY = "not_daily"
MIXED_RESULTS = "mixed_results"
"""Reason codes of the refusals that are not rules of the data model but of a file or layout:
a row with more cells than the header, a cell not in the canonical format (``shakhes load``),
a row of a report that is not daily, a Meta export whose results count different actions."""


class Reject(Protocol):
    """Set row ``i`` of a batch aside: the column and value at fault (None when no one cell
    is), why, and the reason code."""

    def __call__(
        self, i: int, column: str | None, value: str | None, reason: str, code: str
    ) -> None: ...


def check_rows(
    table: Table, out: Mapping[str, pa.Array], reject: Reject, cell: Callable[[int, str], str]
) -> None:
    """Check the completed columns ``out`` against the rules of ``table`` on values (minimum,
    shape, vocabulary, one column not above another), in the order the table lists them."""
    for rule in table.rules:
        if isinstance(rule, OneOf):
            values = out[rule.column]
            unknown = pc.and_(
                pc.invert(pc.is_in(values, pa.array(list(rule.values)))), pc.is_valid(values)
            )
            hints: dict[str, str | None] = {}  # one lookup per distinct value, not per row
            for i in pc.indices_nonzero(unknown).to_pylist():  # (a missing one: Required's)
                value = values[i].as_py()
                if value not in hints:
                    hints[value] = nearest(value, rule.values)
                hint = hints[value]
                reason = rule.reason() + (f" — did you mean '{hint}'?" if hint else "")
                reject(i, rule.column, value, reason, rule.code)
            continue
        mask = _failing(rule, out)
        if mask is not None:
            for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
                reject(i, rule.column, cell(i, rule.column), rule.reason(), rule.code)


def _failing(rule: Rule, out: Mapping[str, pa.Array]) -> pa.Array | None:
    """Which rows fail ``rule`` (null where a value it reads is missing: those pass), or None
    for a rule not checked here."""
    if isinstance(rule, AtLeast):
        return pc.less(out[rule.column], rule.minimum)
    if isinstance(rule, Matches):
        return pc.invert(pc.match_substring_regex(out[rule.column], f"^(?:{rule.pattern})$"))
    if isinstance(rule, NotAbove):
        return pc.greater(out[rule.column], out[rule.limit])
    return None
