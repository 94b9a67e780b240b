"""``shakhes import``: read a file, recognise its layout, parse and check every row, and merge
the good rows in one transaction, quarantining the rest.

Stages: sniff the file (format, encoding, delimiter) → find the header and the source layout
among the first rows → stream the rows in batches: map headers to canonical columns, parse
values, complete rows (constants, currency, account, channel), check them → stage accepted rows
in a temporary table → one transaction merges them by natural key and records the import.
:func:`read_ahead` (what ``shakhes import`` uses) runs the stages up to the staging before the
write turn, into a database of the import's own, so that the turn holds the merge only.

Where they live: :mod:`.importer` runs them (and hands a clean canonical file to the straight
way of :mod:`shakhes.imports.fast`), :mod:`.body` gives the rows under the header,
:mod:`.rows` reads and checks each batch (:mod:`.probe` asks a layout's summary-row rule),
:mod:`.spellings` unifies the spellings of the text values. A GA4 BigQuery export goes to
:mod:`shakhes.imports.ga4_bigquery` instead.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports import ga4_bigquery
from shakhes.imports.ledger import Ledger, cell_names
from shakhes.imports.pipeline.importer import Importer
from shakhes.imports.report import ImportOptions, ImportReport, Step
from shakhes.imports.strict import at_fault

__all__ = [
    "ImportOptions",
    "ImportReport",
    "Step",
    "at_fault",
    "import_file",
    "read_ahead",
    "retry_quarantine",
]


def import_file(warehouse: Warehouse, path: Path, options: ImportOptions) -> ImportReport:
    """Import one file into the warehouse; see the module docstring for the stages."""
    if options.source == ga4_bigquery.SOURCE or (
        options.source == "auto"
        and options.mapping is None
        and ga4_bigquery.detect(path, options.encoding)
    ):
        return ga4_bigquery.import_ga4_bigquery(warehouse, path, options)
    return Importer(warehouse, path, options).run()


@contextmanager
def read_ahead(path: Path, options: ImportOptions) -> Iterator[Callable[[Warehouse], ImportReport]]:
    """Read, parse and check the file's rows ahead of the import, into a private DuckDB
    database in a temporary folder (removed after the block), without the warehouse: yields
    the function that finishes the import in a warehouse, to call in its write turn (it
    copies the staged rows in, checks them against what the warehouse holds then, and merges
    them in one transaction). A file that needs its warehouse while it is read (a GA4
    BigQuery export, a clean canonical file read in place, a layout that only updates rows)
    is read whole by that function, as :func:`import_file` does."""
    if options.source == ga4_bigquery.SOURCE or (
        options.source == "auto"
        and options.mapping is None
        and ga4_bigquery.detect(path, options.encoding)
    ):
        yield lambda warehouse: import_file(warehouse, path, options)
        return
    with tempfile.TemporaryDirectory(prefix="shakhes-import-") as folder:
        staged = Path(folder) / "stage.duckdb"
        private = Warehouse.connect(f"duckdb:///{staged}")
        try:
            importer = Importer(private, path, options)
            ahead = importer.read_ahead()
        finally:
            private.close()
        if ahead:
            yield lambda warehouse: importer.finish_in(warehouse, staged)
        else:
            yield lambda warehouse: Importer(warehouse, path, options).run()


def retry_quarantine(
    warehouse: Warehouse, import_id: int, options: ImportOptions, folder: Path
) -> tuple[ImportReport, int]:
    """Import again the rows import ``import_id`` quarantined (after a fix: a mapping, a
    currency, an account), through the same layout unless ``options`` names another. Returns
    the new import's report and how many quarantined rows it resolved."""
    ledger = Ledger(warehouse)
    record = ledger.get(import_id)
    rows = ledger.quarantine(import_id)
    if not rows:
        raise DataError(f"import #{import_id} has no unresolved quarantined rows")
    header = cell_names(r.row for r in rows)
    path = folder / f"quarantine-{import_id}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for kept in rows:
            writer.writerow([kept.row.get(h, "") for h in header])
    source = options.source if options.source != "auto" or options.mapping else record.source
    # The log names the retried rows by their file, not the temporary CSV they were put in.
    name = options.file_name or f"{Path(record.file_name).name} (quarantine of #{import_id})"
    report = import_file(warehouse, path, replace(options, source=source, file_name=name))
    failed = {r.line for r in report.rejected}
    resolved = [kept.line for i, kept in enumerate(rows) if i + 2 not in failed]
    if report.import_id is not None and not report.dry_run:
        ledger.mark_resolved(import_id, resolved, report.import_id)
    return report, (len(resolved) if report.import_id is not None else 0)
