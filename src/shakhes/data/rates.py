"""Exchange rates: how the engine turns amounts in other currencies into the reporting one.

``shakhes rates load FILE`` takes a CSV with ``date, currency, rate`` — ``rate`` is how many
units of the workspace's reporting currency one unit of ``currency`` is worth on that date.
Rates may be given daily, monthly or whenever they change: each rate holds from its date until
the day before the next one of the same currency (the last one until today, or its own date if
later). They are stored one row per day and currency, so the engine joins them exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shakhes.data.warehouse import RATES_TABLE, Warehouse
from shakhes.errors import DataError


@dataclass(frozen=True)
class RatesLoaded:
    currencies: tuple[str, ...]
    days: int
    first: dt.date
    last: dt.date


def read_rates(path: Path, reporting: str) -> list[tuple[dt.date, str, float]]:
    """The rates of a CSV file, checked: every problem names its line."""
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"date": pa.string(), "currency": pa.string(), "rate": pa.string()}
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable CSV file: {exc}") from None
    missing = {"date", "currency", "rate"} - set(table.column_names)
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(sorted(missing))}",
            hint="A rates file has the columns date, currency, rate.",
        )
    out: list[tuple[dt.date, str, float]] = []
    problems: list[str] = []
    for i, (day, currency, rate) in enumerate(
        zip(
            table["date"].to_pylist(),
            table["currency"].to_pylist(),
            table["rate"].to_pylist(),
            strict=True,
        )
    ):
        line = i + 2
        try:
            when = dt.date.fromisoformat((day or "").strip())
        except ValueError:
            problems.append(f"line {line}: date '{day}' is not YYYY-MM-DD")
            continue
        code = (currency or "").strip().upper()
        if len(code) != 3 or not code.isalpha():
            problems.append(f"line {line}: currency '{currency}' is not a 3-letter code")
            continue
        if code == reporting:
            problems.append(f"line {line}: {code} is the reporting currency (its rate is 1)")
            continue
        try:
            value = float((rate or "").strip())
        except ValueError:
            problems.append(f"line {line}: rate '{rate}' is not a number")
            continue
        if not value > 0 or value == float("inf"):
            problems.append(f"line {line}: rate {rate} must be a positive number")
            continue
        out.append((when, code, value))
    if problems:
        raise DataError(
            f"{path}: {len(problems)} problem(s); nothing was loaded\n  "
            + "\n  ".join(problems[:20])
        )
    if not out:
        raise DataError(f"{path}: no rates in the file")
    return out


def load_rates(
    warehouse: Warehouse, path: Path, reporting: str, today: dt.date | None = None
) -> RatesLoaded:
    """Expand the file's rates to one per day and replace those days' rates, in one
    transaction."""
    rates = sorted(read_rates(path, reporting))
    today = today or dt.date.today()
    days: list[tuple[dt.date, str, float]] = []
    by_currency: dict[str, list[tuple[dt.date, float]]] = {}
    for day, code, value in rates:
        by_currency.setdefault(code, []).append((day, value))
    for code, points in by_currency.items():
        for (start, value), following in zip(points, [*points[1:], None], strict=True):
            end = following[0] - dt.timedelta(days=1) if following else max(start, today)
            day = start
            while day <= end:
                days.append((day, code, value))
                day += dt.timedelta(days=1)
    expanded = pa.table(
        {
            "date": pa.array([d for d, _, _ in days], pa.date32()),
            "currency": pa.array([c for _, c, _ in days], pa.string()),
            "rate": pa.array([r for _, _, r in days], pa.float64()),
        }
    )
    first, last = pc.min(expanded["date"]).as_py(), pc.max(expanded["date"]).as_py()
    with warehouse.transaction() as cur:
        for code in by_currency:
            cur.execute(
                warehouse.param(
                    f"DELETE FROM {RATES_TABLE} WHERE currency = ? AND date BETWEEN ? AND ?"
                ),
                [code, first, last],
            )
        cur.executemany(
            warehouse.param(f"INSERT INTO {RATES_TABLE} (date, currency, rate) VALUES (?, ?, ?)"),
            [list(row) for row in days],
        )
    return RatesLoaded(tuple(sorted(by_currency)), len(days), first, last)
