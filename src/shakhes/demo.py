"""``shakhes demo``: a workspace filled with two years of realistic synthetic marketing data.

A demo workspace carries a marker file (:data:`MARKER`) listing the files the demo made.
Rebuilding (``force``) replaces only a workspace with that marker, and removes only the files
it lists (and the journal files of its databases): a real workspace, or a file someone put in
the demo's folder, is never deleted.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

from shakhes.data.access import LOCK_FOLDER
from shakhes.data.demo import generate, write_truth
from shakhes.demo_goals import add_demo_goals
from shakhes.errors import WorkspaceError
from shakhes.settings import SETTINGS_FILE, read_settings
from shakhes.workspace import Workspace, current_actor, init

TRUTH_FILE = "demo-truth.json"
MARKER = ".shakhes-demo"
"""The file that marks a workspace the demo made, with the names of the files it made."""


def build_demo(
    path: Path,
    *,
    seed: int = 7,
    force: bool = False,
    locale: str = "en",
    end: datetime.date | None = None,
) -> tuple[Workspace, dict[str, int]]:
    """Create the demo workspace at ``path``, load generated data, and add goals and targets
    for it (:mod:`shakhes.demo_goals`); returns rows per table.

    The generator's ground truth (true response curves, ROI per channel, churn hazards) is
    written to ``demo-truth.json`` in the workspace. An existing workspace at ``path`` is
    replaced only with ``force`` and only when the demo made it. ``end`` is the data's last
    day (default: the last day of the month before today), so tests can pin the dates.
    """
    if locale not in ("en", "fa"):
        raise WorkspaceError(
            f"unknown locale '{locale}'", code="unknown_locale", hint="Locales: en, fa."
        )
    path = path.expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise WorkspaceError(
            f"{path} is a file, not a folder", code="not_a_folder", params={"path": str(path)}
        )
    if (path / SETTINGS_FILE).exists():
        if not force:
            raise WorkspaceError(
                f"{path} is already a workspace",
                code="demo_exists",
                params={"path": str(path)},
                hint="Rebuild it (only a workspace the demo made), or choose another folder.",
            )
        remove_demo(path)
    elif path.exists() and any(path.iterdir()):
        raise WorkspaceError(
            f"{path} exists and is not empty",
            code="folder_not_empty",
            params={"path": str(path)},
            hint="Choose a new folder for the demo workspace.",
        )
    before = set(path.iterdir()) if path.exists() else set()
    calendar = "jalali" if locale == "fa" else "gregorian"
    ws = init(path, name="shakhes demo", currency="USD", locale=locale, calendar=calendar)
    try:
        data = generate(seed, end=end)
        summary: dict[str, int] = {}
        with ws.writing("loading of the demo data") as session:
            for name, rows in data.tables.items():
                result = session.warehouse.upsert(name, rows)
                summary[name] = result.inserted
            session.store.bump_data_version(
                ws.id, current_actor(), {"demo_seed": seed, "rows": summary}
            )
        add_demo_goals(ws, data.end)
        write_truth(data, path / TRUTH_FILE)
        made = sorted(p.name for p in set(path.iterdir()) - before)
        marker = {"made_by": "shakhes demo", "seed": seed, "files": [*made, MARKER]}
        (path / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        ws.close()
        _remove(path, {p.name for p in set(path.iterdir()) - before})
        raise
    return ws, summary


def remove_demo(path: Path) -> list[str]:
    """Remove the files of the demo workspace at ``path`` (those its marker lists, and their
    journal files); returns the names of the files left in place. Refuses a workspace without
    the demo's marker."""
    names = _demo_files(path)
    if not names:
        raise WorkspaceError(
            f"{path} is a workspace the demo did not make, so it is not replaced",
            code="not_a_demo",
            params={"path": str(path)},
            hint="Choose another folder for the demo workspace.",
        )
    _remove(path, names)
    return sorted(p.name for p in path.iterdir())


_LEGACY_FILES = {SETTINGS_FILE, "metadata.db", "warehouse.duckdb", TRUTH_FILE, LOCK_FOLDER}
"""What the demo made before it wrote a marker."""


def _demo_files(path: Path) -> set[str] | None:
    """The files the demo made at ``path``, from its marker; None when the demo did not make
    the workspace. A demo workspace from before the marker existed is recognised by what only
    the demo writes: its ground truth file and the settings of the workspace "shakhes demo"."""
    marker_file = path / MARKER
    if not marker_file.exists():
        try:
            settings = read_settings(path)
        except WorkspaceError:
            return None
        legacy = settings.id == "shakhes-demo" and settings.name == "shakhes demo"
        return set(_LEGACY_FILES) if legacy and (path / TRUTH_FILE).is_file() else None
    try:
        marker = json.loads(marker_file.read_text(encoding="utf-8"))
        if marker.get("made_by") == "shakhes demo":
            return {str(n) for n in marker["files"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _remove(path: Path, names: set[str]) -> None:
    """Remove the entries of ``path`` called ``names`` — plain names only, nothing outside
    ``path`` — and the journal files beside them (``warehouse.duckdb.wal``,
    ``metadata.db-journal``)."""
    safe = {n for n in names if n and "/" not in n and "\\" not in n and n not in (".", "..")}
    for entry in path.iterdir():
        owned = entry.name in safe or any(
            entry.name.startswith(n + sep) for n in safe for sep in (".", "-")
        )
        if not owned:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)
