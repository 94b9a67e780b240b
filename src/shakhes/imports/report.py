"""What an import is asked to do (:class:`ImportOptions`), how far it has got (:class:`Step`)
and what it did (:class:`ImportReport`): the data every import path shares — the general one of
:mod:`shakhes.imports.pipeline` and the GA4 BigQuery one of :mod:`shakhes.imports.ga4_bigquery` —
kept below both, so that neither imports the other's module for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from shakhes.errors import Issue
from shakhes.imports.customers import DEFAULT_INACTIVITY_DAYS


def total_text(value: float) -> str:
    """A total as an import's report writes it: grouped, whole numbers (counts, rial amounts)
    without decimals, others with two.

    >>> total_text(1261097.0), total_text(2434.56), total_text(40.5)
    ('1,261,097', '2,434.56', '40.50')
    """
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


@dataclass(frozen=True)
class ImportOptions:
    source: str = "auto"
    mapping: Path | None = None
    dry_run: bool = False
    currency: str | None = None
    account: str | None = None
    replace_range: bool = False
    encoding: str | None = None
    actor: str = "unknown"
    strict: bool = False
    """All or nothing (``shakhes load``): any rejected row fails the whole import, listing every
    problem (up to :data:`shakhes.imports.strict.MAX_LISTED`), and nothing is written."""
    progress: Callable[[Step], None] | None = field(default=None, compare=False)
    """Called as the import goes on, for a progress bar (possibly from another thread)."""
    file_name: str | None = None
    """The file's name as the import log and the quarantine record it (default: its path); an
    upload's own name, not the temporary file the server wrote it to."""
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS
    """The workspace's inactivity window, for the customers worked out from orders."""


@dataclass(frozen=True)
class Step:
    """How far an import has got: its stage, and how much of it is done.

    Stages: ``reading`` (reading the file and checking each row), ``checking`` (the checks of
    the whole file: repeated keys, spellings), ``merging`` (writing into the table)."""

    phase: Literal["reading", "checking", "merging"]
    done: int | None
    """How much of the stage is done, in ``unit`` (None when it cannot be told)."""
    total: int | None
    """How much there is in all, in ``unit``: the file's size in bytes, or its rows when they
    are known beforehand (Parquet) or once read (checking, merging); None when not known."""
    rows: int = 0
    """Rows read so far (0 while DuckDB reads a canonical file: it does not say)."""
    unit: Literal["bytes", "rows"] = "bytes"


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    file: str
    source: str
    table: str
    rows_read: int
    accepted: int
    quarantined: int
    replaced: int
    removed: int
    summary_rows: int
    date_range: tuple[dt.date, dt.date] | None
    totals: dict[str, float]
    warnings: tuple[str, ...] = ()
    rejected: tuple[Issue, ...] = ()
    import_id: int | None = None
    dry_run: bool = False
    already_imported: int | None = None
    skipped: tuple[tuple[str, int], ...] = ()
    """Rows the layout says are not records (line-item continuations, cancelled orders)."""
    added_rows: int = 0
    """Rows that shared their natural key with another row of the file and were added
    together (see :mod:`shakhes.imports.repeated`)…"""
    added_into: int = 0
    """… into this many rows."""
    key_label: str = ""
    """The natural key in words (``campaign/ad group/ad/day``), for the report."""
    replaces: int | None = None
    """The import of the same file, with other options, whose rows this one replaces."""
    changed_options: tuple[tuple[str, str | None, str | None], ...] = ()
    """The options that differ from that import's: (name, then, now)."""
    changed: tuple[tuple[str, int], ...] = ()
    """For a file that writes only some columns: per column, the rows already there whose
    value it changes (would change, in a dry run)."""
    accounts: tuple[str, ...] = ()
    """The accounts of the rows it imports (would import), sorted; at most
    :data:`shakhes.imports.pipeline.importer.MAX_ACCOUNTS` of them."""
