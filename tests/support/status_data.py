"""Hand-made ad data for the tests of ``status``, so that every number of ``status`` can be worked
out by hand: ten days of April 2025 (the 1st to the 10th), the same every day —

========  ======  ===========  ====  ===========
channel   clicks  impressions  cost  conversions
========  ======  ===========  ====  ===========
search       100        2,000    50            5
social        50        5,000    40            1
========  ======  ===========  ====  ===========
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from shakhes.data.model import TABLES
from shakhes.data.warehouse import arrow_schema
from shakhes.workspace import Workspace

FIRST = dt.date(2025, 4, 1)
LAST = dt.date(2025, 4, 10)
DAYS = 10
SEARCH = {"clicks": 100, "impressions": 2000, "cost": 50.0, "conversions": 5.0}
SOCIAL = {"clicks": 50, "impressions": 5000, "cost": 40.0, "conversions": 1.0}


def ad_rows(
    first: dt.date = FIRST, days: int = DAYS, currency: str = "USD", scale: float = 1.0
) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        for channel, platform, numbers in (
            ("search", "google_ads", SEARCH),
            ("social", "meta", SOCIAL),
        ):
            rows.append(
                {
                    "date": day,
                    "platform": platform,
                    "account": "acc",
                    "channel": channel,
                    "campaign_id": f"{channel}-1",
                    "campaign": channel.title(),
                    "ad_group": "g1",
                    "ad": None,
                    "currency": currency,
                    "impressions": numbers["impressions"],
                    "clicks": numbers["clicks"],
                    "cost": numbers["cost"] * scale,
                    "conversions": numbers["conversions"],
                    "conversion_value": numbers["conversions"] * 40.0,
                    "reach": numbers["impressions"] // 4,
                    "video_views": None,
                    "engagements": None,
                    "leads": None,
                }
            )
    return pa.Table.from_pylist(rows, schema=arrow_schema(TABLES["ad_performance"]))


def load(ws: Workspace, rows: pa.Table) -> None:
    with ws.writing("test data") as session:
        session.warehouse.upsert("ad_performance", rows)
        session.store.bump_data_version(ws.id, "test", {"rows": rows.num_rows})
