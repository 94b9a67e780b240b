"""The pages on the server: the login leads to them and back, a member sees them in their own
language, anyone else is sent to the login page or gets the 404 page."""

from __future__ import annotations

import re

import pytest
from support.server import PASSWORD, WS, Api

from shakhes.server.routes.web import safe_next


def _login_form(api: Api, who: str, target: str) -> tuple[object, str]:
    client = api.anonymous()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login",
        data={
            "email": f"{who}@example.com",
            "password": PASSWORD,
            "next": target,
            "csrf_token": token.group(1),
        },
        follow_redirects=False,
    )
    return client, answer.headers.get("location", "") if answer.status_code == 303 else ""


def test_a_visitor_is_sent_to_the_login_page_and_back(api: Api) -> None:
    anonymous = api.anonymous()
    answer = anonymous.get(f"/w/{WS}/kpis/roas?period=2026-11", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/w/{WS}/kpis/roas%3Fperiod%3D2026-11"
    page = anonymous.get(answer.headers["location"])
    assert f'name="next" value="/w/{WS}/kpis/roas?period=2026-11"' in page.text

    _client, location = _login_form(api, "viewer", f"/w/{WS}/kpis/roas?period=2026-11")
    assert location == f"/w/{WS}/kpis/roas?period=2026-11"


@pytest.mark.parametrize(
    "target", ["//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com", ""]
)
def test_the_login_never_sends_the_user_off_the_site(api: Api, target: str) -> None:
    assert safe_next(target) == "/"
    _client, location = _login_form(api, "viewer", target)
    assert location == "/"


def test_home_leads_a_member_to_their_workspace(api: Api) -> None:
    viewer = api.login("viewer")
    answer = viewer.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/w/{WS}/"
    assert api.anonymous().get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_member_sees_the_overview_in_their_language(api: Api) -> None:
    viewer = api.login("viewer")
    page = viewer.get(f"/w/{WS}/")
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text
    # The logout form carries the session's own CSRF token.
    csrf = viewer.get("/api/v1/auth/me").json()["csrf_token"]
    assert re.search(rf'name="csrf_token" value="{re.escape(csrf)}"', page.text)

    assert viewer.put("/api/v1/auth/locale", json={"locale": "fa"}).status_code == 200
    persian = viewer.get(f"/w/{WS}/")
    assert '<html lang="fa" dir="rtl">' in persian.text
    viewer.put("/api/v1/auth/locale", json={"locale": "en"})


def test_a_member_of_another_workspace_gets_the_404_page(api: Api) -> None:
    outsider = api.login("outsider")
    for path in (f"/w/{WS}/", f"/w/{WS}/kpis/roas", "/w/no-such-workspace/"):
        answer = outsider.get(path)
        assert answer.status_code == 404
        assert "not a member" in answer.text
        assert "shakhes-demo" not in answer.text.replace(path, "")


def test_the_logout_form_ends_the_session(api: Api) -> None:
    viewer = api.login("viewer", csrf=False)
    page = viewer.get(f"/w/{WS}/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    answer = viewer.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert viewer.get(f"/w/{WS}/", follow_redirects=False).status_code == 303


def test_the_login_page_speaks_the_browsers_language_or_the_one_chosen(api: Api) -> None:
    """Before anyone is logged in the page follows ``Accept-Language`` (``?lang=`` wins); a
    failed login says why in the form's language; the switch keeps where the login leads."""
    client = api.anonymous()
    persian = client.get("/login", headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"})
    assert '<html lang="fa" dir="rtl">' in persian.text and "رمز عبور" in persian.text
    assert 'font-family: "Noto Sans Arabic", system-ui' in persian.text  # the served font
    english = client.get("/login?lang=en", headers={"Accept-Language": "fa"})
    assert '<html lang="en" dir="ltr">' in english.text and "Password" in english.text
    switch = client.get(f"/login?next=/w/{WS}/kpis/roas")
    assert f'href="/login?lang=fa&amp;next=/w/{WS}/kpis/roas"' in switch.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', persian.text)
    assert token is not None
    wrong = client.post(
        "/login",
        data={"email": "viewer@example.com", "password": "not it", "csrf_token": token.group(1),
              "lang": "fa"},
    )  # fmt: skip
    assert wrong.status_code == 401 and '<html lang="fa" dir="rtl">' in wrong.text
    assert "ایمیل یا رمز عبور درست نیست" in wrong.text
    expired = client.post("/login", data={"email": "x@example.com", "password": "y", "lang": "fa"})
    assert expired.status_code == 403 and "فرم ورود کهنه شده" in expired.text


def test_the_404_page_and_the_page_without_a_workspace_speak_the_users_language(
    api: Api,
) -> None:
    outsider = api.login("outsider")
    assert outsider.put("/api/v1/auth/locale", json={"locale": "fa"}).status_code == 200
    try:
        answer = outsider.get(f"/w/{WS}/")
        assert answer.status_code == 404 and '<html lang="fa" dir="rtl">' in answer.text
        assert "عضو آن نیستید" in answer.text
        assert "not a member" in outsider.get(f"/w/{WS}/?lang=en").text
    finally:
        outsider.put("/api/v1/auth/locale", json={"locale": "en"})

    api.store.add_user("nobody@example.com", PASSWORD, actor="test")
    try:
        client = api.anonymous()
        login = client.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200
        page = client.get("/")
        assert page.status_code == 200 and "nobody@example.com" in page.text
        assert "not a member of any workspace" in page.text
        # Its logout form carries the session's CSRF token, and logs out.
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None and csrf.group(1) == login.json()["csrf_token"]
        out = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/login"
    finally:
        api.store.remove_user("nobody@example.com", actor="test")
