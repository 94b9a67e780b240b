"""Tokenizer and recursive-descent parser: :func:`parse_formula` for a KPI formula
(``(revenue * $gross_margin - cost) / cost``) and :func:`parse_condition` for a filter
(``channel = 'search' and device in ('mobile', 'tablet')``).

Both raise :class:`~shakhes.errors.FormulaError` for every syntax problem, positioned by character
offset into the text, and never any other exception. Names are not checked here (unknown tables,
columns, KPIs and parameters are the job of :mod:`shakhes.formula.check`), except function names,
which are part of the syntax.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, NoReturn, TypeVar, cast, get_args

from shakhes.errors import FormulaError, FormulaIssue, Issue, nearest
from shakhes.formula.ast import (
    Aggregate,
    AggregateFunc,
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
    Node,
    Not,
    Number,
    Param,
)

FUNCTIONS: tuple[str, ...] = get_args(AggregateFunc)
"""Aggregate function names, lower-case."""

RESERVED: frozenset[str] = frozenset(
    {"where", "and", "or", "not", "in", "is", "null", "true", "false"}
)
"""Keywords that can never be a name. ``date`` is a keyword only before a quoted date, so a column
may be called ``date``."""

MAX_NESTING = 50  # most parentheses, unary - and `not` that may nest inside each other
MAX_DEPTH = 200  # deepest tree a formula may produce (a chain of 200 `+` is 200 deep)

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = frozenset("0123456789")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPERATORS = (
    "<=", ">=", "<>", "!=", "==", "(", ")", ",", ".", "$", "+", "-", "−", "*", "×", "/", "÷",
    "=", "<", ">",
)  # fmt: skip
_NORMAL = {"−": "-", "×": "*", "÷": "/", "<>": "!="}
_COMPARE = ("=", "!=", "<", "<=", ">", ">=")
_MAX_NUMBER_CHARS = 300
_VALUE_HINT = "a number, a KPI id, a $parameter or an aggregate such as sum(orders.revenue)"
_SCRIPT_HINT = ": names use English letters, digits and _ (other text goes in quotes: 'تهران')"
_LITERAL_HINT = "text in quotes, a number, true, false, null or date '2024-01-31'"

TokenKind = Literal["num", "ident", "str", "op", "eof"]


@dataclass(frozen=True)
class Token:
    """One token: ``value`` is the operator normalised (``×`` → ``*``, ``<>`` → ``!=``), the
    identifier as written, the decoded text of a string, or the digits of a number."""

    kind: TokenKind
    value: str
    pos: int
    end: int

    def shown(self) -> str:
        """The token as a message quotes it."""
        if self.kind == "eof":
            return "the end"
        if self.kind == "str":
            return "'" + self.value.replace("'", "''") + "'"
        return f"'{self.value}'"


class _Stop(Exception):
    """A syntax error: parsing cannot go on."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _fail(
    message: str, pos: int, length: int = 1, suggestion: str | None = None, *, code: str
) -> NoReturn:
    raise _Stop(FormulaIssue(message, pos, max(1, length), suggestion, code=code))


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token; :class:`FormulaError` if it
    cannot."""
    try:
        return _tokenize(text)
    except _Stop as stop:
        raise FormulaError(text, [stop.issue]) from None


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and text[i + 1 : i + 2] in _DIGITS):
            tokens.append(_number_token(text, i))
        elif ch == "_" or (ch.isascii() and ch.isalpha()):
            match = _IDENT.match(text, i)
            assert match is not None
            tokens.append(Token("ident", match.group(), i, match.end()))
        elif ch == "'":
            tokens.append(_string_token(text, i))
        elif ch == '"':
            _fail("text values use single quotes, e.g. 'search'", i, code="double_quotes")
        else:
            shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
            for op in _OPERATORS:
                if text.startswith(op, i):
                    tokens.append(Token("op", _NORMAL.get(op, op), i, i + len(op)))
                    break
            else:
                if ch.isalpha():
                    message = f"unexpected character '{shown}'{_SCRIPT_HINT}"
                    _fail(message, i, code="non_latin_name")
                _fail(f"unexpected character '{shown}'", i, code="unexpected_character")
        i = tokens[-1].end
    tokens.append(Token("eof", "", n, n))
    return tokens


def _number_token(text: str, start: int) -> Token:
    match = _NUMBER.match(text, start)
    assert match is not None
    end = match.end()
    tail = _IDENT.match(text, end)
    if tail:
        stop = tail.end()
        _fail(
            f"malformed number '{text[start:stop]}'", start, stop - start, code="malformed_number"
        )
    if end - start > _MAX_NUMBER_CHARS:
        _fail("number too long", start, end - start, code="number_too_large")
    return Token("num", match.group(), start, end)


def _string_token(text: str, start: int) -> Token:
    parts: list[str] = []
    i = start + 1
    while True:
        close = text.find("'", i)
        if close < 0:
            _fail("unterminated string: add a closing '", start, code="unterminated_string")
        parts.append(text[i:close])
        if text.startswith("''", close):
            parts.append("'")
            i = close + 2
            continue
        return Token("str", "".join(parts), start, close + 1)


def _float(tok: Token) -> float:
    value = float(tok.value)
    if not math.isfinite(value):
        _fail("number too large", tok.pos, tok.end - tok.pos, code="number_too_large")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.i = 0
        self.issues: list[Issue] = []  # problems that do not stop parsing
        self.nesting = 0
        self.depths: dict[int, int] = {}  # id(node) -> depth of its subtree
        self.keep: list[Node] = []  # keeps tracked nodes alive so their ids stay unique

    # ---- token helpers ----------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def at_op(self, *values: str, ahead: int = 0) -> bool:
        tok = self.tokens[min(self.i + ahead, len(self.tokens) - 1)]
        return tok.kind == "op" and tok.value in values

    def at_kw(self, word: str) -> bool:
        return self.tok.kind == "ident" and self.tok.value.lower() == word

    def fail_here(self, expected: str, *, code: str) -> NoReturn:
        """Fail at the current token: ``expected …, found …`` or ``unexpected end of formula``."""
        tok = self.tok
        if tok.kind == "eof":
            _fail(f"unexpected end of formula: {expected}", tok.pos, code=code)
        _fail(f"{expected}, found {tok.shown()}", tok.pos, tok.end - tok.pos, code=code)

    def close(self, opened_at: int, what: str) -> Token:
        if not self.at_op(")"):
            self.fail_here(
                f"expected ')' to close '{what}' opened at character {opened_at + 1}",
                code="unclosed_parenthesis",
            )
        self.nesting -= 1
        return self.advance()

    def enter(self, tok: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            message = f"formula nests too deeply (more than {MAX_NESTING} levels)"
            _fail(message, tok.pos, code="too_complex")

    def track(self, node: _N, *children: Node) -> _N:
        depth = 1 + max((self.depths.get(id(child), 1) for child in children), default=0)
        if depth > MAX_DEPTH:
            message = f"formula is too complex (more than {MAX_DEPTH} levels)"
            _fail(message, node.pos, node.length, code="too_complex")
        self.depths[id(node)] = depth
        self.keep.append(node)
        return node

    def wrap(self, opener: Token, inner: _N) -> _N:
        """``inner`` read inside parentheses: its span grows to cover them."""
        outer = replace(inner, pos=opener.pos, length=self.close(opener.pos, "(").end - opener.pos)
        self.depths[id(outer)] = self.depths.get(id(inner), 1)
        self.keep.append(outer)
        return outer

    def parse(self, kind: Literal["formula", "condition"]) -> Expr | Condition:
        self.tokens = _tokenize(self.text)
        if self.tok.kind == "eof":
            _fail(f"empty {kind}", 0, code="empty_formula")
        tree = self.expr() if kind == "formula" else self.condition()
        tok = self.tok
        if tok.kind == "eof":
            return tree
        if self.at_op(")"):
            _fail("unmatched ')'", tok.pos, code="unmatched_parenthesis")
        span = tok.pos, tok.end - tok.pos
        if kind == "condition":
            message = f"expected 'and', 'or' or the end of the condition, found {tok.shown()}"
            _fail(message, *span, code="expected_and_or")
        if self.at_kw("where"):
            message = "'where' goes inside an aggregate, e.g. sum(orders.revenue where …)"
            _fail(message, *span, code="where_outside_aggregate")
        message = f"expected an operator (+, -, *, /) before {tok.shown()}"
        _fail(message, *span, code="expected_operator")

    # ---- value expressions ------------------------------------------------------------------

    def expr(self, level: int = 0) -> Expr:
        """Level 0: a chain of ``+`` and ``-`` over level 1, a chain of ``*`` and ``/``."""
        operand: Callable[[], Expr] = (lambda: self.expr(1)) if level == 0 else self.unary
        left = operand()
        while self.at_op(*("+-" if level == 0 else "*/")):
            op = cast(_BinOp, self.advance().value)
            right = operand()
            length = right.pos + right.length - left.pos
            left = self.track(BinaryOp(left.pos, length, op, left, right), left, right)
        return left

    def unary(self) -> Expr:
        if not self.at_op("-"):
            return self.atom()
        minus = self.advance()
        self.enter(minus)
        operand = self.unary()
        self.nesting -= 1
        length = operand.pos + operand.length - minus.pos
        return self.track(Negate(minus.pos, length, operand), operand)

    def atom(self) -> Expr:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return Number(tok.pos, tok.end - tok.pos, _float(tok))
        if self.at_op("("):
            self.enter(self.advance())
            return self.wrap(tok, self.expr())
        if self.at_op("$"):
            name = self.tokens[self.i + 1]
            if name.kind != "ident" or name.pos != tok.end:
                message = "expected a parameter name right after '$', e.g. $gross_margin"
                _fail(message, tok.pos, code="expected_parameter")
            self.i += 2
            return Param(tok.pos, name.end - tok.pos, name.value)
        if tok.kind != "ident":
            prev = self.tokens[self.i - 1] if self.i else None
            after = f" after {prev.shown()}" if prev is not None and prev.kind == "op" else ""
            self.fail_here(f"expected a value{after} ({_VALUE_HINT})", code="expected_value")
        if self.at_op("(", ahead=1):
            return self.aggregate()
        if tok.value.lower() in RESERVED:
            message = f"unexpected keyword '{tok.value}'"
            _fail(message, tok.pos, tok.end - tok.pos, code="unexpected_keyword")
        self.advance()
        if self.at_op("."):
            column, example, end = self.tokens[self.i + 1], "ad_performance.clicks", self.tok.end
            if column.kind == "ident":
                example, end = f"{tok.value}.{column.value}", column.end
            message = f"a column needs an aggregate, e.g. sum({example})"
            _fail(message, tok.pos, end - tok.pos, code="column_needs_aggregate")
        return KpiRef(tok.pos, tok.end - tok.pos, tok.value)

    def aggregate(self) -> Aggregate:
        name = self.advance()
        func, shown = name.value.lower(), f"{name.value}("
        if func not in FUNCTIONS:
            message, suggestion = f"unknown function '{name.value}'", nearest(func, FUNCTIONS)
            self.issues.append(
                FormulaIssue(
                    message, name.pos, name.end - name.pos, suggestion, code="unknown_function"
                )
            )
        self.enter(self.advance())
        table = self.tok
        if table.kind != "ident" or table.value.lower() in RESERVED:
            self.fail_here(
                f"expected a table name after '{shown}', e.g. {func}(orders)",
                code="expected_table",
            )
        self.advance()
        column: str | None = None
        if self.at_op("."):
            self.advance()
            if self.tok.kind != "ident":
                self.fail_here(
                    f"expected a column name after '{table.value}.'", code="expected_column"
                )
            column = self.advance().value
        condition: Condition | None = None
        if self.at_kw("where"):
            self.advance()
            condition = self.condition()
        elif self.tok.kind == "ident":
            self.fail_here(
                f"expected '.', 'where' or ')' after '{self.tokens[self.i - 1].value}'",
                code="unexpected_word",
            )
        length = self.close(name.pos, shown).end - name.pos
        node = Aggregate(
            name.pos, length, cast(AggregateFunc, func), table.value, column, condition
        )
        return node if condition is None else self.track(node, condition)

    # ---- conditions -------------------------------------------------------------------------

    def condition(self, op: _BoolOp = "or") -> Condition:
        """A chain of ``or`` over a chain of ``and`` over :meth:`not_condition`."""
        operand: Callable[[], Condition] = self.not_condition
        if op == "or":
            operand = lambda: self.condition("and")  # noqa: E731
        left = operand()
        while self.at_kw(op):
            self.advance()
            right = operand()
            length = right.pos + right.length - left.pos
            left = self.track(BoolOp(left.pos, length, op, left, right), left, right)
        return left

    def not_condition(self) -> Condition:
        tok = self.tok
        if self.at_kw("not"):
            self.enter(self.advance())
            operand = self.not_condition()
            self.nesting -= 1
            length = operand.pos + operand.length - tok.pos
            return self.track(Not(tok.pos, length, operand), operand)
        if self.at_op("("):
            self.enter(self.advance())
            return self.wrap(tok, self.condition())
        return self.predicate()

    def column_ref(self) -> ColumnRef:
        tok = self.tok
        if tok.kind != "ident":
            self.fail_here("expected a column name", code="expected_column")
        if tok.value.lower() in RESERVED:
            message = f"expected a column name, found keyword '{tok.value}'"
            _fail(message, tok.pos, len(tok.value), code="keyword_as_column")
        self.advance()
        if not self.at_op("."):
            return ColumnRef(tok.pos, tok.end - tok.pos, tok.value)
        self.advance()
        if self.tok.kind != "ident":
            self.fail_here(f"expected a column name after '{tok.value}.'", code="expected_column")
        column = self.advance()
        return ColumnRef(tok.pos, column.end - tok.pos, column.value, tok.value)

    def predicate(self) -> Condition:
        column = self.column_ref()
        start, shown = column.pos, self.text[column.pos : column.pos + column.length]
        if self.at_op(*_COMPARE):
            op = cast(_CmpOp, self.advance().value)
            value, end = self.literal()
            return Comparison(start, end - start, column, op, value)
        if self.at_op("=="):
            _fail("use '=' to compare, not '=='", self.tok.pos, 2, code="double_equals")
        negated = self.at_kw("not")
        if negated:
            self.advance()
            if not self.at_kw("in"):
                self.fail_here(f"expected 'in' after '{shown} not'", code="expected_in")
        if self.at_kw("in"):
            self.advance()
            values, end = self.in_list()
            return InList(start, end - start, column, values, negated)
        if self.at_kw("is"):
            self.advance()
            negated = self.at_kw("not")
            if negated:
                self.advance()
            if not self.at_kw("null"):
                self.fail_here(
                    "expected 'null' after 'is' (is null, is not null)", code="expected_null"
                )
            return IsNull(start, self.advance().end - start, column, negated)
        self.fail_here(
            f"expected a comparison after '{shown}' (=, !=, <, <=, >, >=, in, is null)",
            code="expected_comparison",
        )

    def in_list(self) -> tuple[tuple[Literal_, ...], int]:
        opener = self.tok
        if not self.at_op("("):
            self.fail_here(
                "expected '(' after 'in', e.g. channel in ('search', 'social')",
                code="expected_list",
            )
        self.advance()
        values = [self.literal()[0]]
        while self.at_op(","):
            self.advance()
            values.append(self.literal()[0])
        if not self.at_op(")"):
            self.fail_here(
                f"expected ',' or ')' in the list opened at character {opener.pos + 1}",
                code="unclosed_list",
            )
        return tuple(values), self.advance().end

    def literal(self) -> tuple[Literal_, int]:
        start, tok = self.i, self.advance()
        word = tok.value.lower() if tok.kind == "ident" else ""
        if tok.kind == "str":
            return tok.value, tok.end
        if tok.kind == "num":
            return _literal_number(tok), tok.end
        if tok.kind == "op" and tok.value == "-" and self.tok.kind == "num":
            number = self.advance()
            return -_literal_number(number), number.end
        if word in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[word], tok.end
        if word == "date" and self.tok.kind == "str":
            quoted = self.advance()
            return _date(quoted), quoted.end
        if word == "date":
            self.fail_here(
                "expected a date in quotes after 'date', e.g. date '2024-01-31'",
                code="expected_date",
            )
        if tok.kind == "op" and tok.value == "-":
            self.fail_here("expected a number after '-'", code="expected_number")
        self.i = start
        self.fail_here(f"expected a value ({_LITERAL_HINT})", code="expected_value")


_N = TypeVar("_N", bound=Node)
_BinOp = Literal["+", "-", "*", "/"]
_BoolOp = Literal["and", "or"]
_CmpOp = Literal["=", "!=", "<", "<=", ">", ">="]


def _literal_number(tok: Token) -> int | float:
    if any(c in tok.value for c in ".eE"):
        return _float(tok)
    return int(tok.value)


def _date(tok: Token) -> dt.date:
    try:
        if _DATE.fullmatch(tok.value):
            return dt.date.fromisoformat(tok.value)
    except ValueError:
        pass
    _fail(
        f"invalid date {tok.shown()}: write dates as date 'YYYY-MM-DD', e.g. date '2024-01-31'",
        tok.pos,
        tok.end - tok.pos,
        code="invalid_date",
    )


def parse_formula(text: str, *, kpi: str | None = None) -> Expr:
    """Parse a KPI formula into its typed tree.

    >>> parse_formula("count(orders)")
    Aggregate(pos=0, length=13, func='count', table='orders', column=None, filter=None)

    Raises :class:`FormulaError` (and nothing else) with every problem found, each positioned by
    character offset; ``kpi`` names the KPI in the message.
    """
    parser = _Parser(text)
    try:
        tree = parser.parse("formula")
    except _Stop as stop:
        raise FormulaError(text, [*parser.issues, stop.issue], kpi=kpi) from None
    if parser.issues:
        raise FormulaError(text, parser.issues, kpi=kpi)
    return cast(Expr, tree)


def parse_condition(text: str) -> Condition:
    """Parse a filter such as ``channel = 'search' and device in ('mobile', 'tablet')``.

    Raises :class:`FormulaError` (and nothing else), positioned by character offset.
    """
    parser = _Parser(text)
    try:
        return cast(Condition, parser.parse("condition"))
    except _Stop as stop:
        raise FormulaError(text, [stop.issue]) from None
