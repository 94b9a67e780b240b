"""Every code an import can give a rejected row, collected from the source: the codes of the
data model's declared rules, of the value parsers (a cell that does not read as its kind) and
of the file's and layout's own checks. tests/imports/test_reason_words.py checks that every place
that sets a row aside gives one of them; the Data page and the API's Persian errors word each."""

from __future__ import annotations

from typing import get_args

from shakhes.data.model import RULE_KINDS, TABLES
from shakhes.imports import partial, repeated
from shakhes.imports.pipeline import checks, rows
from shakhes.imports.sources.base import UNREADABLE, Kind


def _rule_codes() -> set[str]:
    declared = {rule.code for table in TABLES.values() for rule in table.rules}
    assert declared <= {kind.code for kind in RULE_KINDS}
    return {kind.code for kind in RULE_KINDS}


def _parser_codes() -> set[str]:
    assert set(UNREADABLE) == set(get_args(Kind))  # a code for every kind of cell
    return set(UNREADABLE.values())


def _layout_codes() -> set[str]:
    return {
        checks.EXTRA_CELLS,
        checks.NOT_CANONICAL,
        checks.NOT_DAILY,
        checks.MIXED_RESULTS,
        partial.UNKNOWN_KEY,
        repeated.HELD,
        rows.NUMBER_TOO_LARGE,
    }


ROW_CODES = _rule_codes() | _parser_codes() | _layout_codes()
