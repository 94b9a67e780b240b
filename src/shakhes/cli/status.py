"""``shakhes status``: where every target stands, as a tree goal → KPI → target, or JSON.

The numbers come from :mod:`shakhes.service.status`; the JSON is its report as is (every number
the tree shows, unrounded, and more). The tree shows per target the actual and expected to
date, the forecast with its 80 % interval, the probability of meeting the target and the run
rate still needed; per KPI a sparkline of its last twelve weeks; per goal the roll-up.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from shakhes.cli.compute import parse_date
from shakhes.cli.options import FormatOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT
from shakhes.report.words import STATUS_WORDS

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console
    from rich.tree import Tree

    from shakhes.analysis.tracking import Status
    from shakhes.service.status import KpiStatus, StatusReport, TargetStatus
    from shakhes.settings import WorkspaceSettings
    from shakhes.spec.kpi import KpiSpec


COLOURS = {
    "achieved": "bold green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "missed": "bold red",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Status on {day}",
        "data": "the last day with data; --on DATE for another day",
        "today": "today: there is no data yet",
        "given": "",
        "through": "Each target counts its KPI's days through the last day with data for the "
        "KPI's tables (or the day asked, if earlier); the rest of the period is forecast.",
        **STATUS_WORDS["en"],
        "strategic": "strategic",
        "operational": "operational",
        "functional": "functional",
        "drives": "drives {kpis}",
        "no_target": "no target applies on this day",
        "day_of": "day {elapsed} of {days}",
        "over": "period over",
        "data_through": "data through {day}",
        "actual": "actual",
        "expected": "expected by now",
        "forecast": "forecast",
        "interval": "80%",
        "probability": "probability",
        "needs_day": "needs {rate} a day (forecast {forecast})",
        "needs_rest": "the rest needs {rate} (forecast {forecast})",
        "impossible": "no longer possible",
        "pacing": "pacing {pacing}",
        "linear": "linear",
        "day_of_week": "by weekday",
        "seasonal": "by weekday and time of year",
        "not_tracked": "not tracked: {reason}",
        "missing": "{count} row(s) lacked a value: left out, not counted as 0",
        "without_goal": "Targets without a goal",
        "none": "No targets apply on {day}.",
        "none_goal": "No target of goal {goal} applies on {day}.",
        "none_hint": "Set one with `shakhes target set KPI --period PERIOD --value N`, or choose "
        "another day with --on.",
        "thresholds": "on track: probability of meeting the target ≥ {on}; at risk: ≥ {risk}; "
        "off track: below. A goal's status is the worst of its targets'.",
    },
    "fa": {
        "title": "وضعیت در {day}",
        "data": "آخرین روز دارای داده؛ برای روزی دیگر ‎--on‎",
        "today": "امروز: هنوز داده‌ای نیست",
        "given": "",
        "through": "هر هدف عددی روزهای شاخص خود را تا آخرین روزی که جدول‌های آن داده دارند "
        "(یا روز خواسته‌شده، اگر زودتر باشد) می‌شمارد؛ باقی دوره پیش‌بینی می‌شود.",
        **STATUS_WORDS["fa"],
        "strategic": "راهبردی",
        "operational": "عملیاتی",
        "functional": "کارکردی",
        "drives": "پیش‌برنده {kpis}",
        "no_target": "هدف عددی‌ای در این روز فعال نیست",
        "day_of": "روز {elapsed} از {days}",
        "over": "دوره تمام شده",
        "data_through": "داده تا {day}",
        "actual": "تا کنون",
        "expected": "مورد انتظار تا کنون",
        "forecast": "پیش‌بینی",
        "interval": "۸۰٪",
        "probability": "احتمال",
        "needs_day": "لازم: {rate} در روز (پیش‌بینی {forecast})",
        "needs_rest": "لازم برای باقی دوره: {rate} (پیش‌بینی {forecast})",
        "impossible": "دیگر ممکن نیست",
        "pacing": "الگوی {pacing}",
        "linear": "خطی",
        "day_of_week": "روزهای هفته",
        "seasonal": "روزهای هفته و فصل",
        "not_tracked": "پیگیری نشد: {reason}",
        "missing": "{count} ردیف مقداری نداشت: کنار گذاشته شد، صفر شمرده نشد",
        "without_goal": "هدف‌های عددی بدون هدف کلان",
        "none": "در {day} هیچ هدف عددی‌ای فعال نیست.",
        "none_goal": "در {day} هیچ هدف عددی‌ای از هدف {goal} فعال نیست.",
        "none_hint": "با `shakhes target set KPI --period PERIOD --value N` یکی تعریف کنید، یا "
        "با ‎--on‎ روز دیگری را ببینید.",
        "thresholds": "در مسیر: احتمال رسیدن به هدف ≥ {on}؛ در خطر: ≥ {risk}؛ خارج از مسیر: "
        "کمتر. وضعیت هر هدف کلان بدترین وضعیت هدف‌های عددی آن است.",
    },
}


def status(
    goal: Annotated[str | None, typer.Option("--goal", help="Only this goal's targets.")] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day to take status on (YYYY-MM-DD; default: the last day with data).",
        ),
    ] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Where every target stands: actual and expected to date, the forecast at period end
    with its 80% interval, the probability of meeting the target, the run rate still needed,
    and a status (achieved, on track, at risk, off track, missed), rolled up goal → KPI →
    target."""
    from shakhes.service import status as service

    day = parse_date(on, "--on")
    ws = open_workspace(workspace, wait)
    try:
        report = service.status(ws, goal=goal, on=day)
        settings = ws.settings
    finally:
        ws.close()
    if format_ == "json":
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    from shakhes.cli.console import out, wide

    print_status(report, settings, wide(out), goal=goal)


def print_status(
    report: StatusReport, settings: WorkspaceSettings, console: Console, *, goal: str | None = None
) -> None:
    """The report as a tree (or, without any target, a sentence saying so)."""
    from rich.markup import escape
    from rich.tree import Tree

    view = _View(settings, report.on)
    words = view.words
    day = view.day(report.on)
    if not report.targets:
        text = words["none_goal"] if goal else words["none"]
        console.print(escape(text.format(day=day, goal=goal)), highlight=False)
        console.print(escape(words["none_hint"]), highlight=False)
        return
    why = words[report.on_source]
    console.print(
        f"[bold]{escape(words['title'].format(day=day))}[/]" + (f" ({escape(why)})" if why else ""),
        highlight=False,
    )
    console.print(f"[dim]{escape(words['through'])}[/]", highlight=False)
    for goal_status in report.goals:
        g = goal_status.goal
        counts = ("، " if settings.locale == "fa" else ", ").join(
            f"{view.number(n)} {words[s]}" for s, n in goal_status.counts().items() if n
        )
        label = f"[bold]{escape(g.id)}[/]  {escape(g.title.text(settings.locale))}  "
        label += view.badge(goal_status.status)
        if counts:
            label += f"  [dim]({escape(counts)})[/]"
        tree = Tree(label, guide_style="dim")
        for kpi in goal_status.kpis:
            view.add_kpi(tree, kpi)
        console.print(tree, highlight=False)
    if report.without_goal:
        tree = Tree(f"[bold]{escape(words['without_goal'])}[/]", guide_style="dim")
        for kpi in report.without_goal:
            view.add_kpi(tree, kpi)
        console.print(tree, highlight=False)
    thresholds = report.thresholds
    console.print(
        "[dim]"
        + escape(
            words["thresholds"].format(
                on=view.percent(thresholds.on_track), risk=view.percent(thresholds.at_risk)
            )
        )
        + "[/]",
        highlight=False,
    )


class _View:
    """How the numbers, dates and words of one workspace are written."""

    def __init__(self, settings: WorkspaceSettings, on: dt.date) -> None:
        self.on = on
        """The report's day: a target's data through is shown only when it is another."""
        self.locale = settings.locale
        self.calendar = settings.calendar.value
        self.currency = settings.currency
        self.words = WORDS["fa" if self.locale == "fa" else "en"]

    def day(self, day: dt.date) -> str:
        """A day in the workspace's calendar and locale."""
        from shakhes.display import format_day

        return format_day(day, self.locale, self.calendar)

    def number(self, value: float) -> str:
        from shakhes.display import format_number

        return format_number(value, 0, self.locale, significant=1)

    def percent(self, share: float) -> str:
        from shakhes.display import percent_sign

        return self.number(round(share * 100)) + percent_sign(self.locale)

    def value(self, value: float | None, spec: KpiSpec) -> str:
        from shakhes.display import format_value

        return format_value(value, spec, currency=self.currency, locale=self.locale)

    def badge(self, status: Status | None) -> str:
        from rich.markup import escape

        if status is None:
            return f"[dim]{escape(self.words['no_status'])}[/]"
        return f"[{COLOURS[status.value]}]● {escape(self.words[status.value])}[/]"

    def add_kpi(self, tree: Tree, kpi: KpiStatus) -> None:
        from rich.markup import escape

        from shakhes.cli.sparkline import sparkline

        words = self.words
        name = getattr(kpi.spec.name, self.locale, "") if kpi.spec is not None else ""
        label = f"[bold]{escape(kpi.kpi)}[/]" + (f" ({escape(name)})" if name else "")
        label += f"  [dim]{escape(words[kpi.kind.value])}"
        if kpi.drives:
            label += " · " + escape(words["drives"].format(kpis=", ".join(kpi.drives)))
        label += "[/]"
        scopes = {t.spec.scope for t in kpi.targets}
        shared = len(scopes) == 1 and kpi.targets
        if shared:  # one trend for the KPI; else each target shows its own scope's
            label += "  " + sparkline([p.value for p in kpi.targets[0].trend])
        if kpi.targets:
            label += "  " + self.badge(kpi.status)
        node = tree.add(label)
        if not kpi.targets:
            node.add(f"[dim]{escape(words['no_target'])}[/]")
        for target in kpi.targets:
            node.add(self.target(target, trend=not shared))

    def target(self, t: TargetStatus, *, trend: bool) -> str:
        """A target's lines: what and when, then the numbers to date and at period end."""
        from rich.markup import escape

        from shakhes.cli.sparkline import sparkline

        words, spec, kpi = self.words, t.spec, t.kpi
        instance = t.instance
        period = instance.label_fa if self.locale == "fa" else instance.label
        head = [f"[bold]{escape(spec.id)}[/]"]
        if spec.scope:
            head.append(escape(f"[{spec.scope}]"))
        head.append(escape(self._goal_text(t)))
        head.append(escape(period))
        tracking = t.tracking
        if tracking is not None:
            clock = (
                words["day_of"].format(
                    elapsed=self.number(tracking.days_elapsed),
                    days=self.number(tracking.days_in_period),
                )
                if tracking.days_remaining
                else words["over"]
            )
            head.append(escape(clock))
        if trend and t.trend:
            head.append(sparkline([p.value for p in t.trend]))
        head.append(self.badge(t.status))
        lines = ["  ".join(head)]
        if tracking is None:
            reason = t.problem.message if t.problem is not None else ""
            line = words["not_tracked"].format(reason=reason)
            if t.actual is not None:
                line = f"{words['actual']} {self.value(t.actual, kpi)} · {line}"
            lines.append(f"[dim]{escape(line)}[/]")
            return "\n".join(lines)
        numbers = [f"{words['actual']} {self.value(tracking.actual, kpi)}"]
        if tracking.days_remaining:  # over, the period has its final value and nothing to pace
            numbers.append(f"{words['expected']} {self.value(tracking.expected, kpi)}")
            numbers.append(
                f"{words['forecast']} {self.value(tracking.forecast, kpi)} "
                f"({words['interval']}: {self.value(tracking.forecast_low, kpi)} – "
                f"{self.value(tracking.forecast_high, kpi)})"
            )
        lines.append(escape(" · ".join(numbers)))
        more = []
        if tracking.days_remaining:
            more.append(f"{words['probability']} {self.percent(tracking.probability)}")
            needs = self._needs(t)
            if needs:
                more.append(needs)
        if t.data_through is not None and t.data_through != self.on:
            more.append(words["data_through"].format(day=self.day(t.data_through)))
        if tracking.days_remaining:
            more.append(words["pacing"].format(pacing=words[tracking.pacing.value]))
        if t.missing:
            more.append(words["missing"].format(count=self.number(t.missing)))
        if more:
            lines.append(f"[dim]{escape(' · '.join(more))}[/]")
        return "\n".join(lines)

    def _goal_text(self, t: TargetStatus) -> str:
        """``≥ 5,000 USD``, ``≤ 20 USD``, ``2% – 3%``: the target in the KPI's direction."""
        from shakhes.spec.kpi import Direction

        spec = t.spec
        if spec.band is not None:
            return f"{self.value(spec.band[0], t.kpi)} – {self.value(spec.band[1], t.kpi)}"
        lower = t.kpi.direction is Direction.LOWER_IS_BETTER
        return f"{'≤' if lower else '≥'} {self.value(spec.value, t.kpi)}"

    def _needs(self, t: TargetStatus) -> str:
        """The run rate still needed beside the forecast's own, while it can still change
        the outcome (not for a target already achieved or missed)."""
        from shakhes.analysis.tracking import Status

        tracking = t.tracking
        if tracking is None or tracking.status in (Status.ACHIEVED, Status.MISSED):
            return ""
        low, high = tracking.run_rate_needed_min, tracking.run_rate_needed_max
        if high is not None and high < 0:
            return self.words["impossible"]
        if low is not None and high is not None:
            rate = f"{self.value(low, t.kpi)} – {self.value(high, t.kpi)}"
        elif low is not None:
            rate = f"≥ {self.value(low, t.kpi)}"
        elif high is not None:
            rate = f"≤ {self.value(high, t.kpi)}"
        else:
            return ""
        template = "needs_rest" if tracking.kind == "ratio" else "needs_day"
        return self.words[template].format(rate=rate, forecast=self.value(tracking.run_rate, t.kpi))
