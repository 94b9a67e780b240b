"""Writing compute results: a Rich table in a terminal, plain text when piped, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shakhes.cli.format import format_change, format_value
from shakhes.engine.engine import BASE_COLUMNS, COMPARE_COLUMNS, Result
from shakhes.spec.kpi import KpiSpec


def wide(console: Console) -> Console:
    """``console`` itself in a terminal; piped, a console that never wraps or colours, so
    tables come out as plain aligned text."""
    if console.is_terminal:
        return console
    return Console(file=console.file, width=100_000, no_color=True, highlight=False)


def export_columns(result: Result) -> list[str]:
    """The columns of CSV and JSON output, in order."""
    cols = [*BASE_COLUMNS, *result.request.by, "kpi", "value"]
    if result.request.compare:
        cols += list(COMPARE_COLUMNS)
    return cols


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def records(result: Result) -> list[dict[str, Any]]:
    cols = export_columns(result)
    return [{c: _clean(row[c]) for c in cols} for row in result.frame[cols].to_dict("records")]


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=export_columns(result), lineterminator="\n")
    writer.writeheader()
    for row in records(result):
        writer.writerow(
            {
                k: ("" if v is None else repr(v) if isinstance(v, float) else v)
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


def to_json(result: Result) -> str:
    return json.dumps(records(result), ensure_ascii=False, indent=2)


def to_table(
    result: Result, specs: Mapping[str, KpiSpec], *, currency: str, locale: str, console: Console
) -> None:
    """A wide table: one row per period (× breakdown), one column per KPI. Piped, it is plain
    text without borders, colours or wrapping."""
    console = wide(console)
    by = list(result.request.by)
    frame = result.frame
    label = "period_label_fa" if locale == "fa" else "period_label"
    table = Table(
        box=box.SIMPLE_HEAD if console.is_terminal else None,
        show_edge=console.is_terminal,
        pad_edge=False,
    )
    table.add_column("period")
    for dim in by:
        table.add_column(dim)
    kpis = list(dict.fromkeys(frame.kpi))
    for kpi in kpis:
        table.add_column(kpi, justify="right")
        if result.request.compare:
            table.add_column("Δ", justify="right")
    for _, group in frame.groupby(["period_index", *by], sort=False, dropna=False):
        first = group.iloc[0]
        cells = [str(first[label]), *(str(first[d]) for d in by)]
        for kpi in kpis:
            row = group[group.kpi == kpi]
            value = row.value.iloc[0] if len(row) else None
            shown = str(first["currency"]) if "currency" in by else result.currency or currency
            cells.append(format_value(value, specs[kpi], currency=shown, locale=locale))
            if result.request.compare:
                pct = row.change_pct.iloc[0] if len(row) else None
                cells.append(format_change(pct, locale))
        table.add_row(*(escape(c) for c in cells))
    console.print(table)
