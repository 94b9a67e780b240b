"""Pages kept as HTML per workspace state (shakhes.web.pages._render_kept) and the answers of
the server store kept for a few seconds (shakhes.server.state.Recent): a kept page is shared by
the users who see the same page, but each sees only their own name and CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.server import PASSWORD, SQLITE_ONLY, WS, Api

from shakhes.server.store import ServerStore

pytestmark = SQLITE_ONLY

PAGES = [f"/w/{WS}/", f"/w/{WS}/kpis/cost", f"/w/{WS}/kpis/cost?period=2025-Q3&lang=fa"]


def _csrf(html: str) -> set[str]:
    return set(re.findall(r'(?:name="csrf_token" value|data-csrf)="([^"]*)"', html))


@pytest.fixture(scope="module")
def twins(api: Api) -> tuple[str, str]:
    """Two viewers of the demo workspace: the same page, kept once, for both."""
    for who in ("twin1", "twin2"):
        api.store.add_user(f"{who}@example.com", PASSWORD, actor="test")
        api.store.set_role(f"{who}@example.com", WS, "viewer", actor="test")
    return "twin1", "twin2"


@pytest.mark.parametrize("url", PAGES)
def test_two_users_never_see_each_others_name_or_csrf_token(
    api: Api, twins: tuple[str, str], url: str
) -> None:
    first, second = api.login(twins[0]), api.login(twins[1])
    tokens = {c: c.get("/api/v1/auth/me").json()["csrf_token"] for c in (first, second)}
    assert tokens[first] != tokens[second]
    pages = {}
    for client, who in ((first, twins[0]), (second, twins[1]), (first, twins[0])):
        answer = client.get(url)
        assert answer.status_code == 200
        html = answer.text
        other = twins[1] if who == twins[0] else twins[0]
        assert _csrf(html) == {tokens[client]}
        assert f"{who}@example.com" in html and f"{other}@example.com" not in html
        assert "shakhes-csrf-" not in html and "shakhes-user-" not in html  # the stand-ins
        pages[who] = html
    # the same page otherwise: one rendering, kept, with the personal parts swapped in
    swapped = (
        pages[twins[0]]
        .replace(tokens[first], tokens[second])
        .replace(f"{twins[0]}@example.com", f"{twins[1]}@example.com")
    )
    assert swapped == pages[twins[1]]


def test_a_page_is_kept_per_role(api: Api) -> None:
    """An editor's overview has the edit links; a viewer's, asked after it, has none."""
    editor, viewer = api.login("editor"), api.login("viewer")
    assert "data-new-kpi" in editor.get(f"/w/{WS}/").text
    assert "data-new-kpi" not in viewer.get(f"/w/{WS}/").text


def test_a_session_ended_elsewhere_is_refused_once_its_answer_is_old(api: Api) -> None:
    """A logout in another process (another worker) is not seen by this app's kept answer
    for a few seconds; after them (here: at once), the session is refused."""
    client = api.login("viewer")
    assert client.get(f"/w/{WS}/", follow_redirects=False).status_code == 200
    me = client.get("/api/v1/auth/me").json()
    elsewhere = ServerStore(api.store.engine)  # another writer: this app's counter stays
    session = elsewhere.session_for(client.cookies["shakhes_session"])
    assert session is not None
    elsewhere.logout(session.id)
    server = api.app.state.server
    assert client.get(f"/w/{WS}/", follow_redirects=False).status_code == 200  # kept
    seconds = server.recent.seconds
    server.recent.seconds = 0
    try:
        answer = client.get(f"/w/{WS}/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert client.get("/api/v1/auth/me").status_code == 401
    finally:
        server.recent.seconds = seconds
    assert me["email"] == "viewer@example.com"


def test_a_logout_here_ends_the_session_at_once(api: Api) -> None:
    """The kept answer of the session is dropped by the logout (a write of this app)."""
    client = api.login("viewer")
    cookie = client.cookies["shakhes_session"]
    assert client.get(f"/w/{WS}/", follow_redirects=False).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code < 300
    client.cookies.set("shakhes_session", cookie)  # the cookie sent again, as a thief would
    answer = client.get(f"/w/{WS}/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_after_a_data_change_the_pages_asked_are_computed_before_anyone_asks(
    warming_api: Api,
) -> None:
    """The warmer (shakhes.server.state.Warmer) sees a change made by another process (here:
    the workspace's store written directly) and computes the overview and the KPI page asked
    before it again, for the new state; the API's compute too."""
    import time

    from shakhes.service.cache import _MISSING, memo_of, state

    client = warming_api.login("viewer")
    asked = [
        f"/w/{WS}/",
        f"/w/{WS}/kpis/cost?period=2025-Q3",
        f"/w/{WS}/kpis/cost/panels/anomalies?period=2025-Q3",
        f"/api/v1/workspaces/{WS}/anomalies?kpis=cost",
    ]
    for url in asked:
        assert client.get(url).status_code == 200
    api_url = f"/api/v1/workspaces/{WS}/compute?kpis=cost,clicks&grain=month"
    before = client.get(api_url).json()
    server = warming_api.app.state.server
    warmer = server._warmers[WS]
    ws = warmer.ws
    rounds = warmer.rounds
    ws.store.bump_data_version(WS, "someone else", {"test": True})
    new = state(ws)
    deadline = time.monotonic() + 120
    while warmer.rounds == rounds and time.monotonic() < deadline:
        time.sleep(0.2)
    assert warmer.rounds > rounds, "the warmer did not run after the change"
    memo = memo_of(ws)
    kept = {key for key in memo._values if key[-1] == new}  # computed for the new state
    names = {key[0] for key in kept}
    assert {"web.overview", "web.kpi", "compute"} <= names
    assert ("web.kpi", ("en", "cost", "2025-Q3", None, None, False), new) in kept
    assert ("web.kpi.panel", ("en", "cost", "2025-Q3", None, None, "anomalies"), new) in kept
    # the API's, asked itself (not shared: the page's anomalies read the series of the peers)
    assert ("anomalies", (("cost",), None, None, None, False), new) in kept
    assert memo.peek(("web.overview", ("en", None, None), new)) is not _MISSING
    assert client.get(api_url).json() == before  # the same data: the same numbers


def test_the_apis_answers_are_computed_once_per_state(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """anomalies, check, status, explain and leads are kept per workspace state (the pages
    share them): asked again, the same answer comes back without computing it again."""
    from shakhes.service import anomalies, leads, smart, status, why

    calls: dict[str, int] = {}
    for module, name in [
        (anomalies, "_anomalies"),
        (smart, "_check"),
        (status, "_status"),
        (why, "_explain"),
        (leads, "_leads"),
    ]:
        real = getattr(module, name)

        def counted(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    client = api.login("viewer")
    base = f"/api/v1/workspaces/{WS}"
    urls = [
        f"{base}/anomalies?kpis=cost&since=2025-10-01",
        f"{base}/check?names=cost",
        f"{base}/status?goal=grow_online_revenue",
        f"{base}/explain?kpi=cost&by=channel&period=2025-10",
        f"{base}/leads?lagging=orders&candidates=clicks&max_lag=2",
    ]
    first = [client.get(url) for url in urls]
    assert [a.status_code for a in first] == [200] * len(urls)
    counts = dict(calls)
    assert set(counts) == {"_anomalies", "_check", "_status", "_explain", "_leads"}
    again = [client.get(url).json() for url in urls]
    assert again == [a.json() for a in first]
    assert calls == counts  # nothing computed again


def test_two_workers_compute_a_page_once_and_each_shows_its_user(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``shakhes serve --workers 2``: two apps (each with its own open workspace and cache, as
    two processes) over one shared folder. The page is computed by the first to ask; the
    second shows it without computing, with its own user's name and CSRF token."""
    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.web import kpi

    built: list[str] = []
    page = kpi.page
    monkeypatch.setattr(kpi, "page", lambda *a, **k: built.append(a[3]) or page(*a, **k))
    url = str(api.store.engine.url)
    workers = []
    for n in range(2):
        settings = ServerSettings(
            home=tmp_path / f"home{n}", metadata_url=url, shared_cache=tmp_path / "shared",
            warm_seconds=0,
        )  # fmt: skip
        store = ServerStore.open(url)
        workers.append(Api(create_app(settings, store=store), store, api.root))
    try:
        first, second = workers[0].login("viewer"), workers[1].login("editor")
        address = f"/w/{WS}/kpis/roas?period=2025-Q2"
        pages = [first.get(address), second.get(address)]
        assert [p.status_code for p in pages] == [200, 200]
        assert built == ["roas"]  # computed by the first worker only
        assert "viewer@example.com" in pages[0].text and "editor@example.com" in pages[1].text
        value = re.compile(r'data-value="[^"]*"')
        assert value.findall(pages[0].text) == value.findall(pages[1].text) != []
        assert any((tmp_path / "shared").rglob("*.result"))
    finally:
        for worker in workers:
            worker.close()
            worker.store.close()


def test_when_a_workspace_opens_its_overview_and_the_kpi_pages_it_links_to_are_computed(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warmer's first round: the overview of the default period and the page of every
    KPI its scorecards link to, in the workspace's language (English here), the overview in
    Persian, then those pages' panels, before anyone asks; the first visitor of such a page
    and of its panels then finds them computed."""
    import time

    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.service.cache import _MISSING, memo_of, state
    from shakhes.web import kpi

    url = str(api.store.engine.url)
    settings = ServerSettings(home=tmp_path / "home", metadata_url=url, warm_seconds=0.1)
    store = ServerStore.open(url)
    fresh = Api(create_app(settings, store=store), store, api.root)
    try:
        client = fresh.login("viewer")
        assert client.get(f"/api/v1/workspaces/{WS}").status_code == 200  # opens it
        ws = fresh.app.state.server._open[WS]
        memo = memo_of(ws)
        overview = ("web.overview", ("en", None, None), state(ws))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = memo.peek(overview)
            cards = [] if found is _MISSING else [c["id"] for c in found["data"]["cards"]]
            keys = [("web.kpi", ("en", card, None, None, None, False), state(ws)) for card in cards]
            keys.append(("web.overview", ("fa", None, None), state(ws)))  # then the other language
            keys += [("web.kpi.panel", ("en", card, None, None, None, panel), state(ws))
                     for card in cards for panel in kpi.PANELS]  # fmt: skip
            if cards and all(memo.peek(k) is not _MISSING for k in keys):
                break
            time.sleep(0.2)
        assert len(cards) >= 4 and {"cost", "roas"} <= set(cards)
        assert all(memo.peek(k) is not _MISSING for k in keys), "not computed at open"
        built: list[str] = []
        page = kpi.page
        monkeypatch.setattr(kpi, "page", lambda *a, **k: built.append(a[3]) or page(*a, **k))
        assert client.get(f"/w/{WS}/kpis/{cards[0]}").status_code == 200
        for panel in kpi.PANELS:
            assert client.get(f"/w/{WS}/kpis/{cards[0]}/panels/{panel}").status_code == 200
        assert built == []  # computed before anyone asked
        assert client.get(f"/w/{WS}/kpis/{cards[0]}?period=2025-Q2").status_code == 200
        assert built == [cards[0]]  # another period: computed when asked
    finally:
        fresh.close()
        fresh.store.close()


def test_a_workspace_to_open_at_start_is_opened_and_warmed_before_any_request(
    api: Api, tmp_path: Path
) -> None:
    """``open_at_start`` (the workspaces named on ``shakhes serve``'s command line): the app's
    start opens them in the background and their warmers compute the overview before any
    request; without it, nothing is open until a request asks."""
    import time

    from fastapi.testclient import TestClient

    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.service.cache import _MISSING, memo_of, state

    url = str(api.store.engine.url)
    for wanted in ([WS, "not-hosted"], []):
        settings = ServerSettings(
            home=tmp_path / "home", metadata_url=url, warm_seconds=0.1, open_at_start=wanted
        )
        app = create_app(settings, store=ServerStore.open(url))
        with TestClient(app):  # runs the app's start; no request is sent
            server = app.state.server
            deadline = time.monotonic() + 120
            while wanted and time.monotonic() < deadline:
                ws = server._open.get(WS)
                kept = ws is not None and memo_of(ws).peek(
                    ("web.overview", ("en", None, None), state(ws))
                )
                if ws is not None and kept is not _MISSING:
                    break
                time.sleep(0.1)
            else:
                time.sleep(0.5)  # (nothing wanted: give a wrong opening the time to happen)
            assert sorted(server._open) == ([WS] if wanted else [])
            assert (WS in server._warmers) == bool(wanted)
            if wanted:
                assert kept is not _MISSING, "the overview was not computed at start"
        assert server._open == {}  # closed with the app


def test_health_says_ready_once_the_workspaces_opened_at_start_are_warmed(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GET /api/v1/health`` (anyone may ask; it names no workspace): ``ready`` is false
    until the workspaces of ``open_at_start`` are open and their warmers' first rounds are
    over, then true; a server with none to open is ready at once."""
    import threading
    import time

    from fastapi.testclient import TestClient

    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.web import pages

    release = threading.Event()
    usual = pages.usual
    monkeypatch.setattr(pages, "usual", lambda ws: release.wait(60) and usual(ws))
    url = str(api.store.engine.url)
    for wanted in ([WS], []):
        settings = ServerSettings(
            home=tmp_path / "home", metadata_url=url, warm_seconds=0.1, open_at_start=wanted
        )
        app = create_app(settings, store=ServerStore.open(url))
        with TestClient(app) as anyone:
            answers = [anyone.get("/api/v1/health").json()]
            if wanted:
                time.sleep(0.5)  # opened, its first round waiting for the release
                answers.append(anyone.get("/api/v1/health").json())
                release.set()
                deadline = time.monotonic() + 120
                while not anyone.get("/api/v1/health").json()["ready"]:
                    assert time.monotonic() < deadline, "never ready"
                    time.sleep(0.1)
                answers.append(anyone.get("/api/v1/health").json())
        if wanted:
            assert answers == [{"status": "ok", "ready": False}] * 2 + [
                {"status": "ok", "ready": True}
            ]
        else:
            assert answers == [{"status": "ok", "ready": True}]


def test_the_templates_are_compiled_when_the_app_is_built_not_on_the_first_request(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja compiles a template when first asked for, under the interpreter lock and without
    a lock of its own: the app compiles them all when it is built, and a first visit to the
    login page, the overview, a KPI page and its panels compiles none."""
    import jinja2

    from shakhes.server.app import create_app
    from shakhes.server.page_words import templates
    from shakhes.server.settings import ServerSettings
    from shakhes.web.pages import environment

    for env in (environment(), templates()):
        assert env.cache is not None
        env.cache.clear()  # as in a new process
    url = str(api.store.engine.url)
    settings = ServerSettings(home=tmp_path / "home", metadata_url=url, warm_seconds=0)
    store = ServerStore.open(url)
    fresh = Api(create_app(settings, store=store), store, api.root)
    compiled: list[str | None] = []
    compile_ = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None,
                *args: object, **kwargs: object) -> object:  # fmt: skip
        compiled.append(name)
        return compile_(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    try:
        assert fresh.anonymous().get("/login").status_code == 200
        client = fresh.login("viewer")
        for url_ in (*PAGES, f"/w/{WS}/kpis/cost/panels/why", f"/w/{WS}/kpis/cost/panels/smart"):
            assert client.get(url_).status_code == 200, url_
        assert compiled == []
    finally:
        fresh.close()
        fresh.store.close()
