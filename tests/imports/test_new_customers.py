"""Shop exports do not say whether an order is the customer's first: ``is_new_customer`` is
worked out from the whole order history in the warehouse, after every import and undo."""

from __future__ import annotations

from pathlib import Path

from support.imports import rows

from shakhes.data.warehouse import Warehouse
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

SHOPIFY = "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Id,Customer ID\n"


def shopify(path: Path, *orders: tuple[str, str, str, str]) -> Path:
    """A Shopify orders export of (name, e-mail, created at, customer id) orders."""
    lines = [
        f"{name},{email},paid,EUR,10.00,12.00,{created} 10:00:00 +0200,{name[1:]},{customer}"
        for name, email, created, customer in orders
    ]
    path.write_text(SHOPIFY + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def flags(warehouse: Warehouse) -> dict[str, bool]:
    return dict(rows(warehouse, "SELECT order_id, is_new_customer FROM orders"))  # type: ignore[arg-type]


def test_first_orders_follow_the_history_whatever_order_files_come_in(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    may = shopify(
        tmp_path / "may.csv",
        ("#2003", "dina@example.com", "2024-05-02", "77"),
        ("#2004", "ali@example.com", "2024-05-03", "88"),
        ("#2005", "ali@example.com", "2024-05-09", "88"),
        ("#2006", "sara@example.com", "2024-05-09", ""),  # a guest: keyed by her e-mail
    )
    import_file(warehouse, may, ImportOptions())
    assert flags(warehouse) == {"#2003": True, "#2004": True, "#2005": False, "#2006": True}

    # An older export, imported later: Dina's first order was in April.
    april = shopify(tmp_path / "april.csv", ("#2001", "dina@example.com", "2024-04-10", "77"))
    report = import_file(warehouse, april, ImportOptions())
    assert flags(warehouse) == {
        "#2001": True,
        "#2003": False,
        "#2004": True,
        "#2005": False,
        "#2006": True,
    }
    # Undoing it puts May's flags back.
    assert report.import_id is not None
    Ledger(warehouse).undo(report.import_id)
    assert flags(warehouse) == {"#2003": True, "#2004": True, "#2005": False, "#2006": True}


def test_orders_that_say_it_themselves_keep_what_they_say(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    canonical = tmp_path / "orders.csv"
    canonical.write_text(
        "order_id,order_date,customer_id,channel,campaign,revenue,currency,is_new_customer\n"
        "A1,2024-06-01,77,search,Brand,10,EUR,false\n",
        encoding="utf-8",
    )
    import_file(warehouse, canonical, ImportOptions(source="canonical"))
    import_file(
        warehouse,
        shopify(tmp_path / "may.csv", ("#2003", "dina@example.com", "2024-05-02", "77")),
        ImportOptions(),
    )
    # The shop order is Dina's first; the canonical file said A1 was not — and keeps saying so.
    assert flags(warehouse) == {"#2003": True, "A1": False}
