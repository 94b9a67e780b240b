"""Frozen results as JSON-ready data, for the front-ends that answer in JSON.

>>> import datetime as dt
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Span:
...     start: dt.date
...     total: float
>>> to_record(Span(dt.date(2025, 1, 1), float("nan")))
{'start': '2025-01-01', 'total': None}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath
from typing import Any

from shakhes.errors import Issue, ShakhesError


def to_record(value: Any) -> Any:
    """``value`` as JSON data: dataclasses as objects (an :class:`~shakhes.errors.Issue` as its
    own record), dates in ISO form, NaN and infinities as null, tuples as lists, enums and paths
    as text."""
    if isinstance(value, Issue):
        return value.to_dict()
    if isinstance(value, ShakhesError):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_record(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not callable(getattr(value, f.name))
        }
    if isinstance(value, Mapping):
        return {str(k): to_record(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_record(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePath):
        return value.name
    return value
