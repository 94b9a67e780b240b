"""The whole flow in a real browser (Debian's chromium through Playwright) on the real server
app (:func:`shakhes.server.app.create_app`, its store in a temporary ``SHAKHES_HOME``) over a
copy of the demo workspace: log in through the form, the overview, a KPI page, a target set,
a Google Ads export uploaded, dry-run and imported (the KPI's number moves by the file's cost,
as the CLI computes it), undone, Persian chosen (kept for the user: right-to-left, Persian
digits), logged out. Screenshots in ``test-artifacts/``."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.browser import ARTIFACTS, MARKS, serving, wait_for_panels
from support.demo_copy import demo_copy

from shakhes.text import to_ascii_digits
from shakhes.web.period import select
from shakhes.workspace import Workspace

PASSWORD = "flow password 123"
EMAIL = "flow@example.com"
PERSIAN_DIGIT = re.compile("[۰-۹]")

pytestmark = MARKS


@dataclass
class Site:
    url: str
    ws: str
    root: Path
    period: str
    """The period the KPI page shows by default (the one holding the last day with data)."""
    span: tuple[dt.date, dt.date]
    """Its first and last days."""
    days: tuple[dt.date, dt.date]
    """The two days of the Google Ads export: in that period, on days with data."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from shakhes.server.app import create_app
    from shakhes.server.settings import ServerSettings
    from shakhes.server.state import register
    from shakhes.server.store import ServerStore

    base = tmp_path_factory.mktemp("flow")
    ws = Workspace.open(demo_copy(tmp_path_factory, base / "demo"))
    sel = select(ws, None, None)
    last = sel.data_end
    days = (max(sel.period.start, last - dt.timedelta(days=1)), last)
    ws.close()

    home = base / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("SHAKHES_HOME", str(home))
    config = ServerSettings(home=home)
    store = ServerStore.open(config.store_url(), upgrade=True)
    info, _ = register(store, ws.root, actor="test")
    store.add_user(EMAIL, PASSWORD, actor="test")
    store.set_role(EMAIL, info.id, "editor", actor="test")

    span = (sel.period.start, sel.period.end)
    with serving(create_app(config, store=store)) as url:
        yield Site(url, info.id, ws.root, sel.period.label, span, days)
    mp.undo()


def google_ads_export(days: tuple[dt.date, dt.date]) -> tuple[str, float]:
    """A Google Ads "Campaign report" download as the UI writes it (title and date-range
    lines, quoted thousands, ``--`` placeholders, ``Total:`` rows), and its total cost."""
    one, two = days
    span = f"{one:%B} {one.day}, {one.year} - {two:%B} {two.day}, {two.year}"
    text = f"""Campaign report
"{span}"
Day,Campaign status,Campaign,Campaign type,Currency code,Impr.,Clicks,CTR,Avg. CPC,Cost,\
Conversions,Cost / conv.,Conv. rate,Conv. value
{one},Enabled,Flow - Brand Search,Search,USD,"12,034",842,7.00%,1.47,"1,234.56",40.50,30.48,\
4.81%,"4,050.00"
{one},Enabled,Flow - Display,Display,USD,"5,100",30,0.59%,0.50,15.00,0.00,--,0.00%,0.00
{two},Enabled,Flow - Brand Search,Search,USD,"11,000",700,6.36%,1.50,"1,050.00",35.00,30.00,\
5.00%,"3,500.00"
{two},Paused,Flow - YouTube,Video,USD,0,0,--,--,0.00,0.00,--,--,0.00
Total: Account,--,--,--,USD,"28,134","1,572",5.59%,1.47,"2,299.56",75.50,30.46,4.80%,\
"7,550.00"
Total: Campaigns,--,--,--,USD,"28,134","1,572",5.59%,1.47,"2,299.56",75.50,30.46,4.80%,\
"7,550.00"
"""
    return text, 1234.56 + 15.00 + 1050.00 + 0.00


def cli_value(site: Site, kpi: str) -> float:
    """The KPI over the page's period, from ``shakhes compute`` in another process."""
    out = subprocess.run(
        [sys.executable, "-m", "shakhes", "compute", kpi, "--grain", "total",
         "--from", site.span[0].isoformat(), "--to", site.span[1].isoformat(),
         "--format", "json", "-w", str(site.root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    [row] = [r for r in json.loads(out.stdout) if r["kpi"] == kpi]
    return float(row["value"])


def shown_value(page: Any) -> float:
    return float(page.locator(".kpi-value").first.get_attribute("data-value"))


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def api(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call the API from the page, with its session and CSRF token, as the page's scripts do."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const main = document.getElementById("main");
            const init = {method, headers: {"X-CSRF-Token": main.dataset.csrf,
                                            "Content-Type": "application/json"}};
            if (body !== null) init.body = JSON.stringify(body);
            const answer = await fetch(path, init);
            return {status: answer.status, body: await answer.json()};
        }""",
        [method, path, body],
    )


def test_the_whole_flow(site: Site, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    ws = site.ws
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # its own context
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: d.accept())
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    # Log in through the form: the page asked for comes back after it.
    page.goto(f"{site.url}/w/{ws}/")
    assert "/login" in page.url
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/w/{ws}/")
    assert page.locator(".scorecard-value").count() > 0
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    shoot(page, "flow-overview-en")

    # A KPI page; a target for its period, set with the page's session and CSRF token.
    page.click(f'a[href^="/w/{ws}/kpis/cost"]')
    page.wait_for_url(re.compile(rf"/w/{ws}/kpis/cost"))
    page.wait_for_selector(".plot-container svg", timeout=20000)
    wait_for_panels(page)
    before = shown_value(page)
    before_text = page.locator(".kpi-value").first.inner_text()
    assert before == pytest.approx(cli_value(site, "cost"))
    set_target = api(
        page,
        "POST",
        f"/api/v1/workspaces/{ws}/targets",
        {"kpi": "cost", "id": "flow_cost", "period": site.period, "value": 123456},
    )
    assert set_target["status"] == 200, set_target
    page.reload()
    wait_for_panels(page)  # the targets' charts load after the page
    target = page.locator('article.target-chart[data-target="flow_cost"]')
    expect(target).to_have_count(1)
    assert "123,456" in target.locator("h3 .num").first.inner_text()
    shoot(page, "flow-kpi-en")

    # The Data page: upload a Google Ads export, see its dry run, import it.
    page.click(f'nav.main a[href^="/w/{ws}/data"]')
    page.wait_for_url(re.compile(rf"/w/{ws}/data"))
    text, cost = google_ads_export(site.days)
    export = tmp_path / "Campaign report.csv"
    export.write_text(text, encoding="utf-8")
    stray = tmp_path / "notes.csv"
    stray.write_text("colour,size\nred,2\n", encoding="utf-8")
    page.set_input_files("#files", [str(export), str(stray)])
    item = page.locator('li.file[data-file="Campaign report.csv"]')
    # A file the API refuses shows its error and hint next to it.
    refused = page.locator('li.file[data-file="notes.csv"]')
    expect(refused.locator(".problem .hint")).to_be_visible(timeout=20000)
    assert "refused" in (refused.get_attribute("class") or "")
    expect(item.locator("pre")).to_contain_text("Campaign report")
    expect(item.locator("dl.report")).to_be_visible(timeout=20000)
    report = item.locator("dl.report")
    assert "google-ads" in report.inner_text()
    values = report.locator("dd .num").evaluate_all("ns => ns.map(n => n.dataset.value)")
    assert values[:3] == ["6", "4", "0"]  # rows read, to import, quarantined
    expect(item).to_contain_text("(not set)")  # the accounts it covers
    shoot(page, "flow-data-dry-run")
    page.click("#import-button")
    expect(item.locator(".done")).to_be_visible(timeout=30000)
    import_id = int(re.sub(r"\D", "", item.locator(".done").inner_text()))
    row = page.locator(f'#log tr[data-import="{import_id}"]')
    expect(row).to_contain_text("Campaign report.csv")  # the name the user gave it
    shoot(page, "flow-data-en")

    # The KPI moved by the file's cost, as the CLI computes it.
    page.goto(f"{site.url}/w/{ws}/kpis/cost")
    after = shown_value(page)
    assert after == pytest.approx(before + cost)
    assert after == pytest.approx(cli_value(site, "cost"))

    # Undo it (the confirm dialog is accepted): the KPI is back where it was.
    page.goto(f"{site.url}/w/{ws}/data")
    page.click(f'#log tr[data-import="{import_id}"] button.undo')
    expect(page.locator(f'#log tr.undone[data-import="{import_id}"]')).to_have_count(1)
    page.goto(f"{site.url}/w/{ws}/kpis/cost")
    assert shown_value(page) == pytest.approx(before)

    # Persian, chosen with the language switch, is kept for the user.
    page.click("a.lang")
    page.wait_for_function("document.documentElement.lang === 'fa'")
    page.goto(f"{site.url}/w/{ws}/kpis/cost")  # no ?lang: the user's own language
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.wait_for_selector(".plot-container svg", timeout=20000)
    assert shown_value(page) == pytest.approx(before)
    value_text = page.locator(".kpi-value").first.inner_text()
    assert PERSIAN_DIGIT.search(value_text) and not re.search(r"[0-9]", value_text)
    # The same number as in English, in Persian digits.
    assert re.sub(r"\D", "", to_ascii_digits(value_text)) == re.sub(r"\D", "", before_text)
    shoot(page, "flow-kpi-fa")
    page.goto(f"{site.url}/w/{ws}/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    shoot(page, "flow-overview-fa")
    page.goto(f"{site.url}/w/{ws}/data")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    counts = page.locator("#log td[data-value] .num").all_inner_texts()
    assert counts and all(PERSIAN_DIGIT.search(c) for c in counts)
    assert not any(re.search(r"[0-9]", c) for c in counts)
    shoot(page, "flow-data-fa")

    # Log out: a page now leads to the login page.
    page.click("form.logout button")
    page.wait_for_url(re.compile(r"/login"))
    page.goto(f"{site.url}/w/{ws}/kpis/cost")
    assert re.search(r"/login\?next=", page.url)
    page.context.close()
    assert errors == []


UNKNOWN_LAYOUT = """Tarikh;Campaign Name;Views;Clicks;Spend (rial)
05/09/2024;Brand search;1.200;30;1.500.000,00
05/09/2024;Nowruz banner;5.000;25;2.000.000,50
13/09/2024;Brand search;900;20;900.000,00
"""
"""A layout shakhes does not know (tests/imports/test_mapping.py's)."""

MAPPING = """table: ad_performance
columns: {date: Tarikh, campaign: Campaign Name, impressions: Views, clicks: Clicks,
          cost: Spend (rial)}
constants: {platform: digikala, account: main}
channel: [{value: display}]
date_format: "%d/%m/%Y"
decimal: ","
currency: IRT
"""


def test_upload_options_fix_refused_files(site: Site, browser: Any, tmp_path: Path) -> None:
    """A file the dry run refuses for what an option gives — a Yektanet export without its
    currency, a layout shakhes does not know — opens the options at the field that fixes it;
    filled, the files are checked again and import (as ``shakhes import --currency`` /
    ``--mapping`` would)."""
    from playwright.sync_api import expect

    ws = site.ws
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{site.url}/w/{ws}/data?lang=en")  # the user may have chosen Persian
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/w/{ws}/data"))
    options = page.locator("#upload-options")
    assert options.get_attribute("open") is None  # closed until a file needs them

    # Yektanet's export does not say its currency: refused, the currency field asked for.
    yektanet = Path(__file__).parents[1] / "imports/fixtures/sources/yektanet_daily.csv"
    page.set_input_files("#files", [str(yektanet)])
    item = page.locator('li.file[data-file="yektanet_daily.csv"]')
    expect(item.locator(".problem")).to_contain_text("currency", timeout=20000)
    expect(options).to_have_attribute("open", "")
    expect(page.locator("#opt-currency.wanted")).to_have_count(1)
    page.fill("#opt-currency", "irr")
    page.dispatch_event("#opt-currency", "change")
    expect(item.locator("dl.report")).to_be_visible(timeout=20000)
    values = item.locator("dl.report dd .num").evaluate_all("ns => ns.map(n => n.dataset.value)")
    assert values[:3] == ["5", "4", "0"]  # 4 rows and the Total row; 4 to import; none bad
    assert "yektanet" in item.locator("dl.report").inner_text()
    page.fill("#opt-currency", "")

    # An unknown layout: refused, the mapping asked for; with it, read and imported.
    export, mapping = tmp_path / "digikala.csv", tmp_path / "digikala.yml"
    export.write_text(UNKNOWN_LAYOUT, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    page.set_input_files("#files", [str(export)])
    item = page.locator('li.file[data-file="digikala.csv"]')
    expect(item.locator(".problem")).to_be_visible(timeout=20000)
    expect(page.locator("#opt-mapping.wanted")).to_have_count(1)
    page.set_input_files("#opt-mapping", [str(mapping)])
    expect(item.locator("dl.report")).to_be_visible(timeout=20000)
    values = item.locator("dl.report dd .num").evaluate_all("ns => ns.map(n => n.dataset.value)")
    assert values[:3] == ["3", "3", "0"]
    page.click("#import-button")
    expect(item.locator(".done")).to_be_visible(timeout=30000)
    import_id = int(re.sub(r"\D", "", item.locator(".done").inner_text()))
    row = page.locator(f'#log tr[data-import="{import_id}"]')
    expect(row).to_contain_text("digikala.csv")
    # What was imported, as the CLI computes it: the file's clicks and views (1.200 is 1,200
    # with "," for decimals), on its days and platform.
    out = subprocess.run(
        [sys.executable, "-m", "shakhes", "compute", "clicks,impressions", "--grain", "total",
         "--from", "2024-09-05", "--to", "2024-09-13", "--where", "platform = 'digikala'",
         "--format", "json", "-w", str(site.root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = {r["kpi"]: r["value"] for r in json.loads(out.stdout)}
    assert found == {"clicks": 30 + 25 + 20, "impressions": 1_200 + 5_000 + 900}
    page.click(f'#log tr[data-import="{import_id}"] button.undo')
    expect(page.locator(f'#log tr.undone[data-import="{import_id}"]')).to_have_count(1)
    page.context.close()
    assert errors == []


def test_an_older_dry_run_answer_never_replaces_a_newer_one(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    """The dry run of a Yektanet export without its currency is held back while the user gives
    the currency; the newer dry run's report shows, and the older refusal, let through after
    it, is dropped."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.url}/w/{site.ws}/data?lang=en")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/w/{site.ws}/data"))
    held: list[Any] = []
    page.route(
        "**/api/v1/workspaces/*/imports", lambda r: r.continue_() if held else held.append(r)
    )
    yektanet = Path(__file__).parents[1] / "imports/fixtures/sources/yektanet_daily.csv"
    page.set_input_files("#files", [str(yektanet)])
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first dry run was not sent"
    page.click("#upload-options summary")  # the user opens the options and gives it
    page.fill("#opt-currency", "IRR")
    page.dispatch_event("#opt-currency", "change")
    item = page.locator('li.file[data-file="yektanet_daily.csv"]')
    expect(item.locator("dl.report")).to_be_visible(timeout=20000)
    with page.expect_response("**/api/v1/workspaces/*/imports"):
        held[0].continue_()  # the older answer: a refusal for the missing currency
    page.wait_for_timeout(300)
    expect(item.locator("dl.report")).to_be_visible()
    assert item.locator(".problem").count() == 0
    assert not page.locator("#import-button").is_disabled()
    page.unroute("**/api/v1/workspaces/*/imports")
    page.context.close()
