"""The general way of :func:`~shakhes.imports.pipeline.import_file`, stage by stage (see the
package docstring); a clean canonical file goes the straight way of :mod:`shakhes.imports.fast`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.model import Table
from shakhes.data.warehouse import IMPORT_ID, STAGE_LINE, Warehouse
from shakhes.errors import DataError, InternalError
from shakhes.imports import fast
from shakhes.imports import repeated as R
from shakhes.imports import values as V
from shakhes.imports.layout import (
    HEADER_SEARCH_ROWS,
    Layout,
    candidates,
    find_layout,
    preamble_range,
)
from shakhes.imports.ledger import ImportRecord, Ledger, Rejected
from shakhes.imports.mapping import load_mapping
from shakhes.imports.partial import column_changes, updatable, written_table
from shakhes.imports.pipeline.body import batches, chain, one_table, raw_rows, single_day, take
from shakhes.imports.pipeline.rows import RowReader
from shakhes.imports.pipeline.spellings import unify_spellings
from shakhes.imports.readers import (
    Block,
    FileInfo,
    Fingerprint,
    ReadPosition,
    fingerprint,
    iter_rows,
    sniff,
)
from shakhes.imports.reimport import earlier_import, recorded_options
from shakhes.imports.report import ImportOptions, ImportReport, Step, total_text
from shakhes.imports.sources.base import SourceSpec
from shakhes.imports.strict import all_problems, refuse_unknown_columns

STAGE = "_shakhes_import_stage"
AHEAD = "_shakhes_import_ahead"
"""The name under which the merge attaches the database an import read its file into."""
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
MAX_ACCOUNTS = 50
"""Accounts an import's report names at most."""


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


_Staged = tuple[FileInfo, SourceSpec, Table, _Totals]
"""A file read into the stage: what the rest of the import needs of the read."""


class Importer:
    """One file imported the general way (or, when it is a clean canonical file, the straight
    way); :meth:`run` gives its report."""

    def __init__(self, warehouse: Warehouse, path: Path, options: ImportOptions) -> None:
        self.warehouse = warehouse
        self.path = path
        self.options = options
        self.reader = RowReader(warehouse, path, options)
        """The row stage of the general way, with the rows it sets aside (none on the straight
        way: a file that has any goes the general way)."""
        self.warnings: list[str] = []
        self.rows_read = 0
        self.stated_range: tuple[dt.date, dt.date] | None = None
        self.fingerprint: Future[Fingerprint] = Future()
        self.ascii_text = False
        """The straight read found no non-ASCII text (so no spelling to unify)."""
        self._layout: Layout | None = None
        """The layout of the rows read the general way (None on the straight way)."""
        self._ahead: _Staged | None = None
        """What :meth:`read_ahead` staged."""

    def run(self) -> ImportReport:
        with (
            self.warehouse.duckdb_settings(
                memory_limit=IMPORT_MEMORY_LIMIT, threads=IMPORT_THREADS
            ),
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            return self._run(pool)

    def read_ahead(self) -> bool:
        """Read, parse and check the file's rows into the stage of :attr:`warehouse` (a private
        database of the import's own, outside any turn on the workspace's warehouse), for
        :meth:`finish_in` to merge; False, having staged nothing, for a file that has to be
        read in the warehouse it goes into (:meth:`run` there): a clean canonical file (read
        in place) or a layout that only updates rows already there."""
        with (
            self.warehouse.duckdb_settings(
                memory_limit=IMPORT_MEMORY_LIMIT, threads=IMPORT_THREADS
            ),
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            staged = self._read(pool, ahead=True)
            if not isinstance(staged, tuple):
                return False
            self._ahead = staged
            self.fingerprint.result()
            return True

    def finish_in(self, warehouse: Warehouse, staged: Path) -> ImportReport:
        """Merge the rows :meth:`read_ahead` staged (in the DuckDB file ``staged``, closed)
        into ``warehouse``, in its write turn: the rows are copied into a stage of
        ``warehouse``, then checked against what it holds now (the file already imported, the
        rows it replaces, spellings) and merged in one transaction with the import record."""
        if self._ahead is None:
            raise InternalError("finish_in before read_ahead staged the file")
        info, spec, table, totals = self._ahead
        self.warehouse = warehouse
        with warehouse.duckdb_settings(memory_limit=IMPORT_MEMORY_LIMIT, threads=IMPORT_THREADS):
            stage = warehouse.create_stage(STAGE, table)
            try:
                _copy_stage(staged, warehouse, stage, table)
                return self._finish(info, spec, table, stage, stage, totals, None)
            finally:
                warehouse.drop_stage(stage)

    def _run(self, pool: ThreadPoolExecutor) -> ImportReport:
        staged = self._read(pool, ahead=False)
        if isinstance(staged, ImportReport):
            return staged
        if staged is None:
            raise InternalError("a file read in its warehouse was not staged")
        info, spec, table, totals = staged
        try:
            return self._finish(info, spec, table, STAGE, STAGE, totals, None)
        finally:
            self.warehouse.drop_stage(STAGE)

    def _read(self, pool: ThreadPoolExecutor, *, ahead: bool) -> _Staged | ImportReport | None:
        """The general way's read into the stage :data:`STAGE` of :attr:`warehouse` (or, not
        ``ahead``, the report of a clean canonical file read in place); None when ``ahead``
        (reading into a private database) and the file needs its warehouse."""
        info = sniff(self.path, encoding=self.options.encoding, checksum=False)
        position = ReadPosition()
        rows = iter_rows(info, position=position)
        head = take(rows, HEADER_SEARCH_ROWS)
        specs = (
            [load_mapping(self.options.mapping).spec]
            if self.options.mapping
            else candidates(self.options.source)
        )
        layout = find_layout(self.path, head, specs)
        spec = layout.spec
        table = written_table(spec)  # the columns it writes: all, or some (partial.py)
        if self.options.strict:
            refuse_unknown_columns(self.path, layout)
        if spec.preamble_date_range:
            self.stated_range = preamble_range(layout.preamble, spec.date_format)
        if ahead and spec.update_only:  # its rows are checked against the table's
            return None
        the_day = single_day(self.path, layout, self.stated_range)
        body = chain(head[len(layout.preamble) + 1 :], rows)
        if spec.comment_prefix is not None:
            body = one_table(body, layout, lambda warning: self.warnings.append(warning))
        by_duckdb = (
            spec.name.startswith("canonical:")
            # An account given for the import overrides the file's: the general way does it.
            and self.options.account is None
            and all(layout.header[pos] == f.canonical for pos, f in layout.columns.items())
            and fast.usable(
                self.warehouse, info, layout.header_line, len(layout.preamble), layout.header
            )
        )
        if ahead and by_duckdb:
            return None
        # The file is checksummed by a thread while it is read (hashlib lets go of the GIL).
        self.fingerprint = pool.submit(fingerprint, self.path)
        if by_duckdb:
            try:
                return self._in_place(info, layout, table)
            except fast.NotClean:  # read it again, this time to collect every problem
                self.warnings, self.rows_read = [], 0
        stage = self.warehouse.create_stage(STAGE, table, temporary=not ahead)
        totals = _Totals()
        records = fast.row_total(info)
        self._report(self._read_step(info, position, records, None))
        try:
            for batch in batches(body, BATCH_ROWS):
                self._layout = layout
                self.rows_read += len(batch)
                accepted = self.reader.read(batch, layout, table, the_day, self.stated_range)
                self._report(self._read_step(info, position, records, batch))
                if accepted.num_rows:
                    self.warehouse.append_stage(stage, table, accepted)
                    totals.add(accepted, table)
        except BaseException:
            self.warehouse.drop_stage(stage)
            raise
        self._report(Step("checking", None, totals.rows, self.rows_read, "rows"))
        return info, spec, table, totals

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
            self.warnings += unify_spellings(self.warehouse, rows, table, in_place)
        added = self._repeated_keys(info, spec, stage, table)
        if added.changed:
            totals = self._stage_totals(stage, table)
        if self.options.strict and self.reader.rejected:
            raise all_problems(self.path, self.reader.rejected)
        self._check_summary(totals)
        self._note_defaults_and_unknowns(table)
        date_range = (totals.lo, totals.hi) if totals.lo and totals.hi else None
        report = ImportReport(
            self.options.file_name or str(self.path),
            spec.name,
            table.name,
            self.rows_read,
            totals.rows,
            len(self.reader.rejected),
            0,
            0,
            len(self.reader.summary_rows),
            date_range,
            totals.sums,
            tuple(self.warnings),
            tuple(self.reader.rejected[:MAX_REJECTED]),
            dry_run=self.options.dry_run,
            skipped=tuple(sorted(self.reader.skipped.items())),
            added_rows=added.rows,
            added_into=added.into,
            key_label=self._key_label(table),
            changed=column_changes(self.warehouse, stage, table),
            accounts=self._accounts(stage, table),
        )
        ledger = Ledger(self.warehouse, inactivity_days=self.options.inactivity_days)
        options = recorded_options(self.options, spec.name)
        sha256 = self.fingerprint.result().sha256
        earlier = earlier_import(ledger, table.name, sha256, options, self.path, self.options)
        supersedes: int | None = None
        if earlier is not None:
            if not earlier.changed:
                return replace(report, already_imported=earlier.record.import_id, accepted=0)
            supersedes = earlier.record.import_id
            report = replace(report, replaces=supersedes, changed_options=earlier.changed)
        if self.options.dry_run:
            return self._preview(report, stage, table, in_place)
        self._report(Step("merging", None, totals.rows, self.rows_read, "rows"))
        record = ledger.commit(
            table=table,
            stage=stage,
            rejected=self.reader.rejected[:MAX_REJECTED],
            file_name=self.options.file_name or str(self.path),
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

    def _accounts(self, stage: str, table: Table) -> tuple[str, ...]:
        """The accounts of the staged rows (the first :data:`MAX_ACCOUNTS`, sorted)."""
        if not table.has_column("account"):
            return ()
        with self.warehouse.transaction() as cur:
            cur.execute(
                f'SELECT DISTINCT "account" FROM {stage} WHERE "account" IS NOT NULL '
                f"ORDER BY 1 LIMIT {MAX_ACCOUNTS}"
            )
            return tuple(str(row[0]) for row in cur.fetchall())

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

    def _repeated_keys(self, info: FileInfo, spec: SourceSpec, stage: str, table: Table) -> R.Added:
        """Rows of the file that share a natural key: added together where the layout says
        they are different items with one name (quarantining those that cannot be added),
        else the file is refused. See :mod:`shakhes.imports.repeated`."""
        wh = self.warehouse
        if spec.repeated_keys == "add" and not self.options.strict:
            label = self._key_label(table)
            added = R.add_repeated(wh, stage, table, label, self.reader.rejected_keys)
            if added.held:
                raw = raw_rows(info, self._layout, {h.line for h in added.held})
                self.reader.rejected += [
                    Rejected(h.line, None, None, h.reason, raw.get(h.line, {}), R.HELD)
                    for h in added.held
                ]
                self.reader.rejected.sort(key=lambda r: r.line or 0)
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

    def _note_defaults_and_unknowns(self, table: Table) -> None:
        """Warnings for number columns the file lacks (filled with the layout's default) and
        for optional ones with empty cells (stored as unknown)."""
        for name in sorted(self.reader.defaulted):
            self.warnings.append(
                f"the file has no {name.replace('_', ' ')} column: {name} recorded as 0 for "
                "every row (KPIs that read it will count 0); export the column and import the "
                "file again to replace them"
            )
        for name, count in sorted(self.reader.unknown.items()):
            self.warnings.append(
                f"{name}: {count:,} row(s) have no value in the file; stored as unknown, not 0"
            )

    def _check_summary(self, totals: _Totals) -> None:
        if not self.reader.summary_rows:
            return
        first = self.reader.summary_rows[0]
        for name in ("impressions", "clicks", "cost"):
            if name not in first or name not in totals.sums:
                continue
            parsed = V.parse_numbers(pa.array([first[name]])).values[0].as_py()
            if parsed is None:
                continue
            mine = totals.sums[name]
            if abs(mine - parsed) > max(0.005 * abs(parsed), 0.01):
                self.warnings.append(
                    f"the file's own total row says {name} = {total_text(parsed)} but the "
                    f"imported rows add up to {total_text(mine)}"
                    + (
                        f" ({len(self.reader.rejected)} row(s) were quarantined)"
                        if self.reader.rejected
                        else ""
                    )
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


def _copy_stage(staged: Path, warehouse: Warehouse, stage: str, table: Table) -> None:
    """Copy the rows of the stage table in the DuckDB file ``staged`` into ``stage`` of
    ``warehouse``: on DuckDB by attaching the file read-only (one statement), elsewhere in
    Arrow batches."""
    names = [*table.column_names, STAGE_LINE]
    cols = ", ".join(f'"{name}"' for name in names)
    if warehouse.dialect == "duckdb":
        con = warehouse.backend.con
        # The file is the import's own temporary one (no user text in the statement).
        con.execute(f"ATTACH '{str(staged).replace(chr(39), chr(39) * 2)}' AS {AHEAD} (READ_ONLY)")
        try:
            con.execute(f"INSERT INTO {stage} ({cols}) SELECT {cols} FROM {AHEAD}.{STAGE}")
        finally:
            con.execute(f"DETACH {AHEAD}")
        return
    import duckdb

    with duckdb.connect(str(staged), read_only=True) as private:
        reader = private.execute(f"SELECT {cols} FROM {STAGE}").to_arrow_reader(BATCH_ROWS)
        for batch in reader:
            warehouse.append_stage(stage, table, pa.Table.from_batches([batch]))


class _RollBack(Exception):
    """Leave an import's transaction without writing anything (a dry run, a file already
    imported), with the report to return."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.file)
        self.report = report


def _from_record(report: ImportReport, record: ImportRecord) -> ImportReport:
    return replace(
        report,
        accepted=record.accepted,
        replaced=record.replaced,
        removed=record.removed,
        import_id=record.import_id,
    )
