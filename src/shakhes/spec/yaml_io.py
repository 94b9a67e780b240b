"""Read and write KPI definitions, goals and targets as YAML.

A definitions file has top-level ``kpis:``, ``goals:`` and ``targets:`` lists (any of them); a
file holding a single KPI mapping (or a bare list of them) is accepted too::

    kpis:
      - id: ctr
        name:
          en: Click-through rate
          fa: نرخ کلیک
        ...
    goals:
      - id: online_revenue_1404
        title: {en: Grow online revenue 30% in 1404, fa: ...}
        ...
    targets:
      - id: search_cpl
        kpi: cost_per_lead
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
read as a number (a goal's dates and a target's numbers are read from that text by their
models). :func:`load_definitions` and :func:`dump_definitions` read and write all three
sections (goals and targets as :mod:`shakhes.spec.goals` describes them; in their output, fields
that are not set are left out).
"""

from __future__ import annotations

import itertools
import os
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shakhes.errors import DefinitionError, Issue, nearest
from shakhes.spec.goals import GoalSpec, TargetSpec, Wording
from shakhes.spec.kpi import KpiSpec, Text

__all__ = [
    "Definitions",
    "SpecFileError",
    "SpecIssue",
    "dump_definitions",
    "dump_specs",
    "load_definitions",
    "load_specs",
]

TOP_KEY = "kpis"
SECTIONS: dict[str, tuple[type[BaseModel], str, str]] = {
    "kpis": (KpiSpec, "KPI", "id:, name:, formula: ..."),
    "goals": (GoalSpec, "goal", "id:, title:, period: ..."),
    "targets": (TargetSpec, "target", "id:, kpi:, period:, value: ..."),
}
"""Each top-level section: its model, what one item is called, and the fields it starts with."""
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_TEXT_LIKE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
)
_COLLECTION_TAGS = frozenset(("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"))
_NUMBER_FIELDS = frozenset(
    name for name, info in KpiSpec.model_fields.items() if info.annotation is int
)

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

    def __init__(
        self, file: str, issues: Sequence[Issue], *, what: str = "KPI definitions"
    ) -> None:
        self.file = file
        ordered = sorted(issues, key=lambda issue: issue.line or 0)
        count = len(ordered)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{file}: {count} {noun} in {what}"]
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

    def items(self, root: yaml.Node) -> dict[str, list[yaml.Node]]:
        """The nodes of the items of each section in the document (``kpis`` for a single KPI
        or a bare list)."""
        if isinstance(root, yaml.SequenceNode):
            return {TOP_KEY: list(root.value)}
        if isinstance(root, yaml.MappingNode):
            try:
                self.loader.flatten_mapping(root)
            except yaml.MarkedYAMLError as error:
                self.issue(_mark_line(error), _problem(error))
                return {}
            keys = {
                str(key.value): (key, value)
                for key, value in root.value
                if isinstance(key, yaml.ScalarNode)
            }
            if not set(keys) & set(SECTIONS):
                misspelt = [key for key in keys if nearest(key, list(SECTIONS))]
                if misspelt and "id" not in keys:
                    key_node = keys[misspelt[0]][0]
                    guess = nearest(misspelt[0], list(SECTIONS))
                    self.issue(
                        _line(key_node),
                        f"unknown top-level key '{misspelt[0]}' — did you mean '{guess}'?",
                    )
                    return {}
                return {TOP_KEY: [root]}  # a single KPI
            for key, _value in root.value:
                if isinstance(key, yaml.ScalarNode) and key.value in SECTIONS:
                    continue
                guess = nearest(str(key.value), list(SECTIONS))
                hint = (
                    f" — did you mean '{guess}'?"
                    if guess
                    else f"; allowed: {', '.join(f'{name}:' for name in SECTIONS)}"
                )
                self.issue(_line(key), f"unknown top-level key '{key.value}'{hint}")
            found: dict[str, list[yaml.Node]] = {}
            for section, (_model, noun, _fields) in SECTIONS.items():
                if section not in keys:
                    continue
                key, value = keys[section]
                if isinstance(value, yaml.SequenceNode):
                    found[section] = list(value.value)
                    continue
                plural = "KPIs" if noun == "KPI" else f"{noun}s"
                self.issue(
                    _line(key),
                    f"'{section}:' must be a list of {plural} (each starting with '- id: ...'); "
                    f"write '{section}: []' for none",
                )
            return found
        self.issue(
            _line(root), f"expected a '{TOP_KEY}:' list of KPI definitions, not a single value"
        )
        return {}

    # One KPI -------------------------------------------------------------------------------------

    def item(
        self, node: yaml.Node, number: int, section: str = TOP_KEY
    ) -> tuple[dict[str, Any] | None, dict[Loc, int]]:
        """The item's data (a KPI's, a goal's, a target's) and the line of each key (or list
        item) in it."""
        _model, noun, fields = SECTIONS[section]
        lines: dict[Loc, int] = {(): _line(node)}
        if not isinstance(node, yaml.MappingNode):
            self.issue(
                _line(node),
                f"a {noun} must be a mapping of fields ({fields})",
                kpi=f"{noun} #{number}",
            )
            return None, lines
        data = self.value(node, (), lines, set(), _label(node, number, noun))
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

    def validate(
        self,
        data: dict[str, Any],
        lines: dict[Loc, int],
        label: str,
        model: type[BaseModel] = KpiSpec,
    ) -> BaseModel | None:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            missing: dict[Loc, list[str]] = {}
            for detail in error.errors():
                if detail["type"] == "missing":
                    loc: Loc = tuple(detail["loc"])
                    missing.setdefault(loc[:-1], []).append(_field_name(loc))
                    continue
                line, field, message = _explain(detail, lines, model)
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


def _label(node: yaml.MappingNode, number: int, noun: str = "KPI") -> str:
    """How messages name a KPI (goal, target): by its id if it has a plain one, else by its
    position."""
    label = f"{noun} #{number}"
    for key, value in node.value:  # the last id wins, as a merged-in one comes first
        if (
            isinstance(key, yaml.ScalarNode)
            and key.value == "id"
            and isinstance(value, yaml.ScalarNode)
            and value.value
        ):
            label = f"{noun} '{value.value}'"
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


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``X | None``; the item type of ``tuple[X, ...]``; else the annotation."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The type of the field at ``loc`` inside ``model`` (None when there is no such field)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            if typing.get_origin(current) is not tuple:
                return None
            current = _unwrap(typing.get_args(current)[0])
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return current


def _model_at(loc: Loc, model: type[BaseModel]) -> type[BaseModel]:
    """The model that holds the field at ``loc`` (KpiSpec, or Text inside name/description)."""
    holder = _annotation_at(model, loc[:-1])
    return holder if isinstance(holder, type) and issubclass(holder, BaseModel) else model


def _explain(
    detail: ErrorDetails, lines: dict[Loc, int], model: type[BaseModel] = KpiSpec
) -> tuple[int | None, str | None, str]:
    """The line, field and a plain message for one pydantic error."""
    loc: Loc = tuple(detail["loc"])
    field = _field_name(loc) or None
    line = _nearest_line(loc, lines)
    kind = detail["type"]
    value = detail.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = list(_model_at(loc, model).model_fields)
        guess = nearest(name, allowed)
        if guess:
            hint = f" — did you mean '{_field_name((*loc[:-1], guess))}'?"
        else:
            hint = f"; allowed: {', '.join(allowed)}"
        return line, None, f"unknown field '{field}'{hint}"
    annotation = _annotation_at(model, loc)
    if kind == "enum" and isinstance(annotation, type) and issubclass(annotation, StrEnum):
        allowed = [member.value for member in annotation]
        guess = nearest(str(value), allowed) or _only_prefixed(str(value), allowed)
        hint = f" — did you mean '{guess}'?" if guess else ""
        return line, field, f"'{value}' is not allowed{hint} (allowed: {', '.join(allowed)})"
    if value is None and kind in (
        "string_type",
        "model_type",
        "tuple_type",
        "int_type",
        "float_type",
        "date_type",
    ):
        return line, field, "is empty"
    texts = isinstance(annotation, type) and issubclass(annotation, Text | Wording)
    example = ", e.g. [channel, campaign]" if model is KpiSpec else ""
    messages = {
        "string_type": "expected text",
        "string_too_short": "must not be empty",
        "model_type": "expected a mapping with 'en:' and 'fa:' texts"
        if texts
        else "expected a mapping of fields",
        "tuple_type": f"expected a list{example}",
        "int_type": "expected a whole number",
        "int_parsing": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_type": "expected a number",
        "float_parsing": "expected a number",
        "finite_number": "expected a finite number",
        "date_type": "expected a date (YYYY-MM-DD)",
        "date_parsing": "expected a date (YYYY-MM-DD)",
        "date_from_datetime_parsing": "expected a date (YYYY-MM-DD)",
        "date_from_datetime_inexact": "expected a date (YYYY-MM-DD), without a time",
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


@dataclass(frozen=True)
class Definitions:
    """What a definitions file holds: KPIs, goals and targets, in file order, and which of the
    top-level sections it has (an ``apply`` leaves the others alone)."""

    kpis: tuple[KpiSpec, ...] = ()
    goals: tuple[GoalSpec, ...] = ()
    targets: tuple[TargetSpec, ...] = ()
    sections: frozenset[str] = frozenset({TOP_KEY})


def load_definitions(source: str | os.PathLike[str], *, filename: str | None = None) -> Definitions:
    """The KPI definitions, goals and targets in a YAML file or text, in file order.

    ``source`` is a path (a :class:`~pathlib.Path`, or a one-line string naming an existing file
    or ending in ``.yaml``/``.yml``) or the YAML text itself. ``filename`` overrides the name used
    in messages (``<text>`` for text). Raises :class:`SpecFileError` listing every problem: YAML
    syntax, unknown or missing fields, bad values, ids used twice. Goals and targets are not
    checked against the KPIs here (see :func:`shakhes.spec.validate.validate_goals`).
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
        sections = reader.items(root)
        found: dict[str, list[BaseModel]] = {}
        for section, nodes in sections.items():
            found[section] = _read_section(reader, section, nodes)
        if reader.issues:
            what = "KPI definitions" if set(sections) <= {TOP_KEY} else "definitions"
            raise SpecFileError(name, reader.issues, what=what)
        return Definitions(
            kpis=tuple(item for item in found.get("kpis", ()) if isinstance(item, KpiSpec)),
            goals=tuple(item for item in found.get("goals", ()) if isinstance(item, GoalSpec)),
            targets=tuple(
                item for item in found.get("targets", ()) if isinstance(item, TargetSpec)
            ),
            sections=frozenset(sections),
        )
    finally:
        loader.dispose()


def _read_section(reader: _Reader, section: str, nodes: list[yaml.Node]) -> list[BaseModel]:
    """The valid items of one section; the problems of the others go to ``reader.issues``."""
    model, noun, _fields = SECTIONS[section]
    plural = "KPIs" if noun == "KPI" else f"{noun}s"
    items: list[BaseModel] = []
    first_line: dict[str, int] = {}
    for number, node in enumerate(nodes, start=1):
        data, lines = reader.item(node, number, section)
        if data is None:
            continue
        item_id = data.get("id")
        label = _label(node, number, noun) if isinstance(node, yaml.MappingNode) else ""
        if isinstance(item_id, str):
            id_line = lines.get(("id",), lines[()])
            if item_id in first_line:
                reader.issue(
                    id_line,
                    f"'{item_id}' is used by two {plural}, on line {first_line[item_id]} "
                    f"and on line {id_line}",
                    kpi=label,
                    field="id",
                )
            else:
                first_line[item_id] = id_line
        item = reader.validate(data, lines, label, model)
        if item is not None:
            items.append(item)
    return items


def load_specs(source: str | os.PathLike[str], *, filename: str | None = None) -> list[KpiSpec]:
    """The KPI definitions in a YAML file or text, in file order (its goals and targets, if
    any, are read and checked too, and left out: see :func:`load_definitions`).

    ``source`` is a path (a :class:`~pathlib.Path`, or a one-line string naming an existing file
    or ending in ``.yaml``/``.yml``) or the YAML text itself. ``filename`` overrides the name used
    in messages (``<text>`` for text). Raises :class:`SpecFileError` listing every problem: YAML
    syntax, unknown or missing fields, bad values, ids used twice.
    """
    return list(load_definitions(source, filename=filename).kpis)


# -- writing ---------------------------------------------------------------------------------------


class _FlowList(list[Any]):
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


def _plain(value: Any) -> Any:
    """A goal's or target's value as written: unset fields left out, whole numbers without
    ``.0``, dates as dates, lists of texts on one line."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return _FlowList(items) if all(isinstance(item, str) for item in items) else items
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _check_twice(ids: list[str], noun: str) -> None:
    for first, second in itertools.pairwise(ids):
        if first == second:
            raise DefinitionError(f"the {noun} id '{first}' is given twice")


def dump_definitions(
    kpis: Iterable[KpiSpec] = (),
    goals: Iterable[GoalSpec] = (),
    targets: Iterable[TargetSpec] = (),
) -> str:
    """KPIs, goals and targets as YAML text that :func:`load_definitions` reads back to equal
    ones: the ``kpis:`` section as :func:`dump_specs` writes it, then ``goals:`` and
    ``targets:`` (each only when there are some), sorted by id, keys in field order."""
    text = dump_specs(kpis)
    ordered_goals = sorted(goals, key=lambda goal: goal.id)
    ordered_targets = sorted(targets, key=lambda target: target.id)
    _check_twice([goal.id for goal in ordered_goals], "goal")
    _check_twice([target.id for target in ordered_targets], "target")
    document: dict[str, Any] = {}
    if ordered_goals:
        document["goals"] = [_plain(goal.model_dump()) for goal in ordered_goals]
    if ordered_targets:
        document["targets"] = [_plain(target.model_dump(mode="json")) for target in ordered_targets]
    if document:
        text += _dump(document)
    return text


def _dump(document: dict[str, Any]) -> str:
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


def dump_specs(specs: Iterable[KpiSpec]) -> str:
    """The definitions as YAML text that :func:`load_specs` reads back to equal specs.

    KPIs are sorted by id and every field is written, defaults included. Raises
    :class:`~shakhes.errors.DefinitionError` if two specs share an id.
    """
    ordered = sorted(specs, key=lambda spec: spec.id)
    for first, second in itertools.pairwise(ordered):
        if first.id == second.id:
            raise DefinitionError(f"the KPI id '{first.id}' is given twice")
    return _dump({TOP_KEY: [_spec_data(spec) for spec in ordered]})
