"""Ibis' SQL compilers, imported one at a time as they are used.

``ibis.backends.sql.compilers`` imports all twenty of Ibis' dialect compilers, and with them
twenty sqlglot dialects, as soon as one backend is imported: about 0.25 s of every ``shakhes
compute`` (a quarter of its start-up) for the one compiler it uses. :func:`install` puts a
finder on ``sys.meta_path`` that loads that package as a module whose names are imported on
first use (PEP 562): ``compilers.DuckDBCompiler`` imports ``compilers.duckdb`` only.

It changes nothing else: the names are the package's own (read from its ``__all__``), each
resolves to the same class, and submodules import as before. The package's ``__init__`` is
only imports — tests/test_lazy_imports.py checks that, so an Ibis release that adds code there
fails the tests instead of being skipped silently. If the package cannot be found the finder
steps aside and Ibis imports as it always does.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

COMPILERS = "ibis.backends.sql.compilers"


def compiler_names(init_file: str | Path) -> list[str]:
    """The names a compilers package's ``__init__`` exports (its ``__all__``)."""
    import ast  # here, not at the top: ``shakhes --version`` imports this module

    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [str(v) for v in value]
    return []


def _submodule(name: str) -> str:
    """``DuckDBCompiler`` → ``duckdb``: Ibis names each compiler after its module."""
    return name.removesuffix("Compiler").lower()


class _LazyCompilers:
    """A finder on ``sys.meta_path`` and the loader of the one package it finds (the
    protocols of :mod:`importlib.abc`, without importing it: ``import shakhes`` stays light)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != COMPILERS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        spec.loader = self  # type: ignore[assignment]  # a Loader by its methods
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        assert module.__spec__ is not None and module.__spec__.origin is not None
        names = compiler_names(module.__spec__.origin)
        package = module.__name__

        def __getattr__(name: str) -> Any:
            if name in names:
                value = getattr(importlib.import_module(f"{package}.{_submodule(name)}"), name)
            elif not name.startswith("__"):
                try:
                    value = importlib.import_module(f"{package}.{name}")
                except ModuleNotFoundError as error:
                    if error.name != f"{package}.{name}":
                        raise  # the compiler exists but lacks a package of its own: say which
                    raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            else:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            setattr(module, name, value)
            return value

        module.__all__ = names  # type: ignore[attr-defined]
        module.__getattr__ = __getattr__  # type: ignore[method-assign]


_FINDER = _LazyCompilers()


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once; a no-op if Ibis' compilers are
    already imported)."""
    if COMPILERS not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
