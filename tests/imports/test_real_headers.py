"""Real exports as they are: every source recognised from the headers it really writes, in every
language it is read in; derived columns recognised and ignored; no layout taken for another;
messages that name only what applies (issue 7 §1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.layout import candidates, find_layout
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.readers import Row, iter_rows, sniff
from shakhes.imports.sources import REGISTRY

HEADERS = FIXTURES / "headers"
LANGUAGES = {
    "google-ads": ("en", "fr", "de", "es", "fa"),
    "meta-ads": ("en", "es", "fr", "de", "fa"),
    "yektanet": ("en", "fa"),
    "woocommerce": ("en", "fa"),
    "ga4": ("en",),
    "linkedin-ads": ("en",),
    "tiktok-ads": ("en",),
    "shopify": ("en",),
}
"""Each source and the languages of its headers shakhes reads (GA4's German is read too: see
ga4_de_daily.csv in test_sources_ga4_linkedin_tiktok.py)."""
CASES = [(source, lang) for source, langs in LANGUAGES.items() for lang in langs]
NEEDS_CURRENCY = {"yektanet": "IRR", "ga4": "USD"}


def head(path: Path) -> list[Row]:
    return list(iter_rows(sniff(path)))[:60]


def test_every_source_has_a_file_per_language() -> None:
    names = {p.stem for p in HEADERS.glob("*.csv")}
    assert names == {f"{s.replace('-', '_')}_{lang}" for s, lang in CASES}


@pytest.mark.parametrize(("source", "lang"), CASES)
def test_each_source_is_recognised_in_each_language_and_knows_every_header(
    warehouse: Warehouse, source: str, lang: str
) -> None:
    path = HEADERS / f"{source.replace('-', '_')}_{lang}.csv"
    layout = find_layout(path, head(path), candidates("auto"))
    assert layout.spec.name == source
    # Every header is imported or recognised as derived/settings: none is "unplaced".
    assert [h for h in layout.header if h.strip() and not layout.spec.knows(h)] == []
    report = import_file(
        warehouse, path, ImportOptions(dry_run=True, currency=NEEDS_CURRENCY.get(source))
    )
    assert (report.source, report.accepted, report.quarantined) == (source, 2, 0)


def test_no_layouts_header_set_is_taken_for_another() -> None:
    """Each layout's own headers — all of its fields, or only the required ones, with or
    without the lines its platform writes above them — are recognised as that layout."""
    for name, spec in REGISTRY.items():
        above = [Row(1, ("Report title",)), Row(2, ("March 1, 2025 - March 2, 2025",))]
        if spec.comment_prefix:
            above = [Row(1, ("# Report",)), Row(2, ("# Start date: 20250301",))]
        lines = above if spec.title_lines else []
        for fields in (spec.fields, [f for f in spec.fields if f.required]):
            header = tuple(f.headers[0] for f in fields)
            if len(header) < 2:
                continue
            found = find_layout(
                Path("x.csv"), [*lines, Row(len(lines) + 1, header)], list(REGISTRY.values())
            )
            assert found.spec.name == name, (name, header)


def test_tiktok_real_daily_ad_export_with_singular_impression_is_read(
    warehouse: Warehouse,
) -> None:
    path = FIXTURES / "tiktok_ads_same_names.csv"
    layout = find_layout(path, head(path), candidates("auto"))
    assert layout.spec.name == "tiktok-ads"
    placed = {layout.header[pos]: f.canonical for pos, f in layout.columns.items()}
    assert placed == {
        "Campaign name": "campaign",
        "Ad Group Name": "ad_group",
        "Ad Name": "ad",
        "Date": "date",
        "Cost": "cost",
        "Impression": "impressions",
        "Clicks (Destination)": "clicks",
        "Conversions": "conversions",
        "Currency": "currency",
    }
    # CPC (Destination), CPM, CTR (Destination) and CPA: recognised, not imported.
    assert {h for h in layout.header if h not in placed} == {
        "CPC (Destination)",
        "CPM",
        "CTR (Destination)",
        "CPA",
    }
    assert all(layout.spec.knows(h) for h in layout.header)


def test_derived_columns_are_not_listed_as_unplaced(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "tiktok.csv"
    path.write_text(
        "Campaign name,Ad Group Name,Ad Name,Date,Spent money,CPC (Destination),CPM,Impression,"
        "CTR (Destination),CPA,Currency\nA,B,C,2025-03-01,100,1,2,300,0.3%,0,IDR\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        import_file(warehouse, path, ImportOptions())
    message = str(caught.value)
    assert "TikTok" in message and "'Cost'" in message
    unplaced = message.split("headers it could not place:")[1].splitlines()[0]
    assert "'Spent money'" in unplaced
    for derived in ("CPC", "CPM", "CTR", "CPA"):
        assert derived not in unplaced


def test_yektanet_with_the_persian_headers_the_docs_list_is_yektanet(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "yektanet.csv"
    path.write_text(
        "تاریخ,کمپین,هزینه,نمایش,کلیک\n۱۴۰۳/۱۲/۱۱,حراج,۱۲۵۰۰۰۰,۲۵۰۰۰,۱۲۰\n", encoding="utf-8"
    )
    report = import_file(warehouse, path, ImportOptions(currency="IRR"))
    assert report.source == "yektanet"
    assert rows(warehouse, "SELECT platform, channel, date, cost FROM ad_performance") == [
        ("yektanet", "display", __import__("datetime").date(2025, 3, 1), 1_250_000.0)
    ]


def test_persian_google_ads_report_with_its_title_lines_is_google_ads(tmp_path: Path) -> None:
    """The same five Persian headers under Google Ads' title and date-range lines are Google
    Ads: the file's shape settles what the headers alone cannot."""
    path = tmp_path / "google.csv"
    path.write_text(
        "گزارش کمپین\n۱ مارس ۲۰۲۵ - ۱ مارس ۲۰۲۵\nروز,کمپین,هزینه,نمایش,کلیک\n"
        "2025-03-01,جستجو,10,100,5\n",
        encoding="utf-8",
    )
    assert find_layout(path, head(path), candidates("auto")).spec.name == "google-ads"
    # A title line that states no dates is not Google Ads' shape: still Yektanet's file.
    titled = tmp_path / "yektanet_titled.csv"
    titled.write_text(
        "گزارش کمپین‌ها\nتاریخ,کمپین,هزینه,نمایش,کلیک\n۱۴۰۳/۱۲/۱۱,حراج,۱۰,۱۰۰,۵\n",
        encoding="utf-8",
    )
    assert find_layout(titled, head(titled), candidates("auto")).spec.name == "yektanet"


# --- messages that name only what applies ----------------------------------------------------


def test_data_rows_are_never_taken_for_headers(warehouse: Warehouse, tmp_path: Path) -> None:
    """A CRM export fits no layout; its data rows hold words that are also export headers
    ('Total', 'Name', 'Email', 'Subtotal'), but the message names its header row only."""
    path = tmp_path / "crm.csv"
    path.write_text(
        "Lead ID,Full name,Lifecycle stage,Owner,Created\n"
        "L-1,Sara Ahmadi,Lead,Ali,2025-03-01\n"
        "L-2,Total,Subtotal,Name,Email\n"
        "L-3,Name,Email,Created at,Subtotal\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        import_file(warehouse, path, ImportOptions())
    message = str(caught.value)
    assert "line 1" in message and "line 3" not in message and "line 4" not in message
    assert "Shopify" not in message and "'Subtotal'" not in message


def test_a_report_without_days_gets_its_own_platforms_hint(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    google = tmp_path / "google.csv"
    google.write_text(
        'Campaign report\n"March 1, 2025 - March 31, 2025"\n'
        "Campaign,Currency code,Impr.,Clicks,Cost\nA,USD,100,10,5\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        import_file(warehouse, google, ImportOptions())
    assert caught.value.code == "not_daily"
    assert "In Google Ads add the segment Time → Day" in str(caught.value)
    assert "TikTok" not in str(caught.value)

    linkedin = tmp_path / "linkedin.csv"
    linkedin.write_text(
        "Campaign Performance Report (in UTC)\nReport Start: 03/01/2025, Report End: 03/02/2025\n"
        "\nStart Date (in UTC),End Date (in UTC),Campaign Name,Currency,Total Spent,Impressions,"
        "Clicks\n03/01/2025,03/02/2025,A,USD,5,100,10\n",
        encoding="utf-8",
    )
    report = import_file(warehouse, linkedin, ImportOptions())
    (bad,) = report.rejected
    assert "Campaign Manager" in bad.message and "Breakdown → By time" not in bad.message


def test_core_messages_name_no_command_line_option(warehouse: Warehouse, tmp_path: Path) -> None:
    unknown = tmp_path / "odd.csv"
    unknown.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    no_currency = HEADERS / "yektanet_fa.csv"
    for path in (unknown, no_currency):
        with pytest.raises(DataError) as caught:
            import_file(warehouse, path, ImportOptions())
        assert "--" not in str(caught.value), str(caught.value)
        assert caught.value.code in ("unrecognised_layout", "no_currency")


@pytest.mark.parametrize("lang", LANGUAGES["google-ads"])
def test_google_ads_in_every_language_gives_the_same_numbers(
    warehouse: Warehouse, lang: str
) -> None:
    """The same two days in five UI languages: 1,204 + 1,100 impressions (German '1.204' is
    read with the file's decimal comma, not as 1.204), 84 + 70 clicks, 123.48 + 105.00 cost,
    4 + 0 conversions ('--' is Google's zero), 405 + 0 value."""
    report = import_file(warehouse, HEADERS / f"google_ads_{lang}.csv", ImportOptions())
    assert (report.accepted, report.quarantined) == (2, 0)
    assert rows(
        warehouse,
        "SELECT sum(impressions), sum(clicks), round(sum(cost), 2), sum(conversions), "
        "sum(conversion_value), min(channel) FROM ad_performance",
    ) == [(2304, 154, 228.48, 4.0, 405.0, "search")]
