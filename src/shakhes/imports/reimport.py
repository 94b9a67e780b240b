"""A file imported again: the options an import is recorded with, and what it takes to import
the same content again with other ones (every row the earlier import wrote is replaced).

Shared by every import path (the general one and GA4 BigQuery's), so that a file imported again
with another currency, account, mapping or encoding means the same whatever its format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shakhes.errors import DataError
from shakhes.imports.ledger import ImportRecord, Ledger, changed_options
from shakhes.imports.report import ImportOptions


@dataclass(frozen=True)
class Earlier:
    """The standing import of the same content into a table, and the options this import
    changes (name, then, now): none, it is the same import again (nothing to do); some, this
    one replaces every row that one wrote."""

    record: ImportRecord
    changed: tuple[tuple[str, str | None, str | None], ...]


def earlier_import(
    ledger: Ledger,
    table: str,
    sha256: str,
    recorded: dict[str, str | None],
    path: Path,
    options: ImportOptions,
) -> Earlier | None:
    """The earlier import of the same content (``sha256``) into ``table`` that an import with
    the ``recorded`` options (see :func:`recorded_options`) meets; None when there is none, or
    with ``replace_range`` (which replaces by date range instead). An error when this import
    would replace it but cannot (see :func:`refuse_reimport_over_replaced`)."""
    if options.replace_range:
        return None
    previous = ledger.same_file(table, sha256)
    if previous is None:
        return None
    changed = tuple(changed_options(previous, recorded))
    if changed:
        refuse_reimport_over_replaced(ledger, previous, changed, path, options)
    return Earlier(previous, changed)


def recorded_options(options: ImportOptions, source: str) -> dict[str, str | None]:
    """The options an import of ``source`` is recorded with (see
    :data:`shakhes.imports.ledger.OPTION_NAMES`)."""
    mapping = options.mapping
    return {
        "source": source,
        "currency": options.currency,
        "account": options.account,
        "mapping": file_digest(mapping) if mapping is not None else None,
        "encoding": options.encoding,
    }


def refuse_reimport_over_replaced(
    ledger: Ledger,
    previous: ImportRecord,
    changed: Sequence[tuple[str, str | None, str | None]],
    path: Path,
    options: ImportOptions,
) -> None:
    """Importing a file again with other options replaces every row its earlier import
    wrote. When that import itself replaced rows of others (an overlapping export, a file
    that completes rows), those would stay replaced under rows that are no longer there:
    the earlier import must be undone first, and the error says so (with the options, for
    the front-end to word the commands)."""
    kept = ledger.replaced_rows(previous)
    if not kept:
        return
    n = previous.import_id
    what = ", ".join(
        f"{name} {then or '(none)'} → {now or '(none)'}" for name, then, now in changed
    )
    o = options
    raise DataError(
        f"{path}: the same content was imported as #{n} with other options ({what}); "
        f"#{n} replaced {kept:,} row(s) of earlier imports, which importing it again would "
        f"leave replaced — undo #{n} first, then import the file again; nothing was written",
        hint=f"Undo import #{n}, then import the file again.",
        code="reimport_needs_undo",
        params={
            "import_id": n,
            "file": str(path),
            "source": None if o.source == "auto" else o.source,
            "currency": o.currency,
            "account": o.account,
            "mapping": str(o.mapping) if o.mapping else None,
            "encoding": o.encoding,
        },
    )


def file_digest(path: Path) -> str:
    """The SHA-256 of a small file (a mapping), for the import log."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return str(path)
