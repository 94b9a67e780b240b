"""Compute KPIs and shape the result as records: what ``shakhes compute`` and the API return.

A record is one row of the long result (period × breakdown × KPI) as JSON-ready data: dates in
ISO form, whole numbers as integers, null for NaN, ``complete`` true/false, ``missing`` (when a
KPI reads a column that may be empty, such as reach or leads: how many rows lacked a value —
unknown, left out, never counted as 0), and ``error`` (the code, message and — worded by the
front-end — hint of why a KPI was not computed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.engine.engine import BASE_COLUMNS, COMPARE_COLUMNS, Explanation, Result
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from shakhes.engine.request import Request
    from shakhes.workspace import Workspace

COMPARISONS = {"previous": "previous", "last-year": "last_year", "last_year": "last_year"}
"""How a comparison may be spelled (the CLI's ``last-year``, the API's ``last_year``)."""

Hint = Callable[[ShakhesError], "str | None"]


@dataclass(frozen=True)
class Query:
    """What to compute, as a user asks for it (KPI ids and dimensions may be comma-separated
    text); :func:`compute` checks it."""

    kpis: str | Sequence[str]
    grain: str | None = None
    """None: the workspace's default (``month``, or ``jalali_month`` in a Jalali workspace)."""
    by: str | Sequence[str] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    where: str | None = None
    compare: str | None = None
    """``previous`` or ``last_year`` (also spelled ``last-year``)."""


def request(ws: Workspace, query: Query) -> Request:
    """The engine's request for ``query`` (unknown grains, comparisons and dates are errors)."""
    compare = COMPARISONS.get(query.compare, query.compare) if query.compare else None
    return ws.engine.request(
        query.kpis,
        query.grain or ws.default_grain,
        query.by,
        (query.start, query.end),
        query.where,
        compare,  # type: ignore[arg-type]  # checked by Engine.request
    )


def compute(ws: Workspace, query: Query) -> Result:
    """The KPIs of ``query`` per period (see :meth:`shakhes.engine.engine.Engine.run`).

    One read session for the request (its default range reads the data's dates) and the run:
    one connection instead of one each, and both see the same data. The result is kept for
    the workspace's state (:mod:`shakhes.service.cache`): asked again, it is answered without
    the warehouse, even while an import holds it."""
    from shakhes.service.cache import cached

    def run() -> Result:
        engine = ws.engine  # first: building it may write (customers from orders), not in a read
        with ws.reading():
            return engine.run(request(ws, query))

    asked = ws.current_session is None  # asked for itself (the API), not by a page
    if asked:
        ws.engine  # noqa: B018  # built (and customers refreshed) before the cache's read session
    return cached(ws, "compute", _key(query), run, warm=asked)


def _key(query: Query) -> Hashable:
    """``query`` as a cache key (its lists as tuples)."""

    def frozen(value: str | Sequence[str]) -> str | tuple[str, ...]:
        return value if isinstance(value, str) else tuple(value)

    return (frozen(query.kpis), query.grain, frozen(query.by), query.start, query.end,
            query.where, COMPARISONS.get(query.compare or "", query.compare))  # fmt: skip


def explain(ws: Workspace, query: Query) -> Explanation:
    """The plan and the SQL the engine would run for ``query``."""
    engine = ws.engine
    with ws.reading():
        return engine.explain(request(ws, query))


def columns(result: Result, *, components: bool = False) -> list[str]:
    """The columns of a result's records (CSV and JSON), in order."""
    cols = [*BASE_COLUMNS, *result.request.by, "kpi", "value", "complete"]
    if result.plan.may_lack:
        cols.append("missing")
    if components:
        cols += ["numerator", "denominator"]
    if result.request.compare:
        cols += list(COMPARE_COLUMNS)
    return [*cols, "error"]


def records(
    result: Result, *, components: bool = False, hint: Hint | None = None
) -> list[dict[str, Any]]:
    """One JSON-ready record per row of ``result`` (see the module docstring); ``hint`` words
    the hint of a KPI's error for the front-end (the CLI's names its options)."""
    cols = [c for c in columns(result, components=components) if c != "error"]
    errors = {kpi: _error(error, hint) for kpi, error in result.errors.items()}
    out = []
    for row in result.records():
        record = {c: _clean(row[c]) for c in cols}
        record["error"] = errors.get(str(row["kpi"]))
        out.append(record)
    return out


def _error(error: ShakhesError, hint: Hint | None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": error.code, "message": error.message}
    text = hint(error) if hint is not None else error.hint
    if text:
        out["hint"] = text
    return out


def _clean(value: Any) -> Any:
    """A frame cell as JSON data: null for NaN and NaT, ISO dates, whole numbers as integers."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
