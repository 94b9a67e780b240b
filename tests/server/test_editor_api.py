"""The routes the web app's editors add: a formula's preview (its daily values, checked
against hand SQL) and the workspace's settings (read by anyone, changed by admins, written to
shakhes.toml at once and used by the open workspace)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import duckdb
import pytest
from support.server import WS, Api, ok

BASE = f"/api/v1/workspaces/{WS}"


def test_a_formula_preview_is_its_daily_values_as_hand_sql_counts_them(api: Api) -> None:
    client = api.login("viewer")
    got = ok(client.post(f"{BASE}/kpis/preview", json={"formula": "clicks / impressions"}))
    assert len(got["points"]) == 90
    assert got["points"][0]["day"] == got["from"] and got["points"][-1]["day"] == got["to"]
    con = duckdb.connect(str(api.root / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT date, sum(clicks) / sum(impressions) FROM ad_performance "
            "WHERE date BETWEEN ? AND ? GROUP BY date",
            [got["from"], got["to"]],
        ).fetchall()
    finally:
        con.close()
    expected = {day.isoformat(): float(value) for day, value in rows}
    assert len(expected) > 80
    for point in got["points"]:
        if point["day"] in expected:
            assert point["value"] == pytest.approx(expected[point["day"]], rel=1e-9)


def test_a_bad_formula_preview_is_a_422_with_the_caret(api: Api) -> None:
    client = api.login("viewer")
    answer = client.post(f"{BASE}/kpis/preview", json={"formula": "sum(ad_performance.clikcs)"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_formula"
    [issue] = error["details"]
    assert issue["position"] == 19 and issue["suggestion"] == "clicks"
    assert "^^^^^^" in error["message"]


def test_settings_are_read_by_viewers_and_changed_by_admins(writable_api: Api) -> None:
    viewer, admin = writable_api.login("viewer"), writable_api.login("admin")
    before = ok(viewer.get(f"{BASE}/settings"))
    assert before["currency"] == "USD" and before["fiscal_year_start_month"] >= 1
    refused = viewer.put(f"{BASE}/settings", json={"currency": "EUR"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    change = {"currency": "EUR", "week_start": "saturday", "gross_margin": 0.35}
    after = ok(admin.put(f"{BASE}/settings", json=change))
    assert after == {**before, **change}
    saved = tomllib.loads((writable_api.root / "shakhes.toml").read_text(encoding="utf-8"))
    assert saved["workspace"]["currency"] == "EUR"
    assert saved["workspace"]["week_start"] == "saturday"
    assert saved["parameters"]["gross_margin"] == 0.35
    # the open workspace serves with them at once
    assert ok(viewer.get(f"{BASE}"))["currency"] == "EUR"
    assert ok(viewer.get(f"{BASE}/settings")) == after
    log = ok(admin.get(f"{BASE}/audit?entity=settings"))
    assert any(e["entity_type"] == "settings" and e["actor"] == "admin@example.com" for e in log)

    ok(admin.put(f"{BASE}/settings", json={"currency": before["currency"], "gross_margin": None}))
    restored = ok(viewer.get(f"{BASE}/settings"))
    assert restored["currency"] == before["currency"] and restored["gross_margin"] is None


def test_bad_settings_are_refused_field_by_field_and_nothing_is_written(
    writable_api: Api,
) -> None:
    admin = writable_api.login("admin")
    path = writable_api.root / "shakhes.toml"
    text = path.read_text(encoding="utf-8")
    answer = admin.put(
        f"{BASE}/settings",
        json={"currency": "dollars", "week_start": "someday", "fiscal_year_start_month": 13},
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_settings"
    assert {d["field"] for d in error["details"]} == {
        "currency",
        "week_start",
        "fiscal_year_start_month",
    }
    assert error["hint"]
    margin = admin.put(f"{BASE}/settings", json={"gross_margin": 40})
    assert margin.status_code == 422 and margin.json()["error"]["details"][0]["field"] == (
        "gross_margin"
    )
    assert path.read_text(encoding="utf-8") == text


def test_saving_settings_never_writes_an_environment_override_into_the_file(
    tmp_path: Path, demo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SHAKHES_CURRENCY and SHAKHES_CUSTOMER_INACTIVITY_DAYS set, the page shows (and
    sends back) the environment's currency; saving another field leaves the file's own
    currency and inactivity days as they were."""
    from shakhes.service import workspace_settings
    from shakhes.workspace import Workspace

    root = tmp_path / "demo"
    shutil.copytree(demo_root, root)
    path = root / "shakhes.toml"
    before = tomllib.loads(path.read_text(encoding="utf-8"))
    assert before["workspace"].get("currency", "USD") == "USD"
    assert before["workspace"].get("customer_inactivity_days", 90) == 90
    monkeypatch.setenv("SHAKHES_CURRENCY", "EUR")
    monkeypatch.setenv("SHAKHES_CUSTOMER_INACTIVITY_DAYS", "45")
    ws = Workspace.open(root)
    try:
        shown = workspace_settings.view(ws).to_dict()
        assert shown["currency"] == "EUR"  # served with the environment's value
        # what the settings page sends: every field as shown, one of them changed
        after = workspace_settings.update(ws, {**shown, "week_start": "saturday"}, actor="t")
        assert after.week_start == "saturday" and after.currency == "EUR"
    finally:
        ws.close()
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved["workspace"] == {**before["workspace"], "week_start": "saturday"}
    assert saved.get("parameters", {}) == before.get("parameters", {})
    # a change the user made to an overridden setting is the file's (the environment wins)
    ws = Workspace.open(root)
    try:
        after = workspace_settings.update(ws, {"currency": "GBP"}, actor="t")
        assert after.currency == "EUR"
    finally:
        ws.close()
    assert tomllib.loads(path.read_text(encoding="utf-8"))["workspace"]["currency"] == "GBP"
