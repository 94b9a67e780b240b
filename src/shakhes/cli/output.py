"""Writing compute results: a Rich table in a terminal, plain text when piped, CSV, JSON.

Every output says what the engine knows beside the numbers: a period the range or the data
covers only in part is marked (``*`` in the table, ``complete`` false in CSV/JSON), so is a
change against a period that lacks data on some of its days (``†``, ``previous_complete``),
and a KPI that could not be computed shows ``×`` and its reason (the ``error`` column/field).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from shakhes.cli.console import wide
from shakhes.cli.hints import hint_for
from shakhes.display import format_change, format_plain, format_value
from shakhes.service.computed import Computed, columns
from shakhes.service.computed import records as service_records
from shakhes.spec.kpi import KpiSpec

if TYPE_CHECKING:
    from shakhes.engine.engine import Result

PARTIAL = "*"
PREVIOUS_PARTIAL = "†"
FAILED = "×"
LACKING = "‡"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "period": "period",
        "kpi": "KPI",
        "value": "value",
        "change": "Δ",
        "numerator": "numerator",
        "denominator": "denominator",
        "partial": "partial period: the range asked for or the data covers only part of it "
        "(the value is of the days it has)",
        "compare_previous": "change from the period before; a partial period is compared with "
        "as many days of that period",
        "compare_last_year": "change from the same period a year before; a partial period is "
        "compared with as many days of that period",
        "previous_partial": "the period compared with lacks data on some of its days: the change "
        "is not like for like",
        "failed": "not computed",
        "lacking": "{count} row(s) had no value of {columns} — unknown, left out of the "
        "value, not counted as 0 (— where every row lacked it)",
    },
    "fa": {
        "period": "دوره",
        "kpi": "شاخص",
        "value": "مقدار",
        "change": "تغییر",
        "numerator": "صورت",
        "denominator": "مخرج",
        "partial": "دوره ناقص: بازه درخواستی یا داده‌ها تنها بخشی از آن را در بر می‌گیرند "
        "(مقدار مربوط به روزهای موجود است)",
        "compare_previous": "تغییر نسبت به دوره قبل؛ دوره ناقص با همان تعداد روز از دوره قبل "
        "مقایسه می‌شود",
        "compare_last_year": "تغییر نسبت به همین دوره در سال قبل؛ دوره ناقص با همان تعداد روز "
        "از آن دوره مقایسه می‌شود",
        "previous_partial": "دوره مقایسه در برخی روزها داده ندارد: مقایسه هم‌سنگ نیست",
        "failed": "محاسبه نشد",
        "lacking": "{count} ردیف مقداری برای {columns} نداشت — نامعلوم، در مقدار حساب نشده و "
        "صفر شمرده نشده (— یعنی هیچ ردیفی مقدار نداشت)",
    },
}

DIMENSIONS_FA: dict[str, str] = {
    "platform": "پلتفرم",
    "account": "حساب",
    "channel": "کانال",
    "campaign_id": "شناسه کمپین",
    "campaign": "کمپین",
    "ad_group": "گروه تبلیغ",
    "ad": "آگهی",
    "currency": "ارز",
    "source": "منبع",
    "medium": "رسانه",
    "device": "دستگاه",
    "order_id": "شناسه سفارش",
    "customer_id": "شناسه مشتری",
    "plan": "طرح",
    "lead_id": "شناسه سرنخ",
}
"""Breakdown dimensions as a Persian table header names them."""


# ---- CSV and JSON ------------------------------------------------------------------------------


def export_columns(result: Result | Computed, *, components: bool = False) -> list[str]:
    """The columns of CSV and JSON output, in order (:func:`shakhes.service.compute.columns`)."""
    return columns(result, components=components)


def records(result: Result | Computed, *, components: bool = False) -> list[dict[str, Any]]:
    """The result's records (:func:`shakhes.service.compute.records`) with the CLI's hints."""
    return service_records(result, components=components, hint=hint_for)


def to_csv(result: Result | Computed, *, components: bool = False) -> str:
    """CSV: numbers as written by Python (whole numbers without ``.0``), ``true``/``false``,
    empty cells for null, and the reason a KPI was not computed in ``error``."""
    buffer = io.StringIO()
    columns = export_columns(result, components=components)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records(result, components=components):
        writer.writerow({k: _csv_cell(k, v) for k, v in record.items()})
    return buffer.getvalue()


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "error":
        return str(value["message"])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_json(result: Result | Computed, *, components: bool = False) -> str:
    return json.dumps(records(result, components=components), ensure_ascii=False, indent=2)


# ---- the table ---------------------------------------------------------------------------------


@dataclass
class _Column:
    header: str
    cells: list[str]
    justify: str = "left"
    fixed: str = ""
    """Text of the header that must never be cut or wrapped (a KPI id)."""
    wrap: bool = True
    """Whether the cells may wrap at spaces (labels, names); numbers and ids never do."""

    def minimum(self) -> int:
        """The narrowest the column may be: its fixed text and unwrapped cells whole, other
        text wrapped at spaces."""
        if not self.wrap:
            return max([cell_len(self.fixed), *(cell_len(c) for c in self.cells)])
        words = [w for text in [self.header, *self.cells] for w in text.split()]
        return max([1, *(cell_len(w) for w in words)])

    def maximum(self) -> int:
        lines = [line for text in [self.header, *self.cells] for line in text.split("\n")]
        return max([1, *(cell_len(line) for line in lines)])


def to_table(
    result: Result | Computed,
    specs: Mapping[str, KpiSpec],
    *,
    currency: str,
    locale: str,
    console: Console,
    components: bool = False,
) -> None:
    """A wide table: one row per period (× breakdown), one column per KPI headed by its name
    (which wraps) and its id (which never does). When the KPIs do not fit side by side, one row
    per period × KPI instead. Piped, plain text without borders, colours or wrapping; the
    footnotes explain every mark used."""
    console = wide(console)
    words = WORDS.get(locale, WORDS["en"])
    view = _View(result, specs, currency=currency, locale=locale, components=components)
    columns = view.wide_columns(words)
    widths = _fit(console, columns)
    if widths is None:
        columns = view.long_columns(words)
        widths = _fit(console, columns) or _squeeze(console, columns)
    table = Table(
        box=box.SIMPLE_HEAD if console.is_terminal else None,
        show_edge=console.is_terminal,
        pad_edge=False,
    )
    for i, col in enumerate(columns):
        table.add_column(
            Text(col.header),
            justify=col.justify,  # type: ignore[arg-type]
            width=widths[i] if widths else None,
            overflow="fold",
        )
    for row in zip(*(c.cells for c in columns), strict=True):
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    for line in view.footnotes(words):
        console.print(Text(line))


def _fit(console: Console, columns: Sequence[_Column]) -> list[int] | None:
    """Column widths that fit the console: each column as wide as its content, narrowed where
    there is room to wrap — down to its header's longest word first, then, where needed, to its
    minimum — never below its minimum. None when the minimums do not fit."""
    if not console.is_terminal:
        return [c.maximum() for c in columns]
    room = console.width - _overhead(console, len(columns))
    hard = [c.minimum() for c in columns]
    if sum(hard) > room:
        return None
    widths = [max(c.maximum(), m) for c, m in zip(columns, hard, strict=True)]
    soft = [
        max(m, *(cell_len(w) for w in c.header.split())) for c, m in zip(columns, hard, strict=True)
    ]
    for floor in (soft, hard):
        excess = sum(widths) - room
        while excess > 0:
            slack = [w - f for w, f in zip(widths, floor, strict=True)]
            i = max(range(len(widths)), key=lambda j: slack[j])
            if slack[i] <= 0:
                break
            cut = min(excess, max(1, slack[i] // 2))
            widths[i] -= cut
            excess -= cut
    return widths


def _squeeze(console: Console, columns: Sequence[_Column]) -> list[int] | None:
    """Widths for a table too wide even at its columns' minimums (a long period label, a
    breakdown and a long KPI name beside a long id). KPI ids (a column's fixed text) stay whole;
    periods and values wrap at spaces (``2024-12-01 –`` above ``2026-11-30``, an amount above its
    currency); breakdown values and KPI names share the room left, folded where they must. When
    even that leaves them too little room, every column but the ids shares it. None when not in
    a terminal."""
    if not console.is_terminal:
        return None
    loose = [c if c.fixed else replace(c, wrap=True) for c in columns]
    widths = _fit(console, loose)
    if widths is not None:
        return widths
    room = console.width - _overhead(console, len(columns))
    for bends in (lambda c: c.wrap, lambda c: not c.fixed):
        firm = [0 if bends(c) else m.minimum() for c, m in zip(columns, loose, strict=True)]
        left = room - sum(firm)
        bendable = [m.minimum() for c, m in zip(columns, loose, strict=True) if bends(c)]
        if left >= _NARROWEST * len(bendable):
            break
    total = sum(bendable) or 1
    return [
        f or max(_NARROWEST, m.minimum() * left // total) for f, m in zip(firm, loose, strict=True)
    ]


_NARROWEST = 4
"""The narrowest a folded column is made."""


def _overhead(console: Console, n: int) -> int:
    """The width a table's borders and padding take beyond its columns' content."""
    probe = Table(box=box.SIMPLE_HEAD, show_edge=True, pad_edge=False)
    for _ in range(n):
        probe.add_column("x", width=1)
    probe.add_row(*(["x"] * n))
    measure = Console(width=10_000, file=io.StringIO())
    with measure.capture() as captured:
        measure.print(probe)
    return max(cell_len(line) for line in captured.get().splitlines()) - n


class _View:
    """The cells of a result as text, with the marks and footnotes they need."""

    def __init__(
        self,
        result: Result | Computed,
        specs: Mapping[str, KpiSpec],
        *,
        currency: str,
        locale: str,
        components: bool,
    ) -> None:
        self.result = computed = Computed.of(result)
        self.specs = specs
        self.locale = locale
        self.currency = currency
        self.by = list(computed.by)
        self.kpis = list(computed.kpi_ids)
        self.parts = [k for k in self.kpis if k in computed.ratios] if components else []
        self.label = "period_label_fa" if locale == "fa" else "period_label"
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in computed.records():
            key = (row["period_index"], *(row[d] for d in self.by))
            groups.setdefault(key, []).append(row)
        self.groups = list(groups.values())
        """The rows of each period × breakdown value, in the result's order."""
        self.marks: set[str] = set()
        self.lacking: dict[str, int] = {}
        """KPI id → rows (over the periods shown) that lacked a value it reads."""

    def _currency_of(self, row: Any) -> str:
        if "currency" in self.by:
            return str(row["currency"])
        return self.result.currency or self.currency

    def _name(self, kpi: str) -> str:
        spec = self.specs.get(kpi)
        if spec is None:
            return ""
        return spec.name.fa if self.locale == "fa" else spec.name.en

    def _dimension(self, dim: str) -> str:
        return DIMENSIONS_FA.get(dim, dim) if self.locale == "fa" else dim

    def _value(self, row: Any, mark: bool) -> str:
        kpi = str(row["kpi"])
        if kpi in self.result.errors:
            self.marks.add(FAILED)
            return FAILED
        text = format_value(
            as_number(row["value"]),
            self.specs[kpi],
            currency=self._currency_of(row),
            locale=self.locale,
        )
        if mark and row["complete"] is False:
            self.marks.add(PARTIAL)
            text += PARTIAL
        missing = row.get("missing") or 0
        if missing:
            self.lacking[kpi] = self.lacking.get(kpi, 0) + int(missing)
            text += LACKING
        return text

    def _change(self, row: Any) -> str:
        if str(row["kpi"]) in self.result.errors:
            return FAILED
        text = format_change(as_number(row["change_pct"]), self.locale)
        if row["previous_complete"] is False:
            self.marks.add(PREVIOUS_PARTIAL)
            text += PREVIOUS_PARTIAL
        return text

    def _period(self, group: list[dict[str, Any]]) -> tuple[str, bool]:
        """The period's label, marked when it is partial for every KPI computed in it; and
        whether the values need marks of their own (partial for some KPIs only)."""
        flags = [r["complete"] for r in group if r["complete"] is not None]
        label = str(group[0][self.label])
        if flags and not any(flags):
            self.marks.add(PARTIAL)
            return f"{label} {PARTIAL}", False
        return label, not all(flags)

    def wide_columns(self, words: Mapping[str, str]) -> list[_Column]:
        compare = bool(self.result.compare)
        period = _Column(words["period"], [], wrap=False)
        dims = [_Column(self._dimension(d), []) for d in self.by]
        per_kpi: dict[str, list[_Column]] = {}
        for kpi in self.kpis:
            cols = [_Column(f"{self._name(kpi)}\n{kpi}", [], "right", kpi, wrap=False)]
            if compare:
                cols.append(_Column(words["change"], [], "right", wrap=False))
            if kpi in self.parts:
                for part in ("numerator", "denominator"):
                    cols.append(_Column(f"{kpi}\n{words[part]}", [], "right", kpi, wrap=False))
            per_kpi[kpi] = cols
        for group in self.groups:
            label, mark = self._period(group)
            first = group[0]
            period.cells.append(label)
            for col, dim in zip(dims, self.by, strict=True):
                col.cells.append(str(first[dim]))
            rows = {str(r["kpi"]): r for r in group}
            for kpi, cols in per_kpi.items():
                row = rows[kpi]
                cells = [self._value(row, mark)]
                if compare:
                    cells.append(self._change(row))
                if kpi in self.parts:
                    cells += [self._part(row, "numerator"), self._part(row, "denominator")]
                for col, cell in zip(cols, cells, strict=True):
                    col.cells.append(cell)
        return [period, *dims, *(c for cols in per_kpi.values() for c in cols)]

    def long_columns(self, words: Mapping[str, str]) -> list[_Column]:
        """One row per period × breakdown × KPI, for KPIs too many to stand side by side."""
        compare = bool(self.result.compare)
        ids = max(self.kpis, key=cell_len)
        cols = {
            "period": _Column(words["period"], [], wrap=False),
            **{d: _Column(self._dimension(d), []) for d in self.by},
            "name": _Column(words["kpi"], []),
            "kpi": _Column("id", [], "left", ids, wrap=False),
            "value": _Column(words["value"], [], "right", wrap=False),
        }
        if compare:
            cols["change"] = _Column(words["change"], [], "right", wrap=False)
        for part in ("numerator", "denominator") if self.parts else ():
            cols[part] = _Column(words[part], [], "right", wrap=False)
        self.marks.clear()
        for group in self.groups:
            label, mark = self._period(group)
            for row in group:
                kpi = str(row["kpi"])
                cols["period"].cells.append(label)
                for d in self.by:
                    cols[d].cells.append(str(row[d]))
                cols["name"].cells.append(self._name(kpi))
                cols["kpi"].cells.append(kpi)
                cols["value"].cells.append(self._value(row, mark))
                if compare:
                    cols["change"].cells.append(self._change(row))
                if self.parts:
                    shown = kpi in self.parts
                    for part in ("numerator", "denominator"):
                        cols[part].cells.append(self._part(row, part) if shown else "")
        return list(cols.values())

    def _part(self, row: Any, part: str) -> str:
        if str(row["kpi"]) in self.result.errors:
            return FAILED
        return format_plain(as_number(row[part]), self.locale)

    def footnotes(self, words: Mapping[str, str]) -> list[str]:
        lines = []
        if PARTIAL in self.marks:
            lines.append(f"{PARTIAL} {words['partial']}")
        if self.result.compare:
            key = f"compare_{self.result.compare}"
            lines.append(f"{words['change']}: {words[key]}")
        if PREVIOUS_PARTIAL in self.marks:
            lines.append(f"{PREVIOUS_PARTIAL} {words['previous_partial']}")
        may_lack = self.result.may_lack
        for kpi, count in self.lacking.items():
            columns = ", ".join(dict.fromkeys(f"{a.table}.{a.column}" for a in may_lack[kpi]))
            lines.append(
                f"{LACKING} {kpi}: "
                + words["lacking"].format(count=format_plain(count, self.locale), columns=columns)
            )
        for kpi, error in self.result.errors.items():
            lines.append(f"{FAILED} {kpi} {words['failed']}: {error.message}")
            hint = hint_for(error)
            if hint:
                lines.append(f"  {hint}")
        return lines


def as_number(value: object) -> float | None:
    """A float, or None for a missing value (None or NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
