"""Every page in English and Persian through the app, and its numbers against the CLI's and
hand SQL."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from support.web_app import CSRF

from shakhes.service.compute import Query, compute, records
from shakhes.text import to_ascii_digits
from shakhes.web.period import select
from shakhes.workspace import Workspace

PERSIAN_DIGITS = re.compile("[۰-۹]")
JALALI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان",
                 "آذر", "دی", "بهمن", "اسفند")  # fmt: skip


class Page(HTMLParser):
    """The tags and the ``data-value`` spans of a page, with their text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.values: list[tuple[dict[str, str], str]] = []
        self._open: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "span" and "data-value" in found:
            self.values.append((found, ""))
            self._open.append(len(self.values) - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            attrs, text = self.values[self._open[-1]]
            self.values[self._open[-1]] = (attrs, text + data)

    def cells(self, css: str) -> list[tuple[dict[str, str], str]]:
        return [(a, t) for a, t in self.values if css in a.get("class", "").split()]

    def html_tag(self) -> dict[str, str]:
        return next(a for t, a in self.tags if t == "html")


PAGES = ["/", "/kpis/revenue", "/kpis/cpa", "/kpis/ctr", "/campaigns", "/data", "/settings"]


def test_a_kpi_this_grain_cannot_compute_says_why_on_its_page(client: TestClient) -> None:
    """Reach counts distinct people per day: a month of it is refused, with the reason, and
    the rest of the page (its SMART card, its links) still shows."""
    response = client.get("/w/demo/kpis/reach")
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "counts distinct people per day" in text
    assert 'id="smart-h"' in text


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_every_page_renders_in_both_languages(client: TestClient, path: str, lang: str) -> None:
    for ws in ("demo", "demo-fa"):
        response = client.get(f"/w/{ws}{path}", params={"lang": lang})
        assert response.status_code == 200, response.text[:500]
        page = Page(response.text)
        html = page.html_tag()
        assert html["lang"] == lang
        assert html["dir"] == ("rtl" if lang == "fa" else "ltr")
        # the logout form posts the CSRF token
        assert f'name="csrf_token" value="{CSRF}"' in response.text
        for tag, attrs in page.tags:
            for attr in ("src", "href"):
                if tag in ("script", "link", "img") and attr in attrs:
                    assert not re.match(r"(https?:)?//", attrs[attr]), (tag, attrs[attr])


def test_the_users_locale_is_the_default_and_lang_overrides_it(client: TestClient) -> None:
    assert Page(client.get("/w/demo-fa/").text).html_tag()["dir"] == "rtl"
    assert Page(client.get("/w/demo/").text).html_tag()["dir"] == "ltr"
    assert Page(client.get("/w/demo/?lang=fa").text).html_tag()["dir"] == "rtl"


def test_persian_scorecards_have_persian_digits_only(client: TestClient) -> None:
    page = Page(client.get("/w/demo-fa/").text)
    values = page.cells("scorecard-value")
    assert len(values) >= 5
    shown = values + page.cells("scorecard-change") + page.cells("scorecard-previous")
    for _, text in shown:
        assert PERSIAN_DIGITS.search(text), text
        assert not re.search(r"[0-9]", text), text
    # the English page of the same workspace has ASCII digits (the test can fail)
    english = Page(client.get("/w/demo-fa/", params={"lang": "en"}).text)
    assert all(re.search(r"[0-9]", t) for _, t in english.cells("scorecard-value"))


def test_the_servers_caller_decides_who_sees_a_workspace(client: TestClient) -> None:
    assert client.get("/w/someone-elses/").status_code == 404
    assert client.get("/w/someone-elses/kpis/revenue").status_code == 404


def test_jalali_workspace_names_jalali_months(client: TestClient) -> None:
    for lang in ("fa", "en"):
        text = client.get("/w/demo-fa/kpis/revenue", params={"lang": lang}).text
        if lang == "fa":
            assert sum(month in text for month in JALALI_MONTHS) >= 3
        else:
            assert re.search(r"<option value=\"14\d\d-\d\d\"( selected)?>[A-Z][a-z]+ 14\d\d<", text)
    gregorian = client.get("/w/demo/", params={"lang": "fa"}).text
    assert "ژانویه" in gregorian or "دسامبر" in gregorian or "نوامبر" in gregorian


def test_unknown_kpi_and_bad_period_are_error_pages(client: TestClient) -> None:
    missing = client.get("/w/demo/kpis/revenu")
    assert missing.status_code == 404
    assert "did you mean 'revenue'" in html.unescape(missing.text)
    bad = client.get("/w/demo/", params={"period": "2025-13"})
    assert bad.status_code == 400
    assert "2025-13" in bad.text and 'dir="ltr"' in bad.text
    assert client.get("/w/demo/campaigns/nope").status_code == 404
    assert client.get("/w/demo/", params={"compare": "sideways"}).status_code == 400


def test_static_files_are_served_with_cache_headers(client: TestClient) -> None:
    for name, kind in [
        ("shakhes.css", "text/css"),
        ("shakhes.js", "text/javascript"),
        ("plotly.min.js", "text/javascript"),
        ("fonts/noto-sans-arabic.ttf", "font/ttf"),
    ]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(kind)
        assert "max-age" in response.headers["cache-control"]
        assert len(response.content) > 1000 or name.endswith((".css", ".js"))
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


@pytest.mark.parametrize("ws", ["demo", "demo-fa"])
def test_scorecards_equal_shakhes_compute_json(
    client: TestClient, demos: dict[str, Workspace], ws: str
) -> None:
    workspace = demos[ws]
    sel = select(workspace, None, "previous")
    page = Page(client.get(f"/w/{ws}/").text)
    shown = {}
    html = client.get(f"/w/{ws}/").text
    cards = re.findall(r'<article class="card" data-kpi="([a-z_]+)">(.*?)</article>', html, re.S)
    for kpi, body in cards:
        m = re.search(r'class="num scorecard-value" data-value="([^"]*)">([^<]*)<', body)
        if m:
            shown[kpi] = (json.loads(m.group(1)), m.group(2))
    assert {"revenue", "roas", "cpa", "cost"} <= set(shown)
    kpis = ["revenue", "roas", "cpa", "cost"]
    out = subprocess.run(
        [sys.executable, "-m", "shakhes", "compute", ",".join(kpis), "--grain", sel.grain.value,
         "--from", sel.period.start.isoformat(), "--to", sel.period.end.isoformat(),
         "--compare", "previous", "--format", "json", "-w", str(workspace.root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    cli = {r["kpi"]: r for r in json.loads(out.stdout)}
    for kpi in kpis:
        value, text = shown[kpi]
        assert value == pytest.approx(cli[kpi]["value"], rel=1e-12)
        # the text shown is that value rounded, in the page's digits
        plain = to_ascii_digits(text).replace("٬", "").replace(",", "").replace("٫", ".")
        number = float(re.sub(r"[^0-9.\-]", "", plain))
        scale = 100 if kpi == "ctr" else 1
        assert number == pytest.approx(cli[kpi]["value"] * scale, rel=0.01)
    assert page.values  # the page has numbers at all


def test_revenue_equals_hand_sql(client: TestClient, demos: dict[str, Workspace]) -> None:
    """The overview's cost and the campaigns' spend against SQL written by hand."""
    ws = demos["demo"]
    sel = select(ws, "2025-11", "previous")
    html = client.get("/w/demo/", params={"period": "2025-11"}).text
    m = re.search(
        r'data-kpi="cost">.*?class="num scorecard-value" data-value="([^"]*)"', html, re.S
    )
    assert m is not None
    with ws.reading() as session:
        ((hand,),) = session.warehouse.fetchall(
            "SELECT sum(cost) FROM ad_performance WHERE date BETWEEN ? AND ?",
            [sel.period.start, sel.period.end],
        )
        by_campaign = dict(session.warehouse.fetchall(
            "SELECT campaign_id, sum(cost) FROM ad_performance WHERE date BETWEEN ? AND ? "
            "GROUP BY campaign_id",
            [sel.period.start, sel.period.end],
        ))  # fmt: skip
    assert json.loads(m.group(1)) == pytest.approx(float(hand), rel=1e-9)
    campaigns = client.get("/w/demo/campaigns", params={"period": "2025-11"}).text
    rows = re.findall(
        r'<tr data-campaign="([^"]+)">.*?data-value="([^"]*)" data-kpi="cost"', campaigns, re.S
    )
    assert len(rows) == len(by_campaign)
    for campaign_id, value in rows:
        assert json.loads(value) == pytest.approx(float(by_campaign[campaign_id]), rel=1e-9)


def test_kpi_page_value_and_breakdown_equal_compute(
    client: TestClient, demos: dict[str, Workspace]
) -> None:
    ws = demos["demo-fa"]
    sel = select(ws, "1404-08", "last_year")
    html = client.get(
        "/w/demo-fa/kpis/roas",
        params={"period": "1404-08", "compare": "last_year", "by": "channel"},
    ).text
    value = re.search(r'class="num kpi-value" data-value="([^"]*)"', html)
    assert value is not None
    days = {"start": sel.period.start, "end": sel.period.end, "compare": "last_year"}
    result = records(compute(ws, Query(("roas",), sel.grain.value, ("channel",), **days)))
    whole = records(compute(ws, Query(("roas",), sel.grain.value, **days)))
    assert json.loads(value.group(1)) == pytest.approx(whole[0]["value"], rel=1e-12)
    for r in result:
        row = re.search(rf"<tr><td>{r['channel']}</td><td data-value=\"([^\"]*)\"", html)
        assert row is not None, r["channel"]
        assert json.loads(row.group(1)) == pytest.approx(r["value"], rel=1e-12)
    assert "plotly" in html and 'id="daily-roas"' in html


@pytest.mark.parametrize("ws", ["demo", "demo-fa"])
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_kpi_pages_panels_load_after_it_and_are_the_same_as_in_it(
    client: TestClient, ws: str, lang: str
) -> None:
    """The page has a slot for each slow panel (a link to the page with every panel, for a
    browser without JavaScript); each slot's fragment is that panel as ``?panels=all`` shows
    it in the page; an unknown panel is a 404."""
    from shakhes.web.kpi import PANELS

    params = {"period": "2026-10" if ws == "demo" else "1405-07", "lang": lang}
    page = client.get(f"/w/{ws}/kpis/cost", params=params).text
    inline = client.get(f"/w/{ws}/kpis/cost", params={**params, "panels": "all"}).text
    slots = re.findall(r'data-panel="([^"]+)"', page)
    assert [s.split("?")[0].rsplit("/", 1)[1] for s in slots] == list(PANELS)
    assert "data-panel=" not in inline
    assert html.unescape(re.findall(r'href="([^"]*panels=all[^"#]*)', page)[0]).endswith(
        "panels=all"
    )
    fragments: list[str] = []
    for slot in slots:
        answer = client.get(html.unescape(slot))
        assert answer.status_code == 200
        fragment = answer.text
        assert "<html" not in fragment
        if slot.split("?")[0].endswith("/anomalies"):
            chart, fragment = fragment.split("</template>\n", 1)
            assert 'id="daily-cost"' in chart
        assert fragment.strip() and fragment in inline, slot
        fragments.append(fragment)
    if lang == "fa":  # Persian digits, as the page
        assert all(re.search(r"[۰-۹]", f) for f in fragments if 'class="num"' in f)
        assert any(re.search(r"[۰-۹]", f) for f in fragments)
    missing = client.get(f"/w/{ws}/kpis/cost/panels/nothing")
    assert missing.status_code == 404
