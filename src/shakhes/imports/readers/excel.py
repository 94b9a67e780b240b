"""XLSX workbooks, read with openpyxl: a sheet's rows, a datetime at midnight as a date."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shakhes.errors import DataError, nearest
from shakhes.imports.readers.base import FileInfo, Row, guarded
from shakhes.imports.readers.cells import cell_text


def xlsx_rows(info: FileInfo, sheet: str | None) -> Iterator[Row]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(info.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise DataError(
            f"{info.path}: not a readable Excel workbook ({type(exc).__name__}: {exc})",
            hint="Open it in Excel and save it again as .xlsx, or export it as CSV.",
        ) from None
    try:
        worksheet = _pick_sheet(info, workbook, sheet)
        worksheet.reset_dimensions()  # some writers record wrong dimensions; read every row
        name = worksheet.title
        rows = guarded(
            worksheet.iter_rows(values_only=True),
            lambda exc: DataError(
                f"{info.path}, sheet '{name}': a damaged worksheet ({type(exc).__name__}: {exc})",
                hint="Open it in Excel and save it again as .xlsx, or export it as CSV.",
            ),
        )
        for number, values in enumerate(rows, start=1):
            cells = tuple(cell_text(value, midnight_is_date=True) for value in values)
            if "".join(cells).strip():
                yield Row(number, cells)
    finally:
        workbook.close()


def _pick_sheet(info: FileInfo, workbook: Any, sheet: str | None) -> Any:
    worksheets: list[Any] = list(workbook.worksheets)
    names = [str(ws.title) for ws in worksheets]
    if sheet is None:
        if not worksheets:
            raise DataError(f"{info.path}: the workbook has no worksheets")
        return worksheets[0]
    if sheet in names:
        return worksheets[names.index(sheet)]
    guess = nearest(sheet, names)
    raise DataError(
        f"{info.path}: no sheet '{sheet}'" + (f" — did you mean '{guess}'?" if guess else ""),
        hint="Sheets: " + ", ".join(f"'{n}'" for n in names),
    )
