"""``shakhes anomalies``: every number of the table — expected value, size, z, severity, kind and
the dimension value that explains the day — against a hand computation on a hand-made series
with one spike.

Clicks per day, from 2025-01-01 (day 0): search ``600 + 10·(−1)^t`` and display 400, so the
total alternates 1010 (even days) and 990 (odd days). On day 120 (2025-05-01, even) display
gets 200 more clicks. Then, from the definition (docs/signals.md):

- the weekday profile: each weekday's 8 values of the 8 weeks before alternate (a week has 7
  days, an odd number), four 1010 and four 990, so every median is 1000 and every factor 1;
- the level: the median of the last 7 days, four of which have the parity of yesterday, so
  the expected value of an even day is 990 and of an odd day 1010;
- the residuals of the 56 days before day 120: 28 of 1010/990 − 1 = 2/99 and 28 of
  990/1010 − 1 = −2/101; their median is the mean of the middle two, 1/99 − 1/101, and every
  absolute deviation from it is 1/99 + 1/101, so the spread is 1.4826 × (1/99 + 1/101);
- day 120: 1210 against 990, residual 220/990, z = (220/990) / spread ≈ 7.5: ``medium``
  (6 ≤ |z| < 10);
- by channel: search 610 against 590 (+20), display 600 against 400 (+200): display explains
  200 of the 220 (91 %);
- the days after it are 1010/990 again: the spike moves neither the medians nor the spread
  (one value of many), so they are not anomalies and the spike is a one-off.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from support.cli import shakhes

from shakhes.data.model import TABLES
from shakhes.data.warehouse import arrow_schema
from shakhes.display import format_change
from shakhes.workspace import current_actor, init

START = dt.date(2025, 1, 1)
SPIKE = 120
DAYS = 131
EXTRA = 200


def _clicks(channel: str, t: int) -> int:
    if channel == "search":
        return 600 + 10 * (-1) ** t
    return 400 + (EXTRA if t == SPIKE else 0)


def _row(channel: str, t: int) -> dict[str, object]:
    return {
        "date": START + dt.timedelta(days=t),
        "platform": "google_ads" if channel == "search" else "yektanet",
        "account": "a",
        "channel": channel,
        "campaign_id": channel,
        "campaign": channel,
        "ad_group": "g",
        "ad": None,
        "currency": "USD",
        "impressions": 10_000,
        "clicks": _clicks(channel, t),
        "cost": 100.0,
        "conversions": 1.0,
        "conversion_value": 10.0,
        "reach": None,
        "video_views": None,
        "engagements": None,
        "leads": None,
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("anomalies") / "ws"
    ws = init(folder, currency="USD")
    rows = [_row(c, t) for t in range(DAYS) for c in ("search", "display")]
    table = pa.Table.from_pylist(rows, schema=arrow_schema(TABLES["ad_performance"]))
    try:
        with ws.writing("test data") as session:
            session.warehouse.upsert("ad_performance", table)
            session.store.bump_data_version(ws.id, current_actor(), {"test": True})
    finally:
        ws.close()
    return folder


def test_the_spike_s_numbers_are_the_hand_computed_ones(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    spike_day = (START + dt.timedelta(days=SPIKE)).isoformat()
    args = ["anomalies", "clicks", "--since", "2025-04-01", "--by", "channel", "-w", str(root)]
    run = shakhes(capsys, *args, "--format", "json")
    assert run.code == 0, run.err
    found = json.loads(run.out)["anomalies"]
    assert [a["date"] for a in found] == [spike_day]  # nothing else, before or after
    (a,) = found
    value, expected = 1010 + EXTRA, 990
    spread = 1.4826 * (1 / 99 + 1 / 101)
    z = (value / expected - 1) / spread
    assert (a["value"], a["expected"]) == (pytest.approx(value), pytest.approx(expected))
    assert a["change"] == pytest.approx(value - expected)
    assert a["change_pct"] == pytest.approx(value / expected - 1, abs=1e-6)  # JSON: 6 decimals
    assert a["z"] == pytest.approx(z, abs=1e-6)
    assert 6 <= z < 10 and a["severity"] == "medium"
    assert a["kind"] == "anomaly"  # a one-off, not a new level
    why = a["explained_by"]
    assert (why["dimension"], why["value"]) == ("channel", "display")
    assert why["change"] == pytest.approx(EXTRA)
    assert why["share"] == pytest.approx(EXTRA / (value - expected))

    table = shakhes(capsys, *args)
    assert table.code == 0, table.err
    line = next(x for x in table.out.splitlines() if x.startswith(spike_day))
    for shown in (
        "1,210",
        "990",
        format_change(value / expected - 1),
        f"{z:+.1f}",
        "medium",
        "one-off",
        f"channel display: 200 ({EXTRA / (value - expected):.0%} of the change)",
    ):
        assert shown in line, (shown, line)
