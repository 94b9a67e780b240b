"""Every example in a docstring of src/shakhes runs and shows what it says (sqlglot's rule:
docstrings carry runnable examples, and a test runs them)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import shakhes

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(shakhes.__path__, prefix="shakhes.")
    if ".migrations" not in info.name and not info.name.endswith("__main__")
)


def test_modules_are_found() -> None:
    assert "shakhes.text" in MODULES
    assert len(MODULES) > 40


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
