"""The one error tree of shakhes.

User errors (:class:`ShakhesError` and its children) carry a message a marketer understands, where
the problem is (a file and line, or a formula with a caret) and a suggestion. The CLI and the web
layer translate them at one place each; the core never prints or exits. Anything else that escapes
is an internal error (a bug), not a user error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class ShakhesError(Exception):
    """A problem the user can fix: bad input, an unknown name, a missing workspace."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class WorkspaceError(ShakhesError):
    """No workspace, or a broken one."""


class DefinitionError(ShakhesError):
    """A KPI definition (YAML or catalog) is not valid."""


class UnknownKpiError(ShakhesError):
    """A KPI id that no definition has."""


class DataError(ShakhesError):
    """A data file or value that cannot be loaded."""


class QueryError(ShakhesError):
    """A compute request that cannot be answered correctly (bad grain, dimension, period)."""


@dataclass(frozen=True)
class FormulaIssue:
    """One problem in a formula, located by character offset."""

    message: str
    position: int
    length: int = 1
    suggestion: str | None = None


class FormulaError(ShakhesError):
    """A formula that does not parse or does not fit the warehouse schema.

    ``str(error)`` shows every issue with the formula and a caret under the place::

        unknown column 'clikcs' in ad_performance — did you mean 'clicks'?
          sum(ad_performance.clikcs)
                             ^^^^^^
    """

    def __init__(self, formula: str, issues: Iterable[FormulaIssue], *, kpi: str | None = None):
        self.formula = formula
        self.issues = tuple(issues)
        self.kpi = kpi
        super().__init__(self._render())

    def _render(self) -> str:
        parts: list[str] = []
        for issue in self.issues:
            text = issue.message
            if issue.suggestion:
                text += f" — did you mean '{issue.suggestion}'?"
            where = f"in KPI '{self.kpi}': " if self.kpi else ""
            caret = " " * issue.position + "^" * max(1, issue.length)
            parts.append(f"{where}{text}\n  {self.formula}\n  {caret}")
        return "\n".join(parts)


class InternalError(Exception):
    """A bug in shakhes, not something the user did."""


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, if any is close enough to be a likely typo.

    >>> nearest("clikcs", ["clicks", "cost", "impressions"])
    'clicks'
    """
    matches = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
