"""A layout's row rule (is this a summary row?) asked once per distinct value of the cell it
reads first, rather than once per row: see :func:`rule_holds`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa


class _NeedsCell(BaseException):
    """A rule read a cell that :class:`_Probe` does not know (not an ``Exception``, so that a
    rule's own ``except Exception`` cannot swallow it)."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Probe(Mapping[str, str]):
    """A record whose keys are known but only some of its cells: reading another raises
    :class:`_NeedsCell`."""

    def __init__(self, names: Sequence[str], known: dict[str, str]) -> None:
        self._names, self._known = names, known

    def __getitem__(self, key: str) -> str:
        if key in self._known:
            return self._known[key]
        if key in self._names:
            raise _NeedsCell(key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def rule_holds(
    rule: Callable[[Mapping[str, str]], bool], texts: dict[str, pa.Array], n: int
) -> npt.NDArray[np.bool_]:
    """``rule(record)`` for each of the ``n`` rows, the record of row ``i`` mapping each name of
    ``texts`` (in order) to ``texts[name][i]`` (no nulls).

    A rule is a function of the cells it reads, and a total-row rule reads one cell first (the
    first cell, or the date) and for almost every row needs no other: so it is asked once per
    distinct value of that cell, with a record that knows only that cell, and row by row only for
    the values where it reads another cell too.
    """
    names = list(texts)
    try:
        same: npt.NDArray[np.bool_] = np.full(n, bool(rule(_Probe(names, {}))))
        return same
    except _NeedsCell as needs:
        first = needs.name
    encoded = texts[first].dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    holds = np.zeros(len(distinct), dtype=bool)
    by_row = np.zeros(len(distinct), dtype=bool)
    if len(distinct) * 4 > n:  # so many values that asking per row costs about the same
        by_row[:] = True
    else:
        for j, value in enumerate(distinct):
            try:
                holds[j] = bool(rule(_Probe(names, {first: value})))
            except _NeedsCell:
                by_row[j] = True
    indices = encoded.indices.to_numpy()
    result: npt.NDArray[np.bool_] = holds[indices]
    rows = np.flatnonzero(by_row[indices])
    if len(rows):
        picked = pa.array(rows)
        cells = zip(*(texts[name].take(picked).to_pylist() for name in names), strict=True)
        for i, values in zip(rows.tolist(), cells, strict=True):
            result[i] = bool(rule(dict(zip(names, values, strict=True))))
    return result
