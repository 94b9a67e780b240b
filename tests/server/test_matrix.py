"""The authorization matrix: every route of the app (found in ``app.routes``, so a new route
cannot escape) called as anonymous, a member of another workspace, a read-only token, viewer,
editor and admin, and each answer's class checked:

- anonymous → 401 (except the few public routes, which answer anyone: a login with an empty
  body is a 401, 422 or 429, never a 403 or 5xx — but the login form without its form token
  is a 403, see test_auth);
- a read-only token → 403 on anything but GET/HEAD;
- under ``/workspaces/{workspace}``: not a member → 404 ``unknown_workspace`` (as for a
  workspace that does not exist); a member whose role is below the route's → 403;
- allowed → a 2xx, or a 4xx about the request itself (an empty body, an unknown id) — never
  401, 403, the workspace's 404, or a 5xx.

The pages (``/w/{workspace}/…``) answer the same way but as pages: anonymous → 303 to the login
page; not a member → the 404 page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route
from support.server import WS, Api, app_routes

from shakhes.server.deps import current_principal
from shakhes.server.models import role_rank
from shakhes.server.routes.web import page_caller

PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/health"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/docs"),
    ("GET", "/"),
    ("GET", "/openapi.json"),
    ("HEAD", "/openapi.json"),
    ("GET", "/static/{name:path}"),
}
"""The routes anyone may call."""

PARAMS = {
    "workspace": WS,
    "kpi_id": "ctr",
    "goal_id": "grow_online_revenue",
    "target_id": "ctr_floor",
    "import_id": "999",
    "token_id": "999",
    "email": "nobody@example.com",
}
"""A value for each path parameter. Ids that change state name nothing (a 404 about the id,
not the workspace), so that the matrix leaves the workspace as it found it."""
SAFE_IDS = {"kpi_id": "no_such_kpi", "goal_id": "no_such_goal", "target_id": "no_such_target"}
QUERIES = {
    f"/api/v1/workspaces/{{workspace}}/{n}": q
    for n, q in [
        ("compute", "?kpis=ctr"),
        ("anomalies", "?kpis=ctr"),
        ("check", "?names=ctr"),
        ("status", "?goal=grow_online_revenue"),
    ]
}
"""Narrow queries for the routes that compute: the matrix checks who may call a route, and one
KPI answers that as well as all of them (computing every KPI's anomalies and checks for each
caller was most of this test's time). Their whole answers are checked in test_api."""
URLS = {"/w/{workspace}/kpis/{kpi}/panels/{panel}": f"/w/{WS}/kpis/ctr/panels/why?period=2025-11"}
"""Routes asked with a real URL of their own: a KPI page's panel (a real KPI and panel, so
that a member gets the fragment itself, not an unknown KPI's 404)."""
FRESH_CLIENT = {"/api/v1/auth/logout", "/logout", "/api/v1/auth/password"}
"""Routes that end the caller's session: each call gets a new login."""

WORKSPACE = "/api/v1/workspaces/{workspace}"
ROLE_OF = {
    "GET ": "viewer",
    "GET /members": "admin",
    "PUT /members": "admin",
    "DELETE /members/{email}": "admin",
    "GET /server-audit": "admin",
    "GET /kpis": "viewer",
    "GET /kpis/{kpi_id}": "viewer",
    "PUT /kpis/{kpi_id}": "editor",
    "DELETE /kpis/{kpi_id}": "editor",
    "POST /kpis/validate": "viewer",
    "POST /kpis/preview": "viewer",
    "GET /settings": "viewer",
    "PUT /settings": "admin",
    "GET /compute": "viewer",
    "POST /compute": "viewer",
    "GET /status": "viewer",
    "GET /check": "viewer",
    "GET /explain": "viewer",
    "GET /leads": "viewer",
    "GET /anomalies": "viewer",
    "GET /goals": "viewer",
    "GET /goals/{goal_id}": "viewer",
    "POST /goals": "editor",
    "PUT /goals/{goal_id}": "editor",
    "DELETE /goals/{goal_id}": "editor",
    "GET /targets": "viewer",
    "GET /targets/{target_id}": "viewer",
    "POST /targets": "editor",
    "DELETE /targets/{target_id}": "editor",
    "POST /imports": "editor",
    "GET /imports": "viewer",
    "POST /imports/{import_id}/undo": "editor",
    "GET /quarantine": "viewer",
    "GET /quarantine.csv": "viewer",
    "POST /imports/{import_id}/retry": "editor",
    "GET /audit": "viewer",
}
"""The role each workspace route needs, as issue 9 assigns them: viewer reads everything,
editor changes KPIs, goals, targets and data, admin manages members. A new route must be
added here (the test fails until it is), so its role is a decision, not an accident."""

CALLERS = ("anonymous", "outsider", "read_only", "viewer", "editor", "admin")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    min_role: str | None
    login: bool
    page: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Any) -> Iterator[Any]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _walk(dep)


def _calls(api: Api) -> list[Call]:
    calls = []
    for path, methods, route in app_routes(api.app):
        if not isinstance(route, (APIRoute, Route)):
            continue  # mounts: the docs page's static files
        for method in sorted(methods):
            login = page = False
            min_role = None
            if isinstance(route, APIRoute):
                found = list(_walk(route.dependant))
                login = current_principal in found
                page = page_caller in found
                roles = [getattr(f, "min_role", None) for f in found]
                min_role = next((r for r in roles if r), None)
            if "{workspace}" in path:
                assert min_role is not None, f"{method} {path} checks no membership"
            calls.append(Call(method, path, min_role, login, page))
    return calls


def _url(call: Call) -> str:
    if call.path in URLS:
        return URLS[call.path]
    path = call.path
    for name, value in PARAMS.items():
        if call.method != "GET" and name in SAFE_IDS:
            value = SAFE_IDS[name]
        path = path.replace(f"{{{name}}}", value)
    return path + QUERIES.get(call.path, "")


@pytest.fixture(scope="module")
def clients(writable_api: Api) -> dict[str, Any]:
    api = writable_api
    return {
        "anonymous": api.anonymous(),
        "outsider": api.login("outsider"),
        "read_only": api.bearer("admin", read_only=True, name="matrix"),
        "viewer": api.login("viewer"),
        "editor": api.login("editor"),
        "admin": api.login("admin"),
    }


def test_the_matrix_covers_every_route(writable_api: Api) -> None:
    calls = {c.id for c in _calls(writable_api)}
    assert len(calls) >= 40
    for method, path in PUBLIC:
        assert f"{method} {path}" in calls, "a public route is gone: update PUBLIC"


def _expected(call: Call, caller: str) -> str:
    if (call.method, call.path) in PUBLIC:
        return "public"
    if caller == "anonymous":
        return "login page" if call.page else "401"
    if caller == "read_only" and call.method not in ("GET", "HEAD"):
        return "403"
    if call.min_role is not None:
        if caller == "outsider":
            return "404"
        role = "admin" if caller == "read_only" else caller
        if role_rank(role) < role_rank(call.min_role):
            return "403"
    return "allowed"


def test_every_route_answers_every_caller_as_its_role_allows(
    writable_api: Api, clients: dict[str, Any]
) -> None:
    wrong = []
    for call in _calls(writable_api):
        for caller in CALLERS:
            client = clients[caller]
            if call.path in FRESH_CLIENT and caller in ("viewer", "editor", "admin", "outsider"):
                client = writable_api.login(caller)
            answer = client.request(
                call.method,
                _url(call),
                json={} if call.method != "GET" else None,
                follow_redirects=False,
            )
            expected = _expected(call, caller)
            status = answer.status_code
            code = None
            json_type = answer.headers.get("content-type", "").startswith("application/json")
            if answer.content and json_type:
                body = answer.json()
                if isinstance(body, dict) and "error" in body:
                    code = body["error"]["code"]
            if expected == "allowed" and call.path in URLS:
                ok = status == 200
            elif expected == "allowed":
                ok = status < 500 and status not in (401, 403) and code != "unknown_workspace"
            elif (call.method, call.path) == ("POST", "/login"):  # no form token
                ok = status == 403
            elif expected == "public":  # a login with an empty body: 401, 422 or 429
                ok = status < 500 and status != 403
            elif expected == "login page":
                ok = status == 303 and answer.headers["location"].startswith("/login?next=/w/")
            elif expected == "404" and call.page:
                ok = status == 404 and "not a member" in answer.text
            elif expected == "404":
                ok = status == 404 and code == "unknown_workspace"
            else:
                ok = status == int(expected)
            if not ok:
                wrong.append(f"{call.id} as {caller}: {status} {code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_each_workspace_route_needs_the_role_the_issue_gives_it(writable_api: Api) -> None:
    declared = {
        f"{c.method} {c.path.removeprefix(WORKSPACE)}": c.min_role
        for c in _calls(writable_api)
        if c.path.startswith(WORKSPACE)
    }
    assert declared == ROLE_OF


def test_the_matrix_expects_each_role_somewhere(writable_api: Api) -> None:
    """The matrix would be hollow if no route needed editor or admin."""
    roles = {c.min_role for c in _calls(writable_api)}
    assert {"viewer", "editor", "admin"} <= roles


def test_no_state_change_without_the_csrf_token(writable_api: Api) -> None:
    """Every state-changing route called with an admin's session cookie but without its CSRF
    token (neither the header nor a form field) is refused — 403, code ``csrf`` — before it
    does anything: what another site's form or script could send with the user's cookie."""
    client = writable_api.login("admin", csrf=False)
    wrong = []
    changing = [
        c
        for c in _calls(writable_api)
        if c.method not in ("GET", "HEAD", "OPTIONS") and (c.method, c.path) not in PUBLIC
    ]
    assert len(changing) >= 20
    for call in changing:
        answer = client.request(call.method, _url(call), json={}, follow_redirects=False)
        body = (
            answer.json()
            if answer.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        if answer.status_code != 403 or code != "csrf":
            wrong.append(f"{call.id}: {answer.status_code} {code}")
    assert not wrong, "\n".join(wrong)
    assert client.get("/api/v1/auth/me").status_code == 200  # still logged in: nothing ran
