"""Fixtures for ``report``: a workspace with the hand-made ads of :mod:`support.status_data` for
April 1–10 2025 and all of March (cost at half April's), a goal and two targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.status_data import ad_rows, load

from shakhes.service import goals
from shakhes.spec.goals import DateRange, GoalKpi, PeriodSpec, make_goal
from shakhes.spec.kpi import Kind
from shakhes.workspace import Workspace, init

MARCH = dt.date(2025, 3, 1)


def make_workspace(root: Path, *, with_goals: bool = True, **options: Any) -> Path:
    """A new workspace at ``root`` with the ads of March and April 1–10 (``init`` options passed
    through); ``with_goals`` adds the goal ``traffic`` and its targets."""
    ws = init(root, **options)
    try:
        load(ws, ad_rows(first=MARCH, days=31, scale=0.5))
        load(ws, ad_rows())
        if with_goals:
            _goals(ws)
    finally:
        ws.close()
    return ws.root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of :func:`make_workspace` shared by a module's tests, which only read it."""
    return make_workspace(tmp_path_factory.mktemp("report") / "ws")


@pytest.fixture(scope="module")
def fa_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`root` in Persian on the Jalali calendar."""
    folder = tmp_path_factory.mktemp("report-fa") / "fa"
    return make_workspace(folder, locale="fa", calendar="jalali")


@pytest.fixture
def make_root(tmp_path: Path) -> Callable[..., Path]:
    """:func:`make_workspace` in this test's folder, by name."""

    def make(name: str = "ws", *, with_goals: bool = True, **options: Any) -> Path:
        return make_workspace(tmp_path / name, with_goals=with_goals, **options)

    return make


def _goals(ws: Workspace) -> None:
    month = PeriodSpec(every="month", calendar="gregorian")
    goal = make_goal(
        {
            "id": "traffic",
            "title": {"en": "More traffic", "fa": "ترافیک بیشتر"},
            "period": DateRange(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)),
            "kpis": [
                GoalKpi(kpi="clicks", kind=Kind.OPERATIONAL),
                GoalKpi(kpi="cpc", kind=Kind.OPERATIONAL),
            ],
        }
    )
    goals.add_goal(ws, goal)
    scope = "channel = 'search'"
    goals.set_target(
        ws, "clicks", target_id="search_clicks", scope=scope, period=month, value=2900,
        goal="traffic",
    )  # fmt: skip
    goals.set_target(
        ws, "cpc", target_id="search_cpc", scope=scope, period=month, value=0.4, goal="traffic"
    )
    goals.set_target(ws, "cost", target_id="budget", period=month, min=1000, max=3500)
