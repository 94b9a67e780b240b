"""Goals and targets: what a team is aiming for, and the number each KPI should reach.

A :class:`GoalSpec` is a strategic objective ("Grow online revenue 30% in 1404") with a title
and description in English and Persian, an owner, a fixed period and the KPIs that measure it,
each with its kind (strategic, operational, functional); a leading KPI names the lagging KPIs
it is meant to drive.

A :class:`TargetSpec` is the number one KPI should reach: a KPI, a scope (a filter in the
language of ``compute --where``, such as ``channel = 'search'``), a period (a fixed range, or
each month, quarter or year of the Gregorian, Jalali or fiscal calendar), and a value or a
``min``–``max`` band, read in the KPI's direction. Values are in the KPI's own unit as its
formula yields it: a CTR of 2 % is ``0.02``.

These models check what can be checked alone (a band's ``min`` is not above its ``max``, a
range does not end before it starts, a recurring period names its calendar, a scope parses);
:func:`shakhes.spec.validate.validate_goals` checks them against the workspace's KPIs.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shakhes.errors import DefinitionError, FormulaError, Issue
from shakhes.spec.kpi import ID_PATTERN, Direction, Kind

__all__ = [
    "Calendar",
    "DateRange",
    "Every",
    "GoalKpi",
    "GoalSpec",
    "PeriodSpec",
    "ScopeError",
    "TargetSpec",
    "Wording",
    "make_goal",
    "make_target",
    "parse_scope",
]


class Every(StrEnum):
    """How often a recurring target repeats."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Calendar(StrEnum):
    """The calendar whose months, quarters or years a recurring target follows. ``fiscal``
    years start in the workspace's ``fiscal_year_start_month`` (its quarters follow them; its
    months are the Gregorian months)."""

    GREGORIAN = "gregorian"
    JALALI = "jalali"
    FISCAL = "fiscal"


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Wording(BaseModel):
    """A text in English and Persian, either of which may be missing: a team writes in its own
    language, and a reader of the other sees the one there is."""

    model_config = _FROZEN

    en: str = ""
    fa: str = ""

    def text(self, locale: str = "en") -> str:
        """The text in ``locale`` (``en`` or ``fa``), else in the other language."""
        first, second = (self.fa, self.en) if locale == "fa" else (self.en, self.fa)
        return first or second

    def __bool__(self) -> bool:
        return bool(self.en or self.fa)


class DateRange(BaseModel):
    """A fixed range of days, both ends included."""

    model_config = _FROZEN

    start: date
    end: date

    @model_validator(mode="after")
    def _check_order(self) -> Self:
        if self.start > self.end:
            raise ValueError(f"starts ({self.start}) after it ends ({self.end})")
        return self

    def describe(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


class PeriodSpec(BaseModel):
    """When a target applies: a fixed range (``start`` and ``end``), or each month, quarter or
    year (``every``) of a ``calendar`` — from ``start`` and until ``end`` when given, which
    must then be the first and last days of such periods (checked against the workspace's
    calendar settings by :func:`shakhes.spec.validate.validate_goals`)."""

    model_config = _FROZEN

    start: date | None = None
    end: date | None = None
    every: Every | None = None
    calendar: Calendar | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        if self.every is None:
            if self.calendar is not None:
                raise ValueError(
                    "a calendar without 'every': a recurring period needs every: month, "
                    "quarter or year (a fixed range needs only start and end)"
                )
            if self.start is None or self.end is None:
                raise ValueError(
                    "a fixed period needs both start and end (a recurring one needs every: "
                    "and calendar:)"
                )
        elif self.calendar is None:
            raise ValueError(
                "a recurring period names its calendar: calendar: gregorian, jalali or fiscal"
            )
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"starts ({self.start}) after it ends ({self.end})")
        return self

    @property
    def recurring(self) -> bool:
        return self.every is not None

    def describe(self) -> str:
        """The period in a few words: ``2025-03-21 – 2026-03-20``, ``each Jalali month``,
        ``each fiscal quarter from 2025-04-01``."""
        if self.every is None:
            assert self.start is not None and self.end is not None
            return f"{self.start.isoformat()} – {self.end.isoformat()}"
        assert self.calendar is not None
        calendar = {
            Calendar.GREGORIAN: "",
            Calendar.JALALI: "Jalali ",
            Calendar.FISCAL: "fiscal ",
        }[self.calendar]
        text = f"each {calendar}{self.every.value}"
        if self.start is not None:
            text += f" from {self.start.isoformat()}"
        if self.end is not None:
            text += f" until {self.end.isoformat()}"
        return text

    def overlaps(self, start: date, end: date) -> bool:
        """Whether the period has a day in ``[start, end]`` (a recurring one: within its
        bounds)."""
        return (self.start is None or self.start <= end) and (self.end is None or start <= self.end)


def _check_id(value: str, what: str, example: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"'{value}' is not a valid {what} id: use lowercase letters, digits and _, "
            f"starting with a letter (e.g. {example})"
        )
    return value


class GoalKpi(BaseModel):
    """A KPI that measures a goal, with its kind in this goal and, for a leading KPI, the
    lagging KPIs it is meant to drive."""

    model_config = _FROZEN

    kpi: str = Field(min_length=1)
    kind: Kind
    drives: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_drives(self) -> Self:
        if self.kpi in self.drives:
            raise ValueError(f"'{self.kpi}' cannot drive itself")
        if len(set(self.drives)) != len(self.drives):
            raise ValueError("drives names a KPI twice")
        return self


class GoalSpec(BaseModel):
    """A strategic objective over a fixed period, and the KPIs that measure it."""

    model_config = _FROZEN

    id: str
    title: Wording
    description: Wording = Wording()
    owner: str = ""
    period: DateRange
    kpis: tuple[GoalKpi, ...] = ()

    @field_validator("id")
    @classmethod
    def _check_goal_id(cls, value: str) -> str:
        return _check_id(value, "goal", "online_revenue_1404")

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: Wording) -> Wording:
        if not value:
            raise ValueError("a goal needs a title, in English (en:) or Persian (fa:) or both")
        return value

    @model_validator(mode="after")
    def _check_kpis(self) -> Self:
        seen: set[str] = set()
        for link in self.kpis:
            if link.kpi in seen:
                raise ValueError(f"KPI '{link.kpi}' is listed twice")
            seen.add(link.kpi)
        return self

    def link(self, kpi_id: str) -> GoalKpi | None:
        """This goal's link to ``kpi_id``, if the KPI measures it."""
        return next((link for link in self.kpis if link.kpi == kpi_id), None)


class ScopeError(FormulaError):
    """A target's scope that is not a valid filter: every problem, with a caret under it."""

    code = "invalid_scope"

    def __init__(self, scope: str, issues: Any) -> None:
        super().__init__(scope, issues)
        self.message = "invalid scope: " + self.message
        self.args = (self.message,)


def parse_scope(text: str) -> str:
    """A scope in its canonical text (the filter language of ``compute --where``), ``''`` for
    none; :class:`ScopeError` naming the character at fault otherwise.

    >>> parse_scope("channel='search'  and device in ('mobile','tablet')")
    "channel = 'search' and device in ('mobile', 'tablet')"
    """
    if not text.strip():
        return ""
    from shakhes.formula.parser import parse_condition
    from shakhes.formula.printer import to_text

    try:
        return to_text(parse_condition(text))
    except FormulaError as error:
        raise ScopeError(text, error.issues) from None


class TargetSpec(BaseModel):
    """The number a KPI should reach in a scope over a period: ``value`` (reached or beaten in
    the KPI's direction) or a band from ``min`` to ``max``."""

    model_config = _FROZEN

    id: str
    kpi: str = Field(min_length=1)
    scope: str = ""
    """A filter such as ``channel = 'search'``, kept in its canonical text; empty: everything."""
    period: PeriodSpec
    value: float | None = Field(default=None, allow_inf_nan=False)
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    owner: str = ""
    note: str = ""
    goal: str | None = None
    """The goal this target serves, if any (the goal must list the KPI)."""

    @field_validator("id")
    @classmethod
    def _check_target_id(cls, value: str) -> str:
        return _check_id(value, "target", "revenue_monthly")

    @field_validator("scope")
    @classmethod
    def _check_scope(cls, value: str) -> str:
        try:
            return parse_scope(value)
        except ScopeError as error:
            first = error.issues[0]
            position = (first.position or 0) + 1
            raise PydanticCustomError(
                "invalid_scope",
                "{problem} (at character {position} of {scope})",
                {"problem": first.text(), "position": position, "scope": repr(value)},
            ) from None

    @model_validator(mode="after")
    def _check_value(self) -> Self:
        band = self.min is not None or self.max is not None
        if self.value is not None and band:
            raise ValueError("give a value or a band (min and max), not both")
        if self.value is None and not band:
            raise ValueError("give the target's value, or a band with min and max")
        if band and (self.min is None or self.max is None):
            raise ValueError("a band needs both min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"the band's min ({self.min:g}) is above its max ({self.max:g})")
        return self

    @property
    def band(self) -> tuple[float, float] | None:
        """``(min, max)`` for a band, None for a single value."""
        if self.min is None or self.max is None:
            return None
        return self.min, self.max

    def meets(self, actual: float | None, direction: Direction) -> bool | None:
        """Whether ``actual`` reaches the target: inside the band, or at or beyond the value in
        the KPI's ``direction``; None when the actual value is unknown.

        >>> t = TargetSpec.model_validate(
        ...     {"id": "t", "kpi": "cpl", "period": {"every": "month", "calendar": "gregorian"},
        ...      "value": 20})
        >>> t.meets(18.5, Direction.LOWER_IS_BETTER), t.meets(18.5, Direction.HIGHER_IS_BETTER)
        (True, False)
        """
        if actual is None or not math.isfinite(actual):
            return None
        if self.min is not None and self.max is not None:
            return self.min <= actual <= self.max
        assert self.value is not None
        if direction is Direction.LOWER_IS_BETTER:
            return actual <= self.value
        return actual >= self.value


_M = TypeVar("_M", bound=BaseModel)


def _validated(model: type[_M], data: dict[str, Any], label: str) -> _M:
    """``model`` built from ``data``, or one :class:`DefinitionError` naming every field at
    fault (what the CLI and the API get for a bad goal or target)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        issues = []
        for detail in error.errors():
            field = ".".join(str(part) for part in detail["loc"]) or None
            message = str(detail["msg"]).removeprefix("Value error, ")
            if detail["type"] == "missing":
                message = "is missing"
            issues.append(Issue(message, code="invalid_definition", kpi=label, field=field))
        details = "; ".join(
            f"{issue.field}: {issue.message}" if issue.field else issue.message for issue in issues
        )
        raise DefinitionError(f"{label} is not valid: {details}", issues=issues) from None


def make_goal(data: dict[str, Any]) -> GoalSpec:
    """A :class:`GoalSpec` from plain data; :class:`DefinitionError` listing every problem."""
    return _validated(GoalSpec, data, f"goal '{data.get('id', '?')}'")


def make_target(data: dict[str, Any]) -> TargetSpec:
    """A :class:`TargetSpec` from plain data; a scope that does not parse is a
    :class:`ScopeError` with a caret under the place, anything else one
    :class:`DefinitionError` listing every problem."""
    scope = data.get("scope")
    if isinstance(scope, str):
        parse_scope(scope)
    return _validated(TargetSpec, data, f"target '{data.get('id', '?')}'")
