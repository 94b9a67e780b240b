"""WooCommerce order exports (CSV from the common order-export plugins), one import row per order.

WooCommerce itself has no orders CSV; shops export with a plugin. Recognised headers — the
"Order Export"/WP All Export style, the snake_case style of the Customer/Order CSV Export
legacy format, and the labels of Persian WooCommerce (ووکامرس فارسی) exports:

==================  ==============================================================
canonical           headers
==================  ==============================================================
order_id            ``Order ID``, ``order_id``, ``شناسه سفارش`` — else ``Order Number``,
                    ``Order #``, ``order_number``, ``شماره سفارش``
order_date          ``Order Date``, ``Date Created``, ``date``, ``تاریخ سفارش``
(status)            ``Order Status``, ``status``, ``وضعیت سفارش``
revenue             ``Order Total`` − ``Order Shipping`` − ``Order Shipping Tax`` −
                    ``Order Tax`` (see below)
currency            ``Order Currency``, ``Currency``, ``واحد پول`` (or ``--currency``)
customer_id         ``Customer User ID``, ``customer_user``, ``Customer ID`` — else the
                    SHA-256 of ``Billing Email`` (as Shopify, see shopify.py)
(line number)       ``Item #``, ``Line Number``
==================  ==============================================================

Decisions:

- **revenue** = order total − shipping − shipping tax − tax, for the deductions the file has.
  WooCommerce's order total is already net of coupons (``Cart Discount`` is recognised, not
  subtracted again) and includes fees; the result is "net of discounts, before refunds". A
  file without the shipping/tax columns imports the order total as it is. The arithmetic is
  done per row in the layout's row rule and written back as the revenue cell; a deduction
  cell that does not parse leaves the row to be quarantined on that column.
- Persian WooCommerce's thousand-unit currencies are expanded: ``IRHT`` (thousand tomans) →
  ``IRT`` and ``IRHR`` (thousand rials) → ``IRR``, amounts × 1000.
- Statuses that are not sales — ``pending`` (payment), ``failed``, ``cancelled``,
  ``checkout-draft``, ``trash`` (with or without the ``wc-`` prefix, or their Persian labels) —
  are skipped as WooCommerce Analytics does, counted in ``summary_rows``. ``refunded`` and
  ``on-hold`` orders are imported (revenue is before refunds).
- **One row per item** exports: rows that only continue an order (empty ``Order Total`` and
  ``Order Status``), and rows whose ``Item #``/``Line Number`` is above 1, are skipped and
  counted in ``summary_rows``. An export that repeats the order fields on every item row
  *without* a line-number column is refused by the pipeline as repeated order ids: add
  ``Item #`` to the export, or export one row per order.
- A guest order (``Customer User ID`` 0 or empty) gets the hashed billing e-mail as its
  customer id.
- ``channel`` ``other``, ``campaign`` ``(none)``; ``is_new_customer`` from the order history —
  as for Shopify.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import pyarrow as pa

from shakhes.imports import values as V
from shakhes.imports.sources.base import Field, SourceSpec, header_key
from shakhes.imports.sources.shopify import prepare_customer

_DEDUCTIONS = ("_shipping", "_shipping_tax", "_tax")
_THOUSANDS = {"IRHT": "IRT", "IRHR": "IRR"}
_NOT_SALES = frozenset(
    {
        "pending",
        "pending payment",
        "failed",
        "cancelled",
        "canceled",
        "checkout draft",
        "draft",
        "trash",
        *(header_key(s) for s in ("در انتظار پرداخت", "ناموفق", "لغو شده", "لغو شد")),
    }
)


@functools.lru_cache(maxsize=4096)
def _number(text: str) -> tuple[float | None, bool]:
    """A money cell's value (None when empty) and whether it parsed."""
    parsed = V.parse_numbers(pa.array([text], pa.string()))
    value = parsed.values[0].as_py()
    return (float(value) if value is not None else None), parsed.error_count() == 0


def _status(row: Mapping[str, str]) -> str:
    key = header_key(row.get("_status", ""))
    return key[3:] if key.startswith("wc ") else key


def _continues_an_order(row: Mapping[str, str]) -> bool:
    line = row.get("_line", "").strip()
    if line.isdigit() and int(line) > 1:
        return True
    named = row.get("order_id", "").strip() or row.get("_order_number", "").strip()
    present = [row[n] for n in ("revenue", "_status") if n in row]
    return bool(named) and not any(v.strip() for v in present)


def _net_revenue(row: dict[str, str]) -> None:
    """Write order total − shipping − shipping tax − tax (× 1000 for IRHT/IRHR) into the
    revenue cell, when every cell involved parses."""
    total, ok = _number(row.get("revenue", ""))
    if total is None or not ok:
        return
    net = total
    for name in _DEDUCTIONS:
        amount, ok = _number(row.get(name, ""))
        if not ok:
            return
        net -= amount or 0.0
    currency = row.get("currency", "").strip().upper()
    if currency in _THOUSANDS:
        net *= 1000
        row["currency"] = _THOUSANDS[currency]
    row["revenue"] = f"{round(net, 6):.6f}"


def _prepare(row: dict[str, str]) -> str | None:
    """Why a row is not an order (an item continuation row, an unpaid or cancelled status), or
    None after computing its net revenue and pseudonymising its customer."""
    if _continues_an_order(row):
        return "item continuation row"
    if _status(row) in _NOT_SALES:
        return f"order status {_status(row)}"
    _net_revenue(row)
    prepare_customer(row)
    return None


_IGNORED = (
    "Customer Note", "Order Notes", "Billing First Name", "Billing Last Name", "Billing Company",
    "Billing Address 1", "Billing Address 2", "Billing City", "Billing State", "Billing Postcode",
    "Billing Country", "Billing Phone", "Shipping First Name", "Shipping Last Name",
    "Shipping Company", "Shipping Address 1", "Shipping Address 2", "Shipping City",
    "Shipping State", "Shipping Postcode", "Shipping Country", "Shipping Method Title",
    "Coupon Code", "Coupons Used", "SKU", "Item Cost", "Order Subtotal Amount",
    "Order Refund Amount", "Fee Total", "Transaction ID", "Customer Username", "Paid Date",
    "Completed Date", "نام", "نام خانوادگی", "تلفن", "آدرس", "شهر", "استان", "کد پستی",
    "یادداشت مشتری", "کد تخفیف", "شناسه تراکنش",
)  # fmt: skip

WOOCOMMERCE = SourceSpec(
    name="woocommerce",
    table="orders",
    title="WooCommerce order export",
    fields=(
        Field("order_id", ("Order ID", "Order Id", "order_id", "شناسه سفارش"), "text"),
        Field(
            "_order_number",
            ("Order Number", "Order #", "Order No", "order_number", "شماره سفارش"),
            "text",
        ),
        Field(
            "order_date",
            ("Order Date", "Date Created", "date", "تاریخ سفارش", "تاریخ ثبت سفارش"),
            "date",
            required=True,
        ),
        Field("_status", ("Order Status", "status", "وضعیت سفارش"), "text"),
        Field(
            "revenue",
            ("Order Total", "order_total", "Order Total Amount", "مبلغ کل سفارش", "جمع کل سفارش"),
            "number",
            required=True,
        ),
        Field(
            "_shipping",
            (
                "Order Shipping",
                "order_shipping",
                "Order Shipping Amount",
                "Shipping Total",
                "هزینه حمل و نقل",
                "هزینه ارسال",
            ),
            "number",
        ),
        Field(
            "_shipping_tax",
            ("Order Shipping Tax", "order_shipping_tax", "Order Shipping Tax Amount"),
            "number",
        ),
        Field(
            "_tax", ("Order Tax", "order_tax", "Order Tax Amount", "Tax Total", "مالیات"), "number"
        ),
        Field(
            "_discount",
            ("Cart Discount", "cart_discount", "Cart Discount Amount", "Order Discount", "تخفیف"),
            "text",
        ),
        Field("currency", ("Order Currency", "Currency", "order_currency", "واحد پول"), "text"),
        Field(
            "customer_id",
            ("Customer User ID", "customer_user", "Customer ID", "شناسه کاربر", "شناسه مشتری"),
            "id",
        ),
        Field(
            "_email",
            (
                "Billing Email",
                "billing_email",
                "Billing Email Address",
                "Email (Billing)",
                "ایمیل صورتحساب",
                "ایمیل",
            ),
            "text",
        ),
        Field("_line", ("Item #", "Line Number", "line_number", "Line Item #"), "text"),
        Field("_product", ("Product Name", "Item Name", "نام محصول"), "text"),
        Field("_quantity", ("Quantity", "Qty", "تعداد"), "text"),
        Field("_payment_method", ("Payment Method Title", "Payment Method", "روش پرداخت"), "text"),
    ),
    ignored=_IGNORED,
    copies={"order_id": "_order_number", "customer_id": "_email"},
    constants={"is_new_customer": "false"},
    defaults={"channel": "other", "campaign": "(none)"},
    prepare=_prepare,
)
