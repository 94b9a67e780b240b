"""``--suggest-mapping`` proposes the table that fits a file — leads, orders, customers, email
campaigns, not always ad_performance — and a mapping that imports it as it is once nothing is
missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.imports.mapping import load_mapping
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.suggest import suggest_for_file, suggest_mapping

CRM = Path(__file__).parent / "fixtures" / "crm"


def suggested(name: str) -> tuple[str, dict[str, Any]]:
    text = suggest_for_file(CRM / name)
    return text, yaml.safe_load(text)


@pytest.mark.parametrize(
    ("name", "table", "columns"),
    [
        (
            "hubspot_contacts.csv",
            "leads",
            {
                "lead_id": "Record ID",
                "created_date": "Create Date",
                "channel": "Original Source",
                "campaign": "Original Source Drill-Down 2",
            },
        ),
        (
            "pipedrive_deals.csv",
            "leads",
            {
                "lead_id": "Deal - ID",
                "created_date": "Deal - Deal created",
                "channel": "Deal - Source channel",
                "won_date": "Deal - Won time",
                "value": "Deal - Value",
                "currency": "Deal - Currency",
            },
        ),
        (
            "salesforce_leads.csv",
            "leads",
            {
                "lead_id": "Lead ID",
                "created_date": "Create Date",
                "channel": "Lead Source",
                "won_date": "Converted Date",
            },
        ),
        (
            "leads_fa.csv",
            "leads",
            {
                "lead_id": "شناسه",
                "created_date": "تاریخ ایجاد",
                "channel": "نحوه آشنایی",
                "campaign": "کمپین",
            },
        ),
        (
            "hubspot_deals_won.csv",
            "leads",
            {"lead_id": "Associated Contact IDs", "won_date": "Close Date", "value": "Amount"},
        ),
        (
            "deals_won_fa.csv",
            "leads",
            {"lead_id": "شناسه سرنخ", "won_date": "تاریخ موفقیت", "value": "مبلغ (ریال)"},
        ),
        (
            "shop_orders.csv",
            "orders",
            {
                "order_id": "Order Number",
                "order_date": "Order Date",
                "customer_id": "Customer Email",
                "channel": "Origin",
                "campaign": "UTM Campaign",
                "revenue": "Subtotal",
                "currency": "Currency",
            },
        ),
        (
            "shop_orders_fa.csv",
            "orders",
            {
                "order_id": "شماره سفارش",
                "order_date": "تاریخ ثبت سفارش",
                "customer_id": "شماره موبایل",
                "channel": "نحوه آشنایی",
                "revenue": "مبلغ کل (تومان)",
            },
        ),
        (
            "woocommerce_customers.csv",
            "customers",
            {"customer_id": "Email", "acquired_date": "Date registered"},
        ),
        ("shopify_customers.csv", "customers", {"customer_id": "Customer ID"}),
        (
            "subscribers_fa.csv",
            "customers",
            {
                "customer_id": "کد مشتری",
                "acquired_date": "تاریخ عضویت",
                "churned_date": "تاریخ لغو اشتراک",
                "channel": "کانال جذب",
                "plan": "پلن",
                "monthly_value": "مبلغ ماهانه (تومان)",
            },
        ),
        (
            "mailchimp_campaigns.csv",
            "email_campaigns",
            {
                "date": "Send Date",
                "campaign": "Title",
                "sent": "Total Recipients",
                "delivered": "Successful Deliveries",
                "opens": "Unique Opens",
                "clicks": "Unique Clicks",
                "unsubscribes": "Unsubscribes",
                "bounces": "Total Bounces",
            },
        ),
    ],
)
def test_the_table_and_columns_that_fit(name: str, table: str, columns: dict[str, str]) -> None:
    _, document = suggested(name)
    assert document["table"] == table
    assert document["columns"] == columns


def test_deals_keyed_by_their_contacts_are_an_update_of_won_deals() -> None:
    text, document = suggested("hubspot_deals_won.csv")
    assert document["update"] is True
    assert document["only"] == {"Deal Stage": ["Closed won"]}
    assert "its own Create Date are left out" in text  # the deal's date is not the lead's
    _, persian = suggested("deals_won_fa.csv")
    assert persian["update"] is True and persian["currency"] == "IRR"
    assert persian["only"] == {"مرحله": ["موفق"]}


def test_source_values_become_a_channel_map() -> None:
    text, document = suggested("hubspot_contacts.csv")
    assert document["values"]["channel"] == {
        "Paid Search": "search",
        "Paid Social": "social",
        "AI Referrals": "referral",
        "Direct Traffic": "direct",
        "Email Marketing": "email",
        "Offline Sources": "other",
        "Organic Search": "organic_search",
        "Referrals": "referral",
        "Social Media": "organic_social",
    }
    assert document["defaults"] == {"channel": "other", "campaign": "(none)"}
    assert "The file does not say its currency" in text
    _, shop = suggested("shop_orders.csv")
    assert shop["values"]["channel"]["Referral: Instagram.com"] == "referral"
    assert shop["skip"] == {"Order Status": ["Cancelled", "Failed"]}
    assert shop["hash"] == ["customer_id"]
    text, persian = suggested("leads_fa.csv")
    assert persian["values"]["channel"]["گوگل ادز"] == "search"
    assert "not recognised" in text and "پادکست" in text


def test_a_customer_list_without_churn_dates_is_flagged() -> None:
    text, document = suggested("woocommerce_customers.csv")
    assert "update" not in document
    assert "would ever churn" in text
    assert "Required columns not found" in text and "monthly_value" in text
    text, _ = suggested("shopify_customers.csv")
    assert "acquired_date, monthly_value" in text


def test_a_file_a_layout_reads_needs_no_mapping() -> None:
    text = suggest_for_file(FIXTURES / "shopify_orders.csv")
    assert "read as it is by the Shopify orders export layout (shopify)" in text
    assert yaml.safe_load(text)["table"] == "orders"


def test_ad_reports_still_go_to_ad_performance() -> None:
    document = yaml.safe_load(suggest_mapping(["Day", "Campaign", "Impr.", "Clicks", "Cost"]))
    assert document["table"] == "ad_performance"


COMPLETE = {
    # file: (what the user adds to the suggestion, table, rows imported)
    "pipedrive_deals.csv": ("", "leads", 7),
    "salesforce_leads.csv": ("currency: USD\n", "leads", 6),
    "hubspot_contacts.csv": ("currency: USD\n", "leads", 12),
    "leads_fa.csv": ("currency: IRR\n", "leads", 8),
    "shop_orders.csv": ("", "orders", 7),
    "shop_orders_fa.csv": ("", "orders", 5),
    "subscribers_fa.csv": ("", "customers", 3),
    "mailchimp_campaigns.csv": ("", "email_campaigns", 2),
}


@pytest.mark.parametrize("name", sorted(COMPLETE))
def test_a_complete_suggestion_imports_the_file(
    warehouse: Warehouse, tmp_path: Path, name: str
) -> None:
    added, table, accepted = COMPLETE[name]
    text, _ = suggested(name)
    assert "Required columns not found" not in text
    path = tmp_path / "mapping.yml"
    path.write_text(text + added, encoding="utf-8")
    load_mapping(path)
    report = import_file(warehouse, CRM / name, ImportOptions(mapping=path))
    assert report.table == table and report.accepted == accepted
    assert rows(warehouse, f"SELECT count(*) FROM {table}") == [(accepted,)]
