"""The page routes: ``/w/{workspace}/`` (overview), ``/w/{workspace}/kpis/{kpi}``,
``/w/{workspace}/campaigns`` and ``/w/{workspace}/campaigns/{campaign}``.

The server supplies ``caller``, a FastAPI dependency that reads the ``{workspace}`` path
parameter and the session and returns a :class:`~shakhes.web.caller.PageCaller` (it answers
401/redirect and 404 itself). Each route parses its query (``period``, ``compare``, ``by``,
``lang``), gathers the page's data from :mod:`shakhes.web.overview`, :mod:`shakhes.web.kpi`
or :mod:`shakhes.web.campaigns`, and renders one template. A user error (a bad period, an
unknown KPI or campaign) is the error page, with its status (400 or 404) and a hint.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from shakhes.errors import ShakhesError
from shakhes.web import editors, static
from shakhes.web.caller import PageCaller
from shakhes.web.look import LANGS, Look
from shakhes.web.period import Selection, choices, select

if TYPE_CHECKING:
    import jinja2

    from shakhes.workspace import Workspace

NOT_FOUND_CODES = frozenset({"unknown_kpi", "unknown_goal", "not_found"})


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("shakhes.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def look_for(who: PageCaller, lang: str | None) -> Look:
    """The page's look: ``?lang=`` when it names a language, else the user's."""
    chosen = lang if lang in LANGS else who.locale
    ws = who.workspace
    return Look(chosen, ws.settings.calendar.value == "jalali", ws.settings.currency)


def usual(ws: Workspace) -> None:
    """Compute the pages most visitors open first, before the first visitor asks, when a
    server opens ``ws`` (:class:`shakhes.server.state.Warmer`): the overview of the default
    period in the workspace's language, the pages of the KPIs its scorecards link to in that
    language (without their panels, which load after the page), the overview in the other
    language, then those pages' panels (targets, why it moved, SMART, anomalies: most of a
    page's time). From then on they are computed again after each change like every page
    asked."""
    from shakhes.web import kpi, overview

    jalali = ws.settings.calendar.value == "jalali"
    own = str(ws.settings.locale.value)
    first, *others = [
        Look(lang, jalali, ws.settings.currency) for lang in sorted(LANGS, key=own.__ne__)
    ]
    try:  # an error is shown to whoever asks, as always
        found = overview.build(ws, first, None, None)
    except ShakhesError:
        found = None
    cards = [card["id"] for card in found["data"]["cards"]] if found else []
    for card in cards:
        with contextlib.suppress(ShakhesError):
            kpi.build(ws, first, card, None, None, None, panels=False)
    for look in others:
        with contextlib.suppress(ShakhesError):
            overview.build(ws, look, None, None)
    for card in cards:
        for panel in kpi.PANELS:
            with contextlib.suppress(ShakhesError):
                kpi.build_panel(ws, first, card, None, None, None, panel)


def router(caller: Callable[..., PageCaller | Awaitable[PageCaller]]) -> APIRouter:
    """The page routes, each resolving its caller with the server's ``caller`` dependency."""
    out = APIRouter()
    editors.add(out, caller)  # first: its /kpis/new before the KPI page's /kpis/{kpi}

    @out.get("/w/{workspace}/", response_class=HTMLResponse, name="web_overview")
    def overview(
        request: Request,
        who: PageCaller = Depends(caller),
        period: str | None = None,
        compare: str | None = None,
        lang: str | None = None,
    ) -> HTMLResponse:
        from shakhes.web import overview as view

        look = look_for(who, lang)

        def build() -> dict[str, Any]:
            return view.build(who.workspace, look, period, compare)

        return _render_kept(request, who, look, "overview.html.j2", build, "overview")

    @out.get("/w/{workspace}/kpis/{kpi}", response_class=HTMLResponse, name="web_kpi")
    def kpi_page(
        request: Request,
        kpi: str,
        who: PageCaller = Depends(caller),
        period: str | None = None,
        compare: str | None = None,
        by: str | None = None,
        lang: str | None = None,
        panels: str | None = None,
    ) -> HTMLResponse:
        from shakhes.web import kpi as view

        look = look_for(who, lang)
        inline = panels == "all"  # every panel in the page: what a browser without JS links to

        def build() -> dict[str, Any]:
            found = view.build(who.workspace, look, kpi, period, compare, by, panels=inline)
            return {**found, **_panel_links(request)}

        return _render_kept(request, who, look, "kpi.html.j2", build, "overview")

    @out.get(
        "/w/{workspace}/kpis/{kpi}/panels/{panel}",
        response_class=HTMLResponse,
        name="web_kpi_panel",
    )
    def kpi_panel(
        request: Request,
        kpi: str,
        panel: str,
        who: PageCaller = Depends(caller),
        period: str | None = None,
        compare: str | None = None,
        by: str | None = None,
        lang: str | None = None,
    ) -> HTMLResponse:
        """One panel of the KPI page (:data:`shakhes.web.kpi.PANELS`) as an HTML fragment,
        for the page's script to put in its slot; kept per state like the pages."""
        from shakhes.web import kpi as view

        look = look_for(who, lang)

        def build() -> dict[str, Any]:
            found = view.build_panel(who.workspace, look, kpi, period, compare, by, panel)
            return {**found, **_panel_links(request), "panel": panel}

        return _render_kept(request, who, look, "kpi_panel.html.j2", build, "overview")

    @out.get("/w/{workspace}/campaigns", response_class=HTMLResponse, name="web_campaigns")
    def campaign_list(
        request: Request,
        who: PageCaller = Depends(caller),
        period: str | None = None,
        compare: str | None = None,
        lang: str | None = None,
    ) -> HTMLResponse:
        from shakhes.web import campaigns as view

        look = look_for(who, lang)

        def build() -> dict[str, Any]:
            sel = select(who.workspace, period, compare)
            return {"sel": sel, "data": view.list_page(who.workspace, look, sel)}

        return _render_kept(request, who, look, "campaigns.html.j2", build, "campaigns")

    @out.get(
        "/w/{workspace}/campaigns/{campaign}", response_class=HTMLResponse, name="web_campaign"
    )
    def campaign_page(
        request: Request,
        campaign: str,
        who: PageCaller = Depends(caller),
        lang: str | None = None,
    ) -> HTMLResponse:
        from shakhes.web import campaigns as view

        look = look_for(who, lang)

        def build() -> dict[str, Any]:
            try:
                return {"data": view.campaign_page(who.workspace, look, campaign)}
            except LookupError:
                raise ShakhesError(
                    f"no campaign '{campaign}' in this workspace",
                    code="not_found",
                    hint="Pick a campaign in the list of campaigns.",
                ) from None

        return _render_kept(request, who, look, "campaign.html.j2", build, "campaigns")

    from shakhes.web import data

    data.routes(out, caller)

    return out


def _panel_links(request: Request) -> dict[str, str]:
    """The KPI page's links for its panels: the query a panel's fragment is asked with (the
    page's, but ``panels``) and the page with every panel in it (``?panels=all``)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "panels"]
    path = request.url.path.split("/panels/")[0]
    return {
        "panel_query": "?" + urlencode(query) if query else "",
        "all_panels": path + "?" + urlencode([*query, ("panels", "all")]),
    }


def _render_kept(
    request: Request,
    who: PageCaller,
    look: Look,
    template: str,
    build: Callable[[], dict[str, Any]],
    section: str,
) -> HTMLResponse:
    """:func:`_render` of a page that depends only on the workspace's state and the request,
    kept as HTML per state (:mod:`shakhes.service.cache`), so that a page asked again is a
    lookup. It is rendered for no one in particular — the user's name and CSRF token are
    :data:`_EMAIL` and :data:`_CSRF` in the kept HTML, replaced per request (:func:`_personal`)
    — and kept per everything else of the caller the page shows: role, language, workspaces."""
    from shakhes.service.cache import cached

    key = (
        template,
        request.url.path,
        tuple(sorted(request.query_params.multi_items())),
        look,
        who.role,
        who.workspaces,
        who.workspace.settings.name,
    )
    anyone = replace(who, email=_EMAIL, csrf_token=_CSRF)

    def render() -> str:
        base = _base(request, anyone, look, section)
        found = build()  # a user error is raised through: answered below, never kept
        sel: Selection | None = found.get("sel")
        if sel is not None:
            base["picker"] = _picker(who, look, sel)
        return environment().get_template(template).render(**base, **found)

    try:
        html = cached(who.workspace, "web.html", key, render)
    except ShakhesError as error:
        return _error_page(_base(request, who, look, section), error)
    return HTMLResponse(_personal(html, who))


_EMAIL = f"shakhes-user-{secrets.token_hex(8)}"
_CSRF = f"shakhes-csrf-{secrets.token_hex(8)}"
"""Stand-ins for the user's email and CSRF token in kept HTML: random per process, so that no
page text can hold them by chance, and plain letters, digits and dashes, which escaping
leaves as they are."""


def _personal(html: str, who: PageCaller) -> str:
    """Kept HTML with ``who``'s email and CSRF token in place of the stand-ins (escaped, as
    the template would have)."""
    return html.replace(_EMAIL, str(escape(who.email))).replace(_CSRF, str(escape(who.csrf_token)))


def _render(
    request: Request,
    who: PageCaller,
    look: Look,
    template: str,
    build: Callable[[], dict[str, Any]],
    section: str,
) -> HTMLResponse:
    """The page ``template`` with what ``build`` gathers, or the error page for a user error."""
    base = _base(request, who, look, section)
    try:
        found = build()
    except ShakhesError as error:
        return _error_page(base, error)
    sel: Selection | None = found.get("sel")
    if sel is not None:
        base["picker"] = _picker(who, look, sel)
    return HTMLResponse(environment().get_template(template).render(**base, **found))


def _error_page(base: dict[str, Any], error: ShakhesError) -> HTMLResponse:
    """The error page of a user error (404 for an unknown thing, 503 busy, 400 otherwise)."""
    status = 404 if error.code in NOT_FOUND_CODES else 503 if error.code == "busy" else 400
    html = (
        environment()
        .get_template("error.html.j2")
        .render(**base, status=status, message=error.message, hint=error.hint)
    )
    return HTMLResponse(html, status_code=status)


def _base(request: Request, who: PageCaller, look: Look, section: str) -> dict[str, Any]:
    """What the base layout needs: words, links, the switchers and the CSRF token."""
    ws = request.path_params.get("workspace", who.workspace.id)
    home = f"/w/{ws}"
    query = dict(request.query_params)
    other = "en" if look.lang == "fa" else "fa"
    keep = {k: v for k, v in query.items() if k != "lang"}
    return {
        "look": look,
        "w": look.words,
        "who": who,
        "section": section,
        "home": home,
        "nav": [
            ("overview", f"{home}/"),
            ("campaigns", f"{home}/campaigns"),
            ("data", f"{home}/data"),
            ("settings", f"{home}/settings"),
        ],
        "lang_url": request.url.path + "?" + urlencode({**keep, "lang": other}),
        "keep": "?"
        + urlencode([(k, query[k]) for k in ("period", "compare", "lang") if k in query]),
        "lang_only": "?" + urlencode({"lang": query["lang"]}) if "lang" in query else "",
        "static": static.url,
        "query": query,
    }


def _picker(who: PageCaller, look: Look, sel: Selection) -> dict[str, Any]:
    """The period picker's options (months, quarters, years) and the comparison choice."""
    groups: list[dict[str, Any]] = []
    names = {0: "months", 1: "quarters", 2: "years"}
    for i, (_, found) in enumerate(choices(who.workspace, sel.data_end)):
        groups.append(
            {
                "name": look.words[names[i]],
                "options": [
                    {"value": p.label, "text": look.period(p), "selected": p == sel.period}
                    for p in found
                ],
            }
        )
    listed = any(o["selected"] for g in groups for o in g["options"])
    return {
        "groups": groups,
        "custom": None if listed else {"value": sel.text, "text": look.period(sel.period)},
        "compare": sel.compare,
        "label": look.period(sel.period),
        "span": look.span(sel.period.start, sel.period.end),
    }
