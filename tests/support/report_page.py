"""Reading a report page back: its visible text, its numbers' cells, its embedded data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Cell:
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    """The parts of a report page a test checks."""

    texts: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _open: list[Cell] = field(default_factory=list)
    _script: dict[str, str] | None = None
    _style: bool = False

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag == "script":
            self._script = found
            self.scripts.append((found, ""))
        elif tag == "style":
            self._style = True
        if "data-value" in found:
            cell = Cell(found)
            self.cells.append(cell)
            self._open.append(cell)
        elif self._open and tag in ("td", "span"):
            self._open.append(Cell({}))  # a nested element: its end must not close the cell

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        elif tag == "style":
            self._style = False
        elif tag in ("td", "span") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
            return
        if self._style:
            return
        if data.strip():
            self.texts.append(data.strip())
        for cell in self._open:
            cell.text += data

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def data(self) -> dict[str, Any]:
        (blob,) = [t for a, t in self.scripts if a.get("id") == "report-data"]
        loaded: dict[str, Any] = json.loads(blob)
        return loaded

    def cell(self, **keys: str) -> Cell:
        wanted = {f"data-{k}": v for k, v in keys.items()}
        (found,) = [c for c in self.cells if all(c.attrs.get(k) == v for k, v in wanted.items())]
        return found


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
