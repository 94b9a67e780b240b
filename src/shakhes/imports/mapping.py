"""Mapping files: describe any other layout in YAML (docs/importing.md, "Mapping files").

```yaml
table: leads                      # the canonical table the rows go to
columns:                          # canonical column: the header that carries it
  lead_id: Record ID
  created_date: Create Date
  channel: Original Source        # two columns may name the same header:
  campaign: Original Source       #   each gets the cell (value maps apply per column)
constants:                        # columns the file does not have, the same on every row
  currency: USD
defaults:                         # empty cells, and values the `values` map does not list
  channel: other
values:                           # file values → canonical values, per column
  channel:
    Paid Search: search
    Paid Social: social
    "Referral: *": referral       # `*` matches any text
date_format: "%d/%m/%Y"           # when the order of day and month cannot be told
decimal: ","                      # numbers written with a decimal comma
currency: IRT                     # the currency of every amount, when the file does not say
multiply: {value: 0.1}            # unit multipliers (rial → toman)
hash: [customer_id]               # store the SHA-256 of these (e-mail addresses), not them
only: {Deal Stage: [Closed Won]}  # import only rows with these values (skip: the opposite)
update: true                      # only complete rows already there (see imports/partial.py)
channel:                          # ad_performance: campaign-name patterns → channel
  - match: "(?i)brand|search"
    value: search
```

Every problem of a mapping file is reported at once, each with the file, the line of the YAML
and the key at fault.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from shakhes.data.model import CHANNELS, TABLES, Column, ColumnType, Table
from shakhes.errors import nearest
from shakhes.imports import values as V
from shakhes.imports.rewrite import TextRules, ValueMap, footer_rule
from shakhes.imports.sources.base import KIND_OF_TYPE, Field, SourceSpec, header_key
from shakhes.imports.yaml_lines import Problems, read_yaml

_KEYS = (
    "table",
    "columns",
    "constants",
    "defaults",
    "values",
    "channel",
    "date_format",
    "decimal",
    "currency",
    "multiply",
    "hash",
    "only",
    "skip",
    "update",
)
FROM_HISTORY = " (new customers from history)"
"""Ends the source name of an orders mapping that does not say which orders are a customer's
first: ``is_new_customer`` is then worked out from the order history, as for shop exports."""
FROM_OPTIONS = frozenset({"currency", "account"})
"""Required columns an import can be given without the mapping (the currency and account of
the whole file)."""


@dataclass(frozen=True)
class ChannelRule:
    """``campaign`` text matching ``pattern`` (a regular expression; None matches anything)
    gets channel ``value``."""

    pattern: re.Pattern[str] | None
    value: str


@dataclass(frozen=True)
class MappingFile:
    """A checked mapping file and the source layout it describes."""

    path: Path
    spec: SourceSpec


# ---- values ----------------------------------------------------------------------------------


def canonical_text(column: Column, value: Any, date_format: str | None = None) -> str:
    """``value`` (from the YAML) as the canonical text of ``column``'s type — ISO date, plain
    number, ``true``/``false`` — or :class:`ValueError` with why it does not fit."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) and column.type is not ColumnType.BOOLEAN:
        raise ValueError(f"{str(value).lower()} is not a {column.type.value} value")
    if not text:
        raise ValueError("empty value")
    if column.type is ColumnType.DATE:
        if isinstance(value, dt.date):  # YAML reads 2024-01-05 as a date
            return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        parsed = V.parse_dates(pa.array([text]), date_format=date_format)
        if parsed.values[0].as_py() is None:
            raise ValueError(f"'{text}' is not a date ({parsed.errors[0].as_py()})")
        return str(parsed.values[0].as_py())
    if column.type.is_numeric:
        number = V.parse_numbers(pa.array([text])).values[0].as_py()
        if number is None:
            raise ValueError(f"'{text}' is not a number")
        if column.type is ColumnType.INTEGER:
            if number != int(number):
                raise ValueError(f"'{text}' is not a whole number")
            return str(int(number))
        return repr(float(number))
    if column.type is ColumnType.BOOLEAN:
        flag = V.parse_booleans(pa.array([text.lower()])).values[0].as_py()
        if flag is None:
            raise ValueError(f"'{text}' is not true or false")
        return "true" if flag else "false"
    if column.allowed and text not in column.allowed:
        hint = nearest(text, column.allowed)
        raise ValueError(
            f"'{text}' is not a {column.name}" + (f" — did you mean '{hint}'?" if hint else "")
        )
    if column.pattern is not None:  # (a currency code, in capitals as an import writes it)
        if not text.isascii() or not re.fullmatch(column.pattern, text.upper()):
            raise ValueError(f"'{text}' is not {column.pattern_means}")
        return text.upper()
    return text


# ---- the mapping file ------------------------------------------------------------------------


def load_mapping(path: Path) -> MappingFile:
    """Read and check a mapping file; every problem is reported at once, with the file name,
    the line and the key."""
    data, lines = read_yaml(path)
    problems = Problems(path, lines)
    if not isinstance(data, dict):
        problems.add((), "a mapping file is a YAML mapping with 'table' and 'columns'")
        problems.raise_any()
    for key in data:
        if key not in _KEYS:
            problems.add((key,), f"unknown key '{key}'", nearest(str(key), _KEYS))
    table_name = str(data.get("table", ""))
    if table_name not in TABLES:
        problems.add(
            ("table",),
            f"table '{table_name}' is not a canonical table (one of {', '.join(TABLES)})",
            nearest(table_name, TABLES),
        )
        problems.raise_any()
    return _Builder(path, data, TABLES[table_name], problems).build()


class _Builder:
    """Checks a mapping document against its table and builds the :class:`SourceSpec`."""

    def __init__(self, path: Path, data: dict[Any, Any], table: Table, problems: Problems):
        self.path, self.data, self.table, self.problems = path, data, table, problems
        self.date_format = str(data["date_format"]) if data.get("date_format") else None

    def _dict(self, key: str) -> dict[Any, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problems.add((key,), f"'{key}' must be a mapping of column names to values")
            return {}
        return value

    def _column(self, where: tuple[Any, ...], name: Any) -> Column | None:
        if self.table.has_column(str(name)):
            return self.table.column(str(name))
        self.problems.add(
            where,
            f"'{name}' is not a column of {self.table.name}",
            nearest(str(name), self.table.column_names),
        )
        return None

    def _value(self, where: tuple[Any, ...], column: Column, value: Any) -> str | None:
        try:
            return canonical_text(column, value, self.date_format)
        except ValueError as exc:
            self.problems.add(where, f"{column.name}: {exc}")
            return None

    def _as_cell(self, column: Column, text: str) -> str:
        """Canonical ``text`` written as a cell of the file, which is how defaults and mapped
        values are read (in the file's date format and decimal separator, then multiplied as
        its cells are)."""
        if column.type is ColumnType.DATE and self.date_format:
            return dt.date.fromisoformat(text).strftime(self.date_format)
        if column.type.is_numeric and self.data.get("decimal") == ",":
            return text.replace(".", ",")
        return text

    def build(self) -> MappingFile:
        table, problems = self.table, self.problems
        headers = self._headers()
        constants = self._constants("constants", headers)
        defaults = self._constants("defaults", {})
        for name in list(constants):
            if name in defaults:
                problems.add(("defaults", name), f"'{name}' is both a constant and a default")
        maps = self._value_maps(headers, defaults)
        rules = self._channel_rules(headers)
        multiply = self._multiply()
        hashed = self._hashed(headers)
        update = self.data.get("update", False)
        if not isinstance(update, bool):
            problems.add(("update",), "update must be true or false")
            update = False
        decimal = self.data.get("decimal")
        if decimal not in (None, ".", ","):
            problems.add(("decimal",), "decimal must be '.' or ','")
        currency = self._currency()
        # A default for a column the file does not have is the same on every row.
        constants.update({k: v for k, v in defaults.items() if k not in headers})
        layout_defaults: dict[str, str] = (
            {"ad_group": "(not set)", "conversions": "0", "conversion_value": "0"}
            if table.name == "ad_performance"
            else {}
        )
        if update:  # an update writes only what it carries: no layout default but the key's
            layout_defaults = {k: v for k, v in layout_defaults.items() if k in table.natural_key}
        copies = {"campaign_id": "campaign"} if table.has_column("campaign_id") else {}
        history = table.name == "orders" and not (
            {"is_new_customer"} & (set(headers) | set(constants))
        )
        if history and not update:
            constants["is_new_customer"] = "false"
        carried = set(headers) | set(constants) | set(layout_defaults)
        carried |= {c for c, src in copies.items() if src in carried}
        if rules:
            carried.add("channel")
        supplied = carried | FROM_OPTIONS
        if update:
            keys = [k for k in table.natural_key if table.column(k).required and k not in supplied]
            if keys:
                problems.add(
                    ("update",),
                    f"a file that updates rows must carry their key: map {', '.join(keys)}",
                )
        else:
            missing = [c.name for c in table.columns if c.required and c.name not in supplied]
            if missing:
                problems.add(
                    ("columns",),
                    f"required column(s) of {table.name} neither mapped nor set: "
                    f"{', '.join(missing)} (map them under columns, or set them under constants "
                    "or defaults; a file that only completes rows already imported says "
                    "update: true)",
                )
        filters, prepare = self._row_filters(headers)
        problems.raise_any()
        spec = SourceSpec(
            name=f"mapping:{self.path.name}" + (FROM_HISTORY if history else ""),
            table=table.name,
            title=f"mapping {self.path.name}",
            fields=tuple(self._fields(headers, filters)),
            constants=constants,
            defaults=layout_defaults,
            date_format=self.date_format,
            decimal=str(decimal) if decimal else None,
            multiply=multiply,
            channel_rules=tuple((r.pattern, r.value) for r in rules),
            currency=currency,
            copies=copies,
            summary=footer_rule(len(headers)),
            prepare=prepare,
            rewrite=self._rules(headers, maps, defaults, hashed),
            writes=self._written(carried, update),
            update_only=update,
        )
        return MappingFile(self.path, spec)

    def _currency(self) -> str | None:
        value = self.data.get("currency")
        if value is None:
            return None
        if not self.table.has_column("currency"):
            self.problems.add(("currency",), f"{self.table.name} has no currency column")
            return None
        return self._value(("currency",), self.table.column("currency"), value)

    def _headers(self) -> dict[str, tuple[str, ...]]:
        """Canonical column → the header names that may carry it."""
        columns = self.data.get("columns")
        if not isinstance(columns, dict) or not columns:
            if not self.data.get("update") or columns is not None:
                self.problems.add(
                    ("columns",), "'columns' must map canonical columns to the file's headers"
                )
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for canonical, header in columns.items():
            if self._column(("columns", canonical), canonical) is None:
                continue
            names = header if isinstance(header, list) else [header]
            if not names or not all(isinstance(h, str | int) and str(h).strip() for h in names):
                self.problems.add(
                    ("columns", canonical), "the header must be a name or a list of names"
                )
                continue
            out[str(canonical)] = tuple(str(h) for h in names)
        groups: dict[frozenset[str], str] = {}
        for canonical, group in out.items():
            keys = frozenset(header_key(h) for h in group)
            for other_keys, other in groups.items():
                if keys != other_keys and keys & other_keys:
                    self.problems.add(
                        ("columns", canonical),
                        f"{canonical} and {other} share some header names but not all: give "
                        "them the same header (or list), or different ones",
                    )
            groups.setdefault(keys, canonical)
        return out

    def _constants(self, key: str, headers: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self._dict(key).items():
            column = self._column((key, name), name)
            if column is None:
                continue
            if name in headers:
                self.problems.add(
                    (key, name),
                    f"'{name}' is mapped to a file column and set as a constant: keep one "
                    "(defaults fill its empty cells)",
                )
                continue
            text = self._value((key, name), column, value)
            if text is not None:
                out[str(name)] = text
        return out

    def _value_maps(
        self, headers: Mapping[str, tuple[str, ...]], defaults: Mapping[str, str]
    ) -> dict[str, ValueMap]:
        out: dict[str, ValueMap] = {}
        for name, listing in self._dict("values").items():
            column = self._column(("values", name), name)
            if column is None:
                continue
            if name not in headers:
                self.problems.add(
                    ("values", name),
                    f"values are given for '{name}', but no file column is mapped to it under "
                    "columns",
                )
                continue
            if not isinstance(listing, dict) or not listing:
                self.problems.add(("values", name), "list the file's values and what each becomes")
                continue
            exact: dict[str, str] = {}
            patterns: list[tuple[str, str]] = []
            for raw, value in listing.items():
                text = self._value(("values", name, raw), column, value)
                if text is None:
                    continue
                key = header_key(str(raw))
                if "*" in str(raw):
                    patterns.append((key, self._as_cell(column, text)))
                else:
                    exact[key] = self._as_cell(column, text)
            default = defaults.get(str(name))
            out[str(name)] = ValueMap(
                exact, tuple(patterns), None if default is None else self._as_cell(column, default)
            )
        return out

    def _channel_rules(self, headers: Mapping[str, tuple[str, ...]]) -> list[ChannelRule]:
        listing = self.data.get("channel") or []
        if listing and "channel" in headers:
            self.problems.add(
                ("channel",),
                "channel rules apply only when no file column is mapped to channel (use "
                "values: channel: … to map that column's values)",
            )
            return []
        if not isinstance(listing, list):
            self.problems.add(("channel",), "channel rules are a list of {match, value}")
            return []
        rules = []
        for i, rule in enumerate(listing):
            rule = rule if isinstance(rule, dict) else {}
            value = str(rule.get("value", ""))
            if value not in CHANNELS:
                self.problems.add(
                    ("channel", i),
                    f"channel rule {i + 1}: '{value}' is not a channel",
                    nearest(value, CHANNELS),
                )
                continue
            pattern = rule.get("match")
            try:
                rules.append(ChannelRule(re.compile(str(pattern)) if pattern else None, value))
            except re.error as exc:
                self.problems.add(
                    ("channel", i), f"channel rule {i + 1}: bad pattern {pattern!r}: {exc}"
                )
        return rules

    def _multiply(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, factor in self._dict("multiply").items():
            table = self.table
            if not table.has_column(str(name)) or not table.column(str(name)).type.is_numeric:
                self.problems.add(
                    ("multiply", name), f"multiply: '{name}' is not a number column of {table.name}"
                )
            elif not isinstance(factor, int | float) or isinstance(factor, bool):
                self.problems.add(
                    ("multiply", name), f"multiply: the factor for '{name}' must be a number"
                )
            else:
                out[str(name)] = float(factor)
        return out

    def _hashed(self, headers: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        names = self.data.get("hash") or []
        names = names if isinstance(names, list) else [names]
        out = []
        for i, name in enumerate(names):
            column = self._column(("hash", i), name)
            if column is None:
                continue
            if column.type is not ColumnType.STRING or str(name) not in headers:
                self.problems.add(
                    ("hash", i), f"hash: '{name}' must be a text column mapped under columns"
                )
                continue
            out.append(str(name))
        return tuple(out)

    def _row_filters(
        self, headers: Mapping[str, tuple[str, ...]]
    ) -> tuple[dict[str, str], Callable[[dict[str, str]], str | None] | None]:
        """Header → the record name its cells are read under; and the row rule of ``only`` and
        ``skip`` (None without them)."""
        names: dict[str, str] = {}
        tests: list[tuple[str, str, bool, frozenset[str]]] = []
        for key in ("only", "skip"):
            for header, listed in self._dict(key).items():
                values = listed if isinstance(listed, list) else [listed]
                if not values or not all(isinstance(v, str | int | float) for v in values):
                    self.problems.add((key, header), f"{key}: list the values of '{header}'")
                    continue
                found = header_key(str(header))
                carrier = next(
                    (c for c, hs in headers.items() if found in {header_key(h) for h in hs}), None
                )
                names.setdefault(str(header), carrier or f"_row_filter_{len(names)}")
                tests.append(
                    (
                        str(header),
                        names[str(header)],
                        key == "only",
                        frozenset(header_key(str(v)) for v in values),
                    )
                )
        if not tests:
            return names, None

        def prepare(record: dict[str, str]) -> str | None:
            for header, name, only, values in tests:
                cell = record.get(name, "")
                if (header_key(cell) in values) != only:
                    return f"{header} '{cell.strip()}' row"
            return None

        return names, prepare

    def _fields(
        self, headers: Mapping[str, tuple[str, ...]], filters: Mapping[str, str]
    ) -> list[Field]:
        fields: list[Field] = []
        carriers: dict[frozenset[str], str] = {}
        for canonical, names in headers.items():
            keys = frozenset(header_key(h) for h in names)
            if keys in carriers:
                continue
            carriers[keys] = canonical
            kind = KIND_OF_TYPE[self.table.column(canonical).type]
            fields.append(Field(canonical, names, kind, required=True))
        for header, name in filters.items():
            if name.startswith("_row_filter_"):
                fields.append(Field(name, (header,), "text", required=True))
        return fields

    def _rules(
        self,
        headers: Mapping[str, tuple[str, ...]],
        maps: Mapping[str, ValueMap],
        defaults: Mapping[str, str],
        hashed: tuple[str, ...],
    ) -> TextRules | None:
        carriers: dict[frozenset[str], str] = {}
        copies: dict[str, str] = {}
        extra: dict[str, Field] = {}
        for canonical, names in headers.items():
            keys = frozenset(header_key(h) for h in names)
            carrier = carriers.setdefault(keys, canonical)
            if carrier != canonical:
                copies[canonical] = carrier
                kind = KIND_OF_TYPE[self.table.column(canonical).type]
                extra[canonical] = Field(canonical, names, kind, required=True)
        fill = {
            name: self._as_cell(self.table.column(name), text)
            for name, text in defaults.items()
            if name in headers
        }
        if not (copies or maps or fill or hashed):
            return None
        return TextRules(copies, extra, maps, fill, hashed)

    def _written(self, carried: set[str], update: bool) -> tuple[str, ...] | None:
        """The columns an import of this mapping writes (None: all of them): what it carries,
        the key, and — unless it only updates rows — every required column (so that a row it
        adds is whole); the currency goes with any money column."""
        table = self.table
        written = set(carried) | set(table.natural_key)
        if not update:
            written |= {c.name for c in table.columns if c.required}
        if table.has_column("currency") and any(
            table.column(c).unit == "currency" for c in written
        ):
            written.add("currency")
        if written >= set(table.column_names):
            return None
        return tuple(c for c in table.column_names if c in written)
