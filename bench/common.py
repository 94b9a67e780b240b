"""Helpers both benchmarks use: synthetic data in SQL, and peak memory of a worker process."""

from __future__ import annotations

import os
import platform
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
if (SRC / "shakhes").is_dir() and str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))  # benchmark this checkout, whichever shakhes the venv installed

AD_CHANNELS = (
    "search",
    "search",
    "search",
    "social",
    "social",
    "social",
    "display",
    "video",
    "email",
    "affiliate",
)
"""Channel of campaign ``c`` is ``AD_CHANNELS[c % 10]``; email campaigns cost nothing."""
AD_PLATFORMS = (
    "google_ads",
    "google_ads",
    "bing",
    "meta",
    "tiktok",
    "linkedin",
    "yektanet",
    "aparat",
    "mailchimp",
    "impact",
)


def sql_list(items: Sequence[str]) -> str:
    """A DuckDB list literal of fixed (trusted) strings."""
    return "[" + ",".join(f"'{x}'" for x in items) + "]"


def uniform(*args: str) -> str:
    """SQL for a deterministic pseudo-random number in [0, 1) keyed by ``args``."""
    return f"((hash({', '.join(args)}) % 1000003) / 1000003.0)"


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB.

    ``VmHWM`` is the high-water mark of this process's own address space; ``ru_maxrss`` is not
    used on Linux because it keeps the RSS of the parent at fork time across ``exec``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def machine() -> dict[str, str]:
    """What the results were measured on: CPU, memory, OS and the versions that matter."""
    import duckdb
    import pandas as pd
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "ram": f"{psutil.virtual_memory().total / 2**30:.0f} GB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }
