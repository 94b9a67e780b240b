"""CRM and shop files end to end, as a user types it: suggest a mapping, save it, import, see
what an update would change, undo; and a shop's churn from its orders alone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.cli import shakhes

CRM = Path(__file__).parent / "fixtures" / "crm"


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root), "--currency", "USD").code == 0
    monkeypatch.chdir(root)
    return root


def save(capsys: pytest.CaptureFixture[str], name: str, path: Path, added: str = "") -> Path:
    run = shakhes(capsys, "import", str(CRM / name), "--suggest-mapping")
    assert run.code == 0, run.err
    assert f"shakhes import {name} --mapping mapping.yml" in run.out
    path.write_text(run.out + added, encoding="utf-8")
    return path


def test_leads_then_won_deals(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts = save(capsys, "hubspot_contacts.csv", ws / "contacts.yml", "currency: USD\n")
    run = shakhes(capsys, "import", str(CRM / "hubspot_contacts.csv"), "--mapping", str(contacts))
    assert run.code == 0, run.err
    assert "accepted 12; quarantined 0" in run.out

    deals = save(capsys, "hubspot_deals_won.csv", ws / "deals.yml", "currency: USD\n")
    args = ["import", str(CRM / "hubspot_deals_won.csv"), "--mapping", str(deals)]
    dry = shakhes(capsys, *args, "--dry-run")
    assert dry.code == 0, dry.err
    assert "in rows already there, would change: won_date on 5, value on 5" in dry.out
    assert "quarantined 2" in dry.out and "skipped 1 Deal Stage 'Closed lost' row(s)" in dry.out
    assert "lead_id '34599' is not in leads: this file only updates rows already there" in dry.out

    done = shakhes(capsys, *args)
    assert done.code == 0 and "as import #2" in done.out
    assert "in rows already there, changed: won_date on 5, value on 5" in done.out
    rate = shakhes(
        capsys,
        "compute",
        "lead_to_customer_rate",
        "--grain",
        "quarter",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--format",
        "csv",
    )
    assert rate.code == 0, rate.err
    # Created in Q1: 34501–34506 (six), of which 34501 and 34503 won; Q2: 34507–34512, three won.
    values = {r["period_label"]: r["value"] for r in csv.DictReader(io.StringIO(rate.out))}
    assert values["2024-Q1"].startswith("0.333") and values["2024-Q2"] == "0.5", rate.out

    undo = shakhes(capsys, "imports", "undo", "2")
    assert undo.code == 0 and "removed 5 rows, restored 5" in undo.out


def test_a_bad_mapping_is_an_error_with_lines_not_a_traceback(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = ws / "bad.yml"
    bad.write_text("table: leads\ncolumns:\n  lead_id: Record ID\n  wondate: Close Date\n")
    run = shakhes(capsys, "import", str(CRM / "hubspot_deals_won.csv"), "--mapping", str(bad))
    assert run.code == 1
    assert "Traceback" not in run.err
    assert "bad.yml:4: columns.wondate: 'wondate' is not a column of leads" in run.err
    assert "did you mean 'won_date'" in run.err


def test_a_shop_gets_its_churn_from_its_orders(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = save(capsys, "shop_orders.csv", ws / "orders.yml")
    run = shakhes(capsys, "import", str(CRM / "shop_orders.csv"), "--mapping", str(orders))
    assert run.code == 0, run.err
    got = shakhes(
        capsys,
        "compute",
        "new_customers",
        "--grain",
        "month",
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--format",
        "csv",
    )
    assert got.code == 0, got.err
    # First orders: Anna and Ben in January, Dev in February, Carla (cancelled in January) in
    # March; the guest order without an e-mail is quarantined.
    values = [r["value"] for r in csv.DictReader(io.StringIO(got.out))]
    assert values[:3] == ["2", "1", "1"], got.out
