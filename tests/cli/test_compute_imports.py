"""`shakhes compute` does not import pandas: an eighth of the command's time, for a library the
engine never uses (see shakhes.engine.arrow and Warehouse.to_arrow). Run in a new process, as a
user types the command, on every path that makes Arrow arrays or in-memory tables: a plain
breakdown, a Jalali grain (its day → period map), and a comparison."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import shakhes

ADS = """\
date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,clicks,\
cost,conversions,conversion_value
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,10000,200,25.5,1,50
2024-01-20,meta,m1,social,c2,Winter,g1,,USD,20000,40,10,1,80
2024-02-03,google_ads,a1,search,c1,Brand,g1,,USD,1000,30,12,2,60
"""

RUN = """
import contextlib, io, json, sys
from shakhes.cli.app import main
sys.argv = ["shakhes", *json.loads(sys.argv[1])]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, exc.code
print(json.dumps({"pandas": "pandas" in sys.modules, "out": out.getvalue()}))
"""


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0
    ads = tmp_path / "ads.csv"
    ads.write_text(ADS, encoding="utf-8")
    run = shakhes(capsys, "load", "ad_performance", str(ads), "-w", str(root))
    assert run.code == 0, run.err
    return root


COMMANDS = {
    "breakdown": ["ctr,cpc,roas", "--by", "channel"],
    "jalali": ["ctr,cpc", "--grain", "jalali_month", "--format", "json"],
    "compare": ["ctr,roas", "--by", "channel", "--compare", "previous", "--format", "csv"],
}


def test_compute_leaves_pandas_unimported(ws: Path) -> None:
    for name, args in COMMANDS.items():
        done = subprocess.run(
            [sys.executable, "-c", RUN, json.dumps(["compute", *args, "-w", str(ws)])],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (name, done.stderr)
        found = json.loads(done.stdout.splitlines()[-1])
        assert "ctr" in found["out"].lower(), (name, found["out"])
        assert found["pandas"] is False, name
