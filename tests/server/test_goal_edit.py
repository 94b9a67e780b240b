"""Editing a goal: ``PUT /api/v1/workspaces/{ws}/goals/{id}`` (editor, audit-logged, CSRF with
the session cookie, the one error shape) and its page ``/w/{ws}/goals/{id}/edit``, linked from
the overview's goal tree; the status after an edit is ``shakhes status --format json``'s."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support.cli import cli_json
from support.server import SQLITE_ONLY, WS, Api, ok

BASE = f"/api/v1/workspaces/{WS}"
GOAL = "grow_online_revenue"


def _body(goal: dict[str, Any], **change: Any) -> dict[str, Any]:
    """The PUT body that keeps ``goal`` (a ``GET …/goals/{id}`` answer) as it is, but ``change``."""
    body = {
        "title": goal["title"]["en"],
        "title_fa": goal["title"]["fa"],
        "description": goal["description"]["en"],
        "description_fa": goal["description"]["fa"],
        "owner": goal["owner"],
        "period": f"{goal['period']['start']}..{goal['period']['end']}",
        "calendar": "gregorian",
        "kpis": [{"kpi": k["kpi"], "kind": k["kind"]} for k in goal["kpis"]],
        "drives": {k["kpi"]: k["drives"] for k in goal["kpis"] if k["drives"]},
    }
    return {**body, **change}


@SQLITE_ONLY
def test_an_editor_edits_a_goal_audited_and_status_equals_the_cli(
    writable_api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    editor = writable_api.login("editor")
    before = ok(editor.get(f"{BASE}/goals/{GOAL}"))
    status_before = ok(editor.get(f"{BASE}/status"))
    # a KPI tracked without a goal joins this goal
    added = status_before["without_goal"][0]["kpi"]
    assert added not in {k["kpi"] for k in before["kpis"]}
    links = [{"kpi": k["kpi"], "kind": k["kind"]} for k in before["kpis"]] + [{"kpi": added}]
    body = _body(before, title="Grow online revenue, edited", owner="Sara", kpis=links)
    after = ok(editor.put(f"{BASE}/goals/{GOAL}", json=body))
    assert after["title"]["en"] == "Grow online revenue, edited" and after["owner"] == "Sara"
    assert [k["kpi"] for k in after["kpis"]] == [k["kpi"] for k in before["kpis"]] + [added]
    assert [k["drives"] for k in after["kpis"][:-1]] == [k["drives"] for k in before["kpis"]]
    assert after["period"] == before["period"]
    assert ok(editor.get(f"{BASE}/goals/{GOAL}")) == after

    # the workspace's audit log has the update, by the editor, with before and after
    log = ok(editor.get(f"{BASE}/audit?entity={GOAL}"))
    entry = next(e for e in log if e["entity_id"] == GOAL and e["action"] == "update")
    assert entry["actor"] == "editor@example.com"
    assert entry["after"]["owner"] == "Sara" and entry["before"]["owner"] == before["owner"]

    # the status (the cache keyed by the last audited change) is the CLI's, and changed
    status = ok(editor.get(f"{BASE}/status"))
    assert status == cli_json(capsys, writable_api.root, "status")
    goal = next(g for g in status["goals"] if g["id"] == GOAL)
    assert added in {k["kpi"] for k in goal["kpis"]}
    assert added not in {k["kpi"] for k in status["without_goal"]}
    assert ok(editor.get(f"{BASE}/goals/{GOAL}")) == cli_json(
        capsys, writable_api.root, "goal", "show", GOAL
    )

    # the page shows the goal as now stored; the overview links to it
    page = editor.get(f"/w/{WS}/goals/{GOAL}/edit?lang=fa").text
    assert 'data-goal="grow_online_revenue"' in page and 'value="Sara"' in page
    assert f'value="{before["period"]["start"]}..{before["period"]["end"]}"' in page
    assert "ویرایش هدف کلان" in page
    overview = editor.get(f"/w/{WS}/").text
    assert f'href="/w/{WS}/goals/{GOAL}/edit"' in overview


def test_a_goal_edit_is_refused_in_the_one_error_shape(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    goal = ok(editor.get(f"{BASE}/goals/{GOAL}"))
    wrong_id = editor.put(f"{BASE}/goals/{GOAL}", json=_body(goal, id="other"))
    assert wrong_id.status_code == 400 and wrong_id.json()["error"]["code"] == "id_mismatch"
    unknown_kpi = editor.put(f"{BASE}/goals/{GOAL}", json=_body(goal, kpis=[{"kpi": "crt"}]))
    assert unknown_kpi.status_code == 404
    assert unknown_kpi.json()["error"]["code"] == "unknown_kpi"
    bad_period = editor.put(f"{BASE}/goals/{GOAL}", json=_body(goal, period="someday"))
    assert bad_period.status_code == 400
    assert bad_period.json()["error"]["code"] == "invalid_period"
    missing = editor.put(f"{BASE}/goals/no_such_goal", json=_body(goal))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_goal"
    assert ok(editor.get(f"{BASE}/goals/{GOAL}")) == goal  # nothing changed

    viewer = writable_api.login("viewer").put(f"{BASE}/goals/{GOAL}", json=_body(goal))
    assert viewer.status_code == 403 and viewer.json()["error"]["code"] == "forbidden"
    no_csrf = writable_api.login("editor", csrf=False).put(
        f"{BASE}/goals/{GOAL}", json=_body(goal, owner="x")
    )
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf"
    assert ok(editor.get(f"{BASE}/goals/{GOAL}")) == goal


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_goal_editor_page_is_for_editors(api: Api, lang: str) -> None:
    page = api.login("editor").get(f"/w/{WS}/goals/{GOAL}/edit?lang={lang}")
    assert page.status_code == 200
    assert re.search(
        r'id="f-id" name="id" type="text" value="grow_online_revenue"[^>]*readonly', page.text
    )
    links = re.search(r"data-links='([^']*)'", page.text)
    assert links and "kind" in links.group(1)
    assert api.login("viewer").get(f"/w/{WS}/goals/{GOAL}/edit").status_code == 403
    assert api.login("editor").get(f"/w/{WS}/goals/no_such/edit").status_code == 404
    viewer_overview = api.login("viewer").get(f"/w/{WS}/").text
    assert "/edit" not in viewer_overview.split('class="goals"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("calendar", "text"),
    [("gregorian", "2025-03-21..2026-03-20"), ("jalali", "1404-01-01..1404-12-29")],
)
def test_the_goal_editor_writes_the_period_in_the_workspaces_calendar(
    calendar: str, text: str
) -> None:
    """The period field holds days the period parser reads back as the same days."""
    import datetime as dt
    from types import SimpleNamespace

    from shakhes.spec.goals import Calendar
    from shakhes.spec.periods import named_period
    from shakhes.web.editors import _days_text

    who: Any = SimpleNamespace(
        workspace=SimpleNamespace(
            settings=SimpleNamespace(calendar=SimpleNamespace(value=calendar))
        )
    )
    start, end = dt.date(2025, 3, 21), dt.date(2026, 3, 20)
    assert _days_text(who, start, end) == text
    back = named_period(text, Calendar(calendar))
    assert (back.start, back.end) == (start, end)
