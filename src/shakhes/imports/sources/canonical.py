"""The canonical format: headers are the canonical column names (docs/data-model.md)."""

from __future__ import annotations

from shakhes.data.model import TABLES, Column, ColumnType
from shakhes.imports.sources.base import Field, Kind, SourceSpec

_KINDS: dict[ColumnType, Kind] = {
    ColumnType.DATE: "date",
    ColumnType.STRING: "text",
    ColumnType.INTEGER: "number",
    ColumnType.FLOAT: "number",
    ColumnType.BOOLEAN: "bool",
}


def _field(column: Column) -> Field:
    return Field(column.name, (column.name,), _KINDS[column.type], required=column.required)


CANONICAL_SOURCES: tuple[SourceSpec, ...] = tuple(
    SourceSpec(
        name=f"canonical:{table.name}",
        table=table.name,
        title=f"canonical {table.name}",
        fields=tuple(_field(c) for c in table.columns),
        date_format="%Y-%m-%d",
        # An empty required text outside the natural key is kept empty (a guest order has no
        # customer, an ad row may lack its campaign's name), as the straight read keeps it.
        defaults={
            c.name: ""
            for c in table.columns
            if c.type is ColumnType.STRING
            and c.required
            and c.name not in table.natural_key
            and c.name not in ("channel", "currency")
        },
    )
    for table in TABLES.values()
)
