"""The server keeps answering while ``shakhes load`` writes the same workspace from another
process: no request fails, and each answer shows the data before the import or after it, never
a part (issue 9 §1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.processes import start, write_ads
from support.server import make_api

from shakhes.workspace import init

pytestmark = pytest.mark.slow


def test_requests_during_an_import_succeed_and_see_all_of_it_or_none(tmp_path: Path) -> None:
    ws = init(tmp_path / "acme", name="acme")
    ws.close()
    other = init(tmp_path / "other", name="other")
    other.close()
    api = make_api(ws.root, other.root, tmp_path / "home")
    rows = 200_000
    write_ads(tmp_path / "ads.csv", rows, clicks=3)
    client = api.login("viewer")
    url = "/api/v1/workspaces/acme/compute?kpis=clicks&grain=year&from=2025-01-01&to=2025-12-31"
    try:
        before = client.get(url)
        assert before.status_code == 200 and before.json()[0]["value"] in (None, 0)
        load = start(["load", "ad_performance", str(tmp_path / "ads.csv"), "-w", str(ws.root)])
        seen = []
        while load.poll() is None:
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            seen.append(answer.json()[0]["value"] or 0)
        _, err = load.communicate()
        assert load.returncode == 0, err
        after = client.get(url)
        seen.append(after.json()[0]["value"])
    finally:
        api.close()
    assert set(seen) <= {0, 3 * rows} and seen[-1] == 3 * rows
    assert seen == sorted(seen)  # before, then after: never back
