"""``shakhes import``, ``imports list|undo`` and ``quarantine list|export|retry`` end to end, as a
user types them: the figures printed are the file's own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rich.console import Console
from support.cli import shakhes
from support.imports import FIXTURES

from shakhes.cli.imports import import_command
from shakhes.imports.pipeline import ImportOptions

ADS = FIXTURES / "google_ads_campaign_day.csv"
HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value\n"
)


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    monkeypatch.chdir(root)
    return root


def test_import_prints_the_totals_of_the_file_and_a_second_time_changes_nothing(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "import", str(ADS))
    assert run.code == 0, run.err
    # The file's own "Total: Account" row: 28,134 impressions, 1,572 clicks, 2,299.56 cost.
    assert "as import #1" in run.out
    assert "rows read 6; accepted 4; quarantined 0" in run.out
    assert "total rows skipped 2" in run.out
    assert "dates 2026-09-01 … 2026-09-02" in run.out
    assert "impressions 28,134, clicks 1,572, cost 2,299.56" in run.out
    assert "warning" not in run.out

    again = shakhes(capsys, "import", str(ADS))
    assert again.code == 0
    assert "already imported as #1 (same content, same options); nothing changed" in again.out
    listed = shakhes(capsys, "imports", "list")
    assert listed.out.count("google-ads") == 1 and "google_ads_campaign_day.csv" in listed.out


def test_dry_run_reports_and_writes_nothing(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "import", str(ADS), "--dry-run")
    assert run.code == 0, run.err
    assert "Would import" in run.out and "accepted 4" in run.out
    assert "dry run: nothing was written" in run.out
    assert shakhes(capsys, "imports", "list").out.startswith("No imports yet")


def test_quarantine_list_export_retry_and_undo(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER
        + "2026-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n"
        + "2026-09-02,google_ads,a,serch,c1,Brand,g,,USD,100,10,7,1,10\n"
        + "2026-09-03,google_ads,a,search,c1,Brand,g,,USD,100,200,9,1,10\n",
        encoding="utf-8",
    )
    run = shakhes(capsys, "import", str(path), "--source", "canonical")
    assert run.code == 0, run.err
    assert "accepted 1; quarantined 2" in run.out
    assert "line 3: column 'channel': value 'serch' — unknown channel — did you mean" in run.out

    listed = shakhes(capsys, "quarantine", "list")
    assert listed.out.splitlines() == [
        "#1 ads.csv:3: column 'channel': value 'serch' — unknown channel — did you mean "
        "'search'? [unknown_value]",
        "#1 ads.csv:4: column 'clicks': value '200' — more clicks than impressions [above_limit]",
    ]
    exported = tmp_path / "bad.csv"
    assert shakhes(capsys, "quarantine", "export", "-o", str(exported)).code == 0
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    assert [(r["line"], r["column"], r["code"], r["channel"], r["clicks"]) for r in rows] == [
        ("3", "channel", "unknown_value", "serch", "10"),
        ("4", "clicks", "above_limit", "search", "200"),
    ]

    # Retrying as they are fixes nothing; both rows stay quarantined.
    retry = shakhes(capsys, "quarantine", "retry", "--import", "1")
    assert retry.code == 0, retry.err
    assert "0 quarantined row(s) of import #1 resolved" in retry.out

    assert cost(capsys) == "5.5"
    undo = shakhes(capsys, "imports", "undo", "1")
    assert undo.code == 0 and "removed 1 rows, restored 0" in undo.out
    assert cost(capsys) == "0"  # a whole number is written whole


def cost(capsys: pytest.CaptureFixture[str]) -> str:
    run = shakhes(
        capsys, "compute", "cost", "--from", "2026-09-01", "--to", "2026-09-30", "--format", "csv"
    )
    assert run.code == 0, run.err
    [row] = csv.DictReader(io.StringIO(run.out))
    return row["value"]


def test_a_file_of_no_known_layout_fails_and_loads_nothing(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mystery.csv"
    path.write_text("Fecha,Gasto,Visitas\n2026-09-01,10,5\n", encoding="utf-8")
    run = shakhes(capsys, "import", str(path))
    assert run.code == 1 and "mystery.csv: no header row of a known layout" in run.err
    assert "tried: canonical, ga4, google-ads" in run.err
    near = tmp_path / "near.csv"
    near.write_text("Day,Campaign,Impr.,Clicks,Gasto\n2026-09-01,B,10,5,3\n", encoding="utf-8")
    run = shakhes(capsys, "import", str(near))
    assert run.code == 1
    assert "look most like the Google Ads report layout (google-ads)" in run.err
    assert "'Cost' are missing; headers it could not place: 'Gasto'" in run.err
    assert "google-ads" not in shakhes(capsys, "imports", "list").out


def test_a_terminal_gets_a_progress_bar_by_bytes_and_a_pipe_does_not(
    ws: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER + "2026-09-01,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n",
        encoding="utf-8",
    )
    terminal = Console(file=io.StringIO(), force_terminal=True, width=150)
    import_command(terminal, [path], ImportOptions(source="canonical"), ws, progress=terminal)
    shown = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert "Importing ads.csv: merging" in shown and "1 rows" in shown
    assert "Imported" in shown

    piped = Console(file=io.StringIO(), force_terminal=False, width=150)
    other = tmp_path / "ads2.csv"
    other.write_text(
        HEADER + "2026-09-02,google_ads,a,search,c1,Brand,g,,USD,100,10,5.5,1,10\n",
        encoding="utf-8",
    )
    import_command(piped, [other], ImportOptions(source="canonical"), ws, progress=None)
    printed = piped.file.getvalue()  # type: ignore[attr-defined]
    assert "Importing" not in printed and "bytes" not in printed
    assert "Imported" in printed and "\x1b[" not in printed


def test_a_ga4_bigquery_import_is_undone_as_one(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shakhes(capsys, "import", str(FIXTURES / "ga4_bq_events.jsonl"), "--currency", "USD")
    assert run.code == 0, run.err
    assert "as import #1" in run.out and "as import #2" in run.out
    undo = shakhes(capsys, "imports", "undo", "2")
    assert undo.code == 0, undo.err
    assert undo.out.startswith("Undid import #2 and #1 (written in the same transaction)")
    again = shakhes(capsys, "imports", "undo", "1")
    assert again.code == 1 and "already undone" in again.err


def test_a_ga4_bigquery_export_imported_again_with_another_currency_replaces_it(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(FIXTURES / "ga4_bq_events.jsonl")
    assert shakhes(capsys, "import", path, "--currency", "USD").code == 0  # #1, #2
    run = shakhes(capsys, "import", path, "--currency", "EUR")
    assert run.code == 0, run.err
    assert (
        "the same content as import #1, imported again with --currency EUR (was USD): it "
        "replaces every row #1 wrote" in run.out
    )
    assert "also imported 3 order(s) into orders as import #4, replacing import #2" in run.out
    again = shakhes(capsys, "import", path, "--currency", "EUR")
    assert "already imported as #3 (same content, same options); nothing changed" in again.out


def test_several_files_one_refused_the_others_imported_and_the_status_says_so(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mystery = tmp_path / "mystery.csv"
    mystery.write_text("Fecha,Gasto,Visitas\n2026-09-01,10,5\n", encoding="utf-8")
    tiktok = FIXTURES / "tiktok_ad_daily.csv"
    assert shakhes(capsys, "import", str(ADS)).code == 0
    run = shakhes(capsys, "import", str(ADS), str(mystery), str(tiktok))
    assert run.code == 1
    assert "error: " in run.err and "mystery.csv: no header row of a known layout" in run.err
    assert "Pass --source NAME" in run.err  # the CLI's hint for that error
    assert "Imported " in run.out and "tiktok_ad_daily.csv (tiktok-ads → ad_performance)" in run.out
    assert run.out.splitlines()[-4:] == [
        "3 files:",
        f"  {ADS}: already imported as #1",
        f"  {mystery}: refused: no header row of a known layout in the first 60 rows (tried: "
        "canonical, ga4, google-ads, linkedin-ads, meta-ads, shopify, tiktok-ads, woocommerce, "
        "yektanet); line 1 looks like a header: 'Fecha', 'Gasto', 'Visitas'",
        f"  {tiktok}: imported as #2",
    ]
    listed = shakhes(capsys, "imports", "list").out
    assert "tiktok_ad_daily.csv" in listed and "mystery" not in listed

    alone = shakhes(capsys, "import", str(tiktok), str(ADS))
    assert alone.code == 0 and "refused" not in alone.out


def test_a_file_imported_again_with_another_currency_says_what_it_replaces(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / "headers" / "yektanet_fa.csv"
    no_currency = shakhes(capsys, "import", str(path))
    assert no_currency.code == 1
    assert no_currency.err.splitlines()[-1].startswith("Pass --currency CODE")
    assert shakhes(capsys, "import", str(path), "--currency", "IRR").code == 0
    run = shakhes(capsys, "import", str(path), "--currency", "IRT")
    assert run.code == 0, run.err
    assert "as import #2" in run.out
    assert (
        "the same content as import #1, imported again with --currency IRT (was IRR): it "
        "replaces every row #1 wrote" in run.out
    )
    assert "replaced 2" in run.out
    again = shakhes(capsys, "import", str(path), "--currency", "IRT")
    assert "already imported as #2 (same content, same options); nothing changed" in again.out


def test_rows_added_together_are_reported(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = shakhes(capsys, "import", str(FIXTURES / "tiktok_ads_same_names.csv"))
    assert run.code == 0, run.err
    assert (
        "20 rows shared campaign/ad group/ad/day with another row and were added together "
        "(into 8 rows)" in run.out
    )
    assert "own total row" not in run.out


def test_load_names_no_option_it_does_not_have(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("date,platform,campaign\n2026-09-01,meta,a\n", encoding="utf-8")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Fecha,Gasto\n2026-09-01,10\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + '2026-09-01,google_ads,a,search,c1,Brand,g,,usd,"1,000",10,$5,1,10\n',
        encoding="utf-8",
    )
    for path in (missing, wrong, bad):
        run = shakhes(capsys, "load", "ad_performance", str(path))
        assert run.code == 1 and "error:" in run.err
        assert "--" not in run.err, run.err
    assert "column 'impressions': value '1,000'" in run.err
    assert "column 'cost': value '$5'" in run.err
    assert "column 'currency': value 'usd'" in run.err


def test_a_mapping_without_an_account_gets_the_clis_hint(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "m.yml"
    mapping.write_text(
        "table: ad_performance\ncolumns:\n  date: Day\n  campaign: Campaign\n"
        "  impressions: Views\n  clicks: Clicks\n  cost: Spend\n"
        "constants:\n  platform: digikala\n  channel: display\ncurrency: IRT\n",
        encoding="utf-8",
    )
    path = tmp_path / "digikala.csv"
    path.write_text("Day,Campaign,Views,Clicks,Spend\n2026-09-01,A,100,1,5\n", encoding="utf-8")
    run = shakhes(capsys, "import", str(path), "--mapping", str(mapping))
    assert run.code == 1 and "has no 'account' column" in run.err
    assert "Pass --account NAME" in run.err
    ok = shakhes(capsys, "import", str(path), "--mapping", str(mapping), "--account", "shop")
    assert ok.code == 0, ok.err


def test_a_reimport_that_needs_an_undo_gives_the_exact_commands(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = "Day,Campaign,Currency code,Impr.,Clicks,Cost\n"
    week = tmp_path / "week.csv"
    week.write_text(head + "2026-09-01,A,,100,10,5\n", encoding="utf-8")
    month = tmp_path / "month ads.csv"
    month.write_text(head + "2026-09-01,A,,120,12,6\n2026-09-02,A,,100,10,5\n", encoding="utf-8")
    assert shakhes(capsys, "import", str(week), "--currency", "IRR").code == 0
    assert shakhes(capsys, "import", str(month), "--currency", "IRR").code == 0
    run = shakhes(capsys, "import", str(month), "--currency", "IRT", "--account", "shop")
    assert run.code == 1
    assert run.err.splitlines()[-1] == (
        f"Run `shakhes imports undo 2`, then `shakhes import '{month}' --currency IRT "
        "--account shop`."
    )
    assert shakhes(capsys, "imports", "undo", "2").code == 0
    again = shakhes(capsys, "import", str(month), "--currency", "IRT", "--account", "shop")
    assert again.code == 0 and "as import #3" in again.out
