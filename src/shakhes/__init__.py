"""shakhes (شاخص): run marketing by KPIs.

The public Python API::

    import shakhes
    ws = shakhes.Workspace.open("my-workspace")
    result = ws.engine.compute(["ctr", "cpc"], grain="month", by=["channel"])
    result.frame
"""

from __future__ import annotations

__version__ = "0.1.0"

from shakhes.engine.calendar import CalendarSettings, Grain
from shakhes.engine.engine import Engine, Explanation, Result
from shakhes.engine.request import Request
from shakhes.errors import FormulaError, ShakhesError
from shakhes.spec.kpi import KpiSpec
from shakhes.workspace import Workspace, find, init

__all__ = [
    "CalendarSettings",
    "Engine",
    "Explanation",
    "FormulaError",
    "Grain",
    "KpiSpec",
    "Request",
    "Result",
    "ShakhesError",
    "Workspace",
    "__version__",
    "find",
    "init",
]
