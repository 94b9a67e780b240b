"""The canonical format: headers are the canonical column names (docs/data-model.md)."""

from __future__ import annotations

from shakhes.data.model import TABLES, Column
from shakhes.imports.sources.base import KIND_OF_TYPE, Field, SourceSpec


def _field(column: Column) -> Field:
    return Field(column.name, (column.name,), KIND_OF_TYPE[column.type], required=column.required)


CANONICAL_SOURCES: tuple[SourceSpec, ...] = tuple(
    SourceSpec(
        name=f"canonical:{table.name}",
        table=table.name,
        title=f"canonical {table.name}",
        fields=tuple(_field(c) for c in table.columns),
        date_format="%Y-%m-%d",
        # An empty text is kept empty where the data model says it is a value (a guest order
        # has no customer, an ad row may lack its campaign's name), as the straight read keeps it.
        defaults={c.name: "" for c in table.columns if table.may_be_blank(c)},
    )
    for table in TABLES.values()
)
