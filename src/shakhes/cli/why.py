"""``shakhes explain``: why a KPI moved between two periods, split by a dimension."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.cli.compute import DIMENSIONS, parse_date
from shakhes.cli.options import FormatOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from rich.console import Console

    from shakhes.service.why import Movement, Span


HINTS: dict[str, str] = {
    "unknown_comparison": "Use --against previous or --against last-year.",
    "non_additive": "Explain one day (--period YYYY-MM-DD), or write approx_sum({table}.{column}) "
    "in the formula to ask for the sum explicitly as an upper-bound approximation.",
    "date_breakdown": "Split by a dimension (--by channel, campaign, …); choose the days with "
    "--period, or --from and --to.",
    "mixed_currencies": "Filter one currency with --where \"currency = '{example}'\", or load "
    "exchange rates with `shakhes rates load FILE`.",
    "no_data_in_period": "Choose a --period inside the data.",
    "nothing_to_compare": "Choose a later --period, or compare with --against {other}.",
    "no_value": "Choose another --period, or compare with --against {other}.",
}
"""This command's words for core errors whose hint elsewhere names options it does not have
(``compute``'s ``--compare`` and ``--grain``) or that it words its own way; the others keep the
CLI's hints (:mod:`shakhes.cli.hints`)."""

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "part": "part",
        "effect": "effect",
        "share": "share of the change",
        "before": "before",
        "after": "after",
        "weight": "share of {weight}",
        "partial": "{label} is a partial period: the data covers {start} – {end} of it",
        "uneven": "{label} lacks data on some of the days compared: not like for like",
        "missing": "{count} row(s) in {label} had no value the KPI reads — left out, not 0",
    },
    "fa": {
        "part": "بخش",
        "effect": "اثر",
        "share": "سهم از تغییر",
        "before": "پیش",
        "after": "پس",
        "weight": "سهم از {weight}",
        "partial": "{label} دوره ناقص است: داده‌ها {start} تا {end} آن را در بر می‌گیرند",
        "uneven": "{label} در برخی از روزهای مقایسه داده ندارد: مقایسه هم‌سنگ نیست",
        "missing": "{count} ردیف در {label} مقداری برای این شاخص نداشت — حساب نشده، نه صفر",
    },
}


def explain(
    kpi: Annotated[str, typer.Argument(help="The KPI id: roas, ctr, cost…")],
    by: Annotated[
        str,
        typer.Option(help=f"The dimension(s) to split the change by: {', '.join(DIMENSIONS)}."),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            help="The period: 2025-11, 2025-Q3, 2025, FY2025/26, FY2025/26-Q1, W 2025-11-03, "
            "2025-11-05, 2025-01-01..2025-01-31, or Jalali 1404-08, 1404-Q2, 1404 (default: "
            "the last complete month, or Jalali month in a Jalali workspace)."
        ),
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Or a range: its first day (YYYY-MM-DD).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="The range's last day.")] = None,
    against: Annotated[
        str, typer.Option(help="previous (the period before) or last-year.")
    ] = "previous",
    where: Annotated[str | None, typer.Option(help="Filter: \"channel = 'search'\".")] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Why a KPI moved: its change from the period before (or last year) split by a dimension.
    A sum splits into each segment's change; a ratio into mix (its denominator moving between
    segments) and each segment's own rate. The parts add up to the change."""
    from shakhes.cli.console import out
    from shakhes.service import why as service

    query = service.ExplainQuery(
        kpi,
        by,
        period,
        parse_date(from_, "--from"),
        parse_date(to, "--to"),
        against,
        where,
    )
    ws = open_workspace(workspace, wait)
    try:
        movement = service.explain(ws, query)
        locale = ws.settings.locale
        calendar = ws.settings.calendar.value
    except ShakhesError as exc:
        raise _worded(exc, against) from None
    finally:
        ws.close()
    if format_ == "json":
        record = service.record(movement, locale)
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    else:
        to_table(movement, locale, out, calendar)


def _worded(exc: ShakhesError, against: str) -> ShakhesError:
    """``exc`` with this command's hint (see :data:`HINTS`), or as it is."""
    template = HINTS.get(exc.code)
    if template is None:
        return exc
    other = "previous" if against in ("last-year", "last_year") else "last-year"
    try:
        hint = template.format(**exc.params, other=other)
    except (KeyError, IndexError):
        return exc
    return ShakhesError(exc.message, hint=hint, code=f"explain_{exc.code}", params=exc.params)


def to_table(
    movement: Movement, locale: str, console: Console, calendar: str = "gregorian"
) -> None:
    """The summary sentence, the parts ranked (segment, kind, effect, share of the change) and
    each segment's values in the two periods; footnotes for partial periods."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from shakhes.cli.console import wide
    from shakhes.cli.output import DIMENSIONS_FA
    from shakhes.display import DASH, format_number, percent_sign
    from shakhes.service import why_words
    from shakhes.service.why import Shape

    console = wide(console)
    words = WORDS["fa" if locale == "fa" else "en"]
    kinds = why_words.KINDS["fa" if locale == "fa" else "en"]
    m, d = movement, movement.decomposition
    fa = locale == "fa"
    console.print(Text(why_words.summary(m, locale)))
    console.print()
    segment = " / ".join(DIMENSIONS_FA.get(b, b) if fa else b for b in m.by)

    def share(x: float | None) -> str:
        if x is None:
            return DASH
        return why_words.minus(format_number(x * 100, 1, locale, significant=2)) + percent_sign(
            locale
        )

    def table() -> Table:
        return Table(
            box=box.SIMPLE_HEAD if console.is_terminal else None,
            show_edge=console.is_terminal,
            pad_edge=False,
        )

    parts = table()
    for header, justify in (
        ("#", "right"),
        (segment, "left"),
        (words["part"], "left"),
        (words["effect"], "right"),
        (words["share"], "right"),
    ):
        parts.add_column(Text(header), justify=justify)  # type: ignore[arg-type]
    for i, p in enumerate(d.parts, 1):
        effect = why_words.delta(m, p.value, locale)
        good = (p.value > 0) == (m.spec.direction.value == "higher_is_better")
        parts.add_row(
            Text(format_number(i, 0, locale)),
            Text(why_words.segment_name(p.segment)),
            Text(kinds[p.kind]),
            Text(effect, style=("green" if good else "red") if console.is_terminal else ""),
            Text(share(p.share)),
        )
    if d.parts:
        console.print(parts)
        console.print()

    segments = table()
    weight = why_words.short_name(m.weight, locale) if m.weight else words["weight"]
    headers = [
        (segment, "left"),
        (f"{words['before']} ({_label(m.compared_with, fa)})", "right"),
        (f"{words['after']} ({_label(m.period, fa)})", "right"),
    ]
    if m.shape is Shape.RATIO:
        w = words["weight"].format(weight=weight if fa or weight.isupper() else weight.lower())
        headers += [(f"{w} ({words['before']})", "right"), (f"{w} ({words['after']})", "right")]
    headers.append((words["effect"], "right"))
    for header, justify in headers:
        segments.add_column(Text(header), justify=justify)  # type: ignore[arg-type]
    for s in d.segments:
        cells = [
            why_words.segment_name(s.segment),
            why_words.value(m, s.before, locale),
            why_words.value(m, s.after, locale),
        ]
        if m.shape is Shape.RATIO:
            cells += [share(s.weight_before), share(s.weight_after)]
        cells.append(why_words.delta(m, s.effect, locale) if s.effect else DASH)
        segments.add_row(*(Text(c) for c in cells))
    console.print(segments)
    for line in _footnotes(m, words, locale, calendar):
        console.print(Text(line))


def _label(span: Span, fa: bool) -> str:
    return span.label_fa if fa else span.label


def _footnotes(m: Movement, words: dict[str, str], locale: str, calendar: str) -> list[str]:
    from shakhes.display import format_day
    from shakhes.text import to_persian_digits

    fa = locale == "fa"

    def day(d: dt.date) -> str:
        return format_day(d, locale, calendar)

    lines = []
    if not m.period.complete:
        lines.append(
            words["partial"].format(
                label=_label(m.period, fa), start=day(m.period.start), end=day(m.period.end)
            )
        )
    if not m.compared_with.complete:
        lines.append(words["uneven"].format(label=_label(m.compared_with, fa)))
    for span in (m.compared_with, m.period):
        if span.missing:
            count = to_persian_digits(str(span.missing)) if fa else str(span.missing)
            lines.append(words["missing"].format(count=count, label=_label(span, fa)))
    return lines
