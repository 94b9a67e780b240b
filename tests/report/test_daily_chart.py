"""The KPI page's day-by-day chart (``daily_html``): the figure it writes — every trace, the
layout, the template — equals the golden file of each case, made with plotly's figure objects
before the chart was written as plain data (tests/report/charts/*.json)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shakhes.report.charts import daily_html
from shakhes.spec.catalog import load_catalog

HERE = Path(__file__).parent / "charts"
DAYS = tuple(dt.date(2025, 7, 1) + dt.timedelta(days=i) for i in range(31))
VALUES = tuple(None if i in (4, 30) else 1000.0 + 37.5 * (i % 7) - 3 * i for i in range(31))
BEFORE = tuple(900.0 + 11.25 * (i % 5) for i in range(31))
CASES: dict[str, dict[str, Any]] = {
    "cost_en": {"kpi": "cost", "lang": "en", "calendar": "gregorian", "currency": "USD"},
    "cost_fa_jalali": {"kpi": "cost", "lang": "fa", "calendar": "jalali", "currency": "IRR"},
    "ctr_en_compared_marked": {
        "kpi": "ctr", "lang": "en", "calendar": "gregorian", "currency": "USD",
        "comparison": True, "marks": True,
    },
    "roas_fa_compared_marked": {
        "kpi": "roas", "lang": "fa", "calendar": "jalali", "currency": "IRR",
        "comparison": True, "marks": True,
    },
}  # fmt: skip


def figure(
    kpi: str,
    lang: str,
    calendar: str,
    currency: str,
    comparison: bool = False,
    marks: bool = False,
) -> dict[str, Any]:
    """The figure ``daily_html`` writes for a case: its data, layout and config as JSON."""
    spec = {s.id: s for s in load_catalog()}[kpi]
    scale = 0.0001 if kpi == "ctr" else 1.0
    html = daily_html(
        spec,
        DAYS,
        tuple(None if v is None else v * scale for v in VALUES),
        comparison=tuple(v * scale for v in BEFORE) if comparison else None,
        marks=((DAYS[3], "anomaly: 4 July"), (DAYS[4], "no value that day")) if marks else (),
        lang=lang,
        calendar=calendar,
        currency=currency,
        font="Vazirmatn",
        div_id="daily-x",
    )
    call = r'Plotly\.newPlot\(\s*"daily-x",\s*(\[.*\]),\s*(\{.*\}),\s*(\{.*\})\s*\)'
    found = re.search(call, html, re.S)
    assert found is not None, html[:500]
    data, layout, config = (json.loads(part) for part in found.groups())
    return {"data": data, "layout": layout, "config": config}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_chart_is_the_golden_figure(name: str) -> None:
    want = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    assert figure(**CASES[name]) == want
