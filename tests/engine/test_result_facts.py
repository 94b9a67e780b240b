"""The facts the engine's result carries beside each value — whether its period is complete,
the days a comparison covers, why a KPI was not computed — and the range and grain rules
behind them. Checked against hand-written SQL over the test data (DuckDB and Postgres) and
calendar arithmetic written out here."""

from __future__ import annotations

import calendar
import datetime as dt
import math

import pytest
from support.engine_data import END, START, sql_rows

from shakhes.engine.engine import Engine, Result
from shakhes.errors import FormulaError, QueryError, UnknownKpiError
from shakhes.spec.kpi import KpiSpec

PERIOD = (START, END)
DAY = dt.timedelta(days=1)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def month_bounds(label: str) -> tuple[dt.date, dt.date]:
    year, month = map(int, label.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def rows(result: Result, kpi: str) -> list[dict[str, object]]:
    frame = result.frame
    return frame[frame.kpi == kpi].to_dict("records")  # type: ignore[no-any-return]


def extra_kpi(engine: Engine, kpi_id: str, formula: str, unit: str = "ratio") -> Engine:
    base = engine.definitions["ctr"].model_dump()
    spec = KpiSpec.model_validate({**base, "id": kpi_id, "formula": formula, "unit": unit})
    return Engine(engine.warehouse, {**engine.definitions, kpi_id: spec})


# ---- partial periods ----------------------------------------------------------------------


def test_a_range_that_cuts_a_quarter_marks_it_partial(engine: Engine) -> None:
    result = engine.compute(["clicks"], grain="quarter", period=(dt.date(2024, 2, 15), END))
    q1, q2 = rows(result, "clicks")
    assert (q1["period_start"], q1["period_end"], q1["complete"]) == (
        dt.date(2024, 2, 15),
        dt.date(2024, 3, 31),
        False,
    )
    assert (q2["period_start"], q2["period_end"], q2["complete"]) == (
        dt.date(2024, 4, 1),
        END,
        True,
    )


def test_weeks_at_the_edges_of_the_data_are_partial(engine: Engine) -> None:
    # The default range is the data's (2024-01-01, a Monday, to 2024-06-30, a Sunday); weeks
    # start on Saturday here, so the first and last weeks stick out of it.
    result = engine.compute(["clicks"], grain="week")
    found = rows(result, "clicks")
    for row in found:
        start = row["period_start"]
        assert isinstance(start, dt.date)
        week_start = start - dt.timedelta(days=(start.weekday() - 5) % 7)
        week_end = week_start + 6 * DAY
        assert row["complete"] is (START <= week_start and week_end <= END), row
    assert found[0]["complete"] is False and found[0]["period_start"] == START
    assert found[-1]["complete"] is False and found[-1]["period_end"] == END
    assert sum(1 for r in found if r["complete"]) == len(found) - 2


def test_a_period_beyond_the_data_keeps_its_days_and_is_not_complete(engine: Engine) -> None:
    result = engine.compute(
        ["clicks"], grain="month", period=(dt.date(2024, 6, 1), dt.date(2024, 7, 31))
    )
    june, july = rows(result, "clicks")
    assert june["complete"] is True
    assert (july["period_start"], july["period_end"]) == (dt.date(2024, 7, 1), dt.date(2024, 7, 31))
    assert july["complete"] is False and july["value"] == 0


def test_a_period_the_data_cuts_covers_and_is_compared_over_the_days_it_has(
    engine: Engine,
) -> None:
    # Asked up to Friday 5 July; the data ends on Sunday 30 June. The week from Saturday 29 June
    # covers 29–30 June and is compared with Saturday–Sunday 22–23 June, not the whole week.
    result = engine.compute(
        ["clicks"],
        grain="week",
        period=(dt.date(2024, 6, 15), dt.date(2024, 7, 5)),
        compare="previous",
    )
    last = rows(result, "clicks")[-1]
    assert (last["period_start"], last["period_end"]) == (dt.date(2024, 6, 29), END)
    assert (last["previous_start"], last["previous_end"]) == (
        dt.date(2024, 6, 22),
        dt.date(2024, 6, 23),
    )
    now, before = sql_rows(
        engine.warehouse,
        """SELECT sum(clicks) FILTER (WHERE date >= DATE '2024-06-29'),
                  sum(clicks) FILTER (WHERE date BETWEEN DATE '2024-06-22' AND DATE '2024-06-23')
           FROM ad_performance""",
    )[0]
    assert last["value"] == now and last["previous_value"] == before
    assert last["complete"] is False and last["previous_complete"] is True


def test_a_change_against_a_period_without_data_is_flagged(engine: Engine) -> None:
    result = engine.compute(
        ["cost"], grain="quarter", period=(dt.date(2024, 1, 1), END), compare="previous"
    )
    q1, q2 = rows(result, "cost")
    # 2024-Q1 is compared with 2023-Q4, which has no data: the change is not like for like.
    assert q1["complete"] is True and q1["previous_complete"] is False
    assert q2["complete"] is True and q2["previous_complete"] is True


def test_a_kpi_over_two_tables_is_complete_only_where_both_have_data(engine: Engine) -> None:
    # Churn dates run past the last ad; a KPI reading both covers only the days both cover.
    custom = extra_kpi(engine, "cost_per_churn", "cost / churned(customers)")
    result = custom.compute(["cost", "churn_rate", "cost_per_churn"], grain="month")
    (ads_lo, ads_hi, acq_lo, acq_hi, churn_hi) = sql_rows(
        engine.warehouse,
        """SELECT (SELECT min(date) FROM ad_performance), (SELECT max(date) FROM ad_performance),
                  (SELECT min(acquired_date) FROM customers),
                  (SELECT max(acquired_date) FROM customers),
                  (SELECT max(churned_date) FROM customers)""",
    )[0]
    customers = (acq_lo, max(acq_hi, churn_hi))
    both = (max(ads_lo, customers[0]), min(ads_hi, customers[1]))
    assert churn_hi > ads_hi  # the data set is built so
    for kpi, (lo, hi) in (
        ("cost", (ads_lo, ads_hi)),
        ("churn_rate", customers),
        ("cost_per_churn", both),
    ):
        for row in rows(result, kpi):
            first, last = month_bounds(str(row["period_label"]))
            assert row["complete"] is (lo <= first and last <= hi), (kpi, row["period_label"])
    july = {
        r["kpi"]: r["complete"]
        for r in result.frame.to_dict("records")
        if r["period_label"] == "2024-07"
    }
    assert july == {"cost": False, "churn_rate": True, "cost_per_churn": False}


# ---- the default range ----------------------------------------------------------------------


def test_the_default_range_reaches_the_last_churn(engine: Engine) -> None:
    result = engine.compute(["churn_rate"], grain="month")
    last_churn = sql_rows(engine.warehouse, "SELECT max(churned_date) FROM customers")[0][0]
    labels = list(result.frame.period_label)
    assert labels[-1] == f"{last_churn:%Y-%m}" and labels[0] == "2024-01"
    # Churn after the last acquisition is computed, not cut off: hand SQL for each month.
    for label in labels[1:]:
        first, last = month_bounds(label)
        active, churned = sql_rows(
            engine.warehouse,
            f"""SELECT count(*) FILTER (WHERE acquired_date < DATE '{first}'
                         AND (churned_date IS NULL OR churned_date >= DATE '{first}')),
                       count(*) FILTER (WHERE acquired_date < DATE '{first}'
                         AND churned_date BETWEEN DATE '{first}' AND DATE '{last}')
                FROM customers""",
        )[0]
        assert close(result.value("churn_rate", label), churned / active if active else None)
    assert (result.value("churn_rate", f"{last_churn:%Y-%m}") or 0) > 0


# ---- the total grain ------------------------------------------------------------------------


def test_total_grain_gives_one_value_per_breakdown_over_the_range(engine: Engine) -> None:
    result = engine.compute(["clicks", "ctr", "cpc"], grain="total", by=["channel"], period=PERIOD)
    hand = sql_rows(
        engine.warehouse,
        """SELECT channel, sum(clicks), sum(clicks) * 1.0 / nullif(sum(impressions), 0),
                  sum(cost) / nullif(sum(clicks), 0)
           FROM ad_performance GROUP BY 1 ORDER BY 1""",
    )
    assert len(result.frame) == 3 * 3
    assert set(result.frame.period_label) == {"2024-01-01 – 2024-06-30"}
    assert set(result.frame.period_label_fa) == {"۱۴۰۲/۱۰/۱۱ – ۱۴۰۳/۰۴/۱۰"}
    for channel, clicks, ctr, cpc in hand:
        assert result.value("clicks", channel=channel) == clicks
        assert close(result.value("ctr", channel=channel), ctr)
        assert close(result.value("cpc", channel=channel), cpc)
    assert set(result.frame.complete) == {True}
    wider = engine.compute(["clicks"], grain="total", period=(dt.date(2023, 12, 1), END))
    assert wider.frame.complete.iloc[0] is False  # December 2023 has no data
    assert wider.frame.period_start.iloc[0] == START  # the days it covers


def test_total_grain_compares_with_as_many_days_before_or_a_year_before(engine: Engine) -> None:
    march = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    previous = engine.compute(["clicks"], grain="total", period=march, compare="previous")
    row = previous.frame.iloc[0]
    assert (row.previous_start, row.previous_end) == (dt.date(2024, 1, 30), dt.date(2024, 2, 29))
    hand = sql_rows(
        engine.warehouse,
        "SELECT sum(clicks) FROM ad_performance "
        "WHERE date BETWEEN DATE '2024-01-30' AND DATE '2024-02-29'",
    )[0][0]
    assert row.previous_value == hand and row.previous_complete is True
    last_year = engine.compute(["clicks"], grain="total", period=march, compare="last_year")
    row = last_year.frame.iloc[0]
    assert (row.previous_start, row.previous_end) == (dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    assert row.previous_value == 0 and row.previous_complete is False


def test_reach_is_refused_over_a_total_of_several_days_but_not_of_one(engine: Engine) -> None:
    with pytest.raises(QueryError, match="over the whole range") as caught:
        engine.compute(["reach"], grain="total", period=PERIOD)
    assert caught.value.code == "non_additive"
    one_day = engine.compute(["reach"], grain="total", period=(START, START))
    hand = sql_rows(
        engine.warehouse, "SELECT sum(reach) FROM ad_performance WHERE date = DATE '2024-01-01'"
    )
    assert one_day.frame.value.iloc[0] == hand[0][0]


# ---- one KPI never sinks the rest ----------------------------------------------------------


def test_a_non_additive_kpi_is_null_with_its_reason_and_the_others_compute(engine: Engine) -> None:
    result = engine.compute(["impressions", "reach", "ctr"], grain="month", period=PERIOD)
    assert list(result.errors) == ["reach"]
    error = result.errors["reach"]
    assert error.code == "non_additive" and error.params["column"] == "reach"
    assert "distinct people per day" in error.message
    reach = result.frame[result.frame.kpi == "reach"]
    assert len(reach) == 6 and reach.value.isna().all() and reach.complete.isna().all()
    assert list(dict.fromkeys(result.frame.kpi)) == ["impressions", "reach", "ctr"]  # as asked
    hand = sql_rows(
        engine.warehouse,
        """SELECT CAST(date_trunc('month', date) AS DATE), sum(impressions),
                  sum(clicks) * 1.0 / sum(impressions)
           FROM ad_performance GROUP BY 1 ORDER BY 1""",
    )
    for month, impressions, ctr in hand:
        assert result.value("impressions", f"{month:%Y-%m}") == impressions
        assert close(result.value("ctr", f"{month:%Y-%m}"), ctr)


def test_a_breakdown_one_kpi_lacks_leaves_the_others(engine: Engine) -> None:
    result = engine.compute(["ctr", "roi"], grain="quarter", by=["platform"], period=PERIOD)
    assert result.errors["roi"].code == "breakdown_not_possible"
    assert result.errors["roi"].params == {"kpi": "roi", "dimension": "platform", "table": "orders"}
    hand = sql_rows(
        engine.warehouse,
        """SELECT platform, sum(clicks) * 1.0 / sum(impressions) FROM ad_performance
           WHERE date < DATE '2024-04-01' GROUP BY 1""",
    )
    for platform, ctr in hand:
        assert close(result.value("ctr", "2024-Q1", platform=platform), ctr)
        assert result.value("roi", "2024-Q1", platform=platform) is None


def test_a_filter_one_kpi_cannot_take_leaves_the_others(engine: Engine) -> None:
    result = engine.compute(
        ["clicks", "revenue"], grain="year", period=PERIOD, where="platform = 'meta'"
    )
    assert isinstance(result.errors["revenue"], FormulaError)
    hand = sql_rows(
        engine.warehouse, "SELECT sum(clicks) FROM ad_performance WHERE platform = 'meta'"
    )
    assert result.value("clicks", "2024") == hand[0][0]
    with pytest.raises(FormulaError, match="platform"):  # fits none of the KPIs
        engine.compute(["revenue"], grain="year", period=PERIOD, where="platform = 'meta'")


def test_a_broken_definition_does_not_sink_the_others(engine: Engine) -> None:
    broken = extra_kpi(engine, "broken", "sum(ad_performance.clikcs)")
    result = broken.compute(["clicks", "broken"], grain="year", period=PERIOD)
    assert isinstance(result.errors["broken"], FormulaError)
    hand = sql_rows(engine.warehouse, "SELECT sum(clicks) FROM ad_performance")
    assert result.value("clicks", "2024") == hand[0][0]


def test_errors_in_the_request_still_fail_it(engine: Engine) -> None:
    with pytest.raises(UnknownKpiError):
        engine.compute(["ctr", "crt"], period=PERIOD)
    with pytest.raises(QueryError, match="unknown grain"):
        engine.compute(["ctr", "reach"], grain="fortnight", period=PERIOD)
    with pytest.raises(QueryError, match="did you mean 'channel'") as caught:
        engine.compute(["ctr", "revenue"], by=["chanel"], period=PERIOD)
    assert caught.value.code == "unknown_dimension"
    with pytest.raises(FormulaError):
        engine.compute(["ctr", "reach"], period=PERIOD, where="channel = ")


def test_when_no_kpi_can_be_computed_each_reason_is_given(engine: Engine) -> None:
    with pytest.raises(QueryError) as caught:
        engine.compute(["reach", "roi"], grain="month", by=["platform"], period=PERIOD)
    error = caught.value
    assert error.code == "nothing_computable"
    assert [(i.kpi, i.code) for i in error.issues] == [
        ("reach", "non_additive"),
        ("roi", "breakdown_not_possible"),
    ]


def test_cached_results_keep_their_errors(engine: Engine) -> None:
    cached = Engine(engine.warehouse, engine.definitions)
    first = cached.compute(["clicks", "reach"], grain="month", period=PERIOD)
    second = cached.compute(["clicks", "reach"], grain="month", period=PERIOD)
    assert second.from_cache and list(second.errors) == ["reach"]
    assert second.frame.equals(first.frame)


def test_plain_requests_place_rows_by_date_arithmetic_not_a_day_map(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cheaper path (period index computed from each row's date) must survive the result
    # shaping: only comparisons and Jalali grains join a day → period map.
    from shakhes.engine import execute

    def no_day_map(*args: object) -> None:
        raise AssertionError("a Gregorian grain without a comparison joined a day map")

    monkeypatch.setattr(execute, "window_map", no_day_map)
    for grain in ("day", "week", "month", "quarter", "year", "fiscal_year", "total"):
        Engine(engine.warehouse, engine.definitions).compute(
            ["clicks", "reach", "cost"], grain=grain, period=PERIOD
        )
