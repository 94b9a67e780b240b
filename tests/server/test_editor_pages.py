"""The editor pages on the server (see shakhes.web.editors): each renders for its role in
English and Persian; a lower role gets the 403 page (the settings page: the fields without
the Save button); the KPI and overview pages link to the editors for editors only."""

from __future__ import annotations

import re

import pytest
from support.server import WS, Api

PAGES = {
    f"/w/{WS}/kpis/new": "editor",
    f"/w/{WS}/kpis/ctr/edit": "editor",
    f"/w/{WS}/kpis/ctr/targets": "editor",
    f"/w/{WS}/goals/new": "editor",
    f"/w/{WS}/settings/members": "admin",
    f"/w/{WS}/settings": "viewer",
    f"/w/{WS}/account": "viewer",
}
RANK = {"viewer": 0, "editor": 1, "admin": 2}
PERSIAN_DIGITS = re.compile("[۰-۹]")


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("who", ["viewer", "editor", "admin"])
def test_each_editor_page_renders_for_its_role_and_refuses_lower_ones(
    api: Api, who: str, lang: str
) -> None:
    client = api.login(who)
    for path, role in PAGES.items():
        answer = client.get(f"{path}?lang={lang}")
        if RANK[who] >= RANK[role]:
            assert answer.status_code == 200, (path, answer.text[:300])
            assert f'<html lang="{lang}" dir="{"rtl" if lang == "fa" else "ltr"}">' in answer.text
            assert "editors.js" in answer.text and 'data-csrf="' in answer.text
        else:
            assert answer.status_code == 403, path
            assert "editors.js" not in answer.text
            needed = {"en": role, "fa": {"editor": "ویرایشگر", "admin": "مدیر"}[role]}[lang]
            assert needed in answer.text


def test_the_kpi_editor_holds_the_kpi_as_saved(api: Api) -> None:
    page = api.login("editor").get(f"/w/{WS}/kpis/ctr/edit").text
    assert 'name="formula"' in page and ">clicks / impressions</textarea>" in page
    assert 'data-kpi="ctr"' in page and 'data-delete="/kpis/ctr"' in page
    assert re.search(r'id="f-id" name="id" type="text" value="ctr"[^>]* readonly>', page)


def test_an_unknown_kpi_editor_is_the_404_page(api: Api) -> None:
    answer = api.login("editor").get(f"/w/{WS}/kpis/no_such/edit")
    assert answer.status_code == 404


def test_the_settings_page_shows_save_to_admins_only_with_persian_digits(api: Api) -> None:
    viewer = api.login("viewer").get(f"/w/{WS}/settings?lang=fa").text
    admin = api.login("admin").get(f"/w/{WS}/settings?lang=fa").text
    assert 'name="currency"' in viewer and 'value="USD"' in viewer
    assert "فقط مدیر" in viewer and 'type="submit"' not in viewer.split('id="settings-form"')[1]
    assert 'type="submit"' in admin.split('id="settings-form"')[1]
    assert PERSIAN_DIGITS.search(admin.split('id="f-fiscal_year_start_month"')[1][:400])
    assert f'href="/w/{WS}/settings/members' in admin
    assert f'href="/w/{WS}/settings/members' not in viewer


def test_the_kpi_and_overview_pages_link_to_the_editors_for_editors_only(api: Api) -> None:
    for who, shown in (("viewer", False), ("editor", True), ("admin", True)):
        client = api.login(who)
        kpi = client.get(f"/w/{WS}/kpis/ctr").text
        overview = client.get(f"/w/{WS}/").text
        assert (f'href="/w/{WS}/kpis/ctr/edit"' in kpi) is shown
        assert (f'href="/w/{WS}/kpis/ctr/targets"' in kpi) is shown
        assert (f'href="/w/{WS}/kpis/new"' in overview) is shown


def test_the_target_editor_lists_the_kpis_targets(api: Api) -> None:
    page = api.login("editor").get(f"/w/{WS}/kpis/ctr/targets").text
    targets = api.login("viewer").get(f"/api/v1/workspaces/{WS}/targets?kpi=ctr").json()
    assert targets
    for target in targets:
        assert f'data-target="{target["id"]}"' in page


def test_the_editors_script_is_served(api: Api) -> None:
    answer = api.anonymous().get("/static/editors.js")
    assert answer.status_code == 200 and "X-CSRF-Token" in answer.text


def _options(page: str) -> list[tuple[str, str]]:
    """Every ``<option value="…">text</option>`` of ``page``: its value and shown text."""
    return [
        (value, text.strip())
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    ]


@pytest.mark.parametrize(
    "path",
    [
        f"/w/{WS}/kpis/new",
        f"/w/{WS}/kpis/ctr/edit",
        f"/w/{WS}/kpis/ctr/targets",
        f"/w/{WS}/settings",
    ],
)
def test_a_persian_editor_shows_no_english_choice_but_keeps_the_apis_values(
    api: Api, path: str
) -> None:
    """Enum choices (unit, direction, kind, timing, category, every, language, calendar, week
    day) read Persian on a Persian page; each option's value stays the API's enum value."""
    from shakhes.spec.kpi import Category, Direction, Kind, Timing, Unit

    client = api.login("admin")
    english = _options(client.get(path).text)
    persian = _options(client.get(f"{path}?lang=fa").text)
    assert persian and [v for v, _ in persian] == [v for v, _ in english]
    goals = {g["id"] for g in client.get(f"/api/v1/workspaces/{WS}/goals").json()}
    for value, text in persian:
        if value in goals:
            continue  # a goal's title is the user's own text
        assert not re.search("[A-Za-z]", text), (path, value, text)
    if path.endswith(("/new", "/edit")):
        values = {v for v, _ in persian}
        for enum in (Unit, Direction, Kind, Timing, Category):
            assert {m.value for m in enum} <= values
        assert ("lower_is_better", "کمتر بهتر است") in persian
        assert ("lower_is_better", "lower is better") in english


def test_a_setting_the_environment_overrides_is_read_only_with_its_variable(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAKHES_CURRENCY", "EUR")
    page = api.login("admin").get(f"/w/{WS}/settings?lang=fa").text
    assert "<code>SHAKHES_CURRENCY</code>" in page and "متغیر محیطی" in page
    assert re.search(r'id="f-currency" name="currency"[^>]* readonly>', page)
    assert not re.search(r'id="f-name" name="name"[^>]* readonly>', page)
    monkeypatch.delenv("SHAKHES_CURRENCY")
    page = api.login("admin").get(f"/w/{WS}/settings").text
    assert 'id="from-env"' not in page
    assert not re.search(r'id="f-currency" name="currency"[^>]* readonly>', page)
