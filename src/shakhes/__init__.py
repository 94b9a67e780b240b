"""shakhes (شاخص): run marketing by KPIs.

The public Python API::

    import shakhes
    ws = shakhes.Workspace.open("my-workspace")
    result = ws.engine.compute(["ctr", "cpc"], grain="month", by=["channel"])
    result.frame

The names below are imported when first used (PEP 562), so that ``import shakhes`` — and a
command such as ``shakhes --version`` — does not pay for the engine, Ibis and the stores.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shakhes import lazy_imports

__version__ = "0.1.0"

lazy_imports.install()

_EXPORTS = {
    "CalendarSettings": "shakhes.engine.calendar",
    "Grain": "shakhes.engine.calendar",
    "Engine": "shakhes.engine.engine",
    "Explanation": "shakhes.engine.engine",
    "Result": "shakhes.engine.engine",
    "Request": "shakhes.engine.request",
    "FormulaError": "shakhes.errors",
    "ShakhesError": "shakhes.errors",
    "KpiSpec": "shakhes.spec.kpi",
    "GoalSpec": "shakhes.spec.goals",
    "TargetSpec": "shakhes.spec.goals",
    "Workspace": "shakhes.workspace",
    "find": "shakhes.workspace",
    "init": "shakhes.workspace",
}

if TYPE_CHECKING:
    from shakhes.engine.calendar import CalendarSettings, Grain
    from shakhes.engine.engine import Engine, Explanation, Result
    from shakhes.engine.request import Request
    from shakhes.errors import FormulaError, ShakhesError
    from shakhes.spec.goals import GoalSpec, TargetSpec
    from shakhes.spec.kpi import KpiSpec
    from shakhes.workspace import Workspace, find, init


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'shakhes' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "CalendarSettings",
    "Engine",
    "Explanation",
    "FormulaError",
    "GoalSpec",
    "Grain",
    "KpiSpec",
    "Request",
    "Result",
    "ShakhesError",
    "TargetSpec",
    "Workspace",
    "__version__",
    "find",
    "init",
]
