"""Rich tables whose ids and numbers are never cut, however narrow the terminal.

Rich fits a table to the terminal by wrapping and, where a cell has no space to wrap at,
cutting it with ``…``: a KPI id ``click_to_open_rate`` became ``click_to_open_…`` and an
amount ``1,608.20 USD`` became ``1,608.…`` in an 80-column terminal. :func:`keep_whole`
marks the columns that must stay whole (ids, dates, numbers); Rich then narrows the others
(names, notes, explanations), which wrap at spaces.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.errors import MarkupError
from rich.table import Table
from rich.text import Text


def keep_whole(table: Table, *headers: str, words: tuple[str, ...] = ()) -> Table:
    """Make the columns headed ``headers`` as wide as their widest cell and never wrapped or
    cut, and those headed ``words`` as wide as their longest word (they wrap at spaces: a date
    range, an amount above its currency), so that the table's other columns give way first.
    Returns the table.

    >>> t = Table("id", "period", "note")
    >>> _ = t.add_row("click_to_open_rate", "2026-10-01 – 2026-12-31", "a long note")
    >>> [c.min_width for c in keep_whole(t, "id", words=("period",)).columns]
    [18, 10, None]
    """
    for column in table.columns:
        cells = [column.header, *column.cells]
        if str(column.header) in headers:
            column.no_wrap = True
            column.min_width = max(_width(c) for c in cells)
        elif str(column.header) in words:
            column.min_width = max(_width(w) for c in cells for w in _plain(c).split())
    return table


def _width(cell: Any) -> int:
    """The widest line of a cell as the terminal shows it (markup taken off)."""
    return max((cell_len(line) for line in _plain(cell).split("\n")), default=0)


def _plain(cell: Any) -> str:
    if isinstance(cell, Text):
        return cell.plain
    try:
        return Text.from_markup(str(cell)).plain
    except MarkupError:
        return str(cell)
