"""A small, known data set for engine tests, and hand-written SQL on either backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from shakhes.data.model import TABLES
from shakhes.data.warehouse import Warehouse, arrow_schema
from shakhes.engine.engine import Engine
from shakhes.spec.catalog import load_catalog

START = dt.date(2024, 1, 1)
END = dt.date(2024, 6, 30)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = arrow_schema(TABLES[name])
    return pa.Table.from_pylist(rows, schema=schema)


def dataset(seed: int = 1) -> dict[str, pa.Table]:
    """Six months of ads, orders and customers. The video channel has no rows in March (to test
    the date spine); ads have reach (non-additive); some days have zero clicks."""
    rng = np.random.default_rng(seed)
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    ads = []
    for day in days:
        for channel, platform, ctr in (
            ("search", "google_ads", 0.05),
            ("social", "meta", 0.01),
            ("video", "google_ads", 0.004),
        ):
            if channel == "video" and day.month == 3:
                continue
            for n in range(2):
                imps = int(rng.integers(0, 4000))
                clicks = int(rng.binomial(imps, ctr))
                conv = float(rng.binomial(clicks, 0.1))
                ads.append(
                    {
                        "date": day,
                        "platform": platform,
                        "account": "acc",
                        "channel": channel,
                        "campaign_id": f"{channel}-{n}",
                        "campaign": f"{channel.title()} {n}",
                        "ad_group": "g1",
                        "ad": None if n == 0 else "ad-1",
                        "currency": "USD",
                        "impressions": imps,
                        "clicks": clicks,
                        "cost": round(clicks * float(rng.uniform(0.2, 2.0)), 2),
                        "conversions": conv,
                        "conversion_value": round(conv * 40.0, 2),
                        "reach": imps // 3,
                        "video_views": None,
                        "engagements": None,
                        "leads": None,
                    }
                )
    orders, customers = [], []
    for c in range(300):
        acquired = days[int(rng.integers(0, len(days)))]
        churned = None
        if rng.random() < 0.4:
            churned = acquired + dt.timedelta(days=int(rng.integers(1, 120)))
        channel = str(rng.choice(["search", "social", "video", "organic_search"]))
        customers.append(
            {
                "customer_id": f"c{c}",
                "acquired_date": acquired,
                "churned_date": churned,
                "channel": channel,
                "campaign": "",
                "plan": str(rng.choice(["basic", "pro"])),
                "monthly_value": float(rng.choice([10.0, 30.0])),
                "currency": "USD",
            }
        )
        last = min(END, churned or END)
        for k in range(int(rng.integers(1, 4))):
            span = (last - acquired).days
            day = (
                acquired if k == 0 else acquired + dt.timedelta(days=int(rng.integers(0, span + 1)))
            )
            orders.append(
                {
                    "order_id": f"o{c}-{k}",
                    "order_date": day,
                    "customer_id": f"c{c}",
                    "channel": channel,
                    "campaign": "",
                    "revenue": round(float(rng.uniform(5, 200)), 2),
                    "currency": "USD",
                    "is_new_customer": k == 0,
                }
            )
    return {
        "ad_performance": _table("ad_performance", ads),
        "orders": _table("orders", orders),
        "customers": _table("customers", customers),
    }


def make_engine(warehouse: Warehouse, **kwargs: Any) -> Engine:
    warehouse.ensure_schema()
    for name, rows in dataset().items():
        warehouse.upsert(name, rows)
    return Engine(warehouse, {k.id: k for k in load_catalog()}, **kwargs)


def sql_rows(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    """Run hand-written SQL (portable between DuckDB and Postgres) on the warehouse."""
    if warehouse.dialect == "duckdb":
        rows = warehouse.backend.con.execute(sql).fetchall()
    else:
        with warehouse.backend.con.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]
