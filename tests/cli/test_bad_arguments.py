"""Every command, given bad arguments, answers with a message — never a traceback.

The commands are found by walking the Typer app, so a new command or option is covered without
editing this test. Each parameter in turn gets values a user may type wrongly (bad numbers,
negative or zero limits, missing files, folders, empty and binary files, unknown names, bad
dates, quotes), the others a plausible value, in a workspace with data in it.
"""

from __future__ import annotations

import contextlib
import enum
import io
import shutil
import sys
import traceback
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from support.cli import app_built_once
from support.demo_copy import use_small_demo_data

from shakhes.cli.app import app, main

ADS = """date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,\
clicks,cost,conversions,conversion_value
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,25.5,5,500
2024-01-02,meta,m1,social,c2,Winter,g1,,USD,2000,20,10,1,80
"""


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    command: Any  # a Typer command (Typer's own copy of click)


def _walk(group: Any, path: tuple[str, ...] = ()) -> Iterator[Command]:
    commands = getattr(group, "commands", None)
    if commands is not None:
        for name, sub in commands.items():
            yield from _walk(sub, (*path, name))
    else:
        yield Command(path, group)


COMMANDS = list(_walk(typer.main.get_command(app)))


def _annotation(param: Any) -> Any:
    """The Python type a parameter takes (``list[Path]`` → ``Path``)."""
    kind = param.type_descriptor.annotation
    args = typing.get_args(kind)
    return args[0] if typing.get_origin(kind) is list and args else kind


def _is_argument(param: Any) -> bool:
    return not any(opt.startswith("-") for opt in param.opts)


def _bad_values(param: Any, files: dict[str, Path]) -> list[str]:
    """Values a user may get wrong for ``param``, by its type and name."""
    kind = _annotation(param)
    name = (param.name or "").lower()
    if kind is bool or getattr(param, "is_flag", False):
        return []
    if kind is int:
        return ["-1", "0", "abc", "1.5", "99999999999999999999999"]
    if kind is float:
        return ["-1", "abc", "nan"]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return ["bogus", ""]
    if kind is Path:
        return [str(p) for p in files.values()]
    values = ["nonexistent", "", "'; drop table x; --", "ناموجود", "2024-13-45", "-5"]
    if name in ("from_", "to"):
        values += ["yesterday", "0001-01-01", "9999-12-31"]
    if name == "kpis":
        values += ["ctr,,", ",", "ctr,nonexistent"]
    if name == "period":
        values += ["2024-Q9", "FY", "1404-13", "W 2024-02-30", "1850", "2024-01"]
    if name == "by":
        values += ["channel,", "date", "cost", "channel,nonexistent"]
    if name == "where":
        values += ["channel = ", "cost > 'x'", "channel = 'search' and"]
    return values


def _plausible(param: Any, files: dict[str, Path]) -> str:
    name = (param.name or "").lower()
    plausible = {
        "kpis": "ctr",
        "kpi": "ctr",
        "kpi_id": "ctr",
        "by": "channel",
        "table": "ad_performance",
        "import_id": "1",
        "path": str(files["missing"]),
    }
    if name in plausible:
        return plausible[name]
    if _annotation(param) is int:
        return "1"
    return str(files["missing"])


RUNS_UNTIL_STOPPED = {"serve"}
"""Commands that, given arguments they accept, run until stopped: their bad arguments are
tried in a test of their own."""


def _cases(files: dict[str, Path], only: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """``(command, argv)`` of each bad-arguments run, of every command or of ``only``."""
    for cmd in COMMANDS:
        if " ".join(cmd.path) in RUNS_UNTIL_STOPPED:
            continue
        if only is not None and " ".join(cmd.path) != only:
            continue
        params = [p for p in cmd.command.params if p.name not in ("help", "workspace")]
        required = [p for p in params if _is_argument(p) and p.required]
        base = [_plausible(p, files) for p in required]
        for option in (p for p in params if not _is_argument(p) and p.required):
            base += [option.opts[0], _plausible(option, files)]  # (a later value wins)
        for param in params:
            for bad in _bad_values(param, files):
                if _is_argument(param):
                    i = required.index(param) if param in required else None
                    argv = list(base)
                    if i is None:
                        argv.append(bad)
                    else:
                        argv[i] = bad
                else:
                    argv = [*base, param.opts[0], bad]
                yield " ".join(cmd.path), [*cmd.path, *argv]


def _run(argv: list[str]) -> tuple[int, str]:
    """Run ``shakhes ARGV`` in-process; an exception that escapes main() is a traceback."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["shakhes", *argv]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), app_built_once():
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        return -1, traceback.format_exc()
    finally:
        sys.argv = saved
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("bad")
    (base / "ads.csv").write_text(ADS, encoding="utf-8")
    (base / "empty.csv").write_text("", encoding="utf-8")
    (base / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (base / "folder").mkdir()
    (base / "folder" / "x.txt").write_text("x", encoding="utf-8")
    root = base / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SHAKHES_WORKSPACE", raising=False)
        assert _run(["init", str(root)])[0] == 0
        mp.setenv("SHAKHES_WORKSPACE", str(root))
        code, text = _run(["load", "ad_performance", str(base / "ads.csv")])
        assert code == 0, text
        mp.chdir(base)
        yield {
            "missing": base / "missing.csv",
            "folder": base / "folder",
            "empty": base / "empty.csv",
            "garbage": base / "garbage.bin",
            "workspace": root,
        }


_PLACEHOLDERS = dict.fromkeys(("missing", "folder", "empty", "garbage", "workspace"), Path("x"))
WALKED = sorted({name for name, _ in _cases(_PLACEHOLDERS)})
"""The commands that get bad arguments; each is a test of its own, so that the runs (hundreds,
some of them slow) are shared by the test workers."""


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(c.path) for c in COMMANDS}
    assert {"compute", "audit", "demo", "init", "load", "import", "imports list"} <= names
    assert {"compute", "demo", "init", "load", "import", "report", "explain"} <= set(WALKED)
    assert len(list(_cases(_PLACEHOLDERS))) > 100


@pytest.mark.slow
@pytest.mark.parametrize("command", WALKED)
def test_no_command_prints_a_traceback_for_bad_arguments(
    workspace: dict[str, Path], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    if command == "demo":
        # The runs it accepts build a demo: from small data (two years take seconds each; they
        # are built in tests/cli/test_demo.py, and any seed it accepts seeds numpy's generator)
        use_small_demo_data(monkeypatch)
    failures = []
    cases = list(_cases(workspace, command))
    assert cases
    for name, argv in cases:
        missing = workspace["missing"]  # `init` makes it a folder, `export -o` a file
        if missing.is_dir():
            shutil.rmtree(missing)
        missing.unlink(missing_ok=True)
        code, text = _run(argv)
        if code == -1 or "Traceback" in text:
            last = text.strip().splitlines()[-1]
            failures.append(f"shakhes {' '.join(argv)}\n    {last}")
    assert not failures, f"{len(failures)} of {len(cases)} runs crashed:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "0"],
        ["--port", "-1"],
        ["--port", "65536"],
        ["--port", "abc"],
        ["--workers", "0"],
        ["--workers", "abc"],
        ["--metadata-url", "nonexistent://x"],
    ],
)
def test_serve_refuses_bad_arguments_before_it_starts(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAKHES_HOME", str(tmp_path))
    code, text = _run(["serve", *argv])
    assert code != 0 and code != -1, text
    assert "Traceback" not in text
    assert "Uvicorn running" not in text
