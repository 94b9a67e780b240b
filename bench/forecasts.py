"""Forecast backtest: are the tracking numbers of ``shakhes status`` honest (issue 8 §7)?

On demo data (eight generator seeds by default, two years each), for every series — additive: cost,
clicks and conversions per paid channel and revenue per channel; ratio: CTR, CPC, CPA, ROAS and
conversion rate per paid channel — every period of the last year (its 12 months and 4 quarters)
and several cut-off days in each (days 5, 10, 15, 20, 25 of a month; 15, 30, 45, 60, 75 of a
quarter), :func:`shakhes.analysis.tracking.track` sees the data through the cut-off only and its
answer is compared with what happened by the period's end:

* **coverage** — how often the 80 % forecast interval holds the final value, for additive and
  for ratio KPIs separately. Bar: 75–85 % each.
* **Brier score** of the probability of meeting the target, against straight-line pacing as
  dashboards do it (projected = actual × days in period ÷ days elapsed, or the ratio to date;
  its "probability" is 1 when the projection meets the target, else 0), on the same targets
  in the same run. Bar: at least 20 % lower.

Targets are what a planner might set before the period: last year's value for the same
period × the growth of the 13 weeks before the period over the same weeks a year earlier ×
exp(ε), ε ~ Normal(0, ``--target-spread``) (0.15 by default), drawn from a generator seeded
by the series and the period — so that about half are met. The series come through the engine
(``compute`` at day grain, by channel) from a workspace built with the demo generator.

    python bench/forecasts.py                       # seeds 1-8, two years, about a minute
    python bench/forecasts.py --seeds 1-20 --years 3   # a bigger run, more history
    python bench/forecasts.py --seeds 1 --kpis cost,cpa   # smoke run, seconds
    python bench/forecasts.py --markdown            # + a section for docs/benchmarks.md

Exit status 1 when a bar fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import machine  # also puts this checkout's src/ first on sys.path

from shakhes.analysis.series import DailySeries, RatioSeries
from shakhes.analysis.tracking import track
from shakhes.spec.kpi import Direction

ADDITIVE = {
    "cost": Direction.LOWER_IS_BETTER,
    "clicks": Direction.HIGHER_IS_BETTER,
    "conversions": Direction.HIGHER_IS_BETTER,
    "revenue": Direction.HIGHER_IS_BETTER,
}
RATIO = {
    "ctr": Direction.HIGHER_IS_BETTER,
    "cpc": Direction.LOWER_IS_BETTER,
    "cpa": Direction.LOWER_IS_BETTER,
    "roas": Direction.HIGHER_IS_BETTER,
    "conversion_rate": Direction.HIGHER_IS_BETTER,
}
COVERAGE_BAR = (0.75, 0.85)
BRIER_BAR = 0.2
"""Brier score at least 20 % lower than straight-line pacing's."""
MONTH_CUTOFFS = (5, 10, 15, 20, 25)
QUARTER_CUTOFFS = (15, 30, 45, 60, 75)
TRAILING_DAYS = 91
"""The weeks before a period whose growth over a year earlier sets the planner's target."""


@dataclass(frozen=True)
class Series:
    kpi: str
    channel: str
    seed: int
    direction: Direction
    history: DailySeries | RatioSeries

    @property
    def kind(self) -> str:
        return "ratio" if isinstance(self.history, RatioSeries) else "additive"

    def value(self, first: dt.date, last: dt.date) -> float:
        """The KPI over ``first..last`` (NaN for a ratio without denominator)."""
        if isinstance(self.history, RatioSeries):
            return self.history.ratio(first, last)
        return self.history.total(first, last)


@dataclass(frozen=True)
class Case:
    """One question and its answer: a series, a period, a cut-off and a target."""

    kind: str
    kpi: str
    period: str
    cutoff: int
    final: float
    met: bool
    low: float
    high: float
    probability: float
    pacing_probability: float


def build_series(seed: int, end: dt.date, years: int, folder: Path) -> list[Series]:
    """The daily series of one demo data set, through the engine."""
    from shakhes.data.demo import generate
    from shakhes.service.compute import Query, compute
    from shakhes.workspace import current_actor, init

    ws = init(folder / f"seed-{seed}", name=f"forecast bench {seed}", currency="USD")
    try:
        data = generate(seed, end=end, years=years)
        with ws.writing("loading of the demo data") as session:
            for name, rows in data.tables.items():
                session.warehouse.upsert(name, rows)
            session.store.bump_data_version(ws.id, current_actor(), {"demo_seed": seed})
        kpis = [*ADDITIVE, *RATIO]
        frame = compute(ws, Query(kpis=kpis, grain="day", by="channel")).frame
    finally:
        ws.close()
    out: list[Series] = []
    for (kpi, channel), rows in frame.groupby(["kpi", "channel"], sort=True):
        days = [d for d in rows["period_start"]]
        if kpi in ADDITIVE:
            values = rows["value"].fillna(0.0).to_numpy(dtype=float)
            if not np.any(values):
                continue
            history: DailySeries | RatioSeries = DailySeries.from_days(
                zip(days, values, strict=True), start=data.start
            )
            direction = ADDITIVE[str(kpi)]
        else:
            num = rows["numerator"].fillna(0.0).to_numpy(dtype=float)
            den = rows["denominator"].fillna(0.0).to_numpy(dtype=float)
            if np.mean(den > 0) < 0.9:  # the channel does not have this KPI (no clicks, no cost)
                continue
            history = RatioSeries.from_days(zip(days, num, den, strict=True), start=data.start)
            direction = RATIO[str(kpi)]
        out.append(Series(str(kpi), str(channel), seed, direction, history.through(data.end)))
    return out


def periods(year_start: dt.date) -> Iterator[tuple[str, dt.date, dt.date, tuple[int, ...]]]:
    """The 12 months and 4 quarters of the year from ``year_start``, with their cut-off days."""
    for m in range(12):
        first = _add_months(year_start, m)
        yield f"{first:%Y-%m}", first, _add_months(first, 1) - dt.timedelta(days=1), MONTH_CUTOFFS
    for q in range(4):
        first = _add_months(year_start, 3 * q)
        last = _add_months(first, 3) - dt.timedelta(days=1)
        yield f"{first:%Y}-Q{q + 1}", first, last, QUARTER_CUTOFFS


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    return dt.date(day.year + total // 12, total % 12 + 1, 1)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def planner_target(s: Series, first: dt.date, last: dt.date, spread: float) -> float | None:
    """Last year's value of the period × the trailing year-on-year growth × exp(ε)."""
    last_year = s.value(_year_before(first), _year_before(last))
    before = (first - dt.timedelta(days=TRAILING_DAYS), first - dt.timedelta(days=1))
    now = s.value(*before)
    then = s.value(_year_before(before[0]), _year_before(before[1]))
    if not all(math.isfinite(v) and v > 0 for v in (last_year, now, then)):
        return None
    return last_year * (now / then) * math.exp(spread * _normal(s, first, last))


def _normal(s: Series, first: dt.date, last: dt.date) -> float:
    """A standard normal draw fixed by the series and the period."""
    key = f"{s.seed}/{s.kpi}/{s.channel}/{first.isoformat()}/{last.isoformat()}".encode()
    seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")
    return float(np.random.default_rng(seed).normal())


def straight_line(s: Series, first: dt.date, last: dt.date, through: dt.date) -> float:
    """What a dashboard projects: the total so far × days in period ÷ days elapsed (a ratio:
    its value so far)."""
    so_far = s.value(first, through)
    if isinstance(s.history, RatioSeries):
        return so_far
    return so_far * ((last - first).days + 1) / ((through - first).days + 1)


def meets(value: float, target: float, direction: Direction) -> bool:
    if direction == Direction.HIGHER_IS_BETTER:
        return value >= target
    return value <= target


def run_series(s: Series, year_start: dt.date, spread: float) -> list[Case]:
    cases = []
    for name, first, last, cutoffs in periods(year_start):
        target = planner_target(s, first, last, spread)
        final = s.value(first, last)
        if target is None or not math.isfinite(final):
            continue
        for day in cutoffs:
            through = first + dt.timedelta(days=day - 1)
            projected = straight_line(s, first, last, through)
            if not math.isfinite(projected):
                continue
            t = track(s.history, (first, last), through, target, s.direction)
            assert t.forecast_low is not None and t.forecast_high is not None
            cases.append(
                Case(
                    kind=s.kind,
                    kpi=s.kpi,
                    period="quarter" if "Q" in name else "month",
                    cutoff=day,
                    final=final,
                    met=meets(final, target, s.direction),
                    low=t.forecast_low,
                    high=t.forecast_high,
                    probability=t.probability,
                    pacing_probability=1.0 if meets(projected, target, s.direction) else 0.0,
                )
            )
    return cases


@dataclass(frozen=True)
class Score:
    cases: int
    coverage: float
    below: float
    above: float
    met: float
    brier: float
    brier_pacing: float

    @property
    def improvement(self) -> float:
        return 1 - self.brier / self.brier_pacing if self.brier_pacing > 0 else math.nan


def score(cases: Sequence[Case]) -> Score:
    final = np.array([c.final for c in cases])
    low = np.array([c.low for c in cases])
    high = np.array([c.high for c in cases])
    met = np.array([c.met for c in cases], dtype=float)
    p = np.array([c.probability for c in cases])
    q = np.array([c.pacing_probability for c in cases])
    return Score(
        cases=len(cases),
        coverage=float(np.mean((final >= low) & (final <= high))),
        below=float(np.mean(final < low)),
        above=float(np.mean(final > high)),
        met=float(met.mean()),
        brier=float(np.mean((p - met) ** 2)),
        brier_pacing=float(np.mean((q - met) ** 2)),
    )


def reliability(cases: Sequence[Case], bins: int = 5) -> list[tuple[str, int, float, float]]:
    """Mean probability and share met per probability bin: calibration at a glance."""
    p = np.array([c.probability for c in cases])
    met = np.array([c.met for c in cases], dtype=float)
    rows = []
    edges = np.linspace(0, 1, bins + 1)
    for i in range(bins):
        inside = (p >= edges[i]) & ((p < edges[i + 1]) if i < bins - 1 else (p <= 1))
        if inside.any():
            mean_p, share = float(p[inside].mean()), float(met[inside].mean())
            rows.append((f"{edges[i]:.1f}–{edges[i + 1]:.1f}", int(inside.sum()), mean_p, share))
    return rows


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi) + 1)) if hi else [int(lo)]
    return out


@dataclass(frozen=True)
class Verdict:
    name: str
    measured: str
    bar: str
    ok: bool


def verdicts(cases: Sequence[Case]) -> list[Verdict]:
    """The bars of issue 8 §7: coverage per kind of KPI, Brier score against pacing."""
    out = []
    for kind in ("additive", "ratio"):
        part = [c for c in cases if c.kind == kind]
        if part:
            cov = score(part).coverage
            ok = COVERAGE_BAR[0] <= cov <= COVERAGE_BAR[1]
            out.append(Verdict(f"80 % interval coverage, {kind}", f"{cov:.1%}", "75–85 %", ok))
    better = score(cases).improvement
    out.append(
        Verdict(
            "Brier score vs straight-line pacing",
            f"{better:.0%} lower",
            "≥ 20 % lower",
            better >= BRIER_BAR,
        )
    )
    return out


def breakdown(cases: Sequence[Case]) -> list[tuple[str, Score]]:
    """Scores of all cases, per kind, per kind × period × cut-off day, and per KPI."""
    rows = [("all", score(cases))]
    for kind in ("additive", "ratio"):
        rows += [(kind, score([c for c in cases if c.kind == kind]))]
    for kind in ("additive", "ratio"):
        for period, cutoffs in (("month", MONTH_CUTOFFS), ("quarter", QUARTER_CUTOFFS)):
            for day in cutoffs:
                part = [c for c in cases if (c.kind, c.period, c.cutoff) == (kind, period, day)]
                if part:
                    rows.append((f"{kind}, {period} day {day}", score(part)))
    for kpi in sorted({c.kpi for c in cases}):
        rows.append((kpi, score([c for c in cases if c.kpi == kpi])))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-8", help="generator seeds, e.g. 1-8 or 3,5,9")
    parser.add_argument("--end", default="2025-12-31", help="last day of the generated data")
    parser.add_argument("--years", type=int, default=2, help="years of data (the last is tested)")
    parser.add_argument("--target-spread", type=float, default=0.15)
    parser.add_argument("--kpis", default=None, help="only these KPIs (comma-separated)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    end = dt.date.fromisoformat(args.end)
    year_start = _year_before(end + dt.timedelta(days=1))
    wanted = set(args.kpis.split(",")) if args.kpis else None
    t0 = time.perf_counter()
    cases: list[Case] = []
    n_series = {"additive": 0, "ratio": 0}
    with tempfile.TemporaryDirectory(prefix="shakhes-forecast-bench-") as tmp:
        for seed in _seeds(args.seeds):
            for s in build_series(seed, end, args.years, Path(tmp)):
                if wanted is None or s.kpi in wanted:
                    n_series[s.kind] += 1
                    cases += run_series(s, year_start, args.target_spread)
            print(f"seed {seed}: {len(cases)} cases, {time.perf_counter() - t0:.0f} s", flush=True)
    if not cases:
        print("no cases", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    rows, bars = breakdown(cases), verdicts(cases)
    print(
        f"\n{sum(n_series.values())} series ({n_series['additive']} additive, "
        f"{n_series['ratio']} ratio), {len(cases)} cases, {elapsed:.0f} s\n"
    )
    print(f"{'cases':<28}{'n':>6}{'cover':>7}{'below':>7}{'above':>7}{'met':>5}", end="")
    print(f"{'Brier':>7}{'pacing':>7}{'lower':>7}")
    for name, sc in rows:
        print(
            f"{name:<28}{sc.cases:>6}{sc.coverage:>7.1%}{sc.below:>7.1%}{sc.above:>7.1%}"
            f"{sc.met:>5.0%}{sc.brier:>7.3f}{sc.brier_pacing:>7.3f}{_pct(sc.improvement):>7}"
        )
    print("\nreliability: probability bin, cases, mean probability, share met")
    for label, n, mean_p, share in reliability(cases):
        print(f"  {label}  {n:>6}  {mean_p:.2f}  {share:.2f}")
    print()
    for v in bars:
        print(f"{v.name}: {v.measured} (bar {v.bar}): {'PASS' if v.ok else 'FAIL'}")
    if args.markdown:
        print_markdown(rows, bars, reliability(cases), n_series, len(cases), elapsed, args)
    return 0 if all(v.ok for v in bars) else 1


def _pct(x: float) -> str:
    """A share in whole percent; "–" when there is none (pacing made no mistake to beat)."""
    return f"{x:.0%}" if math.isfinite(x) else "–"


def print_markdown(
    rows: Sequence[tuple[str, Score]],
    bars: Sequence[Verdict],
    calibration: Sequence[tuple[str, int, float, float]],
    n_series: dict[str, int],
    n_cases: int,
    elapsed: float,
    args: argparse.Namespace,
) -> None:
    info = machine()
    print(
        f"\nSeeds {args.seeds}, {args.years} years of data to {args.end} (the last year "
        f"tested), target spread {args.target_spread}: {sum(n_series.values())} series "
        f"({n_series['additive']} additive, {n_series['ratio']} ratio), {n_cases} cases, "
        f"{elapsed:.0f} s on {info['cpu']}, Python {info['python']}.\n"
    )
    print("| bar | measured | needed | |\n|---|---|---|---|")
    for v in bars:
        print(f"| {v.name} | {v.measured} | {v.bar} | {'PASS' if v.ok else 'FAIL'} |")
    print("\n| cases | n | in 80 % interval | below | above | met | Brier | pacing | lower by |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, sc in rows:
        print(
            f"| {name} | {sc.cases} | {sc.coverage:.1%} | {sc.below:.1%} | {sc.above:.1%} | "
            f"{sc.met:.0%} | {sc.brier:.3f} | {sc.brier_pacing:.3f} | {_pct(sc.improvement)} |"
        )
    print("\n| probability | cases | mean probability | share met |\n|---|---|---|---|")
    for label, n, mean_p, share in calibration:
        print(f"| {label} | {n} | {mean_p:.2f} | {share:.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
