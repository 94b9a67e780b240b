"""The general way's row stage: map a batch of the file's cells to canonical columns, parse the
values, complete the rows (constants, currency, account, channel, derived columns), check them,
and set the rows that fail aside with their line, column, value and reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.model import Required, Table, WholeNumber
from shakhes.data.warehouse import STAGE_LINE, Warehouse, arrow_schema
from shakhes.errors import DataError, Issue
from shakhes.imports import strict
from shakhes.imports import values as V
from shakhes.imports.layout import Layout
from shakhes.imports.ledger import Rejected
from shakhes.imports.partial import reject_unknown_keys
from shakhes.imports.pipeline.checks import (
    EXTRA_CELLS,
    MIXED_RESULTS,
    NOT_CANONICAL,
    NOT_DAILY,
    Reject,
    check_rows,
)
from shakhes.imports.pipeline.probe import rule_holds
from shakhes.imports.readers import Block
from shakhes.imports.report import ImportOptions
from shakhes.imports.sources.base import UNREADABLE, Field, SourceSpec, header_key

TOO_LARGE = 2.0**63
"""Whole numbers from this size on do not fit the 64-bit integers integer columns are stored
as."""
TOO_LARGE_REASON = f"too large a number for this column (at most {2**63 - 1:,})"
NUMBER_TOO_LARGE = "too_large_for_column"
"""The code of a row refused for such a number."""


class RowReader:
    """The general way's row stage: each batch of the file's rows parsed, completed and checked
    into canonical rows; the rows that fail are kept in :attr:`rejected` (with what else the
    rows showed: summary rows, skipped rows, defaults and unknowns)."""

    def __init__(self, warehouse: Warehouse, path: Path, options: ImportOptions) -> None:
        self.warehouse = warehouse
        self.path = path
        self.options = options
        self.rejected: list[Issue] = []
        """The rows set aside, with their line, column, value and reason (also those the
        checks of the whole file set aside: see :mod:`shakhes.imports.repeated`)."""
        self.summary_rows: list[dict[str, str]] = []
        self.skipped: dict[str, int] = {}
        self.rejected_keys: list[tuple[int, tuple[Any, ...]]] = []
        """Line and natural key of each quarantined row (layouts that add repeated rows)."""
        self.defaulted: set[str] = set()
        """Number columns the file lacks, filled with the layout's default."""
        self.unknown: dict[str, int] = {}
        """Optional number columns: accepted rows whose cell was empty or unknown."""
        self._decimal: str | None = None
        """The decimal separator of the file's number columns whose own values do not tell."""

    def read(
        self,
        batch: Block,
        layout: Layout,
        table: Table,
        single_day: dt.date | None,
        stated_range: tuple[dt.date, dt.date] | None,
    ) -> pa.Table:
        """The canonical rows of ``batch`` that pass every check (with the line each came from,
        :data:`~shakhes.data.warehouse.STAGE_LINE`); the others are added to :attr:`rejected`.
        ``single_day`` is the day of every row of a report without a day column,
        ``stated_range`` the dates its preamble states."""
        spec = layout.spec
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
                summary = rule_holds(spec.summary, texts, len(batch))
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

        bad: dict[int, list[tuple[str | None, str | None, str, str]]] = {}

        def reject(i: int, column: str | None, value: str | None, reason: str, code: str) -> None:
            problems = bad.setdefault(i, [])
            if all(column is None or column != c for c, *_ in problems):
                problems.append((column, value, reason, code))

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
                    EXTRA_CELLS,
                )

        if self._decimal is None:
            self._decimal = _file_decimal(spec, fields, texts)
        columns: dict[str, pa.Array] = {}
        whole_numbers = {r.column: r for r in table.rules if isinstance(r, WholeNumber)}
        for name, f in fields.items():
            parsed = _parse(f, texts[name], spec, stated_range, self._decimal)
            if parsed.error_count():
                where = pc.indices_nonzero(pc.is_valid(parsed.errors))
                for i, reason in zip(
                    where.to_pylist(), parsed.errors.take(where).to_pylist(), strict=True
                ):
                    reject(i, name, cell(i, name), reason, UNREADABLE[f.kind])
            values = parsed.values
            if name in spec.multiply:
                values = pc.multiply(values.cast(pa.float64()), spec.multiply[name])
            whole_number = whole_numbers.get(name)
            if whole_number is not None and pa.types.is_floating(values.type):
                fraction = pc.fill_null(pc.not_equal(pc.floor(values), values), False)
                for i in pc.indices_nonzero(fraction).to_pylist():
                    reject(i, name, cell(i, name), whole_number.reason(), whole_number.code)
                # A whole number the column cannot hold (1e100 clicks) is refused too, not
                # left to fail the whole file where the column is stored as 64-bit integers.
                huge = pc.fill_null(pc.greater_equal(pc.abs(values), TOO_LARGE), False)
                huge = pc.and_(huge, pc.invert(fraction))
                for i in pc.indices_nonzero(huge).to_pylist():
                    reject(i, name, cell(i, name), TOO_LARGE_REASON, NUMBER_TOO_LARGE)
                values = pc.if_else(pc.or_(fraction, huge), None, values)
            columns[name] = values
        if self.options.strict:
            # After the parsers (whose reason, where a cell does not parse, comes first): cells
            # that parse, but are not written in the canonical format.
            for name, f in fields.items():
                errors = strict.problems(f.kind, texts[name])
                where = pc.indices_nonzero(pc.is_valid(errors))
                for i, reason in zip(
                    where.to_pylist(), errors.take(where).to_pylist(), strict=True
                ):
                    reject(i, name, cell(i, name), reason, NOT_CANONICAL)
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
                self.rejected += [
                    Rejected(row.line, column, value, reason, raw, code)
                    for column, value, reason, code in problems
                ]
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
                    self.unknown[col.name] = self.unknown.get(col.name, 0) + unknown
        return result

    def _keep_key(self, table: Table, out: dict[str, pa.Array], i: int, line: int) -> None:
        """Remember the natural key of quarantined row ``i`` (when it has one), so that rows of
        the file that share it are quarantined with it (see :mod:`shakhes.imports.repeated`)."""
        key = tuple(out[k][i].as_py() for k in table.natural_key)
        required = [table.column(k).required for k in table.natural_key]
        if all(v is not None for v, needed in zip(key, required, strict=True) if needed):
            self.rejected_keys.append((line, key))

    def _complete(
        self,
        columns: dict[str, pa.Array],
        n: int,
        layout: Layout,
        table: Table,
        single_day: dt.date | None,
        reject: Reject,
        cell: Callable[[int, str], str],
    ) -> dict[str, pa.Array]:
        spec, options = layout.spec, self.options
        schema = arrow_schema(table)
        required = {r.column: r for r in table.rules if isinstance(r, Required)}
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
                        self.defaulted.add(col.name)
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
            rule = required.get(col.name)
            if rule is not None:
                for i in pc.indices_nonzero(pc.is_null(value)).to_pylist():
                    reject(i, col.name, cell(i, col.name), rule.reason(), rule.code)
            out[col.name] = value
        check_rows(table, out, reject, cell)
        _check_layout(out, columns, layout, table, reject, cell)
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


def _check_layout(
    out: dict[str, pa.Array],
    parsed: dict[str, pa.Array],
    layout: Layout,
    table: Table,
    reject: Reject,
    cell: Callable[[int, str], str],
) -> None:
    """The checks a layout asks for beyond the data model's rules: a report row that covers
    more than a day, a Meta export whose results count different actions."""

    def flag(mask: pa.Array, column: str, reason: str, code: str) -> None:
        for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
            reject(i, column, cell(i, column), reason, code)

    if "_date_end" in parsed and table.has_column("date"):
        differs = pc.not_equal(parsed["_date_end"], out["date"])
        how = layout.spec.daily_hint
        flag(
            differs,
            "date",
            "not a daily row (the report period is longer than a day)"
            + (f": {how[0].lower()}{how[1:]}" if how else ""),
            NOT_DAILY,
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
                MIXED_RESULTS,
            )


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
