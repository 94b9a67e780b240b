"""Mapping files describe any other layout; --suggest-mapping writes a starting one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.mapping import load_mapping
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.suggest import suggest_for_file

EXPORT = """Tarikh;Campaign Name;Views;Clicks;Spend (rial)
05/09/2026;Brand search;1.200;30;1.500.000,00
05/09/2026;Nowruz banner;5.000;25;2.000.000,50
13/09/2026;Brand search;900;20;900.000,00
"""

MAPPING = """table: ad_performance
columns:
  date: Tarikh
  campaign: Campaign Name
  impressions: Views
  clicks: Clicks
  cost: Spend (rial)
constants:
  platform: digikala
  account: main
channel:
  - match: "(?i)search"
    value: search
  - value: display
date_format: "%d/%m/%Y"
decimal: ","
currency: IRT
multiply:
  cost: 0.1
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    export = tmp_path / "digikala.csv"
    export.write_text(EXPORT, encoding="utf-8")
    mapping = tmp_path / "digikala.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return export, mapping


def test_a_mapping_imports_an_unknown_layout(files: tuple[Path, Path]) -> None:
    export, mapping = files
    wh = Warehouse.connect("duckdb://")
    wh.ensure_schema()
    report = import_file(wh, export, ImportOptions(mapping=mapping))
    assert (report.accepted, report.quarantined) == (3, 0)
    rows = wh.backend.con.execute(
        "SELECT date, campaign, channel, platform, account, currency, impressions, clicks, "
        "round(cost, 6) FROM ad_performance ORDER BY date, campaign"
    ).fetchall()
    assert rows == [
        (
            dt.date(2026, 9, 5),
            "Brand search",
            "search",
            "digikala",
            "main",
            "IRT",
            1200,
            30,
            150000.0,
        ),
        (
            dt.date(2026, 9, 5),
            "Nowruz banner",
            "display",
            "digikala",
            "main",
            "IRT",
            5000,
            25,
            200000.05,
        ),
        (
            dt.date(2026, 9, 13),
            "Brand search",
            "search",
            "digikala",
            "main",
            "IRT",
            900,
            20,
            90000.0,
        ),
    ]


def test_mapping_problems_are_reported_together(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "table: ad_performance\ncolumns: {clikcs: Clicks}\nchannel: [{value: tv}]\n"
        "multiply: {campaign: 2}\nextra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_mapping(bad)
    message = str(info.value)
    assert "'clikcs' is not a column of ad_performance — did you mean 'clicks'?" in message
    assert "'tv' is not a channel" in message
    assert "multiply: 'campaign' is not a number column" in message
    assert "unknown key 'extra'" in message


def test_suggest_mapping_places_known_headers(files: tuple[Path, Path]) -> None:
    export, _ = files
    text = suggest_for_file(export)
    document = yaml.safe_load(text)
    assert document["table"] == "ad_performance"
    assert document["columns"]["clicks"] == "Clicks"
    assert document["columns"]["campaign"] == "Campaign Name"
    assert "# Headers not placed:" in text and "Tarikh" in text
