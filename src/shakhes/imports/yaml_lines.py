r"""A YAML document with the line of every key in it, and the problems found in it — each
reported at the line of the key at fault, all at once (mapping files).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.yml"
>>> _ = path.write_text("table: leads\ncolumns:\n  lead_id: ID\n")
>>> data, lines = read_yaml(path)
>>> data["columns"], lines[("columns", "lead_id")]
({'lead_id': 'ID'}, 3)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shakhes.errors import DataError, Issue

Lines = dict[tuple[Any, ...], int]
"""Key path (``("columns", "lead_id")``, list items by index) → its 1-based line."""


class Problems:
    """The issues found in one mapping file, each at the line of the key at fault."""

    def __init__(self, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
        self.path, self.lines, self.issues = path, lines, list[Issue]()

    def add(self, where: tuple[Any, ...], message: str, suggestion: str | None = None) -> None:
        line = next(
            (self.lines[where[:i]] for i in range(len(where), 0, -1) if where[:i] in self.lines),
            None,
        )
        self.issues.append(
            Issue(
                message,
                code="invalid_mapping",
                file=str(self.path),
                line=line,
                field=".".join(str(p) for p in where),
                suggestion=suggestion,
            )
        )

    def raise_any(self) -> None:
        if self.issues:
            listed = "\n".join(f"  {i}" for i in self.issues)
            raise DataError(
                f"{self.path}: {len(self.issues)} problem(s) in the mapping file:\n{listed}",
                code="invalid_mapping",
                issues=self.issues,
            )


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The YAML document of ``path`` and the line of every key in it (by key path)."""
    try:
        text = path.read_text(encoding="utf-8")
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            lines: dict[tuple[Any, ...], int] = {}
            duplicates: list[tuple[tuple[Any, ...], int]] = []
            data = _plain(loader, node, (), lines, duplicates) if node is not None else None
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError(
            f"{path}: cannot read the mapping file: {exc}", code="invalid_mapping"
        ) from None
    if duplicates:
        problems = Problems(path, lines)
        for where, _ in duplicates:
            problems.add(where, f"'{where[-1]}' is given twice; keep one")
        problems.raise_any()
    return data, lines


def _plain(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    duplicates: list[tuple[tuple[Any, ...], int]],
) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str | int | float | bool) else str(key)
            where = (*path, key)
            if key in out:
                duplicates.append((where, key_node.start_mark.line + 1))
            lines[where] = key_node.start_mark.line + 1
            out[key] = _plain(loader, value_node, where, lines, duplicates)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_plain(loader, item, (*path, i), lines, duplicates))
        return items
    return loader.construct_object(node, deep=True)
