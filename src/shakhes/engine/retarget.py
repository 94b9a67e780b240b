"""The SQL of one query shape for other dates, without Ibis.

A KPI page of one month runs the same queries as the page of another but for their dates, and
building and compiling a query's expression costs twice what DuckDB spends running it. The
engine compiles a shape once (:func:`template`): the expression built with
:data:`~shakhes.engine.execute.SENTINELS` for the values written as literals (days of the 11th
century, integers of ten digits, which no request has). A request of that shape then gets the
template's SQL with each sentinel's text replaced by its own value's text (:func:`retarget`),
both written by Ibis from typed values, and its own data for the template's in-memory tables
(the periods, the day → period maps), bound by name to what each of them holds.

A template is refused (None: the engine compiles the request as before) unless every sentinel
is found as often as the query writes it, and every in-memory table is the periods or a day
map.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa

from shakhes.data.warehouse import Compiled, Warehouse
from shakhes.engine.execute import (
    SENTINELS,
    Literals,
    build_query,
    day_map_table,
    literals_of,
    periods_table,
    written_literals,
)
from shakhes.engine.planner import Plan
from shakhes.engine.request import Window

_PERIODS = "periods"
_DAY_MAP = "day_map"
_ROLES = (_PERIODS, _DAY_MAP)


@dataclass(frozen=True)
class Template:
    """A query shape's SQL with the sentinels in it, the role of each of its in-memory tables
    (by the name the SQL gives it), and the schema of its rows."""

    sql: str
    roles: Mapping[str, str]
    schema: ibis.Schema


def template(
    plan: Plan,
    windows: Sequence[Window],
    warehouse: Warehouse,
    convert: Mapping[str, str] | None = None,
) -> Template | None:
    """The shape of the query of ``plan`` over ``windows`` (DuckDB only), or None where it
    cannot be re-targeted safely (see the module)."""
    compiled = warehouse.compile(build_query(plan, windows, warehouse, convert, SENTINELS))
    if compiled is None or not windows:
        return None
    roles = {}
    for name, data in compiled.memtables.items():
        role = next((r for r in _ROLES if data.equals(_data(r, windows))), None)
        if role is None:
            return None
        roles[name] = role
    # Each table with measures of rows in a range writes the range, and, counting its periods
    # by arithmetic on the day, the values it counts them from: never any other count (a
    # sentinel's text elsewhere, in a filter say, would be re-targeted too).
    ranged = len({m.table for m in plan.measures if not m.snapshot})
    written = written_literals(plan, windows)
    for field, text in _texts(SENTINELS).items():
        found = len(_pattern(text).findall(compiled.sql))
        if found != (ranged if field in written else 0):
            return None
    return Template(compiled.sql, roles, compiled.schema)


def retarget(shape: Template, plan: Plan, windows: Sequence[Window]) -> Compiled:
    """The query of ``plan`` over ``windows`` compiled: ``shape`` (from a query of the same
    shape) with ``windows``' literals and in-memory tables."""
    real = _texts(literals_of(plan, windows))
    replace = {text: real[field] for field, text in _texts(SENTINELS).items()}
    sql = re.sub(
        "|".join(f"(?:{_pattern(text).pattern})" for text in replace),
        lambda m: replace[m.group(0)],
        shape.sql,
    )
    data = {role: _data(role, windows) for role in set(shape.roles.values())}
    memtables = {name: data[role] for name, role in shape.roles.items()}
    return Compiled(sql, memtables, shape.schema)


def _data(role: str, windows: Sequence[Window]) -> pa.Table:
    """The data of the in-memory table of ``role`` over ``windows``."""
    return periods_table(windows) if role == _PERIODS else day_map_table(windows)


def _texts(literals: Literals) -> dict[str, str]:
    """Each literal's text in DuckDB SQL, by field."""
    return {
        f.name: _text(value, "date" if isinstance(value, dt.date) else "int32")
        for f in dataclasses.fields(literals)
        for value in [getattr(literals, f.name)]
    }


def _pattern(text: str) -> re.Pattern[str]:
    """``text`` standing alone (not inside a longer number or name)."""
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w.])")


@functools.lru_cache(maxsize=4096)
def _text(value: object, dtype: str) -> str:
    """How Ibis writes ``value`` of type ``dtype`` in DuckDB SQL (as in any query)."""
    sql = ibis.to_sql(ibis.literal(value, dtype).name("x"), dialect="duckdb")
    found = re.fullmatch(r'SELECT\s+(.*?)\s+AS\s+"x"\s*', sql, flags=re.DOTALL)
    if found is None:
        raise ValueError(f"unexpected SQL for a literal: {sql!r}")
    return found.group(1)
