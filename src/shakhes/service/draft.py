"""An unsaved KPI's daily values: what the KPI editor's preview chart draws.

The draft goes through the same checks as a saved KPI (its formula parsed and checked
against the data model and the workspace's KPIs, :func:`~shakhes.service.definitions.
check_formula`) and the same compiler (an engine whose definitions are the workspace's plus
the draft, :meth:`~shakhes.workspace.Workspace.draft_engine`): no SQL is ever built from the
formula's text. Nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shakhes.errors import FormulaError
from shakhes.spec.kpi import KpiSpec

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

PREVIEW_DAYS = 90
DRAFT_ID = "draft_preview"
"""The id a draft without one is computed under."""


def preview(
    ws: Workspace, formula: str, *, kpi: KpiSpec | None = None, days: int = PREVIEW_DAYS
) -> dict[str, Any]:
    """The daily values of ``formula`` over the last ``days`` days with data (ending on the
    last day with data, never after today): ``{"from", "to", "points": [{"day", "value"}]}``
    (value null where the formula has none, e.g. a zero denominator). ``kpi``: the definition
    the formula is for (its id, unit, decimals), if any. An invalid formula raises
    :class:`~shakhes.errors.FormulaError` with every issue and its position."""
    from shakhes.engine.calendar import Grain
    from shakhes.service.definitions import check_formula
    from shakhes.service.status import default_day

    issues = check_formula(ws, formula, kpi=kpi.id if kpi is not None else None)
    if issues:
        raise FormulaError(formula, issues)
    spec = _draft(kpi, formula)
    end, _ = default_day(ws)
    start = end - dt.timedelta(days=days - 1)
    engine = ws.draft_engine([spec])
    with ws.reading():
        result = engine.compute([spec.id], Grain.DAY, (), (start, end))
    table = result.table.to_pylist()
    points = [
        {"day": _day(row["period_start"]), "value": _number(row.get("value"))}
        for row in table
        if row.get("kpi", spec.id) == spec.id
    ]
    return {"from": start.isoformat(), "to": end.isoformat(), "points": points}


def _draft(kpi: KpiSpec | None, formula: str) -> KpiSpec:
    if kpi is not None:
        return kpi.model_copy(update={"formula": formula})
    return KpiSpec.model_validate(
        {
            "id": DRAFT_ID,
            "name": {"en": "Draft", "fa": "پیش‌نویس"},
            "description": {"en": "Draft", "fa": "پیش‌نویس"},
            "formula": formula,
            "unit": "count",
            "direction": "higher_is_better",
            "kind": "operational",
            "timing": "lagging",
            "category": "efficiency",
        }
    )


def _day(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> float | None:
    import math

    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
