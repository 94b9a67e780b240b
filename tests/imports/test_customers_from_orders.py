"""A shop without a customer list gets its customers from the order history, so that
new_customers, churn_rate, retention_rate and clv work; a customer list, when imported, wins.

Checked on a small example worked out by hand, and on a generated two-year history against an
independent pandas computation of the same rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.crm import CUSTOMER_LIST as LIST
from support.crm import EXAMPLE, MONTH, orders_file
from support.imports import rows

from shakhes.data.warehouse import Warehouse
from shakhes.engine.engine import Engine
from shakhes.imports import customers
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, ImportReport, import_file
from shakhes.service import imports
from shakhes.spec.catalog import load_catalog


def load(wh: Warehouse, path: Path, **options: object) -> ImportReport:
    return import_file(wh, path, ImportOptions(source="canonical:orders", **options))  # type: ignore[arg-type]


def derived(wh: Warehouse) -> dict[str, tuple[object, ...]]:
    return {
        str(r[0]): tuple(r[1:])
        for r in rows(
            wh,
            "SELECT customer_id, acquired_date, churned_date, channel, campaign, plan, "
            "monthly_value, currency, _import_id FROM customers ORDER BY 1",
        )
    }


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_worked_example_by_hand(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, orders_file(tmp_path / "orders.csv", EXAMPLE))
    got = derived(warehouse)
    # Span from the first order to 90 days after the last, in months of 30.436875 days.
    # A: Jan 10 → Jun 1 is 143 days, +90 = 233; revenue 100 + 50 + 80 = 230.
    # B: one order of 200 (span 90); C: Feb 5 → Mar 1 is 25 days (2024 is a leap year), +90.
    # Churned when last order + 90 days falls on or before the data's end (June 30): B on
    # Apr 24, C on May 30; A (Aug 30), D (Jul 9) and E (Sep 18) are still active.
    want = {
        "A": (d("2024-01-10"), None, "search", "brand", 230 / 233 * MONTH),
        "B": (d("2024-01-25"), d("2024-04-24"), "social", "spring", 200 / 90 * MONTH),
        "C": (d("2024-02-05"), d("2024-05-30"), "email", "(none)", 100 / 115 * MONTH),
        "D": (d("2024-04-10"), None, "search", "brand", 120 / 90 * MONTH),
        "E": (d("2024-06-20"), None, "direct", "(none)", 90 / 90 * MONTH),
    }
    assert set(got) == set(want)  # the guest order makes no customer
    for cid, (acquired, churned, channel, campaign, monthly) in want.items():
        row = got[cid]
        assert row[:4] == (acquired, churned, channel, campaign)
        assert row[4] == customers.PLAN and row[6] == "EUR" and row[7] == 0
        assert row[5] == pytest.approx(monthly, rel=1e-12)

    engine = Engine(warehouse, {k.id: k for k in load_catalog()})
    result = engine.compute(
        ["new_customers", "churn_rate", "retention_rate", "clv"],
        grain="month",
        period=(d("2024-01-01"), d("2024-06-30")),
    )
    # Acquired per month: Jan A, B; Feb C; Apr D; Jun E.
    assert [result.value("new_customers", f"2024-0{m}") for m in range(1, 7)] == [2, 1, 0, 1, 0, 1]
    # Active at the start (acquired before it, not churned before it) and churned within:
    # Feb 1: A, B; Mar 1: A, B, C; Apr 1: A, B, C (B churns Apr 24); May 1: A, C, D (C churns
    # May 30); Jun 1: A, D.
    for month, churn in (("02", 0), ("03", 0), ("04", 1 / 3), ("05", 1 / 3), ("06", 0)):
        assert result.value("churn_rate", f"2024-{month}") == pytest.approx(churn)
        assert result.value("retention_rate", f"2024-{month}") == pytest.approx(1 - churn)
    # CLV in April: the mean monthly value of A, B, C ÷ the churn rate 1/3 (gross margin 1).
    mean = (want["A"][4] + want["B"][4] + want["C"][4]) / 3
    assert result.value("clv", "2024-04") == pytest.approx(mean / (1 / 3))


def test_recomputed_after_every_orders_import_and_undo(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    first = load(warehouse, orders_file(tmp_path / "jan.csv", EXAMPLE[:3]))
    assert derived(warehouse)["B"][1] is None  # the data ends on Feb 5: B's window runs on
    later = load(warehouse, orders_file(tmp_path / "rest.csv", EXAMPLE[3:]))
    assert derived(warehouse)["B"][1] == d("2024-04-24")
    assert later.import_id is not None and first.import_id is not None
    Ledger(warehouse).undo(later.import_id)
    assert set(derived(warehouse)) == {"A", "B", "C"}
    assert derived(warehouse)["A"][5] == pytest.approx(100 / 90 * MONTH)
    Ledger(warehouse).undo(first.import_id)
    assert derived(warehouse) == {}


def test_a_customer_in_two_currencies_is_valued_in_the_first(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    load(
        warehouse,
        orders_file(
            tmp_path / "o.csv",
            [
                ("1", "2024-01-01", "A", "search", "x", 100, "EUR"),
                ("2", "2024-01-11", "A", "search", "x", 5000, "IRT"),
                ("3", "2024-01-21", "A", "search", "x", 20, "EUR"),
            ],
        ),
    )
    row = derived(warehouse)["A"]
    assert row[6] == "EUR" and row[5] == pytest.approx(120 / 110 * MONTH)


def test_an_imported_customer_list_wins_after_the_orders(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    load(warehouse, orders_file(tmp_path / "o.csv", EXAMPLE))
    listing = tmp_path / "customers.csv"
    listing.write_text(LIST, encoding="utf-8")
    options = ImportOptions(source="canonical:customers")
    dry = import_file(warehouse, listing, replace(options, dry_run=True))
    assert (dry.accepted, dry.replaced) == (2, 0)
    report = import_file(warehouse, listing, options)
    # The derived customers make way; they are not "replaced" rows, and never mixed in.
    assert (report.accepted, report.replaced) == (2, 0)
    assert {k: v[4] for k, v in derived(warehouse).items()} == {"A": "gold", "Z": "silver"}
    # More orders change nothing while the list is there.
    load(
        warehouse,
        orders_file(tmp_path / "more.csv", [("10", "2024-07-01", "F", "direct", "-", 5, "EUR")]),
    )
    assert set(derived(warehouse)) == {"A", "Z"}
    # Undoing the list brings the customers from orders back, with F now.
    assert report.import_id is not None
    Ledger(warehouse).undo(report.import_id)
    assert set(derived(warehouse)) == {"A", "B", "C", "D", "E", "F"}
    assert all(v[7] == 0 for v in derived(warehouse).values())


def test_an_imported_customer_list_wins_before_the_orders(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    listing = tmp_path / "customers.csv"
    listing.write_text(LIST, encoding="utf-8")
    import_file(warehouse, listing, ImportOptions(source="canonical:customers"))
    load(warehouse, orders_file(tmp_path / "o.csv", EXAMPLE))
    assert {k: v[4] for k, v in derived(warehouse).items()} == {"A": "gold", "Z": "silver"}


def test_a_changed_window_is_applied_before_the_next_computation(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    load(warehouse, orders_file(tmp_path / "o.csv", EXAMPLE))
    assert customers.window_used(warehouse) == 90
    assert not customers.refresh_if_changed(warehouse, 90)
    assert customers.refresh_if_changed(warehouse, 30)
    # With 30 days: B churns on Feb 24, C on Mar 31, D on May 10; A (last order Jun 1) and E
    # are still in their window when the data ends on Jun 30.
    churn = {k: v[1] for k, v in derived(warehouse).items()}
    assert churn == {
        "A": None,
        "B": d("2024-02-24"),
        "C": d("2024-03-31"),
        "D": d("2024-05-10"),
        "E": None,
    }
    assert customers.window_used(warehouse) == 30


def test_the_window_comes_from_the_workspace_settings(tmp_path: Path) -> None:
    from shakhes.workspace import Workspace, init

    created = init(tmp_path / "shop", name="Shop", currency="EUR")
    root = created.root
    created.close()
    settings = root / "shakhes.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "customer_inactivity_days = 90", "customer_inactivity_days = 60"
        ),
        encoding="utf-8",
    )
    ws = Workspace.open(root)
    try:
        imports.import_file(
            ws, orders_file(tmp_path / "o.csv", EXAMPLE), ImportOptions(source="canonical:orders")
        )
        assert derived(ws.warehouse)["B"][1] == d("2024-03-25")  # Jan 25 + 60 days
        result = ws.engine.compute(
            ["churn_rate"], grain="month", period=(d("2024-03-01"), d("2024-03-31"))
        )
        assert result.value("churn_rate", "2024-03") == pytest.approx(1 / 3)  # B of A, B, C
    finally:
        ws.close()


# ---- a generated history against pandas --------------------------------------------------------


def history(seed: int = 7) -> pd.DataFrame:
    """Two years of a shop's orders: customers arrive over the period, order at their own
    pace, some stop; a few order in a second currency; guest orders have no customer."""
    rng = np.random.default_rng(seed)
    start = dt.date(2023, 1, 1)
    records = []
    n = 0
    for c in range(1500):
        first = start + dt.timedelta(days=int(rng.integers(0, 700)))
        day, life = first, int(rng.exponential(200))
        channel = str(rng.choice(["search", "social", "email", "direct"]))
        currency = "IRT" if c % 50 == 0 else "EUR"
        while (day - first).days <= life and day <= dt.date(2024, 12, 31):
            n += 1
            records.append(
                (
                    f"o{n}",
                    day,
                    f"c{c}",
                    channel,
                    f"camp{c % 7}",
                    round(float(rng.gamma(2, 30)), 2),
                    currency,
                )
            )
            if c % 97 == 0:  # now and then an order in another currency
                n += 1
                records.append((f"o{n}", day, f"c{c}", "direct", "(none)", 999.0, "USD"))
            day += dt.timedelta(days=int(rng.integers(5, 160)))
            channel = str(rng.choice(["search", "social", "email", "direct"]))
        if c % 10 == 0:
            n += 1
            records.append((f"o{n}", first, "", "direct", "(none)", 12.5, "EUR"))
    return pd.DataFrame(
        records,
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "channel",
            "campaign",
            "revenue",
            "currency",
        ],
    )


def customers_by_pandas(orders: pd.DataFrame, window: int) -> pd.DataFrame:
    """The rules of shakhes.imports.customers, written again with pandas."""
    end = orders.order_date.max()
    known = orders[orders.customer_id != ""].sort_values(["customer_id", "order_date", "order_id"])
    first = known.groupby("customer_id").first()
    last = known.groupby("customer_id").order_date.max()
    same = known.merge(
        first[["currency"]], left_on="customer_id", right_index=True, suffixes=("", "_1")
    )
    revenue = same[same.currency == same.currency_1].groupby("customer_id").revenue.sum()
    out = pd.DataFrame(
        {"acquired_date": first.order_date, "channel": first.channel, "currency": first.currency}
    )
    churn = last + pd.to_timedelta(window, unit="D")
    out["churned_date"] = churn.where(churn <= end, pd.NaT)
    span = (last - first.order_date).dt.days + window
    out["monthly_value"] = revenue / span * MONTH
    return out


def test_a_generated_history_against_pandas(warehouse: Warehouse, tmp_path: Path) -> None:
    orders = history()
    path = tmp_path / "history.csv"
    frame = orders.assign(is_new_customer="false")
    frame.to_csv(path, index=False)
    report = load(warehouse, path)
    assert report.accepted == len(orders)
    orders["order_date"] = pd.to_datetime(orders.order_date)
    want = customers_by_pandas(orders, 90)
    got = (
        pd.DataFrame(
            rows(
                warehouse,
                "SELECT customer_id, acquired_date, churned_date, channel, currency, "
                "monthly_value FROM customers",
            ),
            columns=[
                "customer_id",
                "acquired_date",
                "churned_date",
                "channel",
                "currency",
                "monthly_value",
            ],
        )
        .set_index("customer_id")
        .sort_index()
    )
    want = want.sort_index()
    assert list(got.index) == list(want.index)
    assert (pd.to_datetime(got.acquired_date) == want.acquired_date).all()
    assert (
        pd.to_datetime(got.churned_date).fillna(pd.Timestamp(0))
        == want.churned_date.fillna(pd.Timestamp(0))
    ).all()
    assert (got.channel == want.channel).all() and (got.currency == want.currency).all()
    assert np.allclose(got.monthly_value.astype(float), want.monthly_value, rtol=1e-12)
    assert want.churned_date.notna().sum() > 300 and want.churned_date.isna().sum() > 100

    # The KPIs, month by month, against the same rules applied to the pandas customers (EUR only,
    # so that no exchange rate is needed).
    engine = Engine(warehouse, {k.id: k for k in load_catalog()})
    months = pd.date_range("2023-02-01", "2024-12-01", freq="MS")
    result = engine.compute(
        ["new_customers", "churn_rate", "retention_rate"],
        grain="month",
        period=(dt.date(2023, 2, 1), dt.date(2024, 12, 31)),
        where="currency = 'EUR'",
    )
    eur = want[want.currency == "EUR"]
    for start in months:
        end = start + pd.offsets.MonthEnd(0)
        label = start.strftime("%Y-%m")
        new = ((eur.acquired_date >= start) & (eur.acquired_date <= end)).sum()
        active = (eur.acquired_date < start) & (
            eur.churned_date.isna() | (eur.churned_date >= start)
        )
        churned = active & (eur.churned_date <= end)
        assert result.value("new_customers", label) == new, label
        assert result.value("churn_rate", label) == pytest.approx(churned.sum() / active.sum()), (
            label
        )
        assert result.value("retention_rate", label) == pytest.approx(
            1 - churned.sum() / active.sum()
        )
