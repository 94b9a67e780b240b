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


def _children(name: str) -> list[str]:
    return [m for m in MODULES if m.rpartition(".")[0] == name]


def _fresh_import(name: str) -> set[str]:
    """Import ``name`` in a new interpreter; the modules of the package it loaded."""
    code = (
        f"import json, sys, {name}\n"
        f"print(json.dumps([m for m in sys.modules if m.startswith('{PACKAGE}.')]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0, f"import {name}:\n{run.stderr}"
    return set(json.loads(run.stdout.splitlines()[-1]))


def _each_first(name: str, loaded: set[str]) -> None:
    """Each module under ``name`` (loaded, fresh, with ``loaded``) imported first: one that
    ``loaded`` holds needs no interpreter of its own, since importing it first runs its
    package's ``__init__`` first, which loads it, so it imports as the package did; the
    others are imported first in an interpreter of their own."""
    for child in _children(name):
        if child in loaded:
            _each_first(child, loaded)
        else:
            _each_first(child, _fresh_import(child))


@pytest.mark.slow
@pytest.mark.parametrize("name", _children(PACKAGE))
def test_each_module_imports_first_in_its_own_interpreter(name: str) -> None:
    """The same, with nothing at all loaded before (slow: a new interpreter per module, but
    the modules a package loads itself share its interpreter: see ``_each_first``)."""
    _each_first(name, _fresh_import(name))


def test_the_walk_down_the_packages_reaches_every_module() -> None:
    reached, todo = set(), _children(PACKAGE)
    while todo:
        reached.add(name := todo.pop())
        todo += _children(name)
    assert reached == set(MODULES)
    assert f"{PACKAGE}.pipeline.checks" in _children(f"{PACKAGE}.pipeline")


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
