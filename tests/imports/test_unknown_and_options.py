"""Unknown is not zero; the same file imported again with other options; ``shakhes load`` as
strict as the canonical format says (issue 7 §1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file

HEADERS = FIXTURES / "headers"
GOOGLE = (
    'Campaign report\n"March 1, 2025 - March 1, 2025"\n'
    "Day,Campaign,Campaign type,Currency code,Impr.,Clicks,Cost,Conversions,Cost / conv.,"
    "Conv. value\n"
)

# --- unknown is not zero ----------------------------------------------------------------------


def test_google_ads_dashes_are_zero_and_na_or_empty_are_unknown(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "google.csv"
    path.write_text(
        GOOGLE
        + "2025-03-01,A,Search,USD,100,10,5.00,--,--,--\n"  # line 4: Google's zero
        + "2025-03-01,B,Search,USD,100,10,5.00,NA,--,0.00\n"  # line 5: unknown
        + "2025-03-01,C,Search,USD,100,10,5.00,1.00,5.00,\n"  # line 6: unknown value
        + "2025-03-01,D,Search,USD,100,10,5.00,N/A,--,null\n",  # line 7
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.accepted, report.quarantined) == (1, 3)
    assert rows(
        warehouse, "SELECT campaign, conversions, conversion_value FROM ad_performance"
    ) == [("A", 0.0, 0.0)]
    found = {(r[2], r[3], r[4]): r[5] for r in Ledger(warehouse).quarantine()}
    assert set(found) == {
        (5, "conversions", "NA"),
        (6, "conversion_value", ""),
        (7, "conversions", "N/A"),
    }
    assert all("not read as 0" in reason for reason in found.values())


def test_meta_empty_action_cells_are_zero_but_na_is_unknown(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """Meta leaves an action that did not happen empty (Results, Link clicks); NA is not its
    spelling of anything, and an empty impressions or amount spent cell is unknown."""
    path = tmp_path / "meta.csv"
    path.write_text(
        "Reporting starts,Reporting ends,Campaign name,Ad name,Results,Result indicator,"
        "Amount spent (USD),Impressions,Link clicks\n"
        "2025-03-01,2025-03-01,Spring,A,,,4.00,1000,\n"  # line 2: no results, no clicks
        "2025-03-01,2025-03-01,Spring,B,NA,,4.00,1000,5\n"  # line 3
        "2025-03-01,2025-03-01,Spring,C,2,actions:x,4.00,,5\n",  # line 4
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions())
    assert rows(warehouse, "SELECT ad, clicks, conversions FROM ad_performance") == [("A", 0, 0.0)]
    found = {(r[2], r[3]) for r in Ledger(warehouse).quarantine()}
    assert found == {(3, "conversions"), (4, "impressions")}
    assert report.quarantined == 2


def test_na_in_a_mapped_conversions_column_is_not_zero(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    mapping = tmp_path / "shop_ads.yml"
    mapping.write_text(
        "table: ad_performance\ncolumns:\n  date: Day\n  campaign: Campaign\n"
        "  impressions: Views\n  clicks: Clicks\n  cost: Spend\n  conversions: Sales\n"
        "constants:\n  platform: digikala\n  account: main\n  channel: display\n"
        "currency: IRT\n",
        encoding="utf-8",
    )
    path = tmp_path / "digikala.csv"
    path.write_text(
        "Day,Campaign,Views,Clicks,Spend,Sales\n"
        "2025-03-01,A,1000,10,50000,2\n"
        "2025-03-01,B,1000,10,50000,NA\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, path, ImportOptions(mapping=mapping))
    assert (report.accepted, report.quarantined) == (1, 1)
    (bad,) = report.rejected
    assert (bad.line, bad.column, bad.value) == (3, "conversions", "NA")
    # The mapping does not map conversion_value: 0, and the report says so.
    assert any(w.startswith("the file has no conversion value column") for w in report.warnings)
    assert rows(warehouse, "SELECT campaign, conversions FROM ad_performance") == [("A", 2.0)]


def test_an_optional_count_left_empty_is_stored_as_unknown(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "yektanet_daily.csv", ImportOptions(currency="IRR"))
    assert "leads: 1 row(s) have no value in the file; stored as unknown, not 0" in (
        report.warnings
    )
    assert rows(warehouse, "SELECT count(*), count(leads), sum(leads) FROM ad_performance") == [
        (4, 3, 37)
    ]


# --- the same file with other options ---------------------------------------------------------


def test_the_same_file_with_another_currency_replaces_what_it_wrote(
    warehouse: Warehouse,
) -> None:
    """A rial/toman mistake is fixed by importing the file again with the right currency: the
    new import replaces every row of the first, and undoing it brings them back."""
    path = HEADERS / "yektanet_fa.csv"
    first = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert first.import_id == 1
    assert Ledger(warehouse).get(1).options == {
        "source": "yektanet",
        "currency": "IRR",
        "account": None,
        "mapping": None,
        "encoding": None,
    }
    same = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert same.already_imported == 1

    dry = import_file(warehouse, path, ImportOptions(currency="IRT", dry_run=True))
    assert (dry.replaces, dry.replaced, dry.changed_options) == (
        1,
        2,
        (("currency", "IRR", "IRT"),),
    )
    second = import_file(warehouse, path, ImportOptions(currency="IRT"))
    assert (second.import_id, second.replaces, second.replaced) == (2, 1, 2)
    assert second.changed_options == (("currency", "IRR", "IRT"),)
    assert rows(warehouse, "SELECT DISTINCT currency, _import_id FROM ad_performance") == [
        ("IRT", 2)
    ]
    # The first import cannot be undone under the second; undoing the second restores it.
    with pytest.raises(DataError, match="later import"):
        Ledger(warehouse).undo(1)
    Ledger(warehouse).undo(2)
    assert rows(warehouse, "SELECT DISTINCT currency, _import_id FROM ad_performance") == [
        ("IRR", 1)
    ]


def test_the_same_file_with_another_account_moves_its_rows(warehouse: Warehouse) -> None:
    path = FIXTURES / "google_ads_campaign_day.csv"
    import_file(warehouse, path, ImportOptions())
    report = import_file(warehouse, path, ImportOptions(account="acme"))
    assert report.replaces == 1 and report.changed_options == (("account", None, "acme"),)
    assert report.replaced == 4
    assert rows(warehouse, "SELECT DISTINCT account, count(*) FROM ad_performance GROUP BY 1") == [
        ("acme", 4)
    ]


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_an_account_given_for_a_canonical_file_wins_on_every_path(
    warehouse: Warehouse, tmp_path: Path, form: str
) -> None:
    """The account given for the import is every row's, as for an export — also for a clean
    canonical file, which would otherwise be read straight as it is (it said 'a1')."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows_in = pa.table(
        {
            "date": ["2026-09-01", "2026-09-02"],
            "platform": ["google_ads"] * 2,
            "account": ["a1"] * 2,
            "channel": ["search"] * 2,
            "campaign_id": ["c1"] * 2,
            "campaign": ["Brand"] * 2,
            "ad_group": ["g"] * 2,
            "ad": ["x"] * 2,
            "currency": ["USD"] * 2,
            "impressions": [100, 200],
            "clicks": [10, 20],
            "cost": [5.0, 6.0],
            "conversions": [1.0, 2.0],
            "conversion_value": [20.0, 30.0],
        }
    )
    path = tmp_path / f"canonical.{form}"
    if form == "csv":
        pacsv.write_csv(rows_in, path)
    else:
        pq.write_table(rows_in, path)
    report = import_file(warehouse, path, ImportOptions(source="canonical", account="other"))
    assert report.accepted == 2
    assert rows(warehouse, "SELECT DISTINCT account FROM ad_performance") == [("other",)]


def test_a_reimport_settles_the_quarantine_of_the_import_it_replaces(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "google.csv"
    path.write_text(
        GOOGLE
        + "2025-03-01,A,Search,USD,100,10,5.00,1,5,10\n"
        + "2025-03-01,B,Search,,100,10,5.00,1,5,10\n",  # line 5: no currency
        encoding="utf-8",
    )
    first = import_file(warehouse, path, ImportOptions())
    assert (first.accepted, first.quarantined) == (1, 1)
    assert [(r[0], r[2]) for r in Ledger(warehouse).quarantine()] == [(1, 5)]
    second = import_file(warehouse, path, ImportOptions(currency="USD"))
    assert (second.accepted, second.quarantined, second.replaces) == (2, 0, 1)
    assert Ledger(warehouse).quarantine() == []
    # Undoing the re-import restores #1's rows and opens its quarantine again.
    assert second.import_id is not None
    Ledger(warehouse).undo(second.import_id)
    assert [(r[0], r[2]) for r in Ledger(warehouse).quarantine()] == [(1, 5)]
    assert rows(warehouse, "SELECT campaign, _import_id FROM ad_performance") == [("A", 1)]


# --- shakhes load is strict ------------------------------------------------------------------

CANONICAL = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)


def load(warehouse: Warehouse, path: Path, table: str = "ad_performance") -> None:
    import_file(warehouse, path, ImportOptions(source=f"canonical:{table}", strict=True))


def test_load_takes_only_the_canonical_format_and_lists_every_problem(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        CANONICAL
        + "2025-03-01,meta,a,social,c,c,g,,USD,100,10,5,1,0\n"  # line 2: fine
        + '2025-03-01,meta,a,social,c2,c2,g,,USD,"1,000",10,$5,1,0\n'  # line 3: two problems
        + "2025-03-01,meta,a,social,c3,c3,g,,usd,100,10,5,1,0\n"  # line 4
        + "1403-12-11,meta,a,social,c4,c4,g,,USD,100,10,5,1,0\n",  # line 5: Jalali
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load(warehouse, path)
    error = caught.value
    assert error.code == "load_problems"
    assert "4 problem(s); nothing was loaded" in error.message
    located = {(i.line, i.column, i.value) for i in error.issues}
    assert located == {
        (3, "impressions", "1,000"),
        (3, "cost", "$5"),
        (4, "currency", "usd"),
        (5, "date", "1403-12-11"),
    }
    assert "--" not in str(error)
    assert rows(warehouse, "SELECT count(*) FROM ad_performance") == [(0,)]


def test_load_takes_true_and_false_only(warehouse: Warehouse, tmp_path: Path) -> None:
    head = "order_id,order_date,customer_id,channel,campaign,currency,revenue,is_new_customer\n"
    good = tmp_path / "orders.csv"
    good.write_text(head + "1,2025-03-01,c1,other,(none),USD,10.5,true\n", encoding="utf-8")
    load(warehouse, good, "orders")
    assert rows(warehouse, "SELECT order_id, is_new_customer FROM orders") == [("1", True)]

    bad = tmp_path / "orders_bad.csv"
    bad.write_text(
        head
        + "2,2025-03-01,c1,other,(none),USD,10.5,1\n"
        + "3,2025-03-01,c1,other,(none),USD,10.5,yes\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load(warehouse, bad, "orders")
    assert {(i.line, i.column, i.value) for i in caught.value.issues} == {
        (2, "is_new_customer", "1"),
        (3, "is_new_customer", "yes"),
    }
    # An import (not a load) reads them as a spreadsheet writes them.
    report = import_file(warehouse, bad, ImportOptions(source="canonical"))
    assert (report.accepted, report.quarantined) == (2, 0)
    assert rows(warehouse, "SELECT order_id, is_new_customer FROM orders ORDER BY 1") == [
        ("1", True),
        ("2", True),
        ("3", True),
    ]


def test_load_dates_are_iso(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        CANONICAL + "2025-03-01,meta,a,social,c,c,g,,USD,100,10,5,1,0\n", encoding="utf-8"
    )
    load(warehouse, path)
    assert rows(warehouse, "SELECT date FROM ad_performance") == [(dt.date(2025, 3, 1),)]


def test_a_reimport_over_an_import_that_replaced_others_is_refused_with_the_way_out(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """#2 replaced rows of #1 (an overlapping export). Importing #2's file again with another
    currency would replace #2's rows and leave #1's replaced under nothing: refused, nothing
    written; undoing #2 first, then importing again, does it."""
    overlap = tmp_path / "first_week.csv"
    overlap.write_text(GOOGLE + "2025-03-01,A,Search,,100,10,5.00,1,5,10\n", encoding="utf-8")
    path = tmp_path / "month.csv"
    path.write_text(
        GOOGLE
        + "2025-03-01,A,Search,,120,12,6.00,1,6,10\n"
        + "2025-03-02,A,Search,,100,10,5.00,1,5,10\n",
        encoding="utf-8",
    )
    import_file(warehouse, overlap, ImportOptions(currency="USD"))
    second = import_file(warehouse, path, ImportOptions(currency="USD"))
    assert second.replaced == 1
    with pytest.raises(DataError) as caught:
        import_file(warehouse, path, ImportOptions(currency="EUR", dry_run=True))
    error = caught.value
    assert error.code == "reimport_needs_undo"
    assert "#2 replaced 1 row(s) of earlier imports" in error.message
    assert error.params["import_id"] == 2 and error.params["currency"] == "EUR"
    assert "--" not in str(error)
    with pytest.raises(DataError, match="undo #2 first"):
        import_file(warehouse, path, ImportOptions(currency="EUR"))
    assert rows(warehouse, "SELECT DISTINCT currency FROM ad_performance") == [("USD",)]

    Ledger(warehouse).undo(2)
    again = import_file(warehouse, path, ImportOptions(currency="EUR"))
    assert (again.replaces, again.replaced) == (None, 1)
    assert rows(warehouse, "SELECT date, currency, cost FROM ad_performance ORDER BY 1") == [
        (dt.date(2025, 3, 1), "EUR", 6.0),
        (dt.date(2025, 3, 2), "EUR", 5.0),
    ]
