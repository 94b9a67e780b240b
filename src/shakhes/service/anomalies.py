"""Anomalies of a workspace's KPIs: days that break from their expected value, their size and
severity, and the dimension value that explains most of each (what ``shakhes anomalies`` and
the API return).

The KPIs' daily totals come from the engine (``compute`` at day grain); the method is
:mod:`shakhes.analysis.anomalies`. Days are judged from :data:`~shakhes.analysis.anomalies.
PROFILE_DAYS` × 2 days of history on (the profile of a day's expected value and the spread of
the residuals before it each read eight weeks); ``since`` only chooses which days are
reported (by default the last :data:`DEFAULT_SINCE_DAYS` days of data).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from shakhes.analysis import anomalies as method
from shakhes.errors import QueryError, ShakhesError, nearest
from shakhes.service.compute import Query, compute

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from shakhes.engine.engine import Result
    from shakhes.engine.planner import PlannedKpi
    from shakhes.workspace import Workspace

DEFAULT_KPIS = (
    "cost",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "conversions",
    "conversion_rate",
    "cpa",
    "roas",
    "sessions",
    "orders",
    "revenue",
    "new_customers",
    "leads",
)
"""The KPIs looked at when none are named (those the workspace defines): the headline numbers
of paid media, web and sales."""
EXPLAIN_BY = ("campaign", "platform", "channel")
"""The dimensions an anomaly is explained in when none is named, finest first."""
DEFAULT_SINCE_DAYS = 28
"""Days reported by default: the last four weeks of data."""


@dataclass(frozen=True)
class AnomaliesQuery:
    """What to look for: KPI ids (comma-separated text or a list; None: :data:`DEFAULT_KPIS`),
    the first day to report (None: the last :data:`DEFAULT_SINCE_DAYS` days of data), the
    dimension to explain in (None: :data:`EXPLAIN_BY`) and the last day to report (None: the
    last day of data). A day's expected value and what explains it come from the days before
    it only, so ``until`` changes what is reported, not how: the anomalies up to it are those
    without it, found with less work (a page of one period asks for that period's)."""

    kpis: str | Sequence[str] | None = None
    since: dt.date | None = None
    by: str | None = None
    until: dt.date | None = None
    shared: bool = False
    """One KPI's days from :func:`day_series` (its series computed with its peers, which a
    server's pages of the others share) rather than from a query of its own: the same days
    and values."""


@dataclass(frozen=True)
class Found:
    """One anomaly of one KPI, with what explains it (None when no value does)."""

    kpi: str
    day: dt.date
    anomaly: method.Anomaly
    explanation: method.Explanation | None


@dataclass(frozen=True)
class AnomaliesReport:
    """The anomalies found, most severe first within each day, latest day first."""

    kpis: list[str]
    since: dt.date
    end: dt.date
    """The last day of data."""
    explain_by: list[str]
    found: list[Found]
    skipped: dict[str, str] = field(default_factory=dict)
    """KPI → why it was not looked at (it could not be computed)."""


def anomalies(ws: Workspace, query: AnomaliesQuery) -> AnomaliesReport:
    """The anomalies of ``query`` (see the module docstring), kept for the workspace's state
    (:func:`shakhes.service.cache.answer`)."""
    from shakhes.service.cache import answer, key_of

    key = (key_of(query.kpis), query.since, query.by, query.until, query.shared)
    return answer(ws, "anomalies", key, lambda: _anomalies(ws, query))


def _anomalies(ws: Workspace, query: AnomaliesQuery) -> AnomaliesReport:
    kpis, given = _kpis(ws, query.kpis)
    explain_by = [_dimension(query.by)] if query.by else list(EXPLAIN_BY)
    if query.shared and len(kpis) == 1:
        total = day_series(ws, kpis[0])
    else:
        total = compute(ws, Query(kpis=kpis, grain="day"))
    skipped = {kpi: error.message for kpi, error in total.errors.items() if kpi in kpis}
    if given and set(skipped) == set(kpis):
        raise next(total.errors[kpi] for kpi in kpis)
    start, end = total.plan.start, total.plan.end
    since = query.since or max(start, end - dt.timedelta(days=DEFAULT_SINCE_DAYS - 1))
    ratio = {k.spec.id for k in total.plan.kpis if k.denominator is not None}
    summed = {k.spec.id for k in total.plan.kpis if _sums(k, explain_by, ratio=k.spec.id in ratio)}
    found: list[Found] = []
    flagged: dict[str, list[tuple[dt.date, method.Anomaly, float]]] = {}
    frame = total.frame
    for kpi in kpis:
        if kpi in skipped:
            continue
        rows = _series(frame[frame["kpi"] == kpi], start, end)
        if kpi in ratio:
            den = rows["denominator"]
            base = method.baseline(method.ratio_values(rows["numerator"], den), den)
        else:
            base = method.baseline(rows["value"])
        for hit in method.find(base, since=(since - start).days):
            day = start + dt.timedelta(days=hit.index)
            if query.until is None or day <= query.until:
                flagged.setdefault(kpi, []).append((day, hit, hit.value - hit.expected))
    if flagged:
        first = min(day for hits in flagged.values() for day, _, _ in hits)
        last = max(day for hits in flagged.values() for day, _, _ in hits)
        history = max(start, first - dt.timedelta(days=2 * method.PROFILE_DAYS))
        days = {
            kpi: sorted({(day - history).days for day, _, _ in hits})
            for kpi, hits in flagged.items()
        }
        parts = _breakdowns(ws, days, explain_by, ratio, summed, history, last)
        for kpi, hits in flagged.items():
            for day, hit, change in hits:
                t = (day - history).days
                by_dim = [(dim, b.at(t)) for dim, b in parts.get(kpi, [])]
                found.append(Found(kpi, day, hit, method.explain(by_dim, change)))
    found.sort(key=lambda f: (-f.day.toordinal(), -abs(f.anomaly.z)))
    return AnomaliesReport(kpis, since, end, explain_by, found, skipped)


def day_series(ws: Workspace, kpi: str) -> Result:
    """``kpi`` on every day of its data (``compute --grain day``), computed with its peers: the
    workspace's :data:`DEFAULT_KPIS` whose days come from the same tables and date columns
    (:func:`~shakhes.engine.planner.range_peers`: the same range of days as ``kpi`` alone), in
    one query kept for the workspace's state — a server's KPI pages of any of them (their
    charts and anomaly searches) read it instead of a query each. Its rows for ``kpi`` are
    those of ``kpi`` alone; a KPI outside the defaults, or whose peers cannot be computed
    together, is asked alone."""
    from shakhes.service.cache import answer

    def peers() -> dict[str, tuple[str, ...]]:
        from shakhes.engine.planner import range_peers

        engine = ws.engine
        defined = [k for k in DEFAULT_KPIS if k in engine.definitions]
        return range_peers(defined, engine.definitions, engine.params)

    together = answer(ws, "anomalies.peers", (), peers).get(kpi, (kpi,))
    if len(together) > 1:
        try:
            return compute(ws, Query(kpis=together, grain="day"))
        except ShakhesError:  # none of them computable: the KPI's own error, below
            pass
    return compute(ws, Query(kpis=(kpi,), grain="day"))


def _kpis(ws: Workspace, kpis: str | Sequence[str] | None) -> tuple[list[str], bool]:
    """The KPI ids asked for (checked by the engine), or the defaults the workspace has."""
    if kpis is None or (isinstance(kpis, str) and not kpis.strip()) or not kpis:
        defined = ws.definitions()
        return [k for k in DEFAULT_KPIS if k in defined], False
    items = kpis.split(",") if isinstance(kpis, str) else list(kpis)
    out = list(dict.fromkeys(k.strip() for k in items if k.strip()))
    if not out:
        raise ShakhesError("no KPI given", code="no_kpi", hint="Name one or more KPIs.")
    return out, True


def _dimension(name: str) -> str:
    """``name`` if some table has that dimension; an error with a "did you mean" if not."""
    from shakhes.data.model import TABLES

    name = name.strip()
    known = sorted({d for t in TABLES.values() for d in t.dimensions})
    if name not in known:
        guess = nearest(name, known)
        raise QueryError(
            f"unknown dimension '{name}'" + (f" — did you mean '{guess}'?" if guess else ""),
            code="unknown_dimension",
            params={"dimension": name, "allowed": known},
            hint=f"Dimensions: {', '.join(known)}.",
        )
    return name


def _day_index(period_start: pd.Series, start: dt.date) -> npt.NDArray[np.int64]:
    """Each row's day as a position from ``start`` (the few distinct days converted once: a
    column of dates converts to numpy one Python object at a time)."""
    import pandas as pd

    codes, days = pd.factorize(period_start)
    offsets = np.array([(day - start).days for day in days], dtype=np.int64)
    out: npt.NDArray[np.int64] = offsets[codes]
    return out


def _series(rows: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, Any]:
    """A KPI's value, numerator and denominator per day from ``start`` to ``end`` (NaN for a
    day without a row)."""
    n = (end - start).days + 1
    out = {}
    index = _day_index(rows["period_start"], start)
    for column in ("value", "numerator", "denominator"):
        values = np.full(n, np.nan)
        if column in rows:
            values[index] = rows[column].to_numpy(dtype=np.float64)
        out[column] = values
    return out


def _sums(kpi: PlannedKpi, dimensions: list[str], *, ratio: bool) -> bool:
    """Whether a breakdown of ``kpi`` by one of ``dimensions`` is the sum, per value, of its
    breakdown by all of them: every table it reads has them all, and its value (a ratio KPI:
    its numerator and denominator) is made of sums and counts
    (:func:`shakhes.service.why.additive`)."""
    from shakhes.data.model import table
    from shakhes.service.why import additive

    for name in kpi.tables:
        columns = [table(name).column(d) for d in dimensions if table(name).has_column(d)]
        if len(columns) < len(dimensions) or not all(c.is_dimension for c in columns):
            return False
    if not ratio:
        return additive(kpi.expr)
    parts = (kpi.numerator, kpi.denominator)
    return all(part is not None and additive(part) for part in parts)


def _breakdowns(
    ws: Workspace,
    days: dict[str, list[int]],
    dimensions: list[str],
    ratio: set[str],
    summed: set[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, list[tuple[str, method.Breakdown]]]:
    """Per KPI, each dimension it can be broken down by with its values' breakdown on the
    KPI's ``days`` (positions from ``start``): the days it has anomalies on. The KPIs made of
    sums (``summed``) are broken down by all the dimensions in one query, and each
    dimension's breakdown summed from it; the others by each dimension in a query of its
    own."""
    kpis = sorted(days)
    together = [k for k in kpis if k in summed] if len(dimensions) > 1 else []
    out: dict[str, list[tuple[str, method.Breakdown]]] = {}
    by_all = None
    if together:
        by_all = compute(ws, Query(kpis=together, grain="day", by=tuple(dimensions),
                                   start=start, end=end))  # fmt: skip
    for dim in dimensions:
        alone = [k for k in kpis if k not in together]
        result = None
        if alone:
            try:
                result = compute(ws, Query(kpis=alone, grain="day", by=dim, start=start, end=end))
            except QueryError as error:  # none of their tables has the dimension
                if error.code not in ("unknown_dimension", "not_a_dimension"):
                    raise
        for kpi in kpis:
            found = by_all if kpi in together else result
            if found is None or kpi in found.errors:
                continue
            parts = _breakdown(found.table, kpi, dim, ratio=kpi in ratio, start=start,
                               end=end, days=days[kpi])  # fmt: skip
            out.setdefault(kpi, []).append((dim, parts))
    return out


def _breakdown(
    table: pa.Table,
    kpi: str,
    dim: str,
    *,
    ratio: bool,
    start: dt.date,
    end: dt.date,
    days: list[int],
) -> method.Breakdown:
    """The breakdown on ``days`` (positions from ``start``) of ``kpi`` by ``dim``, from the
    engine's long rows (Arrow) by ``dim`` alone or by several dimensions: one part per value,
    sorted, the rows without a value last as "" (a placeholder); a part's day is the sum of
    its rows that day — no number where none has one (additive: 0), as a query by ``dim``
    alone gives."""
    import pyarrow.compute as pc

    rows = table.filter(pc.equal(table.column("kpi"), kpi))
    day = rows.column("period_start").to_numpy().astype("datetime64[D]")
    index = (day - np.datetime64(start, "D")).astype(np.int64)
    encoded = rows.column(dim).combine_chunks().dictionary_encode()
    found = [str(v) for v in encoded.dictionary.to_pylist()]
    order = sorted(range(len(found)), key=found.__getitem__)
    names = [found[i] for i in order]
    rank = np.empty(len(found) + 1, dtype=np.int64)
    rank[order] = np.arange(len(found))
    rank[len(found)] = len(found)  # a row without a value
    codes = rank[encoded.indices.fill_null(len(found)).to_numpy(zero_copy_only=False)]
    if encoded.null_count:
        names.append("")
    shape = (len(names), (end - start).days + 1)
    cell = codes * shape[1] + index  # each row's (value, day) as one position
    size = shape[0] * shape[1]
    series = {}
    for column in ("numerator", "denominator") if ratio else ("value",):
        values = rows.column(column).to_numpy(zero_copy_only=False).astype(np.float64)
        known = ~np.isnan(values)
        # Summed in the rows' order, as a loop adding each row to its cell would (np.add.at
        # does the same, several times slower).
        total = np.bincount(cell, np.where(known, values, 0.0), size).reshape(shape)
        count = np.bincount(cell[known], minlength=size).reshape(shape)
        total[count == 0] = np.nan
        series[column] = total
    if ratio:
        return method.breakdown(names, series["numerator"], series["denominator"], days=days)
    return method.breakdown(names, np.nan_to_num(series["value"]), days=days)


def records(report: AnomaliesReport) -> dict[str, Any]:
    """The report as JSON-ready data: every number the table shows, and more."""
    return {
        "kpis": report.kpis,
        "since": report.since.isoformat(),
        "end": report.end.isoformat(),
        "explain_by": report.explain_by,
        "threshold": method.THRESHOLD,
        "anomalies": [_record(f) for f in report.found],
        "skipped": [{"kpi": k, "reason": v} for k, v in report.skipped.items()],
    }


def _record(found: Found) -> dict[str, Any]:
    a = found.anomaly
    e = found.explanation
    return {
        "kpi": found.kpi,
        "date": found.day.isoformat(),
        "kind": a.kind.value,
        "value": _num(a.value),
        "expected": _num(a.expected),
        "change": _num(a.change),
        "change_pct": _num(a.change_pct),
        "z": _num(a.z),
        "severity": a.severity,
        "direction": a.direction.value,
        "explained_by": None
        if e is None
        else {
            "dimension": e.dimension,
            "value": e.value,
            "change": _num(e.change),
            "share": _num(e.share),
        },
    }


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)
