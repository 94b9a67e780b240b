"""Ibis' compilers imported on use (shakhes.lazy_imports): same names, same classes, fewer
imports."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

from shakhes.lazy_imports import COMPILERS, compiler_names


def _init_file() -> Path:
    # the package's file, found without importing it
    spec = importlib.machinery.PathFinder.find_spec(
        COMPILERS,
        [str(Path(importlib.util.find_spec("ibis.backends.sql").origin).parent)],  # type: ignore[union-attr, arg-type]
    )
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def test_the_package_init_is_only_imports_and_all() -> None:
    """The lazy module replaces the package's ``__init__``: that is right only while the
    ``__init__`` does nothing but re-export (an Ibis upgrade that adds code fails here)."""
    tree = ast.parse(_init_file().read_text(encoding="utf-8"))
    names = compiler_names(_init_file())
    assert len(names) >= 10 and "DuckDBCompiler" in names and "PostgresCompiler" in names
    imported: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.ImportFrom):
            assert (
                node.module == f"{COMPILERS}.{node.names[0].name.removesuffix('Compiler').lower()}"
            )
            imported += [a.name for a in node.names]
        else:
            assert isinstance(node, ast.Assign | ast.Expr), ast.dump(node)
    assert sorted(imported) == sorted(names)


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_names_resolve_to_the_same_classes_as_a_plain_import() -> None:
    lazy = _run(
        f"""
        import shakhes, importlib
        c = importlib.import_module("{COMPILERS}")
        print(sorted(f"{{n}}={{getattr(c, n).__module__}}.{{getattr(c, n).__name__}}"
                     for n in c.__all__))
        """
    )
    plain = _run(
        f"""
        import importlib
        c = importlib.import_module("{COMPILERS}")
        print(sorted(f"{{n}}={{getattr(c, n).__module__}}.{{getattr(c, n).__name__}}"
                     for n in c.__all__))
        """
    )
    assert lazy == plain


def test_computing_on_duckdb_imports_one_compiler() -> None:
    loaded = _run(
        f"""
        import sys
        import shakhes.data.warehouse
        from ibis.backends.duckdb import Backend
        print(sorted(m for m in sys.modules if m.startswith("{COMPILERS}.")))
        """
    )
    assert "duckdb" in loaded and "snowflake" not in loaded and "athena" not in loaded
