"""A platform export imported without a mapping is not told to change "the mapping": its
ambiguous dates and decimal separators point to a mapping file it could be given (issue 7 §1:
messages name only what applies). On a real-shaped Yektanet report (English headers, M/D/YYYY
dates whose days are all 12 or less)."""

from __future__ import annotations

from pathlib import Path

from shakhes.data.warehouse import Warehouse
from shakhes.imports.pipeline import ImportOptions, import_file

REPORT = """Date,Campaign,Cost,Impression,Click,Ad Group,Creative,Sessions,Lead
3/1/2025,Nowruz Sale,12500000,250000,1200,Retargeting,Banner A,950,14
3/2/2025,Nowruz Sale,8300000,180000,640,Retargeting,Banner B,500,6
20250303,Nowruz Sale,"13,100,000",262000,1310,Retargeting,Banner A,1010,17
"""


def test_ambiguous_dates_of_a_platform_export_point_to_a_mapping_file(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = tmp_path / "yektanet.csv"
    path.write_text(REPORT, encoding="utf-8")

    report = import_file(warehouse, path, ImportOptions(currency="IRR"))

    assert (report.source, report.accepted) == ("yektanet", 1)
    reasons = [bad.message for bad in report.rejected]
    assert [bad.line for bad in report.rejected] == [2, 3]
    assert reasons[0] == (
        "ambiguous date: 3/1/2025 could be 3 January or 1 March — set date_format in a mapping file"
    )
    assert all("the mapping" not in r for r in reasons)
