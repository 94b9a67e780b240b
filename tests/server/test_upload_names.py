"""A file uploaded through the API (the Data page) is named in the import log, the quarantine,
the audit log, the Data page and ``shakhes imports list`` by the name the user's computer gave
it, never by the temporary file the server wrote it to."""

from __future__ import annotations

import pytest
from support.cli import shakhes
from support.server import SQLITE_ONLY, WS, Api, ok

BASE = f"/api/v1/workspaces/{WS}"
NAME = "Google Ads report (Nov) گزارش.csv"
ADS = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,"
    "impressions,clicks,cost,conversions,conversion_value\n"
    "2020-02-01,google_ads,upl,search,n1,Names,g1,,USD,1000,50,25.5,5,500\n"
    "2020-02-02,google_ads,upl,search,n1,Names,g1,,USD,oops,70,30,2,200\n"
)


@SQLITE_ONLY
def test_an_uploads_own_name_is_what_the_logs_show(
    writable_api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    client = writable_api.login("editor")
    [done] = ok(client.post(f"{BASE}/imports", files={"files": (NAME, ADS.encode(), "text/csv")}))
    assert done["file"] == NAME and done["error"] is None
    import_id = done["report"]["import_id"]
    [entry] = [e for e in ok(client.get(f"{BASE}/imports")) if e["import_id"] == import_id]
    assert entry["file_name"] == NAME
    [row] = ok(client.get(f"{BASE}/quarantine?import={import_id}"))
    assert row["file"] == NAME
    audit = ok(client.get(f"{BASE}/audit?entity=data"))
    assert any((e["after"] or {}).get("details", {}).get("file") == NAME for e in audit)
    page = client.get(f"/w/{WS}/data").text
    assert NAME in page and "shakhes-upload" not in page and "not a number" in page
    persian = client.get(f"/w/{WS}/data?lang=fa").text  # the reason in Persian, by its code
    assert "عدد نیست" in persian and "not a number" not in persian

    run = shakhes(capsys, "imports", "list", "--workspace", str(writable_api.root))
    assert run.code == 0, run.err
    assert "shakhes-upload" not in run.out and "Google Ads report" in run.out

    # the retry of its quarantined rows names them by the file too
    retried = client.post(f"{BASE}/imports/{import_id}/retry", json={})
    again = f"{NAME} (quarantine of #{import_id})"
    assert ok(retried)["report"]["file"] == again
    names = [e["file_name"] for e in ok(client.get(f"{BASE}/imports"))]
    assert names == [again, NAME]
