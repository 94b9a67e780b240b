"""Readers: sniffing formats, encodings and delimiters, and streaming rows with exact lines."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import hashlib
import shutil
import zipfile
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.errors import DataError
from shakhes.imports import readers
from shakhes.imports.readers import (
    Block,
    FileInfo,
    Row,
    iter_batches,
    iter_blocks,
    iter_rows,
    sniff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "readers"

TABLE = [
    ("Day", "Campaign", "CPM (cost per 1,000 impressions) (USD)", "Clicks"),
    ("2024-01-01", "Brand – Search", "1,234.56", "842"),
    ("2024-01-02", "Café crème", "7.25", "0"),
    ("2024-01-03", "Prospecting", "", "17"),
]
TABLE_ROWS = [Row(number, cells) for number, cells in enumerate(TABLE, start=1)]
NOT_SUPPORTED = "not a CSV, TSV, XLSX, Parquet or JSON-lines file"


def rows(path: Path, **kwargs: str) -> list[Row]:
    return list(iter_rows(sniff(path), **kwargs))


def cells(path: Path) -> list[tuple[str, ...]]:
    return [row.cells for row in rows(path)]


# ------------------------------------------------------------------------------------------
# the fixtures: sniffed right, rows and line numbers exact


@pytest.mark.parametrize(
    ("name", "fmt", "compressed", "encoding", "delimiter"),
    [
        ("table_utf8.csv", "csv", False, "utf-8", ","),
        ("table_utf8_bom.csv", "csv", False, "utf-8-sig", ","),
        ("google_ads_excel.csv", "csv", False, "utf-16", "\t"),
        ("persian_cp1256.csv", "csv", False, "cp1256", ","),
        ("french_semicolon.csv", "csv", False, "utf-8", ";"),
        ("bare_cr.csv", "csv", False, "utf-8", ","),
        ("multiline_cell.csv", "csv", False, "utf-8", ","),
        ("table.csv.gz", "csv", True, "utf-8", ","),
        ("gzip_without_gz_name.csv", "csv", True, "utf-8", ","),
        ("ga4_stacked.csv", "csv", False, "utf-8", ","),
        ("table.xlsx", "xlsx", False, None, None),
        ("table.parquet", "parquet", False, None, None),
        ("table.jsonl", "jsonl", False, "utf-8", None),
        ("table.jsonl.gz", "jsonl", True, "utf-8", None),
    ],
)
def test_fixture_is_sniffed(
    name: str, fmt: str, compressed: bool, encoding: str | None, delimiter: str | None
) -> None:
    path = FIXTURES / name
    info = sniff(path)
    data = path.read_bytes()
    assert info == FileInfo(
        path=path,
        format=fmt,  # type: ignore[arg-type]
        compressed=compressed,
        encoding=encoding,
        delimiter=delimiter,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


@pytest.mark.parametrize(
    "name",
    [
        "table_utf8.csv",
        "table_utf8_bom.csv",
        "bare_cr.csv",
        "table.csv.gz",
        "gzip_without_gz_name.csv",
    ],
)
def test_same_table_in_every_dialect(name: str) -> None:
    assert rows(FIXTURES / name) == TABLE_ROWS


def test_google_ads_excel_csv_utf16_tab_crlf_with_preamble() -> None:
    assert rows(FIXTURES / "google_ads_excel.csv") == [
        Row(1, ("Campaign report",)),
        Row(2, ("January 1, 2024 - January 3, 2024",)),
        *[Row(number + 2, row.cells) for number, row in enumerate(TABLE_ROWS, start=1)],
    ]


def test_persian_cp1256() -> None:
    assert rows(FIXTURES / "persian_cp1256.csv") == [
        Row(1, ("تاريخ", "کمپين", "هزينه (ريال)", "کليک")),
        Row(2, ("1402/10/11", "جستجوي برند", "1234560", "842")),
        Row(3, ("1402/10/12", "تبليغات نمايشي گوگل", "725000", "0")),
        Row(4, ("1402/10/13", "بازاريابي مجدد پيشرفته", "", "17")),
    ]


def test_french_semicolon_keeps_number_cells_whole() -> None:
    assert cells(FIXTURES / "french_semicolon.csv") == [
        ("Jour", "Campagne", "Coût", "Impr."),
        ("2024-01-01", "Marque – Recherche", "1 234,56", "12 034"),
        ("2024-01-02", "Café crème", "7,25", "0"),
        ("2024-01-03", "Prospection", "", "17"),
    ]


def test_quoted_cells_spanning_lines_keep_later_line_numbers_right() -> None:
    assert rows(FIXTURES / "multiline_cell.csv") == [
        Row(1, ("Ad name", "Body", "Clicks")),
        Row(2, ("Winter sale", "Line one\nline two\nline three", "5")),
        Row(5, ("Spring", "Plain", "7")),
        Row(6, ("Summer", 'Says "hi",\r\nthen bye', "9")),
        Row(8, ("Autumn", "Last", "11")),
    ]


def test_ga4_comments_and_stacked_tables_yielded_blank_lines_skipped() -> None:
    got = rows(FIXTURES / "ga4_stacked.csv")
    assert [row.line for row in got] == [*range(1, 12), 13, 14, 15, 17, 18, 19]
    assert got[0] == Row(1, ("# ----------------------------------------",))
    assert got[6] == Row(7, ("# Start date: 20240101",))
    assert got[8:11] == [
        Row(9, ("Nth day", "Active users")),
        Row(10, ("0000", "5")),
        Row(11, ("0001", "8")),
    ]
    assert got[-3:] == [
        Row(
            17,
            (
                "Session primary channel group (Default Channel Group)",
                "Users",
                "Sessions",
                "Engagement rate",
            ),
        ),
        Row(18, ("Direct", "120", "150", "0.6123")),
        Row(19, ("Organic Search", "80", "95", "0.7")),
    ]


def test_xlsx_values_become_text_with_sheet_row_numbers() -> None:
    assert rows(FIXTURES / "table.xlsx") == [
        Row(1, ("Day", "Campaign", "Cost", "Clicks", "Rate", "Enabled")),
        Row(2, ("2024-01-01", "Brand – Search", "1234.56", "842", "0.5", "true")),
        Row(3, ("2024-01-02", "جستجوی برند", "12", "0", "", "false")),
        # row 4 is blank; a float too big for an exact ID stays visibly scientific
        Row(5, ("2024-01-03T14:30:00", "", "7.25", "17", "1.20253e+17")),
    ]


def test_xlsx_other_sheet_and_unknown_sheet() -> None:
    info = sniff(FIXTURES / "table.xlsx")
    assert list(iter_rows(info, sheet="Notes")) == [Row(1, ("Exported", "by make_fixtures.py"))]
    with pytest.raises(DataError, match="no sheet 'Note' — did you mean 'Notes'"):
        list(iter_rows(info, sheet="Note"))


def test_parquet_header_row_zero_then_records() -> None:
    assert rows(FIXTURES / "table.parquet") == [
        Row(0, ("day", "campaign", "cost", "clicks", "seen_at", "tags")),
        Row(
            1,
            ("2024-01-01", "Brand – Search", "1234.56", "842", "2024-01-01T09:30:00", '["a", "b"]'),
        ),
        Row(2, ("2024-01-02", "جستجوی برند", "12", "0", "", "[]")),
        Row(3, ("", "", "7.25", "", "2024-01-03T00:00:00", "")),
    ]


@pytest.mark.parametrize("name", ["table.jsonl", "table.jsonl.gz"])
def test_jsonl_header_is_union_of_keys(name: str) -> None:
    assert rows(FIXTURES / name) == [
        Row(0, ("day", "campaign", "cost", "clicks", "ok", "actions")),
        Row(1, ("2024-01-01", "Brand – Search", "1234.56", "842", "", "")),
        Row(2, ("2024-01-02", "جستجوی برند", "12", "0", "true", "")),
        Row(3, ("2024-01-03", "", "7.25", "", "", '[{"action_type": "purchase", "value": "3"}]')),
    ]


def test_binary_junk_is_not_supported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=NOT_SUPPORTED) as caught:
        sniff(FIXTURES / "junk.bin")
    assert "junk.bin" in str(caught.value)
    named_csv = tmp_path / "report.csv"
    shutil.copy(FIXTURES / "junk.bin", named_csv)
    with pytest.raises(DataError, match=NOT_SUPPORTED):
        sniff(named_csv)


def test_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"empty\.csv is empty"):
        sniff(FIXTURES / "empty.csv")
    (tmp_path / "nothing.csv.gz").write_bytes(gzip.compress(b""))
    with pytest.raises(DataError, match="is empty"):
        sniff(tmp_path / "nothing.csv.gz")
    (tmp_path / "blank.csv").write_bytes(b"\r\n  \n\t\n")
    with pytest.raises(DataError, match="is empty"):
        sniff(tmp_path / "blank.csv")


# ------------------------------------------------------------------------------------------
# sniffing rules


def test_explicit_encoding_and_delimiter_win() -> None:
    info = sniff(FIXTURES / "table_utf8.csv", encoding="latin-1", delimiter=";")
    assert (info.encoding, info.delimiter) == ("latin-1", ";")
    assert next(iter_rows(info)).cells == (
        'Day,Campaign,"CPM (cost per 1,000 impressions) (USD)",Clicks',
    )


def test_explicit_utf8_on_bom_file_drops_the_bom() -> None:
    info = sniff(FIXTURES / "table_utf8_bom.csv", encoding="utf-8")
    assert list(iter_rows(info)) == TABLE_ROWS


def test_wrong_explicit_encoding_or_bad_options(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not valid utf-8 text"):
        sniff(FIXTURES / "persian_cp1256.csv", encoding="utf-8")
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        sniff(FIXTURES / "table_utf8.csv", encoding="klingon")
    with pytest.raises(DataError, match="cannot use ';;' as the delimiter"):
        sniff(FIXTURES / "table_utf8.csv", delimiter=";;")
    with pytest.raises(DataError, match="no such file"):
        sniff(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is a folder"):
        sniff(tmp_path)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("cp1252", "cp1252")],
)
def test_encodings_without_bom_are_guessed(tmp_path: Path, encoding: str, expected: str) -> None:
    text = 'Jour;Campagne;Coût\r\n2024-01-01;Crème brûlée;"1 234,56"\r\n2024-01-02;Été;7,25\r\n'
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    info = sniff(path)
    assert (info.encoding, info.delimiter) == (expected, ";")
    assert [row.cells for row in iter_rows(info)][1] == ("2024-01-01", "Crème brûlée", "1 234,56")


def test_utf8_char_cut_by_the_sample_boundary_is_still_utf8(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    line = "Day,Campaign\n" + "2024-01-01,Café\n" * 70_000  # > 1 MB; 'é' straddles somewhere
    data = line.encode("utf-8")
    cut = (1 << 20) - 1
    data = data[:cut] + "é".encode() + data[cut:]  # 'é' spans bytes cut..cut+1 of the 1 MB sample
    path.write_bytes(data)
    assert sniff(path).encoding == "utf-8"


def test_bad_bytes_after_the_sample_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    body = b"Day,Campaign\n" + b"2024-01-01,Brand\n" * 100_000 + b"2024-01-02,Caf\xe9\n"
    path.write_bytes(body)
    info = sniff(path)
    assert info.encoding == "utf-8"
    with pytest.raises(DataError, match=r"late\.csv, line 100002: bytes that are not valid"):
        list(iter_rows(info))
    records = tmp_path / "late.jsonl.gz"
    records.write_bytes(gzip.compress(b'{"a": "x"}\n' * 100_000 + b'{"a": "\xe9"}\n'))
    with pytest.raises(DataError, match=r"late\.jsonl\.gz, line 100001: bytes that are not"):
        list(iter_rows(sniff(records)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # decimal commas in unquoted cells do not fool the sniffer: ';' splits every row the same
        ("Jour;Coût\n2024-01-01;1,5\n2024-01-02;2,5\n", ";"),
        # a quoted header with a comma inside, TAB-separated
        ('"CPM (cost per 1,000 impressions) (USD)"\tClicks\n7.5\t3\n8,5\t4\n', "\t"),
        # Google Ads title and quoted date range before the header
        (
            'Campaign report\n"September 1, 2026 - September 30, 2026"\nCampaign,Impr.,Cost\n'
            'Brand,"12,034","1,234.56"\nOther,5,1.00\n',
            ",",
        ),
        # comment lines with ';' in them are ignored
        ("# a;b;c;d\n# e;f;g;h\nx,y\n1,2\n3,4\n", ","),
    ],
)
def test_delimiter_sniffing(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "sample.csv"
    path.write_text(text, encoding="utf-8")
    assert sniff(path).delimiter == expected


def test_names_and_content(tmp_path: Path) -> None:
    (tmp_path / "one_column.tsv").write_text("Campaign\nBrand\n", encoding="utf-8")
    assert sniff(tmp_path / "one_column.tsv").delimiter == "\t"
    (tmp_path / "one_column.txt").write_text("Campaign\nBrand\n", encoding="utf-8")
    assert sniff(tmp_path / "one_column.txt").delimiter == ","
    (tmp_path / "export.dat").write_text("a;b\n1;2\n", encoding="utf-8")
    assert (sniff(tmp_path / "export.dat").format, sniff(tmp_path / "export.dat").delimiter) == (
        "csv",
        ";",
    )
    (tmp_path / "records").write_text('{"a": 1}\n', encoding="utf-8")
    assert sniff(tmp_path / "records").format == "jsonl"
    (tmp_path / "notes.md").write_text("Just some prose.\nNothing tabular.\n", encoding="utf-8")
    with pytest.raises(DataError, match=NOT_SUPPORTED):
        sniff(tmp_path / "notes.md")
    # content beats the name: a workbook called .csv is read as a workbook
    shutil.copy(FIXTURES / "table.xlsx", tmp_path / "renamed.csv")
    assert sniff(tmp_path / "renamed.csv").format == "xlsx"


def test_unsupported_containers_say_what_they_are(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "report.zip", "w") as archive:
        archive.writestr("report.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match="ZIP archive, not an Excel workbook"):
        sniff(tmp_path / "report.zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(DataError, match=r"old Excel \.xls"):
        sniff(tmp_path / "old.xls")
    (tmp_path / "fake.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="named xlsx but not an Excel workbook"):
        sniff(tmp_path / "fake.xlsx")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1" + b"x" * 100)
    with pytest.raises(DataError, match="damaged Parquet file"):
        sniff(tmp_path / "broken.parquet")
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(b"a,b\n1,2\n" * 1000)[:-30])
    with pytest.raises(DataError, match="damaged gzip file"):
        sniff(tmp_path / "cut.csv.gz")
    (tmp_path / "login.csv").write_text("<!DOCTYPE html><html>Sign in</html>", encoding="utf-8")
    with pytest.raises(DataError, match="HTML or XML document"):
        sniff(tmp_path / "login.csv")
    (tmp_path / "twice.parquet.gz").write_bytes(
        gzip.compress((FIXTURES / "table.parquet").read_bytes())
    )
    with pytest.raises(DataError, match="gzip-compressed Parquet"):
        sniff(tmp_path / "twice.parquet.gz")


def test_damaged_workbooks(tmp_path: Path) -> None:
    source = zipfile.ZipFile(FIXTURES / "table.xlsx")
    with zipfile.ZipFile(tmp_path / "half_sheet.xlsx", "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]
            archive.writestr(name, data)
    with pytest.raises(DataError, match="sheet 'Report': a damaged worksheet"):
        list(iter_rows(sniff(tmp_path / "half_sheet.xlsx")))
    with zipfile.ZipFile(tmp_path / "no_parts.xlsx", "w") as archive:
        archive.writestr("xl/workbook.xml", "garbage")
    with pytest.raises(DataError, match="not a readable Excel workbook"):
        list(iter_rows(sniff(tmp_path / "no_parts.xlsx")))
    (tmp_path / "cut.xlsx").write_bytes((FIXTURES / "table.xlsx").read_bytes()[:3000])
    with pytest.raises(DataError, match="damaged ZIP/XLSX file"):
        sniff(tmp_path / "cut.xlsx")


# ------------------------------------------------------------------------------------------
# streaming details


def test_unbalanced_quote_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('a,b\n1,2\n3,"oops\n' + "x,y\n" * 50_000, encoding="utf-8")
    with pytest.raises(DataError, match=r"quote\.csv, line 3: cannot split the row"):
        list(iter_rows(sniff(path)))


def test_empty_cell_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n,\n \t, \n\n1,2\n", encoding="utf-8")
    assert rows(path) == [Row(1, ("a", "b")), Row(5, ("1", "2"))]


def test_jsonl_rules(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"a": 1}\n\n{"b": {"c": [1, 2.0]}, "a": null}\n', encoding="utf-8")
    assert rows(path) == [Row(0, ("a", "b")), Row(1, ("1", "")), Row(2, ("", '{"c": [1, 2.0]}'))]

    late = tmp_path / "late.jsonl"
    late.write_text('{"a": 1}\n' * 1000 + '{"a": 2, "new": 3}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"record 1001 \(line 1001\): key\(s\) 'new' not in"):
        list(iter_rows(sniff(late)))

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.jsonl, line 2: not valid JSON"):
        list(iter_rows(sniff(broken)))

    array = tmp_path / "array.json"
    array.write_text('[{"a": 1}, {"a": 2}]\n', encoding="utf-8")
    with pytest.raises(DataError, match="not an object") as caught:
        list(iter_rows(sniff(array)))
    assert "jq -c" in str(caught.value)


def test_parquet_value_types_become_text(tmp_path: Path) -> None:
    path = tmp_path / "types.parquet"
    table = pa.table(
        {
            "money": pa.array([decimal.Decimal("1234.50")], pa.decimal128(10, 2)),
            "at": pa.array([dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)], pa.timestamp("us", "UTC")),
            "clock": pa.array([dt.time(9, 5, 7)], pa.time64("us")),
            "spent": pa.array([dt.timedelta(hours=26, seconds=3)], pa.duration("s")),
            "big": [1e16],
            "neg": [-3.0],
            "nan": [float("nan")],
            "flag": [False],
            "nested": pa.array([{"d": dt.date(2024, 2, 3), "n": 1}]),
        }
    )
    pq.write_table(table, path)
    assert rows(path)[1].cells == (
        "1234.50",
        "2024-01-01T12:00:00+00:00",
        "09:05:07",
        "26:00:03",
        "1e+16",
        "-3",
        "nan",
        "false",
        '{"d": "2024-02-03", "n": 1}',
    )


def test_iter_batches_chunks_rows() -> None:
    info = sniff(FIXTURES / "google_ads_excel.csv")
    batches = list(iter_batches(info, batch_rows=4))
    assert [len(batch) for batch in batches] == [4, 2]
    assert [row for batch in batches for row in batch] == list(iter_rows(info))
    with pytest.raises(ValueError, match="batch_rows"):
        next(iter_batches(info, batch_rows=0))


def test_sheet_only_for_workbooks() -> None:
    with pytest.raises(DataError, match="has no sheets"):
        iter_rows(sniff(FIXTURES / "table_utf8.csv"), sheet="Report")


@pytest.mark.slow
def test_streaming_a_50_mb_csv_keeps_memory_flat(tmp_path: Path) -> None:
    """Memory grows by a few MB, whatever the file's size (7 MB for 50 MB as for 200 MB): far
    below what holding the file would take (its 50 MB, many times that as Python rows)."""
    path = tmp_path / "big.csv"
    block = "".join(
        f'2024-01-{i % 28 + 1:02d},"Brand, Search {i}",{i * 1.5},{i},"{i * 3:,}"\n'
        for i in range(10_000)
    ).encode()
    with path.open("wb") as stream:
        stream.write(b"Day,Campaign,Cost,Clicks,Impr.\n")
        written = 0
        while written < 50_000_000:
            stream.write(block)
            written += len(block)
    process = psutil.Process()
    baseline = process.memory_info().rss
    info = sniff(path)
    peak = baseline
    count = 0
    last = None
    for row in iter_rows(info):
        count += 1
        last = row
        if count % 50_000 == 0:
            peak = max(peak, process.memory_info().rss)
    lines = 1 + written // len(block) * 10_000
    assert count == lines
    assert last is not None and last.line == lines
    assert last.cells == ("2024-01-04", "Brand, Search 9999", "14998.5", "9999", "29,997")
    growth_mb = (peak - baseline) / 1e6
    print(f"peak RSS growth over {written / 1e6:.0f} MB: {growth_mb:.1f} MB")
    assert growth_mb < 25


# ------------------------------------------------------------------------------------------
# robustness: any bytes either read or give a DataError

_PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"PK\x03\x04",
    b"PAR1",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"{",
    b'"',
    b"# ",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(_PREFIXES),
    body=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda text: text.encode("utf-8")),
        st.lists(
            st.lists(st.sampled_from(["a", "1", '"', "", "x y", "é", "{", "}", ":"]), max_size=4),
            max_size=6,
        ).map(lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")),
    ),
    suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".json", ".xlsx", ".parquet", ".bin", ""]),
    compress=st.booleans(),
)
def test_any_bytes_read_or_raise_data_error(
    tmp_path_factory: pytest.TempPathFactory,
    prefix: bytes,
    body: bytes,
    suffix: str,
    compress: bool,
) -> None:
    data = prefix + body
    if compress:
        data = gzip.compress(data, mtime=0)
        suffix += ".gz"
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    try:
        info = sniff(path)
        for row in iter_rows(info):
            assert isinstance(row.line, int)
            assert all(isinstance(cell, str) for cell in row.cells)
    except DataError as exc:
        assert str(path) in str(exc)


# ------------------------------------------------------------------------------------------
# iter_blocks: the rows of iter_rows, as columns (Arrow parses CSV text where it reads it alike)


def block_rows(blocks: list[Block]) -> list[Row]:
    return [row for block in blocks for row in block.rows()]


def same_as_iter_rows(info: FileInfo, size: int, head: int = 0) -> list[Block]:
    """iter_blocks over ``iter_rows(info)`` after ``head`` rows were read from it (given as
    ``first``), checked against iter_rows: the same rows, or the same error."""
    try:
        expected: list[Row] | str = list(iter_rows(info))
    except DataError as exc:
        expected = str(exc)
    blocks: list[Block] = []
    try:
        rows = iter_rows(info)
        first = [row for _, row in zip(range(head), rows, strict=False)]
        for block in iter_blocks(rows, size, first=first):
            blocks.append(block)
        got: list[Row] | str = block_rows(blocks)
    except DataError as exc:
        got = str(exc)
    assert got == expected
    assert all(len(block) == size for block in blocks[:-1])
    assert all(len(block) for block in blocks)
    return blocks


def _csv_fixtures() -> list[str]:
    names = []
    for path in sorted(FIXTURES.iterdir()):
        try:
            if sniff(path).format == "csv":
                names.append(path.name)
        except DataError:
            pass
    return names


@pytest.mark.parametrize("name", _csv_fixtures())
@pytest.mark.parametrize("chunk", [7, 1 << 22])
def test_iter_blocks_yields_the_rows_of_every_csv_fixture(
    name: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers.delimited, "CSV_CHUNK_CHARS", chunk)
    info = sniff(FIXTURES / name)
    for size, head in [(1, 0), (2, 3), (1000, 2)]:
        same_as_iter_rows(info, size, head)


@pytest.mark.parametrize("name", ["table.xlsx", "table.parquet", "table.jsonl"])
def test_iter_blocks_of_other_formats(name: str) -> None:
    blocks = same_as_iter_rows(sniff(FIXTURES / name), 2, 1)
    assert [len(block) for block in blocks] == [2] * (len(blocks) - 1) + [len(blocks[-1])]


def test_iter_blocks_rejects_an_empty_size() -> None:
    with pytest.raises(ValueError, match="size"):
        next(iter_blocks(iter_rows(sniff(FIXTURES / "table_utf8.csv")), 0))


def test_arrow_reads_simple_text_and_declines_the_rest() -> None:
    read = readers.delimited.arrow_block('a,"1,234"\r\n\r\n"x ""y""",\n , \n', ",", 10)
    assert read is not None
    block, lines = read
    assert lines == 4
    assert block.rows() == [Row(11, ("a", "1,234")), Row(13, ('x "y"', ""))]  # blank row dropped
    for text in [
        "a,b\rc,d\n",  # a lone CR ends a line for the csv module only
        'a,"two\nlines"\n',  # a line break in a quoted cell
        'a,"b"c\n',  # text after a closing quote
        'a,b"c\n',  # a quote inside an unquoted cell
        "a,b\nc\n",  # rows of different lengths
        "\ufeffa,b\n",  # Arrow would drop the BOM
    ]:
        assert readers.delimited.arrow_block(text, ",", 0) is None, text


def test_iter_blocks_switches_to_the_csv_module_where_arrow_might_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers.delimited, "CSV_CHUNK_CHARS", 20)
    path = tmp_path / "mixed.csv"
    lines = ["Day,Campaign,Cost"] + [f'2024-01-{d:02d},"C, {d}",{d}.5' for d in range(1, 30)]
    lines[20] = '2024-01-20,"spans\nlines",1'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    same_as_iter_rows(sniff(path), 4, 1)


def test_iter_blocks_keeps_the_csv_module_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers.delimited, "CSV_CHUNK_CHARS", 64)
    too_long = tmp_path / "long.csv"
    too_long.write_text("a,b\n" + "x,y\n" * 50 + "x," + "y" * 200_000 + "\n", encoding="utf-8")
    unbalanced = tmp_path / "quote.csv"
    unbalanced.write_text("a,b\n" + "x,y\n" * 50 + 'x,"y\n' + "z,w\n" * 50_000)
    bad_bytes = tmp_path / "bytes.csv"
    bad_bytes.write_bytes(b"a,b\n" + b"x,y\n" * 5000 + b"x,\xff\n")
    for path in (too_long, unbalanced, bad_bytes):
        info = FileInfo(path, "csv", False, "utf-8", ",", "", 0)
        with pytest.raises(DataError):
            list(iter_rows(info))
        same_as_iter_rows(info, 1000, 1)


_CSV_PIECES = [
    "a", "12", "1,234", '"1,234"', '"x""y"', '""', " ", "\t", '"', 'a"b', '"ab"c', '" "',
    '"two\nlines"', '"cr\r\nlf"', "\r", "\n", "\r\n", ",", ",", "\ufeff", "é", "۱۲", "\u00a0",
    "\x1c", "\x00",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.one_of(
            st.lists(st.sampled_from(["a", "12", '"1,234"', '"x""y"', "", " ", '""', "é"]))
            .map(",".join)
            .flatmap(lambda line: st.sampled_from(["\n", "\r\n"]).map(lambda end: line + end)),
            st.lists(st.sampled_from(_CSV_PIECES), max_size=8).map("".join),
        ),
        max_size=30,
    ),
    chunk=st.sampled_from([1, 5, 17, 100, 1 << 22]),
    size=st.sampled_from([1, 2, 7, 1000]),
    head=st.sampled_from([0, 1, 3]),
)
def test_iter_blocks_agrees_with_iter_rows_on_any_text(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    chunk: int,
    size: int,
    head: int,
) -> None:
    path = tmp_path_factory.mktemp("blocks") / "input.csv"
    path.write_text("a,b,c\n" + "".join(lines), encoding="utf-8", newline="")
    saved = readers.delimited.CSV_CHUNK_CHARS
    readers.delimited.CSV_CHUNK_CHARS = chunk
    try:
        same_as_iter_rows(FileInfo(path, "csv", False, "utf-8", ",", "", 0), size, head)
    finally:
        readers.delimited.CSV_CHUNK_CHARS = saved
