"""Removing a goal: ``DELETE /api/v1/workspaces/{ws}/goals/{id}`` (editor, audit-logged, CSRF
with the session cookie, the one error shape; refused with ``goal_has_targets`` while targets
serve the goal) and its button on the page ``/w/{ws}/goals/{id}/edit``; the status after a
removal is ``shakhes status --format json``'s. On SQLite and PostgreSQL server stores."""

from __future__ import annotations

import pytest
from support.cli import cli_json
from support.server import WS, Api, ok

BASE = f"/api/v1/workspaces/{WS}"
DEMO_GOAL = "grow_online_revenue"
GOAL = "brand_reach"


def test_a_goal_with_targets_is_not_removed(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    goal = ok(editor.get(f"{BASE}/goals/{DEMO_GOAL}"))
    serving = sorted(t["id"] for k in goal["kpis"] for t in k["targets"] if t["goal"] == DEMO_GOAL)
    assert serving  # the demo's goal has targets of its own

    refused = editor.delete(f"{BASE}/goals/{DEMO_GOAL}")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "goal_has_targets"
    count = len(serving)
    assert error["message"].startswith(f"goal '{DEMO_GOAL}' still has {count} targets: ")
    assert sorted(error["message"].split(": ", 1)[1].split(", ")) == serving
    assert error["hint"] == (
        "Remove those targets, or unlink them from the goal, then remove the goal."
    )

    # in Persian: the goal and every target named, each isolated left-to-right
    fa = editor.delete(f"{BASE}/goals/{DEMO_GOAL}", headers={"Accept-Language": "fa"})
    assert fa.status_code == 409
    words = fa.json()["error"]
    assert words["code"] == "goal_has_targets"
    assert words["message"].startswith(f"هدف کلان \u2066{DEMO_GOAL}\u2069 برداشته نشد")
    assert all(f"\u2066{target}\u2069" in words["message"] for target in serving)
    assert "بردارید" in words["hint"]
    assert ok(editor.get(f"{BASE}/goals/{DEMO_GOAL}")) == goal  # nothing changed


def test_removal_is_for_editors_with_csrf_and_names_only_known_goals(writable_api: Api) -> None:
    editor = writable_api.login("editor")
    body = {"id": "short_lived", "title": "Short lived", "period": "2025"}
    ok(editor.post(f"{BASE}/goals", json=body), 201)

    viewer = writable_api.login("viewer").delete(f"{BASE}/goals/short_lived")
    assert viewer.status_code == 403 and viewer.json()["error"]["code"] == "forbidden"
    no_csrf = writable_api.login("editor", csrf=False).delete(f"{BASE}/goals/short_lived")
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf"
    read_only = writable_api.bearer("editor", read_only=True).delete(f"{BASE}/goals/short_lived")
    assert read_only.status_code == 403
    outsider = writable_api.login("outsider").delete(f"{BASE}/goals/short_lived")
    assert outsider.status_code == 404
    assert outsider.json()["error"]["code"] == "unknown_workspace"
    ok(editor.get(f"{BASE}/goals/short_lived"))  # still there

    assert ok(editor.delete(f"{BASE}/goals/short_lived")) == {
        "removed": "short_lived",
        "kpis": [],
    }
    for answer in (
        editor.delete(f"{BASE}/goals/short_lived"),
        editor.get(f"{BASE}/goals/short_lived"),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "unknown_goal"
        assert set(answer.json()) == {"error"}


def test_an_editor_removes_a_goal_audited_and_status_equals_the_cli(
    writable_api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    editor = writable_api.login("editor")
    status_before = ok(editor.get(f"{BASE}/status"))
    loose = [k["kpi"] for k in status_before["without_goal"]]
    assert loose  # KPIs tracked without a goal: the new goal takes one
    period = ok(editor.get(f"{BASE}/goals/{DEMO_GOAL}"))["period"]  # the status's day is in it
    body = {
        "id": GOAL,
        "title": "Brand reach",
        "title_fa": "دسترسی برند",
        "period": f"{period['start']}..{period['end']}",
        "calendar": "gregorian",
        "kpis": [{"kpi": loose[0]}],
    }
    added = ok(editor.post(f"{BASE}/goals", json=body), 201)
    assert [k["kpi"] for k in added["kpis"]] == [loose[0]]
    with_goal = ok(editor.get(f"{BASE}/status"))
    assert GOAL in {g["id"] for g in with_goal["goals"]}
    assert loose[0] not in {k["kpi"] for k in with_goal["without_goal"]}

    # the goal's page offers its removal, in English and Persian
    page = editor.get(f"/w/{WS}/goals/{GOAL}/edit").text
    assert f'data-delete="/goals/{GOAL}"' in page and "Remove goal" in page
    assert "Remove this goal?" in page
    page_fa = editor.get(f"/w/{WS}/goals/{GOAL}/edit?lang=fa").text
    assert "برداشتن هدف کلان" in page_fa and "این هدف کلان برداشته شود؟" in page_fa
    assert "data-delete" not in editor.get(f"/w/{WS}/goals/new").text

    assert ok(editor.delete(f"{BASE}/goals/{GOAL}")) == {"removed": GOAL, "kpis": [loose[0]]}

    # the workspace's audit log has the delete, by the editor, with the goal as it was
    log = ok(editor.get(f"{BASE}/audit?entity={GOAL}"))
    entry = next(e for e in log if e["entity_id"] == GOAL and e["action"] == "delete")
    assert entry["actor"] == "editor@example.com"
    assert entry["before"]["title"]["fa"] == "دسترسی برند" and entry["after"] is None

    # the status (the cache keyed by the last audited change) is the CLI's, and as before
    status = ok(editor.get(f"{BASE}/status"))
    assert status == cli_json(capsys, writable_api.root, "status")
    assert GOAL not in {g["id"] for g in status["goals"]}
    assert [k["kpi"] for k in status["without_goal"]] == loose
    assert status["goals"] == status_before["goals"]
    goals = ok(editor.get(f"{BASE}/goals"))
    assert goals == cli_json(capsys, writable_api.root, "goal", "list")
    assert GOAL not in {g["id"] for g in goals}
