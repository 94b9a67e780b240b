"""Parquet, JSON lines and XLSX take the straight path of canonical CSV: a clean file is read
by DuckDB straight into its table; a file with a value the general way would read otherwise or
reject goes the general way, which quarantines each bad row at its record (or sheet row)
number. Either way the outcome is the same: the hypothesis tests compare both ways."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.imports import imported_one_way, rows
from support.warehouses import empty, in_memory_warehouse

from shakhes.data.warehouse import Warehouse
from shakhes.errors import DataError
from shakhes.imports.ledger import Ledger
from shakhes.imports.pipeline import ImportOptions, Step, import_file
from shakhes.web.data import reason_text

COLUMNS = (
    "date", "platform", "account", "channel", "campaign_id", "campaign", "ad_group", "ad",
    "currency", "impressions", "clicks", "cost", "conversions", "conversion_value",
)  # fmt: skip


def record(day: int = 1, campaign: str = "c1", **cells: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "date": dt.date(2026, 9, day),
        "platform": "google_ads",
        "account": "a",
        "channel": "search",
        "campaign_id": campaign,
        "campaign": "Brand",
        "ad_group": "g",
        "ad": None,
        "currency": "USD",
        "impressions": 100,
        "clicks": 10,
        "cost": 5.5,
        "conversions": 1.0,
        "conversion_value": 10.0,
    }
    return {**base, **cells}


def parquet(path: Path, records: list[dict[str, Any]], types: dict[str, pa.DataType]) -> Path:
    schema = pa.schema([(c, types.get(c, _default_type(c))) for c in COLUMNS])
    pq.write_table(pa.Table.from_pylist(records, schema=schema), path)
    return path


def _default_type(column: str) -> pa.DataType:
    if column == "date":
        return pa.date32()
    if column in ("impressions", "clicks"):
        return pa.int64()
    if column in ("cost", "conversions", "conversion_value"):
        return pa.float64()
    return pa.string()


def jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    lines = [json.dumps(r, default=str, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xlsx(path: Path, records: list[dict[str, Any]]) -> Path:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for r in records:
        sheet.append([r[c] for c in COLUMNS])
    book.save(path)
    return path


@pytest.fixture()
def straight_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the file is read the general way."""
    from shakhes.imports.pipeline import importer

    def refuse(*args: object) -> None:
        raise AssertionError("the general way ran")

    monkeypatch.setattr(importer, "batches", refuse)


def stored(warehouse: Warehouse) -> list[tuple[object, ...]]:
    return rows(
        warehouse,
        "SELECT date, campaign_id, clicks, cost, _import_id FROM ad_performance ORDER BY 1, 2",
    )


def quarantined(warehouse: Warehouse) -> list[tuple[object, ...]]:
    return [r[2:6] for r in Ledger(warehouse).quarantine()]


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "xlsx"])
def test_a_clean_file_goes_straight_in_is_logged_and_undone(
    warehouse: Warehouse, tmp_path: Path, straight_only: None, kind: str
) -> None:
    records = [record(1), record(2, cost=7.25), record(2, "c2", clicks=0)]
    path = tmp_path / f"ads.{kind}"
    {"parquet": lambda: parquet(path, records, {}), "jsonl": lambda: jsonl(path, records)}.get(
        kind, lambda: xlsx(path, records)
    )()
    steps: list[Step] = []
    report = import_file(
        warehouse, path, ImportOptions(source="canonical", strict=True, progress=steps.append)
    )
    assert (report.import_id, report.rows_read, report.accepted, report.quarantined) == (1, 3, 3, 0)
    assert report.totals["cost"] == 18.25 and report.totals["clicks"] == 20
    assert stored(warehouse) == [
        (dt.date(2026, 9, 1), "c1", 10, 5.5, 1),
        (dt.date(2026, 9, 2), "c1", 10, 7.25, 1),
        (dt.date(2026, 9, 2), "c2", 0, 5.5, 1),
    ]
    assert [s.phase for s in steps][-2:] == ["checking", "merging"]
    assert Ledger(warehouse).recent()[0].sha256 and Ledger(warehouse).recent()[0].accepted == 3
    Ledger(warehouse).undo(1)
    assert stored(warehouse) == []


def test_parquet_negative_and_fractional_counts_are_quarantined_at_their_record(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    records = [record(1), record(2, clicks=-3), record(3, impressions=1.5), record(4)]
    path = parquet(tmp_path / "a.parquet", records, {"impressions": pa.float64()})
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.rows_read, report.accepted, report.quarantined) == (4, 2, 2)
    assert quarantined(warehouse) == [
        (2, "clicks", "-3", "clicks is negative"),
        (3, "impressions", "1.5", "not a whole number"),
    ]
    assert [r[0].day for r in stored(warehouse)] == [1, 4]  # type: ignore[attr-defined]


def test_parquet_text_numbers_the_general_way_reads(warehouse: Warehouse, tmp_path: Path) -> None:
    """'1,000' in a text column of a Parquet file cannot be cast by DuckDB as it is; the
    general way reads it (thousands separator) — so the file goes that way, and is stored."""
    records = [record(1, impressions="1,000"), record(2, impressions="250")]
    path = parquet(tmp_path / "a.parquet", records, {"impressions": pa.string()})
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.accepted, report.quarantined) == (2, 0)
    assert rows(warehouse, "SELECT impressions FROM ad_performance ORDER BY date") == [
        (1000,),
        (250,),
    ]


def test_a_timestamp_date_column_goes_the_general_way(shared: Warehouse, tmp_path: Path) -> None:
    """A TIMESTAMP is not a day: the column does not fit, and the general way decides."""
    records = [record(1, date=dt.datetime(2026, 9, 1, 0, 0))]
    path = parquet(tmp_path / "a.parquet", records, {"date": pa.timestamp("s")})
    assert imported_one_way(shared, path, True) == imported_one_way(shared, path, False)


def test_jsonl_bad_value_is_quarantined_at_its_record_number(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps(record(1), default=str),
        "",
        json.dumps(record(2, channel="serch"), default=str),
        json.dumps(record(3), default=str),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.accepted, report.quarantined) == (2, 1)
    assert quarantined(warehouse) == [
        (2, "channel", "serch", "unknown channel — did you mean 'search'?")
    ]


def test_jsonl_a_column_the_first_records_lack_is_not_passed_over(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    from shakhes.imports import readers

    records = [record(d) for d in range(1, 4)]
    for r in records[:2]:
        del r["ad"]
    records[2]["ad"] = "Video A"
    path = jsonl(tmp_path / "a.jsonl", records)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(readers.jsonl, "JSONL_HEADER_RECORDS", 2)
        with pytest.raises(DataError, match="not in the first 2 records"):
            import_file(warehouse, path, ImportOptions(source="canonical"))
    assert stored(warehouse) == []


def test_a_strict_load_of_a_bad_parquet_lists_the_record(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = parquet(tmp_path / "a.parquet", [record(1), record(2, currency="usd ")], {})
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert report.quarantined == 0  # 'usd ' is read as USD by both ways
    with pytest.raises(DataError, match=r"b.parquet:2: column 'clicks'"):
        import_file(
            warehouse,
            parquet(tmp_path / "b.parquet", [record(3), record(4, clicks=200)], {}),
            ImportOptions(source="canonical", strict=True),
        )


# ---- both ways give the same outcome ------------------------------------------------------

TEXTS = {
    "platform": ["google_ads", " google_ads", "google_ads\t", ""],
    "account": ["a", " a ", "\u00a0", "حساب", "\ufeffa", "طھط§ط±غŒط®", None],
    "channel": ["search", "social", " search\n", "serch", ""],
    "campaign_id": ["c1", "c2", "   ", "ك1", "ک1"],
    "campaign": ["Brand", " Brand ", "", "برند\u200c", "Brand\x1f"],
    "ad_group": ["g", "g ", "\u3000g", "", "\u2028g"],
    "ad": ["", "Video A", None],
    "currency": ["USD", "IRR", "usd", "US", "", "EUR "],
}
"""Cells of each column; the first two are clean (a clean row takes only those)."""
NUMBERS: dict[str, list[Any]] = {
    "impressions": [100, 1000, -1, None, 1.5, 2.0, "1e3", "1,000", " 5", "x"],
    "clicks": [10, 0, 200, 2.0, None, "10"],
    "cost": [5.5, 0.1, -5.0, math.nan, math.inf, None, 1e20, "$3", "3.25"],
    "conversions": [1, 0.5, None, 1e-7],
    "conversion_value": [10, 123456789.123, None, -1],
}
DATES: list[Any] = [
    dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(1403, 7, 15), None,
    "2026-09-03", "2026-09-05", "2026-02-30", "09/03/2026", "", "2026-9-4",
]  # fmt: skip


@pytest.fixture(scope="module")
def shared() -> Warehouse:
    """One warehouse for the many imports below, each into it emptied (:func:`empty`)."""
    return in_memory_warehouse()


def _cells(draw: Any, typed: bool, clean: bool) -> dict[str, Any]:
    """A row, of clean cells only if ``clean`` (so that the straight path is taken often)."""

    def pick(values: list[Any]) -> Any:
        return draw(st.sampled_from(values[:2] if clean else values))

    row: dict[str, Any] = {c: pick(v) for c, v in TEXTS.items()}
    row["date"] = pick(DATES if typed else [*(d for d in DATES if isinstance(d, str)), None])
    for c, values in NUMBERS.items():
        row[c] = pick(values)
    return row


@st.composite
def _parquet_case(draw: Any) -> tuple[dict[str, pa.DataType], list[dict[str, Any]]]:
    types: dict[str, pa.DataType] = {
        "date": draw(st.sampled_from([pa.date32(), pa.string()])),
        "campaign_id": draw(st.sampled_from([pa.string(), pa.int64()])),
    }
    for c in NUMBERS:
        types[c] = draw(st.sampled_from([pa.int64(), pa.float64(), pa.string()]))
    records = []
    clean = draw(st.booleans())
    for _ in range(draw(st.integers(1, 5))):
        row = _cells(draw, typed=True, clean=clean)
        row["date"] = _fit(row["date"], types["date"])
        if pa.types.is_integer(types["campaign_id"]):
            row["campaign_id"] = draw(st.sampled_from([1, 2] if clean else [1, 2, -3, None]))
        for c in NUMBERS:
            row[c] = _fit(row[c], types[c])
        records.append(row)
    return types, records


def _fit(value: Any, type_: pa.DataType) -> Any:
    """``value`` as a value of ``type_`` (None where it has none; a fraction cut off)."""
    if value is None:
        return None
    if pa.types.is_string(type_):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if pa.types.is_date(type_):
        return value if isinstance(value, dt.date) else None
    if isinstance(value, str):
        return None
    if pa.types.is_integer(type_):
        return int(value) if math.isfinite(value) and abs(value) < 2**63 else None
    return float(value)


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_parquet_case())
def test_parquet_both_ways_store_the_same(
    shared: Warehouse,
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[dict[str, pa.DataType], list[Any]],
) -> None:
    types, records = case
    path = parquet(tmp_path_factory.mktemp("p") / "ads.parquet", records, types)
    assert imported_one_way(shared, path, True) == imported_one_way(shared, path, False)


@st.composite
def _json_records(draw: Any) -> list[dict[str, Any]]:
    records = []
    clean = draw(st.booleans())
    for _ in range(draw(st.integers(1, 5))):
        row = _cells(draw, typed=False, clean=clean)
        ids = [row["campaign_id"], 7, -3, 1.5, True, {"a": 1}]
        row["campaign_id"] = draw(st.sampled_from(ids[:2] if clean else ids))
        row["ad"] = draw(st.sampled_from([row["ad"]] if clean else [row["ad"], [1, 2], False]))
        if draw(st.booleans()):
            del row["ad"]
        records.append(row)
    return records


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_json_records())
def test_jsonl_both_ways_store_the_same(
    shared: Warehouse, tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]
) -> None:
    path = jsonl(tmp_path_factory.mktemp("j") / "ads.jsonl", records)
    assert imported_one_way(shared, path, True) == imported_one_way(shared, path, False)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_the_cases_above_take_the_straight_path_often(shared: Warehouse, tmp_path: Path) -> None:
    """The comparisons are worth something only if the straight path succeeds in many of them."""
    straight = 0
    for i in range(40):
        if i % 2:
            types, records = _parquet_case().example()
            path = parquet(tmp_path / "ads.parquet", records, types)
        else:
            path = jsonl(tmp_path / "ads.jsonl", _json_records().example())
        try:
            with pytest.MonkeyPatch.context() as mp:
                from shakhes.imports.pipeline import importer

                mp.setattr(importer, "batches", _refuse)
                import_file(empty(shared), path, ImportOptions(source="canonical"))
            straight += 1
        except (_GeneralWay, DataError):
            pass
    assert straight >= 8


class _GeneralWay(Exception):
    pass


def _refuse(*args: object) -> None:
    raise _GeneralWay


def test_the_spaces_trimmed_are_those_python_strips() -> None:
    """The straight path trims the characters ``str.strip()`` removes (written out in fast.py
    rather than worked out on every import of the module)."""
    import sys

    from shakhes.imports.fast import _SPACES

    spaces = "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace())
    assert _SPACES == spaces


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_whole_number_too_large_to_store_is_quarantined_at_its_row(
    warehouse: Warehouse, tmp_path: Path, kind: str
) -> None:
    """1e100 clicks is a whole number no 64-bit integer holds: its row is quarantined with a
    reason saying so (it failed the whole import with a conversion error); the others load."""
    records = [record(1), record(2, clicks=1e100), record(3, clicks=-1e30), record(4)]
    if kind == "parquet":
        path = parquet(tmp_path / "a.parquet", records, {"clicks": pa.float64()})
    else:
        path = tmp_path / "a.csv"
        header = list(records[0])
        lines = [",".join(header)] + [",".join(str(r[c]) for c in header) for r in records]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(warehouse, path, ImportOptions(source="canonical"))
    assert (report.rows_read, report.accepted, report.quarantined) == (4, 2, 2)
    reason = "too large a number for this column (at most 9,223,372,036,854,775,807)"
    assert [(line, column, reason_) for line, column, _, reason_ in quarantined(warehouse)] == [
        (2 if kind == "parquet" else 3, "clicks", reason),
        (3 if kind == "parquet" else 4, "clicks", reason),
    ]
    # A code of its own, so the Data page's Persian words say what is wrong (not "not whole").
    codes = [kept.code for kept in Ledger(warehouse).quarantine()]
    assert codes == ["too_large_for_column"] * 2
    assert reason_text(codes[0], reason, "fa") == "عددی بزرگ‌تر از گنجایش این ستون است"
    assert [r[0].day for r in stored(warehouse)] == [1, 4]  # type: ignore[attr-defined]
