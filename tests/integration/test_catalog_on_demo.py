"""Every KPI of the built-in catalog, computed by the engine on the demo data set, checked against
hand-written SQL of its published definition (catalog.yml and docs/formulas.md).

The SQL below is written by hand, one query per KPI, from what each KPI *means*; it is never
derived from the formula text. Each query returns ``(month_start DATE, value)`` for the twelve
months of 2025 and reads the temporary view ``months(m)`` (the first day of each month of 2025)
that the fixture creates, so that a month without data still has a row. Conventions of the
published definitions that the SQL spells out:

* an aggregate reads the rows whose time column falls in the month (``ad_performance.date``,
  ``web_traffic.date``, ``orders.order_date``, ``customers.acquired_date``,
  ``leads.created_date``, ``email_campaigns.date``);
* a sum or count over no rows is 0, a ratio with a zero or empty denominator is null;
* ratio KPIs are ratios of monthly sums, and a KPI over several tables aggregates each table to
  the month separately before combining them;
* ``$gross_margin`` is 1 when the workspace does not set it.

A catalog KPI without an entry here fails :func:`test_every_catalog_kpi_has_an_independent_check`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import pytest
from support.engine_data import sql_rows

from shakhes.data.demo import generate
from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine, Result
from shakhes.errors import QueryError
from shakhes.spec.catalog import load_catalog

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
MONTH_STARTS = [dt.date(2025, month, 1) for month in range(1, 13)]

# ---- the independent definitions ----------------------------------------------------------------

HAND_SQL: dict[str, str] = {
    # ---- paid media: delivery ----------------------------------------------------------------
    "impressions": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(impressions) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "clicks": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(clicks) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "cost": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(cost) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "ctr": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(clicks) AS DOUBLE) / nullif(sum(impressions), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "cpc": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   sum(cost) / nullif(sum(clicks), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "cpm": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   sum(cost) / nullif(sum(impressions), 0) * 1000 AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "video_views": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(video_views) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    # Views over the impressions of only the rows that report views (search rows report none).
    "view_rate": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(video_views) AS DOUBLE)
                   / nullif(sum(impressions) FILTER (WHERE video_views IS NOT NULL), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "engagements": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(engagements) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "ad_engagement_rate": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(engagements) AS DOUBLE)
                   / nullif(sum(impressions) FILTER (WHERE engagements IS NOT NULL), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    # ---- paid media: results -----------------------------------------------------------------
    "conversions": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(conversions) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "conversion_rate": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   sum(conversions) / nullif(sum(clicks), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "cpa": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   sum(cost) / nullif(sum(conversions), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "conversion_value": """
        SELECT months.m, coalesce(a.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(conversion_value) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    "roas": """
        SELECT months.m, a.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   sum(conversion_value) / nullif(sum(cost), 0) AS v
            FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    # ---- website (GA4) -----------------------------------------------------------------------
    "sessions": """
        SELECT months.m, coalesce(w.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(sessions) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "new_users": """
        SELECT months.m, coalesce(w.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(new_users) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "engaged_sessions": """
        SELECT months.m, coalesce(w.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(engaged_sessions) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "engagement_rate": """
        SELECT months.m, w.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(engaged_sessions) AS DOUBLE) / nullif(sum(sessions), 0) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    # GA4: the share of sessions that were not engaged.
    "bounce_rate": """
        SELECT months.m, w.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   1 - CAST(sum(engaged_sessions) AS DOUBLE) / nullif(sum(sessions), 0) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "page_views": """
        SELECT months.m, coalesce(w.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(page_views) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "pages_per_session": """
        SELECT months.m, w.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(page_views) AS DOUBLE) / nullif(sum(sessions), 0) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "key_events": """
        SELECT months.m, coalesce(w.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(key_events) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    "web_conversion_rate": """
        SELECT months.m, w.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(key_events) AS DOUBLE) / nullif(sum(sessions), 0) AS v
            FROM web_traffic GROUP BY 1) w ON w.m = months.m
        ORDER BY 1""",
    # ---- leads -------------------------------------------------------------------------------
    "leads": """
        SELECT months.m, coalesce(l.n, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', created_date) AS DATE) AS m, count(*) AS n
            FROM leads GROUP BY 1) l ON l.m = months.m
        ORDER BY 1""",
    # Ad cost and leads each aggregated to the month on their own, then divided.
    "cost_per_lead": """
        SELECT months.m, coalesce(a.spend, 0) / nullif(coalesce(l.n, 0), 0)
        FROM months
        LEFT JOIN (SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(cost) AS spend
                   FROM ad_performance GROUP BY 1) a ON a.m = months.m
        LEFT JOIN (SELECT CAST(date_trunc('month', created_date) AS DATE) AS m, count(*) AS n
                   FROM leads GROUP BY 1) l ON l.m = months.m
        ORDER BY 1""",
    # Of the leads created in the month, those qualified (won) by now, whenever that was.
    "qualified_lead_rate": """
        SELECT months.m, l.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', created_date) AS DATE) AS m,
                   CAST(count(*) FILTER (WHERE qualified_date IS NOT NULL) AS DOUBLE)
                   / nullif(count(*), 0) AS v
            FROM leads GROUP BY 1) l ON l.m = months.m
        ORDER BY 1""",
    "lead_to_customer_rate": """
        SELECT months.m, l.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', created_date) AS DATE) AS m,
                   CAST(count(*) FILTER (WHERE won_date IS NOT NULL) AS DOUBLE)
                   / nullif(count(*), 0) AS v
            FROM leads GROUP BY 1) l ON l.m = months.m
        ORDER BY 1""",
    # ---- shop: orders and revenue ------------------------------------------------------------
    "revenue": """
        SELECT months.m, coalesce(o.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', order_date) AS DATE) AS m, sum(revenue) AS v
            FROM orders GROUP BY 1) o ON o.m = months.m
        ORDER BY 1""",
    "orders": """
        SELECT months.m, coalesce(o.n, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', order_date) AS DATE) AS m, count(*) AS n
            FROM orders GROUP BY 1) o ON o.m = months.m
        ORDER BY 1""",
    "aov": """
        SELECT months.m, o.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', order_date) AS DATE) AS m,
                   sum(revenue) / nullif(count(*), 0) AS v
            FROM orders GROUP BY 1) o ON o.m = months.m
        ORDER BY 1""",
    "new_customer_revenue": """
        SELECT months.m, coalesce(o.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', order_date) AS DATE) AS m,
                   sum(revenue) FILTER (WHERE is_new_customer) AS v
            FROM orders GROUP BY 1) o ON o.m = months.m
        ORDER BY 1""",
    "repeat_order_rate": """
        SELECT months.m, o.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', order_date) AS DATE) AS m,
                   CAST(count(*) FILTER (WHERE NOT is_new_customer) AS DOUBLE)
                   / nullif(count(*), 0) AS v
            FROM orders GROUP BY 1) o ON o.m = months.m
        ORDER BY 1""",
    "mer": """
        SELECT months.m, coalesce(o.rev, 0) / nullif(coalesce(a.spend, 0), 0)
        FROM months
        LEFT JOIN (SELECT CAST(date_trunc('month', order_date) AS DATE) AS m, sum(revenue) AS rev
                   FROM orders GROUP BY 1) o ON o.m = months.m
        LEFT JOIN (SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(cost) AS spend
                   FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    # Revenue-based ROI: no gross_margin parameter is set, so the margin is 1.
    "roi": """
        SELECT months.m,
               (coalesce(o.rev, 0) * 1.0 - coalesce(a.spend, 0))
               / nullif(coalesce(a.spend, 0), 0)
        FROM months
        LEFT JOIN (SELECT CAST(date_trunc('month', order_date) AS DATE) AS m, sum(revenue) AS rev
                   FROM orders GROUP BY 1) o ON o.m = months.m
        LEFT JOIN (SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(cost) AS spend
                   FROM ad_performance GROUP BY 1) a ON a.m = months.m
        ORDER BY 1""",
    # ---- customers ---------------------------------------------------------------------------
    "new_customers": """
        SELECT months.m, coalesce(c.n, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', acquired_date) AS DATE) AS m, count(*) AS n
            FROM customers GROUP BY 1) c ON c.m = months.m
        ORDER BY 1""",
    "cac": """
        SELECT months.m, coalesce(a.spend, 0) / nullif(coalesce(c.n, 0), 0)
        FROM months
        LEFT JOIN (SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(cost) AS spend
                   FROM ad_performance GROUP BY 1) a ON a.m = months.m
        LEFT JOIN (SELECT CAST(date_trunc('month', acquired_date) AS DATE) AS m, count(*) AS n
                   FROM customers GROUP BY 1) c ON c.m = months.m
        ORDER BY 1""",
    # Customers lost during the month over the customers active at its start (acquired before
    # the 1st, not churned before it).
    "churn_rate": """
        SELECT months.m,
               CAST(count(*) FILTER (
                   WHERE c.acquired_date < months.m
                     AND c.churned_date >= months.m
                     AND c.churned_date < months.m + INTERVAL 1 MONTH) AS DOUBLE)
               / nullif(count(*) FILTER (
                   WHERE c.acquired_date < months.m
                     AND (c.churned_date IS NULL OR c.churned_date >= months.m)), 0)
        FROM months CROSS JOIN customers c
        GROUP BY 1 ORDER BY 1""",
    # Of the customers active at the start of the month, the share still not churned at its end.
    "retention_rate": """
        SELECT months.m,
               CAST(count(*) FILTER (
                   WHERE c.acquired_date < months.m
                     AND (c.churned_date IS NULL
                          OR c.churned_date >= months.m + INTERVAL 1 MONTH)) AS DOUBLE)
               / nullif(count(*) FILTER (
                   WHERE c.acquired_date < months.m
                     AND (c.churned_date IS NULL OR c.churned_date >= months.m)), 0)
        FROM months CROSS JOIN customers c
        GROUP BY 1 ORDER BY 1""",
    # Average monthly value of the customers active at the start of the month (the base the
    # churn rate is measured on) × gross margin (1 when unset) ÷ the month's churn rate: ARPU /
    # churn, the value a customer is expected to bring over their lifetime.
    "clv": """
        SELECT months.m,
               avg(c.monthly_value) FILTER (
                   WHERE c.acquired_date < months.m
                     AND (c.churned_date IS NULL OR c.churned_date >= months.m))
               * 1.0
               / nullif(
                   CAST(count(*) FILTER (
                       WHERE c.acquired_date < months.m
                         AND c.churned_date >= months.m
                         AND c.churned_date < months.m + INTERVAL 1 MONTH) AS DOUBLE)
                   / nullif(count(*) FILTER (
                       WHERE c.acquired_date < months.m
                         AND (c.churned_date IS NULL OR c.churned_date >= months.m)), 0), 0)
        FROM months CROSS JOIN customers c
        GROUP BY 1 ORDER BY 1""",
    # ---- email -------------------------------------------------------------------------------
    "emails_delivered": """
        SELECT months.m, coalesce(e.v, 0) FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m, sum(delivered) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
    "email_open_rate": """
        SELECT months.m, e.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(opens) AS DOUBLE) / nullif(sum(delivered), 0) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
    "email_click_rate": """
        SELECT months.m, e.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(clicks) AS DOUBLE) / nullif(sum(delivered), 0) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
    "click_to_open_rate": """
        SELECT months.m, e.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(clicks) AS DOUBLE) / nullif(sum(opens), 0) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
    "unsubscribe_rate": """
        SELECT months.m, e.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(unsubscribes) AS DOUBLE) / nullif(sum(delivered), 0) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
    "email_bounce_rate": """
        SELECT months.m, e.v FROM months LEFT JOIN (
            SELECT CAST(date_trunc('month', date) AS DATE) AS m,
                   CAST(sum(bounces) AS DOUBLE) / nullif(sum(sent), 0) AS v
            FROM email_campaigns GROUP BY 1) e ON e.m = months.m
        ORDER BY 1""",
}
"""Hand SQL per KPI at month grain: rows ``(month_start, value)`` for every month of 2025."""

REACH_DAYS = [
    dt.date(2025, 1, 1),
    dt.date(2025, 3, 21),
    dt.date(2025, 7, 15),
    dt.date(2025, 11, 28),
    dt.date(2025, 12, 31),
]

HAND_DAY_SQL: dict[str, str] = {
    # Reach is the platforms' distinct people per day: only a single day's sum is meaningful.
    "reach": """
        SELECT date, coalesce(sum(reach), 0) FROM ad_performance
        WHERE date IN ({days})
        GROUP BY 1 ORDER BY 1""",
}
"""Hand SQL of the non-additive KPIs, checked at day grain: rows ``(day, value)``."""

KNOWN_WRONG: dict[str, str] = {}
"""KPIs whose engine value is known to differ from the published definition (KPI id → reason);
each is an xfail(strict=True), so fixing it forces its removal from here."""

BREAKDOWN_SQL: dict[str, str] = {
    # Rows (quarter_start, channel, value) for every quarter of 2025 × every channel the KPI's
    # table has rows for in 2025.
    "ctr": """
        WITH q AS (SELECT CAST(range AS DATE) AS q
                   FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 3 MONTH)),
             ch AS (SELECT DISTINCT channel FROM ad_performance
                    WHERE date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'),
             a AS (SELECT CAST(date_trunc('quarter', date) AS DATE) AS q, channel,
                          CAST(sum(clicks) AS DOUBLE) / nullif(sum(impressions), 0) AS v
                   FROM ad_performance GROUP BY 1, 2)
        SELECT q.q, ch.channel, a.v FROM q CROSS JOIN ch
        LEFT JOIN a ON a.q = q.q AND a.channel = ch.channel ORDER BY 1, 2""",
    "cpa": """
        WITH q AS (SELECT CAST(range AS DATE) AS q
                   FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 3 MONTH)),
             ch AS (SELECT DISTINCT channel FROM ad_performance
                    WHERE date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'),
             a AS (SELECT CAST(date_trunc('quarter', date) AS DATE) AS q, channel,
                          sum(cost) / nullif(sum(conversions), 0) AS v
                   FROM ad_performance GROUP BY 1, 2)
        SELECT q.q, ch.channel, a.v FROM q CROSS JOIN ch
        LEFT JOIN a ON a.q = q.q AND a.channel = ch.channel ORDER BY 1, 2""",
    "roas": """
        WITH q AS (SELECT CAST(range AS DATE) AS q
                   FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 3 MONTH)),
             ch AS (SELECT DISTINCT channel FROM ad_performance
                    WHERE date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'),
             a AS (SELECT CAST(date_trunc('quarter', date) AS DATE) AS q, channel,
                          sum(conversion_value) / nullif(sum(cost), 0) AS v
                   FROM ad_performance GROUP BY 1, 2)
        SELECT q.q, ch.channel, a.v FROM q CROSS JOIN ch
        LEFT JOIN a ON a.q = q.q AND a.channel = ch.channel ORDER BY 1, 2""",
    "revenue": """
        WITH q AS (SELECT CAST(range AS DATE) AS q
                   FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 3 MONTH)),
             ch AS (SELECT DISTINCT channel FROM orders
                    WHERE order_date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'),
             o AS (SELECT CAST(date_trunc('quarter', order_date) AS DATE) AS q, channel,
                          sum(revenue) AS v
                   FROM orders GROUP BY 1, 2)
        SELECT q.q, ch.channel, coalesce(o.v, 0) FROM q CROSS JOIN ch
        LEFT JOIN o ON o.q = q.q AND o.channel = ch.channel ORDER BY 1, 2""",
    "engagement_rate": """
        WITH q AS (SELECT CAST(range AS DATE) AS q
                   FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 3 MONTH)),
             ch AS (SELECT DISTINCT channel FROM web_traffic
                    WHERE date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'),
             w AS (SELECT CAST(date_trunc('quarter', date) AS DATE) AS q, channel,
                          CAST(sum(engaged_sessions) AS DOUBLE) / nullif(sum(sessions), 0) AS v
                   FROM web_traffic GROUP BY 1, 2)
        SELECT q.q, ch.channel, w.v FROM q CROSS JOIN ch
        LEFT JOIN w ON w.q = q.q AND w.channel = ch.channel ORDER BY 1, 2""",
}

# ---- fixtures and helpers -----------------------------------------------------------------------


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def as_float(v: object) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    data = generate(7, end=dt.date(2025, 12, 31))
    assert data.start <= dt.date(2024, 1, 1)  # a year of history before 2025 for churn
    warehouse = Warehouse.connect("duckdb://")
    warehouse.ensure_schema()
    for name, rows in data.tables.items():
        warehouse.upsert(name, rows)
    warehouse.backend.con.execute(
        "CREATE TEMP VIEW months AS SELECT CAST(range AS DATE) AS m "
        "FROM range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 1 MONTH)"
    )
    yield Engine(warehouse, {k.id: k for k in load_catalog()})
    warehouse.close()


@pytest.fixture(scope="module")
def monthly(engine: Engine) -> Result:
    """Every month-grain KPI of the catalog over 2025, in one request."""
    return engine.compute(sorted(HAND_SQL), grain="month", period=YEAR)


def hand_monthly(engine: Engine, kpi: str) -> list[tuple[dt.date, float | None]]:
    rows = sql_rows(engine.warehouse, HAND_SQL[kpi])
    assert [r[0] for r in rows] == MONTH_STARTS, f"{kpi}: hand SQL must give the 12 months"
    return [(m, as_float(v)) for m, v in rows]


# ---- tests --------------------------------------------------------------------------------------


def test_every_catalog_kpi_has_an_independent_check() -> None:
    catalog = {k.id for k in load_catalog()}
    assert not set(HAND_SQL) & set(HAND_DAY_SQL)
    assert set(HAND_SQL) | set(HAND_DAY_SQL) == catalog
    assert set(KNOWN_WRONG) <= catalog


@pytest.mark.parametrize(
    "kpi",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[k]))
        if k in KNOWN_WRONG
        else k
        for k in sorted(HAND_SQL)
    ],
)
def test_kpi_matches_hand_sql_every_month(engine: Engine, monthly: Result, kpi: str) -> None:
    hand = hand_monthly(engine, kpi)
    assert any(v not in (None, 0.0) for _, v in hand), f"{kpi}: hand SQL is vacuous"
    wrong = [
        (f"{m:%Y-%m}", got, want)
        for m, want in hand
        if not close(got := monthly.value(kpi, f"{m:%Y-%m}"), want)
    ]
    assert not wrong, f"{kpi}: engine != hand SQL (month, engine, SQL): {wrong}"


def test_reach_matches_hand_sql_per_day(engine: Engine) -> None:
    days = ", ".join(f"DATE '{d:%Y-%m-%d}'" for d in REACH_DAYS)
    hand = sql_rows(engine.warehouse, HAND_DAY_SQL["reach"].format(days=days))
    assert [r[0] for r in hand] == REACH_DAYS
    for day, want in hand:
        got = engine.compute(["reach"], grain="day", period=(day, day))
        assert want > 0
        assert close(got.value("reach", f"{day:%Y-%m-%d}"), as_float(want))


def test_reach_is_refused_at_month_grain(engine: Engine) -> None:
    with pytest.raises(QueryError, match="distinct people per day"):
        engine.compute(["reach"], grain="month", period=YEAR)


@pytest.mark.parametrize("kpi", sorted(BREAKDOWN_SQL))
def test_breakdown_by_channel_per_quarter(engine: Engine, kpi: str) -> None:
    result = engine.compute([kpi], grain="quarter", by=["channel"], period=YEAR)
    hand = sql_rows(engine.warehouse, BREAKDOWN_SQL[kpi])
    quarters = {f"{q.year}-Q{(q.month - 1) // 3 + 1}" for q, _, _ in hand}
    assert quarters == {"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"}
    expected = {(f"{q.year}-Q{(q.month - 1) // 3 + 1}", ch): as_float(v) for q, ch, v in hand}
    got = {
        (row.period_label, row.channel): as_float(row.value)
        for row in result.frame.itertuples(index=False)
    }
    assert set(got) == set(expected)
    assert len({ch for _, ch in expected}) >= 3
    wrong = [(key, got[key], want) for key, want in expected.items() if not close(got[key], want)]
    assert not wrong, f"{kpi} by channel != hand SQL ((quarter, channel), engine, SQL): {wrong}"
