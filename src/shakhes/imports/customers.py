"""Customers worked out from the orders, for a shop that has no customer list.

A workspace with orders but no imported customers gets one ``customers`` row per customer id
of its orders (orders without a customer are left out), so that ``new_customers``,
``churn_rate``, ``retention_rate`` and ``clv`` work for shops:

- **acquired_date**: the day of the customer's first order; ``channel``, ``campaign`` and
  ``currency`` are the first order's (by day, then order id — the order ``is_new_customer``
  marks).
- **churned_date**: the day ``inactivity_days`` after the customer's last order (90 by default:
  the workspace's ``customer_inactivity_days``), but only when the orders reach that day: a
  customer whose window has not yet run out by the last order in the warehouse is active.
  The model keeps one acquisition and one churn per customer, so a customer who comes back
  after a longer gap is counted active from the first order to the window after the last.
- **monthly_value**: the customer's revenue (orders in the first order's currency) per month of
  the span the churn rule counts them active — from the first order to ``inactivity_days``
  after the last, in months of 365.2425 / 12 days. CLV divides the monthly value by the
  monthly churn rate, whose denominator counts the customer in every month of that span, with
  or without an order: spread over the same months, the value of a churned customer adds back
  up to exactly their revenue. (Revenue per month *with an order* would count a customer who
  orders every other month as worth twice as much.) The span is at least the window, so a new
  customer's single order is not divided by a few days.
- **plan** ``(from orders)``.

They are rows of ``customers`` with ``_import_id`` 0 (:data:`DERIVED_IMPORT_ID`), worked out
again after every import and undo of orders or customers, in its transaction. A customer list,
when imported, wins: its import removes every derived row first, and none is derived while an
imported customer is there (derived and imported rows never mix); undoing the last customer
import brings the derived ones back. The window they were worked out with is kept, so that a
changed setting is applied before the next computation (:func:`refresh_if_changed`).

All SQL here is built from identifiers of the data model; values are parameters.
"""

from __future__ import annotations

from typing import Any

from shakhes.data.warehouse import DERIVED_IMPORT_ID, IMPORT_ID, Warehouse

DEFAULT_INACTIVITY_DAYS = 90
PLAN = "(from orders)"
DAYS_PER_MONTH = 365.2425 / 12
STATE_TABLE = "shakhes_customers_from_orders"
"""One row: the inactivity window the derived customers were last worked out with."""

_CUSTOMER = "coalesce(customer_id, '') <> ''"
_FIRST = (
    "SELECT customer_id, channel, campaign, currency, row_number() OVER ("
    f"PARTITION BY customer_id ORDER BY order_date, order_id) AS n FROM orders WHERE {_CUSTOMER}"
)
_DERIVE = f"""
INSERT INTO customers (customer_id, acquired_date, churned_date, channel, campaign, plan,
                       monthly_value, currency, {IMPORT_ID})
SELECT f.customer_id, s.first_day,
       CASE WHEN s.last_day + CAST(? AS INTEGER) <= e.last_day
            THEN s.last_day + CAST(? AS INTEGER) END,
       f.channel, f.campaign, ?,
       coalesce(v.revenue, 0) * ? / (s.last_day - s.first_day + CAST(? AS INTEGER)),
       f.currency, {DERIVED_IMPORT_ID}
FROM ({_FIRST}) AS f
JOIN (SELECT customer_id, min(order_date) AS first_day, max(order_date) AS last_day
      FROM orders WHERE {_CUSTOMER} GROUP BY customer_id) AS s
  ON s.customer_id = f.customer_id
LEFT JOIN (SELECT o.customer_id, sum(o.revenue) AS revenue
           FROM orders AS o JOIN ({_FIRST}) AS f1
             ON f1.customer_id = o.customer_id AND f1.n = 1 AND f1.currency = o.currency
           GROUP BY o.customer_id) AS v
  ON v.customer_id = f.customer_id
CROSS JOIN (SELECT max(order_date) AS last_day FROM orders) AS e
WHERE f.n = 1
"""


def remove(cur: Any, wh: Warehouse) -> int:
    """Delete the derived customers (they are never kept for undo: they are worked out
    again); returns how many there were."""
    cur.execute(f"SELECT count(*) FROM customers WHERE {IMPORT_ID} = {DERIVED_IMPORT_ID}")
    count = int(cur.fetchone()[0])
    if count:
        cur.execute(f"DELETE FROM customers WHERE {IMPORT_ID} = {DERIVED_IMPORT_ID}")
    return count


def derive(cur: Any, wh: Warehouse, inactivity_days: int) -> int:
    """Work the customers out from the orders again, on ``cur`` inside the transaction of the
    change, unless imported customers are there; returns how many were derived."""
    remove(cur, wh)
    _record_window(cur, wh, inactivity_days)
    cur.execute("SELECT count(*) FROM customers")
    if int(cur.fetchone()[0]):
        return 0
    window = int(inactivity_days)
    cur.execute(wh.param(_DERIVE), [window, window, PLAN, DAYS_PER_MONTH, window])
    cur.execute(f"SELECT count(*) FROM customers WHERE {IMPORT_ID} = {DERIVED_IMPORT_ID}")
    return int(cur.fetchone()[0])


def _record_window(cur: Any, wh: Warehouse, inactivity_days: int) -> None:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (window_days BIGINT NOT NULL)")
    cur.execute(f"DELETE FROM {STATE_TABLE}")
    cur.execute(wh.param(f"INSERT INTO {STATE_TABLE} (window_days) VALUES (?)"), [inactivity_days])


def window_used(wh: Warehouse) -> int | None:
    """The inactivity window the customers were last worked out with (None: never)."""
    if STATE_TABLE not in set(wh.backend.list_tables()):
        return None
    with wh.transaction() as cur:
        cur.execute(f"SELECT max(window_days) FROM {STATE_TABLE}")
        row = cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


def refresh_if_changed(wh: Warehouse, inactivity_days: int) -> bool:
    """Work the customers out again when the workspace's inactivity window is not the one
    they were worked out with (the setting was changed); returns whether it did."""
    used = window_used(wh)
    if used is None or used == inactivity_days:
        return False
    with wh.transaction() as cur:
        derive(cur, wh, inactivity_days)
    return True
