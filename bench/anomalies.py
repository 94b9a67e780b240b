"""Anomalies and leading indicators against the demo generator's ground truth (issue 8 §7).

For each generator seed a workspace is built in a temporary folder (two years to ``--end``),
and the two analyses run through the service layer, as ``shakhes anomalies`` and
``shakhes leads`` run them:

* **Anomalies** — ``anomalies`` over every day of the data (default KPIs, explained by
  campaign, platform or channel) against the four injected incidents of each seed (a budget
  typo, a CTR collapse, a viral post, a tracking outage: ``truth["incidents"]``):

  - *recall*: the incident's own KPI is flagged as a one-off anomaly on one of its days;
  - *explained*: of those, the explanation names the incident's dimension value;
  - *precision*: one-off anomalies on an incident's day in a KPI it moves ÷ all one-off
    anomalies; the others are false alarms, counted per KPI and year, and those within
    −1…+3 days of a planned change (a campaign starting or stopping:
    ``truth["planned_changes"]``) apart;
  - *new levels* (shifts): how many, and how many within −1…+7 days of a planned change.

* **Leading and lagging** — ``leads`` at day grain, lags 0–7, for each pair of
  ``truth["lead_lag"]``: a link is called right when the verdict is the one the truth expects
  (``leads`` at ``lag_days``, or ``same_day``); a pair without a path, when the verdict is not
  ``leads``.

    python bench/anomalies.py                    # seeds 1-8, two years, about a minute
    python bench/anomalies.py --seeds 1-20       # more seeds
    python bench/anomalies.py --seeds 1          # smoke run, seconds
    python bench/anomalies.py --markdown         # + a section for docs/benchmarks.md

Exit status 1 when a bar fails (:data:`BARS`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import machine  # also puts this checkout's src/ first on sys.path

BARS: dict[str, tuple[str, float]] = {
    "recall, own KPI": (">=", 0.75),
    "recall, any KPI it moves": (">=", 0.9),
    "explained": (">=", 0.9),
    "precision": ("", 0.0),
    "false alarms per KPI and year": ("<=", 1.5),
    "strong links right": (">=", 0.9),
    "pairs without a path not called a lead": (">=", 0.9),
}
"""What each measure must reach (no bar for precision: it depends on how many KPIs an
incident moves, see docs/benchmarks.md). The issue gives no bars; these were set after the
first run, as the levels the method is held to from now on."""
PLANNED_BEFORE, PLANNED_AFTER = 1, 3
SHIFT_AFTER = 7


@dataclass
class Tally:
    """Counts over all seeds."""

    incidents: int = 0
    recalled: int = 0
    recalled_any: int = 0
    explained: int = 0
    by_incident: Counter[str] = field(default_factory=Counter)
    recalled_by: Counter[str] = field(default_factory=Counter)
    explained_by: Counter[str] = field(default_factory=Counter)
    true_flags: int = 0
    false_flags: int = 0
    false_at_planned: int = 0
    false_by_kpi: Counter[str] = field(default_factory=Counter)
    shifts: int = 0
    shifts_at_planned: int = 0
    kpi_years: float = 0.0
    verdicts: dict[tuple[str, str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    right: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    seeds: int = 0


def build(seed: int, end: dt.date, years: int, folder: Path) -> tuple[Any, dict[str, Any]]:
    """A workspace with the demo data of ``seed``, and the generator's truth."""
    from shakhes.data.demo import generate
    from shakhes.workspace import current_actor, init

    ws = init(folder / f"seed-{seed}", name=f"anomaly bench {seed}", currency="USD")
    data = generate(seed, end=end, years=years)
    with ws.writing("loading of the demo data") as session:
        for name, rows in data.tables.items():
            session.warehouse.upsert(name, rows)
        session.store.bump_data_version(ws.id, current_actor(), {"demo_seed": seed})
    return ws, data.truth


def _near(day: dt.date, changes: Sequence[dt.date], before: int, after: int) -> bool:
    return any(-before <= (day - c).days <= after for c in changes)


def score_anomalies(ws: Any, truth: dict[str, Any], tally: Tally) -> None:
    from shakhes.service.anomalies import AnomaliesQuery, anomalies

    start = dt.date.fromisoformat(truth["start"])
    report = anomalies(ws, AnomaliesQuery(since=start))
    planned = sorted({dt.date.fromisoformat(c["date"]) for c in truth["planned_changes"]})
    moved = set()
    for incident in truth["incidents"]:
        days = {dt.date.fromisoformat(d["date"]) for d in incident["days"]}
        moved |= {(k, d) for k in incident["kpis"] for d in days}
        key = incident["key"]
        tally.incidents += 1
        tally.by_incident[key] += 1
        hits = [
            f
            for f in report.found
            if f.kpi == incident["kpi"] and f.day in days and f.anomaly.kind.value == "anomaly"
        ]
        tally.recalled_any += any(
            f.day in days and f.kpi in incident["kpis"] and f.anomaly.kind.value == "anomaly"
            for f in report.found
        )
        if hits:
            tally.recalled += 1
            tally.recalled_by[key] += 1
            e = hits[0].explanation
            if e is not None and incident["dimensions"].get(e.dimension) == e.value:
                tally.explained += 1
                tally.explained_by[key] += 1
    for f in report.found:
        if f.anomaly.kind.value == "shift":
            tally.shifts += 1
            tally.shifts_at_planned += _near(f.day, planned, PLANNED_BEFORE, SHIFT_AFTER)
        elif (f.kpi, f.day) in moved:
            tally.true_flags += 1
        else:
            tally.false_flags += 1
            tally.false_by_kpi[f.kpi] += 1
            tally.false_at_planned += _near(f.day, planned, PLANNED_BEFORE, PLANNED_AFTER)
    judged = (report.end - start).days + 1 - 2 * 56  # the first 16 weeks build the baseline
    tally.kpi_years += len(report.kpis) * judged / 365.25


def score_leads(ws: Any, truth: dict[str, Any], tally: Tally) -> None:
    from shakhes.service.leads import LeadsQuery, leads

    pairs: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for link in truth["lead_lag"]["links"]:
        pairs[link["lagging"]].append((link["leading"], "link", link))
    for pair in truth["lead_lag"]["not_leading"]:
        pairs[pair["lagging"]].append((pair["candidate"], "no path", pair))
    for lagging, candidates in pairs.items():
        report = leads(ws, LeadsQuery(lagging, [c for c, _, _ in candidates], max_lag=7))
        answers = {a.candidate: a for a in report.results}
        for candidate, kind, info in candidates:
            answer = answers[candidate]
            verdict = answer.verdict.value
            label = verdict + (f" {answer.best_lag}" if verdict == "leads" else "")
            group = f"{kind}, {info.get('strength', '')}".rstrip(", ")
            key = (group, candidate, lagging)
            tally.verdicts[key][label] += 1
            if kind == "link":
                expected = info["verdict"]
                ok = verdict == expected and (
                    expected != "leads" or answer.best_lag == info["lag_days"]
                )
            else:
                ok = verdict != "leads"
            tally.right[key] += ok


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi) + 1)) if hi else [int(lo)]
    return out


def _share(a: int, b: int) -> float:
    return a / b if b else float("nan")


def measures(t: Tally) -> dict[str, float]:
    strong = [k for k in t.verdicts if k[0] == "link, strong"]
    no_path = [k for k in t.verdicts if k[0] == "no path"]
    return {
        "recall, own KPI": _share(t.recalled, t.incidents),
        "recall, any KPI it moves": _share(t.recalled_any, t.incidents),
        "explained": _share(t.explained, t.recalled),
        "precision": _share(t.true_flags, t.true_flags + t.false_flags),
        "false alarms per KPI and year": t.false_flags / t.kpi_years if t.kpi_years else 0.0,
        "strong links right": _share(sum(t.right[k] for k in strong), len(strong) * t.seeds),
        "pairs without a path not called a lead": _share(
            sum(t.right[k] for k in no_path), len(no_path) * t.seeds
        ),
    }


def passes(name: str, value: float) -> bool | None:
    """Whether ``value`` meets the bar of ``name`` (None: no bar)."""
    op, bar = BARS[name]
    if op == ">=":
        return value >= bar
    if op == "<=":
        return value <= bar
    return None


def report(t: Tally, markdown: bool) -> list[str]:
    lines = []
    m = measures(t)
    lines += ["| measure | measured | bar | |", "|---|---|---|---|"]
    for name, value in m.items():
        op, bar = BARS[name]
        per_year = name.startswith("false alarms")
        shown = f"{value:.2f}" if per_year else f"{value:.0%}"
        needed = (f"{op} {bar:.1f}" if per_year else f"{op} {bar:.0%}") if op else "—"
        ok = passes(name, value)
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        lines.append(
            f"| {name} | {shown} | {needed.replace('>=', '≥').replace('<=', '≤')} | {verdict} |"
        )
    lines += [
        "",
        f"Incidents: {t.incidents}; found in their own KPI {t.recalled} "
        f"({m['recall, own KPI']:.0%}), in some KPI they move {t.recalled_any}; explained by the "
        f"right dimension value: {t.explained} of the {t.recalled} ({m['explained']:.0%}).",
        f"One-off anomalies: {t.true_flags + t.false_flags}, of which {t.true_flags} on an "
        f"incident's day in a KPI it moves (precision {m['precision']:.0%}); {t.false_flags} "
        f"false alarms = {t.false_flags / t.kpi_years:.2f} per KPI and year, "
        f"{t.false_at_planned} of them within {PLANNED_BEFORE} day before to {PLANNED_AFTER} "
        "days after a campaign started or stopped.",
        f"New levels (shifts): {t.shifts}, {t.shifts_at_planned} of them within "
        f"{SHIFT_AFTER} days after a campaign started or stopped.",
        "",
        "| incident | seeds | found | explained |",
        "|---|---|---|---|",
    ]
    for key, n in t.by_incident.items():
        lines.append(f"| {key} | {n} | {t.recalled_by[key]} | {t.explained_by[key]} |")
    lines += ["", "| false alarms by KPI | count |", "|---|---|"]
    for kpi, n in t.false_by_kpi.most_common():
        lines.append(f"| {kpi} | {n} |")
    lines += [
        "",
        "| pair (truth) | candidate → lagging | right | verdicts over the seeds |",
        "|---|---|---|---|",
    ]
    for key, counts in t.verdicts.items():
        group, cand, lag = key
        spread = ", ".join(f"{v} ×{n}" for v, n in counts.most_common())
        lines.append(f"| {group} | {cand} → {lag} | {t.right[key]}/{t.seeds} | {spread} |")
    if not markdown:
        lines = [line for line in lines if line]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-8", help="generator seeds: 1-8 or 3,5,9")
    parser.add_argument("--end", default="2025-12-31", help="last day of the data")
    parser.add_argument("--years", type=int, default=2, help="years of data")
    parser.add_argument("--markdown", action="store_true", help="print a docs section too")
    args = parser.parse_args(argv)
    seeds = _seeds(args.seeds)
    end = dt.date.fromisoformat(args.end)
    tally = Tally()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shakhes-anomaly-bench-") as tmp:
        for seed in seeds:
            ws, truth = build(seed, end, args.years, Path(tmp))
            try:
                score_anomalies(ws, truth, tally)
                score_leads(ws, truth, tally)
            finally:
                ws.close()
            tally.seeds += 1
            print(f"seed {seed}: done ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    took = time.perf_counter() - began
    info = machine()
    head = (
        f"Run: seeds {args.seeds}, {args.years} years of data to {end}, {took:.0f} s on "
        f"{info['cpu']}, Python {info['python']}."
    )
    print(head)
    for line in report(tally, args.markdown):
        print(line)
    if args.markdown:
        print()
        print(f"## Anomalies and leading indicators — {dt.date.today()}")
        print()
        print("```sh")
        print(f".venv/bin/python bench/anomalies.py --seeds {args.seeds} --markdown")
        print("```")
        print()
        print(head)
        print()
        for line in report(tally, True):
            print(line)
    failed = [name for name, value in measures(tally).items() if passes(name, value) is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
