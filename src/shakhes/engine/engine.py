"""The engine: plan a request, run it on the warehouse, shape and cache the result.

>>> engine = Engine(warehouse, definitions)                           # doctest: +SKIP
>>> engine.compute(["ctr", "cpc"], grain="month", by=["channel"])     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.warehouse import Warehouse
from shakhes.engine.calendar import DIMENSION_END, DIMENSION_START, CalendarSettings, Grain
from shakhes.engine.execute import (
    PERIOD,
    build_query,
    currencies_in,
    missing_rates,
    money_tables,
)
from shakhes.engine.planner import Plan, comparison_windows, plan_request
from shakhes.engine.request import Compare, Request, Window
from shakhes.errors import QueryError
from shakhes.spec.kpi import KpiSpec

BASE_COLUMNS = ("period_start", "period_end", "period_label")
COMPARE_COLUMNS = ("previous_value", "change", "change_pct")


@dataclass(frozen=True)
class Result:
    """A computed request in long form: one row per period × breakdown value × KPI.

    ``frame`` columns: ``period_start, period_end`` (the days the value covers),
    ``period_label, period_label_fa``, one column per breakdown dimension, ``kpi, value,
    numerator, denominator`` (for ratio KPIs), and with a comparison ``previous_start,
    previous_end, previous_value, change, change_pct``.
    """

    request: Request
    plan: Plan
    frame: pd.DataFrame
    from_cache: bool = False
    currency: str | None = None
    """The currency of every money value in the result (None when it has no money KPI or no
    money rows)."""

    def value(self, kpi: str, period_label: str | None = None, **dims: str) -> float | None:
        """One value, for tests and scripts.

        >>> result.value("ctr", "2024-03", channel="search")  # doctest: +SKIP
        """
        f = self.frame[self.frame.kpi == kpi]
        if period_label is not None:
            f = f[f.period_label == period_label]
        for dim, val in dims.items():
            f = f[f[dim] == val]
        if len(f) != 1:
            raise QueryError(f"{len(f)} rows match {kpi} {period_label} {dims}, expected 1")
        v = f.value.iloc[0]
        return None if pd.isna(v) else float(v)


@dataclass(frozen=True)
class Explanation:
    plan: str
    sql: str

    def __str__(self) -> str:
        return f"{self.plan}\n\n{self.sql}"


class Engine:
    """Computes KPIs from a workspace's definitions over its warehouse."""

    def __init__(
        self,
        warehouse: Warehouse,
        definitions: Mapping[str, KpiSpec],
        *,
        calendar: CalendarSettings | None = None,
        params: Mapping[str, float] | None = None,
        version: Callable[[], Hashable] = lambda: 0,
        cache_size: int = 256,
        currency: str | None = None,
        warm_up: bool = True,
    ) -> None:
        self.warehouse = warehouse
        self.currency = currency
        """The reporting currency amounts in other currencies are converted to (with rates)."""
        self.definitions = dict(definitions)
        self.calendar = calendar or CalendarSettings()
        self.params = dict(params or {})
        self._version = version
        self._cache: OrderedDict[str, tuple[pd.DataFrame, str | None]] = OrderedDict()
        self._currency_cache: dict[tuple[str, str], set[str]] = {}
        self._cache_size = cache_size
        self._definitions_key = _digest(
            {k: v.model_dump(mode="json") for k, v in sorted(self.definitions.items())}
        )
        if warm_up and {"ad_performance", "orders"} <= set(warehouse.backend.list_tables()):
            self.warm_up()

    def warm_up(self) -> None:
        """Build and compile (not run) a small query of the engine's usual shape.

        Ibis and sqlglot set up their compilers on first use, which costs about 0.1 s; doing it
        here, when the engine starts, keeps that out of the first request. Nothing is executed
        and nothing is cached. Then the objects alive now (modules, compiler tables: all
        long-lived) are moved out of the garbage collector's view (``gc.freeze``), so the first
        full collection during a request does not walk them all (about 0.07 s at start-up size).
        """
        probe = KpiSpec.model_validate(
            {
                "id": "warm_up",
                "name": {"en": "-", "fa": "-"},
                "description": {"en": "-", "fa": "-"},
                "formula": "sum(ad_performance.clicks where channel = 'search') "
                "/ sum(ad_performance.impressions) - count(orders) + 1",
                "unit": "ratio",
                "direction": "higher_is_better",
                "kind": "operational",
                "timing": "leading",
                "category": "engagement",
            }
        )
        day = dt.date(2000, 1, 1)
        for grain, by in ((Grain.MONTH, ("channel",)), (Grain.DAY, ())):
            request = Request(("warm_up",), grain, by, day, day)
            plan = plan_request(request, {"warm_up": probe}, calendar=self.calendar, params={})
            self.warehouse.backend.compile(build_query(plan, plan.windows, self.warehouse))
        for name in ("ad_performance", "orders"):
            self._table_currencies(name)
        gc.collect()
        gc.freeze()

    # ---- public API ---------------------------------------------------------------------------

    def request(
        self,
        kpis: Sequence[str] | str,
        grain: Grain | str = Grain.MONTH,
        by: Sequence[str] | str = (),
        period: tuple[dt.date | None, dt.date | None] | None = None,
        where: str | None = None,
        compare: Compare | None = None,
    ) -> Request:
        """Normalise arguments into a :class:`Request` (strings split on commas)."""
        if isinstance(kpis, str):
            kpis = [k.strip() for k in kpis.split(",") if k.strip()]
        if isinstance(by, str):
            by = [d.strip() for d in by.split(",") if d.strip()]
        try:
            grain = Grain(grain)
        except ValueError:
            raise QueryError(
                f"unknown grain '{grain}'", hint=f"Grains: {', '.join(g.value for g in Grain)}."
            ) from None
        if compare not in (None, "previous", "last_year"):
            raise QueryError(
                f"unknown comparison '{compare}'", hint="Compare with 'previous' or 'last-year'."
            )
        start, end = period or (None, None)
        for day in (start, end):
            if day is not None and not DIMENSION_START <= day <= DIMENSION_END:
                raise QueryError(
                    f"{day} is outside the calendar shakhes knows "
                    f"({DIMENSION_START.year}–{DIMENSION_END.year})"
                )
        return Request(
            tuple(kpis), grain, tuple(dict.fromkeys(by)), start, end, where or None, compare
        )

    def plan(self, request: Request) -> Plan:
        return plan_request(
            request,
            self.definitions,
            calendar=self.calendar,
            params=self.params,
            data_range=self._data_range,
        )

    def compute(
        self,
        kpis: Sequence[str] | str,
        grain: Grain | str = Grain.MONTH,
        by: Sequence[str] | str = (),
        period: tuple[dt.date | None, dt.date | None] | None = None,
        where: str | None = None,
        compare: Compare | None = None,
    ) -> Result:
        """Compute ``kpis`` per ``grain`` period (× ``by`` dimensions) over ``period``.

        Ratio KPIs are ratios of sums at every grain; KPIs over several tables aggregate each
        table first; every period in the range appears; a zero denominator gives null.
        """
        return self.run(self.request(kpis, grain, by, period, where, compare))

    def run(self, request: Request) -> Result:
        plan = self.plan(request)
        key = _digest(
            [
                self._definitions_key,
                asdict(request),
                plan.params,
                asdict(self.calendar),
                repr(self._version()),
                str(plan.start),
                str(plan.end),
            ]
        )
        if key in self._cache:
            self._cache.move_to_end(key)
            frame, currency = self._cache[key]
            return Result(request, plan, frame.copy(), from_cache=True, currency=currency)
        windows = list(plan.windows)
        if request.compare:
            # One query over the periods and the periods they are compared with, so both sides
            # share one spine: a campaign that stopped shows a drop to 0, not a missing row.
            other = comparison_windows(plan, request.compare, self.calendar)
            n = len(plan.windows)
            windows += [replace(w, index=w.index + n) for w in other]
            currency, convert = self._currency(plan, windows)
            both = self._execute(plan, windows, convert)
            current = both[both[PERIOD] < n].reset_index(drop=True)
            previous = both[both[PERIOD] >= n].copy()
            previous[PERIOD] = previous[PERIOD] - n
            frame = _compare(current, previous, other, list(request.by))
        else:
            currency, convert = self._currency(plan, windows)
            frame = self._execute(plan, plan.windows, convert)
        self._cache[key] = (frame, currency)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return Result(request, plan, frame.copy(), currency=currency)

    def _currency(self, plan: Plan, windows: Sequence[Window]) -> tuple[str | None, dict[str, str]]:
        """The one currency of the money the plan adds up, and the tables whose amounts must
        be converted to it through the rates table. Amounts in different currencies are never
        added as they are: converted when the workspace has a reporting currency and rates for
        every row, an error otherwise."""
        if "currency" in plan.request.by:
            return None, {}  # each row is in the currency it is broken down by
        per_table: dict[str, set[str]] = {}
        for name in money_tables(plan):
            stored = self._table_currencies(name)
            per_table[name] = (
                stored if len(stored) <= 1 else currencies_in(plan, name, windows, self.warehouse)
            )
        found = set().union(*per_table.values()) if per_table else set()
        if len(found) <= 1:
            return (found.pop() if found else None), {}
        reporting = self.currency
        if reporting is None:
            raise QueryError(
                f"these amounts are in {len(found)} currencies ({', '.join(sorted(found))}); "
                "adding them up without exchange rates would give a wrong number",
                hint="Narrow to one with --where \"currency = 'USD'\" (or break down by currency).",
            )
        convert = {t: reporting for t, cs in per_table.items() if cs - {reporting}}
        for name in convert:
            lacking = missing_rates(plan, name, windows, reporting, self.warehouse)
            if lacking:
                code, first, days = lacking[0]
                raise QueryError(
                    f"{name} has amounts in {code} on {days} day(s) without an exchange rate to "
                    f"{reporting} (the first: {first})",
                    hint="Load rates with `shakhes rates load FILE` (date, currency, rate), or "
                    f"leave {code} out with --where \"currency != '{code}'\".",
                )
        return reporting, convert

    def _table_currencies(self, name: str) -> set[str]:
        """Every currency a table holds, cached per data version: most tables hold one, and
        then no request needs to check its rows."""
        key = (name, repr(self._version()))
        if key not in self._currency_cache:
            t = self.warehouse.table(name)
            found = self.warehouse.backend.to_pyarrow(t.select("currency").distinct())
            self._currency_cache[key] = {
                c for c in found.column("currency").to_pylist() if c is not None
            }
        return self._currency_cache[key]

    def explain(self, request: Request) -> Explanation:
        """The plan and the SQL the engine runs for ``request``."""
        plan = self.plan(request)
        expr = build_query(plan, plan.windows, self.warehouse)
        return Explanation(plan.describe(), str(ibis.to_sql(expr, dialect=self.warehouse.dialect)))

    def clear_cache(self) -> None:
        self._cache.clear()

    # ---- internals ----------------------------------------------------------------------------

    def _data_range(self, tables: Sequence[str]) -> tuple[dt.date, dt.date] | None:
        """The first and last day with data in any of ``tables``."""
        ranges = [r for t in tables if (r := self.warehouse.date_range(t)) is not None]
        if not ranges:
            return None
        return min(r[0] for r in ranges), max(r[1] for r in ranges)

    def _execute(
        self, plan: Plan, windows: Sequence[Window], convert: Mapping[str, str] | None = None
    ) -> pd.DataFrame:
        expr = build_query(plan, windows, self.warehouse, convert)
        return _to_long(plan, windows, self.warehouse.backend.to_pyarrow(expr))


def _floats(column: pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A numeric Arrow column as float64 with NaN for null and for ±infinity."""
    values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isinf(values), np.nan, values)


def _to_long(plan: Plan, windows: Sequence[Window], wide: pa.Table) -> pd.DataFrame:
    """Reshape the query's wide rows (one per period × breakdown, ordered) to one row per KPI."""
    by = list(plan.request.by)
    kpi_ids = [k.spec.id for k in plan.kpis]
    n, k = wide.num_rows, len(kpi_ids)
    position = {w.index: i for i, w in enumerate(windows)}
    periods = wide.column(PERIOD).to_numpy(zero_copy_only=False)
    at = np.array([position[int(i)] for i in periods], dtype=np.int64)
    repeat = np.repeat(np.arange(n), k)

    def per_window(values: list[object]) -> np.ndarray[Any, np.dtype[np.object_]]:
        spread: np.ndarray[Any, np.dtype[np.object_]] = np.array(values, dtype=object)[at][repeat]
        return spread

    columns: dict[str, Any] = {
        PERIOD: periods[repeat],
        "period_start": per_window([w.start for w in windows]),
        "period_end": per_window([w.end for w in windows]),
        "period_label": per_window([w.label for w in windows]),
        "period_label_fa": per_window([w.label_fa for w in windows]),
    }
    for dim in by:
        columns[dim] = wide.column(dim).to_numpy(zero_copy_only=False)[repeat]
    columns["kpi"] = np.tile(np.array(kpi_ids, dtype=object), n)
    for col in ("value", "numerator", "denominator"):
        if n:
            nan = np.full(n, np.nan)
            matrix = np.column_stack(
                [
                    _floats(wide.column(name))
                    if (name := f"{col}_{i}") in wide.column_names
                    else nan
                    for i in range(k)
                ]
            )
            columns[col] = matrix.reshape(-1)
        else:
            columns[col] = np.empty(0, dtype=np.float64)
    return pd.DataFrame(columns)


def _compare(
    current: pd.DataFrame, previous: pd.DataFrame, windows: Sequence[Window], by: list[str]
) -> pd.DataFrame:
    keys = [PERIOD, *by, "kpi"]
    prev = previous[[*keys, "value"]].rename(columns={"value": "previous_value"})
    out = current.merge(prev, on=keys, how="left")
    bounds = {w.index: (w.start, w.end) for w in windows}
    out["previous_start"] = out[PERIOD].map(lambda i: bounds[i][0])
    out["previous_end"] = out[PERIOD].map(lambda i: bounds[i][1])
    out["change"] = out["value"] - out["previous_value"]
    base = out["previous_value"].abs().replace(0.0, np.nan)
    out["change_pct"] = out["change"] / base
    return out


def _digest(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()
