"""Load benchmark of the web server (issue 9 §5): 20 users browsing while an import runs.

The script builds (once, with ``bench/dashboard.py``'s generator) a warehouse of N
``ad_performance`` rows, copies it into a fresh workspace, adds a viewer, and starts a real
``shakhes serve`` on a free loopback port. Then ``--users`` simulated users (asyncio + httpx,
each logged in with a session of its own) browse for ``--seconds``: the overview page, KPI
pages (a few KPIs × a few periods), ``GET /api/v1/workspaces/{ws}/compute`` and, as the
baseline of the same run, a static file. Partway through (``--import-at``) ``shakhes import``
of a canonical file of ``--import-rows`` rows runs into the same workspace from another
process.

The users arrive once ``GET /api/v1/health`` says the server is ready — the workspace named
on its command line open and the pages most visitors open first computed — as they would
behind a load balancer that checks it; with ``--start at-once`` they arrive as soon as the
server answers, and meet its first round of computing (the default before 2026-12-07).

Every request is timed. A request is *cold* when it is sent before any answer of its URL came
back since the server started or since the import ended (its data change) — the first request
of a URL and those that wait for its first computation — and *warm* otherwise; warm requests
sent while the import runs are also reported on their own, and so are the cold requests
sent after the import (the pages the server had to compute again for the new data). The
numbers the API shows are checked against ``shakhes compute --format json`` of the same
request, before the import and after it.

Each user waits a *think time* between two page views, uniform in ``--think`` (default 1–3 s,
as locust's ``wait_time = between(1, 3)``): the bars of the issue are about 20 people browsing,
and a person reads a page before asking for the next one. Twenty users sending their next
request the moment the last one is answered (``--think 0``) is a flood that keeps the server
saturated — every request then waits behind the 19 others, a static file included — which
measures throughput, not the latency a team sees; the run with ``--think 0`` is reported
beside the other.

    python bench/web.py                                   # 10 M rows, 60 s, 20 users
    python bench/web.py --rows 1000000 --seconds 30       # quicker
    python bench/web.py --rows 10000 --seconds 3 --users 4 --import-rows 2000   # smoke run
    python bench/web.py --think 0                         # no think time: a flood
    python bench/web.py --workers 2                       # shakhes serve --workers 2
    python bench/web.py --start at-once                   # users as soon as it answers
    python bench/web.py --markdown                        # + a section for docs/benchmarks.md

See docs/benchmarks.md for what is measured and the latest results.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import html as html_lib
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine  # noqa: E402

DEFAULT_DATA_DIR = HERE / "data"
EMAIL, PASSWORD = "bench@example.com", "bench-password-1"
WS = "bench"
KPIS = ("cost", "clicks", "ctr", "roas")
"""The KPI pages visited (each over each of :data:`PERIODS`)."""
PERIODS = ("", "2025-11", "2025-Q3")
"""``?period=`` of the pages visited ("" = the default period, the latest)."""
API_QUERY = "kpis=cost,clicks,ctr,roas,revenue&grain=month&from=2024-01-01&to=2025-12-31"
"""The compute request the users send, and the one checked against the CLI."""
CLI_ARGS = ("cost,clicks,ctr,roas,revenue", "--grain", "month")
CLI_RANGE = ("--from", "2024-01-01", "--to", "2025-12-31")
BARS = {"warm_p95_s": 0.3, "cold_p95_s": 1.5}
"""Issue 9 §5, for the overview and the KPI pages."""
PAGE_KINDS = ("overview", "kpi", "panel", "kpi+panels")
KINDS = ("overview", "kpi", "panel", "kpi+panels", "api", "static")
"""``panel``: each panel fragment a KPI page's script fetches after the page (timed on its
own, cold or warm as any URL); ``kpi+panels``: from sending the KPI page until its last
panel arrived (the page, then its panels at once, as a browser asks) — the time until a user
sees the whole page, cold when the page or any of its panels was."""
PANEL = re.compile(r'data-panel="([^"]+)"')


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``values`` (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Hit:
    """One request: what kind of URL, which, when it was sent (seconds since the start), how
    long it took, its status, and whether it was cold and sent during the import."""

    kind: str
    url: str
    sent: float
    seconds: float
    status: int
    cold: bool
    during_import: bool
    error: str = ""
    after_import: bool = False


@dataclass
class Clock:
    """Shared state of a run: when it started, the import's phase, the URLs answered per epoch."""

    start: float = field(default_factory=time.perf_counter)
    phase: str = "before"  # before → during → after
    answered: set[tuple[str, str]] = field(default_factory=set)
    api_before: list[dict[str, Any]] | None = None
    """The first answer of the compute API, kept when it came before the import started."""

    def now(self) -> float:
        return time.perf_counter() - self.start

    def epoch(self) -> str:
        return "after" if self.phase == "after" else "start"

    def cold(self, url: str) -> tuple[str, str] | None:
        """The (epoch, url) of a request of ``url`` sent now if it is cold: no answer of that
        URL has come back since the start, or since the import ended (its data change); a
        request that waits for another's first computation is cold too."""
        key = (self.epoch(), url)
        return None if key in self.answered else key


def urls(static: str) -> list[tuple[str, str]]:
    """(kind, path) of everything a user browses, with the weights of a plausible visit: the
    overview and the API often, each KPI page less, the static file as the baseline."""
    home = f"/w/{WS}"
    out: list[tuple[str, str]] = []
    for period in PERIODS:
        query = f"?period={period}" if period else ""
        out += [("overview", f"{home}/{query}")] * 2
        for kpi in KPIS:
            out.append(("kpi", f"{home}/kpis/{kpi}{query}"))
    out += [("api", f"/api/v1/workspaces/{WS}/compute?{API_QUERY}")] * 4
    out += [("static", static)] * 2
    return out


# ---- the workspace, the server, the import -------------------------------------------------------


def shakhes_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("shakhes")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "shakhes"]


def prepare(rows: int, data_dir: Path, work: Path, import_rows: int) -> tuple[Path, Path]:
    """A workspace over a copy of the generated warehouse of ``rows`` rows (so that the import
    does not change the data set others reuse), its viewer, and the file to import."""
    from dashboard import generate
    from imports import generate as generate_file

    data = generate(rows, data_dir)
    root = work / "ws"
    root.mkdir(parents=True)
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(data.warehouse, warehouse)
    from shakhes.workspace import init

    init(root, name=WS, warehouse_url=f"duckdb:///{warehouse}").close()
    run([*shakhes_cmd(), "user", "add", EMAIL, "--role", "viewer", "-w", str(root),
         "--password", PASSWORD], work)  # fmt: skip
    imported = generate_file("canonical", import_rows, data_dir / "imports", quiet=True)
    return root, imported.path


def env(work: Path) -> dict[str, str]:
    return {**os.environ, "SHAKHES_HOME": str(work / "home"), "NO_COLOR": "1"}


def run(cmd: list[str], work: Path) -> str:
    done = subprocess.run(cmd, env=env(work), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(root: Path, work: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``shakhes serve`` on a free loopback port, once it answers."""
    import httpx

    port = free_port()
    log = (work / "serve.log").open("wb")
    cmd = [*shakhes_cmd(), "serve", "--port", str(port), "--workers", str(workers),
           "-w", str(root)]  # fmt: skip
    server = subprocess.Popen(cmd, env=env(work), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"shakhes serve ended:\n{(work / 'serve.log').read_text()}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("shakhes serve did not answer within 60 s")


def wait_ready(base: str, timeout: float = 300.0) -> float:
    """Seconds until ``GET /api/v1/health`` said the server is ready (its workspace open and
    the pages most visitors open first computed), as a load balancer checking it would wait
    before sending users."""
    import httpx

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if httpx.get(base + "/api/v1/health", timeout=10).json()["ready"]:
            return time.perf_counter() - t0
        time.sleep(0.2)
    raise SystemExit(f"the server was not ready within {timeout:g} s")


def start_line(ready_after: float | None) -> str:
    if ready_after is None:
        return "users arrive as soon as the server answers (--start at-once)"
    return f"users arrive once the server is ready ({ready_after:.1f} s after it answered)"


def cli_compute(root: Path, work: Path) -> tuple[list[dict[str, Any]], float]:
    """``shakhes compute --format json`` of the API's request, and how long the command took."""
    t0 = time.perf_counter()
    out = run([*shakhes_cmd(), "compute", *CLI_ARGS, *CLI_RANGE, "--format", "json",
               "-w", str(root)], work)  # fmt: skip
    found: list[dict[str, Any]] = json.loads(out)
    return found, time.perf_counter() - t0


def same(api: list[dict[str, Any]], cli: list[dict[str, Any]]) -> list[str]:
    """Where the API's records differ from the CLI's (empty: the same numbers)."""

    def keyed(rows: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
        return {(str(r["kpi"]), str(r.get("period_label", r.get("period")))): r for r in rows}

    a, c = keyed(api), keyed(cli)
    if a.keys() != c.keys():
        return [f"different rows: api {len(a)}, cli {len(c)}"]
    problems = []
    for key, row in c.items():
        x, y = row.get("value"), a[key].get("value")
        if (x is None) != (y is None) or (
            x is not None and not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
        ):
            problems.append(f"{key}: cli {x}, api {y}")
    return problems


# ---- the users ----------------------------------------------------------------------------------


async def login(client: Any) -> None:
    answer = await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    answer.raise_for_status()


def think_range(text: str) -> tuple[float, float]:
    """``--think``: ``0`` (none), ``2`` (always 2 s) or ``1-3`` (uniform between 1 and 3 s)."""
    low, _, high = text.partition("-")
    found = (float(low), float(high or low))
    if found[0] < 0 or found[1] < found[0]:
        raise argparse.ArgumentTypeError(f"--think {text}: give MIN-MAX seconds, 0 ≤ MIN ≤ MAX")
    return found


async def user(
    base: str,
    plan: list[tuple[str, str]],
    clock: Clock,
    until: float,
    hits: list[Hit],
    seed: int,
    think: tuple[float, float] = (0.0, 0.0),
) -> None:
    """One user: logs in, then requests the plan's URLs in a shuffled order, over and over,
    waiting a think time drawn from ``think`` (seconds) after each answer."""
    import httpx

    order = plan[:]
    rng = random.Random(seed)
    rng.shuffle(order)
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await login(client)
        i = 0
        while clock.now() < until:
            if i and think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))
                if clock.now() >= until:
                    break
            kind, url = order[i % len(order)]
            i += 1
            t0 = time.perf_counter()
            hit, answer = await timed_get(client, kind, url, clock)
            hits.append(hit)
            ok = answer is not None and hit.status == 200
            if kind == "api" and ok and not hit.during_import and clock.phase == "before":
                clock.api_before = clock.api_before or answer.json()
            if kind == "kpi" and ok:
                found = [html_lib.unescape(u) for u in PANEL.findall(answer.text)]
                panels = [h for h, _ in await asyncio.gather(
                    *(timed_get(client, "panel", u, clock) for u in found))]  # fmt: skip
                hits.extend(panels)
                whole = time.perf_counter() - t0
                worst = next((h for h in panels if h.status != 200), None)
                hits.append(
                    Hit("kpi+panels", url, hit.sent, whole, worst.status if worst else 200,
                        hit.cold or any(h.cold for h in panels), hit.during_import,
                        worst.error if worst else "", hit.after_import)
                )  # fmt: skip


async def timed_get(client: Any, kind: str, url: str, clock: Clock) -> tuple[Hit, Any]:
    """``GET url`` timed alone, as a :class:`Hit` of ``kind``, with the answer (None when the
    request itself failed). A cold URL answered is marked answered on ``clock``."""
    import httpx

    cold = clock.cold(url)
    during = clock.phase == "during"
    sent = clock.now()
    t0 = time.perf_counter()
    answer = None
    try:
        answer = await client.get(url)
        status = answer.status_code
        error = "" if status == 200 else _message(answer.text)
    except httpx.HTTPError as e:
        status, error = 0, f"{type(e).__name__}: {e}"
    seconds = time.perf_counter() - t0
    if cold is not None and status == 200:
        clock.answered.add(cold)
    after = cold is not None and cold[0] == "after"
    hit = Hit(kind, url, sent, seconds, status, cold is not None, during, error, after)
    return hit, answer


async def importer(root: Path, file: Path, work: Path, clock: Clock, at: float) -> dict[str, Any]:
    """``shakhes import`` of ``file`` from another process, ``at`` seconds into the run."""
    await asyncio.sleep(at)
    clock.phase = "during"
    started = clock.now()
    process = await asyncio.create_subprocess_exec(
        *shakhes_cmd(), "import", "--source", "canonical", str(file), "-w", str(root),
        env=env(work), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    clock.phase = "after"
    ended = clock.now()
    if process.returncode != 0:
        raise SystemExit(f"shakhes import failed:\n{out.decode()}\n{err.decode()}")
    return {"started": started, "ended": ended}


async def browse(
    base: str, root: Path, file: Path, work: Path, args: argparse.Namespace, static: str
) -> tuple[list[Hit], dict[str, Any]]:
    clock = Clock()
    clock.answered.add(("start", f"/api/v1/workspaces/{WS}/compute?{API_QUERY}"))  # checked
    hits: list[Hit] = []
    plan = urls(static)
    tasks = [
        user(base, plan, clock, args.seconds, hits, seed, args.think) for seed in range(args.users)
    ]
    found = await asyncio.gather(importer(root, file, work, clock, args.import_at), *tasks)
    times: dict[str, Any] = found[0]
    times["api_before"] = clock.api_before
    return hits, times


def _message(html: str) -> str:
    """The message of an error page (or the start of another answer)."""
    found = re.search(r"<main[^>]*>(.*?)</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1) if found else html)
    return " ".join(html_lib.unescape(text).split())[:300]


# ---- the report ---------------------------------------------------------------------------------


def stats(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else math.nan,
    }


def summarise(hits: list[Hit]) -> dict[str, dict[str, Any]]:
    out = {}
    for kind in KINDS:
        mine = [h for h in hits if h.kind == kind]
        out[kind] = {
            "cold": stats([h.seconds for h in mine if h.cold]),
            "warm": stats([h.seconds for h in mine if not h.cold]),
            "warm_during": stats([h.seconds for h in mine if not h.cold and h.during_import]),
            "cold_after": stats([h.seconds for h in mine if h.cold and h.after_import]),
            "errors": sum(1 for h in mine if h.status != 200),
        }
    return out


def bars(summary: dict[str, dict[str, Any]], mismatches: list[str]) -> list[tuple[str, bool]]:
    out = []
    for kind in PAGE_KINDS:
        warm, cold = summary[kind]["warm"]["p95"], summary[kind]["cold"]["p95"]
        out.append((f"{kind} warm p95 < {BARS['warm_p95_s']} s (got {warm:.3f} s)",
                    warm < BARS["warm_p95_s"]))  # fmt: skip
        out.append((f"{kind} cold p95 < {BARS['cold_p95_s']} s (got {cold:.3f} s)",
                    cold < BARS["cold_p95_s"]))  # fmt: skip
    static = summary["static"]["warm"]["p95"]
    for kind in PAGE_KINDS:  # not a bar: how the machine served a file in the same run
        ratio = summary[kind]["warm"]["p95"] / static if static else math.nan
        out.append((f"(baseline) {kind} warm p95 over the static file's: {ratio:.2f}×", True))
    errors = sum(s["errors"] for s in summary.values())
    out.append((f"no errors (got {errors})", errors == 0))
    out.append(("numbers shown equal the CLI's, before and after the import"
                + ("" if not mismatches else f" ({'; '.join(mismatches[:3])})"),
                not mismatches))  # fmt: skip
    return out


def _f(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 1000:,.0f}"


def table(summary: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| page kind | cold n | cold p50 / p95 / max (ms) | warm n | warm p50 / p95 / max (ms) "
        "| warm during import p50 / p95 (ms) | cold after import n, p50 / p95 (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, s in summary.items():
        c, w, d, a = s["cold"], s["warm"], s["warm_during"], s["cold_after"]
        lines.append(
            f"| {kind} | {c['n']} | {_f(c['p50'])} / {_f(c['p95'])} / {_f(c['max'])} | {w['n']} "
            f"| {_f(w['p50'])} / {_f(w['p95'])} / {_f(w['max'])} | {_f(d['p50'])} / "
            f"{_f(d['p95'])} | {a['n']}, {_f(a['p50'])} / {_f(a['p95'])} | {s['errors']} |"
        )
    return lines


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=lambda s: int(float(s)), default=10_000_000)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60.0, help="how long the users browse")
    p.add_argument("--workers", type=int, default=1, help="shakhes serve --workers (default 1)")
    p.add_argument(
        "--think",
        type=think_range,
        default=(1.0, 3.0),
        metavar="MIN-MAX",
        help="each user's pause between two requests, uniform in seconds (default 1-3; "
        "0: none, a flood)",
    )
    p.add_argument("--import-rows", type=lambda s: int(float(s)), default=300_000)
    p.add_argument(
        "--import-at", type=float, help="seconds into the run the import starts (default ⅓ of it)"
    )
    p.add_argument(
        "--start",
        choices=("ready", "at-once"),
        default="ready",
        help="when the users arrive: once GET /api/v1/health says the server is ready (its "
        "workspace open, the most visited pages computed), as behind a load balancer that "
        "checks it (default); or as soon as the server answers (at-once: the users meet its "
        "first round of computing)",
    )
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--keep", action="store_true", help="keep the workspace and the server log")
    p.add_argument("--markdown", action="store_true", help="also print a Markdown section")
    p.add_argument("--hits", type=Path, help="write every request (JSON lines) to this file")
    args = p.parse_args(argv)
    if args.import_at is None:
        args.import_at = args.seconds / 3
    work = Path(tempfile.mkdtemp(prefix="shakhes-web-bench-"))
    load_before = load_average()
    root, file = prepare(args.rows, args.data_dir, work, args.import_rows)
    server, base = serve(root, work, args.workers)
    try:
        import httpx

        ready_after = wait_ready(base) if args.start == "ready" else None

        with httpx.Client(base_url=base, timeout=600) as c:
            c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            # the numbers before the import: the API's (so its URL is warm from here on)
            api_before = c.get(f"/api/v1/workspaces/{WS}/compute?{API_QUERY}").json()
        from shakhes.web.static import url

        static = url("shakhes.css")  # what the pages link to
        cli_before, cli_seconds = cli_compute(root, work)
        hits, times = asyncio.run(browse(base, root, file, work, args, static))
        if args.hits:
            with args.hits.open("w") as out:
                for hit in sorted(hits, key=lambda h: h.sent):
                    out.write(json.dumps(dataclasses.asdict(hit)) + "\n")
        with httpx.Client(base_url=base, timeout=120) as c:
            c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            api_after = c.get(f"/api/v1/workspaces/{WS}/compute?{API_QUERY}").json()
        cli_after, _ = cli_compute(root, work)
        mismatches = [f"before: {m}" for m in same(api_before, cli_before)]
        if times["api_before"] is not None:  # an answer during the run, before the import
            mismatches += [f"run: {m}" for m in same(times["api_before"], cli_before)]
        mismatches += [f"after: {m}" for m in same(api_after, cli_after)]
        if cli_before == cli_after:
            mismatches.append("the import did not change the numbers checked")
    finally:
        server.terminate()
        server.wait(30)
    summary = summarise(hits)
    checked = bars(summary, mismatches)
    load_after = load_average()
    low, high = args.think
    think = "no think time" if high == 0 else f"think time {low:g}–{high:g} s"
    print(f"shakhes serve --workers {args.workers}; {args.rows:,} ad rows; {args.users} users "
          f"({think}) for {args.seconds:g} s; import of {args.import_rows:,} rows from "
          f"{times['started']:.1f} s to {times['ended']:.1f} s; {len(hits):,} requests "
          f"({len(hits) / args.seconds:.1f}/s)")  # fmt: skip
    print(f"load average before {load_before}, after {load_after}")
    print(start_line(ready_after))
    print(
        f"baseline: shakhes compute (CLI, a new process) of the API's request: {cli_seconds:.2f} s"
    )
    print("\n".join(table(summary)))
    for text, ok in checked:
        print(text if text.startswith("(") else f"{'PASS' if ok else 'FAIL'}  {text}")
    errors = [h for h in hits if h.status != 200]
    for h in errors[:5]:
        print(f"error: {h.status} {h.url}: {h.error}")
    if any(h.status >= 500 and h.status != 503 for h in errors):  # the server's own account
        logged = (work / "serve.log").read_text(errors="replace")
        start = logged.find("Traceback")
        if start < 0:
            print("(no traceback in serve.log)")
        else:  # the traceback up to its exception's line (the first line not indented)
            lines = logged[start:].splitlines()
            end = next((i for i, x in enumerate(lines[1:], 1) if x and not x[0].isspace()), 0)
            print("\n".join(lines[: end + 1]))
    if args.markdown:
        m = machine()
        command = "python bench/web.py " + " ".join(sys.argv[1:] if argv is None else argv)
        print()
        print(f"Command: `{command.strip()}`\n")
        print(f"Machine: {m['cpu']}, {m['ram']} RAM; load average {load_before} before, "
              f"{load_after} after.\n")  # fmt: skip
        print(f"shakhes serve --workers {args.workers}; {args.users} users, {think}; "
              f"{len(hits):,} requests ({len(hits) / args.seconds:.1f}/s); the import of "
              f"{args.import_rows:,} rows took {times['ended'] - times['started']:.1f} s; "
              f"{start_line(ready_after)}.\n")  # fmt: skip
        print("\n".join(table(summary)))
        print()
        for text, ok in checked:
            print(f"- {text}" if text.startswith("(") else
                  f"- bar: {'**PASS**' if ok else '**FAIL**'} — {text}")  # fmt: skip
    if args.keep:
        print(f"workspace and serve.log kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not errors and not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
