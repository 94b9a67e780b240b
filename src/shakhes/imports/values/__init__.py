"""Value parsers for the importer: text cells to typed columns, with a reason for every bad cell.

The importer reads every cell as text (a pyarrow ``string`` array, null for a missing cell). Each
parser here returns a :class:`Parsed`: the typed column and, cell by cell, why a value could not
be read (null when it is fine, including a legitimately empty cell), so that the row can be
quarantined with its file, line, column, value and reason.

Every parser is vectorised the same way: the column is dictionary-encoded, each *distinct*
string is parsed once in Python, and the results are taken back to the rows. Decisions that need
the whole column (the decimal separator of numbers, the day/month order of dates, IDs rounded by
a spreadsheet) are made from the distinct values weighted by how many rows hold them — per
column, never per cell. A column of a million cells with a thousand distinct strings costs a
thousand small parses and one ``take``. The common shapes (plain numbers such as ``1,234.56``,
ISO timestamps, ASCII text) are handled by Arrow compute kernels instead, with the same results,
so that columns of mostly different values cost no Python call per value either.

Decisions worth knowing (see each function for details):

- **Censored numbers** (``< 10%``, ``> 90%``, TikTok's masked ``<5``) parse to their bound
  (0.1, 0.9, 5.0) with no error: platforms print them instead of the exact value, and the bound
  is the best number available. The importer can spot them by the text if it must.
- **Decimal separator**: decided per column from every value that settles it (``1,234.56``,
  ``12,5``, ``1.234.567``); when nothing settles it, ``.`` (so ``1,234`` is 1234 and ``1.234``
  is 1.234). A column whose values disagree follows its majority (by rows) and flags the cells
  that disagree; a tie flags every cell that depends on the choice.
- **Jalali dates** are recognised by their year (1300–1500) and converted through the date
  dimension of :mod:`shakhes.engine.calendar`; a Jalali year is never read as a Gregorian one.
- **Day/month order** of ``03/04/2024``-style dates is taken from the column: a value with a
  field above 12 settles it; when none does, every cell whose reading depends on the order is an
  error, never a guess (``05/05/2024`` reads the same both ways and is fine).
- **Excel serial 60** is 29 February 1900, a day that never existed (Excel copied a Lotus 1-2-3
  bug): it is an error. Serials 1–59 are 1900-01-01 … 1900-02-28, serials from 61 on are one
  day "late" and are corrected.
- **Dates with a time part** (``2026-05-19T15:15:37-0400``) keep the date as written; the time
  and offset are dropped, not converted to UTC.
"""

from __future__ import annotations

from shakhes.imports.values.base import (
    DEFAULT_EMPTY_MARKERS,
    Parsed,
    normalize_digits,
    normalize_key,
    normalize_keys,
)
from shakhes.imports.values.dates import parse_dates
from shakhes.imports.values.numbers import decimal_votes, parse_numbers
from shakhes.imports.values.text import parse_booleans, parse_integers_as_ids, parse_text

__all__ = [
    "DEFAULT_EMPTY_MARKERS",
    "Parsed",
    "decimal_votes",
    "normalize_digits",
    "normalize_key",
    "normalize_keys",
    "parse_booleans",
    "parse_dates",
    "parse_integers_as_ids",
    "parse_numbers",
    "parse_text",
]
