"""Logging in and out, the session cookie and CSRF, personal access tokens, rate limits, and
the one JSON error shape."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support.server import PASSWORD, WS, Api, StorePool, app_over

ERROR_KEYS = {"code", "message", "hint", "details"}


def _error(answer: object) -> dict[str, object]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    return body["error"]  # type: ignore[no-any-return]


def test_login_sets_an_httponly_lax_session_cookie_and_a_readable_csrf_cookie(
    fresh: Api,
) -> None:
    client = fresh.anonymous()
    answer = client.post(
        "/api/v1/auth/login", json={"email": "Viewer@Example.com", "password": PASSWORD}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["email"] == "viewer@example.com" and body["auth"] == "session"
    assert [(w["id"], w["role"]) for w in body["workspaces"]] == [(WS, "viewer")]
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("shakhes_session="))
    csrf = next(c for c in cookies if c.startswith("shakhes_csrf="))
    assert "HttpOnly" in session and "samesite=lax" in session.lower()
    assert "HttpOnly" not in csrf
    assert "Secure" not in session  # plain http on loopback
    assert csrf.split(";")[0] == f"shakhes_csrf={body['csrf_token']}"
    me = client.get("/api/v1/auth/me").json()
    assert me["csrf_token"] == body["csrf_token"]


def test_cookies_are_secure_when_configured(
    demo_root: Path, other_root: Path, tmp_path: Path, store_pool: StorePool
) -> None:
    home = tmp_path / "home"
    with app_over(store_pool, "sqlite", demo_root, other_root, home, secure_cookies=True) as made:
        answer = made.anonymous().post(
            "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
        )
        assert all("Secure" in c for c in answer.headers.get_list("set-cookie"))


def test_cookies_are_secure_behind_a_proxy_that_terminates_https(
    demo_root: Path, other_root: Path, tmp_path: Path, store_pool: StorePool
) -> None:
    """Served by uvicorn as ``shakhes serve`` runs it (proxy headers trusted from the loopback
    address): a login forwarded by a proxy as ``X-Forwarded-Proto: https`` gets ``Secure``
    cookies, one over plain HTTP does not."""
    import httpx
    from support.browser import serving

    home = tmp_path / "home"
    with (
        app_over(store_pool, "sqlite", demo_root, other_root, home) as made,
        serving(made.app) as url,
    ):
        body = {"email": "viewer@example.com", "password": PASSWORD}
        proxied = httpx.post(
            f"{url}/api/v1/auth/login", json=body, headers={"X-Forwarded-Proto": "https"}
        )
        plain = httpx.post(f"{url}/api/v1/auth/login", json=body)
    assert proxied.status_code == plain.status_code == 200
    secure = proxied.headers.get_list("set-cookie")
    assert len(secure) == 2 and all("; secure" in c.lower() for c in secure)
    assert not any("; secure" in c.lower() for c in plain.headers.get_list("set-cookie"))


def test_a_wrong_password_is_401_and_repeated_failures_are_429_with_retry_after(
    fresh: Api,
) -> None:
    client = fresh.anonymous()
    for _ in range(3):
        answer = client.post(
            "/api/v1/auth/login", json={"email": "viewer@example.com", "password": "wrong one"}
        )
        assert answer.status_code == 401 and _error(answer)["code"] == "login_failed"
    answer = client.post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 429 and _error(answer)["code"] == "too_many_attempts"
    assert 0 < int(answer.headers["Retry-After"]) <= 15 * 60 + 1
    # another user is not locked out
    other = client.post(
        "/api/v1/auth/login", json={"email": "editor@example.com", "password": PASSWORD}
    )
    assert other.status_code == 200


def test_a_state_change_with_the_cookie_needs_the_csrf_token(fresh: Api) -> None:
    client = fresh.login("viewer", csrf=False)
    body = {"name": "mine", "read_only": True}
    answer = client.post("/api/v1/tokens", json=body)
    assert answer.status_code == 403 and _error(answer)["code"] == "csrf"
    answer = client.post("/api/v1/tokens", json=body, headers={"X-CSRF-Token": "forged"})
    assert answer.status_code == 403
    token = client.get("/api/v1/auth/me").json()["csrf_token"]  # reads need none
    answer = client.post("/api/v1/tokens", json=body, headers={"X-CSRF-Token": token})
    assert answer.status_code == 201


def test_logout_ends_the_session(fresh: Api) -> None:
    client = fresh.login("viewer")
    cookie = client.cookies.get("shakhes_session")
    assert client.post("/api/v1/auth/logout").status_code == 200
    client.cookies.set("shakhes_session", cookie)  # a copy of the cookie kept by someone
    answer = client.get("/api/v1/auth/me")
    assert answer.status_code == 401 and _error(answer)["code"] == "unauthenticated"


def test_a_password_change_ends_every_session(fresh: Api) -> None:
    first, second = fresh.login("editor"), fresh.login("editor")
    answer = first.post(
        "/api/v1/auth/password",
        json={"current_password": "not mine", "new_password": "a new password"},
    )
    assert answer.status_code == 401
    assert second.get("/api/v1/auth/me").status_code == 200
    answer = first.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a new password"},
    )
    assert answer.status_code == 200
    assert second.get("/api/v1/auth/me").status_code == 401
    assert first.get("/api/v1/auth/me").status_code == 401
    again = fresh.anonymous().post(
        "/api/v1/auth/login", json={"email": "editor@example.com", "password": "a new password"}
    )
    assert again.status_code == 200


def test_guessing_the_current_password_is_limited_as_logins_are(fresh: Api) -> None:
    """A stolen session cannot guess its user's password through the password change: each
    wrong current password is a failed login of the e-mail (3 allowed here), then 429 — the
    right one too — and the login form is limited by the same count."""
    client = fresh.login("viewer")
    for attempt in range(3):
        answer = client.post(
            "/api/v1/auth/password",
            json={"current_password": f"guess {attempt}", "new_password": "taken over 123"},
        )
        assert answer.status_code == 401, answer.text
    right = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "taken over 123"},
    )
    assert right.status_code == 429 and _error(right)["code"] == "too_many_attempts"
    login = fresh.anonymous().post(
        "/api/v1/auth/login", json={"email": "viewer@example.com", "password": PASSWORD}
    )
    assert login.status_code == 429
    assert client.get("/api/v1/auth/me").status_code == 200  # nothing changed, still logged in


def test_tokens_are_shown_once_and_revoked_tokens_are_401(fresh: Api) -> None:
    client = fresh.login("editor")
    created = client.post("/api/v1/tokens", json={"name": "ci"})
    assert created.status_code == 201
    text = created.json()["token"]
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ci"] and all("token" not in t for t in listed)
    bearer = fresh.anonymous()
    bearer.headers["Authorization"] = f"Bearer {text}"
    assert bearer.get("/api/v1/auth/me").json()["auth"] == "token"
    # a bearer token needs no CSRF token, even to write
    assert bearer.put("/api/v1/auth/locale", json={"locale": "fa"}).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 200
    answer = bearer.get("/api/v1/auth/me")
    assert answer.status_code == 401 and "revoked" in str(_error(answer)["message"])


def test_a_read_only_token_may_only_read(fresh: Api) -> None:
    client = fresh.bearer("editor", read_only=True)
    assert client.get(f"/api/v1/workspaces/{WS}/kpis").status_code == 200
    answer = client.put("/api/v1/auth/locale", json={"locale": "fa"})
    assert answer.status_code == 403 and _error(answer)["code"] == "read_only_token"


def test_a_malformed_authorization_header_is_401(fresh: Api) -> None:
    client = fresh.anonymous()
    for header in ("Basic abc", "Bearer", "Bearer shk_unknown", "Bearer nonsense"):
        answer = client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert answer.status_code == 401, header
        _error(answer)


def _form_token(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def test_the_login_form_sets_the_cookie_and_redirects(fresh: Api) -> None:
    client = fresh.anonymous()
    page = client.get("/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    token = _form_token(page)
    wrong = client.post(
        "/login", data={"email": "admin@example.com", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "wrong e-mail or password" in wrong.text
    assert _form_token(wrong) == token  # the form shown again keeps the browser's token
    answer = client.post(
        "/login",
        data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and client.cookies.get("shakhes_session")
    csrf = client.cookies.get("shakhes_csrf")
    assert client.post("/logout", follow_redirects=False).status_code == 403  # no CSRF
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_login_form_has_its_own_csrf_token(fresh: Api) -> None:
    """Login CSRF: a form posted from another site (no token, or not the browser's own) logs
    nobody in; the page's token is a double-submit cookie, HttpOnly, SameSite=Lax, on /login."""
    page = fresh.anonymous().get("/login")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"shakhes_login_csrf={_form_token(page)};")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/login" in cookie
    login = {"email": "admin@example.com", "password": PASSWORD}

    forged = fresh.anonymous()  # another site's form: no cookie of the login page
    for data in ({}, {"csrf_token": _form_token(page)}):
        answer = forged.post("/login", data={**login, **data}, follow_redirects=False)
        assert answer.status_code == 403 and "log in again" in answer.text
        assert not forged.cookies.get("shakhes_session")

    other = fresh.anonymous()
    own = _form_token(other.get("/login"))
    for token in ("", "x" * len(own), _form_token(page)):  # missing, or not this browser's
        answer = other.post("/login", data={**login, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403 and not other.cookies.get("shakhes_session")
    answer = other.post("/login", data={**login, "csrf_token": own}, follow_redirects=False)
    assert answer.status_code == 303 and other.cookies.get("shakhes_session")
    # The JSON login needs no form token (it is not a form another site can post).
    assert fresh.anonymous().post("/api/v1/auth/login", json=login).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/nowhere", 404, "not_found"),
        ("delete", "/api/v1/auth/me", 405, "method_not_allowed"),
        ("get", f"/api/v1/workspaces/{WS}/kpis/no_such_kpi", 404, "unknown_kpi"),
        ("get", f"/api/v1/workspaces/{WS}/compute?kpis=ctr&grain=fortnight", 400, "unknown_grain"),
        ("get", f"/api/v1/workspaces/{WS}/compute?kpis=ctr&from=yesterday", 422, "invalid_request"),
        ("get", f"/api/v1/workspaces/{WS}/compute", 422, "invalid_request"),
        ("get", "/api/v1/workspaces/nowhere/kpis", 404, "unknown_workspace"),
    ],
)
def test_every_error_has_the_one_shape(
    api: Api, method: str, path: str, status: int, code: str
) -> None:
    answer = getattr(api.login("viewer"), method)(path)
    assert answer.status_code == status, answer.text
    error = _error(answer)
    assert error["code"] == code and error["message"]


def test_a_bug_is_a_500_in_the_one_shape(fresh: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from shakhes.service import definitions

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(definitions, "kpis", broken)
    answer = fresh.login("viewer").get(f"/api/v1/workspaces/{WS}/kpis")
    assert answer.status_code == 500
    error = _error(answer)
    assert error["code"] == "internal" and "boom" not in str(error)


def test_a_busy_workspace_is_503_with_retry_after(
    fresh: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shakhes.errors import BusyError
    from shakhes.service import definitions

    def busy(*_args: object, **_kw: object) -> None:
        raise BusyError("an import is writing the workspace", hint="Try again in a moment.")

    monkeypatch.setattr(definitions, "kpis", busy)
    answer = fresh.login("viewer").get(f"/api/v1/workspaces/{WS}/kpis")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert _error(answer)["code"] == "busy"


def test_the_docs_page_needs_no_cdn(api: Api) -> None:
    client = api.anonymous()
    page = client.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page.text
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/workspaces/{workspace}/compute" in schema["paths"]
