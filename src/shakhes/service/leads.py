"""Which KPIs lead a lagging KPI, by how much, and how surely (what ``shakhes leads`` and the
API return).

The KPIs' daily (or weekly) totals come from the engine (``compute``); the method is
:mod:`shakhes.analysis.leads`. The candidates, unless named, are the KPIs the workspace's goals
link as leading to the lagging KPI (:func:`shakhes.service.goals.driver_links`), else
:data:`DEFAULT_CANDIDATES`. A week grain uses complete weeks only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from shakhes.analysis import leads as method
from shakhes.errors import ShakhesError, UnknownKpiError, nearest
from shakhes.service.compute import Query, compute

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

DEFAULT_CANDIDATES = ("cost", "impressions", "clicks", "sessions", "emails_delivered", "leads")
"""Candidates when none are named and no goal links one to the lagging KPI (those the workspace
defines, but the lagging KPI itself): the volumes marketing moves directly."""
GRAINS = ("day", "week")
DEFAULT_MAX_LAG = {"day": 7, "week": 4}
MAX_LAG = {"day": 60, "week": 26}
"""The longest lag that may be asked for."""


@dataclass(frozen=True)
class LeadsQuery:
    """What to test: the lagging KPI, candidates (comma-separated text or a list; None: from
    the goals, else :data:`DEFAULT_CANDIDATES`), lags 0 … ``max_lag`` (None:
    :data:`DEFAULT_MAX_LAG`), the grain (``day`` or ``week``) and the days to read (None: all
    the data)."""

    lagging: str
    candidates: str | Sequence[str] | None = None
    max_lag: int | None = None
    grain: str = "day"
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class LeadsReport:
    """Every candidate's answer, in the order of the candidates."""

    lagging: str
    grain: str
    max_lag: int
    start: dt.date
    end: dt.date
    candidates_from: str
    """``given``, ``goals`` or ``default``: where the candidates came from."""
    results: list[method.LeadLag]
    skipped: dict[str, str] = field(default_factory=dict)
    """Candidate → why it was not tested (it could not be computed, too little data)."""


def leads(ws: Workspace, query: LeadsQuery) -> LeadsReport:
    """The lead/lag answers of ``query`` (see the module docstring), kept for the workspace's
    state (:func:`shakhes.service.cache.answer`)."""
    from shakhes.service.cache import answer, key_of

    key = (
        query.lagging, key_of(query.candidates), query.max_lag, query.grain, query.start,
        query.end,
    )  # fmt: skip
    return answer(ws, "leads", key, lambda: _leads(ws, query))


def _leads(ws: Workspace, query: LeadsQuery) -> LeadsReport:
    grain = query.grain.strip().lower()
    if grain not in GRAINS:
        raise ShakhesError(
            f"'{query.grain}' is not a grain for leading and lagging",
            code="unknown_grain",
            params={"grain": query.grain, "allowed": list(GRAINS)},
            hint="Use day or week.",
        )
    max_lag = DEFAULT_MAX_LAG[grain] if query.max_lag is None else query.max_lag
    if not 1 <= max_lag <= MAX_LAG[grain]:
        raise ShakhesError(
            f"a maximum lag of {max_lag} is out of range (1 to {MAX_LAG[grain]} {grain}s)",
            code="bad_max_lag",
            params={"max_lag": max_lag, "limit": MAX_LAG[grain]},
        )
    lagging = query.lagging.strip()
    defined = ws.definitions()
    _check(defined, lagging)
    candidates, source = _candidates(ws, defined, lagging, query.candidates)
    result = compute(
        ws,
        Query(kpis=[lagging, *candidates], grain=grain, start=query.start, end=query.end),
    )
    if lagging in result.errors:
        raise result.errors[lagging]
    skipped = {k: e.message for k, e in result.errors.items() if k in candidates}
    frame = result.frame
    if grain == "week":
        frame = frame[frame["complete"] == True]  # noqa: E712 - a column of True/False/None
    series = {
        kpi: dict(zip(rows["period_start"], rows["value"].to_numpy(dtype=np.float64), strict=True))
        for kpi, rows in frame.groupby("kpi", sort=False)
    }
    periods = sorted(series.get(lagging, {}))
    y = np.asarray([series[lagging][p] for p in periods])
    answers = []
    for kpi in candidates:
        if kpi in skipped:
            continue
        x = np.asarray([series.get(kpi, {}).get(p, math.nan) for p in periods])
        try:
            answers.append(method.lead_lag(x, y, max_lag=max_lag, unit=grain, names=(kpi, lagging)))
        except ValueError as exc:
            skipped[kpi] = str(exc)
    return LeadsReport(
        lagging=lagging,
        grain=grain,
        max_lag=max_lag,
        start=result.plan.start,
        end=result.plan.end,
        candidates_from=source,
        results=answers,
        skipped=skipped,
    )


def _check(defined: Mapping[str, object], kpi: str) -> None:
    """An unknown KPI is an error, with a "did you mean" (as the engine words it)."""
    if kpi not in defined:
        guess = nearest(kpi, defined)
        raise UnknownKpiError(
            f"unknown KPI '{kpi}'" + (f" — did you mean '{guess}'?" if guess else ""),
            params={"kpi": kpi},
            hint="The workspace's KPI list shows every KPI it has.",
        )


def _candidates(
    ws: Workspace, defined: Mapping[str, object], lagging: str, given: str | Sequence[str] | None
) -> tuple[list[str], str]:
    if given is not None and (not isinstance(given, str) or given.strip()):
        items = given.split(",") if isinstance(given, str) else list(given)
        out = [k for k in dict.fromkeys(i.strip() for i in items if i.strip()) if k != lagging]
        if not out:
            raise ShakhesError(
                "no candidate to test", code="no_candidates", hint="Name other KPIs than it."
            )
        for kpi in out:
            _check(defined, kpi)
        return out, "given"
    from shakhes.service.goals import driver_links

    linked = [link.leading for link in driver_links(ws) if link.lagging == lagging]
    linked = [k for k in dict.fromkeys(linked) if k != lagging]
    if linked:
        return linked, "goals"
    return [k for k in DEFAULT_CANDIDATES if k in defined and k != lagging], "default"


def records(report: LeadsReport) -> dict[str, Any]:
    """The report as JSON-ready data: every number the table shows, and the correlation at
    every lag."""
    return {
        "lagging": report.lagging,
        "grain": report.grain,
        "max_lag": report.max_lag,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "candidates_from": report.candidates_from,
        "results": [_record(r) for r in report.results],
        "skipped": [{"candidate": k, "reason": v} for k, v in report.skipped.items()],
    }


def _record(answer: method.LeadLag) -> dict[str, Any]:
    cc = answer.correlations
    g = answer.granger
    return {
        "candidate": answer.candidate,
        "verdict": answer.verdict.value,
        "text": answer.text,
        "best_lag": answer.best_lag,
        "r": round(answer.r, 6),
        "bound": round(cc.bound, 6),
        "significant": cc.significant(answer.best_lag),
        "points": cc.n,
        "prewhitening_order": cc.ar_order,
        "correlations": [{"lag": k, "r": round(float(r), 6)} for k, r in enumerate(cc.r)],
        "granger": {
            "lags": g.lag,
            "own_lags": g.own_lags,
            "f": round(g.f, 6) if math.isfinite(g.f) else None,
            "p": g.p,
            "df": [g.df_num, g.df_denom],
            "null": f"the last {g.lag} {answer.unit}s of {answer.candidate} add nothing to "
            f"forecasting {answer.lagging} beyond its own last {g.own_lags}",
        },
        "logs": {"candidate": answer.log_candidate, "lagging": answer.log_lagging},
    }
