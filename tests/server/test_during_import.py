"""The server keeps answering while ``shakhes load`` or ``shakhes import`` writes the same
workspace from another process: no request fails — the API's or a page's — and each answer
shows the data before the import or after it, never a part (issue 9 §1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.processes import start, write_ads
from support.server import make_api

from shakhes.workspace import init

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "command",
    [
        ["load", "ad_performance"],
        ["import", "--source", "canonical"],
    ],
    ids=["load", "import"],
)
def test_requests_during_an_import_succeed_and_see_all_of_it_or_none(
    tmp_path: Path, command: list[str]
) -> None:
    ws = init(tmp_path / "acme", name="acme")
    ws.close()
    other = init(tmp_path / "other", name="other")
    other.close()
    api = make_api(ws.root, other.root, tmp_path / "home")
    rows = 200_000
    write_ads(tmp_path / "ads.csv", rows, clicks=3)
    client = api.login("viewer")
    url = "/api/v1/workspaces/acme/compute?kpis=clicks&grain=year&from=2025-01-01&to=2025-12-31"
    page = "/w/acme/kpis/clicks?period=2025"

    def shown() -> float:
        """The clicks of 2025 on the KPI page (0 before any data)."""
        answer = client.get(page)
        assert answer.status_code == 200, answer.text
        found = re.search(r'class="num kpi-value" data-value="([^"]*)"', answer.text)
        return float(found.group(1) or 0) if found else 0.0

    try:
        before = client.get(url)
        assert before.status_code == 200 and before.json()[0]["value"] in (None, 0)
        assert shown() == 0
        load = start([*command, str(tmp_path / "ads.csv"), "-w", str(ws.root)])
        seen, pages = [], []
        while load.poll() is None:
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            seen.append(answer.json()[0]["value"] or 0)
            pages.append(shown())
        _, err = load.communicate()
        assert load.returncode == 0, err
        after = client.get(url)
        seen.append(after.json()[0]["value"])
        pages.append(shown())
    finally:
        api.close()
    assert set(seen) <= {0, 3 * rows} and seen[-1] == 3 * rows
    assert seen == sorted(seen)  # before, then after: never back
    assert len(seen) > 2  # asked while it ran (hundreds of times here)
    assert set(pages) <= {0, 3 * rows} and pages[-1] == 3 * rows
    assert pages == sorted(pages)


KPI = """kpis:
  - id: weighted_clicks
    name: {{en: Weighted clicks, fa: کلیک وزن‌دار}}
    description: {{en: Clicks times a weight, fa: کلیک ضرب در وزن}}
    formula: sum(ad_performance.clicks) * {weight}
    unit: count
    direction: higher_is_better
    kind: operational
    timing: leading
    category: engagement
"""


def test_requests_while_definitions_are_applied_see_one_version_or_the_other(
    tmp_path: Path,
) -> None:
    """``shakhes apply`` from another process, again and again, changes a KPI's formula (its
    weight 2, then 3, …) while the API and the KPI's page are asked: no request fails, and each
    answer is the KPI of one applied version — clicks × a weight applied — never anything
    else."""
    ws = init(tmp_path / "acme", name="acme")
    ws.close()
    other = init(tmp_path / "other", name="other")
    other.close()
    rows = 20_000
    write_ads(tmp_path / "ads.csv", rows, clicks=3)
    loaded = start(["load", "ad_performance", str(tmp_path / "ads.csv"), "-w", str(ws.root)])
    assert loaded.wait() == 0, loaded.communicate()
    spec = tmp_path / "kpi.yml"
    spec.write_text(KPI.format(weight=2), encoding="utf-8")
    first = start(["apply", str(spec), "-w", str(ws.root)])
    assert first.wait() == 0, first.communicate()
    api = make_api(ws.root, other.root, tmp_path / "home")
    client = api.login("viewer")
    url = (
        "/api/v1/workspaces/acme/compute?kpis=weighted_clicks&grain=year"
        "&from=2025-01-01&to=2025-12-31"
    )
    weights, asked = set(), 0
    try:
        for weight in (3, 4, 5):
            spec.write_text(KPI.format(weight=weight), encoding="utf-8")
            applying = start(["apply", str(spec), "-w", str(ws.root)])
            while applying.poll() is None:
                answer = client.get(url)
                assert answer.status_code == 200, answer.text
                weights.add(answer.json()[0]["value"] / (3 * rows))
                asked += 1
                page = client.get("/w/acme/kpis/weighted_clicks?period=2025")
                assert page.status_code == 200, page.text
            _, err = applying.communicate()
            assert applying.returncode == 0, err
            after = client.get(url).json()[0]["value"]
            assert after == 3 * rows * weight  # the new formula, as soon as apply is done
            weights.add(after / (3 * rows))
    finally:
        api.close()
    assert weights <= {2, 3, 4, 5} and {3, 4, 5} <= weights
    assert asked > 3  # asked while apply ran (each run takes a second or so)
