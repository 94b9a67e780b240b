"""A platform export imported without a mapping is not told to change "the mapping": its
ambiguous dates and decimal separators point to a mapping file it could be given (issue 7 §1:
messages name only what applies). On a real-shaped Yektanet report (English headers, M/D/YYYY
dates whose days are all 12 or less)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
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


CRM = Path(__file__).parent / "fixtures/crm"


@pytest.mark.parametrize(
    "name",
    [
        "hubspot_contacts.csv",  # its Email column is no Shopify order export
        "salesforce_leads.csv",
        "leads_fa.csv",  # its کمپین column is no Yektanet report
        "shopify_customers.csv",  # its Total Spent column is no LinkedIn report
        "woocommerce_customers.csv",
    ],
)
def test_a_crm_export_is_not_said_to_look_like_a_platform_layout(
    warehouse: Warehouse, name: str
) -> None:
    """Contact, lead and customer lists share a column or two with an ad or shop layout (an
    e-mail, a campaign, a total spent); the refusal names their header row and no layout whose
    columns they mostly lack — the hint then points to a mapping file."""
    path = CRM / name
    with pytest.raises(DataError) as info:
        import_file(warehouse, path, ImportOptions(currency="USD"))
    message = str(info.value)
    assert "look most like" not in message, message
    first_header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")[0].strip('"')
    assert f"line 1 looks like a header: '{first_header}'" in message, message
    assert info.value.code == "unrecognised_layout"


def test_a_shop_export_lacking_one_column_still_names_its_layout(warehouse: Warehouse) -> None:
    with pytest.raises(DataError) as info:
        import_file(warehouse, CRM / "shop_orders.csv", ImportOptions(currency="USD"))
    message = str(info.value)
    assert "look most like the WooCommerce order export layout" in message
    assert "required column(s) 'Order Total' are missing" in message
