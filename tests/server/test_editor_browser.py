"""The editors in a real browser (Debian's chromium through Playwright) on the real server
app (``create_app``, a tmp SHAKHES_HOME, a user per role): a bad formula shows the caret
error, fixed it draws the preview, saved it is the KPI's page; a target set on a KPI is
listed; a new token is shown once. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import ARTIFACTS, MARKS, serving, wait_for_panels
from support.server import PASSWORD, WS, Api, StorePool, app_over

pytestmark = MARKS


@pytest.fixture(scope="module")
def served(
    demo_root: Path,
    other_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    store_pool: StorePool,
    server_store: str,
) -> Iterator[tuple[str, Api]]:
    """The real app (its server store on SQLite, then on PostgreSQL) over a demo copy."""
    root = tmp_path_factory.mktemp("browser-demo") / "demo"
    shutil.copytree(demo_root, root)
    home = tmp_path_factory.mktemp("browser-home")
    with app_over(store_pool, server_store, root, other_root, home) as api, serving(api.app) as url:
        yield url, api


def _logged_in(browser: Any, server: str, who: str) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server + "/login")
    page.fill("input[name=email]", f"{who}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:not(.logout) button[type=submit]")
    page.wait_for_url(f"**/w/{WS}/**")
    return page, errors


def _persian(text: str) -> bool:
    """Persian words and no English outside isolated left-to-right runs (ids, examples)."""
    outside = re.sub("\u2066[^\u2069]*\u2069", "", text)
    return bool(re.search("[\u0621-\u064a\u06a9\u06cc]", text)) and not re.search(
        "[A-Za-z]", outside
    )


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_bad_formula_shows_the_caret_then_the_preview_and_saves(
    served: tuple[str, Api], browser: Any
) -> None:
    server, _api = served
    page, errors = _logged_in(browser, server, "editor")
    page.goto(f"{server}/w/{WS}/kpis/new")
    page.fill("#f-id", "click_share")
    page.fill("[name='name.en']", "Click share")
    page.fill("[name='name.fa']", "سهم کلیک")
    page.fill("[name='description.en']", "Clicks per impression")
    page.fill("[name='description.fa']", "کلیک به ازای نمایش")
    page.fill("#f-formula", "sum(ad_performance.clikcs) / sum(ad_performance.impressions)")
    caret = page.locator("#formula-error")
    caret.wait_for(state="visible", timeout=10000)
    text = caret.inner_text()
    assert "did you mean 'clicks'" in text and "^^^^^^" in text
    lines = text.splitlines()
    formula_line = next(i for i, line in enumerate(lines) if "clikcs" in line and "(" in line)
    assert lines[formula_line + 1].index("^") == lines[formula_line].index("clikcs")
    _shot(page, "editor-kpi-caret-en")

    page.fill("#f-formula", "sum(ad_performance.clicks) / sum(ad_performance.impressions)")
    page.wait_for_selector("#preview .plot-container svg", timeout=20000)
    assert page.locator("#formula-error").is_hidden()
    assert page.get_attribute("#preview", "data-points") == "90"
    page.select_option("#f-unit", "percent")
    _shot(page, "editor-kpi-preview-en")
    page.click("#kpi-form button[type=submit]")
    page.wait_for_url(f"**/w/{WS}/kpis/click_share", timeout=20000)
    assert "Click share" in page.locator("h1").inner_text()
    _shot(page, "editor-kpi-saved-en")
    assert errors == []


def test_the_kpi_editor_in_persian_draws_the_saved_formula(
    served: tuple[str, Api], browser: Any
) -> None:
    server, _api = served
    page, errors = _logged_in(browser, server, "editor")
    page.goto(f"{server}/w/{WS}/kpis/ctr?lang=fa")
    page.click("a[data-edit]")
    page.wait_for_url("**/kpis/ctr/edit?lang=fa")
    page.wait_for_selector("#preview .plot-container svg", timeout=20000)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    ticks = page.locator("#preview .ytick text").all_text_contents()
    assert ticks and all(re.search("[۰-۹]", t) for t in ticks)  # Persian digits
    _shot(page, "editor-kpi-fa")
    assert errors == []


def test_a_target_set_on_a_kpi_is_listed(served: tuple[str, Api], browser: Any) -> None:
    server, _api = served
    page, errors = _logged_in(browser, server, "editor")
    page.goto(f"{server}/w/{WS}/kpis/ctr?lang=fa")
    page.click("a[data-targets]")
    page.wait_for_url("**/kpis/ctr/targets?lang=fa")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.fill("#f-id", "ctr_browser")
    page.fill("#f-period", "2026-Q4")
    page.fill("#f-value", "0.02")
    page.fill("#f-note", "از مرورگر")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("tr[data-target=ctr_browser]", timeout=20000)
    row = page.locator("tr[data-target=ctr_browser]").inner_text()
    assert "۲" in row and "از مرورگر" in row  # Persian digits
    _shot(page, "editor-targets-fa")
    # a bad period: its message and hint beside the form, nothing added
    page.fill("#f-id", "ctr_bad")
    page.fill("#f-period", "2026-Q9")
    page.click("#target-form button[type=submit]")
    page.locator("#target-form .form-error").wait_for(state="visible", timeout=10000)
    shown = page.locator("#target-form .form-error").inner_text()
    assert _persian(shown), shown  # the API's error in the page's language
    assert page.locator("tr[data-target=ctr_bad]").count() == 0
    assert errors == []


def test_a_new_token_is_shown_once(served: tuple[str, Api], browser: Any) -> None:
    server, api = served
    page, errors = _logged_in(browser, server, "viewer")
    page.goto(f"{server}/w/{WS}/account")
    page.fill("#f-name", "from the browser")
    page.click("#token-form button[type=submit]")
    page.locator("#token-once").wait_for(state="visible", timeout=10000)
    token = page.locator("#token-text").inner_text()
    assert token.startswith("shk_")
    page.wait_for_selector("#tokens tr[data-token]")
    assert "from the browser" in page.locator("#tokens").inner_text()
    _shot(page, "editor-token-en")
    user = api.store.user("viewer@example.com")
    assert any(t.name == "from the browser" for t in api.store.tokens(user.id))
    page.reload()
    page.wait_for_selector("#tokens tr[data-token]")
    assert token not in page.content()  # shown once: never again
    assert errors == []


def test_the_settings_page_in_persian(served: tuple[str, Api], browser: Any) -> None:
    server, _api = served
    page, errors = _logged_in(browser, server, "admin")
    page.goto(f"{server}/w/{WS}/settings?lang=fa")
    page.fill("#f-gross_margin", "4")
    page.click("#settings-form button[type=submit]")
    slot = page.locator('.field-error[data-for="gross_margin"]')
    slot.wait_for(state="visible", timeout=10000)
    assert _persian(slot.inner_text()), slot.inner_text()
    assert _persian(page.locator("#settings-form .form-error").inner_text())
    _shot(page, "editor-settings-fa")
    page.goto(f"{server}/w/{WS}/settings/members?lang=fa")
    page.wait_for_selector("#members tr[data-email]")
    row = page.locator('#members tr[data-email="admin@example.com"]')
    row.locator("select").select_option("viewer")
    row.locator("button", has_text="تغییر").click()
    page.locator("#members-error").wait_for(state="visible", timeout=10000)
    shown = page.locator("#members-error").inner_text()  # the last admin rule (409)
    assert _persian(shown), shown
    _shot(page, "editor-members-fa")
    assert errors == []


def test_a_goal_is_edited_from_the_overview_in_persian(
    served: tuple[str, Api], browser: Any
) -> None:
    server, api = served
    page, errors = _logged_in(browser, server, "editor")
    page.goto(f"{server}/w/{WS}/?lang=fa")
    page.click("a[data-edit-goal=grow_online_revenue]")
    page.wait_for_url("**/goals/grow_online_revenue/edit?lang=fa")
    assert page.locator("#f-id").get_attribute("readonly") is not None
    # a bad period: the API's error in Persian, nothing saved
    period = page.locator("#f-period").input_value()
    page.fill("#f-period", "1404-Q9")
    page.click("#goal-form button[type=submit]")
    page.locator("#goal-form .form-error").wait_for(state="visible", timeout=10000)
    shown = page.locator("#goal-form .form-error").inner_text()
    assert _persian(shown), shown
    _shot(page, "editor-goal-error-fa")
    page.fill("#f-period", period)
    page.fill("#f-owner", "سارا")
    page.fill("#f-title_fa", "رشد درآمد آنلاین (ویرایش‌شده)")
    page.click("#goal-form button[type=submit]")
    page.wait_for_url(f"**/w/{WS}/?lang=fa")
    assert "رشد درآمد آنلاین (ویرایش‌شده)" in page.locator("section.goals").inner_text()
    _shot(page, "editor-goal-edited-fa")
    client = api.login("viewer")
    goal = client.get(f"/api/v1/workspaces/{WS}/goals/grow_online_revenue").json()
    assert goal["owner"] == "سارا" and goal["title"]["fa"] == "رشد درآمد آنلاین (ویرایش‌شده)"
    assert all(k["kind"] for k in goal["kpis"]) and any(k["drives"] for k in goal["kpis"])
    assert errors == []


def test_a_persian_user_writes_jalali_periods_and_reads_persian_problems(
    served: tuple[str, Api], browser: Any
) -> None:
    """In a Gregorian workspace a Persian user may write a Jalali year (1404): the goal editor
    sends it as Jalali; a bad formula's problem is led by Persian words above the caret."""
    server, api = served
    page, errors = _logged_in(browser, server, "editor")
    page.goto(f"{server}/w/{WS}/goals/new?lang=fa")
    page.fill("#f-id", "jalali_year")
    page.fill("#f-title_fa", "سال ۱۴۰۴")
    page.fill("#f-period", "۱۴۰۴")
    page.fill("#f-kpis", "ctr")
    page.click("#goal-form button[type=submit]")
    page.wait_for_url(f"**/w/{WS}/?lang=fa")
    goal = api.login("viewer").get(f"/api/v1/workspaces/{WS}/goals/jalali_year").json()
    assert (goal["period"]["start"], goal["period"]["end"]) == ("2025-03-21", "2026-03-20")

    # the goal's Remove button: confirmed, the goal is gone and the overview is back
    page.goto(f"{server}/w/{WS}/goals/jalali_year/edit?lang=fa")
    page.click("button[data-delete='/goals/jalali_year']")
    page.wait_for_url(f"**/w/{WS}/?lang=fa")
    gone = api.login("viewer").get(f"/api/v1/workspaces/{WS}/goals/jalali_year")
    assert gone.status_code == 404
    # the demo's goal has targets: refused, the error in Persian names them, nothing removed
    page.goto(f"{server}/w/{WS}/goals/grow_online_revenue/edit?lang=fa")
    page.click("button[data-delete='/goals/grow_online_revenue']")
    refused = page.locator("#goal-form .form-error")
    refused.wait_for(state="visible", timeout=10000)
    page.wait_for_function("document.querySelector('#goal-form .form-error').textContent")
    assert _persian(refused.inner_text()) and "revenue_push" in refused.inner_text()
    _shot(page, "editor-goal-remove-refused-fa")

    # a bad formula: Persian words above each caret, naming what is wrong
    page.goto(f"{server}/w/{WS}/kpis/new?lang=fa")
    for formula, words, named in [
        ("sum(ad_performance.clikcs)", "ستون", "clikcs"),
        ("(sum(ad_performance.cost) / 2", "پرانتز", ")"),
        ("summ(ad_performance.cost)", "تابع", "summ"),
    ]:
        page.fill("#f-formula", formula)
        said = page.locator("#formula-error .issue-words", has_text=words)
        said.wait_for(state="visible", timeout=10000)
        assert page.locator("#formula-bad").inner_text() == "فرمول درست نیست:"
        text = said.inner_text()
        assert _persian(text) and f"\u2066{named}\u2069" in text, text
        assert formula in page.locator("#formula-error pre.caret").inner_text()
    page.fill("#f-formula", "sum(ad_performance.clikcs)")
    page.locator("#formula-error .issue-words", has_text="ستون").wait_for(timeout=10000)
    _shot(page, "editor-kpi-caret-fa")
    assert errors == []


PHONE_PAGES = (
    "/",
    "/kpis/roas",
    "/campaigns",
    "/data",
    "/kpis/new",
    "/kpis/ctr/edit",
    "/kpis/ctr/targets",
    "/goals/new",
    "/settings",
    "/settings/members",
    "/account",
)
"""Every kind of page an admin opens, on a phone."""


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_every_page_fits_a_phone(served: tuple[str, Api], browser: Any, lang: str) -> None:
    """On a 390-pixel-wide screen no page is wider than the screen: wide tables scroll in
    their own box (once the scripts have filled them: members, tokens, targets)."""
    server, api = served
    admin = api.store.user("admin@example.com")
    if not api.store.tokens(admin.id):  # a row in the tokens' table (its widest)
        api.store.create_token(admin.id, "a token with a rather long name", read_only=True)
    page, errors = _logged_in(browser, server, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = []
    for path in PHONE_PAGES:
        answer = page.goto(f"{server}/w/{WS}{path}?lang={lang}", wait_until="networkidle")
        assert answer is not None and answer.status == 200, path
        if path.startswith("/kpis/roas"):
            wait_for_panels(page)
        for table in ("members", "tokens"):  # filled by the page's script
            if page.locator(f"#{table}").count():
                page.wait_for_selector(f"#{table} tbody tr", timeout=10000)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 391:
            wide.append(f"{path}: {width} px")
        if path.startswith(("/settings/", "/account")):
            _shot(page, f"phone-{path.rsplit('/', 1)[-1]}-{lang}")
    page.context.close()
    assert not wide, wide
    assert errors == []
