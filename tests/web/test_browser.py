"""The overview and KPI pages in a real browser (Debian's chromium through Playwright) on a
real server: no console errors, charts drawn, right-to-left in Persian; screenshots of each in
``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser import ARTIFACTS, MARKS, serving, wait_for_panels
from support.web_app import make_app

from shakhes.workspace import Workspace

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(demos: dict[str, Workspace]) -> Iterator[str]:
    with serving(make_app(demos)) as url:
        yield url


@pytest.mark.parametrize(
    ("name", "path", "lang", "width"),
    [
        ("overview-en", "/w/demo/", "en", 1280),
        ("overview-fa", "/w/demo-fa/", "fa", 1280),
        ("kpi-en", "/w/demo/kpis/revenue", "en", 1280),
        ("kpi-fa", "/w/demo-fa/kpis/revenue", "fa", 1280),
        ("overview-fa-phone", "/w/demo-fa/", "fa", 390),
        ("campaigns-fa", "/w/demo-fa/campaigns", "fa", 1280),
        ("kpi-fa-phone", "/w/demo-fa/kpis/roas", "fa", 390),
    ],
)
def test_page_in_the_browser(
    server: str, browser: object, name: str, path: str, lang: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(server + path + f"?lang={lang}", wait_until="networkidle")
    assert response is not None and response.status == 200
    if "kpis" in path:
        wait_for_panels(page)
        page.wait_for_selector(".plot-container svg", timeout=20000)
        assert page.locator(".plot-container").count() >= 1
        for section in ("why", "smart", "anomalies"):  # filled: more than the heading
            assert page.locator(f"section.{section} > :not(h2)").first.inner_text().strip()
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == ("rtl" if lang == "fa" else "ltr")
    if width < 500:  # nothing wider than a phone's screen
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.close()
    assert errors == []


def test_breakdown_table_sorts_by_a_column(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/w/demo/kpis/revenue?by=channel", wait_until="networkidle")
    table = page.locator("section.breakdown table")
    head = table.locator("th").nth(1)

    def column() -> list[float]:
        cells = table.locator("tbody tr td:nth-child(2)")
        return [float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.value)")]

    head.click()
    ascending = column()
    assert len(ascending) > 2 and ascending == sorted(ascending)
    assert head.get_attribute("aria-sort") == "ascending"
    head.click()
    assert column() == sorted(ascending, reverse=True)
    page.close()


def test_kpi_panels_match_the_page_with_every_panel(server: str, browser: object) -> None:
    """The panels a browser fills after the page show what ``?panels=all`` shows in it (the
    anomalies marked on the day-by-day chart too), and a browser without JavaScript gets a
    link to that page in each slot."""
    path = "/w/demo/kpis/cost?period=2026-10"
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + path, wait_until="networkidle")
    wait_for_panels(page)
    inline = browser.new_page()  # type: ignore[attr-defined]
    inline.goto(server + path + "&panels=all", wait_until="networkidle")
    for section in ("charts", "why", "smart", "anomalies"):
        shown = page.locator(f"section.{section}").inner_text()
        assert shown == inline.locator(f"section.{section}").inner_text(), section
    marks = "el => el.data.filter(t => t.name === 'anomaly').length"
    daily = "#daily-cost"
    assert page.locator(daily).evaluate(marks) == inline.locator(daily).evaluate(marks)
    page.close()
    inline.close()

    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    bare = context.new_page()
    bare.goto(server + path)
    link = bare.locator("section.anomalies [data-panel] a")
    link.click()
    bare.wait_for_url("**panels=all**")
    assert bare.locator("section.anomalies table, section.anomalies p.muted").count() >= 1
    assert bare.locator("[data-panel]").count() == 0
    context.close()
