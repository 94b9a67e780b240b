"""The one error tree of shakhes, and the one :class:`Issue` type.

User errors (:class:`ShakhesError` and its children) carry a message a marketer understands, a
stable ``code`` that front-ends (the CLI, the REST API) map to their own words and statuses,
where the problem is (:class:`Issue` items: a file and line, a formula with a caret, a field of
a definition) and a suggestion. The core never prints or exits, and its messages name no CLI
option: a hint that needs one (``--currency``) is the CLI's, looked up by ``code`` in
``shakhes.cli.hints``. Anything else that escapes is an internal error (a bug), not a user
error.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in user input — a formula, a KPI definition, a row of a file — located
    as precisely as the input allows. Validators return lists of these instead of stopping at
    the first problem; errors carry them; the CLI and the API each render them.

    >>> str(Issue("unknown column 'clikcs'", code="unknown_column", formula="sum(t.clikcs)",
    ...           position=6, length=6, suggestion="clicks"))
    "unknown column 'clikcs' — did you mean 'clicks'?\\n  sum(t.clikcs)\\n        ^^^^^^"
    >>> str(Issue("not a number", file="ads.csv", line=4, column="cost", value="12,5x"))
    "ads.csv:4: column 'cost': value '12,5x' — not a number"
    """

    message: str
    code: str = "invalid"
    level: Level = "error"
    file: str | None = None
    line: int | None = None
    column: str | None = None
    """The file's column (or the canonical column) at fault."""
    value: str | None = None
    """The cell or field value at fault, as the user wrote it."""
    formula: str | None = None
    position: int | None = None
    """Character offset in ``formula``."""
    length: int = 1
    kpi: str | None = None
    field: str | None = None
    """The field of a KPI definition at fault (``formula``, ``unit``, …)."""
    suggestion: str | None = None
    """A "did you mean" candidate."""
    row: Mapping[str, str] | None = dataclasses.field(default=None, compare=False, repr=False)
    """For a row of a file: its cells as read, header → text (what quarantine keeps)."""

    def where(self) -> str:
        """``file:line`` (or ``file``, or ``line N``), empty when the issue has no place."""
        if self.file is not None:
            return f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"line {self.line}" if self.line is not None else ""

    def text(self) -> str:
        """The message with its suggestion, without the location."""
        did_you_mean = f" — did you mean '{self.suggestion}'?" if self.suggestion else ""
        return self.message + did_you_mean

    def caret(self, formula: str | None = None) -> str:
        """The formula (``formula`` when the issue has none of its own) and a caret line under
        the place, each indented two spaces."""
        shown = self.formula if self.formula is not None else formula or ""
        return f"  {shown}\n  {' ' * (self.position or 0)}{'^' * max(1, self.length)}"

    def __str__(self) -> str:
        if self.formula is not None:
            prefix = f"in KPI '{self.kpi}': " if self.kpi else ""
            return f"{prefix}{self.text()}\n{self.caret()}"
        parts = [p for p in (self.where(), self.kpi) if p]
        if self.column is not None:
            cell = f"column '{self.column}'"
            if self.value is not None:
                cell += f": value '{self.value}'"
            parts.append(cell)
        if self.field is not None:
            parts.append(self.field)
        prefix = ": ".join(parts)
        sep = " — " if self.column is not None and self.value is not None else ": "
        return f"{prefix}{sep}{self.text()}" if prefix else self.text()

    def to_dict(self) -> dict[str, Any]:
        """The issue as JSON-ready data (what the API returns), without empty fields."""
        out: dict[str, Any] = {"code": self.code, "level": self.level, "message": self.message}
        for name in (
            "file",
            "line",
            "column",
            "value",
            "formula",
            "position",
            "kpi",
            "field",
            "suggestion",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.formula is not None:
            out["length"] = self.length
        return out


def FormulaIssue(
    message: str,
    position: int,
    length: int = 1,
    suggestion: str | None = None,
    *,
    code: str,
) -> Issue:
    """An :class:`Issue` in a formula at character ``position`` (the formula text itself is
    filled in by :class:`FormulaError`). ``code`` names the kind of problem (``unknown_column``,
    ``unclosed_parenthesis``, …): the API words it in Persian by it, so each kind has its
    own (``shakhes.server.error_words.FORMULA_DETAILS``; tests/test_issue_codes.py checks)."""
    return Issue(message, code=code, position=position, length=length, suggestion=suggestion)


class ShakhesError(Exception):
    """A problem the user can fix: bad input, an unknown name, a missing workspace.

    ``code`` is stable and machine-readable (``unknown_kpi``, ``no_currency``, …); ``issues``
    locate each problem; ``params`` carries the values a front-end needs to word its own hint
    (an option's name is the CLI's business, not the core's).
    """

    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: str | None = None,
        issues: Iterable[Issue] = (),
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.params: dict[str, Any] = dict(params or {})

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data: the one error shape of the API."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.issues:
            out["issues"] = [issue.to_dict() for issue in self.issues]
        if self.params:
            out["params"] = self.params
        return out


class WorkspaceError(ShakhesError):
    """No workspace, or a broken one."""

    code = "workspace"


class DefinitionError(ShakhesError):
    """A KPI definition (YAML or catalog) is not valid."""

    code = "invalid_definition"


class UnknownKpiError(ShakhesError):
    """A KPI id that no definition has."""

    code = "unknown_kpi"


class UnknownGoalError(ShakhesError):
    """A goal id that no goal has."""

    code = "unknown_goal"


class UnknownTargetError(ShakhesError):
    """A target id that no target has (or had)."""

    code = "unknown_target"


class DataError(ShakhesError):
    """A data file or value that cannot be loaded."""

    code = "invalid_data"


class QueryError(ShakhesError):
    """A compute request that cannot be answered correctly (bad grain, dimension, period)."""

    code = "invalid_query"


class PeriodError(ShakhesError):
    """Text that names no period (a goal's, a target's, or the period a command looks at)."""

    code = "invalid_period"


class BusyError(ShakhesError):
    """The workspace stayed busy (another process writing to it) for longer than allowed."""

    code = "busy"


class FormulaError(ShakhesError):
    """A formula that does not parse or does not fit the warehouse schema.

    ``str(error)`` shows every issue with the formula and a caret under the place::

        unknown column 'clikcs' in ad_performance — did you mean 'clicks'?
          sum(ad_performance.clikcs)
                             ^^^^^^
    """

    code = "invalid_formula"

    def __init__(self, formula: str, issues: Iterable[Issue], *, kpi: str | None = None):
        self.formula = formula
        self.kpi = kpi
        located = [
            Issue(
                i.message,
                code=i.code,
                level=i.level,
                formula=formula,
                position=i.position if i.position is not None else 0,
                length=i.length,
                kpi=kpi if kpi is not None else i.kpi,
                suggestion=i.suggestion,
            )
            for i in issues
        ]
        super().__init__("\n".join(str(i) for i in located), issues=located)


class InternalError(Exception):
    """A bug in shakhes, not something the user did."""


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, if any is close enough to be a likely typo.

    >>> nearest("clikcs", ["clicks", "cost", "impressions"])
    'clicks'
    """
    matches = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


__all__ = [
    "BusyError",
    "DataError",
    "DefinitionError",
    "FormulaError",
    "FormulaIssue",
    "InternalError",
    "Issue",
    "PeriodError",
    "QueryError",
    "ShakhesError",
    "UnknownGoalError",
    "UnknownKpiError",
    "UnknownTargetError",
    "WorkspaceError",
    "nearest",
]
