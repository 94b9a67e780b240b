"""Date cells: ISO, day/month orders decided per column, month names, Excel serials, GA4 day
offsets, and Jalali dates converted through the date dimension."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.engine.calendar import (
    GREGORIAN_MONTHS_FA,
    JALALI_MONTHS_AF,
    JALALI_MONTHS_FA,
    date_dimension,
)
from shakhes.imports.values import base
from shakhes.imports.values.base import (
    DEFAULT_EMPTY_MARKERS,
    Parsed,
    clean,
    distinct,
    is_empty,
    normalize_key,
    regroup,
)

_EPOCH = date(1970, 1, 1)
_EXCEL_BASE = date(1899, 12, 30)  # serial 61 → 1900-03-01 (after Excel's fake 1900-02-29)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_MONTHS_JALALI_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                     "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand")  # fmt: skip
_MONTH_NAMES: dict[str, tuple[str, int]] = {
    **{m.casefold(): ("g", i + 1) for i, m in enumerate(_MONTHS_EN)},
    **{m[:3].casefold(): ("g", i + 1) for i, m in enumerate(_MONTHS_EN)},
    "sept": ("g", 9),
    **{normalize_key(m): ("g", i + 1) for i, m in enumerate(GREGORIAN_MONTHS_FA)},
    **{normalize_key(m): ("j", i + 1) for i, m in enumerate(JALALI_MONTHS_FA)},
    **{normalize_key(m): ("j", i + 1) for i, m in enumerate(JALALI_MONTHS_AF)},
    **{m.casefold(): ("j", i + 1) for i, m in enumerate(_MONTHS_JALALI_EN)},
    normalize_key("امرداد"): ("j", 5),
}
_TIME_PART = (
    r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?"
)
_TIME = f"(?:{_TIME_PART})?"
# An ISO date with a time part (the same syntax in Python's re and Arrow's RE2).
_ISO_TIMESTAMP = rf"^\d{{4}}-\d{{2}}-\d{{2}}{_TIME_PART}$"
_YMD = re.compile(
    rf"^(?P<y>\d{{4}})\s*(?P<s>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=s)\s*(?P<d>\d{{1,2}}){_TIME}$"
)
_COMPACT = re.compile(rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}$")
_AB_Y = re.compile(
    rf"^(?P<a>\d{{1,2}})\s*(?P<s>[-/.])\s*(?P<b>\d{{1,2}})\s*(?P=s)\s*(?P<y>\d{{4}}){_TIME}$"
)
_TWO_DIGIT_YEAR = re.compile(rf"^\d{{1,2}}\s*([-/.])\s*\d{{1,2}}\s*\1\s*\d{{2}}{_TIME}$")
_SERIAL = re.compile(r"^(?P<n>\d{1,7})(?:\.\d+)?$")
_WORD = r"[^\W\d_]+"
_WEEKDAY = rf"(?:{_WORD}\.?,?\s+)?"  # "Tue, " — read past, not checked
_DAY_NUMBER = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
# "September 1, 2026", "Sep 1, 2026", "Tue, Sep 1, 2026"
_NAME_MDY = re.compile(
    rf"^{_WEEKDAY}(?P<mon>{_WORD})\.?\s+{_DAY_NUMBER},?\s+(?P<y>\d{{4}}){_TIME}$"
)
# "1 September 2026", "01-Sep-2026", "۱۵ مهر ۱۴۰۳"
_NAME_DMY = re.compile(
    rf"^{_WEEKDAY}{_DAY_NUMBER}[\s\-/.]*(?P<mon>{_WORD})\.?,?[\s\-/.]*(?P<y>\d{{4}}){_TIME}$"
)
_FORMAT_DIRECTIVE = re.compile(r"%(.)")
_DATE_EMPTY = DEFAULT_EMPTY_MARKERS | {"nat"}


@dataclass(frozen=True)
class _DateCell:
    """A date cell taken apart. Exactly one of: error, empty, day (epoch day), ymd, ab."""

    text: str
    error: str | None = None
    empty: bool = False
    day: int | None = None
    ymd: tuple[int, int, int] | None = None
    calendar: str | None = None  # "g" or "j" when the text itself says (a month name)
    ab: tuple[int, int, int] | None = None  # (first, second, year): order unknown


@functools.lru_cache(maxsize=1)
def _jalali_index() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Keys ``y*10000 + m*100 + d`` of every Jalali day of the date dimension (ascending, as
    Jalali dates run in time order) and the epoch day of each."""
    dim = date_dimension()
    keys = (
        dim.column("jalali_year").to_numpy().astype(np.int64) * 10000
        + dim.column("jalali_month").to_numpy().astype(np.int64) * 100
        + dim.column("jalali_day").to_numpy().astype(np.int64)
    )
    days = dim.column("date").cast(pa.int32()).to_numpy().astype(np.int64)
    return keys, days


def _jalali_to_days(ymd: Sequence[tuple[int, int, int]]) -> list[int | str]:
    """Epoch days of Jalali dates (vectorised lookup), or an error message per date."""
    keys, days = _jalali_index()
    if not ymd:
        return []
    parts = np.array(ymd, dtype=np.int64).reshape(-1, 3)
    wanted = parts[:, 0] * 10000 + parts[:, 1] * 100 + parts[:, 2]
    pos = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    found = keys[pos] == wanted
    out: list[int | str] = []
    for (y, m, d), ok, p in zip(ymd, found.tolist(), pos.tolist(), strict=True):
        if ok:
            out.append(int(days[p]))
        elif not (1 <= m <= 12 and 1 <= d <= (31 if m <= 6 else 30)):
            out.append(f"not a real date: {y}/{m:02d}/{d:02d} in the Jalali calendar")
        elif not keys[0] <= y * 10000 + m * 100 + d <= keys[-1]:
            out.append(f"date out of the supported range (Jalali {y}/{m:02d}/{d:02d})")
        else:
            out.append(f"not a real date: {y}/{m:02d}/{d:02d} in the Jalali calendar")
    return out


def _gregorian_day(y: int, m: int, d: int) -> int | str:
    try:
        return (date(y, m, d) - _EPOCH).days
    except ValueError:
        return f"not a real date: {y:04d}-{m:02d}-{d:02d}"


def _clean_date(text: str) -> str:
    s = clean(text).replace("،", ",")
    return " ".join(s.split())


def _month_of(name: str) -> tuple[str, int] | None:
    return _MONTH_NAMES.get(name.casefold()) or _MONTH_NAMES.get(normalize_key(name))


def _compile_format(date_format: str) -> re.Pattern[str]:
    """A strftime-like format (``%Y %m %d %b %B %%``) as a regular expression."""
    numeric_only = not _FORMAT_DIRECTIVE.sub("", date_format)
    width = r"\d{2}" if numeric_only else r"\d{1,2}"
    pieces = {
        "Y": r"(?P<y>\d{4})",
        "m": rf"(?P<m>{width})",
        "d": rf"(?P<d>{width})",
        "b": rf"(?P<mon>{_WORD})\.?",
        "B": rf"(?P<mon>{_WORD})\.?",
        "%": "%",
    }
    out: list[str] = []
    pos = 0
    for m in _FORMAT_DIRECTIVE.finditer(date_format):
        literal = date_format[pos : m.start()]
        out.append(r"\s+".join(re.escape(p) for p in literal.split(" ")))
        if m.group(1) not in pieces:
            raise ValueError(
                f"date_format {date_format!r}: %{m.group(1)} is not supported "
                "(use %Y, %m, %d, %b, %B)"
            )
        out.append(pieces[m.group(1)])
        pos = m.end()
    out.append(r"\s+".join(re.escape(p) for p in date_format[pos:].split(" ")))
    body = "".join(out)
    if (
        "(?P<y>" not in body
        or ("(?P<m>" not in body and "(?P<mon>" not in body)
        or "(?P<d>" not in body
    ):
        raise ValueError(f"date_format {date_format!r} needs a year, a month and a day")
    try:
        return re.compile(f"^{body}{_TIME}$")
    except re.error as exc:  # e.g. a directive given twice
        raise ValueError(f"date_format {date_format!r} is not usable: {exc}") from exc


def _analyse_date(
    text: str, pattern: re.Pattern[str] | None, date_format: str | None, base: date | None
) -> _DateCell:
    s = _clean_date(text)
    if is_empty(s, _DATE_EMPTY):
        return _DateCell(text, empty=True)
    shown = s
    if pattern is not None:
        m = pattern.match(s)
        if m is None:
            return _DateCell(text, error=f"not a date in the format {date_format}")
        groups = m.groupdict()
        if groups.get("mon") is not None:
            month = _month_of(groups["mon"])
            if month is None:
                return _DateCell(text, error=f"not a date: unknown month {groups['mon']!r}")
            return _DateCell(
                text, ymd=(int(groups["y"]), month[1], int(groups["d"])), calendar=month[0]
            )
        return _DateCell(text, ymd=(int(groups["y"]), int(groups["m"]), int(groups["d"])))
    if (m := _YMD.match(s)) or (m := _COMPACT.match(s)):
        return _DateCell(text, ymd=(int(m["y"]), int(m["m"]), int(m["d"])))
    if m := _AB_Y.match(s):
        return _DateCell(text, ab=(int(m["a"]), int(m["b"]), int(m["y"])))
    if m := _SERIAL.match(s):
        digits = m["n"]
        number = int(digits)
        if base is not None and len(digits) <= 5 and "." not in s:
            try:
                return _DateCell(text, day=(base + timedelta(days=number) - _EPOCH).days)
            except OverflowError:
                return _DateCell(text, error="date out of range")
        if base is None and len(digits) > 1 and digits.startswith("0") and "." not in s:
            return _DateCell(
                text,
                error=f"looks like a GA4 'Nth day' offset ({shown}): give the report's start "
                "date (day_offset_base)",
            )
        if len(digits) == 4 and 1900 <= number <= 2100 and "." not in s:
            return _DateCell(text, error=f"looks like a year ({shown}), not a full date")
        if number == 60:
            return _DateCell(
                text,
                error="not a real date: Excel serial 60 is 29 February 1900, a day that never "
                "existed (an Excel bug)",
            )
        if 1 <= number <= _EXCEL_MAX_SERIAL:
            offset = number if number > 60 else number + 1
            return _DateCell(text, day=(_EXCEL_BASE + timedelta(days=offset) - _EPOCH).days)
        return _DateCell(text, error="not a date")
    for named in (_NAME_MDY, _NAME_DMY):
        if m := named.match(s):
            month = _month_of(m["mon"])
            if month is None:
                continue
            return _DateCell(text, ymd=(int(m["y"]), month[1], int(m["d"])), calendar=month[0])
    if _TWO_DIGIT_YEAR.match(s):
        return _DateCell(
            text,
            error=f"two-digit year in {shown}: export with four-digit years or set date_format",
        )
    return _DateCell(text, error="not a date")


def _ambiguous_message(text: str, a: int, b: int, year: int, jalali: bool, both: bool) -> str:
    names = _MONTHS_JALALI_EN if jalali else _MONTHS_EN
    why = " — the column has dates in both orders;" if both else " —"
    return (
        f"ambiguous date: {text} could be {a} {names[b - 1]} or {b} {names[a - 1]}"
        f"{why} set date_format in a mapping file"
    )


def parse_dates(
    values: pa.Array,
    *,
    date_format: str | None = None,
    calendar: Literal["auto", "gregorian", "jalali"] = "auto",
    day_offset_base: date | None = None,
) -> Parsed:
    """Parse date cells to ``date32``.

    Recognised without a format (per column where the column matters):

    - ISO ``2024-01-05`` (also ``/`` or ``.`` separated, with or without a time part such as
      ``T15:15:37-0400`` or `` 00:00:00``: the date as written is kept) and ``20240105``;
    - ``M/D/YYYY`` (LinkedIn), ``DD/MM/YYYY``, ``DD-MM-YYYY``, ``DD.MM.YYYY``: the order comes
      from the column — any value with a first field above 12 makes it day-first, with a second
      field above 12 month-first; with no such value, or values of both kinds, every cell whose
      reading depends on the order is an error ("ambiguous date …"), never a guess;
    - month names: ``September 1, 2026``, ``Sep 1, 2026``, ``Tue, Sep 1, 2026``,
      ``1 September 2026``, ``01-Sep-2026``, Persian ``۱۵ مهر ۱۴۰۳`` (Jalali month names, Iranian
      or Afghan) and ``۱ ژانویه ۲۰۲۴`` (Gregorian month names in Persian);
    - Excel serial numbers (``45292`` → 2024-01-01; 1900 date system; serial 60, Excel's
      fictitious 1900-02-29, is an error; a four-digit number 1900–2100 is an error, as it is
      more likely a year than a day in 1905);
    - GA4 ``Nth day`` offsets (``0000``, ``0031``, ``7``) when ``day_offset_base`` (the report's
      start date) is given: base + N days. Without it, zero-padded numbers are errors.

    Jalali: with ``calendar='auto'`` a year in 1300–1500 is Jalali (``۱۴۰۳/۰۷/۱۵``,
    ``1403-07-15``, ``1403/7/15`` → 2024-10-06), converted through the date dimension; a
    Jalali month name makes a date Jalali whatever the setting. ``calendar='jalali'`` or
    ``'gregorian'`` forces the reading of numeric years. Jalali dates outside 1900–2100 are
    errors.

    ``date_format`` (``%Y``, ``%m``, ``%d``, ``%b``, ``%B``, e.g. ``'%d/%m/%Y'``, ``'%Y%m%d'``)
    makes parsing strict: cells that do not match it are errors (a time part is still allowed).
    Invalid dates (``2024-02-30``, Jalali ``1404/12/30``) are "not a real date".
    """
    if calendar not in ("auto", "gregorian", "jalali"):
        raise ValueError(f"calendar must be 'auto', 'gregorian' or 'jalali', got {calendar!r}")
    pattern = _compile_format(date_format) if date_format else None
    column = distinct(values)
    if pattern is None and len(column.dictionary) > base.VECTORISE_ABOVE:
        # Timestamps make most strings distinct: keep only their date, then group again.
        stamps = pc.match_substring_regex(column.dictionary, _ISO_TIMESTAMP)
        if pc.any(stamps).as_py():
            dates_only = pc.utf8_slice_codeunits(column.dictionary, 0, 10)
            column = regroup(column, pc.if_else(stamps, dates_only, column.dictionary))
    cells = [_analyse_date(t, pattern, date_format, day_offset_base) for t in column.texts]

    first_big = second_big = 0
    for cell, rows in zip(cells, column.rows, strict=True):
        if cell.ab is not None:
            first_big += int(rows) if cell.ab[0] > 12 >= cell.ab[1] else 0
            second_big += int(rows) if cell.ab[1] > 12 >= cell.ab[0] else 0
    order: str | None = None
    if first_big and not second_big:
        order = "dm"
    elif second_big and not first_big:
        order = "md"

    def is_jalali(year: int, said: str | None) -> bool:
        if said is not None:
            return said == "j"
        if calendar == "auto":
            return 1300 <= year <= 1500
        return calendar == "jalali"

    results: list[int | str | None] = [None] * len(cells)
    jalali_at: list[int] = []
    jalali_ymd: list[tuple[int, int, int]] = []
    for i, cell in enumerate(cells):
        ymd = cell.ymd
        if cell.empty:
            continue
        if cell.error is not None:
            results[i] = cell.error
            continue
        if cell.day is not None:
            results[i] = cell.day
            continue
        if cell.ab is not None:
            a, b, y = cell.ab
            cell_order = order
            if a > 12 >= b:
                cell_order = "dm"
            elif b > 12 >= a:
                cell_order = "md"
            elif a == b or a > 12:
                cell_order = cell_order or "dm"
            if cell_order is None:
                shown = _clean_date(cell.text)
                both = bool(first_big and second_big)
                results[i] = _ambiguous_message(shown, a, b, y, is_jalali(y, None), both)
                continue
            ymd = (y, b, a) if cell_order == "dm" else (y, a, b)
        assert ymd is not None
        if is_jalali(ymd[0], cell.calendar):
            jalali_at.append(i)
            jalali_ymd.append(ymd)
        else:
            results[i] = _gregorian_day(*ymd)
    for i, converted in zip(jalali_at, _jalali_to_days(jalali_ymd), strict=True):
        results[i] = converted

    days = [r if isinstance(r, int) else None for r in results]
    errors = [r if isinstance(r, str) else None for r in results]
    as_days = column.expand(days, pa.int32())
    return Parsed(as_days.cast(pa.date32()), column.expand(errors, pa.string()))
