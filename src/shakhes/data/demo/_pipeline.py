"""One generation run: the steps in order, each drawing from one shared random generator.

The order of the steps is part of the output: every step draws from the same generator, so
moving a step (or a draw inside one) changes every table after it.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import numpy as np
import pyarrow as pa

from shakhes.data.demo._ads import ad_table, deliver_ads
from shakhes.data.demo._calendar import make_calendar
from shakhes.data.demo._campaigns import plan_campaigns
from shakhes.data.demo._email import send_email
from shakhes.data.demo._incidents import incident_truth, plan_incidents
from shakhes.data.demo._incremental import respond
from shakhes.data.demo._leads import make_leads
from shakhes.data.demo._orders import take_orders
from shakhes.data.demo._slots import make_slots
from shakhes.data.demo._truth import ground_truth
from shakhes.data.demo._web import web_traffic
from shakhes.data.model import TABLES, ColumnType

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.DATE: pa.date32(),
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def run(
    seed: int, start: datetime.date, end: datetime.date, scale: float, currency: str
) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The canonical tables and the ground truth of one run."""
    rng = np.random.default_rng(seed)
    cal = make_calendar(start, end)
    plan = plan_campaigns(rng, cal, scale)
    incidents = plan_incidents(seed, cal, plan)
    plan = incidents.apply_to_plan(plan)
    ads = deliver_ads(rng, cal, plan, incidents.ctr)
    paid = respond(rng, cal, plan, ads, incidents.conversions)
    email = send_email(rng, cal, scale)
    slots = make_slots(plan.campaigns, email)
    orders = take_orders(rng, cal, paid, slots, email.daily_clicks, scale, currency)
    leads = make_leads(rng, cal, plan.campaigns, ads, slots, scale, currency)
    web = web_traffic(
        rng, cal, plan, ads, email, slots, orders, scale, currency, incidents.sessions
    )
    ads_columns = ad_table(ads, cal, plan, paid.conversions, paid.conversion_value, currency)
    tables = {
        "ad_performance": _arrow_table("ad_performance", ads_columns),
        "web_traffic": _arrow_table("web_traffic", web),
        "orders": _arrow_table("orders", orders.orders_table),
        "customers": _arrow_table("customers", orders.customers_table),
        "leads": _arrow_table("leads", leads),
        "email_campaigns": _arrow_table("email_campaigns", email.table),
    }
    truth = ground_truth(
        seed=seed,
        cal=cal,
        scale=scale,
        currency=currency,
        plan=plan,
        ads=ads,
        paid=paid,
        orders=orders,
        row_counts={name: t.num_rows for name, t in tables.items()},
        incidents=incident_truth(incidents, cal, tables),
    )
    if not math.isfinite(float(np.sum(ads.cost))):  # pragma: no cover - sanity
        raise AssertionError("non-finite spend")
    return tables, truth


def _arrow_table(name: str, data: dict[str, Any]) -> pa.Table:
    """``data`` (column name → values, or (values, null mask)) as the canonical table ``name``."""
    spec = TABLES[name]
    if list(data) != spec.column_names:
        raise AssertionError(f"{name}: columns {list(data)} != {spec.column_names}")
    arrays = []
    fields = []
    for col in spec.columns:
        typ = _ARROW_TYPES[col.type]
        value = data[col.name]
        if isinstance(value, tuple):
            values, mask = value
            arrays.append(pa.array(values, type=typ, mask=mask))
        else:
            arrays.append(pa.array(value, type=typ))
        fields.append(pa.field(col.name, typ, nullable=not col.required))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
