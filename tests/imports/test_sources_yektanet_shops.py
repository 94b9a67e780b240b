"""Yektanet reports and Shopify/WooCommerce order exports, imported end to end.

Every number asserted here is computed by hand from the fixture files (see the comments).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.sources.shopify import email_key


def ads(wh: Warehouse) -> tuple[object, ...]:
    return rows(
        wh,
        "SELECT count(*), sum(impressions), sum(clicks), sum(cost), sum(leads), "
        "sum(conversions) FROM ad_performance",
    )[0]


def orders(wh: Warehouse) -> tuple[object, ...]:
    return rows(
        wh,
        "SELECT count(*), round(sum(revenue), 2), count(DISTINCT customer_id) FROM orders",
    )[0]


def quarantined(wh: Warehouse) -> dict[tuple[object, object], object]:
    return {(r[2], r[3]): r[5] for r in Ledger(wh).quarantine()}


def sha(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


# --- Yektanet -------------------------------------------------------------------------------


def test_yektanet_english_report(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "yektanet_daily.csv", ImportOptions(currency="IRR"))
    assert report.source == "yektanet" and report.table == "ad_performance"
    # 4 data rows and the "Total" row, which is checked against the sums, not imported.
    assert (report.rows_read, report.accepted, report.quarantined, report.summary_rows) == (
        5,
        4,
        0,
        1,
    )
    # Yektanet reports have no conversions (recorded as 0, and said so); the empty Lead cell
    # is unknown, not 0.
    assert report.warnings == (
        "the file has no conversion value column: conversion_value recorded as 0 for every row "
        "(KPIs that read it will count 0); export the column and import the file again to "
        "replace them",
        "the file has no conversions column: conversions recorded as 0 for every row (KPIs "
        "that read it will count 0); export the column and import the file again to replace "
        "them",
        "leads: 1 row(s) have no value in the file; stored as unknown, not 0",
    )
    # impressions 250,000+180,000+262,000+90,000; clicks 1,200+640+1,310+300;
    # cost 12.5M+8.3M+13.1M ("13,100,000")+4.2M rial; leads 14+6+17 (last cell empty).
    assert ads(warehouse) == (4, 782_000, 3_450, 38_100_000.0, 37, 0.0)
    assert rows(
        warehouse, "SELECT DISTINCT platform, channel, currency, account FROM ad_performance"
    ) == [("yektanet", "display", "IRR", "(not set)")]
    assert rows(
        warehouse,
        "SELECT date, campaign_id, ad_group, ad, leads FROM ad_performance ORDER BY ALL",
    ) == [
        (dt.date(2024, 10, 6), "Autumn Sale", "Retargeting", "Banner A", 14),
        (dt.date(2024, 10, 6), "Autumn Sale", "Retargeting", "Banner B", 6),
        (dt.date(2024, 10, 7), "Autumn Sale", "Retargeting", "Banner A", 17),
        (dt.date(2024, 10, 7), "Brand Native", "Brand", "Native 1", None),
    ]


def test_yektanet_refuses_to_guess_rial_or_toman(warehouse: Warehouse) -> None:
    with pytest.raises(DataError, match="currency") as info:
        import_file(warehouse, FIXTURES / "yektanet_daily.csv", ImportOptions())
    assert "IRR" in (info.value.hint or "")
    assert ads(warehouse)[0] == 0


def test_yektanet_excel_serial_dates_and_scientific_cost(warehouse: Warehouse) -> None:
    report = import_file(
        warehouse, FIXTURES / "yektanet_excel_serial.csv", ImportOptions(currency="IRR")
    )
    assert report.source == "yektanet" and (report.accepted, report.quarantined) == (3, 0)
    # Serials 45571/45572 are 2024-10-06/07. Cost 1.48E+08 + 5.2E+07 + 1.53E+08 = 353,000,000;
    # impressions 1.25E+06 + 410,000 + 1,310,000; clicks 9,800+3,100+10,050; leads 65+40+71.
    assert report.date_range == (dt.date(2024, 10, 6), dt.date(2024, 10, 7))
    assert ads(warehouse) == (3, 2_970_000, 22_950, 353_000_000.0, 176, 0.0)
    assert rows(warehouse, "SELECT max(cost) FROM ad_performance") == [(153_000_000.0,)]


def test_yektanet_persian_headers_jalali_dates_and_persian_digits(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "yektanet_fa.csv", ImportOptions(currency="IRT"))
    assert report.source == "yektanet" and (report.accepted, report.quarantined) == (3, 0)
    # ۱۴۰۳/۰۷/۱۵ = 2024-10-06. impressions ۱۲۰٬۰۰۰+۸۵٬۰۰۰+۱۳۰٬۰۰۰; clicks ۹۸۰+۴۱۰+۱٬۰۵۰;
    # cost ۴٬۵۰۰٬۰۰۰+۲٬۱۰۰٬۰۰۰+۴٬۸۰۰٬۰۰۰ toman; leads ۱۲+۵+۱۵.
    assert report.date_range == (dt.date(2024, 10, 6), dt.date(2024, 10, 7))
    assert ads(warehouse) == (3, 335_000, 2_440, 11_400_000.0, 32, 0.0)
    assert rows(warehouse, "SELECT DISTINCT currency, channel FROM ad_performance") == [
        ("IRT", "display")
    ]
    assert rows(warehouse, "SELECT DISTINCT ad FROM ad_performance ORDER BY ad") == [
        ("بنر ۱",),
        ("بنر ۲",),
    ]


def test_yektanet_windows_1256_with_arabic_letters(warehouse: Warehouse) -> None:
    path = FIXTURES / "yektanet_fa_cp1256.csv"
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "ی" not in raw.decode("cp1256") and "ي" in raw.decode("cp1256")
    report = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert report.source == "yektanet" and (report.accepted, report.quarantined) == (2, 0)
    # M/D/YYYY: 10/13/2024 settles the order, so 10/6/2024 is 6 October.
    assert report.date_range == (dt.date(2024, 10, 6), dt.date(2024, 10, 13))
    # impressions 50,000+61,000; clicks 400+455; cost 1,600,000+1,850,000; leads 4+6.
    assert ads(warehouse) == (2, 111_000, 855, 3_450_000.0, 10, 0.0)


def test_yektanet_bad_rows_are_quarantined(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "yektanet_bad.csv"
    path.write_text(
        "Date,Campaign,Cost,Impression,Click,Ad Group,Creative,Sessions,Lead\n"
        "20241006,A,1000,100,10,G,C1,5,1\n"
        "20241006,A,1000,100,500,G,C2,5,1\n"
        "20241306,A,1000,100,10,G,C3,5,1\n"
        "20241006,A,-5,100,10,G,C4,5,1\n"
        "20241006,A,1000,many,10,G,C5,5,1\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert (report.source, report.accepted, report.quarantined) == ("yektanet", 1, 4)
    found = quarantined(warehouse)
    assert set(found) == {(3, "clicks"), (4, "date"), (5, "cost"), (6, "impressions")}
    assert "more clicks than impressions" in str(found[(3, "clicks")])
    assert rows(warehouse, "SELECT ad, cost FROM ad_performance") == [("C1", 1000.0)]


def test_yektanet_total_row_that_disagrees_is_a_warning(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "yektanet_total.csv"
    path.write_text(
        "تاریخ,کمپین,نمایش,کلیک,هزینه,لید\n"
        "20241006,A,100,10,1000,1\n"
        "20241007,A,100,10,1000,1\n"
        "جمع کل,,200,20,5000,2\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert (report.source, report.accepted, report.summary_rows) == ("yektanet", 2, 1)
    (total,) = [w for w in report.warnings if "total row" in w]
    assert "cost = 5,000 but" in total and "add up to 2,000" in total


@pytest.mark.parametrize(
    ("fixture", "source"),
    [
        ("google_ads_campaign_day.csv", "google-ads"),
        ("meta_daily.csv", "meta-ads"),
        ("yektanet_daily.csv", "yektanet"),
        ("yektanet_excel_serial.csv", "yektanet"),
        ("yektanet_fa.csv", "yektanet"),
        ("yektanet_fa_cp1256.csv", "yektanet"),
        ("shopify_orders.csv", "shopify"),
        ("shopify_orders_customer_id.csv", "shopify"),
        ("woocommerce_orders.csv", "woocommerce"),
        ("woocommerce_items_irt.csv", "woocommerce"),
    ],
)
def test_layouts_are_told_apart_by_source_auto(
    warehouse: Warehouse, fixture: str, source: str
) -> None:
    report = import_file(
        warehouse, FIXTURES / fixture, ImportOptions(source="auto", currency="IRR", dry_run=True)
    )
    assert report.source == source


def test_persian_and_english_google_ads_reports_stay_google_ads(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    persian = tmp_path / "google_fa.csv"
    persian.write_text(
        "روز,کمپین,نوع کمپین,واحد پول,نمایش,کلیک,هزینه,تبدیل\n"
        "2026-09-01,جستجوی برند,Search,IRR,1000,50,2500000,3\n",
        encoding="utf-8",
    )
    english = tmp_path / "google_en.csv"
    english.write_text(
        "Date,Campaign,Ad group,Impressions,Clicks,Cost\n2026-09-01,A,G,100,10,5\n",
        encoding="utf-8",
    )
    for path in (persian, english):
        report = import_file(warehouse, path, ImportOptions(currency="USD", dry_run=True))
        assert report.source == "google-ads"


# --- Shopify --------------------------------------------------------------------------------


def test_shopify_line_item_rows_become_one_order_each(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "shopify_orders.csv", ImportOptions())
    assert report.source == "shopify" and report.table == "orders"
    # 7 rows: #1004 (2 line items), #1003 (1), #1002 (3), #1001 (voided and cancelled: skipped).
    # Skipped: 1 + 2 continuation rows and the cancelled order.
    assert (
        report.rows_read,
        report.accepted,
        report.quarantined,
        sum(n for _, n in report.skipped),
    ) == (
        7,
        3,
        0,
        4,
    )
    # revenue = Subtotal: 90.00 (100 of items − 10 discount) + 40.00 (refunded later:
    # before refunds) + 25.00; #1002 was placed by "Anna@Example.com " = anna@example.com.
    assert orders(warehouse) == (3, 155.0, 2)
    assert report.totals["revenue"] == pytest.approx(155.0)
    anna, bob = sha("anna@example.com"), sha("bob@example.com")
    assert rows(
        warehouse,
        "SELECT order_id, order_date, customer_id, revenue, currency FROM orders ORDER BY 1",
    ) == [
        ("#1002", dt.date(2024, 3, 1), anna, 25.0, "USD"),
        ("#1003", dt.date(2024, 3, 2), bob, 40.0, "USD"),
        ("#1004", dt.date(2024, 3, 3), anna, 90.0, "USD"),
    ]
    assert email_key(" Anna@Example.com ") == anna
    assert rows(warehouse, "SELECT DISTINCT channel, campaign FROM orders") == [("other", "(none)")]
    # From the order history: Anna's first order, Bob's first, Anna's second.
    assert rows(warehouse, "SELECT order_id, is_new_customer FROM orders ORDER BY 1") == [
        ("#1002", True),
        ("#1003", True),
        ("#1004", False),
    ]
    assert rows(warehouse, "SELECT count(*) FROM orders WHERE customer_id LIKE '%@%'") == [(0,)]


def test_shopify_customer_id_is_preferred_and_guests_are_hashed(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "shopify_orders_customer_id.csv", ImportOptions())
    assert (report.source, report.accepted, sum(n for _, n in report.skipped)) == ("shopify", 3, 1)
    # 1,250.00 + 48.00 (pending: imported) + 72.00 (80 − 8 discount) EUR.
    assert orders(warehouse) == (3, 1370.0, 2)
    assert dict(rows(warehouse, "SELECT order_id, customer_id FROM orders")) == {
        "#2001": "7712000000002",
        "#2002": sha("guest@example.com"),
        "#2003": "7712000000002",
    }
    assert rows(warehouse, "SELECT DISTINCT currency FROM orders") == [("EUR",)]


def test_shopify_bad_orders_are_quarantined(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "shopify_bad.csv"
    path.write_text(
        "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Created at,"
        "Lineitem quantity,Lineitem name\n"
        "#1,a@example.com,paid,USD,10.00,0,0,10.00,2024-03-01 10:00:00 +0330,1,A\n"
        "#2,b@example.com,paid,USD,abc,0,0,12.00,2024-03-01 11:00:00 +0330,1,B\n"
        "#2,b@example.com,,,,,,,2024-03-01 11:00:00 +0330,1,C\n"
        "#3,c@example.com,paid,USD,5.00,0,0,5.00,not a date,1,D\n"
        "#4,d@example.com,paid,USD,-4.00,0,0,-4.00,2024-03-02 09:00:00 +0330,1,E\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.accepted, report.quarantined, sum(n for _, n in report.skipped)) == (1, 3, 1)
    assert set(quarantined(warehouse)) == {(3, "revenue"), (5, "order_date"), (6, "revenue")}
    assert orders(warehouse) == (1, 10.0, 1)


# --- WooCommerce ----------------------------------------------------------------------------


def test_woocommerce_orders_net_revenue_and_statuses(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "woocommerce_orders.csv", ImportOptions())
    assert report.source == "woocommerce" and report.table == "orders"
    # cancelled 503, failed 505 and pending 506 are skipped; refunded 504 and on-hold 507 kept.
    assert (
        report.rows_read,
        report.accepted,
        report.quarantined,
        sum(n for _, n in report.skipped),
    ) == (
        7,
        4,
        0,
        3,
    )
    # revenue = total − shipping − shipping tax − tax: 59−5−0−4 = 50; 97.20−0−0−7.20 = 90
    # (the 10.00 cart discount is already out of the total); 32.40−5−0.40−2 = 25; 120.
    assert rows(
        warehouse, "SELECT order_id, order_date, customer_id, revenue FROM orders ORDER BY 1"
    ) == [
        ("501", dt.date(2024, 3, 1), "12", 50.0),
        ("502", dt.date(2024, 3, 1), sha("guest@example.com"), 90.0),
        ("504", dt.date(2024, 3, 2), "12", 25.0),
        ("507", dt.date(2024, 3, 3), "15", 120.0),
    ]
    assert orders(warehouse) == (4, 285.0, 3)
    assert rows(warehouse, "SELECT DISTINCT currency, channel, campaign FROM orders") == [
        ("USD", "other", "(none)")
    ]
    # Customer 12's first and second orders, the guest's, customer 15's.
    assert rows(warehouse, "SELECT order_id, is_new_customer FROM orders ORDER BY 1") == [
        ("501", True),
        ("502", True),
        ("504", False),
        ("507", True),
    ]


def test_woocommerce_one_row_per_item_jalali_toman(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "woocommerce_items_irt.csv", ImportOptions())
    # Rows: 1201 item 1, 1201 item 2 (skipped), 1202, 1203 (cancelled, skipped).
    assert (
        report.source,
        report.rows_read,
        report.accepted,
        sum(n for _, n in report.skipped),
    ) == (
        "woocommerce",
        4,
        2,
        2,
    )
    # 1,250,000 − 50,000 shipping; 1,900,000 (no shipping, no tax columns) — tomans.
    assert rows(
        warehouse, "SELECT order_id, order_date, revenue, currency FROM orders ORDER BY 1"
    ) == [
        ("1201", dt.date(2024, 10, 6), 1_200_000.0, "IRT"),
        ("1202", dt.date(2024, 10, 7), 1_900_000.0, "IRT"),
    ]
    assert orders(warehouse) == (2, 3_100_000.0, 2)


def test_woocommerce_thousand_toman_amounts_are_expanded(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "woo_irht.csv"
    path.write_text(
        "Order ID,Order Date,Order Status,Order Currency,Customer User ID,Billing Email,"
        "Order Shipping,Order Tax,Order Total\n"
        "9,1403/07/15,wc-completed,IRHT,3,x@example.ir,50,0,1250\n",
        encoding="utf-8",
    )
    import_file(warehouse, path, ImportOptions())
    assert rows(warehouse, "SELECT revenue, currency FROM orders") == [(1_200_000.0, "IRT")]


def test_woocommerce_bad_rows_are_quarantined(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "woo_bad.csv"
    path.write_text(
        "Order ID,Order Date,Order Status,Order Currency,Customer User ID,Billing Email,"
        "Order Shipping,Order Tax,Order Total\n"
        "1,2024-03-01 10:00:00,wc-completed,USD,3,x@example.com,5,1,26\n"
        "2,2024-13-45 10:00:00,wc-completed,USD,3,x@example.com,5,1,26\n"
        "3,2024-03-01 12:00:00,wc-completed,USD,3,x@example.com,five,1,26\n"
        "4,2024-03-01 13:00:00,wc-completed,USD,3,x@example.com,30,1,26\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.accepted, report.quarantined) == (1, 3)
    found = quarantined(warehouse)
    assert set(found) == {(3, "order_date"), (4, "_shipping"), (5, "revenue")}
    assert "negative" in str(found[(5, "revenue")])  # 26 − 30 − 1
    assert orders(warehouse) == (1, 20.0, 1)


def test_woocommerce_repeated_order_rows_without_line_numbers_are_refused(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "woo_repeated.csv"
    path.write_text(
        "Order ID,Order Date,Order Status,Order Currency,Billing Email,Order Total,Product Name\n"
        "1,2024-03-01,wc-completed,USD,x@example.com,26,A\n"
        "1,2024-03-01,wc-completed,USD,x@example.com,26,B\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="repeat the natural key"):
        import_file(warehouse, path, ImportOptions())
    assert orders(warehouse)[0] == 0
