"""Compute KPIs and shape the result as records: what ``shakhes compute`` and the API return
(the records are written by :mod:`shakhes.service.computed`, re-exported here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shakhes.engine.engine import Explanation, Result
from shakhes.service.computed import COMPARISONS, Computed, Hint, Query, columns, records

__all__ = [
    "COMPARISONS",
    "Computed",
    "Hint",
    "Query",
    "columns",
    "compute",
    "compute_kept",
    "explain",
    "records",
]

if TYPE_CHECKING:
    from shakhes.engine.request import Request
    from shakhes.spec.kpi import KpiSpec
    from shakhes.workspace import Workspace


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
    return cached(ws, "compute", query.key(), run, warm=asked)


def explain(ws: Workspace, query: Query) -> Explanation:
    """The plan and the SQL the engine would run for ``query``."""
    engine = ws.engine
    with ws.reading():
        return engine.explain(request(ws, query))


def compute_kept(ws: Workspace, query: Query) -> tuple[Result, dict[str, KpiSpec]]:
    """:func:`compute` and the workspace's definitions, for a command: the result is also kept
    in the workspace's folder for the next command that asks the same
    (:mod:`shakhes.service.stored`) — when neither the workspace's state nor its definitions
    changed while it was computed (a result is never kept under a state it was not computed
    for)."""
    from shakhes.service.cache import state
    from shakhes.service.stored import save

    engine = ws.engine  # built (and customers refreshed) before the read session
    with ws.reading() as session:
        before = state(ws, session)
        result = compute(ws, query)
        specs = ws.definitions()
        unchanged = state(ws) == before and engine.definitions == specs
    if unchanged:
        save(ws.root, ws.settings, query, before, result, specs)  # type: ignore[arg-type]
    return result, specs
