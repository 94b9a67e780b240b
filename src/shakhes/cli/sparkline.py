"""Sparklines: a series as a row of block characters, for a trend beside a number."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, from the lowest (▁) to the highest (█) of them; a space for an
    unknown value; a flat series sits in the middle.

    >>> sparkline([1, 2, 3, 4, 5, 6, 7, 8]), sparkline([5, None, 5]), sparkline([])
    ('▁▂▃▄▅▆▇█', '▄ ▄', '')
    """
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    top = len(BLOCKS) - 1
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif high == low:
            out.append(BLOCKS[top // 2])
        else:
            out.append(BLOCKS[round((value - low) / (high - low) * top)])
    return "".join(out)
