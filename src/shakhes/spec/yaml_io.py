"""Read and write KPI definitions as YAML.

A definitions file has a top-level ``kpis:`` list; a file holding a single KPI mapping (or a bare
list of them) is accepted too::

    kpis:
      - id: ctr
        name:
          en: Click-through rate
          fa: نرخ کلیک
        ...

:func:`load_specs` reports *every* problem of a file at once, in one :class:`SpecFileError` (a
:class:`~shakhes.errors.DefinitionError`) whose lines name the file, the line and the field, with
a suggestion for a misspelt field and the allowed values for a bad choice. Formulas are not
checked here, only that they are present.

:func:`dump_specs` writes the format back. Decision: **every field is written, defaults
included** (``decimals: 2``, ``owner: ''``, ``tags: []``). An exported file then shows every
setting a marketer can change, and keeps its meaning if a default changes in a later version.
Output is stable: KPIs sorted by id, keys in :class:`~shakhes.spec.kpi.KpiSpec` field order,
Persian and other non-ASCII text written as is, multi-line text as ``|`` blocks. It round-trips
exactly: ``load_specs(dump_specs(x)) == sorted(x)`` and ``dump_specs(load_specs(dump_specs(x)))
== dump_specs(x)``.

Plain YAML scalars that YAML would read as a number, boolean or date (``owner: 2024``,
``tags: [yes]``) are kept as the text written wherever the field is text; only ``decimals`` is
read as a number.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shakhes.errors import DefinitionError, Issue, nearest
from shakhes.spec.kpi import KpiSpec, Text

__all__ = ["SpecFileError", "SpecIssue", "dump_specs", "load_specs"]

TOP_KEY = "kpis"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_TEXT_LIKE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
)
_COLLECTION_TAGS = frozenset(("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"))
_NUMBER_FIELDS = frozenset(
    name for name, info in KpiSpec.model_fields.items() if info.annotation is int
)
_TEXT_FIELDS = frozenset(
    name for name, info in KpiSpec.model_fields.items() if info.annotation is Text
)
_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    name: info.annotation
    for name, info in KpiSpec.model_fields.items()
    if isinstance(info.annotation, type) and issubclass(info.annotation, StrEnum)
}

Loc = tuple[str | int, ...]


def SpecIssue(
    file: str,
    line: int | None,
    message: str,
    kpi: str | None = None,
    field: str | None = None,
) -> Issue:
    """An :class:`Issue` in a definitions file: ``file:line: kpi: field: message``."""
    return Issue(message, code="invalid_definition", file=file, line=line, kpi=kpi, field=field)


class SpecFileError(DefinitionError):
    """Every problem found in one definitions file; ``issues`` holds them one by one."""

    def __init__(self, file: str, issues: Sequence[Issue]) -> None:
        self.file = file
        ordered = sorted(issues, key=lambda issue: issue.line or 0)
        count = len(ordered)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{file}: {count} {noun} in KPI definitions"]
        lines.extend(f"  {issue}" for issue in ordered)
        super().__init__("\n".join(lines), issues=ordered)


# -- reading ---------------------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _field_name(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class _Reader:
    """Turns one composed YAML document into plain data, remembering the line of every value."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.issues: list[Issue] = []

    def issue(
        self,
        line: int | None,
        message: str,
        *,
        kpi: str | None = None,
        field: str | None = None,
    ) -> None:
        self.issues.append(SpecIssue(self.file, line, message, kpi, field))

    # Top level -----------------------------------------------------------------------------------

    def items(self, root: yaml.Node) -> list[yaml.Node]:
        """The nodes of the KPI mappings in the document."""
        if isinstance(root, yaml.SequenceNode):
            return list(root.value)
        if isinstance(root, yaml.MappingNode):
            try:
                self.loader.flatten_mapping(root)
            except yaml.MarkedYAMLError as error:
                self.issue(_mark_line(error), _problem(error))
                return []
            keys = {
                str(key.value): (key, value)
                for key, value in root.value
                if isinstance(key, yaml.ScalarNode)
            }
            if TOP_KEY not in keys:
                misspelt = [key for key in keys if nearest(key, [TOP_KEY])]
                if misspelt and "id" not in keys:
                    key_node = keys[misspelt[0]][0]
                    self.issue(
                        _line(key_node),
                        f"unknown top-level key '{misspelt[0]}' — did you mean '{TOP_KEY}'?",
                    )
                    return []
                return [root]  # a single KPI
            for key, _value in root.value:
                if isinstance(key, yaml.ScalarNode) and key.value == TOP_KEY:
                    continue
                guess = nearest(str(key.value), [TOP_KEY])
                hint = f" — did you mean '{guess}'?" if guess else f"; only '{TOP_KEY}:' is allowed"
                self.issue(_line(key), f"unknown top-level key '{key.value}'{hint}")
            key, value = keys[TOP_KEY]
            if isinstance(value, yaml.SequenceNode):
                return list(value.value)
            self.issue(
                _line(key),
                f"'{TOP_KEY}:' must be a list of KPIs (each starting with '- id: ...'); "
                f"write '{TOP_KEY}: []' for none",
            )
            return []
        self.issue(
            _line(root), f"expected a '{TOP_KEY}:' list of KPI definitions, not a single value"
        )
        return []

    # One KPI -------------------------------------------------------------------------------------

    def kpi(self, node: yaml.Node, number: int) -> tuple[dict[str, Any] | None, dict[Loc, int]]:
        """The KPI's data and the line of each key (or list item) in it."""
        lines: dict[Loc, int] = {(): _line(node)}
        if not isinstance(node, yaml.MappingNode):
            self.issue(
                _line(node),
                "a KPI must be a mapping of fields (id:, name:, formula: ...)",
                kpi=f"KPI #{number}",
            )
            return None, lines
        data = self.value(node, (), lines, set(), _label(node, number))
        return data if isinstance(data, dict) else None, lines

    def value(
        self, node: yaml.Node, loc: Loc, lines: dict[Loc, int], active: set[int], label: str
    ) -> Any:
        if id(node) in active:
            self.issue(_line(node), "an alias refers to itself", kpi=label, field=_field_name(loc))
            return None
        if isinstance(node, yaml.CollectionNode) and node.tag not in _COLLECTION_TAGS:
            self.issue(
                _line(node),
                f"unsupported YAML tag '{node.tag}'",
                kpi=label,
                field=_field_name(loc) or None,
            )
            return None
        if isinstance(node, yaml.MappingNode):
            active.add(id(node))
            try:
                return self.mapping(node, loc, lines, active, label)
            finally:
                active.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            active.add(id(node))
            try:
                result = []
                for index, item in enumerate(node.value):
                    lines[(*loc, index)] = _line(item)
                    result.append(self.value(item, (*loc, index), lines, active, label))
                return result
            finally:
                active.discard(id(node))
        return self.scalar(node, loc, label)

    def mapping(
        self,
        node: yaml.MappingNode,
        loc: Loc,
        lines: dict[Loc, int],
        active: set[int],
        label: str,
    ) -> dict[str, Any]:
        own_keys = {id(key) for key, _value in node.value}
        try:
            self.loader.flatten_mapping(node)
        except yaml.MarkedYAMLError as error:
            self.issue(_mark_line(error), _problem(error), kpi=label, field=_field_name(loc))
            return {}
        result: dict[str, Any] = {}
        explicit: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.issue(
                    _line(key_node),
                    "a key must be a plain name",
                    kpi=label,
                    field=_field_name(loc) or None,
                )
                continue
            key = str(key_node.value)
            key_loc = (*loc, key)
            # Keys merged in with `<<: *anchor` come first and may be overridden by the mapping's
            # own keys (later ones win, as in PyYAML); a key written twice is a mistake.
            is_own = id(key_node) in own_keys
            if key in explicit and is_own:
                self.issue(
                    _line(key_node),
                    f"given twice (also on line {lines[key_loc]})",
                    kpi=label,
                    field=_field_name(key_loc),
                )
                continue
            if is_own:
                explicit.add(key)
            for stale in [known for known in lines if known[: len(key_loc)] == key_loc]:
                del lines[stale]
            lines[key_loc] = _line(key_node)
            result[key] = self.value(value_node, key_loc, lines, active, label)
        return result

    def scalar(self, node: yaml.Node, loc: Loc, label: str) -> Any:
        if node.tag == _STR_TAG:
            return str(node.value)
        field = loc[0] if loc else None
        if node.tag in _TEXT_LIKE_TAGS and field not in _NUMBER_FIELDS:
            # YAML would read `owner: 2024` or `tags: [yes]` as a number or boolean; the field
            # is text, so keep exactly what was written.
            return str(node.value)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as error:
            self.issue(_mark_line(error), _problem(error), kpi=label, field=_field_name(loc))
            return None

    # Validation ----------------------------------------------------------------------------------

    def validate(self, data: dict[str, Any], lines: dict[Loc, int], label: str) -> KpiSpec | None:
        try:
            return KpiSpec.model_validate(data)
        except ValidationError as error:
            missing: dict[Loc, list[str]] = {}
            for detail in error.errors():
                if detail["type"] == "missing":
                    loc: Loc = tuple(detail["loc"])
                    missing.setdefault(loc[:-1], []).append(_field_name(loc))
                    continue
                line, field, message = _explain(detail, lines)
                self.issue(line, message, kpi=label, field=field)
            for parent, names in missing.items():
                noun = "field" if len(names) == 1 else "fields"
                self.issue(
                    _nearest_line(parent, lines),
                    f"missing required {noun}: {', '.join(names)}",
                    kpi=label,
                    field=_field_name(parent) or None,
                )
            return None


def _label(node: yaml.MappingNode, number: int) -> str:
    """How messages name a KPI: by its id if it has a plain one, else by its position."""
    label = f"KPI #{number}"
    for key, value in node.value:  # the last id wins, as a merged-in one comes first
        if (
            isinstance(key, yaml.ScalarNode)
            and key.value == "id"
            and isinstance(value, yaml.ScalarNode)
            and value.value
        ):
            label = f"KPI '{value.value}'"
    return label


def _mark_line(error: yaml.MarkedYAMLError) -> int | None:
    mark = error.problem_mark or error.context_mark
    return int(mark.line) + 1 if mark is not None else None


def _problem(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return "; ".join(parts) if parts else "invalid YAML"


def _nearest_line(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _only_prefixed(value: str, allowed: Sequence[str]) -> str | None:
    """The one allowed value that starts with ``value`` (``lower`` → ``lower_is_better``)."""
    matches = [option for option in allowed if value and option.startswith(value.lower())]
    return matches[0] if len(matches) == 1 else None


def _model_at(loc: Loc) -> type[BaseModel]:
    """The model that holds the field at ``loc`` (KpiSpec, or Text inside name/description)."""
    return Text if len(loc) > 1 and loc[0] in _TEXT_FIELDS else KpiSpec


def _explain(detail: ErrorDetails, lines: dict[Loc, int]) -> tuple[int | None, str | None, str]:
    """The line, field and a plain message for one pydantic error."""
    loc: Loc = tuple(detail["loc"])
    field = _field_name(loc) or None
    line = _nearest_line(loc, lines)
    kind = detail["type"]
    value = detail.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = list(_model_at(loc).model_fields)
        guess = nearest(name, allowed)
        if guess:
            hint = f" — did you mean '{_field_name((*loc[:-1], guess))}'?"
        else:
            hint = f"; allowed: {', '.join(allowed)}"
        return line, None, f"unknown field '{field}'{hint}"
    if kind == "enum" and loc and str(loc[0]) in _ENUM_FIELDS:
        allowed = [member.value for member in _ENUM_FIELDS[str(loc[0])]]
        guess = nearest(str(value), allowed) or _only_prefixed(str(value), allowed)
        hint = f" — did you mean '{guess}'?" if guess else ""
        return line, field, f"'{value}' is not allowed{hint} (allowed: {', '.join(allowed)})"
    if value is None and kind in ("string_type", "model_type", "tuple_type", "int_type"):
        return line, field, "is empty"
    messages = {
        "string_type": "expected text",
        "string_too_short": "must not be empty",
        "model_type": "expected a mapping with 'en:' and 'fa:' texts",
        "tuple_type": "expected a list, e.g. [channel, campaign]",
        "int_type": "expected a whole number",
        "int_parsing": "expected a whole number",
        "int_from_float": "expected a whole number",
    }
    if kind in messages:
        return line, field, messages[kind]
    bounds = detail.get("ctx") or {}
    if kind == "greater_than_equal":
        return line, field, f"must be at least {bounds.get('ge')}"
    if kind == "less_than_equal":
        return line, field, f"must be at most {bounds.get('le')}"
    message = detail["msg"]
    message = message.removeprefix("Value error, ")
    return line, field, message[:1].lower() + message[1:]


def _read_source(source: str | os.PathLike[str], filename: str | None) -> tuple[str, str]:
    """The text to parse and the name to report it by."""
    path: Path | None = None
    if isinstance(source, os.PathLike):
        path = Path(source)
    elif "\n" not in source and (
        source.strip().endswith((".yaml", ".yml")) or Path(source.strip()).is_file()
    ):
        path = Path(source.strip())
    if path is None:
        return str(source), filename or "<text>"
    name = filename or str(path)
    try:
        return path.read_text(encoding="utf-8-sig"), name
    except FileNotFoundError:
        raise DefinitionError(f"{name}: file not found") from None
    except UnicodeDecodeError as error:
        raise DefinitionError(f"{name}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise DefinitionError(f"{name}: cannot be read ({error.strerror})") from None


def _reader_error(name: str, text: str, error: yaml.reader.ReaderError) -> SpecFileError:
    """A character YAML does not allow in a file (a control character, say), with its line."""
    line = text.count("\n", 0, error.position) + 1
    message = f"invalid character #x{error.character:04x} ({error.reason}); remove it"
    return SpecFileError(name, [SpecIssue(name, line, message)])


def load_specs(source: str | os.PathLike[str], *, filename: str | None = None) -> list[KpiSpec]:
    """The KPI definitions in a YAML file or text, in file order.

    ``source`` is a path (a :class:`~pathlib.Path`, or a one-line string naming an existing file
    or ending in ``.yaml``/``.yml``) or the YAML text itself. ``filename`` overrides the name used
    in messages (``<text>`` for text). Raises :class:`SpecFileError` listing every problem: YAML
    syntax, unknown or missing fields, bad values, ids used twice.
    """
    text, name = _read_source(source, filename)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:
        raise _reader_error(name, text, error) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            raise SpecFileError(
                name, [SpecIssue(name, _mark_line(error), f"invalid YAML: {_problem(error)}")]
            ) from None
        except yaml.reader.ReaderError as error:
            raise _reader_error(name, text, error) from None
        except yaml.YAMLError as error:
            raise SpecFileError(name, [SpecIssue(name, None, f"invalid YAML: {error}")]) from None
        if root is None:
            raise SpecFileError(
                name,
                [SpecIssue(name, None, f"the file is empty; expected a '{TOP_KEY}:' list")],
            )
        reader = _Reader(name, loader)
        specs: list[KpiSpec] = []
        first_line: dict[str, int] = {}
        for number, node in enumerate(reader.items(root), start=1):
            data, lines = reader.kpi(node, number)
            if data is None:
                continue
            kpi_id = data.get("id")
            label = _label(node, number) if isinstance(node, yaml.MappingNode) else ""
            if isinstance(kpi_id, str):
                id_line = lines.get(("id",), lines[()])
                if kpi_id in first_line:
                    reader.issue(
                        id_line,
                        f"'{kpi_id}' is used by two KPIs, on line {first_line[kpi_id]} "
                        f"and on line {id_line}",
                        kpi=label,
                        field="id",
                    )
                else:
                    first_line[kpi_id] = id_line
            spec = reader.validate(data, lines, label)
            if spec is not None:
                specs.append(spec)
        if reader.issues:
            raise SpecFileError(name, reader.issues)
        return specs
    finally:
        loader.dispose()


# -- writing ---------------------------------------------------------------------------------------


class _FlowList(list[str]):
    """A list written on one line: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key and writes multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_UNICODE_BREAKS = frozenset("\x85\u2028\u2029")
"""Line breaks to YAML that PyYAML would write raw (with ``allow_unicode``) and read back folded."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if _UNICODE_BREAKS.intersection(value):
        style = '"'  # escaped as \N, \L, \P
    elif "\n" in value:
        style = "|"  # the emitter falls back to quotes wherever a block cannot hold it exactly
    return dumper.represent_scalar(_STR_TAG, value, style=style)


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def _spec_data(spec: KpiSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    ordered: dict[str, Any] = {}
    for name in KpiSpec.model_fields:
        value = data[name]
        if isinstance(value, list):
            value = _FlowList(value)
        elif isinstance(value, dict):
            value = {lang: value[lang] for lang in Text.model_fields}
        ordered[name] = value
    return ordered


def dump_specs(specs: Iterable[KpiSpec]) -> str:
    """The definitions as YAML text that :func:`load_specs` reads back to equal specs.

    KPIs are sorted by id and every field is written, defaults included. Raises
    :class:`~shakhes.errors.DefinitionError` if two specs share an id.
    """
    ordered = sorted(specs, key=lambda spec: spec.id)
    for first, second in itertools.pairwise(ordered):
        if first.id == second.id:
            raise DefinitionError(f"the KPI id '{first.id}' is given twice")
    document = {TOP_KEY: [_spec_data(spec) for spec in ordered]}
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    return text
