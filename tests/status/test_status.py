"""``shakhes.service.status`` on hand-made data: actual and linear expected to date worked out
by hand, the scope compared with hand SQL, ratio KPIs through their numerator and denominator,
lower-is-better KPIs, data through, the goal roll-up, and KPIs that cannot be tracked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from support.engine_data import sql_rows
from support.status_data import DAYS, FIRST, LAST, SEARCH, SOCIAL

from shakhes.analysis.tracking import Status
from shakhes.service import goals
from shakhes.service.history import Shape, daily_histories, shape_of
from shakhes.service.status import StatusReport, TargetStatus, default_day, status, worst
from shakhes.spec.goals import DateRange, GoalKpi, PeriodSpec, make_goal
from shakhes.spec.kpi import Kind
from shakhes.workspace import Workspace

APRIL = PeriodSpec(every="month", calendar="gregorian")
APRIL_RANGE = DateRange(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))


def _goal(ws: Workspace, goal_id: str, *kpis: str) -> None:
    spec = make_goal(
        {
            "id": goal_id,
            "title": {"en": goal_id.title()},
            "period": APRIL_RANGE,
            "kpis": [GoalKpi(kpi=k, kind=ws.definitions()[k].kind) for k in kpis],
        }
    )
    goals.add_goal(ws, spec)


def _by_id(report: StatusReport) -> dict[str, TargetStatus]:
    return {t.spec.id: t for t in report.targets}


@pytest.fixture
def ws(make_workspace: Callable[..., Workspace]) -> Workspace:
    """Two goals and a budget that serves none (see each target's comment for its numbers)."""
    ws = make_workspace()
    _goal(ws, "traffic", "clicks", "cpc")
    _goal(ws, "floor", "clicks")
    # search clicks: 100 a day → 1,000 in 10 days; 3,000 in 30 is exactly the pace
    goals.set_target(
        ws,
        "clicks",
        target_id="search_clicks",
        scope="channel = 'search'",
        period=APRIL,
        value=2900,
        goal="traffic",
    )
    # search CPC: 50 / 100 = 0.50 every day, the target 0.40 is out of reach
    goals.set_target(
        ws,
        "cpc",
        target_id="search_cpc",
        scope="channel = 'search'",
        period=APRIL,
        value=0.4,
        goal="traffic",
    )
    # all clicks: 150 a day → 1,500 in 10 days; 900 is already in
    goals.set_target(ws, "clicks", target_id="clicks_in", period=APRIL, value=900, goal="floor")
    # all clicks: 4,500 in 30 days is the pace
    goals.set_target(
        ws, "clicks", target_id="all_clicks", period=APRIL_RANGE, value=4400, goal="floor"
    )
    # spend: 90 a day → 900 in 10 days, already over a budget of 800
    goals.set_target(ws, "cost", target_id="budget", period=APRIL, value=800)
    return ws


def test_actual_and_linear_expected_by_hand(make_workspace: Callable[..., Workspace]) -> None:
    """The brief's example: 10 days of 100 clicks in a 30-day month, target 3,000."""
    ws = make_workspace()
    goals.set_target(
        ws,
        "clicks",
        target_id="search_clicks",
        scope="channel = 'search'",
        period=APRIL,
        value=3000,
    )
    (t,) = status(ws).targets
    assert t.tracking is not None
    assert t.data_through == LAST and t.instance.start == dt.date(2025, 4, 1)
    assert t.tracking.actual == 1000.0
    assert t.tracking.pacing.value == "linear"  # ten days: too little history for a profile
    assert t.tracking.expected == pytest.approx(1000.0)
    assert t.tracking.elapsed_share == pytest.approx(10 / 30)
    assert (t.tracking.days_elapsed, t.tracking.days_remaining) == (10, 20)
    assert t.tracking.forecast == pytest.approx(3000.0)  # the same 100 a day for 20 more days
    assert t.tracking.run_rate_needed_min == pytest.approx(100.0)  # (3,000 - 1,000) / 20


def test_every_number_of_each_target(ws: Workspace) -> None:
    report = status(ws)
    assert (report.on, report.on_source) == (LAST, "data")
    found = _by_id(report)
    search = found["search_clicks"].tracking
    assert search is not None
    assert (search.actual, search.status) == (DAYS * SEARCH["clicks"], Status.ON_TRACK)
    assert search.probability == 1.0 and search.forecast == pytest.approx(3000.0)

    cpc = found["search_cpc"].tracking
    assert cpc is not None and cpc.kind == "ratio"
    assert cpc.numerator == DAYS * SEARCH["cost"] and cpc.denominator == DAYS * SEARCH["clicks"]
    assert cpc.actual == pytest.approx(0.5) and cpc.expected == pytest.approx(0.4)
    assert cpc.forecast == pytest.approx(0.5) and cpc.probability == 0.0
    assert cpc.status is Status.OFF_TRACK
    # the remaining 2,000 clicks must cost at most 0.4 × 3,000 - 500 = 700: 0.35 each
    assert cpc.run_rate_needed_max == pytest.approx(0.35)

    clicks_in = found["clicks_in"].tracking
    assert clicks_in is not None and clicks_in.actual == 1500.0
    assert clicks_in.status is Status.ACHIEVED  # clicks never go down: 900 is already in

    budget = found["budget"].tracking
    assert budget is not None
    assert budget.actual == DAYS * (SEARCH["cost"] + SOCIAL["cost"])
    assert budget.status is Status.MISSED  # spend never goes down: over budget for good
    assert budget.direction.value == "lower_is_better"


def test_the_scope_reads_only_its_rows(ws: Workspace) -> None:
    found = _by_id(status(ws))
    with ws.reading() as session:
        ((search, every),) = sql_rows(
            session.warehouse,
            "SELECT sum(CASE WHEN channel = 'search' THEN clicks ELSE 0 END), sum(clicks) "
            "FROM ad_performance WHERE date BETWEEN DATE '2025-04-01' AND DATE '2025-04-30'",
        )
        ((cost, clicks),) = sql_rows(
            session.warehouse,
            "SELECT sum(cost), sum(clicks) FROM ad_performance WHERE channel = 'search'",
        )
    assert found["search_clicks"].actual == search == 1000
    assert found["all_clicks"].actual == every == 1500
    cpc = found["search_cpc"].tracking
    assert cpc is not None and (cpc.numerator, cpc.denominator) == (cost, clicks)


def test_goals_roll_up_to_their_worst_target(ws: Workspace) -> None:
    report = status(ws)
    floor, traffic = report.goals  # sorted by id
    assert traffic.goal.id == "traffic" and floor.goal.id == "floor"
    assert [(k.kpi, k.status) for k in traffic.kpis] == [
        ("clicks", Status.ON_TRACK),
        ("cpc", Status.OFF_TRACK),
    ]
    assert traffic.status is Status.OFF_TRACK
    (clicks,) = floor.kpis
    assert sorted((t.spec.id, t.status) for t in clicks.targets) == [
        ("all_clicks", Status.ON_TRACK),
        ("clicks_in", Status.ACHIEVED),
    ]
    assert clicks.status is Status.ON_TRACK and floor.status is Status.ON_TRACK
    assert floor.counts() == {
        "achieved": 1,
        "on_track": 1,
        "at_risk": 0,
        "off_track": 0,
        "missed": 0,
    }
    (loose,) = report.without_goal  # the budget serves no goal
    assert loose.kpi == "cost" and loose.status is Status.MISSED
    assert worst([None, Status.ACHIEVED, Status.MISSED, Status.AT_RISK]) is Status.MISSED
    assert worst([None]) is None


def test_goals_without_anything_running_are_left_out(ws: Workspace) -> None:
    spec = make_goal(
        {
            "id": "last_year",
            "title": {"en": "Last year"},
            "period": DateRange(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
            "kpis": [GoalKpi(kpi="clicks", kind=Kind.OPERATIONAL)],
        }
    )
    goals.add_goal(ws, spec)
    assert [g.goal.id for g in status(ws).goals] == ["floor", "traffic"]
    (asked,) = status(ws, goal="last_year").goals
    assert asked.kpis[0].targets == () and asked.status is None


def test_one_goal_only(ws: Workspace) -> None:
    report = status(ws, goal="floor")
    assert [g.goal.id for g in report.goals] == ["floor"] and report.without_goal == ()
    assert sorted(t.spec.id for t in report.targets) == ["all_clicks", "clicks_in"]
    with pytest.raises(Exception, match="flor") as info:
        status(ws, goal="flor")
    assert getattr(info.value, "code", None) == "unknown_goal"


def test_data_through_is_the_last_day_with_data_not_the_day_asked(ws: Workspace) -> None:
    later = _by_id(status(ws, on=dt.date(2025, 4, 20)))["search_clicks"]
    assert later.data_through == LAST  # the days after the data are forecast, not zeros
    assert later.tracking is not None and later.tracking.days_elapsed == 10
    assert later.tracking.actual == 1000
    earlier = _by_id(status(ws, on=dt.date(2025, 4, 5)))["search_clicks"]
    assert earlier.data_through == dt.date(2025, 4, 5)  # nothing after the day asked
    assert earlier.tracking is not None and earlier.tracking.actual == 500
    assert earlier.trend == ()  # no whole week before the 5th
    may = status(ws, on=dt.date(2025, 5, 10))  # May's instances: no data in May yet
    t = _by_id(may)["search_clicks"]
    assert t.instance.start == dt.date(2025, 5, 1) and t.data_through == LAST
    assert t.tracking is not None and t.tracking.actual == 0 and t.tracking.days_elapsed == 0
    assert "all_clicks" not in _by_id(may)  # a fixed April range does not apply in May


def test_default_day_is_the_last_day_with_data(
    make_workspace: Callable[..., Workspace], tmp_path: Any
) -> None:
    from shakhes.workspace import init

    assert default_day(make_workspace()) == (LAST, "data")
    empty = init(tmp_path / "empty")
    try:
        day, source = default_day(empty)
        assert source == "today" and day >= dt.date(2025, 4, 10)
        report = status(empty)
        assert report.targets == [] and report.goals == () and report.without_goal == ()
    finally:
        empty.close()


def test_the_trend_is_weeks_through_data_through(ws: Workspace) -> None:
    t = _by_id(status(ws))["search_cpc"]
    (week,) = t.trend  # ten days hold one whole week ending on the 10th
    assert (week.start, week.end, week.value) == (dt.date(2025, 4, 4), LAST, pytest.approx(0.5))
    clicks = _by_id(status(ws))["all_clicks"]
    assert [p.value for p in clicks.trend] == [7 * 150]


def test_cpm_is_tracked_as_a_ratio_of_cost_times_1000_to_impressions(ws: Workspace) -> None:
    """CPM (cost / impressions × 1000) is a ratio scaled by a constant: numerator cost × 1000
    and denominator impressions are forecast jointly. Every day of April 1–10 costs 50 + 40 =
    90 for 2,000 + 5,000 = 7,000 impressions, so every day's CPM is 90,000 / 7,000 ≈ 12.86,
    and so are the value to date and every outcome at the end of April (a history without
    variation has no spread). A cap of 20 is met for sure, a cap of 12 missed for sure;
    search alone (50,000 / 2,000 = 25) misses a cap of 20."""
    goals.set_target(ws, "cpm", target_id="cpm_cap", period=APRIL, value=20)
    goals.set_target(ws, "cpm", target_id="cpm_tight", period=APRIL, value=12)
    scope = "channel = 'search'"
    goals.set_target(ws, "cpm", target_id="cpm_search", scope=scope, period=APRIL, value=20)
    found = _by_id(status(ws))
    spend = DAYS * (SEARCH["cost"] + SOCIAL["cost"])
    impressions = DAYS * (SEARCH["impressions"] + SOCIAL["impressions"])
    cpm = spend * 1000 / impressions
    # the rest of April at the same daily rate: 30 days in all
    final = (30 * (SEARCH["cost"] + SOCIAL["cost"]) * 1000) / (
        30 * (SEARCH["impressions"] + SOCIAL["impressions"])
    )
    cap = found["cpm_cap"]
    assert cap.problem is None and cap.shape == "ratio"
    t = cap.tracking
    assert t is not None and t.kind == "ratio"
    assert cap.actual == pytest.approx(cpm) == pytest.approx(90_000 / 7_000)
    assert (t.numerator, t.denominator) == (pytest.approx(spend * 1000), impressions)
    # at the end of April: 30 days of both
    assert t.forecast_numerator == pytest.approx(30 * (SEARCH["cost"] + SOCIAL["cost"]) * 1000)
    assert t.forecast_denominator == pytest.approx(30 * 7_000)
    assert (t.forecast, t.forecast_low, t.forecast_high) == (
        pytest.approx(final),
        pytest.approx(final),
        pytest.approx(final),
    )
    assert t.expected == pytest.approx(20)  # numerator and denominator share one rhythm
    assert (t.probability, cap.status) == (1.0, Status.ON_TRACK)
    tight = found["cpm_tight"]
    assert tight.tracking is not None and tight.tracking.probability == 0.0
    assert tight.status is Status.OFF_TRACK
    search = found["cpm_search"]
    assert search.actual == pytest.approx(SEARCH["cost"] * 1000 / SEARCH["impressions"]) == 25
    assert search.tracking is not None and search.tracking.forecast == pytest.approx(25)
    assert search.status is Status.OFF_TRACK


def test_kpis_that_cannot_be_tracked_say_why(ws: Workspace) -> None:
    goals.set_target(ws, "reach", target_id="reach_floor", period=APRIL, value=1000)
    goals.set_target(ws, "revenue", target_id="revenue_floor", period=APRIL, value=1000)
    found = _by_id(status(ws))
    reach = found["reach_floor"]  # people per day do not add up over days
    assert reach.problem is not None and reach.problem.code == "not_trackable"
    assert reach.shape == "other" and reach.status is None
    revenue = found["revenue_floor"]  # the orders table is empty
    assert revenue.problem is not None and revenue.problem.code == "no_data"
    assert revenue.data_through is None and revenue.actual is None
    loose = {k.kpi: k.status for k in status(ws).without_goal}
    assert loose == {"cost": Status.MISSED, "reach": None, "revenue": None}


def test_shapes_of_catalog_kpis(ws: Workspace) -> None:
    kpis = {
        "clicks": Shape.ADDITIVE,
        "new_customers": Shape.ADDITIVE,
        "ctr": Shape.RATIO,
        "cpa": Shape.RATIO,
        "roi": Shape.RATIO,  # (revenue × margin - cost) / cost
        "aov": Shape.RATIO,
        "cpm": Shape.RATIO,  # cost × 1000 / impressions, as the engine splits it
        "reach": Shape.OTHER,
        "bounce_rate": Shape.RATIO,  # 1 - engaged / sessions: (sessions - engaged) / sessions
        "churn_rate": Shape.OTHER,  # snapshots
    }
    plan = ws.engine.plan(ws.engine.request(list(kpis), "day", period=(FIRST, LAST)))
    assert {k.spec.id: shape_of(k.expr) for k in plan.kpis} == kpis


def test_history_starts_with_the_data(ws: Workspace) -> None:
    found = daily_histories(
        ws, ["clicks", "ctr"], scope="channel = 'social'", start=dt.date(2024, 1, 1), end=LAST
    )
    clicks, ctr = found["clicks"], found["ctr"]
    assert clicks.series is not None and clicks.series.start == FIRST and clicks.through == LAST
    assert clicks.series.values.tolist() == [SOCIAL["clicks"]] * DAYS  # type: ignore[union-attr]
    assert ctr.shape is Shape.RATIO and ctr.coverage == (FIRST, LAST)
    bad = daily_histories(ws, ["clicks"], scope="device = 'mobile'", start=FIRST, end=LAST)
    assert bad["clicks"].series is None and bad["clicks"].problem is not None


def test_rows_without_a_value_are_left_out_and_counted(tmp_path: Any) -> None:
    """Video views known on search's rows only: the target's actual is search's sum, and the
    social rows that lacked a value are counted as missing (unknown), never added as 0."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from support.status_data import ad_rows, load

    from shakhes.workspace import init

    rows = ad_rows()
    search = pc.equal(rows.column("channel"), "search")
    views = pc.if_else(search, pa.scalar(10, pa.int64()), pa.scalar(None, pa.int64()))
    rows = rows.set_column(rows.schema.get_field_index("video_views"), "video_views", views)
    expected_missing = rows.num_rows - pc.sum(search.cast(pa.int64())).as_py()  # social rows
    ws = init(tmp_path / "views")
    try:
        load(ws, rows)
        goals.set_target(ws, "video_views", target_id="views", period=APRIL, value=300)
        (t,) = status(ws).targets
        assert t.tracking is not None
        assert t.tracking.actual == 10 * DAYS  # search's rows only
        assert t.missing == expected_missing == DAYS  # one social row a day
        assert t.to_dict()["missing"] == DAYS
    finally:
        ws.close()
