"""The Data page on the server: the import log and the quarantined rows as the API has them,
the upload, undo and retry controls for editors only, in English and in Persian (a quarantined
row's reason worded by its code); the dry run's report names the accounts the file covers."""

from __future__ import annotations

import csv
import re

from bs4 import BeautifulSoup
from support.imports import FIXTURES
from support.server import WS, Api, ok

from shakhes.web.data import REASON_WORDS

BASE = f"/api/v1/workspaces/{WS}"
PAGE = f"/w/{WS}/data"
BAD_ROWS = FIXTURES / "meta_daily_bad_rows.csv"
"""A Meta export with two good rows and six bad ones, each of another kind."""

ADS = """date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,\
impressions,clicks,cost,conversions,conversion_value
2020-02-01,google_ads,acc-b,search,d1,Data page,g1,,USD,1000,50,25.5,5,500
2020-02-02,google_ads,acc-a,search,d1,Data page,g1,,USD,2000,70,30,2,200
2020-02-03,google_ads,acc-a,search,d1,Data page,g1,,USD,lots,70,30,2,200
"""


def _soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def test_the_dry_run_names_the_period_and_accounts_of_a_file(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    files = {"files": ("accounts.csv", ADS.encode(), "text/csv")}
    [outcome] = ok(editor.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}))
    report = outcome["report"]
    assert report["accounts"] == ["acc-a", "acc-b"]
    assert report["date_range"] == ["2020-02-01", "2020-02-02"]
    assert (report["rows_read"], report["accepted"], report["quarantined"]) == (3, 2, 1)
    # Reports and errors name the file as uploaded, not its place on the server.
    assert report["file"] == "accounts.csv"
    assert "/tmp" not in str(report)
    stray = {"files": ("notes.csv", b"colour,size\nred,2\n", "text/csv")}
    [refused] = ok(editor.post(f"{BASE}/imports", files=stray, data={"dry_run": "true"}))
    assert refused["report"] is None
    assert refused["error"]["message"].startswith("notes.csv: ")
    assert "/tmp" not in str(refused) and refused["error"]["hint"]


def test_a_viewer_reads_the_log_but_has_no_controls(writable_api: Api) -> None:
    page = writable_api.login("viewer").get(PAGE)
    assert page.status_code == 200
    soup = _soup(page.text)
    assert soup.find(id="upload") is None and soup.find(id="retry") is None
    assert soup.select("button.undo") == []
    assert soup.find(id="viewer-note") is not None
    assert soup.find(id="log") is not None and soup.find(id="quarantine") is not None


def test_an_import_shows_in_the_log_with_its_quarantine_and_undo(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    files = {"files": ("page.csv", ADS.encode(), "text/csv")}
    [done] = ok(editor.post(f"{BASE}/imports", files=files))
    import_id = done["report"]["import_id"]
    log = {r["import_id"]: r for r in ok(editor.get(f"{BASE}/imports"))}

    soup = _soup(editor.get(PAGE).text)
    assert soup.find(id="upload") is not None
    assert 'src="/static/data.js' in str(soup)
    row = soup.select_one(f'#log tr[data-import="{import_id}"]')
    assert row is not None
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert cells[1] == "page.csv" and cells[2] == log[import_id]["source"]
    assert [float(td["data-value"]) for td in row.find_all("td")[3:6]] == [3, 2, 1]
    assert row.select_one("button.undo")["data-import"] == str(import_id)

    # The quarantine viewer, filtered to the import, with its CSV link.
    soup = _soup(editor.get(PAGE, params={"import": import_id}).text)
    rows = soup.select("#quarantine tbody tr")
    assert [r["data-import"] for r in rows] == [str(import_id)]
    reason = ok(editor.get(f"{BASE}/quarantine", params={"import": import_id}))[0]["message"]
    assert reason in rows[0].get_text()
    assert "lots" in rows[0].get_text()
    link = soup.select_one("#quarantine a.export")["href"]
    assert link == f"{BASE}/quarantine.csv?import={import_id}"
    assert "lots" in editor.get(link).text
    assert soup.select_one("#retry select[name=import_id] option[selected]")["value"] == str(
        import_id
    )

    # Another import's filter shows none of these rows.
    other = _soup(editor.get(PAGE, params={"import": import_id + 1000}).text)
    assert other.select("#quarantine tbody tr") == []

    ok(editor.post(f"{BASE}/imports/{import_id}/undo"))
    row = _soup(editor.get(PAGE).text).select_one(f'#log tr[data-import="{import_id}"]')
    assert row is not None and "undone" in row["class"]
    assert row.select_one("button.undo") is None


def test_the_data_page_in_persian(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    files = {"files": ("fa.csv", ADS.replace("Data page", "Data fa").encode(), "text/csv")}
    [done] = ok(editor.post(f"{BASE}/imports", files=files))
    import_id = done["report"]["import_id"]
    page = editor.get(PAGE, params={"lang": "fa"}).text
    assert '<html lang="fa" dir="rtl">' in page
    soup = _soup(page)
    assert soup.find("h1").get_text(strip=True) == "داده‌ها"
    row = soup.select_one(f'#log tr[data-import="{import_id}"]')
    assert row is not None
    shown = row.find_all("td")[3].get_text(strip=True)
    assert shown == "۳" and not re.search(r"[0-9]", row.find_all("td")[0].get_text())


def test_the_language_switch_names_the_language_to_keep(writable_api: Api) -> None:
    viewer = writable_api.login("viewer")
    link = _soup(viewer.get(f"/w/{WS}/").text).select_one("a.lang")
    assert link["data-locale"] == "fa" and "lang=fa" in link["href"]
    ok(viewer.put("/api/v1/auth/locale", json={"locale": "fa"}))
    page = viewer.get(f"/w/{WS}/").text
    assert '<html lang="fa" dir="rtl">' in page
    assert _soup(page).select_one("a.lang")["data-locale"] == "en"
    ok(viewer.put("/api/v1/auth/locale", json={"locale": "en"}))


def test_quarantined_rows_keep_their_code_in_the_api_the_csv_and_the_page(
    writable_api: Api,
) -> None:
    """A Meta export with six kinds of bad rows: the API lists each with its code, the CSV
    export has a code column, and the Data page words each reason by its code in Persian and
    shows the text as written in English, its column and value beside it."""
    editor = writable_api.login("editor")
    files = {"files": ("meta.csv", BAD_ROWS.read_bytes(), "text/csv")}
    [done] = ok(editor.post(f"{BASE}/imports", files=files))
    import_id = done["report"]["import_id"]
    codes = ["not_a_number", "not_a_date", "not_daily", "above_limit", "mixed_results"]
    codes.append("below_minimum")

    listed = ok(editor.get(f"{BASE}/quarantine", params={"import": import_id}))
    assert [(q["line"], q["code"]) for q in listed] == list(zip(range(3, 9), codes, strict=True))
    assert listed[0]["column"] == "cost" and listed[0]["value"] == "lots"
    assert listed[0]["message"] == "not a number" and listed[0]["file"] == "meta.csv"

    lines = editor.get(f"{BASE}/quarantine.csv", params={"import": import_id}).text.splitlines()
    exported = list(csv.DictReader(lines))
    assert lines[0].startswith("import,line,column,reason,code,Reporting starts")
    assert [r["code"] for r in exported] == codes
    assert [r["reason"] for r in exported] == [q["message"] for q in listed]

    for lang in ("en", "fa"):
        soup = _soup(editor.get(PAGE, params={"import": import_id, "lang": lang}).text)
        rows = soup.select("#quarantine tbody tr")
        assert [r["data-code"] for r in rows] == codes
        for row, q in zip(rows, listed, strict=True):
            cells = [td.get_text(strip=True) for td in row.find_all("td")]
            assert (cells[3], cells[4]) == (q["column"], q["value"])
            words = REASON_WORDS["fa"][q["code"]] if lang == "fa" else q["message"]
            assert cells[5] == words
    ok(editor.post(f"{BASE}/imports/{import_id}/undo"))
