"""``shakhes demo``: a workspace filled with two years of realistic synthetic marketing data."""

from __future__ import annotations

import shutil
from pathlib import Path

from shakhes.data.demo import generate, write_truth
from shakhes.errors import WorkspaceError
from shakhes.settings import SETTINGS_FILE
from shakhes.workspace import Workspace, current_actor, init

TRUTH_FILE = "demo-truth.json"


def build_demo(
    path: Path, *, seed: int = 7, force: bool = False, locale: str = "en"
) -> tuple[Workspace, dict[str, int]]:
    """Create the demo workspace at ``path`` and load generated data; returns rows per table.

    The generator's ground truth (true response curves, ROI per channel, churn hazards) is
    written to ``demo-truth.json`` in the workspace.
    """
    path = path.expanduser().resolve()
    if (path / SETTINGS_FILE).exists():
        if not force:
            raise WorkspaceError(
                f"{path} is already a workspace",
                hint="Pass --force to rebuild it, or choose another folder.",
            )
        shutil.rmtree(path)
    elif path.exists() and any(path.iterdir()):
        raise WorkspaceError(
            f"{path} exists and is not empty", hint="Choose a new folder for the demo workspace."
        )
    calendar = "jalali" if locale == "fa" else "gregorian"
    ws = init(path, name="shakhes demo", currency="USD", locale=locale, calendar=calendar)
    data = generate(seed)
    summary: dict[str, int] = {}
    with ws.writing("loading of the demo data") as session:
        for name, rows in data.tables.items():
            result = session.warehouse.upsert(name, rows)
            summary[name] = result.inserted
        session.store.bump_data_version(
            ws.id, current_actor(), {"demo_seed": seed, "rows": summary}
        )
    write_truth(data, path / TRUTH_FILE)
    return ws, summary
