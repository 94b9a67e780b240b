"""Ibis' compilers imported on use (shakhes.lazy_imports): same names, same classes, fewer
imports."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


KEPT_RUN = """
import contextlib, io, json, sys
from shakhes.cli.app import main
sys.argv = ["shakhes", "compute", "ctr,cpc,roas", "--by", "channel", "-w", sys.argv[1]]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, exc.code
heavy = ("ibis", "sqlalchemy", "pyarrow", "numpy", "duckdb", "pandas", "sqlglot",
         "pydantic_settings")
print(json.dumps({
    "out": out.getvalue(),
    "heavy": sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy}),
    "engine": "shakhes.engine.engine" in sys.modules or "shakhes.workspace" in sys.modules,
}))
"""

ADS = """\
date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,clicks,\
cost,conversions,conversion_value
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,10000,200,25.5,1,50
2024-01-20,meta,m1,social,c2,Winter,g1,,USD,20000,40,10,1,80
"""


def test_a_kept_compute_imports_neither_the_engine_nor_the_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`shakhes compute` asked again (shakhes.service.stored) reads the kept result without
    Ibis, SQLAlchemy, DuckDB, pyarrow, numpy or pydantic-settings: what makes it fast. The
    first run computes with them, and both print the same."""
    from support.cli import shakhes

    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    run = shakhes(capsys, "load", "ad_performance", str(tmp_path / "ads.csv"), "-w", str(root))
    assert run.code == 0, run.err
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", KEPT_RUN, str(root)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    first, again = runs
    assert "ibis" in first["heavy"] and first["engine"]
    assert again["heavy"] == [] and not again["engine"]
    assert again["out"] == first["out"] and "search" in first["out"]
