"""The cold burst of bench/web.py on its own: every KPI page of the benchmark, uncomputed, asked
at once by as many users, and how long until the last answer.

bench/web.py's cold tail is the first seconds of its run, when twenty users who just logged in
each open a first page. This script asks the twelve KPI pages (4 KPIs × 3 periods, without
their panels) at the same moment, once per run, each from a client logged in beforehand, on a
server whose workspace is open and whose warmer's first round is over (so the default
period's pages are computed; the other eight are cold). It prints the time until each answer,
and the CPU seconds each server process spent (psutil), so that ``--workers`` can be compared
with one worker in the same run of the script.

    python bench/burst.py                         # 10 M rows, 1 and 2 workers, 2 runs each
    python bench/burst.py --workers 1 --runs 3
    python bench/burst.py --rows 10000 --runs 1   # smoke run
    python bench/burst.py --workers 1 --panels    # the pages, then each page's four panels
"""

from __future__ import annotations

import argparse
import asyncio
import html
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import web  # noqa: E402


async def burst(
    base: str, server_pid: int, settle: float, panels: bool = False
) -> tuple[float, dict[int, float]]:
    """The seconds until the last of the KPI pages (with ``panels``, the last of their panels,
    each page's asked at once when it arrived, as its script does) answered, and CPU seconds
    per process."""
    import httpx
    import psutil

    urls = [
        f"/w/{web.WS}/kpis/{kpi}" + (f"?period={period}" if period else "")
        for period in web.PERIODS
        for kpi in web.KPIS
    ]
    clients = [httpx.AsyncClient(base_url=base, timeout=120) for _ in urls]
    try:
        for client in clients:
            await web.login(client)
        # The server opens its workspace as it starts; its warmer's first round (the default
        # period's pages) is over when it says it is ready; then ``settle`` seconds more (with
        # several workers, the one that answered is ready).
        await asyncio.to_thread(web.wait_ready, base)
        await asyncio.sleep(settle)
        processes = psutil.Process(server_pid).children(recursive=True)
        processes = processes or [psutil.Process(server_pid)]
        before = {p.pid: sum(p.cpu_times()[:2]) for p in processes}

        async def get(client: httpx.AsyncClient, url: str) -> float:
            t0 = time.perf_counter()
            answer = await client.get(url)
            answer.raise_for_status()
            if panels:
                found = [html.unescape(u) for u in web.PANEL.findall(answer.text)]
                done = await asyncio.gather(*(client.get(u) for u in found))
                for each in done:
                    each.raise_for_status()
            return time.perf_counter() - t0

        seconds = await asyncio.gather(*(get(c, u) for c, u in zip(clients, urls, strict=True)))
        cpu = {p.pid: sum(p.cpu_times()[:2]) - before[p.pid] for p in processes}
        return max(seconds), cpu
    finally:
        for client in clients:
            await client.aclose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=lambda s: int(float(s)), default=10_000_000)
    p.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    p.add_argument("--runs", type=int, default=2)
    p.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds between the server's saying it is ready and the burst",
    )
    p.add_argument("--data-dir", type=Path, default=web.DEFAULT_DATA_DIR)
    p.add_argument("--panels", action="store_true", help="and each page's panels after it")
    args = p.parse_args(argv)
    what = " and their panels" if args.panels else ""
    print(f"{len(web.KPIS) * len(web.PERIODS)} KPI pages{what} at once; {args.rows:,} ad rows")
    for run in range(args.runs):
        for workers in args.workers:
            work = Path(tempfile.mkdtemp(prefix="shakhes-burst-"))
            try:
                root, _ = web.prepare(args.rows, args.data_dir, work, 1_000)
                server, base = web.serve(root, work, workers)
                try:
                    last, cpu = asyncio.run(burst(base, server.pid, args.settle, args.panels))
                finally:
                    server.terminate()
                    server.wait(timeout=60)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            spent = " + ".join(f"{c:.2f}" for c in cpu.values())
            print(f"run {run + 1}, --workers {workers}: last answer after {last:.3f} s; "
                  f"CPU {spent} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
