"""``shakhes check``: the SMART check of KPIs and their targets.

The command parses its arguments, calls :func:`shakhes.service.smart.check` and prints a table
(one row per target, or per goal KPI without one, with a coloured ✓ / ! / ✗ for each letter)
followed by each row's reasons and suggestions; ``--format json`` prints the service's records,
whose words are the table's, numbers formatted the same way (:mod:`shakhes.display`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.cli.goals import _print_json
from shakhes.cli.options import FormatOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt
from shakhes.data import DEFAULT_WAIT

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from shakhes.analysis.smart import Letter
    from shakhes.service.smart import SmartReport, SmartRow
    from shakhes.workspace import Workspace

OnOpt = Annotated[
    str | None,
    typer.Option(
        "--on",
        help="The day of the check: which period of each target is checked (default: the last "
        "day with data, never after today).",
    ),
]

MARKS = {"pass": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red")}
"""How a letter's status shows in the table."""

WORDS = {
    "en": {
        "kpi": "KPI",
        "target": "target",
        "period": "period",
        "none": "no target",
        "nothing": "No KPI has a target or a goal yet: `shakhes target set` sets a target, "
        "`shakhes goal add` adds a goal.",
        "on": "SMART check on {day}",
    },
    "fa": {
        "kpi": "شاخص",
        "target": "هدف‌گذاری",
        "period": "دوره",
        "none": "بدون هدف‌گذاری",
        "nothing": "هنوز هیچ شاخصی هدف‌گذاری یا هدفی ندارد: `shakhes target set` هدف‌گذاری "
        "می‌کند و `shakhes goal add` هدفی می‌افزاید.",
        "on": "بررسی SMART در {day}",
    },
}


def check(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="KPI or goal ids (default: every KPI that has a target or a goal).",
            metavar="KPI|GOAL",
            show_default=False,
        ),
    ] = None,
    on: OnOpt = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """SMART check: is each KPI and its target Specific, Measurable, Achievable, Relevant and
    Time-bound? Pass (✓), warn (!) or fail (✗) per letter, with the reasons and suggestions."""
    from shakhes.cli.compute import parse_date
    from shakhes.cli.console import out, wide
    from shakhes.cli.waiting import open_workspace
    from shakhes.service import smart

    day = parse_date(on, "--on")
    ws = open_workspace(workspace, wait)
    try:
        report = smart.check(ws, names or (), on=day)
        locale = ws.settings.locale
        currency = ws.settings.currency
        calendar = ws.settings.calendar.value
        if format_ == "json":
            _print_json(
                smart.report_json(report, locale=locale, currency=currency, calendar=calendar)
            )
            return
        print_report(report, ws, wide(out))
    finally:
        ws.close()


def print_report(report: SmartReport, ws: Workspace, console: Console) -> None:
    """The table of letters, then each row's reasons and suggestions."""
    from rich.table import Table
    from rich.text import Text

    locale = ws.settings.locale
    words = WORDS.get(locale, WORDS["en"])
    if not report.rows:
        console.print(words["nothing"], markup=False, highlight=False)
        return
    from shakhes.service.smart import DisplayNumbers

    day = DisplayNumbers(
        report.rows[0].subject.kpi, ws.settings.currency, locale, ws.settings.calendar.value
    ).date(report.on)
    table = Table(title=words["on"].format(day=day), box=None, pad_edge=False)
    for header in (words["kpi"], words["target"], words["period"]):
        table.add_column(header)
    for letter in ("S", "M", "A", "R", "T"):
        table.add_column(letter, justify="center")
    for row in report.rows:
        table.add_row(
            Text(row.subject.kpi.id),
            Text(_target_text(row, ws)),
            Text(_period_text(row, locale)),
            *(_mark(letter) for letter in row.result.letters),
        )
    console.print(table)
    for row in report.rows:
        _print_reasons(row, ws, console)


def _mark(letter: Letter) -> Text:
    from rich.text import Text

    symbol, colour = MARKS[letter.status.value]
    return Text(symbol, style=f"bold {colour}")


def _target_text(row: SmartRow, ws: Workspace) -> str:
    from shakhes.cli.goals import _value_text

    target = row.subject.target
    if target is None:
        words = WORDS.get(ws.settings.locale, WORDS["en"])
        goal = row.subject.goal
        return words["none"] + (f" ({goal.id})" if goal is not None else "")
    text = _value_text(target, row.subject.kpi, ws.settings.currency, ws.settings.locale)
    scope = f" [{target.scope}]" if target.scope else ""
    return f"{target.id}: {text}{scope}"


def _period_text(row: SmartRow, locale: str) -> str:
    period = row.facts.period
    if period is None:
        return "—"
    return (period.label_fa or period.label) if locale == "fa" else period.label


def _print_reasons(row: SmartRow, ws: Workspace, console: Console) -> None:
    from rich.text import Text

    from shakhes.analysis.smart_words import render

    locale = ws.settings.locale
    from shakhes.service.smart import DisplayNumbers

    numbers = DisplayNumbers(
        row.subject.kpi, ws.settings.currency, locale, ws.settings.calendar.value
    )
    target = row.subject.target
    console.print()
    console.print(
        Text(row.subject.kpi.id + (f" · {target.id}" if target else ""), style="bold"),
    )
    for letter in row.result.letters:
        for index, reason in enumerate(letter.reasons):
            mark, style = MARKS[reason.status.value]
            line = Text("  ")
            line.append(letter.letter if index == 0 else " ", style="bold")
            line.append(" ")
            line.append(mark, style=f"bold {style}")
            line.append(" " + render(reason.code, reason.params, locale, numbers))
            console.print(line)
        for suggestion in letter.suggestions:
            text = render(suggestion.code, suggestion.params, locale, numbers)
            console.print(Text(f"      → {text}"))
