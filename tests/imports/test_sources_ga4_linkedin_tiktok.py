"""LinkedIn Campaign Manager, TikTok Ads Manager and GA4 UI exports, end to end: recognised with
``--source auto``, every number checked against the fixture's own cells and totals, a bad row
quarantined, a report that is not daily refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.imports import FIXTURES, rows

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, import_file
from shakhes.imports.sources.ga4 import channel_of, channel_of_group, split_medium, split_source

D1, D2 = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
EUR = ImportOptions(currency="EUR")


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8-sig")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


AD_COLUMNS = (
    "date, campaign_id, campaign, ad_group, ad, impressions, clicks, cost, conversions, "
    "conversion_value, reach, video_views, leads"
)


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("linkedin_campaign_daily.csv", "linkedin-ads"),
        ("tiktok_ad_daily.csv", "tiktok-ads"),
        ("ga4_snapshot_stacked.csv", "ga4"),
        ("ga4_channels_nth_day.csv", "ga4"),
        ("ga4_de_daily.csv", "ga4"),
        ("google_ads_campaign_day.csv", "google-ads"),
        ("meta_daily.csv", "meta-ads"),
    ],
)
def test_auto_detection_tells_the_layouts_apart(
    warehouse: Warehouse, name: str, source: str
) -> None:
    report = import_file(warehouse, FIXTURES / name, ImportOptions(dry_run=True, currency="EUR"))
    assert report.source == source
    named = import_file(
        warehouse, FIXTURES / name, ImportOptions(dry_run=True, currency="EUR", source=source)
    )
    assert named.accepted == report.accepted


# --- LinkedIn -------------------------------------------------------------------------------


def test_linkedin_export_round_trips_to_its_own_total_row(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "linkedin_campaign_daily.csv", ImportOptions())
    assert (report.source, report.table) == ("linkedin-ads", "ad_performance")
    assert (report.rows_read, report.accepted, report.quarantined) == (5, 4, 0)
    assert report.summary_rows == 1 and report.warnings == ()
    assert report.date_range == (D1, D2)
    # The Total row: spent 2,489.85, impressions 26,500, landing-page clicks 333.
    assert report.totals == {
        "impressions": 26500.0,
        "clicks": 333.0,
        "cost": pytest.approx(2489.85),
        "conversions": 24.0,
        "conversion_value": 7200.0,
    }
    assert rows(warehouse, f"SELECT {AD_COLUMNS} FROM ad_performance ORDER BY ALL") == [
        (D1, "612345678", "Decision makers - EMEA", "(not set)", None, 10000, 150, 1234.5, 12.0,
         3600.0, None, None, None),
        (D1, "612345679", "Retargeting - Site visitors", "(not set)", None, 2500, 30, 110.25, 2.0,
         600.0, None, None, None),
        (D2, "612345678", "Decision makers - EMEA", "(not set)", None, 9800, 141, 1050.0, 10.0,
         3000.0, None, None, None),
        (D2, "612345680", "Video - Product tour", "(not set)", None, 4200, 12, 95.1, 0.0, 0.0,
         None, None, None),
    ]  # fmt: skip
    assert rows(
        warehouse, "SELECT DISTINCT platform, account, channel, currency FROM ad_performance"
    ) == [("linkedin", "Acme B2B", "social", "USD")]


def test_linkedin_falls_back_to_all_clicks_and_reads_leads(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "leadgen.csv",
        "Campaign Performance Report (in UTC)\n"
        "Report Start: 9/1/2026, Report End: 9/1/2026\n\n"
        "Start Date (in UTC),Account Name,Campaign Group Name,Campaign Name,Campaign ID,"
        "Currency,Total Spent,Impressions,Clicks,Leads\n"
        '9/1/2026,Acme B2B,Lead gen,CFO form,700000001,EUR,"1,020.40","8,500",97,14\n',
    )
    report = import_file(warehouse, path, ImportOptions())
    assert (report.source, report.accepted) == ("linkedin-ads", 1)
    assert rows(warehouse, "SELECT date, clicks, leads, cost, currency FROM ad_performance") == [
        (D1, 97, 14, 1020.4, "EUR")
    ]


def test_linkedin_bad_row_is_quarantined_and_the_total_row_disagrees(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    text = fixture_text("linkedin_campaign_daily.csv")
    bad = text.replace('110.25,"2,500",44,30', "110.25,20,44,30")
    assert bad != text
    report = import_file(warehouse, write(tmp_path, "li.csv", bad), ImportOptions())
    assert (report.accepted, report.quarantined) == (3, 1)
    [(line, column, value, reason)] = [
        (r[2], r[3], r[4], r[5]) for r in Ledger(warehouse).quarantine()
    ]
    assert (line, column, value) == (6, "clicks", "30")
    assert "more clicks than impressions" in reason
    # The Total row still counts the quarantined row: impressions, clicks and cost disagree.
    assert [w.split(" = ")[0].rsplit(" ", 1)[1] for w in report.warnings] == [
        "impressions",
        "clicks",
        "cost",
    ]
    assert "impressions = 26,500 but" in report.warnings[0]
    assert "add up to 24,000 " in report.warnings[0]
    assert "1 row(s) were quarantined" in report.warnings[0]


def test_linkedin_report_without_days(warehouse: Warehouse, tmp_path: Path) -> None:
    header = (
        "Account Name,Campaign Name,Campaign ID,Currency,Total Spent,Impressions,"
        "Clicks,Clicks to Landing Page\n"
    )
    body = "Acme B2B,CFO form,700000001,USD,100.00,1000,30,20\n"
    one_day = "Report Start: 09/03/2026, Report End: 09/03/2026\n"
    path = write(
        tmp_path, "one.csv", "Campaign Performance Report (in UTC)\n" + one_day + header + body
    )
    report = import_file(warehouse, path, ImportOptions())
    assert report.date_range == (dt.date(2026, 9, 3), dt.date(2026, 9, 3))
    month = "Report Start: 09/01/2026, Report End: 09/30/2026\n"
    path = write(
        tmp_path, "month.csv", "Campaign Performance Report (in UTC)\n" + month + header + body
    )
    with pytest.raises(DataError, match="not broken down by day") as info:
        import_file(warehouse, path, ImportOptions())
    assert "2026-09-01 to 2026-09-30" in str(info.value)
    assert "Time breakdown → Daily" in str(info.value)


# --- TikTok ---------------------------------------------------------------------------------


def test_tiktok_export_round_trips_reading_masked_impressions_as_their_bound(
    warehouse: Warehouse,
) -> None:
    report = import_file(warehouse, FIXTURES / "tiktok_ad_daily.csv", ImportOptions())
    assert (report.source, report.table) == ("tiktok-ads", "ad_performance")
    assert (report.rows_read, report.accepted, report.quarantined) == (5, 4, 0)
    # "Total of 4 results" says 242,004 impressions: the masked "<5" is read as 5 (1 more than
    # TikTok counted), well within the total check's tolerance.
    assert report.summary_rows == 1
    # The export has no conversion value column: 0, and the report says so.
    (warning,) = report.warnings
    assert warning.startswith("the file has no conversion value column")
    assert report.date_range == (D1, D2)
    assert report.totals == {
        "impressions": 242005.0,
        "clicks": 2556.0,
        "cost": pytest.approx(2564.05),
        "conversions": 74.0,
        "conversion_value": 0.0,
    }
    assert rows(warehouse, f"SELECT {AD_COLUMNS} FROM ad_performance ORDER BY ALL") == [
        (D1, "Autumn sale - TopView", "Autumn sale - TopView", "Women 18-24", "Spark ad A",
         120000, 1276, 1250.4, 38.0, 0.0, 95000, 41200, None),
        (D1, "Autumn sale - TopView", "Autumn sale - TopView", "Women 18-24", "Spark ad B",
         5, 0, 3.1, 0.0, 0.0, 4, 2, None),
        (D2, "Autumn sale - TopView", "Autumn sale - TopView", "Women 18-24", "Spark ad A",
         110000, 1100, 1100.0, 30.0, 0.0, 88000, 39000, None),
        (D2, "Retargeting - In-feed", "Retargeting - In-feed", "Site visitors 30d", "Carousel C",
         12000, 180, 210.55, 6.0, 0.0, 7500, 3800, None),
    ]  # fmt: skip
    assert rows(
        warehouse, "SELECT DISTINCT platform, account, channel, currency FROM ad_performance"
    ) == [("tiktok", "(not set)", "social", "USD")]
    # Video views = 2-second views: 41,200 + 2 + 39,000 + 3,800.
    assert rows(warehouse, "SELECT sum(video_views) FROM ad_performance") == [(84002,)]


def test_tiktok_prefers_video_views_and_falls_back_to_all_clicks(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "tt.csv",
        "By Day,Campaign name,Ad group name,Currency,Cost,Impressions,Clicks (all),"
        "Video views,2-second video views\n"
        '2026-09-01,Always on,Broad,EUR,"1,000.00","50,000",900,"20,000","12,000"\n',
    )
    report = import_file(warehouse, path, ImportOptions())
    assert report.source == "tiktok-ads"
    assert rows(warehouse, "SELECT clicks, video_views, ad FROM ad_performance") == [
        (900, 20000, None)
    ]


def test_tiktok_bad_row_is_quarantined(warehouse: Warehouse, tmp_path: Path) -> None:
    text = fixture_text("tiktok_ad_daily.csv")
    bad = text.replace("<5,0,0.00%", "<5,9,0.00%")
    assert bad != text
    report = import_file(warehouse, write(tmp_path, "tt.csv", bad), ImportOptions())
    assert (report.accepted, report.quarantined) == (3, 1)
    [(line, column, value, reason)] = [
        (r[2], r[3], r[4], r[5]) for r in Ledger(warehouse).quarantine()
    ]
    assert (line, column, value) == (3, "clicks", "9")
    assert "more clicks than impressions" in reason
    assert rows(warehouse, "SELECT count(*) FROM ad_performance WHERE ad = 'Spark ad B'") == [(0,)]


def test_tiktok_report_without_by_day_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "lifetime.csv",
        "Campaign name,Ad group name,Currency,Cost,Impressions,Clicks (destination)\n"
        '"Autumn sale - TopView",Women 18-24,USD,"2,353.50","230,005","2,376"\n',
    )
    with pytest.raises(DataError, match="not broken down by day") as info:
        import_file(warehouse, path, ImportOptions())
    assert "TikTok" in str(info.value)


# --- GA4 ------------------------------------------------------------------------------------

GA4_COLUMNS = (
    "date, source, medium, channel, campaign, device, sessions, engaged_sessions, users, "
    "new_users, page_views, key_events, revenue"
)


def test_ga4_stacked_export_imports_the_daily_table_and_names_the_others(
    warehouse: Warehouse,
) -> None:
    report = import_file(warehouse, FIXTURES / "ga4_snapshot_stacked.csv", EUR)
    assert (report.source, report.table) == ("ga4", "web_traffic")
    # 6 rows and the Grand total row of the table on line 23; the "Nth day, Active users" table
    # (line 10) lacks sessions, the channel-group table (line 41) has more columns but no day.
    assert (report.rows_read, report.accepted, report.quarantined, report.summary_rows) == (
        7,
        6,
        0,
        1,
    )
    assert report.warnings == (
        "the file holds 3 tables: imported the one with its header on line 23, "
        "skipped the one(s) on line(s) 10, 41",
    )
    assert report.date_range == (D1, D2)
    # The Grand total row: 4,182 sessions, 123 key events, 7,100.75 revenue.
    assert report.totals == {"sessions": 4182.0, "key_events": 123.0, "revenue": 7100.75}
    assert rows(warehouse, f"SELECT {GA4_COLUMNS} FROM web_traffic ORDER BY ALL") == [
        (D1, "(direct)", "(none)", "direct", "(direct)", "mobile", 415, 230, 380, 120, 990, 6,
         240.0),
        (D1, "google", "cpc", "search", "autumn_sale", "mobile", 1204, 802, 1010, 640, 3850, 41,
         2450.5),
        (D1, "google", "organic", "organic_search", "(organic)", "desktop", 860, 601, 712, 305,
         2960, 22, 1310.0),
        (D1, "l.instagram.com", "referral", "organic_social", "(referral)", "mobile", 233, 98,
         210, 150, 401, 1, 0.0),
        (D2, "google", "cpc", "search", "autumn_sale", "mobile", 1150, 770, 980, 610, 3700, 38,
         2200.0),
        (D2, "newsletter", "email", "email", "sept_newsletter", "desktop", 320, 250, 290, 40,
         1100, 15, 900.25),
    ]  # fmt: skip
    assert rows(
        warehouse,
        "SELECT sum(engaged_sessions), sum(new_users), sum(page_views), min(currency), "
        "max(currency) FROM web_traffic",
    ) == [(2751, 1865, 13001, "EUR", "EUR")]


def test_ga4_nth_day_counts_from_the_start_date_and_maps_channel_groups(
    warehouse: Warehouse,
) -> None:
    report = import_file(warehouse, FIXTURES / "ga4_channels_nth_day.csv", EUR)
    assert (report.source, report.accepted, report.quarantined, report.warnings) == (
        "ga4",
        5,
        0,
        (),
    )
    assert report.date_range == (D1, D2)
    assert report.totals == {"sessions": 1250.0, "key_events": 20.0, "revenue": 735.5}
    assert rows(warehouse, f"SELECT {GA4_COLUMNS} FROM web_traffic ORDER BY ALL") == [
        (D1, "(not set)", "(not set)", "other", "(not set)", "(not set)", 12, 2, 12, 12, 14, 0,
         0.0),
        (D1, "instagram", "paid_social", "social", "(not set)", "(not set)", 512, 300, 470, 401,
         1020, 9, 310.0),
        (D1, "youtube.com", "referral", "video", "(not set)", "(not set)", 88, 51, 80, 60, 140,
         0, 0.0),
        (D2, "instagram", "paid_social", "social", "(not set)", "(not set)", 498, 290, 455, 390,
         990, 7, 245.5),
        (D2, "partner-network", "affiliate", "affiliate", "(not set)", "(not set)", 140, 95, 130,
         88, 260, 4, 180.0),
    ]  # fmt: skip


def test_ga4_german_headers(warehouse: Warehouse) -> None:
    report = import_file(warehouse, FIXTURES / "ga4_de_daily.csv", ImportOptions(currency="eur"))
    assert (report.source, report.accepted, report.quarantined) == ("ga4", 3, 0)
    day = dt.date(2026, 9, 5)
    assert rows(warehouse, f"SELECT {GA4_COLUMNS}, currency FROM web_traffic ORDER BY ALL") == [
        (day, "(direct)", "(none)", "direct", "(not set)", "mobile", 150, 70, 140, 30, 300, 1,
         55.0, "EUR"),
        (day, "google", "cpc", "search", "(not set)", "mobile", 380, 230, 350, 260, 990, 9,
         610.0, "EUR"),
        (day, "google", "organic", "organic_search", "(not set)", "desktop", 640, 410, 590, 210,
         2210, 12, 845.2, "EUR"),
    ]  # fmt: skip


def test_ga4_needs_a_currency(warehouse: Warehouse) -> None:
    with pytest.raises(DataError, match="does not say which currency") as caught:
        import_file(warehouse, FIXTURES / "ga4_de_daily.csv", ImportOptions())
    assert caught.value.code == "no_currency" and "--" not in str(caught.value)
    assert rows(warehouse, "SELECT count(*) FROM web_traffic") == [(0,)]


GA4_NO_DAY = (
    "# ----------------------------------------\n"
    "# Traffic acquisition: Session source / medium\n"
    "# ----------------------------------------\n"
    "# Start date: {start}\n"
    "# End date: {end}\n"
    "Session source / medium,Device category,Sessions,Engaged sessions,Total users,New users,"
    "Views,Key events,Total revenue\n"
    'google / cpc,mobile,"2,354","1,572","1,890","1,250","7,550",79,"4,650.50"\n'
    "google / organic,desktop,860,601,712,305,2960,22,1310\n"
)


def test_ga4_table_without_a_day_is_refused_unless_it_covers_one_day(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    month = write(tmp_path, "month.csv", GA4_NO_DAY.format(start="20260901", end="20260930"))
    with pytest.raises(DataError, match="not broken down by day") as info:
        import_file(warehouse, month, EUR)
    assert "2026-09-01 to 2026-09-30" in str(info.value) and "dimension Date" in str(info.value)
    one = write(tmp_path, "one.csv", GA4_NO_DAY.format(start="20260903", end="20260903"))
    report = import_file(warehouse, one, EUR)
    assert report.accepted == 2
    assert rows(
        warehouse, "SELECT date, source, medium, channel, sessions FROM web_traffic ORDER BY ALL"
    ) == [
        (dt.date(2026, 9, 3), "google", "cpc", "search", 2354),
        (dt.date(2026, 9, 3), "google", "organic", "organic_search", 860),
    ]


def test_ga4_nth_day_without_a_start_date_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    text = fixture_text("ga4_channels_nth_day.csv")
    path = write(tmp_path, "cut.csv", "\n".join(x for x in text.splitlines() if "date:" not in x))
    with pytest.raises(DataError, match="Nth day"):
        import_file(warehouse, path, EUR)


def test_ga4_bad_row_is_quarantined(warehouse: Warehouse, tmp_path: Path) -> None:
    text = fixture_text("ga4_channels_nth_day.csv")
    bad = text.replace(
        "0001,Affiliates,partner-network,affiliate,140,95",
        "0001,Affiliates,partner-network,affiliate,140,195",
    )
    assert bad != text
    report = import_file(warehouse, write(tmp_path, "bad.csv", bad), EUR)
    assert (report.accepted, report.quarantined) == (4, 1)
    [(line, column, value, reason)] = [
        (r[2], r[3], r[4], r[5]) for r in Ledger(warehouse).quarantine()
    ]
    assert (line, column, value) == (14, "engaged_sessions", "195")
    assert "more engaged sessions than sessions" in reason
    assert rows(warehouse, "SELECT sum(sessions) FROM web_traffic") == [(1250 - 140,)]


def test_ga4_channel_group_only_table_is_refused_for_repeating_keys(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "channels.csv",
        "# Start date: 20260901\n# End date: 20260901\n"
        "Date,Session default channel group,Sessions,Engaged sessions,Users,New users,Views,"
        "Key events,Total revenue\n"
        "20260901,Direct,10,5,9,4,20,0,0\n"
        "20260901,Organic Search,20,15,18,6,40,1,10\n",
    )
    with pytest.raises(DataError, match="repeat the natural key") as info:
        import_file(warehouse, path, EUR)
    assert "day × source × medium × campaign × device" in str(info.value)


@pytest.mark.parametrize(
    ("source_medium", "channel"),
    [
        ("google / cpc", "search"),
        ("facebook.com / cpc", "social"),
        ("youtube / cpc", "video"),
        ("google / organic", "organic_search"),
        ("m.facebook.com / referral", "organic_social"),
        ("(direct) / (none)", "direct"),
        ("news.example / referral", "referral"),
        ("mailchimp / email", "email"),
        ("gdn / display", "display"),
        ("awin / affiliate", "affiliate"),
        ("(not set)", "other"),
    ],
)
def test_ga4_channel_rule_without_a_channel_group(source_medium: str, channel: str) -> None:
    source, medium = split_source(source_medium) or "", split_medium(source_medium) or ""
    assert channel_of(source, medium) == channel


def test_ga4_channel_groups() -> None:
    assert [
        channel_of_group(g)
        for g in ("Organic Search", "paid search", "Paid Social", "Organic Social", "Direct")
    ] == ["organic_search", "search", "social", "organic_social", "direct"]
    assert [
        channel_of_group(g)
        for g in ("Referral", "Email", "Display", "Paid Video", "Organic Video", "Affiliates")
    ] == ["referral", "email", "display", "video", "video", "affiliate"]
    assert channel_of_group("Cross-network") == channel_of_group("Unassigned") == "other"
