"""Shared by the CRM, shop and customer tests: the fixture files, the mappings of the HubSpot
lead and won-deal exports, and the order history of the worked customer example."""

from __future__ import annotations

from pathlib import Path

CRM = Path(__file__).resolve().parents[1] / "imports" / "fixtures" / "crm"

CONTACTS = """table: leads
columns:
  lead_id: Record ID
  created_date: Create Date
  channel: Original Source
  campaign: Original Source Drill-Down 2
values:
  channel:
    Paid Search: search
    Paid Social: social
    Organic Search: organic_search
    Direct Traffic: direct
    Email Marketing: email
    Referrals: referral
    AI Referrals: referral
    Social Media: organic_social
defaults:
  channel: other
  campaign: (none)
currency: USD
"""
"""The mapping of ``hubspot_contacts.csv`` (the lead export)."""

DEALS = """table: leads
columns:
  lead_id: Associated Contact IDs
  won_date: Close Date
  value: Amount
only:
  Deal Stage: [Closed won]
currency: USD
update: true
"""
"""The mapping of ``hubspot_deals_won.csv``: it completes the leads of its contacts."""

ALL_LEADS = (
    "SELECT lead_id, created_date, channel, campaign, qualified_date, won_date, value, currency, "
    "_import_id FROM leads ORDER BY lead_id"
)

ORDERS = "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer\n"
MONTH = 365.2425 / 12
EXAMPLE = [
    ("1", "2024-01-10", "A", "search", "brand", 100, "EUR"),
    ("2", "2024-01-25", "B", "social", "spring", 200, "EUR"),
    ("3", "2024-02-05", "C", "email", "(none)", 60, "EUR"),
    ("4", "2024-02-20", "A", "direct", "(none)", 50, "EUR"),
    ("5", "2024-03-01", "C", "direct", "(none)", 40, "EUR"),
    ("6", "2024-04-10", "D", "search", "brand", 120, "EUR"),
    ("7", "2024-06-01", "A", "email", "(none)", 80, "EUR"),
    ("8", "2024-06-20", "E", "direct", "(none)", 90, "EUR"),
    ("9", "2024-06-30", "", "direct", "(none)", 10, "EUR"),
]
"""The worked example (90-day window): five customers and a guest order on the last day."""

CUSTOMER_LIST = (
    "customer_id,acquired_date,churned_date,channel,campaign,plan,monthly_value,currency\n"
    "A,2023-12-01,,search,brand,gold,49,EUR\n"
    "Z,2024-02-01,2024-05-01,social,spring,silver,29,EUR\n"
)


def orders_file(path: Path, orders: list[tuple[str, str, str, str, str, float, str]]) -> Path:
    """A canonical orders CSV of ``orders`` (is_new_customer false: stated, not derived)."""
    lines = [",".join([*(str(v) for v in o), "false"]) for o in orders]
    path.write_text(ORDERS + "\n".join(lines) + "\n", encoding="utf-8")
    return path
