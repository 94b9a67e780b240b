"""Tests of the synthetic demo data generator (shakhes.data.demo)."""

from __future__ import annotations

import datetime
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from shakhes.data.demo import NO_CAMPAIGN, DemoData, generate, write_truth
from shakhes.data.model import CHANNELS, TABLES, ColumnType

END = datetime.date(2025, 5, 31)
START = datetime.date(2023, 6, 1)

ARROW = {
    ColumnType.DATE: pa.date32(),
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}
UNPAID = {"organic_search", "direct", "referral", "organic_social"}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    # Scale 1: also the "runs in a few seconds" smoke test.
    return generate(7, end=END)


@pytest.fixture(scope="module")
def frames(demo: DemoData) -> dict[str, pd.DataFrame]:
    return {name: t.to_pandas() for name, t in demo.tables.items()}


def _hill(a: float, half: float, shape: float) -> float:
    return a**shape / (a**shape + half**shape)


def _steady_revenue(media: dict[str, Any], spend: float) -> float:
    resp = media["response"]
    a = spend / (1 - media["adstock"]["decay"])
    return float(resp["beta"] * _hill(a, resp["half_saturation"], resp["shape"]))


def _marginal(media: dict[str, Any], spend: float, eps: float = 1e-3) -> float:
    return (_steady_revenue(media, spend + eps) - _steady_revenue(media, spend - eps)) / (2 * eps)


# -- schema -----------------------------------------------------------------------------------


def test_every_table_matches_the_data_model(demo: DemoData) -> None:
    assert set(demo.tables) == set(TABLES)
    for name, spec in TABLES.items():
        table = demo.tables[name]
        assert table.num_rows > 0, name
        assert table.column_names == spec.column_names, name
        for col in spec.columns:
            field = table.schema.field(col.name)
            assert field.type == ARROW[col.type], (name, col.name, field.type)
            if col.required:
                assert table.column(col.name).null_count == 0, (name, col.name)


def test_optional_columns_hold_nulls_where_documented(frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    search = ad[(ad.platform == "google_ads") & (ad.channel == "search")]
    assert search["ad"].isna().all() and search["reach"].isna().all()
    meta = ad[ad.platform == "meta"]
    assert meta["ad"].notna().all() and meta["reach"].notna().all()
    assert meta["engagements"].notna().all() and meta["leads"].notna().all()
    assert meta["video_views"].isna().all()
    video = ad[ad.channel == "video"]
    assert video["video_views"].notna().all() and (video["video_views"] > 0).any()
    assert ad["leads"].fillna(0).sum() > 0
    customers = frames["customers"]
    assert customers["churned_date"].isna().any() and customers["churned_date"].notna().any()
    leads = frames["leads"]
    assert leads["won_date"].isna().any() and leads["won_date"].notna().any()


# -- determinism and period -------------------------------------------------------------------


def test_same_seed_gives_identical_data_and_other_seed_differs() -> None:
    a = generate(3, end=END, scale=0.2)
    b = generate(3, end=END, scale=0.2)
    c = generate(4, end=END, scale=0.2)
    for name in TABLES:
        assert a.tables[name].equals(b.tables[name]), name
    assert a.truth == b.truth
    assert not a.tables["ad_performance"].equals(c.tables["ad_performance"])
    assert not a.tables["orders"].equals(c.tables["orders"])


def test_default_period_is_two_years_ending_last_month() -> None:
    data = generate(1, scale=0.05)
    first_of_month = datetime.date.today().replace(day=1)
    assert data.end == first_of_month - datetime.timedelta(days=1)
    assert data.start == first_of_month.replace(year=first_of_month.year - 2)
    assert data.truth["start"] == data.start.isoformat()
    assert data.truth["end"] == data.end.isoformat()


def test_covers_two_full_years_daily(demo: DemoData, frames: dict[str, pd.DataFrame]) -> None:
    assert demo.start == START and demo.end == END
    expected = pd.date_range(START, END, freq="D").date
    assert len(expected) == 731  # includes 29 February 2024
    dates = set(frames["ad_performance"]["date"])
    assert dates == set(expected)
    assert set(frames["web_traffic"]["date"]) == set(expected)
    assert frames["orders"]["order_date"].min() >= START
    assert frames["orders"]["order_date"].max() <= END


def test_channels_platforms_campaigns(frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    assert ad["platform"].nunique() >= 5
    assert len(ad.groupby(["platform", "channel"])) >= 6
    assert ad["channel"].nunique() >= 4
    assert ad["campaign_id"].nunique() >= 30
    assert ad["campaign"].nunique() >= 30
    # each campaign id has exactly one name, platform and channel
    assert (ad.groupby("campaign_id")[["campaign", "platform", "channel"]].nunique() == 1).all(
        axis=None
    )
    groups = ad.groupby("campaign_id")["ad_group"].nunique()
    assert groups.between(2, 3).all()
    assert any("\u0600" <= ch <= "\u06ff" for name in ad["campaign"].unique() for ch in name)
    for name, table in frames.items():
        if "channel" in table:
            assert set(table["channel"]) <= set(CHANNELS), name
    assert set(frames["orders"]["currency"]) == {"USD"}


def test_campaigns_start_stop_and_pause(frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    days_active = ad.groupby("campaign_id")["date"].nunique()
    assert (days_active == 731).sum() >= 6  # always-on
    assert (days_active < 200).sum() >= 5  # seasonal bursts
    daily_budget = ad.groupby(["campaign_id", "date"])["cost"].sum()
    brand = ad.loc[ad.campaign == "Brand | Exact", "campaign_id"].iloc[0]
    monthly = daily_budget.loc[brand].groupby(lambda d: (d.year, d.month)).mean()
    assert monthly.max() / monthly.min() > 1.5  # budgets change over time


# -- invariants -------------------------------------------------------------------------------


def test_ad_performance_invariants(frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    assert (ad["cost"] > 0).all()
    assert (ad["impressions"] >= 0).all() and (ad["clicks"] >= 0).all()
    assert (ad["clicks"] <= ad["impressions"]).all()
    assert (ad["conversions"] >= 0).all()
    assert (ad["conversions"] <= ad["clicks"]).all()
    assert (ad["conversion_value"] >= 0).all()
    reach = ad.dropna(subset=["reach"])
    assert (reach["reach"] <= reach["impressions"]).all()
    for col in ("video_views", "engagements"):
        sub = ad.dropna(subset=[col])
        assert (sub[col] <= sub["impressions"]).all(), col
    leads = ad.dropna(subset=["leads"])
    assert (leads["leads"] <= leads["clicks"]).all()


def test_web_traffic_invariants(frames: dict[str, pd.DataFrame]) -> None:
    web = frames["web_traffic"]
    assert (web["sessions"] > 0).all()
    assert (web["engaged_sessions"] <= web["sessions"]).all()
    assert (web["users"] <= web["sessions"]).all()
    assert (web["new_users"] <= web["users"]).all()
    assert (web["page_views"] >= web["sessions"]).all()
    assert (web["revenue"] >= 0).all() and (web["key_events"] >= 0).all()
    assert set(web["device"]) == {"desktop", "mobile", "tablet"}
    # paid sessions never exceed the platform's clicks for the same day and campaign
    ad = frames["ad_performance"]
    clicks = ad.groupby(["date", "campaign"])["clicks"].sum()
    paid = web[web.channel.isin(["search", "social", "display", "video"])]
    sessions = paid.groupby(["date", "campaign"])["sessions"].sum()
    assert (sessions <= clicks.reindex(sessions.index)).all()
    # GA4 revenue is a (large) part of the shop's revenue
    ratio = web["revenue"].sum() / frames["orders"]["revenue"].sum()
    assert 0.8 < ratio <= 0.93 + 1e-9


def test_email_invariants(frames: dict[str, pd.DataFrame]) -> None:
    email = frames["email_campaigns"]
    assert (email["delivered"] <= email["sent"]).all()
    assert (email["bounces"] == email["sent"] - email["delivered"]).all()
    assert (email["opens"] <= email["delivered"]).all()
    assert (email["clicks"] <= email["opens"]).all()
    assert (email["unsubscribes"] <= email["delivered"]).all()
    sends_per_week = len(email) / (731 / 7)
    assert 1.5 <= sends_per_week <= 4


def test_natural_keys_are_unique(frames: dict[str, pd.DataFrame]) -> None:
    for name, spec in TABLES.items():
        keys = frames[name][list(spec.natural_key)].astype(object).fillna("<null>")
        assert not keys.duplicated().any(), name


def test_customers_and_orders_agree(frames: dict[str, pd.DataFrame]) -> None:
    orders, customers = frames["orders"], frames["customers"]
    assert set(orders["customer_id"]) == set(customers["customer_id"])
    new = orders[orders["is_new_customer"]]
    assert new["customer_id"].is_unique
    assert len(new) == len(customers)
    merged = orders.merge(customers, on="customer_id", suffixes=("", "_c"))
    first = merged[merged["is_new_customer"]]
    assert (first["order_date"] == first["acquired_date"]).all()
    assert (first["channel"] == first["channel_c"]).all()
    assert (first["campaign"] == first["campaign_c"]).all()
    # every other order is strictly later than the first
    repeat = merged[~merged["is_new_customer"]]
    assert len(repeat) > 0.3 * len(first)
    assert (repeat["order_date"] > repeat["acquired_date"]).all()
    churned = merged.dropna(subset=["churned_date"])
    assert (churned["order_date"] <= churned["churned_date"]).all()
    c = customers.dropna(subset=["churned_date"])
    assert (c["churned_date"] > c["acquired_date"]).all()
    assert set(customers["plan"]) == {"basic", "plus", "pro"}
    assert (customers["monthly_value"] > 0).all() and (orders["revenue"] > 0).all()


def test_churn_follows_the_plan_hazards(demo: DemoData, frames: dict[str, pd.DataFrame]) -> None:
    customers = frames["customers"]
    end = pd.Timestamp(END)
    acquired = pd.to_datetime(customers["acquired_date"])
    churned = pd.to_datetime(customers["churned_date"])
    exposure = ((churned.fillna(end) - acquired).dt.days / (365.25 / 12)).clip(lower=0)
    hazards = {}
    for plan, info in demo.truth["customers"]["plans"].items():
        sel = customers["plan"] == plan
        hazard = churned[sel].notna().sum() / exposure[sel].sum()
        hazards[plan] = hazard
        assert hazard == pytest.approx(info["monthly_churn_hazard"], rel=0.2), plan
    assert hazards["basic"] > hazards["plus"] > hazards["pro"]


def test_leads_invariants(frames: dict[str, pd.DataFrame]) -> None:
    leads = frames["leads"]
    q = leads.dropna(subset=["qualified_date"])
    assert (q["qualified_date"] >= q["created_date"]).all()
    w = leads.dropna(subset=["won_date"])
    assert w["qualified_date"].notna().all()
    assert (w["won_date"] >= w["qualified_date"]).all()
    assert (leads["value"].notna() == leads["won_date"].notna()).all()
    assert (w["value"] > 0).all()
    assert set(leads["channel"]) >= {"social", "organic_search"}


def test_unpaid_rows_use_the_no_campaign_convention(frames: dict[str, pd.DataFrame]) -> None:
    assert NO_CAMPAIGN == "(none)"
    for name in ("orders", "customers", "leads", "web_traffic"):
        table = frames[name]
        assert (table.loc[table.channel.isin(UNPAID), "campaign"] == NO_CAMPAIGN).all(), name
        paid = table[~table.channel.isin([*UNPAID, "email"])]
        assert (paid["campaign"] != NO_CAMPAIGN).all(), name
    email_names = set(frames["email_campaigns"]["campaign"]) | {NO_CAMPAIGN}
    orders = frames["orders"]
    assert set(orders.loc[orders.channel == "email", "campaign"]) <= email_names


# -- seasonality and response ------------------------------------------------------------------


def test_weekly_seasonality(demo: DemoData, frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    ad = ad.assign(weekend=pd.to_datetime(ad["date"]).dt.day_of_week >= 5)
    for platform, key in (("linkedin", "linkedin"), ("meta", "meta")):
        daily = ad[ad.platform == platform].groupby(["date", "weekend"])["cost"].sum()
        by = daily.groupby(level="weekend").mean()
        ratio = by[True] / by[False]
        truth = demo.truth["media"][key]["weekend_to_weekday_spend_ratio"]
        assert ratio == pytest.approx(truth, abs=0.08), platform
    # LinkedIn spends well under 60 % on weekend days; Meta spends more at weekends
    assert demo.truth["media"]["linkedin"]["weekend_to_weekday_spend_ratio"] < 0.6
    assert demo.truth["media"]["meta"]["weekend_to_weekday_spend_ratio"] > 1.05


def test_q4_beats_summer(frames: dict[str, pd.DataFrame]) -> None:
    ad = frames["ad_performance"]
    months = pd.to_datetime(ad["date"]).dt.month
    daily = ad.groupby([months.rename("month"), "date"])["cost"].sum().groupby("month").mean()
    assert daily[[10, 11, 12]].mean() > 1.15 * daily[[6, 7, 8]].mean()
    orders = frames["orders"]
    om = pd.to_datetime(orders["order_date"]).dt.month
    per_day = (
        orders.groupby(om).size()
        / pd.Series(pd.date_range(START, END).month).value_counts().sort_index()
    )
    assert per_day[[10, 11, 12]].mean() > 1.15 * per_day[[6, 7, 8]].mean()


def test_diminishing_returns_from_truth(demo: DemoData) -> None:
    media = demo.truth["media"]
    assert len(media) >= 5
    for key, m in media.items():
        s = m["average_daily_spend"]
        assert s > 0
        assert m["adstock"]["decay"] > 0 and "A_t" in m["adstock"]["formula"]
        assert "half_saturation" in m["response"]["formula"]
        roas = _steady_revenue(m, s) / s
        assert roas == pytest.approx(m["roas_at_average_spend"], rel=1e-4), key
        m1, m2 = _marginal(m, s), _marginal(m, 2 * s)
        assert m1 == pytest.approx(m["marginal_roas_at_average_spend"], rel=1e-3), key
        assert m2 == pytest.approx(m["marginal_roas_at_2x_average_spend"], rel=1e-3), key
        assert m2 < m1 < roas, key
        assert _steady_revenue(m, 2 * s) / (2 * s) < roas


def test_orders_follow_the_response_model(demo: DemoData, frames: dict[str, pd.DataFrame]) -> None:
    orders = frames["orders"]
    ad = frames["ad_performance"]
    first = orders[orders["is_new_customer"]]
    for key, m in demo.truth["media"].items():
        names = {c["campaign"] for c in m["campaigns"]}
        revenue = first.loc[first.campaign.isin(names), "revenue"].sum()
        assert revenue == pytest.approx(m["incremental_revenue"], rel=1e-6), key
        spend = ad.loc[ad.campaign.isin(names), "cost"].sum()
        assert spend == pytest.approx(m["total_spend"], rel=1e-6), key
        # sampled revenue is close to the expected revenue of the response model (4 sigma of
        # a Poisson count of orders with lognormal values, sigma 0.5)
        tol = 4 * (1.3 / m["incremental_orders"]) ** 0.5
        assert revenue == pytest.approx(m["expected_incremental_revenue"], rel=tol), key
        # platforms over-claim (within the clicks they have)
        reported = ad.loc[ad.campaign.isin(names), "conversions"].sum()
        assert reported > 0.9 * m["incremental_orders"], key
    total_incremental = sum(m["incremental_orders"] for m in demo.truth["media"].values())
    assert ad["conversions"].sum() > 1.2 * total_incremental
    channels = demo.truth["channels"]
    assert set(channels) >= {"search", "social", "display", "video"}
    assert channels["social"]["media"] == ["meta", "tiktok", "linkedin"]


# -- options and truth -------------------------------------------------------------------------


def test_scale_and_currency() -> None:
    small = generate(5, end=END, scale=0.25, currency="EUR")
    full = generate(5, end=END, scale=1.0)
    for name, spec in TABLES.items():
        if spec.has_column("currency"):
            assert set(small.tables[name].column("currency").to_pylist()) == {"EUR"}, name
    assert small.tables["ad_performance"].num_rows == full.tables["ad_performance"].num_rows
    ratio = small.tables["orders"].num_rows / full.tables["orders"].num_rows
    assert 0.2 < ratio < 0.3
    cost_small = sum(small.tables["ad_performance"].column("cost").to_pylist())
    cost_full = sum(full.tables["ad_performance"].column("cost").to_pylist())
    assert cost_small / cost_full == pytest.approx(0.25, rel=0.05)


def test_size_at_scale_one(demo: DemoData) -> None:
    assert 30_000 <= demo.tables["ad_performance"].num_rows <= 60_000
    assert 20_000 <= demo.tables["orders"].num_rows <= 60_000
    assert demo.truth["row_counts"] == {n: t.num_rows for n, t in demo.tables.items()}


def test_truth_is_json_and_written(demo: DemoData, tmp_path: Path) -> None:
    path = tmp_path / "truth.json"
    write_truth(demo, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "')
    loaded = json.loads(text)
    assert loaded == json.loads(json.dumps(demo.truth))
    for key in ("seed", "start", "end", "media", "channels", "seasonality", "customers"):
        assert key in loaded, key
    assert loaded["seed"] == 7
    assert loaded["conventions"]["no_campaign"] == NO_CAMPAIGN
    season = loaded["seasonality"]
    anchors = season["demand_month_anchors"]
    assert np.mean([anchors[m] for m in ("oct", "nov", "dec")]) > np.mean(
        [anchors[m] for m in ("jun", "jul", "aug")]
    )
    assert len(season["demand_weekday_multipliers"]) == 7
    assert set(loaded["customers"]["plans"]) == {"basic", "plus", "pro"}


# -- injected incidents, lead/lag truth, planned changes ------------------------------------------


def _daily(frame: pd.DataFrame, column: str, date: str = "date") -> pd.Series:
    return frame.groupby(date)[column].sum()


def _around(series: pd.Series, day: datetime.date) -> float:
    """The median of the same weekday in the four weeks before and after ``day``."""
    days = [day + datetime.timedelta(weeks=w) for w in (-4, -3, -2, -1, 1, 2, 3, 4)]
    return float(np.median([series.get(d, 0.0) for d in days]))


def test_incidents_are_in_the_data_as_the_truth_records_them(
    demo: DemoData, frames: dict[str, pd.DataFrame]
) -> None:
    incidents = {i["key"]: i for i in demo.truth["incidents"]}
    assert set(incidents) == {"spend_spike", "ctr_collapse", "viral_post", "tracking_outage"}
    starts = sorted(
        datetime.date.fromisoformat(i["start"])
        for key, i in incidents.items()
        if key != "tracking_outage"
    )
    assert starts[0] >= START + datetime.timedelta(days=70)
    assert starts[-1] <= END - datetime.timedelta(days=40)
    assert all((b - a).days >= 21 for a, b in itertools.pairwise(starts))
    outage = datetime.date.fromisoformat(incidents["tracking_outage"]["start"])
    assert (END - outage).days <= 21
    for incident in incidents.values():
        table, rest = incident["measured_as"].split(".", 1)
        column, _, where = rest.partition(" where ")
        dim, value = where.split(" = ")
        frame = frames[table]
        frame = frame[frame[dim] == value.strip("'")]
        for day in incident["days"]:
            got = frame.loc[frame["date"] == datetime.date.fromisoformat(day["date"]), column]
            assert got.sum() == pytest.approx(day["value"], abs=0.01), incident["key"]
            assert day["without"] == pytest.approx(day["value"] / incident["factor"], abs=0.01)
        assert incident["kpi"] == incident["kpis"][0]
        assert incident["dimensions"][dim] == value.strip("'")

    ad, web = frames["ad_performance"], frames["web_traffic"]
    spike = incidents["spend_spike"]
    day = datetime.date.fromisoformat(spike["start"])
    cost = _daily(ad[ad.campaign == spike["dimensions"]["campaign"]], "cost")
    assert cost[day] > 5 * _around(cost, day)
    assert _daily(ad, "cost")[day] > 1.5 * _around(_daily(ad, "cost"), day)  # 70 %+ of a day

    search = ad[ad.channel == "search"]
    ctr = _daily(search, "clicks") / _daily(search, "impressions")
    for d in incidents["ctr_collapse"]["days"]:
        day = datetime.date.fromisoformat(d["date"])
        assert ctr[day] < 0.15 * _around(ctr, day)

    social = _daily(web[web.channel == "organic_social"], "sessions")
    day = datetime.date.fromisoformat(incidents["viral_post"]["start"])
    assert social[day] > 6 * _around(social, day)

    google = _daily(ad[ad.platform == "google_ads"], "conversions")
    orders = frames["orders"]
    names = {
        c["campaign"]
        for m in ("google_search", "youtube")
        for c in demo.truth["media"][m]["campaigns"]
    }
    true_orders = orders[orders.campaign.isin(names)].groupby("order_date").size()
    for d in incidents["tracking_outage"]["days"]:
        day = datetime.date.fromisoformat(d["date"])
        assert google[day] < 0.1 * _around(google, day)
        assert true_orders.get(day, 0) > 0.4 * _around(true_orders, day)  # orders go on


def test_email_clicks_bring_new_customers_two_days_later(
    demo: DemoData, frames: dict[str, pd.DataFrame]
) -> None:
    email = demo.truth["email"]
    kernel = np.asarray(email["purchase_delay_kernel"])
    assert kernel.sum() == pytest.approx(1.0) and int(np.argmax(kernel)) == 2
    sends = frames["email_campaigns"]
    days = pd.date_range(START, END, freq="D").date
    clicks = _daily(sends, "clicks").reindex(days, fill_value=0).to_numpy(dtype=float)
    landed = np.convolve(clicks, kernel)[: len(days)]  # what lands inside the period
    baseline = demo.truth["baseline"]["new_customers_per_day_at_demand_1"]["email"] * len(days)
    expected = baseline + email["click_to_new_customer"] * landed.sum()
    customers = frames["customers"]
    got = (customers.channel == "email").sum()
    assert got == pytest.approx(expected, abs=4 * np.sqrt(expected))
    assert email["click_to_new_customer"] * landed.sum() > 2 * baseline  # clicks bring most


def test_lead_lag_truth_names_catalog_kpis_and_consistent_lags(demo: DemoData) -> None:
    from shakhes.spec.catalog import load_catalog

    ids = {k.id for k in load_catalog()}
    truth = demo.truth["lead_lag"]
    for link in truth["links"]:
        assert {link["leading"], link["lagging"]} <= ids
        assert link["verdict"] in ("leads", "same_day")
        assert link["strength"] in ("strong", "moderate", "weak")
        if isinstance(link["kernel"], list):
            assert sum(link["kernel"]) == pytest.approx(1.0)
            assert int(np.argmax(link["kernel"])) == link["lag_days"]
        assert (link["verdict"] == "same_day") == (link["lag_days"] == 0)
    assert any(x["verdict"] == "leads" and x["strength"] == "strong" for x in truth["links"])
    assert truth["not_leading"]
    for pair in truth["not_leading"]:
        assert {pair["candidate"], pair["lagging"]} <= ids and pair["why"]


def test_planned_changes_are_where_campaigns_start_and_stop(
    demo: DemoData, frames: dict[str, pd.DataFrame]
) -> None:
    changes = demo.truth["planned_changes"]
    starts = {(c["campaign"], c["date"]) for c in changes if c["change"] == "start"}
    stops = {(c["campaign"], c["date"]) for c in changes if c["change"] == "stop"}
    ad = frames["ad_performance"]
    for campaign, dates in ad.groupby("campaign")["date"]:
        first, last = min(dates), max(dates)
        if first > START:
            assert (campaign, first.isoformat()) in starts, campaign
        if last < END:
            assert (campaign, (last + datetime.timedelta(days=1)).isoformat()) in stops, campaign
    assert len(changes) == len(starts) + len(stops)
