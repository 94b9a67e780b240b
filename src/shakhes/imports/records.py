"""The import log's records: what an import was (:class:`ImportRecord`, with the options it was
made with), what a commit writes (:class:`Commit`), what an undo did, and a quarantined row
(:func:`Rejected`) and one as the quarantine keeps it (:class:`Kept`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shakhes.data.model import Table
from shakhes.errors import Issue

RECORD_COLUMNS = (
    "import_id",
    "table_name",
    "file_name",
    "sha256",
    "source",
    "account",
    "rows_read",
    "accepted",
    "quarantined",
    "replaced",
    "removed",
    "date_from",
    "date_to",
    "replace_range",
    "totals",
    "actor",
    "imported_at",
    "undone_at",
    "options",
)
OPTION_NAMES = ("source", "currency", "account", "mapping", "encoding")
"""The options an import records (:attr:`ImportRecord.options`): the ones that change what a
file's rows become. A file imported again with other ones replaces what it wrote before."""


NO_CODE = "quarantined"
"""The code of a quarantined row whose problem's own code is not known: a row kept before rows
kept their code, whose reason is not one of the fixed texts its code was worked out from."""


def Rejected(
    line: int,
    column: str | None,
    value: str | None,
    reason: str,
    row: Mapping[str, str] | None = None,
    code: str = NO_CODE,
) -> Issue:
    """One quarantined row as an :class:`~shakhes.errors.Issue`: where it was (line, column,
    value), what was wrong (``message``, and ``code``: the rule of the data model it fails, see
    :attr:`shakhes.data.model.Rule.code`, or another reason's code), and the row itself
    (``row``)."""
    return Issue(reason, code=code, line=line, column=column, value=value, row=row or {})


class Kept(NamedTuple):
    """A quarantined row as the quarantine keeps it (what ``Ledger.quarantine`` lists)."""

    import_id: int
    file_name: str
    line: int
    column: str | None
    value: str | None
    reason: str
    row: dict[str, str]
    """Its cells as read, header → text."""
    code: str | None
    """The reason's code (see :func:`Rejected`); null for a row kept before rows kept their
    code whose reason is not one of the fixed texts
    (:data:`~shakhes.data.warehouse.OLD_REASON_CODES`)."""


@dataclass(frozen=True)
class ImportRecord:
    import_id: int
    table_name: str
    file_name: str
    sha256: str
    source: str
    account: str | None
    rows_read: int
    accepted: int
    quarantined: int
    replaced: int
    removed: int
    date_from: dt.date | None
    date_to: dt.date | None
    replace_range: bool
    totals: dict[str, float]
    actor: str
    imported_at: dt.datetime
    undone_at: dt.datetime | None
    options: dict[str, str | None] = field(default_factory=dict)
    """The options it was imported with (see :data:`OPTION_NAMES`); empty for imports
    recorded before options were."""


def changed_options(
    before: ImportRecord, now: dict[str, str | None]
) -> list[tuple[str, str | None, str | None]]:
    """The options of ``now`` that differ from those ``before`` was imported with: (name, then,
    now). An import recorded without its options is compared on its source and account."""
    then: dict[str, str | None] = dict(before.options) or {
        "source": before.source,
        "account": before.account,
    }
    return [
        (name, then.get(name), now.get(name))
        for name in OPTION_NAMES
        if name in then and then.get(name) != now.get(name)
    ]


@dataclass(frozen=True)
class Commit:
    """One table's part of an import: its staged rows and what the import log records."""

    table: Table
    stage: str
    rejected: Sequence[Issue]
    file_name: str
    sha256: str
    source: str
    account: str | None
    rows_read: int
    date_range: tuple[dt.date, dt.date] | None
    replace_range: bool
    totals: dict[str, float]
    actor: str
    in_place: int | None = None
    """The import id of rows already written into the table (``stage`` is a view of them):
    they are not copied again, and nothing they replace is taken for one of them."""
    options: dict[str, str | None] = field(default_factory=dict)
    supersedes: int | None = None
    """An import of the same file with other options: every row it wrote is replaced (kept in
    the history table, as any replaced row, so that undoing this import brings them back)."""


@dataclass(frozen=True)
class UndoResult:
    import_id: int
    deleted: int
    restored: int
    together: tuple[int, ...] = ()
    """The other imports of the same transaction, undone with it (``deleted`` and ``restored``
    count their rows too)."""


def record_of(row: tuple[Any, ...]) -> ImportRecord:
    data = dict(zip(RECORD_COLUMNS, row, strict=True))
    data["totals"] = json.loads(data["totals"])
    data["options"] = json.loads(data["options"]) if data["options"] else {}
    for name in ("date_from", "date_to"):
        value = data[name]
        if isinstance(value, dt.datetime):
            data[name] = value.date()
    return ImportRecord(**data)


def cell_names(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """The column names of quarantined rows' cells (:attr:`Kept.row`), in first-seen order:
    the header to write them back out under."""
    names: dict[str, None] = {}
    for raw in rows:
        names.update(dict.fromkeys(raw))
    return list(names)
