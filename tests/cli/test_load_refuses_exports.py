"""``shakhes load`` (and ``import --source canonical``) given a platform export names the
layout that reads it and the command that does, instead of listing the canonical columns a
Google Ads report lacks and hinting to "add the missing columns" (issue 7 §1: messages that
name only what applies). A canonical file that lacks a column is still told which."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import shakhes

SOURCES = Path(__file__).parents[1] / "imports/fixtures/sources"


@pytest.fixture()
def root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "acme"
    assert shakhes(capsys, "init", str(folder)).code == 0
    return folder


@pytest.mark.parametrize(
    ("export", "source", "line"),
    [
        ("google_ads_campaign_day.csv", "google-ads", 3),  # under its title and date lines
        ("tiktok_ads_same_names.csv", "tiktok-ads", 1),
        ("yektanet_fa.csv", "yektanet", 1),
    ],
)
def test_load_of_a_platform_export_names_its_layout_and_shakhes_import(
    root: Path, capsys: pytest.CaptureFixture[str], export: str, source: str, line: int
) -> None:
    path = SOURCES / export
    for args in (
        ["load", "ad_performance", str(path)],
        ["import", str(path), "--source", "canonical"],
    ):
        run = shakhes(capsys, *args, "-w", str(root), "-q")
        assert run.code == 1, run.out
        assert f"the headers on line {line} are those of the" in run.err, run.err
        assert f"({source}), not of the canonical format" in run.err, run.err
        assert f"`shakhes import {path}` reads it as it is" in run.err, run.err
        assert "Add the missing columns" not in run.err and "Traceback" not in run.err
    assert "No imports yet" in shakhes(capsys, "imports", "list", "-w", str(root)).out


def test_a_canonical_file_lacking_a_column_is_told_which(
    root: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        "date,platform,account,channel,campaign_id,campaign,ad_group,ad,impressions,clicks,"
        "cost,conversions,conversion_value\n"
        "2025-03-01,google_ads,a1,search,c1,Brand,g1,,1000,10,5.5,1,0\n",
        encoding="utf-8",
    )
    run = shakhes(capsys, "load", "ad_performance", str(path), "-w", str(root), "-q")
    assert run.code == 1
    assert "the required column(s) 'currency' are missing" in run.err, run.err
    assert "Add the missing columns" in run.err
