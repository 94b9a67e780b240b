"""The mapping file format: value maps, defaults, constants, one column sent to several, row
filters, hashing — and every problem reported at once with the file, line and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.imports import rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.mapping import FROM_HISTORY, load_mapping
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.sources.shopify import email_key

CRM = Path(__file__).parent / "fixtures" / "crm"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SHOP = """table: orders
columns:
  order_id: Order Number
  order_date: Order Date
  customer_id: Customer Email
  revenue: Subtotal
  currency: Currency
  channel: Origin          # one column, two canonical columns:
  campaign: Origin         # the campaign keeps the text, the channel is mapped
values:
  channel:
    Direct: direct
    "Organic: *": organic_search
    "Referral: *": referral
    "Source: Newsletter": email
defaults:
  channel: other
hash: [customer_id]
skip:
  Order Status: [Cancelled, Failed]
"""


def test_a_shop_export_through_a_mapping(warehouse: Warehouse, tmp_path: Path) -> None:
    report = import_file(
        warehouse, CRM / "shop_orders.csv", ImportOptions(mapping=write(tmp_path, "m.yml", SHOP))
    )
    assert report.source == "mapping:m.yml" + FROM_HISTORY
    assert dict(report.skipped) == {
        "Order Status 'Cancelled' row": 1,
        "Order Status 'Failed' row": 1,
    }
    # The guest order without an e-mail has no customer: quarantined, not guessed.
    assert [(r.line, r.column) for r in report.rejected] == [(10, "customer_id")]
    got = rows(
        warehouse,
        "SELECT order_id, order_date, customer_id, channel, campaign, revenue, is_new_customer "
        "FROM orders ORDER BY order_id",
    )
    anna = email_key("anna@example.com")
    assert got == [
        ("10231", dt.date(2024, 1, 3), anna, "organic_search", "Organic: Google", 80.0, True),
        (
            "10232",
            dt.date(2024, 1, 3),
            email_key("ben@example.com"),
            "referral",
            "Referral: Instagram.com",
            45.5,
            True,
        ),
        # "Anna@Example.com " is Anna: the key is the trimmed, lower-cased address's hash.
        ("10234", dt.date(2024, 1, 15), anna, "direct", "Direct", 30.0, False),
        (
            "10235",
            dt.date(2024, 2, 2),
            email_key("dev@example.com"),
            "other",
            "Source: Google",
            60.0,
            True,
        ),
        (
            "10236",
            dt.date(2024, 2, 14),
            email_key("ben@example.com"),
            "other",
            "Unknown",
            150.0,
            False,
        ),
        (
            "10238",
            dt.date(2024, 3, 1),
            email_key("carla@example.com"),
            "email",
            "Source: Newsletter",
            70.0,
            True,
        ),
        ("10240", dt.date(2024, 3, 18), anna, "organic_search", "Organic: Google", 40.0, False),
    ]
    assert not any("@" in str(r) for r in rows(warehouse, "SELECT customer_id FROM orders"))


def test_phone_numbers_in_persian_digits_hash_as_ascii(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    spec = write(
        tmp_path,
        "fa.yml",
        "table: orders\ncolumns:\n  order_id: شماره سفارش\n  order_date: تاریخ ثبت سفارش\n"
        "  customer_id: شماره موبایل\n  revenue: مبلغ کل (تومان)\n  channel: نحوه آشنایی\n"
        "values:\n  channel: {اینستاگرام: social, گوگل: search, معرفی دوستان: referral}\n"
        "defaults: {channel: direct, campaign: (none)}\ncurrency: IRT\nhash: [customer_id]\n"
        "skip: {وضعیت سفارش: لغو شده}\n",
    )
    report = import_file(warehouse, CRM / "shop_orders_fa.csv", ImportOptions(mapping=spec))
    assert (report.accepted, report.quarantined) == (5, 0)
    got = rows(
        warehouse,
        "SELECT order_date, customer_id, channel, revenue, currency FROM orders "
        "ORDER BY order_date",
    )
    ali = email_key("09352223344")  # written ۰۹۳۵… once and 0935… once: one customer
    assert [r[1] for r in got].count(ali) == 2
    assert got[0] == (dt.date(2023, 12, 26), email_key("09121112233"), "social", 1_250_000.0, "IRT")
    assert got[2][2] == "direct"  # an empty source gets the default


def test_values_not_listed_without_a_default_are_checked_as_written(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    data = write(tmp_path, "l.csv", "id,day,src\n1,2024-01-02,Google Ads\n2,2024-01-03,Radio\n")
    spec = write(
        tmp_path,
        "l.yml",
        "table: leads\ncolumns: {lead_id: id, created_date: day, channel: src}\n"
        "values:\n  channel: {google ads: search}\nconstants: {campaign: (none), currency: usd}\n",
    )
    report = import_file(warehouse, data, ImportOptions(mapping=spec))
    assert report.accepted == 1
    [bad] = report.rejected
    assert (bad.line, bad.column, bad.value) == (3, "channel", "Radio")
    assert "unknown channel" in bad.message
    assert rows(warehouse, "SELECT channel, currency FROM leads") == [("search", "USD")]


def test_constants_and_defaults_are_read_as_their_column_reads(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    data = write(tmp_path, "c.csv", "id;since;mrr\nC1;05/02/2024;1.250,50\nC2;;\n")
    spec = write(
        tmp_path,
        "c.yml",
        "table: customers\ncolumns: {customer_id: id, acquired_date: since, monthly_value: mrr}\n"
        "defaults:\n  acquired_date: 01/01/2024\n  monthly_value: 0\n  plan: basic\n"
        "constants: {channel: direct, campaign: (none), currency: EUR}\n"
        'date_format: "%d/%m/%Y"\ndecimal: ","\n',
    )
    report = import_file(warehouse, data, ImportOptions(mapping=spec))
    assert report.accepted == 2
    assert rows(
        warehouse,
        "SELECT customer_id, acquired_date, plan, monthly_value FROM customers ORDER BY 1",
    ) == [
        ("C1", dt.date(2024, 2, 5), "basic", 1250.5),
        ("C2", dt.date(2024, 1, 1), "basic", 0.0),
    ]


def test_every_problem_is_reported_with_its_line_and_key(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yml",
        "table: leads\n"  # 1
        "columns:\n"  # 2
        "  lead_id: Record ID\n"  # 3
        "  creted_date: Create Date\n"  # 4
        "constants:\n"  # 5
        "  currency: dollars\n"  # 6
        "values:\n"  # 7
        "  channel:\n"  # 8
        "    Paid Search: paid_search\n"  # 9
        "defaults:\n"  # 10
        "  won_date: someday\n"  # 11
        "hash: [created_date]\n"  # 12
        "updat: true\n",  # 13
    )
    with pytest.raises(DataError) as info:
        load_mapping(bad)
    error = info.value
    assert error.code == "invalid_mapping"
    found = {(i.line, i.field): i for i in error.issues}
    assert set(found) == {
        (13, "updat"),
        (4, "columns.creted_date"),
        (6, "constants.currency"),
        (8, "values.channel"),
        (11, "defaults.won_date"),
        (12, "hash.0"),
        (2, "columns"),
    }
    assert found[(13, "updat")].suggestion == "update"
    assert found[(4, "columns.creted_date")].suggestion == "created_date"
    assert "no file column is mapped to it" in found[(8, "values.channel")].message
    assert "'someday' is not a date" in found[(11, "defaults.won_date")].message
    assert "created_date, channel, campaign" in found[(2, "columns")].message
    assert "update: true" in found[(2, "columns")].message
    # The message lists them all, each with file:line.
    assert f"{bad}:4: columns.creted_date: 'creted_date' is not a column of leads" in str(error)
    assert str(error).count(str(bad)) == 8


def test_a_wrong_channel_in_a_value_map_is_named(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yml",
        "table: leads\ncolumns: {lead_id: a, created_date: b, channel: c}\n"
        "values:\n  channel:\n    Paid Search: paid_search\n"
        "constants: {campaign: x}\n",
    )
    with pytest.raises(DataError) as info:
        load_mapping(bad)
    [issue] = info.value.issues
    assert issue.line == 5 and issue.field == "values.channel.Paid Search"
    assert "'paid_search' is not a channel — did you mean" in issue.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("table: leads\ntable: orders\n", 2, "'table' is given twice"),
        ("table: leeds\ncolumns: {a: b}\n", 1, "did you mean"),
        ("table: leads\ncolumns: [a, b\n", None, "cannot read the mapping file"),
        ("- just a list\n", None, "a YAML mapping with 'table' and 'columns'"),
        (
            "table: leads\ncolumns: {won_date: Close Date}\nupdate: true\n",
            3,
            "must carry their key: map lead_id",
        ),
        (
            "table: ad_performance\ncolumns: {date: d, campaign: c, channel: ch, impressions: i,"
            " clicks: k, cost: x}\nconstants: {platform: p}\nchannel:\n  - value: search\n",
            4,
            "channel rules apply only when no file column is mapped to channel",
        ),
        (
            "table: leads\ncolumns:\n  lead_id: [ID, Id2]\n  campaign: [ID]\n",
            4,
            "share some header names but not all",
        ),
    ],
)
def test_mapping_errors(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    with pytest.raises(DataError) as info:
        load_mapping(write(tmp_path, "m.yml", text))
    assert words in str(info.value)
    if line is not None:
        assert any(i.line == line for i in info.value.issues)


def test_an_orders_mapping_that_states_new_customers_keeps_them(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    data = write(
        tmp_path,
        "o.csv",
        "Order,Date,Customer,Total,Type\nA1,2024-01-05,c1,10,returning\nA2,2024-01-06,c2,20,new\n",
    )
    spec = write(
        tmp_path,
        "o.yml",
        "table: orders\ncolumns: {order_id: Order, order_date: Date, customer_id: Customer, "
        "revenue: Total, is_new_customer: Type}\nvalues:\n  is_new_customer: {new: true, "
        "returning: false}\ndefaults: {channel: other, campaign: (none)}\ncurrency: EUR\n",
    )
    report = import_file(warehouse, data, ImportOptions(mapping=spec))
    assert report.source == "mapping:o.yml"
    # The shop says c1 was returning (its first order is older than the file): kept.
    assert rows(warehouse, "SELECT order_id, is_new_customer FROM orders ORDER BY 1") == [
        ("A1", False),
        ("A2", True),
    ]


def test_a_salesforce_footer_is_not_a_row(warehouse: Warehouse, tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "sf.yml",
        "table: leads\ncolumns: {lead_id: Lead ID, created_date: Create Date, channel: Lead Source,"
        " won_date: Converted Date}\nvalues:\n  channel: {Partner Referral: referral, "
        "Employee Referral: referral}\ndefaults: {channel: other, campaign: (none)}\n"
        "currency: USD\n",
    )
    report = import_file(warehouse, CRM / "salesforce_leads.csv", ImportOptions(mapping=spec))
    assert (report.accepted, report.quarantined, report.summary_rows) == (6, 0, 5)
    assert rows(
        warehouse, "SELECT lead_id, won_date FROM leads WHERE won_date IS NOT NULL ORDER BY 1"
    ) == [
        ("00Q5g00000A1bY0EAJ", dt.date(2024, 3, 22)),
        ("00Q5g00000A1bY2EAJ", dt.date(2024, 4, 2)),
    ]
