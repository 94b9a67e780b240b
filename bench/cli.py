"""CLI start-up benchmark: how long everyday commands take, end to end, in a new process.

Each command runs ``--runs`` times as a new process (as a user types it); the median wall time
is compared with the bars of issue 7 §4 and with the start-up of a bare Python interpreter
measured in the same run (the ratio is what travels between machines):

* ``shakhes --version`` and ``shakhes --help`` under 0.3 s;
* ``shakhes compute ctr,cpc,roas --by channel`` on the demo workspace under 1 s.

    python bench/cli.py                       # builds bench/data/cli-demo once, 10 runs each
    python bench/cli.py --runs 20 --markdown  # + a section for docs/benchmarks.md
    python bench/cli.py --importtime          # what `import` costs, per module, for compute
    python bench/cli.py --source              # without byte-compiling shakhes first

The demo workspace is built with the ``shakhes`` of this checkout's virtual environment.
Before timing, shakhes' modules are byte-compiled (``compileall``), as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE`` set (as in some sandboxes and CI) an editable install never writes
its ``__pycache__``, and every command would compile shakhes' modules from source again — about
0.05 s of ``--help`` on a quiet machine, and more of ``compute``, that no installed shakhes pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from common import machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SHAKHES = str(BIN / "shakhes")
DEFAULT_WORKSPACE = HERE / "data" / "cli-demo"

BARS = {"version": 0.3, "help": 0.3, "compute": 1.0}
"""Seconds, median of the runs (issue 7 §4)."""


def commands(workspace: Path) -> dict[str, list[str]]:
    return {
        "python": [sys.executable, "-c", "pass"],
        "version": [SHAKHES, "--version"],
        "help": [SHAKHES, "--help"],
        "compute": [
            SHAKHES,
            "compute",
            "ctr,cpc,roas",
            "--by",
            "channel",
            "--workspace",
            str(workspace),
        ],
    }


def ensure_demo(workspace: Path) -> None:
    """The demo workspace the commands run on: built once, upgraded to this shakhes after."""
    if (workspace / "shakhes.toml").is_file():
        subprocess.run(
            [SHAKHES, "db", "upgrade", "--workspace", str(workspace)],
            check=True,
            capture_output=True,
        )
        return
    workspace.parent.mkdir(parents=True, exist_ok=True)
    if workspace.exists():
        shutil.rmtree(workspace)
    subprocess.run([SHAKHES, "demo", str(workspace)], check=True, capture_output=True)


def byte_compile() -> Path:
    """Byte-compile the shakhes the commands run (its ``__pycache__``, as an install has);
    return its folder."""
    found = subprocess.run(
        [sys.executable, "-c", "import shakhes, os; print(os.path.dirname(shakhes.__file__))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,  # src layout: the shakhes of the virtual environment, as the commands
    )
    package = Path(found.stdout.strip())
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    return package


def time_command(argv: Sequence[str], runs: int) -> list[float]:
    """Wall time of ``runs`` fresh processes of ``argv`` (output discarded), after one
    untimed run that warms the operating system's file cache."""
    env = {**os.environ, "COLUMNS": "100"}
    subprocess.run(argv, check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    return times


def importtime(workspace: Path) -> None:
    """The 25 most expensive imports (cumulative) of ``compute`` in a new process."""
    argv = [sys.executable, "-X", "importtime", "-m", "shakhes"]
    argv += commands(workspace)["compute"][1:]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(own), name.rstrip()))
    for cumulative, own, name in sorted(rows, reverse=True)[:25]:
        print(f"{cumulative / 1000:8.1f} ms  {own / 1000:7.1f} ms own  {name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument(
        "--source", action="store_true", help="do not byte-compile shakhes first (see above)"
    )
    args = parser.parse_args(argv)
    ensure_demo(args.workspace)
    if not args.source:
        print(f"byte-compiled {byte_compile()}", flush=True)
    if args.importtime:
        importtime(args.workspace)
        return 0
    medians: dict[str, float] = {}
    for name, command in commands(args.workspace).items():
        times = time_command(command, args.runs)
        medians[name] = statistics.median(times)
        print(
            f"{name:8} median {medians[name]:.3f} s  (min {min(times):.3f}, max {max(times):.3f})",
            flush=True,
        )
    base = medians["python"]
    lines = []
    for name, bar in BARS.items():
        verdict = "PASS" if medians[name] < bar else "FAIL"
        lines.append(
            f"| `{' '.join(commands(args.workspace)[name][1:3])}` | {medians[name]:.3f} s | "
            f"{medians[name] / base:.1f}× | < {bar} s | {verdict} |"
        )
        print(f"{name:8} bar < {bar} s: {verdict} ({medians[name] / base:.1f}× bare Python)")
    if args.markdown:
        info = machine()
        print()
        print(
            f"Bare Python start-up in the same run: {base:.3f} s. Machine: {info['cpu']}, "
            f"{info['ram']}, Python {info['python']}.\n"
        )
        print("| command | median | × bare Python | bar | |")
        print("|---|---|---|---|---|")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
