"""A KPI definition: what it measures, how it is computed, and how to read it."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Unit(StrEnum):
    COUNT = "count"
    CURRENCY = "currency"
    PERCENT = "percent"
    RATIO = "ratio"
    DURATION = "duration"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Kind(StrEnum):
    STRATEGIC = "strategic"
    OPERATIONAL = "operational"
    FUNCTIONAL = "functional"


class Timing(StrEnum):
    LEADING = "leading"
    LAGGING = "lagging"


class Category(StrEnum):
    AWARENESS = "awareness"
    ACQUISITION = "acquisition"
    ENGAGEMENT = "engagement"
    CONVERSION = "conversion"
    REVENUE = "revenue"
    RETENTION = "retention"
    EFFICIENCY = "efficiency"


class Text(BaseModel):
    """A text in English and Persian."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: str = Field(min_length=1)
    fa: str = Field(min_length=1)


class KpiSpec(BaseModel):
    """One KPI definition.

    ``unit`` percent means the formula yields a fraction (0.25) that is shown as 25 %.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: Text
    description: Text
    formula: str = Field(min_length=1)
    unit: Unit
    direction: Direction
    kind: Kind
    timing: Timing
    category: Category
    dimensions: tuple[str, ...] = ()
    """Dimensions it may be broken down by; empty means every dimension its tables share."""
    decimals: int = Field(default=2, ge=0, le=6)
    owner: str = ""
    tags: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(
                f"'{value}' is not a valid KPI id: use lowercase letters, digits and _, "
                "starting with a letter (e.g. cost_per_lead)"
            )
        return value
