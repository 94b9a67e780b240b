"""Every route of the API on the demo workspace: its answer is the JSON the CLI prints with
``--format json`` (the same numbers), and a total is checked against hand SQL on the
warehouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.cli import cli_json, shakhes
from support.server import SQLITE_ONLY, WS, Api, ok

BASE = f"/api/v1/workspaces/{WS}"


# ---- workspaces, KPIs ----------------------------------------------------------------------------


def test_workspaces_list_only_mine_with_my_role(api: Api) -> None:
    assert ok(api.login("editor").get("/api/v1/workspaces")) == [
        {
            "id": WS,
            "name": "shakhes demo",
            "role": "editor",
            "currency": None,
            "locale": None,
            "calendar": None,
        }
    ]
    assert [w["id"] for w in ok(api.login("outsider").get("/api/v1/workspaces"))] == ["other"]
    one = ok(api.login("viewer").get(BASE))
    assert (one["currency"], one["locale"], one["calendar"]) == ("USD", "en", "gregorian")


def test_kpis_are_the_workspace_definitions(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    from shakhes.workspace import Workspace

    client = api.login("viewer")
    listed = ok(client.get(f"{BASE}/kpis"))
    ws = Workspace.open(api.root)
    try:
        specs = ws.definitions()
    finally:
        ws.close()
    assert [k["id"] for k in listed] == list(specs)
    assert listed[0] == specs[listed[0]["id"]].model_dump(mode="json")
    ctr = ok(client.get(f"{BASE}/kpis/ctr"))
    assert ctr["formula"] == specs["ctr"].formula and ctr["unit"] == "percent"
    error = client.get(f"{BASE}/kpis/crt").json()["error"]
    assert error["code"] == "unknown_kpi" and "ctr" in (error["hint"] or error["message"])


def test_a_formula_is_validated_with_the_position_of_each_problem(api: Api) -> None:
    client = api.login("viewer")
    good = ok(client.post(f"{BASE}/kpis/validate", json={"formula": "sum(ad_performance.cost)"}))
    assert good == {"valid": True, "issues": []}
    formula = "sum(ad_performance.clikcs) / sum(ad_performance.impressions)"
    bad = ok(client.post(f"{BASE}/kpis/validate", json={"formula": formula}))
    assert bad["valid"] is False
    [issue] = bad["issues"]
    assert issue["position"] == formula.index("clikcs") and issue["length"] == len("clikcs")
    assert issue["suggestion"] == "clicks"
    assert issue["text"].splitlines()[-1] == "  " + " " * issue["position"] + "^" * 6
    broken = ok(client.post(f"{BASE}/kpis/validate", json={"formula": "sum(ad_performance.cost"}))
    assert broken["valid"] is False and broken["issues"][0]["position"] is not None


# ---- computed answers equal the CLI's ------------------------------------------------------------


def test_compute_equals_the_cli_and_hand_sql(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    client = api.login("viewer")
    query = "kpis=cost,ctr&grain=month&by=channel&from=2025-09-01&to=2025-11-30&compare=previous"
    got = ok(client.get(f"{BASE}/compute?{query}"))
    cli = cli_json(
        capsys,
        api.root,
        "compute",
        "cost,ctr",
        "--grain",
        "month",
        "--by",
        "channel",
        "--from",
        "2025-09-01",
        "--to",
        "2025-11-30",
        "--compare",
        "previous",
    )
    assert got == cli and len(got) > 10
    body = {
        "kpis": ["cost", "ctr"],
        "grain": "month",
        "by": ["channel"],
        "from": "2025-09-01",
        "to": "2025-11-30",
        "compare": "previous",
    }
    assert ok(client.post(f"{BASE}/compute", json=body)) == got
    total = ok(client.get(f"{BASE}/compute?kpis=cost&grain=total&from=2025-11-01&to=2025-11-30"))
    con = duckdb.connect(str(api.root / "warehouse.duckdb"), read_only=True)
    try:
        [(expected,)] = con.execute(
            "SELECT sum(cost) FROM ad_performance WHERE date BETWEEN '2025-11-01' AND '2025-11-30'"
        ).fetchall()
    finally:
        con.close()
    assert total[0]["value"] == pytest.approx(float(expected), rel=1e-9)


def test_a_kpi_that_cannot_be_computed_does_not_sink_the_others(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    """revenue can be broken down by ad_group (no: orders have no ad group) — roas neither —
    but cost can: the answer has cost's numbers, and revenue's rows with null and the reason,
    as the CLI's JSON (it was a 500: the failed KPI's ``complete`` is null)."""
    client = api.login("viewer")
    query = "kpis=cost,revenue&grain=total&by=ad_group&from=2025-11-01&to=2025-11-30"
    got = ok(client.get(f"{BASE}/compute?{query}"))
    cli = cli_json(capsys, api.root, "compute", "cost,revenue", "--grain", "total", "--by",
                   "ad_group", "--from", "2025-11-01", "--to", "2025-11-30")  # fmt: skip
    assert got == cli
    failed = [r for r in got if r["kpi"] == "revenue"]
    assert failed and all(r["value"] is None and r["complete"] is None for r in failed)
    assert all(r["error"]["code"] for r in failed)
    costs = [r for r in got if r["kpi"] == "cost"]
    assert costs and all(isinstance(r["value"], float | int) for r in costs)


@SQLITE_ONLY
def test_status_check_and_goals_equal_the_cli(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    client = api.login("viewer")
    assert ok(client.get(f"{BASE}/status")) == cli_json(capsys, api.root, "status")
    assert ok(client.get(f"{BASE}/check")) == cli_json(capsys, api.root, "check")
    assert ok(client.get(f"{BASE}/goals")) == cli_json(capsys, api.root, "goal", "list")
    assert ok(client.get(f"{BASE}/goals/grow_online_revenue")) == cli_json(
        capsys, api.root, "goal", "show", "grow_online_revenue"
    )
    assert ok(client.get(f"{BASE}/targets")) == cli_json(capsys, api.root, "target", "list")
    assert ok(client.get(f"{BASE}/targets/ctr_floor")) == cli_json(
        capsys, api.root, "target", "show", "ctr_floor"
    )
    status = ok(client.get(f"{BASE}/status"))
    assert status["goals"] and status["goals"][0]["id"] == "grow_online_revenue"


@SQLITE_ONLY
def test_explain_leads_and_anomalies_equal_the_cli(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    client = api.login("viewer")
    assert ok(client.get(f"{BASE}/explain?kpi=roas&by=channel&period=2025-11")) == cli_json(
        capsys, api.root, "explain", "roas", "--by", "channel", "--period", "2025-11"
    )
    assert ok(
        client.get(f"{BASE}/leads?lagging=orders&candidates=clicks,sessions&max_lag=3")
    ) == cli_json(
        capsys, api.root, "leads", "orders", "--candidates", "clicks,sessions", "--max-lag", "3"
    )
    assert ok(client.get(f"{BASE}/anomalies?kpis=cost,clicks")) == cli_json(
        capsys, api.root, "anomalies", "cost,clicks"
    )


def test_the_audit_log_equals_the_cli(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    entries = ok(api.login("viewer").get(f"{BASE}/audit?limit=5"))
    run = shakhes(capsys, "audit", "--limit", "5", "--workspace", str(api.root))
    assert len(entries) == len(run.out.splitlines()) > 0
    for entry, line in zip(entries, run.out.splitlines(), strict=True):
        assert f"{entry['actor']} {entry['action']} {entry['entity_type']}" in line


# ---- changes (on a copy of the demo) -------------------------------------------------------------

BRAND_COST = {
    "id": "brand_cost",
    "name": {"en": "Brand search cost", "fa": "هزینهٔ جست‌وجوی برند"},
    "description": {"en": "Spend on search.", "fa": "هزینهٔ جست‌وجو."},
    "formula": "sum(ad_performance.cost where channel = 'search')",
    "unit": "currency",
    "direction": "lower_is_better",
    "kind": "operational",
    "timing": "leading",
    "category": "efficiency",
}


def test_an_editor_saves_computes_and_deletes_a_kpi_and_the_audit_says_who(
    writable_api: Api,
) -> None:
    client = writable_api.login("editor")
    saved = ok(client.put(f"{BASE}/kpis/brand_cost", json=BRAND_COST))
    assert saved["added"] == ["brand_cost"]
    assert ok(client.get(f"{BASE}/kpis/brand_cost"))["formula"] == BRAND_COST["formula"]
    by_channel = ok(
        client.get(f"{BASE}/compute?kpis=cost&grain=total&by=channel&from=2025-11-01&to=2025-11-30")
    )
    brand = ok(
        client.get(f"{BASE}/compute?kpis=brand_cost&grain=total&from=2025-11-01&to=2025-11-30")
    )
    search = next(r["value"] for r in by_channel if r["channel"] == "search")
    assert brand[0]["value"] == pytest.approx(search)
    changed = ok(client.put(f"{BASE}/kpis/brand_cost", json={**BRAND_COST, "decimals": 0}))
    assert changed["changed"] == ["brand_cost"]
    audit = ok(client.get(f"{BASE}/audit?entity=brand_cost"))
    assert {e["actor"] for e in audit} == {"editor@example.com"}
    assert ok(client.delete(f"{BASE}/kpis/brand_cost"))["removed"] == ["brand_cost"]
    assert client.get(f"{BASE}/kpis/brand_cost").status_code == 404
    server_audit = ok(writable_api.login("admin").get(f"{BASE}/server-audit"))
    assert any(
        e["actor"] == "editor@example.com"
        and e["action"] == f"PUT {BASE}/kpis/brand_cost"
        and e["workspace"] == WS
        for e in server_audit
    )


def test_a_bad_kpi_is_refused_with_every_problem_located(writable_api: Api) -> None:
    client = writable_api.login("editor")
    bad = {**BRAND_COST, "formula": "sum(ad_performance.clikcs)"}
    answer = client.put(f"{BASE}/kpis/brand_cost", json=bad)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_definition"
    [detail] = error["details"]
    assert detail["position"] == bad["formula"].index("clikcs")
    assert detail["suggestion"] == "clicks"
    mismatch = client.put(f"{BASE}/kpis/other_id", json=BRAND_COST)
    assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == "id_mismatch"
    in_use = client.delete(f"{BASE}/kpis/clicks")  # ctr and others read it
    assert in_use.status_code in (400, 422)
    assert client.get(f"{BASE}/kpis/clicks").status_code == 200


def test_goals_and_targets_are_set_and_removed(writable_api: Api) -> None:
    client = writable_api.login("editor")
    goal = {
        "id": "q1_leads",
        "title": "More leads",
        "period": "2026-Q1",
        "kpis": [{"kpi": "leads"}],
    }
    made = ok(client.post(f"{BASE}/goals", json=goal), 201)
    assert made["id"] == "q1_leads" and made["kpis"][0]["kpi"] == "leads"
    again = client.post(f"{BASE}/goals", json=goal)
    assert again.status_code == 409 and again.json()["error"]["code"] == "goal_exists"
    target = {"kpi": "leads", "period": "2026-Q1", "value": 500, "goal": "q1_leads"}
    created = ok(client.post(f"{BASE}/targets", json=target))
    assert created["action"] == "created" and created["target"]["value"] == 500
    changed = ok(client.post(f"{BASE}/targets", json={**target, "value": 600}))
    assert changed["action"] == "changed"
    assert changed["changes"] == [{"field": "value", "before": 500.0, "after": 600.0}]
    target_id = changed["target"]["id"]
    shown = ok(client.get(f"{BASE}/targets/{target_id}"))
    assert [v["target"]["value"] for v in shown["history"]] == [500.0, 600.0]
    removed = ok(client.delete(f"{BASE}/targets/{target_id}"))
    assert removed["removed"] == target_id
    assert target_id not in [t["id"] for t in ok(client.get(f"{BASE}/targets"))]


ADS_HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,"
    "impressions,clicks,cost,conversions,conversion_value"
)
ADS = f"""{ADS_HEADER}
2020-01-01,google_ads,upl,search,u1,Upload test,g1,,USD,1000,50,25.5,5,500
2020-01-02,google_ads,upl,search,u1,Upload test,g1,,USD,2000,70,30,2,200
2020-01-03,google_ads,upl,search,u1,Upload test,g1,,USD,oops,70,30,2,200
"""


def test_upload_dry_run_import_quarantine_and_undo(writable_api: Api) -> None:
    client = writable_api.login("editor")
    files = {"files": ("ads.csv", ADS.encode(), "text/csv")}
    dry = ok(client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}))
    [outcome] = dry
    assert outcome["error"] is None and outcome["report"]["dry_run"] is True
    assert outcome["report"]["accepted"] == 2 and outcome["report"]["quarantined"] == 1
    assert ok(client.get(f"{BASE}/imports")) == []
    done = ok(client.post(f"{BASE}/imports", files=files))
    import_id = done[0]["report"]["import_id"]
    assert import_id is not None
    log = ok(client.get(f"{BASE}/imports"))
    assert log[0]["import_id"] == import_id and log[0]["accepted"] == 2
    total = ok(client.get(f"{BASE}/compute?kpis=cost&grain=total&from=2020-01-01&to=2020-01-31"))
    assert total[0]["value"] == pytest.approx(55.5)
    quarantined = ok(client.get(f"{BASE}/quarantine"))
    assert [(q["import_id"], q["line"], q["column"]) for q in quarantined] == [
        (import_id, 4, "impressions")
    ]
    csv_text = client.get(f"{BASE}/quarantine.csv").text
    assert csv_text.splitlines()[0].startswith("import,line,column,reason")
    assert "oops" in csv_text
    undone = ok(client.post(f"{BASE}/imports/{import_id}/undo"))
    assert undone["deleted"] == 2
    after = ok(client.get(f"{BASE}/compute?kpis=cost&grain=total&from=2020-01-01&to=2020-01-31"))
    assert after[0]["value"] in (None, 0)
    refused = ok(
        client.post(f"{BASE}/imports", files={"files": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    )
    assert refused[0]["report"] is None and refused[0]["error"]["code"]


def test_admins_manage_members(writable_api: Api) -> None:
    admin = writable_api.login("admin")
    members = ok(admin.get(f"{BASE}/members"))
    assert [(m["email"], m["role"]) for m in members] == [
        ("admin@example.com", "admin"),
        ("editor@example.com", "editor"),
        ("viewer@example.com", "viewer"),
    ]
    outsider = writable_api.login("outsider")
    assert outsider.get(BASE).status_code == 404
    ok(admin.put(f"{BASE}/members", json={"email": "outsider@example.com", "role": "viewer"}))
    assert ok(outsider.get(BASE))["role"] == "viewer"
    left = ok(admin.delete(f"{BASE}/members/outsider@example.com"))
    assert "outsider@example.com" not in [m["email"] for m in left]
    assert outsider.get(BASE).status_code == 404
    alone = admin.put(f"{BASE}/members", json={"email": "admin@example.com", "role": "viewer"})
    assert alone.status_code == 409 and alone.json()["error"]["code"] == "last_admin"
    unknown = admin.put(f"{BASE}/members", json={"email": "ghost@example.com", "role": "viewer"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_user"


def test_a_workspace_admin_cannot_create_an_account(writable_api: Api) -> None:
    """Accounts are the server operator's (``shakhes user add``): a workspace's admin gives
    roles to existing users only. An admin who could create an account with a password of
    their choosing could pre-create a colleague's e-mail, wait for another workspace to add
    it, and read that workspace (account pre-hijacking) — so a password sent along creates
    nothing."""
    admin = writable_api.login("admin")
    body = {"email": "new.hire@example.com", "role": "editor", "password": "first password 1"}
    answer = admin.put(f"{BASE}/members", json=body)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_user"
    assert "new.hire@example.com" not in [u.email for u in writable_api.store.users()]


FIXABLE = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
    "2019-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
    "2019-09-02,google_ads,a,search,c1,Brand,g,,,100,10,7,1,10\n"
    "2019-09-03,google_ads,,search,c1,Brand,g,,USD,100,20,9,1,10\n"
)
"""Three rows: one whole, one without its currency, one without its account."""


def test_a_retry_with_what_was_missing_imports_the_quarantined_rows(writable_api: Api) -> None:
    """Rows quarantined for a missing currency and account are imported by ``…/retry`` with
    them (as ``shakhes quarantine retry --currency --account``): the cost then sums all three
    rows, the quarantine of the import is empty; undoing the import removes them all."""
    client = writable_api.login("editor")
    files = {"files": ("fixable.csv", FIXABLE.encode(), "text/csv")}
    [record] = ok(client.post(f"{BASE}/imports", files=files, data={"source": "canonical"}))
    report = record["report"]
    assert (report["accepted"], report["quarantined"]) == (1, 2)
    import_id = report["import_id"]
    held = ok(client.get(f"{BASE}/quarantine?import={import_id}"))
    assert sorted((q["line"], q["column"], q["code"]) for q in held) == [
        (3, "currency", "missing_value"),
        (4, "account", "missing_value"),
    ]
    month = f"{BASE}/compute?kpis=cost&grain=total&from=2019-09-01&to=2019-09-30"
    assert ok(client.get(month))[0]["value"] == pytest.approx(5.5)
    half = ok(client.post(f"{BASE}/imports/{import_id}/retry", json={"currency": "USD"}))
    assert half["resolved"] == 1  # the row without its account is still held
    assert (half["report"]["accepted"], half["report"]["quarantined"]) == (1, 1)
    rest = ok(client.post(f"{BASE}/imports/{import_id}/retry", json={"account": "a"}))
    assert rest["resolved"] == 1
    assert ok(client.get(f"{BASE}/quarantine?import={import_id}")) == []
    assert ok(client.get(month))[0]["value"] == pytest.approx(5.5 + 7 + 9)
    # Each retry is an import of its own, undone on its own (the first retry's quarantined
    # row was the second's to import).
    retries = (half["report"]["import_id"], rest["report"]["import_id"])
    assert len({import_id, *retries}) == 3
    for done in (import_id, *retries):
        ok(client.post(f"{BASE}/imports/{done}/undo"))
    assert ok(client.get(month))[0]["value"] in (None, 0)


def test_a_form_upload_may_carry_the_csrf_token_as_a_field(writable_api: Api) -> None:
    client = writable_api.login("editor", csrf=False)
    token = client.cookies.get("shakhes_csrf")
    files = {"files": ("ads.csv", ADS.encode(), "text/csv")}
    refused = client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    answer = client.post(
        f"{BASE}/imports", files=files, data={"dry_run": "true", "csrf_token": token}
    )
    assert ok(answer)[0]["report"]["dry_run"] is True


CRM = Path(__file__).parents[1] / "imports" / "fixtures" / "crm" / "hubspot_contacts.csv"
LEADS_MAPPING = {
    "table": "leads",
    "columns": {
        "lead_id": "Record ID",
        "created_date": "Create Date",
        "channel": "Original Source",
        "campaign": "Original Source Drill-Down 2",
    },
    "values": {"channel": {"Paid Search": "search", "Paid Social": "social"}},
    "defaults": {"channel": "other", "campaign": "(none)"},
    "currency": "USD",
}
"""A mapping for a HubSpot contacts export (a layout shakhes does not know), in YAML or JSON."""


def test_an_upload_with_a_mapping_imports_a_file_no_layout_reads(writable_api: Api) -> None:
    import csv

    import yaml

    client = writable_api.login("editor")
    files = [("files", ("contacts.csv", CRM.read_bytes(), "text/csv"))]
    refused = ok(client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}))
    assert refused[0]["report"] is None and "mapping file" in refused[0]["error"]["hint"]

    as_json = ("mapping", ("leads.json", json.dumps(LEADS_MAPPING).encode(), "application/json"))
    dry = ok(client.post(f"{BASE}/imports", files=[*files, as_json], data={"dry_run": "true"}))
    as_yaml = ("mapping", ("leads.yml", yaml.safe_dump(LEADS_MAPPING).encode(), "text/yaml"))
    [done] = ok(client.post(f"{BASE}/imports", files=[*files, as_yaml]))
    with CRM.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    report = done["report"]
    assert done["error"] is None and report["table"] == "leads"
    assert report["accepted"] == len(rows) == dry[0]["report"]["accepted"]
    assert report["source"] == dry[0]["report"]["source"].replace("leads.json", "leads.yml")
    assert "leads.yml" in report["source"]

    con = duckdb.connect(str(writable_api.root / "warehouse.duckdb"), read_only=True)
    try:
        found = con.execute(
            "SELECT lead_id, channel FROM leads WHERE lead_id IN (SELECT unnest(?)) "
            "ORDER BY lead_id",
            [[r["Record ID"] for r in rows]],
        ).fetchall()
    finally:
        con.close()
    source = {"Paid Search": "search", "Paid Social": "social"}
    expected = [(r["Record ID"], source.get(r["Original Source"], "other")) for r in rows]
    assert found == sorted(expected)

    broken = ("mapping", ("bad.yml", b"table: leeds\ncolumns: {}\n", "text/yaml"))
    [bad] = ok(client.post(f"{BASE}/imports", files=[*files, broken], data={"dry_run": "true"}))
    assert bad["report"] is None and "bad.yml" in bad["error"]["message"]
    assert "leads" in json.dumps(bad["error"])  # the suggestion of the nearest table


def _free_form(schema: dict[str, Any]) -> bool:
    """A schema that says nothing of its fields: an object (or a list of them) with no model."""
    if "$ref" in schema:
        return False
    if schema.get("type") == "array":
        return _free_form(schema.get("items", {}))
    if "anyOf" in schema:
        return any(_free_form(s) for s in schema["anyOf"])
    return schema == {} or schema.get("type") == "object"


def test_every_json_answer_has_a_model_in_the_openapi_document(api: Api) -> None:
    document = api.app.openapi()
    free = [
        f"{method.upper()} {path} {status}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        and _free_form(
            answer.get("content", {}).get("application/json", {}).get("schema", {"$ref": ""})
        )
    ]
    assert free == []
    compute = document["paths"]["/api/v1/workspaces/{workspace}/compute"]["get"]
    schema = compute["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"]["$ref"].endswith("/ComputeRecord")
    record = document["components"]["schemas"]["ComputeRecord"]
    assert {"period_start", "kpi", "value", "complete", "error"} <= set(record["required"])


def test_an_answer_that_drifts_from_its_model_is_refused_not_sent() -> None:
    from pydantic import ValidationError

    from shakhes.server import schemas

    good = {"code": "unknown_kpi", "message": "no KPI 'crt'"}
    assert json.loads(schemas.answer(schemas.ErrorBrief, good).body) == good  # as it was
    for drifted in ({**good, "extra": 1}, {"code": "unknown_kpi"}, {**good, "hint": 3}):
        with pytest.raises(ValidationError):
            schemas.answer(schemas.ErrorBrief, drifted)
