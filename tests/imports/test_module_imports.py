"""The modules of ``shakhes.imports`` import one way: each can be imported first, on its own,
and none imports, at module level or inside a function, a module that imports it back.

A cycle hidden in a function-level import works until someone imports the modules in another
order; these tests find one before that happens."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import shakhes.imports

PACKAGE = "shakhes.imports"
ROOT = Path(shakhes.imports.__file__).parent
MODULES = sorted(
    info.name for info in pkgutil.walk_packages(shakhes.imports.__path__, prefix=f"{PACKAGE}.")
)

# Each module imported first, in an interpreter where no shakhes module is loaded yet (the
# third-party libraries stay loaded between modules: they are not ours to check, and loading
# them 30 times over would take minutes).
_ISOLATED = """
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "shakhes" or m.startswith("shakhes.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed[name] = traceback.format_exc(limit=3)
print(json.dumps(failed))
"""


def test_the_modules_are_found() -> None:
    assert f"{PACKAGE}.pipeline" in MODULES and f"{PACKAGE}.ga4_bigquery" in MODULES
    assert len(MODULES) > 15


def test_each_module_imports_on_its_own_in_a_fresh_interpreter() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _ISOLATED, json.dumps(MODULES)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    failed = json.loads(run.stdout.splitlines()[-1])
    assert failed == {}, "\n".join(f"{name}:\n{trace}" for name, trace in failed.items())


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_each_module_imports_first_in_its_own_interpreter(name: str) -> None:
    """The same, with nothing at all loaded before (slow: a new interpreter per module)."""
    run = subprocess.run(
        [sys.executable, "-c", f"import {name}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


def _module_file(name: str) -> Path:
    relative = Path(*name.split(".")[2:])
    package = ROOT / relative / "__init__.py"
    return package if package.exists() else ROOT / relative.with_suffix(".py")


def _imported(name: str) -> set[str]:
    """The modules of ``shakhes.imports`` that module ``name`` imports anywhere in its code
    (at module level, in functions, under ``TYPE_CHECKING``), most specific first: ``from
    shakhes.imports import values`` imports ``shakhes.imports.values``."""
    path = _module_file(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in MODULES else base for t in targets]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: _imported(name) for name in MODULES}


def _reaches(start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        here = todo.pop()
        if here == goal:
            return True
        if here not in seen:
            seen.add(here)
            todo += GRAPH[here]
    return False


def test_the_static_walk_sees_function_level_imports() -> None:
    """(The walk is not blind: fast.py imports the value parsers inside a function.)"""
    assert f"{PACKAGE}.values" in GRAPH[f"{PACKAGE}.fast"]


def test_pipeline_and_ga4_bigquery_do_not_import_each_other() -> None:
    pipeline, ga4 = f"{PACKAGE}.pipeline", f"{PACKAGE}.ga4_bigquery"
    assert ga4 in GRAPH[pipeline]  # the general import hands GA4 BigQuery exports over
    assert not _reaches(ga4, pipeline), "ga4_bigquery imports pipeline (directly or not)"


def test_no_module_of_the_package_imports_itself_back() -> None:
    """No cycle among the modules, counting imports inside functions too; a package may
    import its own modules (its ``__init__`` re-exports them), and they it — Python loads a
    package's ``__init__`` before any of its modules."""
    cycles = []
    for name, imported in GRAPH.items():
        for other in imported:
            if other.startswith(f"{name}.") or name.startswith(f"{other}."):
                continue
            if _reaches_without_packages(other, name):
                cycles.append((name, other))
    assert cycles == []


def _reaches_without_packages(start: str, goal: str) -> bool:
    """Whether ``start`` imports ``goal``, directly or not, leaving out the edges between a
    package and its own modules."""
    seen, todo = set(), [start]
    while todo:
        here = todo.pop()
        if here == goal:
            return True
        if here in seen:
            continue
        seen.add(here)
        todo += [
            t for t in GRAPH[here] if not (t.startswith(f"{here}.") or here.startswith(f"{t}."))
        ]
    return False
