"""A compute result as the front-ends read it, and the records ``shakhes compute`` and the API
return — without the engine.

:class:`Computed` holds what the outputs of a :class:`~shakhes.engine.engine.Result` read (its
rows, the KPIs asked for, the breakdown, the comparison, the currency, the reasons KPIs were
not computed, the columns that may lack values) as plain data that goes to JSON and back
unchanged (:meth:`Computed.to_data`, :meth:`Computed.from_data`). It is what the command line
keeps in a workspace's cache (:mod:`shakhes.service.stored`), so that a result answered from
there is written by the very code that writes a fresh one. This module imports only the
standard library and :mod:`shakhes.errors`.

A record is one row of the long result (period × breakdown × KPI) as JSON-ready data: dates in
ISO form, whole numbers as integers, null for NaN, ``complete`` true/false, ``missing`` (when a
KPI reads a column that may be empty, such as reach or leads: how many rows lacked a value —
unknown, left out, never counted as 0), and ``error`` (the code, message and — worded by the
front-end — hint of why a KPI was not computed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shakhes.engine.columns import BASE_COLUMNS, COMPARE_COLUMNS
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from shakhes.engine.engine import Result

COMPARISONS = {"previous": "previous", "last-year": "last_year", "last_year": "last_year"}
"""How a comparison may be spelled (the CLI's ``last-year``, the API's ``last_year``)."""

Hint = Callable[[ShakhesError], "str | None"]


@dataclass(frozen=True)
class Query:
    """What to compute, as a user asks for it (KPI ids and dimensions may be comma-separated
    text); :func:`shakhes.service.compute.compute` checks it."""

    kpis: str | Sequence[str]
    grain: str | None = None
    """None: the workspace's default (``month``, or ``jalali_month`` in a Jalali workspace)."""
    by: str | Sequence[str] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    where: str | None = None
    compare: str | None = None
    """``previous`` or ``last_year`` (also spelled ``last-year``)."""

    def key(self) -> tuple[Hashable, ...]:
        """The query as a cache key (its lists as tuples, its comparison spelled one way)."""

        def frozen(value: str | Sequence[str]) -> str | tuple[str, ...]:
            return value if isinstance(value, str) else tuple(value)

        return (frozen(self.kpis), self.grain, frozen(self.by), self.start, self.end,
                self.where, COMPARISONS.get(self.compare or "", self.compare))  # fmt: skip


@dataclass(frozen=True)
class Lack:
    """A column a KPI reads that may hold no value (``Plan.may_lack``)."""

    table: str
    column: str | None


@dataclass(frozen=True)
class Computed:
    """What the outputs read of a compute result (see the module docstring)."""

    by: tuple[str, ...]
    compare: str | None
    kpi_ids: tuple[str, ...]
    """Every KPI asked for, in the order asked, computed or not."""
    ratios: frozenset[str]
    """The KPIs computed as a ratio (they have a numerator and a denominator)."""
    may_lack: dict[str, tuple[Lack, ...]]
    currency: str | None
    errors: dict[str, ShakhesError]
    """KPI id → why it could not be computed, in the order asked."""
    rows: list[dict[str, Any]]
    """:meth:`Result.records`: the rows as dictionaries (Python dates, NaN for none)."""

    @classmethod
    def of(cls, result: Result | Computed) -> Computed:
        if isinstance(result, Computed):
            return result
        plan = result.plan
        return cls(
            by=tuple(result.request.by),
            compare=result.request.compare,
            kpi_ids=plan.kpi_ids,
            ratios=frozenset(k.spec.id for k in plan.kpis if k.numerator is not None),
            may_lack={
                kpi: tuple(Lack(a.table, a.column) for a in found)
                for kpi, found in plan.may_lack.items()
            },
            currency=result.currency,
            errors=result.errors,
            rows=result.records(),
        )

    def records(self) -> list[dict[str, Any]]:
        return self.rows

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data (dates tagged ``{"$date": "YYYY-MM-DD"}``; NaN stays NaN, which
        Python's ``json`` writes and reads back)."""
        return {
            "by": list(self.by),
            "compare": self.compare,
            "kpi_ids": list(self.kpi_ids),
            "ratios": sorted(self.ratios),
            "may_lack": {k: [[a.table, a.column] for a in v] for k, v in self.may_lack.items()},
            "currency": self.currency,
            "errors": {
                k: {"code": e.code, "message": e.message, "hint": e.hint, "params": e.params}
                for k, e in self.errors.items()
            },
            "rows": [{c: _tagged(v) for c, v in row.items()} for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Computed:
        """The inverse of :meth:`to_data`."""
        return cls(
            by=tuple(data["by"]),
            compare=data["compare"],
            kpi_ids=tuple(data["kpi_ids"]),
            ratios=frozenset(data["ratios"]),
            may_lack={k: tuple(Lack(t, c) for t, c in v) for k, v in data["may_lack"].items()},
            currency=data["currency"],
            errors={
                k: ShakhesError(e["message"], code=e["code"], hint=e["hint"], params=e["params"])
                for k, e in data["errors"].items()
            },
            rows=[{c: _untagged(v) for c, v in row.items()} for row in data["rows"]],
        )


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise TypeError(f"a result cell holds a timestamp ({value!r}), not kept")
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"a result cell of type {type(value).__name__} is not kept")


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        return dt.date.fromisoformat(value["$date"])
    return value


def columns(result: Result | Computed, *, components: bool = False) -> list[str]:
    """The columns of a result's records (CSV and JSON), in order."""
    computed = Computed.of(result)
    cols = [*BASE_COLUMNS, *computed.by, "kpi", "value", "complete"]
    if computed.may_lack:
        cols.append("missing")
    if components:
        cols += ["numerator", "denominator"]
    if computed.compare:
        cols += list(COMPARE_COLUMNS)
    return [*cols, "error"]


def records(
    result: Result | Computed, *, components: bool = False, hint: Hint | None = None
) -> list[dict[str, Any]]:
    """One JSON-ready record per row of ``result`` (see the module docstring); ``hint`` words
    the hint of a KPI's error for the front-end (the CLI's names its options)."""
    computed = Computed.of(result)
    cols = [c for c in columns(computed, components=components) if c != "error"]
    errors = {kpi: _error(error, hint) for kpi, error in computed.errors.items()}
    out = []
    for row in computed.records():
        record = {c: _clean(row[c]) for c in cols}
        record["error"] = errors.get(str(row["kpi"]))
        out.append(record)
    return out


def _error(error: ShakhesError, hint: Hint | None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": error.code, "message": error.message}
    text = hint(error) if hint is not None else error.hint
    if text:
        out["hint"] = text
    return out


def _clean(value: Any) -> Any:
    """A frame cell as JSON data: null for NaN and NaT, ISO dates, whole numbers as integers."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
