"""Engine semantics, each checked against hand-written SQL on the same backend (DuckDB and
Postgres) or a small worked example."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pyarrow as pa
import pytest
from support.engine_data import END, START, sql_rows

from shakhes.data.warehouse import Warehouse
from shakhes.engine.calendar import CalendarSettings
from shakhes.engine.engine import Engine
from shakhes.errors import FormulaError, QueryError, UnknownKpiError
from shakhes.spec.catalog import load_catalog
from shakhes.spec.kpi import KpiSpec

PERIOD = (START, END)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def value_or_none(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)  # type: ignore[arg-type]


def test_ratio_of_sums_by_month_and_channel(engine: Engine) -> None:
    result = engine.compute(["ctr", "cpc", "roas"], grain="month", by=["channel"], period=PERIOD)
    hand = sql_rows(
        engine.warehouse,
        """
        SELECT CAST(date_trunc('month', date) AS DATE) AS m, channel,
               sum(clicks) * 1.0 / nullif(sum(impressions), 0),
               sum(cost) / nullif(sum(clicks), 0),
               sum(conversion_value) / nullif(sum(cost), 0),
               sum(clicks), sum(impressions)
        FROM ad_performance
        WHERE date BETWEEN DATE '2024-01-01' AND DATE '2024-06-30'
        GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    assert len(hand) == 17  # video has no March rows
    for m, channel, ctr, cpc, roas, clicks, imps in hand:
        label = f"{m:%Y-%m}"
        assert close(result.value("ctr", label, channel=channel), value_or_none(ctr))
        assert close(result.value("cpc", label, channel=channel), value_or_none(cpc))
        assert close(result.value("roas", label, channel=channel), value_or_none(roas))
        row = result.frame[
            (result.frame.kpi == "ctr")
            & (result.frame.period_label == label)
            & (result.frame.channel == channel)
        ].iloc[0]
        assert row.numerator == clicks and row.denominator == imps


def test_date_spine_keeps_empty_periods(engine: Engine) -> None:
    result = engine.compute(["clicks", "ctr"], grain="month", by=["channel"], period=PERIOD)
    assert len(result.frame) == 6 * 3 * 2  # every month × every channel × 2 KPIs
    assert result.value("clicks", "2024-03", channel="video") == 0
    assert result.value("ctr", "2024-03", channel="video") is None
    days = engine.compute(["clicks"], grain="day", period=(dt.date(2023, 12, 30), START))
    assert list(days.frame.period_label) == ["2023-12-30", "2023-12-31", "2024-01-01"]
    assert list(days.frame.value[:2]) == [0.0, 0.0]


def test_multi_table_kpis_do_not_fan_out(engine: Engine) -> None:
    result = engine.compute(["roi", "cac", "aov"], grain="month", period=PERIOD)
    hand = sql_rows(
        engine.warehouse,
        """
        WITH a AS (SELECT CAST(date_trunc('month', date) AS DATE) m, sum(cost) AS spend
                   FROM ad_performance GROUP BY 1),
             o AS (SELECT CAST(date_trunc('month', order_date) AS DATE) m, sum(revenue) rev,
                          count(*) n FROM orders GROUP BY 1),
             c AS (SELECT CAST(date_trunc('month', acquired_date) AS DATE) m, count(*) n
                   FROM customers GROUP BY 1)
        SELECT a.m, (o.rev - a.spend) / a.spend, a.spend / c.n, o.rev / o.n
        FROM a JOIN o ON a.m = o.m JOIN c ON c.m = a.m ORDER BY 1""",
    )
    assert len(hand) == 6
    for m, roi, cac, aov in hand:
        label = f"{m:%Y-%m}"
        assert close(result.value("roi", label), float(roi))
        assert close(result.value("cac", label), float(cac))
        assert close(result.value("aov", label), float(aov))


def test_churn_rate_counts_customers_active_at_period_start(engine: Engine) -> None:
    result = engine.compute(["churn_rate", "retention_rate"], grain="month", period=PERIOD)
    hand = sql_rows(
        engine.warehouse,
        """
        WITH p AS (SELECT DISTINCT CAST(date_trunc('month', date) AS DATE) s FROM ad_performance)
        SELECT p.s,
          count(*) FILTER (WHERE c.acquired_date < p.s
                           AND (c.churned_date IS NULL OR c.churned_date >= p.s)),
          count(*) FILTER (WHERE c.acquired_date < p.s AND c.churned_date >= p.s
                           AND c.churned_date < p.s + INTERVAL '1 month')
        FROM p CROSS JOIN customers c GROUP BY 1 ORDER BY 1""",
    )
    assert hand[0][1] == 0  # nobody is active before the first day
    assert result.value("churn_rate", "2024-01") is None
    for start, active, churned in hand[1:]:
        assert active > 0
        label = f"{start:%Y-%m}"
        assert close(result.value("churn_rate", label), churned / active)
        assert close(result.value("retention_rate", label), 1 - churned / active)


def test_where_filter_applies_to_every_table(engine: Engine) -> None:
    result = engine.compute(
        ["cost", "revenue"], grain="quarter", period=PERIOD, where="channel in ('search', 'social')"
    )
    hand = sql_rows(
        engine.warehouse,
        """
        SELECT (SELECT sum(cost) FROM ad_performance WHERE channel IN ('search','social')
                AND date < DATE '2024-04-01'),
               (SELECT sum(revenue) FROM orders WHERE channel IN ('search','social')
                AND order_date < DATE '2024-04-01')""",
    )
    assert close(result.value("cost", "2024-Q1"), float(hand[0][0]))
    assert close(result.value("revenue", "2024-Q1"), float(hand[0][1]))


def test_breakdown_by_a_dimension_a_table_lacks_is_an_error(engine: Engine) -> None:
    with pytest.raises(QueryError, match=r"roi.*orders.*no dimension 'platform'"):
        engine.compute(["roi"], by=["platform"], period=PERIOD)
    with pytest.raises(QueryError, match="did you mean 'channel'"):
        engine.compute(["ctr"], by=["chanel"], period=PERIOD)


def test_non_additive_reach_is_refused_above_day_grain(engine: Engine) -> None:
    with pytest.raises(QueryError, match=r"(?s)distinct people per day.*approx_sum"):
        engine.compute(["reach"], grain="month", period=PERIOD)
    day = engine.compute(["reach"], grain="day", period=(START, START))
    hand = sql_rows(
        engine.warehouse, "SELECT sum(reach) FROM ad_performance WHERE date = DATE '2024-01-01'"
    )
    assert day.value("reach", "2024-01-01") == hand[0][0]
    defs = {
        **engine.definitions,
        "approx_reach": KpiSpec.model_validate(
            {
                **engine.definitions["reach"].model_dump(),
                "id": "approx_reach",
                "formula": "approx_sum(ad_performance.reach)",
            }
        ),
    }
    approx = Engine(engine.warehouse, defs).compute(["approx_reach"], grain="month", period=PERIOD)
    hand = sql_rows(
        engine.warehouse, "SELECT sum(reach) FROM ad_performance WHERE date < DATE '2024-02-01'"
    )
    assert approx.value("approx_reach", "2024-01") == hand[0][0]


def test_division_by_zero_is_null_not_an_error(engine: Engine) -> None:
    # 2023 has no data at all: every ratio is undefined, every count 0.
    result = engine.compute(
        ["ctr", "cpa", "clicks"], grain="year", period=(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    )
    assert result.value("ctr", "2023") is None
    assert result.value("cpa", "2023") is None
    assert result.value("clicks", "2023") == 0


def test_compare_previous_partial_period_uses_same_number_of_days(engine: Engine) -> None:
    result = engine.compute(
        ["clicks", "ctr"],
        grain="month",
        period=(dt.date(2024, 2, 1), dt.date(2024, 3, 10)),
        compare="previous",
    )
    hand = sql_rows(
        engine.warehouse,
        """
        SELECT sum(clicks), sum(clicks) * 1.0 / sum(impressions) FROM ad_performance
        WHERE date BETWEEN DATE '2024-02-01' AND DATE '2024-02-10'""",
    )
    march = result.frame[
        (result.frame.period_label == "2024-03") & (result.frame.kpi == "clicks")
    ].iloc[0]
    assert march.previous_start == dt.date(2024, 2, 1)
    assert march.previous_end == dt.date(2024, 2, 10)
    assert march.previous_value == hand[0][0]
    assert close(march.change, march.value - hand[0][0])
    assert close(march.change_pct, (march.value - hand[0][0]) / hand[0][0])
    ctr = result.frame[(result.frame.period_label == "2024-03") & (result.frame.kpi == "ctr")]
    assert close(float(ctr.previous_value.iloc[0]), float(hand[0][1]))
    february = result.frame[
        (result.frame.period_label == "2024-02") & (result.frame.kpi == "clicks")
    ].iloc[0]
    full_january = sql_rows(
        engine.warehouse, "SELECT sum(clicks) FROM ad_performance WHERE date < DATE '2024-02-01'"
    )
    assert february.previous_value == full_january[0][0]


def test_compare_last_year_with_no_data_gives_null_change(engine: Engine) -> None:
    result = engine.compute(
        ["cost"], grain="month", period=(START, dt.date(2024, 1, 31)), compare="last_year"
    )
    row = result.frame.iloc[0]
    assert row.previous_start == dt.date(2023, 1, 1) and row.previous_value == 0
    assert math.isnan(row.change_pct)


def test_jalali_month_grain_matches_the_calendar(engine: Engine) -> None:
    result = engine.compute(
        ["clicks"], grain="jalali_month", period=(dt.date(2024, 3, 20), dt.date(2024, 4, 19))
    )
    # 1 Farvardin 1403 is 2024-03-20; Farvardin has 31 days (to 2024-04-19).
    assert list(result.frame.period_label) == ["1403-01"]
    assert list(result.frame.period_label_fa) == ["فروردین ۱۴۰۳"]
    hand = sql_rows(
        engine.warehouse,
        "SELECT sum(clicks) FROM ad_performance WHERE date "
        "BETWEEN DATE '2024-03-20' AND DATE '2024-04-19'",
    )
    assert result.value("clicks", "1403-01") == hand[0][0]


def test_week_starts_on_saturday_in_iranian_workspace(engine: Engine) -> None:
    result = engine.compute(
        ["clicks"], grain="week", period=(dt.date(2024, 1, 6), dt.date(2024, 1, 19))
    )
    starts = list(result.frame.period_start)
    assert starts == [dt.date(2024, 1, 6), dt.date(2024, 1, 13)]  # both Saturdays
    hand = sql_rows(
        engine.warehouse,
        "SELECT sum(clicks) FROM ad_performance WHERE date "
        "BETWEEN DATE '2024-01-13' AND DATE '2024-01-19'",
    )
    assert result.frame.value.iloc[1] == hand[0][0]


def test_unknown_kpi_and_bad_filter_are_clear_errors(engine: Engine) -> None:
    with pytest.raises(UnknownKpiError, match="did you mean 'ctr'"):
        engine.compute(["crt"], period=PERIOD)
    with pytest.raises(FormulaError, match="chanel"):
        engine.compute(["ctr"], period=PERIOD, where="chanel = 'search'")
    with pytest.raises(QueryError, match="unknown grain"):
        engine.compute(["ctr"], grain="fortnight", period=PERIOD)


def test_cyclic_references_are_rejected(engine: Engine) -> None:
    base = engine.definitions["ctr"].model_dump()
    defs = {
        "a": KpiSpec.model_validate({**base, "id": "a", "formula": "b + 1"}),
        "b": KpiSpec.model_validate({**base, "id": "b", "formula": "a * 2"}),
    }
    with pytest.raises(FormulaError, match="cycle"):
        Engine(engine.warehouse, defs).compute(["a"], period=PERIOD)


def test_results_are_cached_until_the_data_version_changes(engine: Engine) -> None:
    version = [0]
    cached = Engine(engine.warehouse, engine.definitions, version=lambda: version[0])
    first = cached.compute(["ctr"], period=PERIOD)
    second = cached.compute(["ctr"], period=PERIOD)
    assert not first.from_cache and second.from_cache
    assert second.frame.equals(first.frame)
    version[0] += 1
    assert not cached.compute(["ctr"], period=PERIOD).from_cache


def test_explain_shows_one_pass_per_table_and_the_sql(engine: Engine) -> None:
    request = engine.request(["ctr", "cpc", "roi"], "month", period=PERIOD)
    explanation = engine.explain(request)
    assert explanation.plan.count("one aggregation pass") == 2  # ad_performance and orders
    assert "m0 = sum(ad_performance.clicks)" in explanation.plan
    assert "SELECT" in explanation.sql and "ad_performance" in explanation.sql


def test_fiscal_year_and_quarter_grains(engine: Engine) -> None:
    fiscal = Engine(
        engine.warehouse, engine.definitions, calendar=CalendarSettings(fiscal_year_start_month=4)
    )
    result = fiscal.compute(["cost"], grain="fiscal_year", period=PERIOD)
    assert list(result.frame.period_label) == ["FY2023/24", "FY2024/25"]
    assert list(result.frame.period_start) == [START, dt.date(2024, 4, 1)]
    hand = sql_rows(
        engine.warehouse,
        """
        SELECT sum(cost) FILTER (WHERE date < DATE '2024-04-01'),
               sum(cost) FILTER (WHERE date >= DATE '2024-04-01') FROM ad_performance""",
    )[0]
    assert close(result.frame.value.iloc[0], hand[0])
    assert close(result.frame.value.iloc[1], hand[1])
    quarters = engine.compute(["cost"], grain="quarter", period=(dt.date(2024, 2, 15), END))
    assert list(quarters.frame.period_label) == ["2024-Q1", "2024-Q2"]
    q1 = sql_rows(
        engine.warehouse,
        "SELECT sum(cost) FROM ad_performance WHERE date "
        "BETWEEN DATE '2024-02-15' AND DATE '2024-03-31'",
    )[0][0]
    assert close(quarters.frame.value.iloc[0], q1)


def test_last_year_at_day_grain_across_a_leap_day(engine: Engine) -> None:
    # 2024-02-28 and 2024-02-29 are both compared with 2023-02-28 (there is no 2023-02-29).
    result = engine.compute(
        ["cost"],
        grain="day",
        compare="last_year",
        period=(dt.date(2024, 2, 28), dt.date(2024, 3, 1)),
    )
    assert list(result.frame.previous_start) == [
        dt.date(2023, 2, 28),
        dt.date(2023, 2, 28),
        dt.date(2023, 3, 1),
    ]
    assert list(result.frame.previous_value) == [0.0, 0.0, 0.0]


def test_comparison_keeps_breakdown_values_seen_on_either_side(engine: Engine) -> None:
    # Video has no March rows: in April it is compared with March (0), and in March it still
    # appears, with its drop from February's cost to 0.
    result = engine.compute(
        ["cost"],
        grain="month",
        by=["channel"],
        compare="previous",
        period=(dt.date(2024, 3, 1), dt.date(2024, 4, 30)),
    )
    f = result.frame
    march = f[(f.period_label == "2024-03") & (f.channel == "video")].iloc[0]
    feb = sql_rows(
        engine.warehouse,
        "SELECT sum(cost) FROM ad_performance WHERE channel = "
        "'video' AND date BETWEEN DATE '2024-02-01' AND DATE '2024-02-29'",
    )[0][0]
    assert march.value == 0 and close(march.previous_value, feb)
    assert close(march.change, -feb)
    april = f[(f.period_label == "2024-04") & (f.channel == "video")].iloc[0]
    assert april.previous_value == 0


def test_not_equal_filters_keep_rows_with_an_empty_value(engine: Engine) -> None:
    result = engine.compute(["cost"], grain="year", period=PERIOD, where="ad != 'ad-1'")
    hand = sql_rows(
        engine.warehouse, "SELECT sum(cost) FROM ad_performance WHERE ad IS DISTINCT FROM 'ad-1'"
    )[0][0]
    assert close(result.frame.value.iloc[0], hand)
    negated = engine.compute(["cost"], grain="year", period=PERIOD, where="not (ad = 'ad-1')")
    assert close(negated.frame.value.iloc[0], hand)


def test_breakdown_by_a_measure_or_date_is_refused(engine: Engine) -> None:
    with pytest.raises(QueryError, match="'cost' is not a dimension"):
        engine.compute(["clicks"], by=["cost"], period=PERIOD)
    with pytest.raises(QueryError, match="it is a date column") as caught:
        engine.compute(["clicks"], by=["date"], period=PERIOD)
    assert caught.value.code == "date_breakdown"  # the CLI words it: use --grain for dates


def test_amounts_in_different_currencies_are_never_added() -> None:
    from support.engine_data import dataset

    local = Warehouse.connect("duckdb://")
    local.ensure_schema()
    ads = dataset()["ad_performance"]
    local.upsert("ad_performance", ads)
    engine = Engine(local, {k.id: k for k in load_catalog()})
    assert engine.compute(["cost"], grain="year", period=PERIOD).currency == "USD"
    irt = ads.slice(0, 1).set_column(
        ads.schema.get_field_index("currency"), "currency", pa.array(["IRT"])
    )
    irt = irt.set_column(irt.schema.get_field_index("account"), "account", pa.array(["ir"]))
    local.upsert("ad_performance", irt)
    engine = Engine(local, engine.definitions, version=lambda: 1)
    with pytest.raises(QueryError, match=r"2 currencies \(IRT, USD\)"):
        engine.compute(["cost", "cpc"], grain="year", period=PERIOD)
    usd = engine.compute(["cost"], grain="year", period=PERIOD, where="currency = 'USD'")
    assert usd.currency == "USD"
    by = engine.compute(["cost"], grain="year", period=PERIOD, by=["currency"])
    assert sorted(by.frame.currency) == ["IRT", "USD"]
    # Counts are not money: clicks may be summed across currencies.
    assert engine.compute(["clicks"], grain="year", period=PERIOD).currency is None
    local.close()


def test_filters_and_ranges_outside_what_exists_are_clear_errors(engine: Engine) -> None:
    with pytest.raises(FormulaError, match="'serch' is not a channel — did you mean 'search'"):
        engine.compute(["cost"], period=PERIOD, where="channel = 'serch'")
    with pytest.raises(FormulaError, match="too large a number"):
        engine.compute(["cost"], period=PERIOD, where="clicks > 99999999999999999999999")
    with pytest.raises(QueryError, match="outside the calendar"):
        engine.compute(["cost"], period=(dt.date(1, 1, 1), END))


def test_snapshot_amounts_are_converted_at_the_acquisition_days_rate(tmp_path: Path) -> None:
    from shakhes.data.model import TABLES
    from shakhes.data.rates import load_rates
    from shakhes.data.warehouse import arrow_schema

    local = Warehouse.connect("duckdb://")
    local.ensure_schema()
    rows = [
        {
            "customer_id": "a",
            "acquired_date": dt.date(2024, 1, 5),
            "churned_date": None,
            "channel": "search",
            "campaign": "x",
            "plan": "p",
            "monthly_value": 10.0,
            "currency": "USD",
        },
        {
            "customer_id": "b",
            "acquired_date": dt.date(2024, 1, 10),
            "churned_date": None,
            "channel": "search",
            "campaign": "x",
            "plan": "p",
            "monthly_value": 500_000.0,
            "currency": "IRT",
        },
    ]
    local.upsert("customers", pa.Table.from_pylist(rows, schema=arrow_schema(TABLES["customers"])))
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2024-01-01,IRT,0.00002\n", encoding="utf-8")
    load_rates(local, rates, "USD", today=dt.date(2024, 3, 1))
    base = load_catalog()[0].model_dump()
    spec = KpiSpec.model_validate(
        {
            **base,
            "id": "mrr",
            "unit": "currency",
            "formula": "active_at_start(customers.monthly_value)",
        }
    )
    engine = Engine(local, {"mrr": spec}, currency="USD")
    result = engine.compute(
        ["mrr"], grain="month", period=(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    )
    # 10 USD + 500,000 IRT × 0.00002 = 10 + 10.
    assert result.value("mrr", "2024-02") == pytest.approx(20.0)
    assert result.currency == "USD"
    local.close()


def test_text_filters_match_persian_written_with_arabic_letters() -> None:
    from support.engine_data import dataset

    from shakhes.data.model import TABLES
    from shakhes.data.warehouse import arrow_schema

    local = Warehouse.connect("duckdb://")
    local.ensure_schema()
    ads = dataset()["ad_performance"].slice(0, 2)
    names = pa.array(["حراج\u200cزمستانه ۱۴۰۳", "کیک"])
    ads = ads.set_column(ads.schema.get_field_index("campaign"), "campaign", names)
    local.upsert("ad_performance", ads.cast(arrow_schema(TABLES["ad_performance"])))
    engine = Engine(local, {k.id: k for k in load_catalog()})
    expected = ads.column("impressions")[0].as_py()
    # Stored with a zero-width non-joiner and Persian digits; typed without the ZWNJ, with
    # ASCII digits, or with Arabic kaf/yeh: all the same campaign.
    for typed in ("حراجزمستانه 1403", "حراج‌زمستانه ۱۴۰۳", "حراجزمستانه ١٤٠٣"):
        result = engine.compute(
            ["impressions"], grain="year", period=(START, END), where=f"campaign = '{typed}'"
        )
        assert result.frame.value.iloc[0] == expected, typed
    arabic = engine.compute(
        ["impressions"],
        grain="year",
        period=(START, END),
        where="campaign in ('حراج\u200cزمستانه ١٤٠٣', 'x')",
    )
    assert arabic.frame.value.iloc[0] == expected
    other = engine.compute(
        ["impressions"], grain="year", period=(START, END), where="campaign != 'حراجزمستانه ۱۴۰۳'"
    )
    assert other.frame.value.iloc[0] == ads.column("impressions")[1].as_py()
    arabic_letters = engine.compute(
        ["impressions"], grain="year", period=(START, END), where="campaign = 'كيك'"
    )  # Arabic kaf and yeh
    assert arabic_letters.frame.value.iloc[0] == ads.column("impressions")[1].as_py()
    local.close()


def test_a_ratio_scaled_or_shifted_by_a_constant_has_its_numerator_and_denominator(
    engine: Engine,
) -> None:
    """CPM (cost / impressions × 1000) and a rate like bounce rate (1 − clicks / impressions
    here) are ratios over impressions: numerator / denominator is their value."""
    defs = {
        **engine.definitions,
        "unclicked": KpiSpec.model_validate(
            {**engine.definitions["ctr"].model_dump(), "id": "unclicked", "formula": "1 - ctr"}
        ),
    }
    result = Engine(engine.warehouse, defs).compute(
        ["cpm", "unclicked"], grain="month", by=["channel"], period=PERIOD
    )
    hand = {
        (f"{m:%Y-%m}", channel): (float(cost), float(clicks), float(imps))
        for m, channel, cost, clicks, imps in sql_rows(
            engine.warehouse,
            """
            SELECT CAST(date_trunc('month', date) AS DATE), channel, sum(cost), sum(clicks),
                   sum(impressions)
            FROM ad_performance
            WHERE date BETWEEN DATE '2024-01-01' AND DATE '2024-06-30'
            GROUP BY 1, 2""",
        )
    }
    frame = result.frame
    assert len(frame) == 2 * (len(hand) + 1)  # video has no March rows, but is in the spine
    for row in frame.itertuples():
        cost, clicks, imps = hand.get((row.period_label, row.channel), (0.0, 0.0, 0.0))
        assert close(row.denominator, imps)
        expected = cost * 1000 if row.kpi == "cpm" else imps - clicks
        assert close(row.numerator, expected)
        if imps:
            assert close(row.value, row.numerator / row.denominator)
