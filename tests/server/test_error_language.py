"""The API's errors in the caller's language: ``Accept-Language: fa`` (what a Persian page
sends) gets Persian message, hint and field problems; the code and status never change; no
header (a script) gets English. See shakhes.server.error_words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support.imports import FIXTURES
from support.server import WS, Api

from shakhes.server.error_words import wants_persian
from shakhes.web.data import REASON_WORDS

BASE = f"/api/v1/workspaces/{WS}"
FA = {"Accept-Language": "fa"}
LATIN = re.compile("[A-Za-z]")
PERSIAN = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")
"""Persian letters (not digits: an English message may show Persian digits as an example)."""


def _persian_text(text: str) -> bool:
    """Persian words, and no English outside the left-to-right runs (ids) they isolate."""
    outside = re.sub("\u2066[^\u2069]*\u2069", "", text)
    return bool(PERSIAN.search(text)) and not LATIN.search(outside)


def _both(client: Any, method: str, url: str, **kwargs: Any) -> tuple[Any, Any]:
    """The same call in English (no header) and in Persian."""
    en = client.request(method, url, **kwargs)
    fa = client.request(method, url, headers=FA, **kwargs)
    return en, fa


@pytest.mark.parametrize(
    ("method", "url", "body", "code"),
    [
        ("GET", f"{BASE}/kpis/crt", None, "unknown_kpi"),
        ("GET", f"{BASE}/goals/nope", None, "unknown_goal"),
        ("POST", f"{BASE}/kpis/preview", {"formula": "sum(ad_performance.clikcs)"}, None),
        ("POST", f"{BASE}/targets", {"kpi": "ctr", "period": "2026-Q9", "value": 1}, None),
        ("PUT", f"{BASE}/settings", {"currency": "dollars", "gross_margin": 4}, "forbidden"),
        ("POST", f"{BASE}/goals", {"id": "x"}, "invalid_request"),
        ("GET", "/api/v1/no/such/route", None, "not_found"),
        # each KPI's own error, by its code
        (
            "GET",
            f"{BASE}/compute?kpis=mer,revenue&grain=total&by=ad_group",
            None,
            "nothing_computable",
        ),
    ],
)
def test_an_error_is_persian_when_asked_and_its_code_is_the_same(
    api: Api, method: str, url: str, body: Any, code: str | None
) -> None:
    client = api.login("editor")
    en, fa = _both(client, method, url, json=body)
    assert en.status_code == fa.status_code >= 400
    e, f = en.json()["error"], fa.json()["error"]
    assert e["code"] == f["code"] and (code is None or e["code"] == code)
    assert not PERSIAN.search(e["message"])  # a script that asks nothing gets English
    assert _persian_text(f["message"]), f
    if f["hint"]:
        assert PERSIAN.search(f["hint"]), f
    for detail_en, detail_fa in zip(e["details"] or [], f["details"] or [], strict=True):
        assert {k: v for k, v in detail_en.items() if k != "message"} == {
            k: v for k, v in detail_fa.items() if k != "message"
        }
        assert _persian_text(detail_fa["message"]), detail_fa
    if code == "nothing_computable":  # each KPI's own error, the KPI named first
        assert (
            [d["message"].split(":")[0] for d in f["details"]]
            == [f"\u2066{d['kpi']}\u2069" for d in e["details"]]
            == ["\u2066mer\u2069", "\u2066revenue\u2069"]
        )


@pytest.mark.parametrize(
    ("formula", "code", "under", "words"),
    [
        ("sum(ad_performance.clikcs)", "unknown_column", "clikcs", "ستون"),
        ("(sum(ad_performance.cost) / 2", "unclosed_parenthesis", None, "پرانتز"),
        ("summ(ad_performance.cost)", "unknown_function", "summ", "تابع"),
    ],
)
def test_a_bad_formula_is_worded_in_the_language_asked(
    api: Api, formula: str, code: str, under: str | None, words: str
) -> None:
    """What the KPI editor shows above each caret: Persian words on a Persian page (the name
    under the caret, and a "did you mean", isolated left-to-right), English otherwise; the
    position, code and caret are the same."""
    client = api.login("viewer")
    en, fa = _both(client, "POST", f"{BASE}/kpis/validate", json={"formula": formula})
    [issue_en], [issue_fa] = en.json()["issues"], fa.json()["issues"]
    assert {k: v for k, v in issue_en.items() if k != "words"} == {
        k: v for k, v in issue_fa.items() if k != "words"
    }
    assert issue_en["code"] == code and issue_en["words"] == issue_en["text"].splitlines()[0]
    assert _persian_text(issue_fa["words"]) and words in issue_fa["words"], issue_fa
    if under is not None:
        assert f"\u2066{under}\u2069" in issue_fa["words"]
    if issue_fa["suggestion"]:
        assert f"منظورتان \u2066{issue_fa['suggestion']}\u2069 بود؟" in issue_fa["words"]
    position = issue_fa["position"]
    assert issue_fa["caret"] == f"  {formula}\n  {' ' * position}{'^' * issue_fa['length']}"
    # a formula saved with the same problem: its error's detail has the same Persian words
    spec = {**_ctr_spec(api), "formula": formula}
    editor = api.login("editor")
    answer = editor.put(f"{BASE}/kpis/ctr", json=spec, headers=FA)
    assert answer.status_code == 422, answer.text
    detail = next(d for d in answer.json()["error"]["details"] if d["code"] == code)
    assert (
        detail["message"]
        + (
            f" — منظورتان \u2066{detail['suggestion']}\u2069 بود؟"
            if detail.get("suggestion")
            else ""
        )
        == issue_fa["words"]
    )
    assert editor.get(f"{BASE}/kpis/ctr").json()["formula"] != formula  # nothing saved


def _ctr_spec(api: Api) -> dict[str, Any]:
    return dict(api.login("viewer").get(f"{BASE}/kpis/ctr").json())


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x", "period": "2025", "kpis": "revenue", "drives": []},
        [1],
        {"id": "x" * 70, "period": "", "kpis": [{"kpi": "ctr", "kind": "big"}]},
    ],
)
def test_a_badly_shaped_body_is_persian_beside_each_field(api: Api, body: Any) -> None:
    answer = api.login("editor").post(f"{BASE}/goals", json=body, headers=FA)
    assert answer.status_code == 422
    details = answer.json()["error"]["details"]
    assert details
    for detail in details:
        assert _persian_text(detail["message"]), detail


def test_settings_problems_are_persian_beside_each_field(writable_api: Api) -> None:
    admin = writable_api.login("admin")
    answer = admin.put(
        f"{BASE}/settings", json={"currency": "dollars", "week_start": "someday"}, headers=FA
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_settings" and _persian_text(error["message"])
    assert {d["field"] for d in error["details"]} == {"currency", "week_start"}
    for detail in error["details"]:
        assert PERSIAN.search(detail["message"]), detail
    margin = admin.put(f"{BASE}/settings", json={"gross_margin": 4}, headers=FA).json()["error"]
    assert "۱" in margin["details"][0]["message"]


def test_a_refused_upload_is_persian(writable_api: Api) -> None:
    client = writable_api.login("editor")
    files = {"files": ("x.csv", b"a,b\n1,2\n", "text/csv")}
    en = client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}).json()
    fa = client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}, headers=FA).json()
    assert en[0]["error"]["code"] == fa[0]["error"]["code"]
    assert not PERSIAN.search(en[0]["error"]["message"])
    assert _persian_text(fa[0]["error"]["message"]), fa[0]["error"]
    assert fa[0]["file"] == "x.csv"


BAD_ROWS = FIXTURES / "meta_daily_bad_rows.csv"
"""A Meta Ads export with a bad row of each kind (a cost of 'lots', a 31 September, a weekly
row, more clicks than impressions, another objective's results, a negative cost)."""


def test_a_refused_strict_load_is_persian_beside_each_row(
    writable_api: Api, tmp_path: Path
) -> None:
    """The rows a dry run would set aside (the Data page words them by code) are the rows a
    strict load refuses the file for; the refusal's details, in the one error shape a refused
    upload answers with (the upload itself is never strict: ``shakhes load`` is), are the same
    Persian words, and their line, column and value are as in English."""
    from starlette.requests import Request

    from shakhes.errors import DataError
    from shakhes.imports.report import ImportOptions
    from shakhes.server.errors import shakhes_error_body
    from shakhes.service import imports
    from shakhes.workspace import init

    client = writable_api.login("editor")
    files = {"files": ("meta.csv", BAD_ROWS.read_bytes(), "text/csv")}
    form = {"dry_run": "true", "currency": "EUR"}
    [dry] = client.post(f"{BASE}/imports", files=files, data=form, headers=FA).json()
    rejected = dry["report"]["rejected"]
    codes = {r["code"] for r in rejected}
    assert {"not_a_number", "not_a_date", "not_daily", "below_minimum"} <= codes, rejected

    ws = init(tmp_path / "ws", name="strict")  # a load refused: nothing is written anywhere
    try:
        with pytest.raises(DataError) as refused:
            imports.import_file(ws, BAD_ROWS, ImportOptions(strict=True, currency="EUR"))
    finally:
        ws.close()
    assert refused.value.code == "load_problems"

    def asking(language: str | None) -> Request:
        headers = [(b"accept-language", language.encode())] if language else []
        return Request({"type": "http", "headers": headers})

    en = shakhes_error_body(refused.value, asking(None))
    fa = shakhes_error_body(refused.value, asking("fa"))
    assert _persian_text(fa["message"]) and en["code"] == fa["code"] == "load_problems"
    place = ("code", "line", "column", "value")
    listed = [tuple(d.get(k) for k in place) for d in fa["details"]]
    # the rows a dry run sets aside (with one problem each), and every problem of each
    assert {r["line"] for r in rejected} == {d["line"] for d in fa["details"]}
    assert all(tuple(r.get(k) for k in place) in listed for r in rejected)
    for detail_en, detail_fa in zip(en["details"], fa["details"], strict=True):
        assert {k: v for k, v in detail_en.items() if k != "message"} == {
            k: v for k, v in detail_fa.items() if k != "message"
        }
        assert not PERSIAN.search(detail_en["message"])
        assert detail_fa["message"] == REASON_WORDS["fa"][detail_fa["code"]] + ".", detail_fa
        assert _persian_text(detail_fa["message"]), detail_fa


def test_a_bad_mapping_file_is_persian_beside_each_problem(writable_api: Api) -> None:
    client = writable_api.login("editor")
    files = [
        ("files", ("meta.csv", BAD_ROWS.read_bytes(), "text/csv")),
        ("mapping", ("bad.yml", b"table: leeds\ncolumns: {}\n", "text/yaml")),
    ]
    [en], [fa] = (
        client.post(f"{BASE}/imports", files=files, data={"dry_run": "true"}, headers=h).json()
        for h in ({}, FA)
    )
    assert en["error"]["code"] == fa["error"]["code"] == "invalid_mapping"
    assert en["error"]["message"].startswith("bad.yml: ")  # not the server's temporary file
    assert _persian_text(fa["error"]["message"])
    assert fa["error"]["details"]
    for detail_en, detail_fa in zip(en["error"]["details"], fa["error"]["details"], strict=True):
        assert {k: v for k, v in detail_en.items() if k != "message"} == {
            k: v for k, v in detail_fa.items() if k != "message"
        }
        assert _persian_text(detail_fa["message"]) and "نگاشت" in detail_fa["message"]
        assert f"\u2066{detail_en['message']}\u2069" in detail_fa["message"]  # kept after


def test_a_missing_csrf_token_and_the_last_admin_are_persian(api: Api) -> None:
    no_csrf = api.login("admin", csrf=False).put(
        f"{BASE}/members", json={"email": "admin@example.com", "role": "viewer"}, headers=FA
    )
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf"
    assert _persian_text(no_csrf.json()["error"]["message"])
    last = api.login("admin").put(
        f"{BASE}/members", json={"email": "admin@example.com", "role": "viewer"}, headers=FA
    )
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"
    assert _persian_text(last.json()["error"]["message"]) and last.json()["error"]["hint"]


@pytest.mark.parametrize(
    ("header", "persian"),
    [
        (None, False),
        ("fa", True),
        ("fa-IR,fa;q=0.9,en-US;q=0.8", True),
        ("en-US,en;q=0.9,fa;q=0.8", False),
        ("de-DE,fa;q=0.5", True),
        ("fa;q=0.2,en;q=0.8", False),
        ("fa;q=0", False),
        ("*", False),
    ],
)
def test_accept_language_picks_persian_only_when_preferred(
    header: str | None, persian: bool
) -> None:
    assert wants_persian(header) is persian


def test_a_wrong_current_password_and_an_unknown_member_say_what_is_wrong(api: Api) -> None:
    client = api.login("admin")
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not it", "new_password": "a much longer new secret"},
        headers=FA,
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
    assert wrong.json()["error"]["message"] == "رمز کنونی درست نیست."
    unknown = client.put(
        f"{BASE}/members", json={"email": "nobody@example.com", "role": "viewer"}, headers=FA
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_user"
    assert _persian_text(unknown.json()["error"]["message"])
    assert "shakhes" in unknown.json()["error"]["hint"]  # the command that adds a user
