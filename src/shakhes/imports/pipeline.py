"""``shakhes import``: read a file, recognise its layout, parse and check every row, and merge
the good rows in one transaction, quarantining the rest.

Stages: sniff the file (format, encoding, delimiter) → find the header and the source layout
among the first rows → stream the rows in batches: map headers to canonical columns, parse
values, complete rows (constants, currency, account, channel), check them → stage accepted rows
in a temporary table → one transaction merges them by natural key and records the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.model import CHANNELS, ColumnType, Table
from shakhes.data.warehouse import IMPORT_ID, STAGE_LINE, Warehouse, arrow_schema
from shakhes.engine.compile import matchable_text
from shakhes.errors import DataError, Issue, nearest
from shakhes.imports import fast, ga4_bigquery, strict
from shakhes.imports import repeated as R
from shakhes.imports import values as V
from shakhes.imports.layout import (
    HEADER_SEARCH_ROWS,
    Layout,
    candidates,
    find_layout,
    has_day,
    is_comment,
    looks_like_header,
    preamble_range,
)
from shakhes.imports.ledger import ImportRecord, Ledger, Rejected, cell_names, changed_options
from shakhes.imports.mapping import load_mapping
from shakhes.imports.partial import (
    column_changes,
    reject_unknown_keys,
    updatable,
    written_table,
)
from shakhes.imports.readers import (
    Block,
    FileInfo,
    Fingerprint,
    ReadPosition,
    Row,
    fingerprint,
    iter_blocks,
    iter_rows,
    sniff,
)
from shakhes.imports.report import MAX_LISTED, ImportOptions, ImportReport, Step
from shakhes.imports.sources.base import Field, SourceSpec, header_key

__all__ = [
    "ImportOptions",
    "ImportReport",
    "Step",
    "at_fault",
    "import_file",
    "retry_quarantine",
]

NOT_SET = "(not set)"
STAGE = "_shakhes_import_stage"
SPELLING_KEPT = frozenset({"platform", "channel", "currency"})
"""Text columns of a fixed vocabulary, checked as they are: no spelling is unified there."""
BATCH_ROWS = 50_000
IMPORT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory budget while importing: beyond it the staged rows spill to disk, so a file of
any size imports in bounded memory (a 5 M-row, 420 MB CSV: 1.4 GB peak instead of 2.2 GB)."""
IMPORT_THREADS = 2 * (os.cpu_count() or 1)
"""DuckDB's threads while importing: twice the cores, since part of each thread's time is spent
waiting for the file and for writes (5 M-row canonical CSV on 2 cores: 4.4–4.8 s with 4 threads
against 4.8–5.0 s with 2, alternating runs)."""
MAX_REJECTED = 100_000
TOTAL_COLUMNS = (
    "impressions",
    "clicks",
    "cost",
    "conversions",
    "conversion_value",
    "revenue",
    "sessions",
    "key_events",
    "sent",
    "value",
)
"""Numeric columns whose totals an import reports, to tick against the platform's own."""


@dataclass
class _Totals:
    sums: dict[str, float] = field(default_factory=dict)
    lo: dt.date | None = None
    hi: dt.date | None = None
    rows: int = 0

    def add(self, rows: pa.Table, table: Table) -> None:
        self.rows += rows.num_rows
        for name in TOTAL_COLUMNS:
            if table.has_column(name) and rows.num_rows:
                value = pc.sum(rows.column(name)).as_py()
                self.sums[name] = self.sums.get(name, 0.0) + float(value or 0)
        if rows.num_rows and table.time_column in rows.column_names:
            dates = rows.column(table.time_column)
            lo, hi = pc.min(dates).as_py(), pc.max(dates).as_py()
            self.lo = lo if self.lo is None or lo < self.lo else self.lo
            self.hi = hi if self.hi is None or hi > self.hi else self.hi


class _Importer:
    def __init__(self, warehouse: Warehouse, path: Path, options: ImportOptions) -> None:
        self.warehouse = warehouse
        self.path = path
        self.options = options
        self.rejected: list[Issue] = []
        self.warnings: list[str] = []
        self.summary_rows: list[dict[str, str]] = []
        self.skipped: dict[str, int] = {}
        self.rows_read = 0
        self.stated_range: tuple[dt.date, dt.date] | None = None
        self.fingerprint: Future[Fingerprint] = Future()
        self.ascii_text = False
        """The straight read found no non-ASCII text (so no spelling to unify)."""
        self._layout: Layout | None = None
        self._rejected_keys: list[tuple[int, tuple[Any, ...]]] = []
        """Line and natural key of each quarantined row (layouts that add repeated rows)."""
        self._defaulted: set[str] = set()
        """Number columns the file lacks, filled with the layout's default."""
        self._unknown: dict[str, int] = {}
        """Optional number columns: accepted rows whose cell was empty or unknown."""
        self._decimal: str | None = None
        """The decimal separator of the file's number columns whose own values do not tell."""

    def run(self) -> ImportReport:
        # The file is checksummed by a thread while it is read (hashlib lets go of the GIL).
        with (
            self.warehouse.duckdb_settings(
                memory_limit=IMPORT_MEMORY_LIMIT, threads=IMPORT_THREADS
            ),
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            self.fingerprint = pool.submit(fingerprint, self.path)
            return self._run()

    def _run(self) -> ImportReport:
        info = sniff(self.path, encoding=self.options.encoding, checksum=False)
        position = ReadPosition()
        rows = iter_rows(info, position=position)
        head = _take(rows, HEADER_SEARCH_ROWS)
        specs = (
            [load_mapping(self.options.mapping).spec]
            if self.options.mapping
            else candidates(self.options.source)
        )
        layout = find_layout(self.path, head, specs)
        spec = layout.spec
        table = written_table(spec)  # the columns it writes: all, or some (partial.py)
        if self.options.strict:
            _refuse_unknown_columns(self.path, layout)
        if spec.preamble_date_range:
            self.stated_range = preamble_range(layout.preamble, spec.date_format)
        single_day = self._single_day(layout)
        body = _chain(head[len(layout.preamble) + 1 :], rows)
        if spec.comment_prefix is not None:
            body = self._one_table(body, layout)
        by_duckdb = (
            spec.name.startswith("canonical:")
            # An account given for the import overrides the file's: the general way does it.
            and self.options.account is None
            and all(layout.header[pos] == f.canonical for pos, f in layout.columns.items())
            and fast.usable(
                self.warehouse, info, layout.header_line, len(layout.preamble), layout.header
            )
        )
        if by_duckdb:
            try:
                return self._in_place(info, layout, table)
            except fast.NotClean:  # read it again, this time to collect every problem
                self.warnings, self.rows_read = [], 0
        stage = self.warehouse.create_stage(STAGE, table)
        totals = _Totals()
        records = fast.row_total(info)
        self._report(self._read_step(info, position, records, None))
        try:
            for batch in _batches(body, BATCH_ROWS):
                accepted = self._batch(batch, layout, table, single_day)
                self._report(self._read_step(info, position, records, batch))
                if accepted.num_rows:
                    self.warehouse.append_stage(stage, table, accepted)
                    totals.add(accepted, table)
            self._report(Step("checking", None, totals.rows, self.rows_read, "rows"))
            return self._finish(info, spec, table, stage, stage, totals, None)
        finally:
            self.warehouse.drop_stage(stage)

    def _in_place(self, info: FileInfo, layout: Layout, table: Table) -> ImportReport:
        """A clean canonical file, read by DuckDB straight into its table in one transaction
        with the rest of the import (see :mod:`shakhes.imports.fast`); :class:`fast.NotClean`
        (nothing left behind: the transaction is rolled back) when it is not clean."""
        wh = self.warehouse
        records = fast.row_total(info)
        unit: Literal["bytes", "rows"] = "rows" if records is not None else "bytes"
        total = records if records is not None else info.size
        try:
            with wh.transaction():
                import_id = Ledger(wh).next_id()
                self._report(Step("reading", None, total, 0, unit))
                with wh.query_progress(self._fast_progress(total, unit)):
                    fast.insert_in_place(wh, info, table, list(layout.header), import_id, STAGE)
                totals = self._stage_totals(STAGE, table)
                self.rows_read = totals.rows
                self._report(Step("reading", total, total, totals.rows, unit))
                self._report(Step("checking", None, totals.rows, totals.rows, "rows"))
                if info.format != "csv" or not self.fingerprint.result().ascii:
                    self.ascii_text = not fast.check_text(wh, table, import_id)
                report = self._finish(
                    info, layout.spec, table, STAGE, f'"{table.name}"', totals, import_id
                )
                if report.import_id is None:
                    raise _RollBack(report)
                return report
        except _RollBack as nothing_written:
            return nothing_written.report
        finally:
            fast.drop_view(wh, STAGE)

    def _finish(
        self,
        info: FileInfo,
        spec: SourceSpec,
        table: Table,
        stage: str,
        rows: str,
        totals: _Totals,
        in_place: int | None,
    ) -> ImportReport:
        """From the staged rows (``stage``; ``rows`` the table they live in; ``in_place`` the
        import id of rows already written into the canonical table) to the report: spellings,
        checks, then a dry run's preview, or the merge and the import record."""
        if in_place is None or not (self.fingerprint.result().ascii or self.ascii_text):
            self._unify_spellings(rows, table, in_place)
        added = self._repeated_keys(info, spec, stage, table)
        if added.changed:
            totals = self._stage_totals(stage, table)
        if self.options.strict and self.rejected:
            raise _all_problems(self.path, self.rejected)
        self._check_summary(totals)
        self._note_defaults_and_unknowns(table)
        date_range = (totals.lo, totals.hi) if totals.lo and totals.hi else None
        report = ImportReport(
            str(self.path),
            spec.name,
            table.name,
            self.rows_read,
            totals.rows,
            len(self.rejected),
            0,
            0,
            len(self.summary_rows),
            date_range,
            totals.sums,
            tuple(self.warnings),
            tuple(self.rejected[:MAX_REJECTED]),
            dry_run=self.options.dry_run,
            skipped=tuple(sorted(self.skipped.items())),
            added_rows=added.rows,
            added_into=added.into,
            key_label=self._key_label(table),
            changed=column_changes(self.warehouse, stage, table),
        )
        ledger = Ledger(self.warehouse, inactivity_days=self.options.inactivity_days)
        options = self._recorded_options(spec)
        previous = ledger.same_file(table.name, self.fingerprint.result().sha256)
        supersedes: int | None = None
        if previous is not None and not self.options.replace_range:
            changed = changed_options(previous, options)
            if not changed:
                return replace(report, already_imported=previous.import_id, accepted=0)
            self._refuse_reimport_over_replaced(ledger, previous, changed)
            supersedes = previous.import_id
            report = replace(report, replaces=supersedes, changed_options=tuple(changed))
        if self.options.dry_run:
            return self._preview(report, stage, table, in_place)
        self._report(Step("merging", None, totals.rows, self.rows_read, "rows"))
        record = ledger.commit(
            table=table,
            stage=stage,
            rejected=self.rejected[:MAX_REJECTED],
            file_name=str(self.path),
            sha256=self.fingerprint.result().sha256,
            source=spec.name,
            account=self.options.account,
            rows_read=self.rows_read,
            date_range=date_range,
            replace_range=self.options.replace_range,
            totals=totals.sums,
            actor=self.options.actor,
            in_place=in_place,
            options=options,
            supersedes=supersedes,
        )
        return _from_record(report, record)

    def _report(self, step: Step) -> None:
        if self.options.progress is not None:
            self.options.progress(step)

    def _fast_progress(
        self, total: int, unit: Literal["bytes", "rows"]
    ) -> Callable[[float], None] | None:
        """DuckDB's progress through the read (a fraction) as bytes or rows of the file (None
        while it says nothing)."""
        report = self.options.progress
        if report is None:
            return None
        # DuckDB says 0 until the end of a Parquet file it reads whole: that is "not known".
        return lambda fraction: report(
            Step("reading", int(fraction * total) if fraction > 0 else None, total, 0, unit)
        )

    def _read_step(
        self, info: FileInfo, position: ReadPosition, records: int | None, batch: Block | None
    ) -> Step:
        """How far the general way has read: by records where the file says how many it has
        (Parquet), else by bytes where they can be told (text files), else by rows alone."""
        if records is not None:  # the record number of the last row read
            last = batch.lines[len(batch) - 1].as_py() if batch is not None and len(batch) else 0
            return Step("reading", int(last), records, self.rows_read, "rows")
        done = position.bytes_read()
        if done is None and info.format == "xlsx":
            return Step("reading", self.rows_read, None, self.rows_read, "rows")
        return Step("reading", done or 0, info.size, self.rows_read)

    def _single_day(self, layout: Layout) -> dt.date | None:
        """The day of every row of a report without a day column whose preamble names a
        single day; a clear error for a report that covers several days in one row."""
        spec = layout.spec
        if "_day_offset" in {f.canonical for f in layout.columns.values()} and (
            self.stated_range is None
        ):
            raise DataError(
                f"{self.path}: the table counts days from the report's start ('Nth day') but "
                "no '# Start date:' line says which day that is",
                hint="Export the report again without removing its '#' lines.",
            )
        if has_day(spec, layout.header):
            return None
        if not spec.preamble_date_range:
            return None
        rng = self.stated_range
        if rng is not None and rng[0] == rng[1]:
            return rng[0]
        raise DataError(
            f"{self.path}: this report is not broken down by day (no Day column"
            + (f"; it covers {rng[0]} to {rng[1]}" if rng else "")
            + ")",
            hint=spec.daily_hint or "Export the report broken down by day.",
            code="not_daily",
        )

    def _one_table(self, body: Iterator[Row], layout: Layout) -> Iterator[Row]:
        """The rows of the table under the chosen header, in a file that stacks several tables
        (GA4): it ends at the next comment row or header; the other tables are skipped, and a
        warning names them."""
        spec = layout.spec
        others: list[int] = []
        after_comment = False
        for row in layout.preamble:
            if not is_comment(spec, row) and (after_comment or looks_like_header(spec, row)):
                others.append(row.line)
            after_comment = is_comment(spec, row)
        ended = after_comment = False
        for row in body:
            comment = is_comment(spec, row)
            if not ended and (comment or looks_like_header(spec, row)):
                ended = True
            if not ended:
                yield row
            elif not comment and (after_comment or looks_like_header(spec, row)):
                others.append(row.line)
            after_comment = comment
        if others:
            lines = ", ".join(str(n) for n in others)
            self.warnings.append(
                f"the file holds {len(others) + 1} tables: imported the one with its header on "
                f"line {layout.header_line}, skipped the one(s) on line(s) {lines}"
            )

    def _stage_totals(self, stage: str, table: Table) -> _Totals:
        """Totals and date range of the staged rows, computed in the warehouse."""
        names = [n for n in TOTAL_COLUMNS if table.has_column(n)]
        sums = ", ".join(f'coalesce(sum("{n}"), 0)' for n in names)
        time = f'"{table.time_column}"'
        with self.warehouse.transaction() as cur:
            cur.execute(
                f"SELECT min({time}), max({time}), count(*){', ' if sums else ''}{sums} "
                f"FROM {stage}"
            )
            row = cur.fetchone()
        totals = _Totals(rows=int(row[2]))
        if row[2]:
            totals.lo, totals.hi = row[0], row[1]
            totals.sums = {n: float(v) for n, v in zip(names, row[3:], strict=True)}
        return totals

    def _batch(
        self, batch: Block, layout: Layout, table: Table, single_day: dt.date | None
    ) -> pa.Table:
        spec = layout.spec
        self._layout = layout
        self.rows_read += len(batch)
        fields = {f.canonical: f for f in layout.columns.values()}
        records: list[dict[str, str]] | None = None
        if spec.prepare is not None or (spec.summary is not None and batch.ragged):
            # Row by row: the layout rewrites rows, or rows of different lengths are judged.
            records, kept = [], []
            for i, row in enumerate(batch.rows()):
                record = {
                    layout.columns[pos].canonical: cell
                    for pos, cell in enumerate(row.cells)
                    if pos in layout.columns
                }
                if spec.prepare is not None:
                    reason = spec.prepare(record)
                    if reason is not None:
                        self.skipped[reason] = self.skipped.get(reason, 0) + 1
                        continue
                if spec.summary is not None and spec.summary(record):
                    self.summary_rows.append(record)
                    continue
                records.append(record)
                kept.append(i)
            batch = batch.take(pa.array(kept, pa.int64()))
            texts = {
                name: pa.array([r.get(name, "") for r in records], pa.string()) for name in fields
            }
        else:
            width = len(batch.columns)
            texts = {
                f.canonical: pc.fill_null(batch.columns[pos], "")
                for pos, f in layout.columns.items()
                if pos < width
            }
            if spec.summary is not None:
                summary = _rule_holds(spec.summary, texts, len(batch))
                if summary.any():
                    for i in np.flatnonzero(summary).tolist():
                        self.summary_rows.append({k: v[i].as_py() for k, v in texts.items()})
                    others = pc.indices_nonzero(pa.array(~summary))
                    batch = batch.take(others)
                    texts = {name: text.take(others) for name, text in texts.items()}
            for name in fields:
                if name not in texts:
                    texts[name] = _constant("", len(batch), pa.string())
        if spec.rewrite is not None:  # a mapping's value maps, defaults, one column to several
            texts, fields = spec.rewrite(texts, fields)
        n = len(batch)
        if n == 0:
            return pa.table(
                {c: pa.array([], arrow_schema(table).field(c).type) for c in table.column_names}
            )

        def cell(i: int, name: str) -> str:
            """The text of row ``i``'s ``name`` cell, as read."""
            if records is not None:
                return records[i].get(name, "")
            return texts[name][i].as_py() if name in texts else ""

        bad: dict[int, list[tuple[str | None, str | None, str]]] = {}

        def reject(i: int, column: str | None, value: str | None, reason: str) -> None:
            problems = bad.setdefault(i, [])
            if all(column is None or column != c for c, _, _ in problems):
                problems.append((column, value, reason))

        width = len(layout.header)
        for extra in batch.columns[width:]:
            filled = pc.fill_null(
                pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(extra)), 0), False
            )
            for i in pc.indices_nonzero(filled).to_pylist():
                reject(
                    i,
                    None,
                    None,
                    f"the row has more cells than the header's {width} (an unquoted comma in a "
                    "value, or a comma as thousands separator? quote such values)",
                )

        if self._decimal is None:
            self._decimal = _file_decimal(spec, fields, texts)
        columns: dict[str, pa.Array] = {}
        for name, f in fields.items():
            parsed = _parse(f, texts[name], spec, self.stated_range, self._decimal)
            if parsed.error_count():
                where = pc.indices_nonzero(pc.is_valid(parsed.errors))
                for i, reason in zip(
                    where.to_pylist(), parsed.errors.take(where).to_pylist(), strict=True
                ):
                    reject(i, name, cell(i, name), reason)
            values = parsed.values
            if name in spec.multiply:
                values = pc.multiply(values.cast(pa.float64()), spec.multiply[name])
            if (
                table.has_column(name)
                and table.column(name).type is ColumnType.INTEGER
                and pa.types.is_floating(values.type)
            ):
                fraction = pc.fill_null(pc.not_equal(pc.floor(values), values), False)
                for i in pc.indices_nonzero(fraction).to_pylist():
                    reject(i, name, cell(i, name), "not a whole number")
                values = pc.if_else(fraction, None, values)
            columns[name] = values
        if self.options.strict:
            # After the parsers (whose reason, where a cell does not parse, comes first): cells
            # that parse, but are not written in the canonical format.
            for name, f in fields.items():
                errors = strict.problems(f.kind, name, texts[name])
                where = pc.indices_nonzero(pc.is_valid(errors))
                for i, reason in zip(
                    where.to_pylist(), errors.take(where).to_pylist(), strict=True
                ):
                    reject(i, name, cell(i, name), reason)
        out = self._complete(columns, n, layout, table, single_day, reject, cell)
        result = pa.table({c: out[c] for c in table.column_names}, schema=arrow_schema(table))
        result = result.append_column(STAGE_LINE, batch.lines)
        if bad:
            order = sorted(bad)
            for i, row in zip(order, batch.take(pa.array(order, pa.int64())).rows(), strict=True):
                raw = dict(zip(layout.header, row.cells, strict=False))
                # A load lists every problem of a row, unless its cells are shifted (more cells
                # than the header): then the others follow from that one.
                whole = [p for p in bad[i] if p[0] is None]
                problems = (whole or bad[i]) if self.options.strict else bad[i][:1]
                self.rejected += [Rejected(row.line, *problem, raw) for problem in problems]
                if spec.repeated_keys == "add":
                    self._keep_key(table, out, i, row.line)
            keep = np.ones(n, dtype=bool)
            keep[order] = False
            result = result.filter(pa.array(keep))
        canonical = spec.name.startswith("canonical:")  # there, empty is the format's null
        for col in table.columns:
            if col.type.is_numeric and not col.required and col.name in fields and not canonical:
                unknown = result.column(col.name).null_count
                if unknown:
                    self._unknown[col.name] = self._unknown.get(col.name, 0) + unknown
        return result

    def _keep_key(self, table: Table, out: dict[str, pa.Array], i: int, line: int) -> None:
        """Remember the natural key of quarantined row ``i`` (when it has one), so that rows of
        the file that share it are quarantined with it (see :mod:`shakhes.imports.repeated`)."""
        key = tuple(out[k][i].as_py() for k in table.natural_key)
        required = [table.column(k).required for k in table.natural_key]
        if all(v is not None for v, needed in zip(key, required, strict=True) if needed):
            self._rejected_keys.append((line, key))

    def _complete(
        self,
        columns: dict[str, pa.Array],
        n: int,
        layout: Layout,
        table: Table,
        single_day: dt.date | None,
        reject: Any,
        cell: Callable[[int, str], str],
    ) -> dict[str, pa.Array]:
        spec, options = layout.spec, self.options
        schema = arrow_schema(table)
        out: dict[str, pa.Array] = {}
        for col in table.columns:
            arrow_type = schema.field(col.name).type
            value: pa.Array | None = columns.get(col.name)
            if col.name in spec.constants:
                value = _constant(spec.constants[col.name], n, pa.string())
            elif col.name == "currency":
                value = self._currency(value, n, layout)
            elif col.name == "account" and options.account:
                value = _constant(options.account, n, pa.string())
            elif col.name == "channel" and value is None and spec.channel_rules:
                campaigns = out.get("campaign", columns.get("campaign"))
                value = _per_value(campaigns, n, lambda c: _channel_of(spec, c or ""))
            elif col.name == "channel" and value is None and spec.channel_by is not None:
                source_col, mapping = spec.channel_by
                kinds = columns.get(source_col)
                value = _per_value(kinds, n, _kind_channel(mapping))
            elif value is None and (derived := _derive(spec, col.name, out, columns)) is not None:
                value = derived
            elif (
                value is None
                and col.name in spec.copies
                and (copied := out.get(spec.copies[col.name], columns.get(spec.copies[col.name])))
                is not None
            ):
                value = copied
            elif col.name == table.time_column and value is None and single_day is not None:
                value = _constant(single_day, n, pa.date32())
            if col.name in spec.defaults:
                # A default fills a column the file does not have; in a column it has, an
                # empty number cell is unknown (not 0), while an empty name is "(not set)".
                default = spec.defaults[col.name]
                if value is None:
                    fill: Any = float(default) if col.type.is_numeric else default
                    value = _constant(fill, n, arrow_type)
                    if col.type.is_numeric:
                        self._defaulted.add(col.name)
                elif not col.type.is_numeric:
                    value = pc.fill_null(value.cast(arrow_type), default)
            if value is None:
                if col.required:
                    raise DataError(
                        f"{self.path}: the file has no '{col.name}' column and the "
                        f"{spec.title} layout cannot supply one",
                        hint=f"Map it in a mapping file (columns: or constants: {col.name}: …).",
                        code="no_account" if col.name == "account" else "column_not_supplied",
                        params={"column": col.name, "layout": spec.name},
                    )
                value = pa.nulls(n, arrow_type)
            value = value.cast(arrow_type)
            if col.required:
                for i in pc.indices_nonzero(pc.is_null(value)).to_pylist():
                    reject(i, col.name, cell(i, col.name), _missing(col.type.is_numeric))
            out[col.name] = value
        self._check_rules(out, columns, table, reject, cell)
        reject_unknown_keys(self.warehouse, spec, table, out, reject)
        return out

    def _currency(self, value: pa.Array | None, n: int, layout: Layout) -> pa.Array:
        given = self.options.currency or layout.spec.currency or layout.currency_from_headers
        if value is not None and given:
            value = pc.fill_null(value, given)
        elif value is None and given:
            value = _constant(given, n, pa.string())
        if value is None:
            raise DataError(
                f"{self.path}: the file does not say which currency its amounts are in",
                hint="Give the currency of its amounts (an ISO code: USD, EUR, IRR for rial, "
                "IRT for toman).",
                code="no_currency",
            )
        return value if self.options.strict else pc.utf8_upper(value)

    def _check_rules(
        self,
        out: dict[str, pa.Array],
        parsed: dict[str, pa.Array],
        table: Table,
        reject: Any,
        cell: Callable[[int, str], str],
    ) -> None:
        def flag(mask: pa.Array, column: str, reason: str) -> None:
            for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
                reject(i, column, cell(i, column), reason)

        for col in table.columns:
            if col.type.is_numeric:
                flag(pc.less(out[col.name], 0), col.name, f"{col.name} is negative")
        if table.has_column("currency"):
            code = pc.match_substring_regex(out["currency"], r"^[A-Z]{3}$")
            flag(pc.invert(code), "currency", "not a 3-letter ISO currency code (USD, EUR, IRR…)")
        if table.has_column("clicks") and table.has_column("impressions"):
            flag(
                pc.greater(out["clicks"], out["impressions"]),
                "clicks",
                "more clicks than impressions",
            )
        if table.has_column("engaged_sessions"):
            flag(
                pc.greater(out["engaged_sessions"], out["sessions"]),
                "engaged_sessions",
                "more engaged sessions than sessions",
            )
        if table.has_column("channel"):
            channel = out["channel"]
            unknown = pc.and_(
                pc.invert(pc.is_in(channel, pa.array(list(CHANNELS)))), pc.is_valid(channel)
            )
            for i in pc.indices_nonzero(unknown).to_pylist():  # (a missing one: flagged above)
                value = channel[i].as_py()
                hint = nearest(value, CHANNELS)
                reject(
                    i,
                    "channel",
                    value,
                    "unknown channel" + (f" — did you mean '{hint}'?" if hint else ""),
                )
        if "_date_end" in parsed and table.has_column("date"):
            differs = pc.not_equal(parsed["_date_end"], out["date"])
            how = self._layout.spec.daily_hint if self._layout else None
            flag(
                differs,
                "date",
                "not a daily row (the report period is longer than a day)"
                + (f": {how[0].lower()}{how[1:]}" if how else ""),
            )
        if "_result_indicator" in parsed:
            indicators = parsed["_result_indicator"]
            counts = pc.value_counts(pc.drop_null(indicators)).to_pylist()
            if len(counts) > 1:
                main = max(counts, key=lambda c: c["counts"])["values"]
                flag(
                    pc.not_equal(indicators, main),
                    "conversions",
                    f"Results count a different action than the rest of the file ({main}); "
                    "export one objective per file",
                )

    def _unify_spellings(self, rows: str, table: Table, in_place: int | None = None) -> None:
        """Write each text value the way it is already spelled: a campaign written with Arabic
        ي or ك, Persian digits or without its zero-width non-joiner is the campaign already in
        the warehouse (or, if it is new, the spelling most rows of the file use), so it is one
        campaign, and keeps the form it was first written in. Only non-ASCII values can differ
        this way, so only those are looked at. ``rows`` is the table the staged rows live in
        (the canonical table itself, as import ``in_place``, for a canonical CSV)."""
        wh = self.warehouse
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
                    f"SELECT {c}, count(*) FROM {rows} WHERE {non_ascii.format(c=c)}{mine} "
                    f"GROUP BY {c}"
                )
                new = {str(v): int(n) for v, n in cur.fetchall()}
                if not new:
                    continue
                cur.execute(
                    f'SELECT DISTINCT {c} FROM "{table.name}" WHERE {non_ascii.format(c=c)}'
                    + others
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
                    cur.execute(
                        wh.param(f"UPDATE {rows} SET {c} = ? WHERE {c} = ?{mine}"), [to, was]
                    )
            shown = "; ".join(f"'{was}' → '{to}'" for to, was in changes[:5])
            more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
            self.warnings.append(
                f"{col.name}: {len(changes)} value(s) spelled differently from the same "
                f"{col.name} elsewhere (Arabic letters, digits or zero-width non-joiners) were "
                f"written the way it is already spelled: {shown}{more}"
            )

    def _repeated_keys(self, info: FileInfo, spec: SourceSpec, stage: str, table: Table) -> R.Added:
        """Rows of the file that share a natural key: added together where the layout says
        they are different items with one name (quarantining those that cannot be added),
        else the file is refused. See :mod:`shakhes.imports.repeated`."""
        wh = self.warehouse
        if spec.repeated_keys == "add" and not self.options.strict:
            label = self._key_label(table)
            added = R.add_repeated(wh, stage, table, label, self._rejected_keys)
            if added.held:
                raw = _raw_rows(info, self._layout, {h.line for h in added.held})
                self.rejected += [
                    Rejected(h.line, None, None, h.reason, raw.get(h.line, {})) for h in added.held
                ]
                self.rejected.sort(key=lambda r: r.line or 0)
            return added
        extra = R.repeated_rows(wh, stage, table)
        if extra:
            raise DataError(
                f"{self.path}: {extra} row(s) repeat the natural key "
                f"({', '.join(table.natural_key)}) of another row in the file",
                hint=f"Each row must be one {table.grain}; export with the matching breakdown, "
                "or merge the repeated rows first.",
                code="repeated_keys",
                params={"rows": extra, "key": list(table.natural_key)},
            )
        return R.Added()

    def _key_label(self, table: Table) -> str:
        """The natural key in words, of the key columns the file has."""
        if self._layout is None:
            return R.key_label(table, set(table.natural_key))
        spec = self._layout.spec
        present = {f.canonical for f in self._layout.columns.values()}
        present |= {name for name, source in spec.copies.items() if source in present}
        return R.key_label(table, present)

    def _recorded_options(self, spec: SourceSpec) -> dict[str, str | None]:
        """The options this import is recorded with (see :data:`ledger.OPTION_NAMES`)."""
        mapping = self.options.mapping
        return {
            "source": spec.name,
            "currency": self.options.currency,
            "account": self.options.account,
            "mapping": _file_digest(mapping) if mapping is not None else None,
            "encoding": self.options.encoding,
        }

    def _refuse_reimport_over_replaced(
        self,
        ledger: Ledger,
        previous: ImportRecord,
        changed: Sequence[tuple[str, str | None, str | None]],
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
        o = self.options
        raise DataError(
            f"{self.path}: the same content was imported as #{n} with other options ({what}); "
            f"#{n} replaced {kept:,} row(s) of earlier imports, which importing it again would "
            f"leave replaced — undo #{n} first, then import the file again; nothing was written",
            hint=f"Undo import #{n}, then import the file again.",
            code="reimport_needs_undo",
            params={
                "import_id": n,
                "file": str(self.path),
                "source": None if o.source == "auto" else o.source,
                "currency": o.currency,
                "account": o.account,
                "mapping": str(o.mapping) if o.mapping else None,
                "encoding": o.encoding,
            },
        )

    def _note_defaults_and_unknowns(self, table: Table) -> None:
        """Warnings for number columns the file lacks (filled with the layout's default) and
        for optional ones with empty cells (stored as unknown)."""
        for name in sorted(self._defaulted):
            self.warnings.append(
                f"the file has no {name.replace('_', ' ')} column: {name} recorded as 0 for "
                "every row (KPIs that read it will count 0); export the column and import the "
                "file again to replace them"
            )
        for name, count in sorted(self._unknown.items()):
            self.warnings.append(
                f"{name}: {count:,} row(s) have no value in the file; stored as unknown, not 0"
            )

    def _check_summary(self, totals: _Totals) -> None:
        if not self.summary_rows:
            return
        first = self.summary_rows[0]
        for name in ("impressions", "clicks", "cost"):
            if name not in first or name not in totals.sums:
                continue
            parsed = V.parse_numbers(pa.array([first[name]])).values[0].as_py()
            if parsed is None:
                continue
            mine = totals.sums[name]
            if abs(mine - parsed) > max(0.005 * abs(parsed), 0.01):
                self.warnings.append(
                    f"the file's own total row says {name} = {parsed:,.2f} but the imported "
                    f"rows add up to {mine:,.2f}"
                    + (f" ({len(self.rejected)} row(s) were quarantined)" if self.rejected else "")
                )

    def _preview(
        self, report: ImportReport, stage: str, table: Table, in_place: int | None
    ) -> ImportReport:
        match = " AND ".join(f't."{k}" IS NOT DISTINCT FROM s."{k}"' for k in table.natural_key)
        others = "" if in_place is None else f"t.{IMPORT_ID} IS DISTINCT FROM {int(in_place)} AND "
        superseded = (
            "" if report.replaces is None else f"t.{IMPORT_ID} = {int(report.replaces)} OR "
        )
        with self.warehouse.transaction() as cur:
            cur.execute(
                f'SELECT count(*) FROM "{table.name}" AS t WHERE {others}{updatable(table)} AND '
                f"({superseded}EXISTS (SELECT 1 FROM {stage} AS s WHERE {match}))"
            )
            replaced = int(cur.fetchone()[0])
        return replace(report, replaced=replaced)


class _RollBack(Exception):
    """Leave an import's transaction without writing anything (a dry run, a file already
    imported), with the report to return."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.file)
        self.report = report


def _refuse_unknown_columns(path: Path, layout: Layout) -> None:
    """A strict import takes no column it cannot place: a misspelt optional column would
    otherwise be left out without a word."""
    known = [h for f in layout.spec.fields for h in f.headers]
    unknown = [h for h in layout.header if h.strip() and not layout.spec.knows(h)]
    if unknown:
        issues = [
            Issue(
                "unknown column",
                code="unknown_column",
                file=str(path),
                line=layout.header_line,
                column=h,
                suggestion=nearest(h, known),
            )
            for h in unknown
        ]
        named = "; ".join(
            f"'{i.column}'" + (f" — did you mean '{i.suggestion}'?" if i.suggestion else "")
            for i in issues
        )
        raise DataError(
            f"{path}, line {layout.header_line}: unknown column(s) for {layout.spec.title}: "
            f"{named}; nothing was loaded",
            hint="Rename or remove them (docs/data-model.md lists the columns).",
            code="unknown_columns",
            issues=issues,
        )


def at_fault(r: Issue) -> str:
    """``column 'x': value 'y' — `` of a rejected row, or nothing when no one cell is at fault."""
    return "" if r.column is None else f"column '{r.column}': value '{r.value}' — "


def _all_problems(path: Path, rejected: Sequence[Issue]) -> DataError:
    """The error of a strict import: every problem's line, column, value and reason (several
    per row when a row has several)."""
    lines = [f"  {path.name}:{r.line}: {at_fault(r)}{r.message}" for r in rejected[:MAX_LISTED]]
    if len(rejected) > MAX_LISTED:
        lines.append(f"  … and {len(rejected) - MAX_LISTED} more")
    return DataError(
        f"{path}: {len(rejected)} problem(s); nothing was loaded:\n" + "\n".join(lines),
        hint="Fix the file and load it again.",
        code="load_problems",
        issues=[
            Issue(r.message, file=path.name, line=r.line, column=r.column, value=r.value)
            for r in rejected
        ],
    )


def _missing(numeric: bool) -> str:
    """Why a row without a required value is quarantined."""
    if numeric:
        return (
            "unknown (an empty or NA cell is not read as 0): write the number, 0 if there "
            "was none, and import the row again"
        )
    return "missing required value"


def _file_digest(path: Path) -> str:
    """The SHA-256 of a small file (a mapping), for the import log."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return str(path)


def _raw_rows(info: FileInfo, layout: Layout | None, lines: set[int]) -> dict[int, dict[str, str]]:
    """The cells of the file's rows on ``lines`` (read again: rows the import quarantines
    after staging), by header."""
    found: dict[int, dict[str, str]] = {}
    if layout is None or not lines:
        return found
    for row in iter_rows(info):
        if row.line in lines:
            found[row.line] = dict(zip(layout.header, row.cells, strict=False))
            if len(found) == len(lines):
                break
    return found


def _file_decimal(
    spec: SourceSpec, fields: Mapping[str, Field], texts: Mapping[str, pa.Array]
) -> str:
    """The decimal separator the file's number columns prove, all together: the one a column
    whose own values settle nothing (``1.204`` impressions) is read with — a German export's
    ``123,48`` cost says that its ``1.204`` is one thousand two hundred and four."""
    if spec.decimal is not None:
        return spec.decimal
    votes = {".": 0, ",": 0}
    for name, f in fields.items():
        if f.kind in ("number", "percent"):
            for sep, count in V.decimal_votes(texts[name]).items():
                votes[sep] += count
    return "," if votes[","] > votes["."] else "."


def _parse(
    f: Field,
    text: pa.Array,
    spec: SourceSpec,
    stated: tuple[dt.date, dt.date] | None = None,
    default_decimal: str = ".",
) -> V.Parsed:
    if f.canonical == "_day_offset":
        # GA4's "Nth day": days since the start date of the preamble.
        base = stated[0] if stated else None
        return V.parse_dates(text, date_format=spec.date_format, day_offset_base=base)
    zeros = frozenset(spec.zero.get(f.canonical, ()))
    if f.kind == "number":
        return V.parse_numbers(
            text, decimal=spec.decimal, default_decimal=default_decimal, zero_spellings=zeros
        )
    if f.kind == "percent":
        return V.parse_numbers(
            text, percent_as_fraction=True, default_decimal=default_decimal, zero_spellings=zeros
        )
    if f.kind == "date":
        return V.parse_dates(text, date_format=spec.date_format)
    if f.kind == "id":
        return V.parse_integers_as_ids(text)
    if f.kind == "bool":
        return V.parse_booleans(text)
    return V.parse_text(text)


def _channel_of(spec: SourceSpec, campaign: str) -> str:
    for pattern, channel in spec.channel_rules:
        if pattern is None or pattern.search(campaign):
            return channel
    return "other"


def _derive(
    spec: SourceSpec, name: str, out: dict[str, pa.Array], columns: dict[str, pa.Array]
) -> pa.Array | None:
    """``name`` computed by the layout's ``derived`` rules from the first column it has."""
    for source, fn in spec.derived.get(name, ()):
        base = out.get(source, columns.get(source))
        if base is not None:
            return _per_value(base.cast(pa.string()), len(base), _null_kept(fn))
    return None


def _kind_channel(mapping: Mapping[str, str]) -> Callable[[str | None], str]:
    """The channel of a campaign type, by ``channel_by``."""
    return lambda kind: mapping.get(header_key(kind or ""), "other")


def _null_kept(fn: Callable[[str], str | None]) -> Callable[[str | None], str | None]:
    return lambda text: None if text is None else fn(text)


def _per_value(values: pa.Array | None, n: int, fn: Callable[[Any], str | None]) -> pa.Array:
    """``fn`` of each of the ``n`` values (None where one is null, and everywhere when there is
    no column), as text, calling it once per distinct value."""
    if values is None:
        return _constant(fn(None), n, pa.string())
    encoded = values.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    results = pa.array([fn(v) for v in distinct] + [fn(None)], pa.string())
    return results.take(pc.fill_null(encoded.indices, len(distinct)))


def _constant(value: Any, n: int, type_: pa.DataType) -> pa.Array:
    """``value`` ``n`` times, converted as ``pa.array([value], type_)`` converts it."""
    return pa.repeat(pa.array([value], type_)[0], n)


class _NeedsCell(BaseException):
    """A rule read a cell that :class:`_Probe` does not know (not an ``Exception``, so that a
    rule's own ``except Exception`` cannot swallow it)."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Probe(Mapping[str, str]):
    """A record whose keys are known but only some of its cells: reading another raises
    :class:`_NeedsCell`."""

    def __init__(self, names: Sequence[str], known: dict[str, str]) -> None:
        self._names, self._known = names, known

    def __getitem__(self, key: str) -> str:
        if key in self._known:
            return self._known[key]
        if key in self._names:
            raise _NeedsCell(key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _rule_holds(
    rule: Callable[[Mapping[str, str]], bool], texts: dict[str, pa.Array], n: int
) -> npt.NDArray[np.bool_]:
    """``rule(record)`` for each of the ``n`` rows, the record of row ``i`` mapping each name of
    ``texts`` (in order) to ``texts[name][i]`` (no nulls).

    A rule is a function of the cells it reads, and a total-row rule reads one cell first (the
    first cell, or the date) and for almost every row needs no other: so it is asked once per
    distinct value of that cell, with a record that knows only that cell, and row by row only for
    the values where it reads another cell too.
    """
    names = list(texts)
    try:
        same: npt.NDArray[np.bool_] = np.full(n, bool(rule(_Probe(names, {}))))
        return same
    except _NeedsCell as needs:
        first = needs.name
    encoded = texts[first].dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    holds = np.zeros(len(distinct), dtype=bool)
    by_row = np.zeros(len(distinct), dtype=bool)
    if len(distinct) * 4 > n:  # so many values that asking per row costs about the same
        by_row[:] = True
    else:
        for j, value in enumerate(distinct):
            try:
                holds[j] = bool(rule(_Probe(names, {first: value})))
            except _NeedsCell:
                by_row[j] = True
    indices = encoded.indices.to_numpy()
    result: npt.NDArray[np.bool_] = holds[indices]
    rows = np.flatnonzero(by_row[indices])
    if len(rows):
        picked = pa.array(rows)
        cells = zip(*(texts[name].take(picked).to_pylist() for name in names), strict=True)
        for i, values in zip(rows.tolist(), cells, strict=True):
            result[i] = bool(rule(dict(zip(names, values, strict=True))))
    return result


def _take(rows: Iterator[Row], n: int) -> list[Row]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


class _Chain(Iterator[Row]):
    """The rows ``first``, then ``rest``."""

    def __init__(self, first: Sequence[Row], rest: Iterator[Row]) -> None:
        self.first, self.rest = list(first), rest

    def __next__(self) -> Row:
        return self.first.pop(0) if self.first else next(self.rest)


def _chain(first: Sequence[Row], rest: Iterator[Row]) -> Iterator[Row]:
    return _Chain(first, rest)


def _batches(rows: Iterator[Row], size: int) -> Iterator[Block]:
    """``rows`` in blocks of ``size`` rows (the last may be shorter): read by Arrow, where the file
    is a CSV file that lets it (see :func:`iter_blocks`)."""
    if isinstance(rows, _Chain):
        first, rows.first = rows.first, []
        return iter_blocks(rows.rest, size, first=first)
    return iter_blocks(rows, size)


def _from_record(report: ImportReport, record: ImportRecord) -> ImportReport:
    return replace(
        report,
        accepted=record.accepted,
        replaced=record.replaced,
        removed=record.removed,
        import_id=record.import_id,
    )


def import_file(warehouse: Warehouse, path: Path, options: ImportOptions) -> ImportReport:
    """Import one file into the warehouse; see the module docstring for the stages."""

    if options.source == ga4_bigquery.SOURCE or (
        options.source == "auto"
        and options.mapping is None
        and ga4_bigquery.detect(path, options.encoding)
    ):
        return ga4_bigquery.import_ga4_bigquery(warehouse, path, options)
    return _Importer(warehouse, path, options).run()


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
    header = cell_names(rows)
    path = folder / f"quarantine-{import_id}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for *_, raw in rows:
            writer.writerow([raw.get(h, "") for h in header])
    source = options.source if options.source != "auto" or options.mapping else record.source
    report = import_file(warehouse, path, replace(options, source=source))
    failed = {r.line for r in report.rejected}
    resolved = [row[2] for i, row in enumerate(rows) if i + 2 not in failed]
    if report.import_id is not None and not report.dry_run:
        ledger.mark_resolved(import_id, resolved, report.import_id)
    return report, (len(resolved) if report.import_id is not None else 0)
