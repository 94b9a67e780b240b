"""The KPI pages of bench/web.py and their panels computed in process, one after another,
cold: where a cold page set's time goes, without a server, a network or other users.

bench/web.py's cold tail is the work of its first seconds (twelve KPI pages, their 48 panels,
the overviews) shared by two cores; this script measures that work alone, per kind (the page,
then each panel), on a fresh copy of the generated warehouse, in a new process per run. With
``--baseline SRC`` each run is done twice, alternately by this checkout and by the ``src/``
of another (a worktree of an earlier commit), so the two are compared in the same minutes of
the same machine (ratios, not absolute times: the machines are noisy).

    python bench/pages.py                                  # 10 M rows, 3 runs
    python bench/pages.py --baseline /path/to/old/src      # this checkout against another
    python bench/pages.py --rows 10000 --runs 1            # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import web  # noqa: E402

ROOT = HERE.parent

ONE_RUN = """
import json, sys, time
from pathlib import Path
import pandas, plotly  # as the server imports them before serving
from shakhes.workspace import Workspace
from shakhes.web.look import Look
from shakhes.web import kpi as K

ws = Workspace.open(Path(sys.argv[1]))
if hasattr(ws, "keep_reader"):
    ws.keep_reader()  # as the server does
look = Look("en", False, ws.settings.currency)
ws.engine  # noqa: B018  (built before the clock, as a server has it)
spent = {}
for period in json.loads(sys.argv[2]):
    for kpi in json.loads(sys.argv[3]):
        t = time.perf_counter()
        K.build(ws, look, kpi, period or None, None, None, panels=False)
        spent["page"] = spent.get("page", 0.0) + time.perf_counter() - t
        for panel in K.PANELS:
            t = time.perf_counter()
            K.build_panel(ws, look, kpi, period or None, None, None, panel)
            spent[panel] = spent.get(panel, 0.0) + time.perf_counter() - t
ws.close()
print(json.dumps(spent))
"""


def run_once(src: Path, warehouse: Path) -> dict[str, float]:
    """One cold run by the shakhes of ``src``, on a fresh workspace over a copy of
    ``warehouse``: seconds per kind (``page`` and each panel)."""
    work = Path(tempfile.mkdtemp(prefix="shakhes-pages-"))
    try:
        root = work / "ws"
        root.mkdir()
        shutil.copyfile(warehouse, root / "warehouse.duckdb")
        env = {**os.environ, "PYTHONPATH": str(src), "PYTHONWARNINGS": "ignore"}
        init = (
            "import sys; from pathlib import Path; from shakhes.workspace import init; "
            "init(Path(sys.argv[1]), name='bench', warehouse_url='duckdb:///' + sys.argv[2])"
            ".close()"
        )
        subprocess.run([sys.executable, "-c", init, str(root), str(root / "warehouse.duckdb")],
                       env=env, check=True)  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", ONE_RUN, str(root),
             json.dumps(list(web.PERIODS)), json.dumps(list(web.KPIS))],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return found
    finally:
        shutil.rmtree(work, ignore_errors=True)


def line(name: str, spent: dict[str, float]) -> str:
    parts = ", ".join(f"{k} {v:.2f}" for k, v in spent.items())
    return f"{name}: total {sum(spent.values()):.2f} s ({parts})"


def main(argv: list[str] | None = None) -> int:
    from dashboard import generate

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=lambda s: int(float(s)), default=10_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--baseline", type=Path, help="the src/ folder of another checkout")
    p.add_argument("--data-dir", type=Path, default=web.DEFAULT_DATA_DIR)
    args = p.parse_args(argv)
    data = generate(args.rows, args.data_dir)
    pages = len(web.KPIS) * len(web.PERIODS)
    print(f"{pages} KPI pages and their panels, cold, one after another; {args.rows:,} ad rows")
    totals: dict[str, list[float]] = {"this": [], "baseline": []}
    for run in range(args.runs):
        sides = [("this", ROOT / "src")]
        if args.baseline is not None:
            sides.append(("baseline", args.baseline.resolve()))
        for name, src in sides:
            spent = run_once(src, data.warehouse)
            totals[name].append(sum(spent.values()))
            print(f"run {run + 1}, " + line(name, spent))
    if args.baseline is not None:
        ratios = [a / b for a, b in zip(totals["this"], totals["baseline"], strict=True)]
        print("this / baseline per run: " + ", ".join(f"{r:.2f}" for r in ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
