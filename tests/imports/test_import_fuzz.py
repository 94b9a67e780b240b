"""Any file ends in an import or a clear error — never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.data.warehouse import Warehouse
from shakhes.errors import ShakhesError
from shakhes.imports.pipeline import ImportOptions, import_file

HEADERS = [
    "Day",
    "Campaign",
    "Currency code",
    "Impr.",
    "Clicks",
    "Cost",
    "Reporting starts",
    "Amount spent (USD)",
    "Impressions",
    "Campaign name",
    "Date",
    "Sessions",
    "Total",
    "Name",
    "Created at",
    "Subtotal",
    "By Day",
    "تاریخ",
    "کمپین",
    "هزینه",
    "",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "2026-09-01",
            "20260901",
            "9/1/2026",
            "۱۴۰۵/۰۶/۱۰",
            "45292",
            "--",
            "",
            "1,234.56",
            "1.234,56",
            "< 10%",
            "-5",
            "1e400",
            "USD",
            "Total: Account",
            "abc",
            "0",
            "12",
            "\ufeff",
            '"',
            "7.00%",
        ]
    ),
    st.text(max_size=12),
)
WAREHOUSE = Warehouse.connect("duckdb://")
WAREHOUSE.ensure_schema()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=6),
    preamble=st.lists(st.text(max_size=20), max_size=2),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_export_is_imported_or_refused_clearly(
    header: list[str], rows: list[list[str]], preamble: list[str], delimiter: str
) -> None:
    def line(cells: list[str]) -> str:
        return delimiter.join('"' + c.replace('"', '""') + '"' for c in cells)

    text = "\n".join([*preamble, line(header), *(line(r) for r in rows)]) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text(text, encoding="utf-8")
        try:
            import_file(WAREHOUSE, path, ImportOptions(currency="USD", dry_run=True))
        except ShakhesError:
            pass


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(
        [
            (
                "google-ads",
                [
                    "Day",
                    "Campaign",
                    "Campaign type",
                    "Currency code",
                    "Impr.",
                    "Clicks",
                    "Cost",
                    "Conversions",
                ],
            ),
            (
                "meta-ads",
                [
                    "Reporting starts",
                    "Reporting ends",
                    "Campaign name",
                    "Ad set name",
                    "Amount spent (EUR)",
                    "Impressions",
                    "Link clicks",
                    "Results",
                    "Result indicator",
                    "Reach",
                ],
            ),
            ("yektanet", ["Date", "Campaign", "Cost", "Impression", "Click", "Ad Group"]),
            (
                "shopify",
                [
                    "Name",
                    "Email",
                    "Financial Status",
                    "Created at",
                    "Subtotal",
                    "Total",
                    "Currency",
                ],
            ),
        ]
    ),
    rows=st.lists(st.lists(CELLS, min_size=3, max_size=10), min_size=1, max_size=8),
)
def test_rows_of_any_content_under_a_real_header(
    source: tuple[str, list[str]], rows: list[list[str]]
) -> None:
    name, header = source
    text = (
        "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in [header, *rows])
        + "\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text(text, encoding="utf-8")
        try:
            report = import_file(
                WAREHOUSE, path, ImportOptions(source=name, currency="USD", dry_run=True)
            )
        except ShakhesError:
            return
        assert (
            report.accepted
            + report.quarantined
            + report.summary_rows
            + sum(n for _, n in report.skipped)
            == report.rows_read
        )
