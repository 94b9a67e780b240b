"""Fixtures for ``status``: a new workspace holding the hand-made ad data of
:mod:`support.status_data`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.status_data import ad_rows, load

from shakhes.workspace import Workspace, init


@pytest.fixture
def make_workspace(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """A new workspace with the ten days of ads (``init`` options passed through)."""
    opened: list[Workspace] = []

    def make(name: str = "ws", **options: Any) -> Workspace:
        ws = init(tmp_path / name, **options)
        opened.append(ws)
        load(ws, ad_rows(currency=options.get("currency", "USD")))
        return ws

    yield make
    for ws in opened:
        ws.close()
