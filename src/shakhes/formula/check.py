"""Checks a parsed formula or filter against the canonical data model.

Every check collects all the problems it finds and raises one
:class:`~shakhes.errors.FormulaError` listing them, each with a caret under the name or value at
fault and, for a likely typo, the nearest valid name.

Division: the checker accepts any division. When the engine computes ``a / b`` and ``b`` is zero
(or either side is empty), the result is null, shown as "—"; it is never an error or infinity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping

from shakhes.data.model import CHANNELS, TABLES, Additivity, Column, ColumnType, Table
from shakhes.errors import FormulaError, FormulaIssue, Issue, nearest
from shakhes.formula.ast import (
    SNAPSHOT_FUNCS,
    Aggregate,
    BinaryOp,
    BoolOp,
    ColumnRef,
    Comparison,
    Condition,
    Expr,
    InList,
    IsNull,
    KpiRef,
    Literal_,
    Negate,
    Not,
    Param,
)
from shakhes.formula.parser import Token, tokenize
from shakhes.formula.printer import literal_text

NUMERIC_FUNCS: frozenset[str] = frozenset({"sum", "avg", "min", "max", "approx_sum"})
"""Functions that need a number column."""

_SNAPSHOT_TABLE = "customers"
_TYPE_NAMES = {
    ColumnType.STRING: "text",
    ColumnType.INTEGER: "number",
    ColumnType.FLOAT: "number",
    ColumnType.DATE: "date",
    ColumnType.BOOLEAN: "true/false",
}
_NON_ADDITIVE = [
    f"{t.name}.{c.name}"
    for t in TABLES.values()
    for c in t.columns
    if c.additivity is Additivity.NON_ADDITIVE
]


# ---- walking the tree -------------------------------------------------------------------------


def _walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, pre-order, left to right."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, BinaryOp):
            stack.extend((node.right, node.left))
        elif isinstance(node, Negate):
            stack.append(node.operand)


def _predicates(cond: Condition) -> Iterator[Comparison | InList | IsNull]:
    """Every comparison, list test and null test of ``cond``, left to right."""
    stack: list[Condition] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, BoolOp):
            stack.extend((node.right, node.left))
        elif isinstance(node, Not):
            stack.append(node.operand)
        else:
            yield node


def aggregates(expr: Expr) -> list[Aggregate]:
    """The aggregates of ``expr`` in the order they are written (repeats kept)."""
    return [node for node in _walk(expr) if isinstance(node, Aggregate)]


def kpi_references(expr: Expr) -> set[str]:
    """Ids of the KPIs ``expr`` refers to."""
    return {node.id for node in _walk(expr) if isinstance(node, KpiRef)}


def find_cycle(formulas: Mapping[str, Expr]) -> list[str] | None:
    """A cycle of KPI references, e.g. ``['a', 'b', 'a']`` when ``a`` uses ``b`` and ``b`` uses
    ``a`` (``['a', 'a']`` for a KPI that uses itself); None when there is none.

    References to ids not in ``formulas`` are ignored.
    """
    refs = {kpi: sorted(kpi_references(expr) & formulas.keys()) for kpi, expr in formulas.items()}
    done: set[str] = set()
    for root in formulas:
        if root in done:
            continue
        path: list[str] = [root]
        on_path: set[str] = {root}
        todo: list[Iterator[str]] = [iter(refs[root])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
            elif nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                todo.append(iter(refs[nxt]))
    return None


# ---- locating names inside the text -----------------------------------------------------------


class _Locator:
    """Finds where a table, column or literal of a node is written, for the caret.

    Falls back to the node's own span when the text does not match the tree.
    """

    def __init__(self, text: str) -> None:
        try:
            self.tokens = tokenize(text)
        except FormulaError:
            self.tokens = []
        self.index = {tok.pos: i for i, tok in enumerate(self.tokens)}

    def _from(self, pos: int) -> list[Token]:
        start = self.index.get(pos)
        return [] if start is None else self.tokens[start:]

    def aggregate_parts(self, agg: Aggregate) -> tuple[tuple[int, int], tuple[int, int]]:
        """(pos, length) of the table and of the column of ``agg``."""
        whole = (agg.pos, agg.length)
        toks = self._from(agg.pos)
        while toks and toks[0].kind == "op" and toks[0].value == "(":
            toks = toks[1:]
        toks = toks[:5]
        if len(toks) < 3 or toks[2].value != agg.table:
            return whole, whole
        table = (toks[2].pos, len(agg.table))
        if agg.column is not None and len(toks) == 5 and toks[4].value == agg.column:
            return table, (toks[4].pos, len(agg.column))
        return table, whole

    def literal_spans(self, node: Comparison | InList) -> list[tuple[int, int]]:
        """(pos, length) of each literal of a comparison (one) or a list (one per value)."""
        end = node.pos + node.length
        toks = [t for t in self._from(node.column.pos) if t.end <= end]
        whole = [(node.pos, node.length)] * (
            1 if isinstance(node, Comparison) else len(node.values)
        )
        ops = [i for i, t in enumerate(toks) if t.kind == "op" and t.value not in (".", "-")]
        if not ops:
            return whole
        rest = toks[ops[0] + 1 :]
        if isinstance(node, Comparison):
            if not rest:
                return whole
            first = rest[0]
            two = first.kind in ("op", "ident") and first.value.lower() in ("-", "date")
            last = rest[1] if two and len(rest) > 1 else first
            return [(rest[0].pos, last.end - rest[0].pos)]
        spans: list[tuple[int, int]] = []
        group: list[Token] = []
        for tok in rest:
            if tok.kind == "op" and tok.value in (",", ")"):
                if group:
                    spans.append((group[0].pos, group[-1].end - group[0].pos))
                group = []
            else:
                group.append(tok)
        return spans if len(spans) == len(node.values) else whole


def _name_span(ref: ColumnRef) -> tuple[int, int]:
    """Where the column name (without its table) of ``ref`` is written."""
    return ref.pos + ref.length - len(ref.name), len(ref.name)


def _table_span(ref: ColumnRef) -> tuple[int, int]:
    return ref.pos, len(ref.table or ref.name)


# ---- literal typing ---------------------------------------------------------------------------


def _literal_issue(column: Column, op: str | None, value: Literal_) -> tuple[str, str] | None:
    """(code, message): why ``value`` cannot be compared with ``column`` (``op`` None inside
    ``in (…)``)."""
    name = column.name
    if value is None:
        if op is None:
            message = f"null never matches inside 'in (…)': write ({name} in (…) or {name} is null)"
            return "null_in_list", message
        if op in ("=", "!="):
            negated = "not " if op == "!=" else ""
            return "use_is_null", f"use '{name} is {negated}null' to test for an empty value"
        return "null_compare", f"null cannot be compared with '{op}'"
    kind = column.type
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return "number_too_large", f"{literal_text(value)} is too large a number"
    if kind is ColumnType.STRING:
        if isinstance(value, str):
            if name == "channel" and value not in CHANNELS:
                hint = nearest(value, CHANNELS)
                return "unknown_channel", f"'{value}' is not a channel" + (
                    f" — did you mean '{hint}'?" if hint else f" (one of: {', '.join(CHANNELS)})"
                )
            return None
        shown = value.isoformat() if isinstance(value, dt.date) else literal_text(value)
        return (
            "text_needs_quotes",
            f"{name} is a text column: write the value in quotes, e.g. '{shown}'",
        )
    if kind.is_numeric:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and _is_number(value):
            return "number_in_quotes", f"{name} is a number column: write {value} without quotes"
        message = f"{name} is a number column, but {literal_text(value)} is not a number"
        return "value_not_a_number", message
    if kind is ColumnType.DATE:
        if isinstance(value, dt.date):
            return None
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            return "date_needs_date", f"{name} is a date column: write date '{value}'"
        message = f"{name} is a date column: compare it with a date, e.g. date '2024-01-31'"
        return "date_needs_date", message
    if isinstance(value, bool):
        if op in (None, "=", "!="):
            return None
        return "boolean_compare", f"{name} is a true/false column: compare it with = or !="
    return "boolean_compare", f"{name} is a true/false column: compare it with true or false"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _predicate_issues(
    pred: Comparison | InList | IsNull, column: Column, locator: _Locator
) -> list[Issue]:
    if isinstance(pred, IsNull):
        return []
    issues: list[Issue] = []
    spans = locator.literal_spans(pred)
    if isinstance(pred, Comparison):
        found = _literal_issue(column, pred.op, pred.value)
        if found:
            issues.append(FormulaIssue(found[1], *spans[0], code=found[0]))
        return issues
    for value, span in zip(pred.values, spans, strict=True):
        found = _literal_issue(column, None, value)
        if found:
            issues.append(FormulaIssue(found[1], *span, code=found[0]))
    return issues


# ---- formulas ---------------------------------------------------------------------------------


def _example(table: Table, func: str) -> str:
    """``func`` applied to a fitting column of ``table`` (or of another table), for a message."""
    for col in table.columns:
        fits = {
            "approx_sum": col.additivity is Additivity.NON_ADDITIVE,
            "count_distinct": col.is_dimension,
        }.get(func, col.type.is_numeric)
        if fits:
            return f"{func}({table.name}.{col.name})"
    return f"{func}({_NON_ADDITIVE[0]})" if func == "approx_sum" else f"{func}(table.column)"


def _check_aggregate(agg: Aggregate, locator: _Locator) -> list[Issue]:
    func, issues = agg.func, []
    table_span, column_span = locator.aggregate_parts(agg)
    table = TABLES.get(agg.table)
    if func in SNAPSHOT_FUNCS and agg.table != _SNAPSHOT_TABLE:
        message = f"{func} works only on the customers table: {func}(customers)"
        issues.append(FormulaIssue(message, *table_span, code="customers_only"))
        return issues
    if table is None:
        suggestion = nearest(agg.table, TABLES)
        message = f"unknown table '{agg.table}'"
        issues.append(FormulaIssue(message, *table_span, suggestion, code="unknown_table"))
        return issues
    column: Column | None = None
    if agg.column is None:
        if func in NUMERIC_FUNCS or func == "count_distinct":
            example = _example(table, func)
            issues.append(
                FormulaIssue(
                    f"{func} needs a column, e.g. {example}",
                    agg.pos,
                    agg.length,
                    code="needs_column",
                )
            )
    else:
        if not table.has_column(agg.column):
            suggestion = nearest(agg.column, table.column_names)
            message = f"unknown column '{agg.column}' in {table.name}"
            issues.append(FormulaIssue(message, *column_span, suggestion, code="unknown_column"))
        else:
            column = table.column(agg.column)
    if column is not None and (func in NUMERIC_FUNCS or func in SNAPSHOT_FUNCS):
        where = f"{table.name}.{column.name}"
        if not column.type.is_numeric:
            hint = (
                f"; count_distinct({where}) counts its values"
                if column.is_dimension and func in NUMERIC_FUNCS
                else ""
            )
            kind = _TYPE_NAMES[column.type]
            message = f"{func} needs a number column, but {where} is a {kind} column{hint}"
            issues.append(FormulaIssue(message, *column_span, code="not_a_number_column"))
        elif func == "approx_sum" and column.additivity is not Additivity.NON_ADDITIVE:
            message = (
                f"approx_sum is only for non-additive columns ({', '.join(_NON_ADDITIVE)}); "
                f"{where} adds up across days, so write sum({where})"
            )
            issues.append(FormulaIssue(message, agg.pos, agg.length, code="approx_sum_additive"))
    if agg.filter is not None:
        issues.extend(_check_filter(agg, table, locator))
    return issues


def _check_filter(agg: Aggregate, table: Table, locator: _Locator) -> list[Issue]:
    assert agg.filter is not None
    issues: list[Issue] = []
    for pred in _predicates(agg.filter):
        ref = pred.column
        if ref.table is not None and ref.table != table.name:
            message = (
                f"the filter of {agg.func}({table.name}…) can only use columns of {table.name}, "
                f"not of {ref.table}"
            )
            issues.append(FormulaIssue(message, *_table_span(ref), code="filter_other_table"))
            continue
        if not table.has_column(ref.name):
            suggestion = nearest(ref.name, table.column_names)
            message = f"unknown column '{ref.name}' in {table.name}"
            issues.append(
                FormulaIssue(message, *_name_span(ref), suggestion, code="unknown_column")
            )
            continue
        issues.extend(_predicate_issues(pred, table.column(ref.name), locator))
    return issues


def check_formula(
    expr: Expr,
    text: str,
    *,
    kpi: str | None,
    known_kpis: Collection[str],
    params: Collection[str],
) -> None:
    """Check ``expr`` (parsed from ``text``) against the data model, the known KPI ids and the
    workspace parameters; raise one :class:`FormulaError` listing every problem."""
    locator = _Locator(text)
    issues: list[Issue] = []
    for node in _walk(expr):
        if isinstance(node, Aggregate):
            issues.extend(_check_aggregate(node, locator))
        elif isinstance(node, KpiRef):
            issues.extend(_check_ref(node, kpi, known_kpis))
        elif isinstance(node, Param) and node.name not in params:
            near = nearest(node.name, params)
            message = f"unknown parameter '${node.name}'"
            if not params:
                message += " (set parameters in shakhes.toml under [parameters])"
            suggestion = f"${near}" if near else None
            issues.append(
                FormulaIssue(message, node.pos, node.length, suggestion, code="unknown_parameter")
            )
    if issues:
        raise FormulaError(text, issues, kpi=kpi)


def _check_ref(ref: KpiRef, kpi: str | None, known_kpis: Collection[str]) -> list[Issue]:
    if kpi is not None and ref.id == kpi:
        message = f"KPI '{kpi}' refers to itself"
        return [FormulaIssue(message, ref.pos, ref.length, code="self_reference")]
    if ref.id in known_kpis:
        return []
    if ref.id in TABLES:
        message = f"'{ref.id}' is a table, not a KPI: use an aggregate such as count({ref.id})"
        return [FormulaIssue(message, ref.pos, ref.length, code="table_not_kpi")]
    suggestion = nearest(ref.id, known_kpis)
    message = f"unknown KPI '{ref.id}'"
    return [FormulaIssue(message, ref.pos, ref.length, suggestion, code="unknown_kpi")]


# ---- compute --where --------------------------------------------------------------------------


def check_condition(cond: Condition, text: str, *, tables: Collection[str]) -> None:
    """Check a filter (``compute --where``) against ``tables``, the tables the KPI reads: every
    column must exist in each of them (a qualified ``table.column`` must name one of them) and
    every value must fit the column's type. Raises one :class:`FormulaError` listing every
    problem."""
    locator = _Locator(text)
    known = [TABLES[name] for name in tables if name in TABLES]
    issues: list[Issue] = []
    for pred in _predicates(cond):
        ref = pred.column
        if ref.table is not None and ref.table not in tables:
            message = f"'{ref.table}' is not a table this KPI reads ({', '.join(tables)})"
            suggestion = nearest(ref.table, tables)
            issues.append(
                FormulaIssue(message, *_table_span(ref), suggestion, code="table_not_read")
            )
            continue
        having = [t for t in known if t.has_column(ref.name)]
        for table in known:
            if table in having:
                continue
            message = f"unknown column '{ref.name}' in {table.name}"
            if having:
                message += (
                    f" (it is in {', '.join(t.name for t in having)}, but a filter must fit "
                    "every table the KPI reads)"
                )
                suggestion = None
            else:
                suggestion = nearest(ref.name, table.column_names)
            issues.append(
                FormulaIssue(message, *_name_span(ref), suggestion, code="unknown_column")
            )
        for table in having:
            for issue in _predicate_issues(pred, table.column(ref.name), locator):
                if issue not in issues:
                    issues.append(issue)
    if issues:
        raise FormulaError(text, issues)
