"""Where the command line writes: standard output for results, standard error for errors,
waiting messages and progress; and how a user error is printed."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from shakhes.cli.hints import hint_for
from shakhes.errors import ShakhesError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def wide(console: Console) -> Console:
    """``console`` itself in a terminal; piped, a console that never wraps or colours, so
    tables come out as plain aligned text."""
    if console.is_terminal:
        return console
    return Console(file=console.file, width=100_000, no_color=True, highlight=False)


def print_error(exc: ShakhesError, console: Console | None = None) -> None:
    """``error: …`` and the CLI's hint (see :mod:`shakhes.cli.hints`), as the command line
    prints every user error."""
    console = console or err
    console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
    hint = hint_for(exc)
    if hint:
        console.print(hint, highlight=False, markup=False)
