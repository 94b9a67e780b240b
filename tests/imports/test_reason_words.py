"""Every code an import can give a quarantined row (support/row_codes.py: the data model's
declared rules, the value parsers, the file's and layout's own checks) has Persian words on the
Data page, from :mod:`shakhes.data_words` (which the API's Persian errors use too: see
tests/test_issue_codes.py); and every place in the import code that sets a row aside gives one
of those codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support.row_codes import ROW_CODES

from shakhes.data_words import ROW_WORDS
from shakhes.web.data import REASON_WORDS, reason_text

IMPORTS = Path(__file__).parents[2] / "src" / "shakhes" / "imports"
PERSIAN = re.compile(r"[\u0600-\u06FF]")


def test_every_row_code_has_persian_words_and_no_other_code_does() -> None:
    assert {"not_a_number", "missing_value", "unknown_value", "not_daily"} <= ROW_CODES
    assert set(REASON_WORDS["fa"]) == set(ROW_WORDS) == ROW_CODES  # one source of the words
    for code in ROW_CODES:
        words = REASON_WORDS["fa"][code]
        assert PERSIAN.search(words), code
        assert reason_text(code, "as written", "fa") == words
        assert reason_text(code, "as written", "en") == "as written"
    # A row kept before rows kept their code: its text as written, in either language.
    assert reason_text("quarantined", "cost is negative", "fa") == "cost is negative"


def _constants() -> dict[str, str]:
    """The module-level string constants of the import code, by name."""
    found: dict[str, str] = {}
    for path in IMPORTS.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = value.value
    return found


def _code_argument(call: ast.Call) -> ast.expr | None:
    """The reason-code argument of a call that sets a row aside: ``reject(i, column, value,
    reason, code)``, ``flag(mask, column, reason, code)``, ``Rejected(line, column, value,
    reason, row, code)``; None for another call."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name in ("reject", "flag") and call.args:
        return call.args[-1]
    if name == "Rejected":
        given = [k.value for k in call.keywords if k.arg == "code"]
        return given[0] if given else (call.args[5] if len(call.args) > 5 else None)
    return None


def test_every_row_set_aside_gets_a_code_with_persian_words() -> None:
    constants = _constants()
    sites = 0
    for path in sorted(IMPORTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or (code := _code_argument(node)) is None:
                continue
            sites += 1
            where = f"{path.relative_to(IMPORTS)}:{node.lineno}"
            if isinstance(code, ast.Attribute) and code.attr == "code":
                continue  # a rule's code: see support/row_codes.py
            if isinstance(code, ast.Subscript) and getattr(code.value, "id", "") == "UNREADABLE":
                continue  # a value parser's: see support/row_codes.py
            if isinstance(code, ast.Name) and code.id == "code":
                continue  # handed on from the caller's own code argument
            if isinstance(code, ast.Constant):
                value = code.value
            else:
                name = code.id if isinstance(code, ast.Name) else getattr(code, "attr", "")
                assert name in constants, f"{where}: a code this test cannot follow"
                value = constants[name]
            assert value in ROW_CODES, f"{where}: code {value!r} has no Persian words"
    assert sites >= 10  # reject, flag and Rejected calls of rows.py, checks.py, partial, importer
