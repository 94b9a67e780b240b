"""A file that carries only some columns of a table updates those columns of the rows already
there: a closed-deals export (lead id, won date, deal value) completes the leads a lead export
wrote. Keys not in the table yet are quarantined; undo restores the previous values exactly;
a dry run says what would change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from support.crm import ALL_LEADS as ALL
from support.crm import CONTACTS, CRM, DEALS
from support.imports import rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file


def mapping(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def leads(warehouse: Warehouse, tmp_path: Path) -> Warehouse:
    report = import_file(
        warehouse,
        CRM / "hubspot_contacts.csv",
        ImportOptions(mapping=mapping(tmp_path, "contacts.yml", CONTACTS)),
    )
    assert (report.accepted, report.quarantined) == (12, 0)
    return warehouse


def test_won_deals_complete_the_leads(leads: Warehouse, tmp_path: Path) -> None:
    before = rows(leads, ALL)
    options = ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS))
    report = import_file(leads, CRM / "hubspot_deals_won.csv", options)
    assert report.import_id == 2
    # Seven won deals: five name a lead that is there; the lost deal is skipped.
    assert report.skipped == (("Deal Stage 'Closed lost' row", 1),)
    assert report.replaced == 5 and report.accepted == 5
    assert dict(report.changed) == {"won_date": 5, "value": 5, "currency": 0}
    # A contact that is not a lead, and a deal of two contacts, are quarantined at their line.
    assert [(r.line, r.value) for r in report.rejected] == [(7, "34599"), (8, "34503;34507")]
    assert all("is not in leads: this file only updates rows" in r.message for r in report.rejected)
    won = {r[0]: (r[5], r[6], r[8]) for r in rows(leads, ALL) if r[5] is not None}
    assert won == {
        "34501": (dt.date(2024, 4, 2), 1200.0, 2),
        "34503": (dt.date(2024, 4, 18), 4800.5, 2),
        "34507": (dt.date(2024, 4, 30), 2400.0, 2),
        "34508": (dt.date(2024, 5, 6), 300.0, 2),
        "34512": (dt.date(2024, 5, 14), 1200.0, 2),
    }
    # Only the columns the file carries changed; the rest of each row is as the lead export
    # wrote it.
    after = {r[0]: r for r in rows(leads, ALL)}
    for old in before:
        new = after[old[0]]
        assert new[:5] == old[:5] and new[7] == old[7]
        if new[0] not in won:
            assert new == old
    # The import log keeps it, the quarantine the rows and why.
    record = Ledger(leads).get(2)
    assert (record.accepted, record.quarantined, record.replaced) == (5, 2, 5)
    assert [q[2] for q in Ledger(leads).quarantine(2)] == [7, 8]


def test_undo_restores_the_previous_values_exactly(leads: Warehouse, tmp_path: Path) -> None:
    before = rows(leads, ALL)
    options = ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS))
    report = import_file(leads, CRM / "hubspot_deals_won.csv", options)
    assert report.import_id is not None
    result = Ledger(leads).undo(report.import_id)
    assert (result.deleted, result.restored) == (5, 5)
    assert rows(leads, ALL) == before


def test_a_dry_run_says_what_would_change(leads: Warehouse, tmp_path: Path) -> None:
    before = rows(leads, ALL)
    options = ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS), dry_run=True)
    report = import_file(leads, CRM / "hubspot_deals_won.csv", options)
    assert report.dry_run and report.import_id is None
    assert (report.replaced, report.quarantined) == (5, 2)
    assert dict(report.changed) == {"won_date": 5, "value": 5, "currency": 0}
    assert rows(leads, ALL) == before


def test_the_lead_export_again_keeps_what_the_deals_added(leads: Warehouse, tmp_path: Path) -> None:
    import_file(
        leads,
        CRM / "hubspot_deals_won.csv",
        ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS)),
    )
    won = {r[0]: r[5:7] for r in rows(leads, ALL)}
    # Next week's lead export (same contacts, one renamed campaign): it does not carry the
    # won date or value, so it leaves them as the deals file set them.
    text = (CRM / "hubspot_contacts.csv").read_text(encoding="utf-8-sig")
    week = tmp_path / "contacts_week2.csv"
    week.write_text(text.replace('"brand"', '"brand_2024"'), encoding="utf-8")
    report = import_file(
        leads, week, ImportOptions(mapping=mapping(tmp_path, "contacts.yml", CONTACTS))
    )
    assert report.replaced == 12 and dict(report.changed)["campaign"] == 1
    assert {r[0]: r[5:7] for r in rows(leads, ALL)} == won
    assert rows(leads, "SELECT campaign FROM leads WHERE lead_id = '34508'") == [("brand_2024",)]
    # Undone in turn (newest first), everything is back to the first lead export.
    assert report.import_id == 3
    Ledger(leads).undo(3)
    Ledger(leads).undo(2)
    assert all(r[5] is None and r[6] is None and r[8] == 1 for r in rows(leads, ALL))


def test_the_lead_export_cannot_be_undone_under_the_deals(leads: Warehouse, tmp_path: Path) -> None:
    import_file(
        leads,
        CRM / "hubspot_deals_won.csv",
        ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS)),
    )
    with pytest.raises(DataError, match=r"later import\(s\) #2 replaced some of its rows"):
        Ledger(leads).undo(1)


def test_quarantined_rows_pass_once_their_leads_are_there(leads: Warehouse, tmp_path: Path) -> None:
    from shakhes.imports.pipeline import retry_quarantine

    deals = mapping(tmp_path, "deals.yml", DEALS)
    import_file(leads, CRM / "hubspot_deals_won.csv", ImportOptions(mapping=deals))
    late = tmp_path / "late_contact.csv"
    late.write_text(
        '"Record ID","Create Date","Original Source","Original Source Drill-Down 2"\n'
        '"34599","2024-05-01 10:00","Direct Traffic",""\n',
        encoding="utf-8",
    )
    import_file(leads, late, ImportOptions(mapping=mapping(tmp_path, "contacts.yml", CONTACTS)))
    report, resolved = retry_quarantine(leads, 2, ImportOptions(mapping=deals), tmp_path)
    assert resolved == 1 and report.accepted == 1
    assert rows(leads, "SELECT won_date, value FROM leads WHERE lead_id = '34599'") == [
        (dt.date(2024, 5, 7), 150.0)
    ]


def test_persian_crm_deals_complete_persian_leads(warehouse: Warehouse, tmp_path: Path) -> None:
    leads_map = mapping(
        tmp_path,
        "leads_fa.yml",
        "table: leads\ncolumns:\n  lead_id: شناسه\n  created_date: تاریخ ایجاد\n"
        "  channel: نحوه آشنایی\n  campaign: کمپین\nvalues:\n  channel:\n    گوگل ادز: search\n"
        "    اینستاگرام: social\n    معرفی دوستان: referral\ndefaults:\n  channel: other\n"
        "  campaign: (none)\ncurrency: IRR\n",
    )
    deals_map = mapping(
        tmp_path,
        "deals_fa.yml",
        "table: leads\ncolumns:\n  lead_id: شناسه سرنخ\n  won_date: تاریخ موفقیت\n"
        "  value: مبلغ (ریال)\nonly:\n  مرحله: [موفق]\ncurrency: IRR\nupdate: true\n",
    )
    import_file(warehouse, CRM / "leads_fa.csv", ImportOptions(mapping=leads_map))
    report = import_file(warehouse, CRM / "deals_won_fa.csv", ImportOptions(mapping=deals_map))
    assert report.accepted == 3 and [r.value for r in report.rejected] == ["L-1099"]
    assert rows(
        warehouse,
        "SELECT lead_id, created_date, channel, won_date, value FROM leads "
        "WHERE won_date IS NOT NULL ORDER BY lead_id",
    ) == [
        # ۱۴۰۳/۰۱/۰۵ = 2024-03-24 and ۱۴۰۳/۰۱/۲۰ = 2024-04-08, …
        ("L-1001", dt.date(2024, 3, 24), "search", dt.date(2024, 4, 8), 120_000_000.0),
        ("L-1003", dt.date(2024, 4, 6), "referral", dt.date(2024, 4, 21), 15_000_000.0),
        ("L-1007", dt.date(2024, 5, 3), "search", dt.date(2024, 5, 21), 480_000_000.0),
    ]


def test_an_update_cannot_replace_a_range(leads: Warehouse, tmp_path: Path) -> None:
    options = ImportOptions(mapping=mapping(tmp_path, "deals.yml", DEALS), replace_range=True)
    with pytest.raises(DataError) as info:
        import_file(leads, CRM / "hubspot_deals_won.csv", options)
    assert info.value.code == "partial_replace_range"
    assert rows(leads, "SELECT count(*) FROM leads WHERE won_date IS NOT NULL") == [(0,)]


def test_attribution_updates_orders_and_their_flags_follow_the_history(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """An attribution export (order id, channel, campaign) completes shop orders; their
    new-customer flags still follow the order history."""
    from support.imports import FIXTURES

    import_file(warehouse, FIXTURES / "shopify_orders.csv", ImportOptions())
    before = rows(warehouse, "SELECT order_id, is_new_customer, revenue FROM orders ORDER BY 1")
    first = str(before[0][0])
    attribution = tmp_path / "utm.csv"
    attribution.write_text(
        f"Order,utm_medium,utm_campaign\n{first},cpc,brand\n#9999,cpc,x\n", encoding="utf-8"
    )
    spec = mapping(
        tmp_path,
        "utm.yml",
        "table: orders\ncolumns:\n  order_id: Order\n  channel: utm_medium\n"
        "  campaign: utm_campaign\nvalues:\n  channel: {cpc: search}\nupdate: true\n",
    )
    report = import_file(warehouse, attribution, ImportOptions(mapping=spec))
    assert report.accepted == 1 and len(report.rejected) == 1
    assert rows(warehouse, f"SELECT channel, campaign FROM orders WHERE order_id = '{first}'") == [
        ("search", "brand")
    ]
    assert (
        rows(warehouse, "SELECT order_id, is_new_customer, revenue FROM orders ORDER BY 1")
        == before
    )


def test_a_customer_update_leaves_customers_from_orders_alone(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer\n"
        "1,2024-01-01,A,search,x,10,EUR,true\n",
        encoding="utf-8",
    )
    import_file(warehouse, orders, ImportOptions(source="canonical:orders"))
    plans = tmp_path / "plans.csv"
    plans.write_text("Customer ID,Plan\nA,gold\n", encoding="utf-8")
    spec = mapping(
        tmp_path,
        "plans.yml",
        "table: customers\ncolumns: {customer_id: Customer ID, plan: Plan}\nupdate: true\n",
    )
    report = import_file(warehouse, plans, ImportOptions(mapping=spec))
    assert report.accepted == 0 and "worked out from orders" in report.rejected[0].message
    assert rows(warehouse, "SELECT plan, _import_id FROM customers") == [("(from orders)", 0)]


def test_import_options_can_be_replaced() -> None:  # the dataclass stays frozen and copyable
    assert replace(ImportOptions(), inactivity_days=30).inactivity_days == 30
