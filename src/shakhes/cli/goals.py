"""``shakhes goal add|list|show|remove`` and ``shakhes target set|list|show|remove``.

Each command parses its options, calls :mod:`shakhes.service.goals` and prints a table, or with
``--format json`` the service's records (every number the table shows, and more).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shakhes.cli.compute import parse_date
from shakhes.cli.options import FormatOpt, WorkspaceOpt
from shakhes.cli.waiting import WaitOpt, open_workspace
from shakhes.data import DEFAULT_WAIT
from shakhes.errors import ShakhesError

if TYPE_CHECKING:
    from rich.console import Console

    from shakhes.service.goals import GoalTree, TargetView
    from shakhes.spec.goals import TargetSpec
    from shakhes.spec.kpi import KpiSpec
    from shakhes.workspace import Workspace

goal_app = typer.Typer(
    help="Goals: strategic objectives and the KPIs that measure them.", no_args_is_help=True
)
target_app = typer.Typer(
    help="Targets: the number each KPI should reach, by period and scope.", no_args_is_help=True
)

OnOpt = Annotated[
    str | None,
    typer.Option("--on", help="The day whose period instance to show (default: today)."),
]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _number(text: str | None, option: str) -> float | None:
    """A number as typed: ``1200``, ``5e9``, ``1,200,000``, ``2.5%`` (a fraction: 0.025),
    Persian digits too."""
    if text is None:
        return None
    from shakhes.text import to_ascii_digits

    clean = to_ascii_digits(text, separators=True).strip().replace(",", "").replace("_", "")
    scale = 1.0
    if clean.endswith("%"):
        clean, scale = clean[:-1].strip(), 0.01
    try:
        number = float(clean) * scale
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise ShakhesError(
            f"{option} '{text}' is not a number",
            code="bad_number",
            hint="Write a number such as 1200, 5e9 or 2.5% (a percent KPI's 2.5% is 0.025).",
        )
    return number


def _pairs(items: list[str], option: str) -> list[tuple[str, str | None]]:
    """``KPI`` or ``KPI:VALUE`` items of a repeated option."""
    pairs: list[tuple[str, str | None]] = []
    for item in items:
        name, sep, rest = item.partition(":")
        if not name.strip() or (sep and not rest.strip()):
            raise ShakhesError(
                f"{option} '{item}' is not KPI or KPI:VALUE",
                code="bad_option",
                hint=f"e.g. {option} revenue:strategic",
            )
        pairs.append((name.strip(), rest.strip() or None))
    return pairs


# -- formatting ----------------------------------------------------------------------------------


def _value_text(spec: TargetSpec, kpi: KpiSpec | None, currency: str, locale: str) -> str:
    """``≥ 5,000 USD``, ``≤ 20``, ``2% – 3%``: the target as a reader sees it."""
    from shakhes.display import format_plain, format_value
    from shakhes.spec.kpi import Direction

    def show(number: float) -> str:
        if kpi is None:
            return format_plain(number, locale)
        return format_value(number, kpi, currency=currency, locale=locale)

    if spec.min is not None and spec.max is not None:
        return f"{show(spec.min)} – {show(spec.max)}"
    assert spec.value is not None
    lower = kpi is not None and kpi.direction is Direction.LOWER_IS_BETTER
    return f"{'≤' if lower else '≥'} {show(spec.value)}"


def _field_text(field: str, value: Any, kpi: KpiSpec | None, ws: Workspace) -> str:
    """A changed field's value: a target's numbers in the KPI's unit, the rest as JSON."""
    if field in ("value", "min", "max") and isinstance(value, int | float) and kpi is not None:
        from shakhes.display import format_value

        return format_value(value, kpi, currency=ws.settings.currency, locale=ws.settings.locale)
    return json.dumps(value, ensure_ascii=False)


def _instance_text(view: TargetView, locale: str, calendar: str = "gregorian") -> str:
    from shakhes.display import format_day

    if view.instance is None:
        return "—"
    label = view.instance.label_fa if locale == "fa" else view.instance.label
    if not view.spec.period.recurring:
        return label  # the range itself
    start, end = (format_day(d, locale, calendar) for d in (view.instance.start, view.instance.end))
    return f"{label} ({start} – {end})"


def _targets_table(views: list[TargetView], ws: Workspace, *, kpi_column: bool = True) -> Any:
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.tables import keep_whole

    locale = ws.settings.locale
    columns = ["id", *(["KPI"] if kpi_column else []), "scope", "period", "target", "now"]
    table = Table(*columns, "owner", "goal", "note", box=None)
    for view in views:
        spec = view.spec
        table.add_row(
            spec.id,
            *([spec.kpi] if kpi_column else []),
            escape(spec.scope) or "all",
            spec.period.describe(),
            _value_text(spec, view.kpi, ws.settings.currency, locale),
            _instance_text(view, locale, ws.settings.calendar.value),
            escape(spec.owner),
            spec.goal or "",
            escape(spec.note),
        )
    return keep_whole(table, "id", words=("target",))


def _print_goal(tree: GoalTree, ws: Workspace, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    goal = tree.goal
    locale = ws.settings.locale
    other = "en" if locale == "fa" else "fa"
    console.print(f"[bold]{escape(goal.id)}[/]: {escape(goal.title.text(locale))}")
    if getattr(goal.title, other) and getattr(goal.title, other) != goal.title.text(locale):
        console.print(f"  {escape(getattr(goal.title, other))}")
    description = goal.description.text(locale)
    if description:
        console.print(escape(description))
    console.print(f"owner: {escape(goal.owner) or '—'}   period: {goal.period.describe()}")
    if not tree.kpis:
        console.print("No KPIs yet.")
        return
    table = Table("KPI", "kind", "timing", "drives", "target", "period", "value", "now", box=None)
    for node in tree.kpis:
        name = getattr(node.kpi.name, locale) if node.kpi is not None else ""
        label = node.link.kpi + (f" ({escape(name)})" if name else "")
        first = [
            label,
            node.link.kind.value,
            node.kpi.timing.value if node.kpi else "?",
            ", ".join(node.link.drives),
        ]
        if not node.targets:
            table.add_row(*first, "—", "", "", "")
        for index, view in enumerate(node.targets):
            table.add_row(
                *(first if index == 0 else [""] * 4),
                view.spec.id + (f" [{escape(view.spec.scope)}]" if view.spec.scope else ""),
                view.spec.period.describe(),
                _value_text(view.spec, view.kpi, ws.settings.currency, locale),
                _instance_text(view, locale, ws.settings.calendar.value),
            )
    console.print(table)


# -- goal -----------------------------------------------------------------------------------------


@goal_app.command("add")
def goal_add(
    goal_id: Annotated[str, typer.Argument(help="Goal id, e.g. online_revenue_1404.")],
    title: Annotated[str, typer.Option(help="Title in English.")] = "",
    title_fa: Annotated[str, typer.Option("--title-fa", help="Title in Persian.")] = "",
    description: Annotated[str, typer.Option(help="Description in English.")] = "",
    description_fa: Annotated[
        str, typer.Option("--description-fa", help="Description in Persian.")
    ] = "",
    owner: Annotated[str, typer.Option(help="Who owns the goal.")] = "",
    period: Annotated[
        str,
        typer.Option(
            help="2025-03-21..2026-03-20, or a year, quarter or month: 2025, 2025-Q2, 2025-04 "
            "(1404, 1404-Q1, 1404-01 in the Jalali calendar; FY2025 fiscal).",
        ),
    ] = "",
    calendar: Annotated[
        str | None,
        typer.Option(
            help="gregorian, jalali or fiscal: how --period is read "
            "(default: the workspace's calendar)."
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            help="A KPI that measures the goal, KPI or KPI:KIND "
            "(strategic, operational, functional; default: the KPI's own). Repeatable.",
        ),
    ] = None,
    drives: Annotated[
        list[str] | None,
        typer.Option(
            "--drives",
            help="LEADING:LAGGING[,LAGGING…]: a leading KPI and the "
            "lagging KPIs it is meant to drive. Repeatable.",
        ),
    ] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a goal: a titled objective (English and/or Persian) over a period, with its KPIs."""
    if not period:
        raise ShakhesError(
            "a goal needs its period",
            code="missing_period",
            hint="Pass --period, e.g. --period 1404 --calendar jalali or --period 2025.",
        )
    links = _pairs(kpi or [], "--kpi")
    driven: dict[str, list[str]] = {}
    for leading, lagging in _pairs(drives or [], "--drives"):
        if lagging is None:
            raise ShakhesError(
                f"--drives '{leading}' names no lagging KPI",
                code="bad_option",
                hint="e.g. --drives ctr:revenue,orders",
            )
        driven.setdefault(leading, []).extend(p.strip() for p in lagging.split(",") if p.strip())
    from shakhes.cli.console import out, wide
    from shakhes.service import goals

    ws = open_workspace(workspace, wait)
    try:
        spec = goals.new_goal(
            ws,
            goal_id,
            title_en=title,
            title_fa=title_fa,
            description_en=description,
            description_fa=description_fa,
            owner=owner,
            period=period,
            calendar=calendar,
            kpis=links,
            drives=driven,
        )
        goals.add_goal(ws, spec)
        tree = goals.goal_tree(ws, spec.id)
        if format_ == "json":
            _print_json(goals.goal_tree_record(tree))
            return
        out.print(f"Added goal {spec.id}.", markup=False)
        _print_goal(tree, ws, wide(out))
    finally:
        ws.close()


@goal_app.command("list")
def goal_list(
    format_: FormatOpt = "table", wait: WaitOpt = DEFAULT_WAIT, workspace: WorkspaceOpt = None
) -> None:
    """List the goals: title, owner, period, and how many KPIs and targets each has."""
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.console import out, wide
    from shakhes.cli.tables import keep_whole
    from shakhes.service import goals

    ws = open_workspace(workspace, wait)
    try:
        trees = goals.goal_trees(ws)
        locale = ws.settings.locale
    finally:
        ws.close()
    if format_ == "json":
        _print_json([goals.goal_tree_record(tree) for tree in trees])
        return
    if not trees:
        out.print("No goals yet (`shakhes goal add` adds one).")
        return
    table = Table("id", "title", "owner", "period", "KPIs", "targets", box=None)
    for tree in trees:
        table.add_row(
            tree.goal.id,
            escape(tree.goal.title.text(locale)),
            escape(tree.goal.owner),
            tree.goal.period.describe(),
            str(len(tree.kpis)),
            str(sum(len(node.targets) for node in tree.kpis)),
        )
    wide(out).print(keep_whole(table, "id", words=("period",)))


@goal_app.command("show")
def goal_show(
    goal_id: Annotated[str, typer.Argument(help="Goal id.")],
    on: OnOpt = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show a goal: its KPIs with their kind and the lagging KPIs each leading one drives, and
    their targets with the period instance of today (or --on)."""
    from shakhes.cli.console import out, wide
    from shakhes.service import goals

    day = parse_date(on, "--on")
    ws = open_workspace(workspace, wait)
    try:
        tree = goals.goal_tree(ws, goal_id, on=day)
        if format_ == "json":
            _print_json(goals.goal_tree_record(tree))
            return
        _print_goal(tree, ws, wide(out))
    finally:
        ws.close()


@goal_app.command("remove")
def goal_remove(
    goal_id: Annotated[str, typer.Argument(help="Goal id.")],
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove a goal with its KPI links and leading → lagging links (the KPIs stay; the audit
    log keeps the goal as it was). Refused while targets serve it: remove or unlink them first."""
    from shakhes.cli.console import out
    from shakhes.service import goals

    ws = open_workspace(workspace, wait)
    try:
        goal = goals.remove_goal(ws, goal_id)
    finally:
        ws.close()
    if format_ == "json":
        _print_json({"removed": goal.id, "kpis": [link.kpi for link in goal.kpis]})
        return
    count = len(goal.kpis)
    out.print(
        f"Removed goal {goal.id} and its {count} KPI link{'' if count == 1 else 's'} "
        "(the KPIs stay).",
        markup=False,
    )


# -- target ---------------------------------------------------------------------------------------


@target_app.command("set")
def target_set(
    kpi: Annotated[str, typer.Argument(help="KPI id, e.g. cost_per_lead.")],
    target_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="The target to change (default: the KPI's target with the "
            "same scope and period, else a new one).",
        ),
    ] = None,
    scope: Annotated[
        str | None, typer.Option(help="Filter, as compute --where: \"channel = 'search'\".")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="A fixed period: 2025-03-21..2026-03-20, 2025, 2025-Q2, 2025-04, "
            "1404 … (see goal add)."
        ),
    ] = None,
    every: Annotated[
        str | None, typer.Option(help="A recurring period: month, quarter or year.")
    ] = None,
    calendar: Annotated[
        str | None,
        typer.Option(help="gregorian, jalali or fiscal (default: the workspace's calendar)."),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="With --every: the first day it applies (a period's first)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="With --every: the last day it applies (a period's last)."),
    ] = None,
    value: Annotated[
        str | None, typer.Option(help="The value to reach, in the KPI's direction (2.5% = 0.025).")
    ] = None,
    min_: Annotated[str | None, typer.Option("--min", help="A band's lower end.")] = None,
    max_: Annotated[str | None, typer.Option("--max", help="A band's upper end.")] = None,
    owner: Annotated[str | None, typer.Option(help="Who owns the target.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    goal: Annotated[str | None, typer.Option(help="The goal it serves ('' to unlink).")] = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Set a KPI's target for a scope and period: add it, or change it (the earlier version is
    kept in its history)."""
    if period is not None and every is not None:
        raise ShakhesError(
            "give --period (a fixed range) or --every (a recurring period), not both",
            code="bad_option",
        )
    if (from_ or to) and every is None:
        raise ShakhesError(
            "--from and --to bound a recurring period: give --every too (a fixed one is "
            "--period START..END)",
            code="bad_option",
        )
    number, low, high = (
        _number(value, "--value"),
        _number(min_, "--min"),
        _number(max_, "--max"),
    )
    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    from shakhes.cli.console import out
    from shakhes.service import goals

    ws = open_workspace(workspace, wait)
    try:
        span: Any = None
        if period is not None:
            span = goals.fixed_period(ws, period, calendar)
        elif every is not None:
            span = goals.recurring_period(ws, every, calendar, start=start, end=end)
        extra: dict[str, Any] = {} if goal is None else {"goal": goal or None}
        change = goals.set_target(
            ws,
            kpi,
            target_id=target_id,
            scope=scope,
            period=span,
            owner=owner,
            note=note,
            value=number,
            min=low,
            max=high,
            **extra,
        )
        view = next(v for v in goals.targets(ws, kpi=kpi) if v.spec.id == change.spec.id)
        if format_ == "json":
            _print_json(goals.target_change_record(change, view))
            return
        text = _value_text(view.spec, view.kpi, ws.settings.currency, ws.settings.locale)
        scope_text = f" where {view.spec.scope}" if view.spec.scope else ""
        described = f"{kpi}{scope_text} {text}, {view.spec.period.describe()}"
        if change.created:
            out.print(f"Added target {view.spec.id}: {described}.", markup=False)
        elif change.changes:
            shown = "; ".join(
                f"{field} {_field_text(field, before, view.kpi, ws)} → "
                f"{_field_text(field, after, view.kpi, ws)}"
                for field, before, after in change.changes
            )
            out.print(
                f"Changed target {view.spec.id} (revision {view.revision}): {shown}", markup=False
            )
        else:
            out.print(f"Target {view.spec.id} is already so: {described}.", markup=False)
    finally:
        ws.close()


@target_app.command("list")
def target_list(
    kpi: Annotated[str | None, typer.Option("--kpi", help="Only this KPI's targets.")] = None,
    goal: Annotated[str | None, typer.Option(help="Only the targets of this goal.")] = None,
    on: OnOpt = None,
    active: Annotated[
        bool, typer.Option("--active", help="Only the targets that apply on that day.")
    ] = False,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """List the current targets, each with the period instance of today (or --on)."""
    from shakhes.cli.console import out, wide
    from shakhes.service import goals

    day = parse_date(on, "--on")
    ws = open_workspace(workspace, wait)
    try:
        views = goals.targets(ws, kpi=kpi, goal=goal, on=day, active=active)
        if format_ == "json":
            _print_json([goals.target_record(view) for view in views])
            return
        if not views:
            none = " that apply then." if active else " yet (`shakhes target set` adds one)."
            out.print("No targets" + none)
            return
        wide(out).print(_targets_table(views, ws))
    finally:
        ws.close()


@target_app.command("show")
def target_show(
    target_id: Annotated[str, typer.Argument(help="Target id (see target list).")],
    on: OnOpt = None,
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Show a target and its history: every version, when and by whom it changed."""
    from rich.markup import escape
    from rich.table import Table

    from shakhes.cli.console import out, wide
    from shakhes.service import goals

    day = parse_date(on, "--on")
    ws = open_workspace(workspace, wait)
    try:
        detail = goals.target_detail(ws, target_id, on=day)
        if format_ == "json":
            _print_json(goals.target_detail_record(detail))
            return
        console = wide(out)
        console.print(_targets_table([detail.view], ws))
        if detail.removed:
            last = detail.history[-1]
            console.print(
                f"Removed {last.valid_to:%Y-%m-%d %H:%M} by {escape(last.ended_by or '?')}."
            )
        history = Table("revision", "from", "until", "by", "target", "scope", "period", box=None)
        for record in detail.history:
            history.add_row(
                str(record.revision),
                f"{record.valid_from:%Y-%m-%d %H:%M}",
                f"{record.valid_to:%Y-%m-%d %H:%M}" if record.valid_to else "now",
                escape(record.changed_by),
                _value_text(record.spec, detail.view.kpi, ws.settings.currency, ws.settings.locale),
                escape(record.spec.scope) or "all",
                record.spec.period.describe(),
            )
        console.print("History:")
        console.print(history)
    finally:
        ws.close()


@target_app.command("remove")
def target_remove(
    target_id: Annotated[str, typer.Argument(help="Target id.")],
    format_: FormatOpt = "table",
    wait: WaitOpt = DEFAULT_WAIT,
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove a target (its history is kept: target show still shows it)."""
    from shakhes.cli.console import out
    from shakhes.service import goals

    ws = open_workspace(workspace, wait)
    try:
        record = goals.remove_target(ws, target_id)
    finally:
        ws.close()
    if format_ == "json":
        _print_json({"removed": target_id, "revision": record.revision})
        return
    out.print(f"Removed target {target_id} (its history is kept).", markup=False)
