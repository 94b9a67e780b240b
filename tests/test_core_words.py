"""Core messages name no command-line option (issue 7 §5): the REST API has none, so an error
raised below the CLI carries a code and the CLI words the option (``shakhes.cli.hints``).
Every ``hint=`` and message string of the core is read here and may not name a ``--flag``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shakhes.cli.hints import hint_for
from shakhes.errors import ShakhesError

SRC = Path(__file__).parents[1] / "src/shakhes"
FRONT_ENDS = ("cli", "server", "web")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _core_modules() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).parts[0] not in FRONT_ENDS]


def _texts(node: ast.AST) -> list[str]:
    """The literal text of a string or f-string expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp):
        return _texts(node.left) + _texts(node.right)
    return []


def _flags_in_errors(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if not name.endswith("Error"):
            continue
        parts = [*node.args, *(k.value for k in node.keywords if k.arg in ("hint", "message"))]
        for part in parts:
            for text in _texts(part):
                found += [f"{path.relative_to(SRC)}:{node.lineno}: {m}" for m in FLAG.findall(text)]
    return found


def test_core_errors_name_no_command_line_option() -> None:
    modules = _core_modules()
    assert len(modules) > 50  # the walk found the core
    found = [f for path in modules for f in _flags_in_errors(path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("code", "core_hint", "cli_hint"),
    [("unknown_lang", "Languages: en, fa.", "Use --lang en or --lang fa.")],
)
def test_the_cli_words_the_option(code: str, core_hint: str, cli_hint: str) -> None:
    assert hint_for(ShakhesError("x", code=code, hint=core_hint)) == cli_hint
