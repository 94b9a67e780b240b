"""Mapping files: describe any other layout in YAML, and write a starting one from a file.

```yaml
table: ad_performance            # the canonical table the rows go to
columns:                          # canonical column: the header that carries it
  date: Tarikh
  campaign: Campaign Name
  impressions: Views
  clicks: Clicks
  cost: Spend
constants:                        # columns the file does not have
  platform: digikala
  account: main
channel:                          # campaign-name patterns → channel; the first match wins
  - match: "(?i)brand|search"
    value: search
  - value: display                # no pattern: the default
date_format: "%d/%m/%Y"           # when the order of day and month cannot be told from the file
decimal: ","                      # when numbers use a decimal comma
currency: IRR                     # the currency of every amount, when the file does not say
multiply:                         # unit multipliers, e.g. rial → toman
  cost: 0.1
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from shakhes.data.model import CHANNELS, TABLES, ColumnType
from shakhes.errors import DataError, nearest
from shakhes.imports import values as V
from shakhes.imports.readers import iter_rows, sniff
from shakhes.imports.sources import REGISTRY
from shakhes.imports.sources.base import Field, Kind, SourceSpec, header_key

_KINDS: dict[ColumnType, Kind] = {
    ColumnType.DATE: "date",
    ColumnType.STRING: "text",
    ColumnType.INTEGER: "number",
    ColumnType.FLOAT: "number",
    ColumnType.BOOLEAN: "bool",
}
_KEYS = {
    "table",
    "columns",
    "constants",
    "channel",
    "date_format",
    "decimal",
    "currency",
    "multiply",
}


@dataclass(frozen=True)
class ChannelRule:
    """``campaign`` text matching ``pattern`` (a regular expression; None matches anything)
    gets channel ``value``."""

    pattern: re.Pattern[str] | None
    value: str


@dataclass(frozen=True)
class MappingFile:
    path: Path
    spec: SourceSpec
    channel_rules: tuple[ChannelRule, ...] = ()
    decimal: str | None = None
    currency: str | None = None
    multiply: Mapping[str, float] = field(default_factory=dict)


def load_mapping(path: Path) -> MappingFile:
    """Read and check a mapping file; every problem is reported at once, with the file name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read the mapping file: {exc}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: a mapping file is a YAML mapping with 'table' and 'columns'")
    problems: list[str] = []
    for key in data:
        if key not in _KEYS:
            hint = nearest(str(key), _KEYS)
            problems.append(f"unknown key '{key}'" + (f" — did you mean '{hint}'?" if hint else ""))
    table_name = str(data.get("table", ""))
    if table_name not in TABLES:
        hint = nearest(table_name, TABLES)
        problems.append(
            f"table '{table_name}' is not a canonical table"
            + (f" — did you mean '{hint}'?" if hint else "")
        )
        raise DataError(f"{path}: " + "; ".join(problems))
    table = TABLES[table_name]
    columns = data.get("columns") or {}
    constants = {str(k): str(v) for k, v in (data.get("constants") or {}).items()}
    fields: list[Field] = []
    if not isinstance(columns, dict) or not columns:
        problems.append("'columns' must map canonical columns to the file's headers")
        columns = {}
    for canonical, header in columns.items():
        if not table.has_column(str(canonical)):
            hint = nearest(str(canonical), table.column_names)
            problems.append(
                f"'{canonical}' is not a column of {table.name}"
                + (f" — did you mean '{hint}'?" if hint else "")
            )
            continue
        headers = tuple(str(h) for h in (header if isinstance(header, list) else [header]))
        kind = _KINDS[table.column(str(canonical)).type]
        fields.append(Field(str(canonical), headers, kind, required=True))
    for name in constants:
        if not table.has_column(name):
            problems.append(f"constant '{name}' is not a column of {table.name}")
    rules = []
    for i, rule in enumerate(data.get("channel") or []):
        value = str((rule or {}).get("value", ""))
        if value not in CHANNELS:
            hint = nearest(value, CHANNELS)
            problems.append(
                f"channel rule {i + 1}: '{value}' is not a channel"
                + (f" — did you mean '{hint}'?" if hint else "")
            )
            continue
        pattern = rule.get("match")
        try:
            rules.append(ChannelRule(re.compile(str(pattern)) if pattern else None, value))
        except re.error as exc:
            problems.append(f"channel rule {i + 1}: bad pattern {pattern!r}: {exc}")
    multiply: dict[str, float] = {}
    for name, factor in (data.get("multiply") or {}).items():
        if not table.has_column(str(name)) or not table.column(str(name)).type.is_numeric:
            problems.append(f"multiply: '{name}' is not a number column of {table.name}")
        elif not isinstance(factor, int | float) or isinstance(factor, bool):
            problems.append(f"multiply: the factor for '{name}' must be a number")
        else:
            multiply[str(name)] = float(factor)
    decimal = data.get("decimal")
    if decimal not in (None, ".", ","):
        problems.append("decimal must be '.' or ','")
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems))
    currency = str(data["currency"]).upper() if data.get("currency") else None
    spec = SourceSpec(
        name=f"mapping:{path.name}",
        table=table.name,
        title=f"mapping {path.name}",
        fields=tuple(fields),
        constants=constants,
        date_format=str(data["date_format"]) if data.get("date_format") else None,
        decimal=str(decimal) if decimal else None,
        multiply=multiply,
        channel_rules=tuple((r.pattern, r.value) for r in rules),
        currency=currency,
        defaults=(
            {"ad_group": "(not set)", "conversions": "0", "conversion_value": "0"}
            if table.name == "ad_performance"
            else {}
        ),
        copies={"campaign_id": "campaign"} if table.has_column("campaign_id") else {},
    )
    return MappingFile(path, spec, tuple(rules), spec.decimal, currency, multiply)


def suggest_mapping(header: list[str], table: str | None = None) -> str:
    """A starting mapping file for a file with ``header``: every header a known layout can
    place, mapped; the others listed in comments for the user to place."""
    placed: dict[str, str] = {}
    votes: dict[str, int] = {}
    for h in header:
        for spec in REGISTRY.values():
            f = spec.field_for(h)
            if f is not None and not f.canonical.startswith("_"):
                placed.setdefault(f.canonical, h)
                votes[spec.table] = votes.get(spec.table, 0) + 1
                break
        else:
            key = header_key(h).replace(" ", "_")
            for t in TABLES.values():
                if t.has_column(key):
                    placed.setdefault(key, h)
    target = table or (max(votes, key=lambda t: votes[t]) if votes else "ad_performance")
    columns = {c: h for c, h in placed.items() if TABLES[target].has_column(c)}
    unplaced = [h for h in header if h not in columns.values()]
    document: dict[str, Any] = {"table": target, "columns": columns}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    missing = [c.name for c in TABLES[target].columns if c.required and c.name not in columns]
    lines = [
        "# Mapping written by `shakhes import --suggest-mapping`; check it, then import "
        "with --mapping.",
        text.rstrip(),
    ]
    if missing:
        lines.append(
            f"# Required columns not found (map them, or set them under constants):"
            f" {', '.join(missing)}"
        )
    if unplaced:
        lines.append(f"# Headers not placed: {', '.join(unplaced)}")
    lines.append("# constants: {platform: my_platform, account: main}\n# currency: USD")
    return "\n".join(lines) + "\n"


def suggest_for_file(path: Path, *, encoding: str | None = None) -> str:
    """:func:`suggest_mapping` for the header of ``path``: the first of its first rows with
    the most filled cells that are not numbers."""
    info = sniff(path, encoding=encoding)
    best: tuple[int, ...] | None = None
    header: list[str] = []
    for i, row in enumerate(iter_rows(info)):
        if i >= 60:
            break
        cells = [c.strip() for c in row.cells]
        texts = sum(1 for c in cells if c and not V.parse_numbers(pa.array([c])).values[0].is_valid)
        if best is None or texts > best[0]:
            best, header = (texts,), [c for c in cells if c]
    if not header:
        raise DataError(f"{path}: no header row found in its first rows")
    return suggest_mapping(header)
