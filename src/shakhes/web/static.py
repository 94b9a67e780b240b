"""``/static/…``: the pages' CSS and JavaScript, Plotly's JavaScript and the Persian font.

Nothing is copied into the repository or fetched from a CDN: ``plotly.min.js`` is read from
the installed ``plotly`` package and Noto Sans Arabic from the ``fontpkg-noto-sans-arabic``
package; only the pages' own small ``shakhes.css`` and ``shakhes.js`` live here (``assets/``).
Each file is named in :func:`files` (no path from the URL reaches the file system) and served
with ``Cache-Control`` for a day and an ``ETag``; page URLs carry ``?v=`` with the versions,
so a new release is fetched anew.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

if TYPE_CHECKING:
    from fastapi import FastAPI

PREFIX = "/static"
MAX_AGE = 86400
"""Seconds a browser may keep a static file (a day; ``?v=`` changes with each release)."""

_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".ttf": "font/ttf",
}


@cache
def files() -> dict[str, Path]:
    """URL name (under ``/static/``) → file."""
    import fontpkg_noto_sans_arabic
    import plotly

    assets = Path(__file__).resolve().parent / "assets"
    fonts = sorted((fontpkg_noto_sans_arabic.ROOT / "files").glob("*.ttf"))
    return {
        "shakhes.css": assets / "shakhes.css",
        "shakhes.js": assets / "shakhes.js",
        "editors.js": assets / "editors.js",
        "data.js": assets / "data.js",
        "data.css": assets / "data.css",
        "plotly.min.js": Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js",
        "fonts/noto-sans-arabic.ttf": fonts[0],
    }


@cache
def stamp() -> str:
    """What changes when a static file may have: shakhes' and Plotly's versions."""
    return f"{version('shakhes')}-{version('plotly')}"


def url(name: str) -> str:
    """The URL of a static file, with its version stamp."""
    if name not in files():
        raise KeyError(f"no static file {name!r}")
    return f"{PREFIX}/{name}?v={stamp()}"


def router() -> APIRouter:
    """The routes of ``/static/…``."""
    out = APIRouter()

    @out.get(PREFIX + "/{name:path}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        path = files().get(name)
        if path is None:
            raise HTTPException(status_code=404, detail=f"no static file {name}")
        return FileResponse(
            path,
            media_type=_TYPES[path.suffix],
            headers={"Cache-Control": f"public, max-age={MAX_AGE}"},
        )

    return out


def mount(app: FastAPI) -> None:
    """Serve ``/static/…`` from ``app``."""
    app.include_router(router())
