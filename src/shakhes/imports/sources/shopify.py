"""Shopify's orders export (Orders → Export → CSV), one import row per order.

Layout: one header row (``Name, Email, Financial Status, Paid at, Fulfillment Status, …,
Currency, Subtotal, Shipping, Taxes, Total, Discount Code, Discount Amount, Shipping Method,
Created at, Lineitem quantity, Lineitem name, Lineitem price, …, Cancelled at, …, Id, …``;
``Customer ID`` in newer exports). Shopify writes **one row per line item**: the first row of
an order carries the order's totals, the following rows of the same order repeat ``Name`` (and
``Email``, ``Created at``) but leave ``Financial Status``, ``Subtotal``, ``Total`` … empty.

Mapping and decisions:

- ``order_id`` ← ``Name`` (``#1001``, as the shop shows it; the numeric ``Id`` is recognised but
  not used).
- ``order_date`` ← ``Created at`` (``2024-03-01 10:15:00 +0330``): the day as written, in the
  shop's time zone (the offset is not applied).
- **Line-item continuation rows** (an order name, but empty ``Subtotal``, ``Total`` and
  ``Financial Status``) are skipped through the layout's row rule: they are counted in the
  import report's ``summary_rows`` and never imported, so a three-item order is one order row.
  An order whose first row is missing from the file is therefore not imported either.
- **Cancelled orders** (``Cancelled at`` set) and **voided** ones (``Financial Status`` voided)
  are not sales: skipped the same way and counted in ``summary_rows``. Refunded orders are
  imported: ``revenue`` is before refunds.
- ``revenue`` ← ``Subtotal``: Shopify's subtotal is the line items *after* line and order
  discounts, *before* shipping and taxes — the data model's "net of discounts, before refunds".
  (``Total`` would add shipping and taxes. In a shop whose prices include tax, Shopify's
  subtotal includes that tax too.) ``Discount Amount``, ``Shipping``, ``Taxes`` and ``Total``
  are recognised but not imported.
- ``currency`` ← ``Currency`` (or ``--currency``).
- ``customer_id`` ← ``Customer ID`` when the export has it and the cell is filled; otherwise
  the **SHA-256 of the trimmed, lower-cased e-mail** (64 hex digits, the same normalisation as
  ad platforms' customer-match uploads), never the address itself. This is pseudonymisation,
  not anonymisation: anyone holding a list of addresses can recompute the hashes. The
  quarantine keeps a rejected row's original cells, e-mail included. A customer who once
  ordered as a guest and once logged in may appear under both keys.
- ``channel`` ``other`` and ``campaign`` ``(none)``: the export has no marketing source.
- ``is_new_customer``: Shopify's orders export does not say, and the first order *in a file*
  is not the customer's first order (exports are partial date ranges, newest first). It is
  worked out from the whole order history in the warehouse after every import and undo (see
  :data:`shakhes.imports.ledger.NEW_CUSTOMERS_FROM_HISTORY`); the constant here is only the
  value before that.

The row rule also writes the hashed e-mail back into the row (the pipeline has no per-row
transform step yet); :func:`prepare_customer` raises rather than let a raw address through if
rows ever stop being mutable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec, header_key

__all__ = ["SHOPIFY", "email_key", "prepare_customer"]

_GUEST_IDS = frozenset({"", "0", "-", "--", "guest", "مهمان"})


def email_key(email: str) -> str:
    """The customer key stored for an e-mail address: SHA-256 (hex) of the trimmed,
    lower-cased address. ``email_key(" Anna@Example.com ") == email_key("anna@example.com")``."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def prepare_customer(record: dict[str, str]) -> None:
    """Replace the ``_email`` cell by its :func:`email_key`, and fill an empty or guest
    (``0``) ``customer_id`` cell with it."""
    email = record.get("_email", "").strip()
    if "_email" not in record and "customer_id" not in record:
        return
    hashed = email_key(email) if email else ""
    if "_email" in record:
        record["_email"] = hashed
    if "customer_id" in record and header_key(record["customer_id"]) in _GUEST_IDS:
        record["customer_id"] = hashed


def _blank(row: Mapping[str, str], *names: str) -> bool:
    present = [row[n] for n in names if n in row]
    return bool(present) and not any(v.strip() for v in present)


def _prepare(row: dict[str, str]) -> str | None:
    """Why a row is not an order (a line-item continuation row, a cancelled or voided order),
    or None after pseudonymising its customer."""
    if row.get("order_id", "").strip() and _blank(row, "revenue", "_total", "_financial_status"):
        return "line-item continuation row"
    if row.get("_cancelled_at", "").strip():
        return "cancelled order"
    if header_key(row.get("_financial_status", "")) == "voided":
        return "voided order"
    prepare_customer(row)
    return None


_IGNORED = (
    "Accepts Marketing", "Fulfilled at", "Lineitem compare at price", "Lineitem sku",
    "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Lineitem discount", "Billing Name", "Billing Street", "Billing Address1", "Billing Address2",
    "Billing Company", "Billing City", "Billing Zip", "Billing Province", "Billing Province Name",
    "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1",
    "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip", "Shipping Province",
    "Shipping Province Name", "Shipping Country", "Shipping Phone", "Shipping Method", "Notes",
    "Note Attributes", "Payment Method", "Payment Reference", "Payment References", "Payment ID",
    "Payment Terms Name", "Next Payment Due At", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Tags", "Risk Level", "Source", "Tax 1 Name", "Tax 1 Value",
    "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Lineitem quantity",
    "Lineitem name", "Lineitem price",
)  # fmt: skip

SHOPIFY = SourceSpec(
    name="shopify",
    table="orders",
    title="Shopify orders export",
    fields=(
        Field("order_id", ("Name", "Order name"), "text", required=True),
        Field("order_date", ("Created at",), "date", required=True),
        Field("revenue", ("Subtotal",), "number", required=True),
        Field("_total", ("Total",), "text", required=True),
        Field("currency", ("Currency",), "text"),
        Field("customer_id", ("Customer ID", "Customer Id"), "id"),
        Field("_email", ("Email",), "text"),
        Field("_financial_status", ("Financial Status",), "text"),
        Field("_cancelled_at", ("Cancelled at",), "text"),
        Field("_shopify_id", ("Id",), "text"),
        Field("_paid_at", ("Paid at",), "text"),
        Field("_fulfillment_status", ("Fulfillment Status",), "text"),
        Field("_shipping", ("Shipping",), "text"),
        Field("_taxes", ("Taxes",), "text"),
        Field("_discount_code", ("Discount Code",), "text"),
        Field("_discount_amount", ("Discount Amount",), "text"),
        Field("_refunded_amount", ("Refunded Amount",), "text"),
        Field("_lineitem_quantity", ("Lineitem quantity",), "text"),
        Field("_lineitem_name", ("Lineitem name",), "text"),
        Field("_lineitem_price", ("Lineitem price",), "text"),
    ),
    ignored=_IGNORED,
    copies={"customer_id": "_email"},
    constants={"is_new_customer": "false"},
    defaults={"channel": "other", "campaign": "(none)"},
    prepare=_prepare,
)
