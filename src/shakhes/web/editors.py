"""The editor pages of issue 9 §3: the KPI editor, the goal and target editors, members,
one's own tokens and password, and the workspace settings.

Each page is a form over the REST API: it renders what exists now, and ``editors.js`` sends
every change with ``fetch`` (the session's ``X-CSRF-Token``) and shows an API error (its
message and hint) beside the field it is about. The API decides; the pages only leave out
what a role may not use:

- ``/w/{ws}/kpis/new``, ``/w/{ws}/kpis/{kpi}/edit``, ``/w/{ws}/kpis/{kpi}/targets``,
  ``/w/{ws}/goals/new``, ``/w/{ws}/goals/{goal}/edit``: editors and admins; a viewer gets
  the 403 page.
- ``/w/{ws}/settings/members``: admins; others get the 403 page.
- ``/w/{ws}/settings``: everyone sees the settings; only admins get the form's Save button
  (the fields are read-only for the others).
- ``/w/{ws}/account``: everyone (their own tokens and password).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from shakhes.web.caller import PageCaller
from shakhes.web.editor_words import CHOICE_WORDS, EDITOR_WORDS

if TYPE_CHECKING:
    from shakhes.web.look import Look

RANK = {"viewer": 0, "editor": 1, "admin": 2}
Caller = Callable[..., PageCaller | Awaitable[PageCaller]]


def _needs(caller: Caller, role: str) -> Callable[..., PageCaller]:
    """A page dependency: the caller (the role is checked by :func:`_gate`, which answers a
    lower role with the 403 page). ``min_role`` tells the tests' matrix what the page needs."""

    def dependency(who: PageCaller = Depends(caller)) -> PageCaller:
        return who

    dependency.min_role = role  # type: ignore[attr-defined]  # read by the tests' matrix
    return dependency


def add(out: APIRouter, caller: Caller) -> None:
    """Add the editor pages to the pages router ``out`` (before the KPI page, whose
    ``/kpis/{kpi}`` would otherwise take ``/kpis/new``)."""
    from shakhes.web.pages import look_for

    editor = _needs(caller, "editor")
    admin = _needs(caller, "admin")

    @out.get("/w/{workspace}/kpis/new", response_class=HTMLResponse, name="web_kpi_new")
    def kpi_new(
        request: Request, who: PageCaller = Depends(editor), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(request, who, look, "editor", "edit_kpi.html.j2", lambda: _kpi_form(who, look))

    @out.get("/w/{workspace}/kpis/{kpi}/edit", response_class=HTMLResponse, name="web_kpi_edit")
    def kpi_edit(
        request: Request, kpi: str, who: PageCaller = Depends(editor), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(
            request, who, look, "editor", "edit_kpi.html.j2", lambda: _kpi_form(who, look, kpi)
        )

    @out.get(
        "/w/{workspace}/kpis/{kpi}/targets", response_class=HTMLResponse, name="web_kpi_targets"
    )
    def kpi_targets(
        request: Request, kpi: str, who: PageCaller = Depends(editor), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(
            request,
            who,
            look,
            "editor",
            "edit_targets.html.j2",
            lambda: _targets(who, look, kpi),
        )

    @out.get("/w/{workspace}/goals/new", response_class=HTMLResponse, name="web_goal_new")
    def goal_new(
        request: Request, who: PageCaller = Depends(editor), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(request, who, look, "editor", "edit_goal.html.j2", lambda: _goal_form(who))

    @out.get(
        "/w/{workspace}/goals/{goal_id}/edit", response_class=HTMLResponse, name="web_goal_edit"
    )
    def goal_edit(
        request: Request, goal_id: str, who: PageCaller = Depends(editor), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(
            request, who, look, "editor", "edit_goal.html.j2", lambda: _goal_form(who, goal_id)
        )

    @out.get("/w/{workspace}/settings", response_class=HTMLResponse, name="web_settings")
    def settings_page(
        request: Request, who: PageCaller = Depends(caller), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(request, who, look, "viewer", "settings.html.j2", lambda: _settings(who, look))

    @out.get("/w/{workspace}/settings/members", response_class=HTMLResponse, name="web_members")
    def members_page(
        request: Request, who: PageCaller = Depends(admin), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(request, who, look, "admin", "settings_members.html.j2", dict)

    @out.get("/w/{workspace}/account", response_class=HTMLResponse, name="web_account")
    def account_page(
        request: Request, who: PageCaller = Depends(caller), lang: str | None = None
    ) -> HTMLResponse:
        look = look_for(who, lang)
        return _page(request, who, look, "viewer", "settings_account.html.j2", dict)


def _page(
    request: Request,
    who: PageCaller,
    look: Look,
    role: str,
    template: str,
    build: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """``template`` rendered by the pages' ``_render`` with the editors' words, or the 403
    page when the caller's role is below ``role``."""
    from shakhes.web.pages import _base, _render, environment

    words = EDITOR_WORDS[look.lang]
    section = "settings" if template.startswith("settings") else "overview"
    if RANK[who.role] < RANK[role]:
        base = _base(request, who, look, section)
        html = (
            environment()
            .get_template("error.html.j2")
            .render(
                **base,
                status=403,
                message=words["forbidden"].format(role=words["role_" + role]),
                hint=words["forbidden_hint"],
            )
        )
        return HTMLResponse(html, status_code=403)

    def built() -> dict[str, Any]:
        return {"e": words, "editors_js": _script(), "tabs": _tabs(who, words), **build()}

    return _render(request, who, look, template, built, section)


def _script() -> str:
    from shakhes.web import static

    return static.url("editors.js")


def _tabs(who: PageCaller, words: dict[str, str]) -> list[tuple[str, str]]:
    """The settings pages' tabs the caller may open."""
    home = f"/w/{who.workspace.id}"
    tabs = [(words["workspace_settings"], f"{home}/settings")]
    if who.role == "admin":
        tabs.append((words["members"], f"{home}/settings/members"))
    tabs.append((words["account"], f"{home}/account"))
    return tabs


# ---- what each page shows ------------------------------------------------------------------


def _kpi_form(who: PageCaller, look: Look, kpi: str | None = None) -> dict[str, Any]:
    from shakhes.service import definitions
    from shakhes.spec.kpi import Category, Direction, Kind, Timing, Unit

    spec = definitions.kpi_detail(who.workspace, kpi, history=1).spec if kpi else None
    words = CHOICE_WORDS[look.lang]
    return {
        "spec": spec,
        "choices": {
            name: [(member.value, words[name][member.value]) for member in kind]
            for name, kind in (
                ("unit", Unit),
                ("direction", Direction),
                ("kind", Kind),
                ("timing", Timing),
                ("category", Category),
            )
        },
    }


def _targets(who: PageCaller, look: Look, kpi: str) -> dict[str, Any]:
    from shakhes.service import definitions, goals

    spec = definitions.kpi_detail(who.workspace, kpi, history=1).spec
    rows = []
    for view in goals.targets(who.workspace, kpi=kpi):
        t = view.spec
        if t.value is not None:
            amount = look.value(t.value, spec)
        else:
            amount = f"{look.value(t.min, spec)} – {look.value(t.max, spec)}"
        instance = view.instance
        rows.append(
            {
                "id": t.id,
                "scope": t.scope,
                "period": look.span(instance.start, instance.end) if instance else "",
                "every": t.period.every.value if t.period.every else "",
                "amount": amount,
                "owner": t.owner,
                "note": t.note,
                "goal": t.goal or "",
            }
        )
    from shakhes.store.goals import GoalStore

    found = GoalStore(who.workspace.store).goals(who.workspace.id)
    return {
        "spec": spec,
        "targets": rows,
        "goals": [(goal.id, _title(look, goal)) for goal in found],
        "calendar": who.workspace.settings.calendar.value,
    }


def _title(look: Look, goal: Any) -> str:
    title: str = goal.title.fa if look.lang == "fa" and goal.title.fa else goal.title.en
    return title or goal.id


def _goal_form(who: PageCaller, goal_id: str | None = None) -> dict[str, Any]:
    """The goal editor's data: the goal as stored (to edit it) or none (a new one); its
    period as the ``start..end`` days the API reads back, in the workspace's calendar."""
    from shakhes.service import definitions
    from shakhes.store.goals import GoalStore

    goal = GoalStore(who.workspace.store).goal(who.workspace.id, goal_id) if goal_id else None
    return {
        "goal": goal,
        "period_text": _days_text(who, goal.period.start, goal.period.end) if goal else "",
        "goal_kpis": ", ".join(link.kpi for link in goal.kpis) if goal else "",
        "links_json": json.dumps(
            {link.kpi: {"kind": link.kind.value, "drives": list(link.drives)} for link in goal.kpis}
            if goal
            else {}
        ),
        "kpis": [k.id for k in definitions.kpis(who.workspace)],
        "calendar": who.workspace.settings.calendar.value,
    }


def _days_text(who: PageCaller, start: dt.date, end: dt.date) -> str:
    """``start..end`` as the period parser reads it back: Jalali days (a year before 1700 is
    read as Jalali) in a Jalali workspace, else ISO days."""
    if who.workspace.settings.calendar.value != "jalali":
        return f"{start}..{end}"
    from shakhes.engine.calendar import _jalali_ymd

    def jalali(day: dt.date) -> str:
        year, month, number = _jalali_ymd(day)
        return f"{year:04d}-{month:02d}-{number:02d}"

    return f"{jalali(start)}..{jalali(end)}"


def _settings(who: PageCaller, look: Look) -> dict[str, Any]:
    from shakhes.service import workspace_settings
    from shakhes.settings import WEEKDAYS

    words = EDITOR_WORDS[look.lang]
    return {
        "s": workspace_settings.view(who.workspace),
        "week_options": [(day, words[day]) for day in WEEKDAYS],
        "month_options": [(str(n), look.digits(str(n))) for n in range(1, 13)],
        "can_change": who.role == "admin",
        "from_env": workspace_settings.from_environment(),
    }
