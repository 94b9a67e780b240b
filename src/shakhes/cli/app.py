"""The ``shakhes`` command line: parse arguments, call the service layer, format the output.

Each command group lives in its own module and imports what it needs when it runs, so that
``shakhes --version`` and ``--help`` load little more than Typer. Errors are translated in one
place (:func:`main`): a user error prints ``error: …`` (and the CLI's hint for its code) on
stderr and exits with status 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated, get_type_hints

import typer

from shakhes import __version__
from shakhes.cli import (
    check,
    compute,
    definitions,
    goals,
    imports,
    log,
    rates,
    report,
    signals,
    status,
    users,
    why,
    workspaces,
)

app = typer.Typer(
    name="shakhes",
    help="shakhes (شاخص) — run marketing by KPIs: definitions, data, computation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # a docstring's lines reflow into paragraphs
)
app.command()(workspaces.init)
app.command()(imports.load)
app.command("import")(imports.import_)
app.command()(definitions.apply)
app.command("export")(definitions.export)
app.add_typer(definitions.kpi_app, name="kpi")
app.add_typer(goals.goal_app, name="goal")
app.add_typer(goals.target_app, name="target")
app.command()(status.status)
app.command()(report.report)
app.command()(workspaces.audit)
app.command()(compute.compute)
app.command()(why.explain)
app.command()(check.check)
app.command()(signals.leads)
app.command()(signals.anomalies)
app.command()(workspaces.demo)
app.add_typer(log.imports_app, name="imports")
app.add_typer(log.quarantine_app, name="quarantine")
app.add_typer(rates.rates_app, name="rates")
app.add_typer(workspaces.db_app, name="db")
app.command()(users.serve)
app.add_typer(users.user_app, name="user")


def _resolve_annotations(typer_app: typer.Typer) -> None:
    """Evaluate each command's parameter annotations once, here. They are text (``from
    __future__ import annotations``), and Typer, which builds every command on every run (even
    for ``--version``), evaluates each twice (``inspect.signature(eval_str=True)``, then
    ``get_type_hints``): half the time it takes, a few hundredths of a second of every command.
    The values are the ones Typer would get (Typer copies the option it finds before changing
    it)."""
    for command in typer_app.registered_commands:
        if command.callback is not None:
            command.callback.__annotations__ = get_type_hints(command.callback, include_extras=True)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _resolve_annotations(group.typer_instance)


_resolve_annotations(app)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"shakhes {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """shakhes (شاخص) — run marketing by KPIs."""


GC_THRESHOLD = 300_000
"""Allocations between two young-generation garbage collections while a command runs (Python's
default is 700). A command imports some thousand modules, and each collection walks every object
created so far: with the default, collecting takes about a third of a short command's time. A
short command (``compute``, ``status``, ``kpi list``) makes 200,000–250,000 objects, nearly all
of them its modules, classes and functions, which live until it exits: under this threshold it
never collects (at 50,000 it collected four times, a twelfth of a ``compute``). A long command
collects every 300,000 objects, so cyclic garbage stays bounded (some tens of MB)."""


def main() -> None:
    """Entry point: run the app and translate user errors into a message and exit status 1.

    A file-system error (a path that is a folder, a file where a folder must be, no permission)
    is about a path the user gave, so it is a user error too.

    The process ends right after the command, so the objects alive then are frozen
    (``gc.freeze``): the interpreter's last collection at exit would walk them all only to
    free memory that exiting frees anyway (about 0.2 s for a ``compute``). This is the command
    line's own process, never the library's: a server keeps the default collector."""
    import gc

    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        _run()
    finally:
        gc.freeze()


def _run() -> None:
    from shakhes.errors import ShakhesError

    try:
        app()
    except ShakhesError as exc:
        from shakhes.cli.console import print_error

        print_error(exc)
        sys.exit(1)
    except OSError as exc:
        if exc.filename is None:
            raise  # not about a path: a bug, with its traceback
        from rich.markup import escape

        from shakhes.cli.console import err

        reason = exc.strerror or type(exc).__name__
        err.print(f"[bold red]error:[/] {escape(f'{exc.filename}: {reason}')}", highlight=False)
        sys.exit(1)
