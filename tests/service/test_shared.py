"""Results shared by the worker processes of one server (shakhes.service.shared): a result one
process computed is read by the others, one being computed is waited for, not computed twice;
keys have one spelling in every process; what cannot be shared is computed where asked."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from shakhes.service.cache import Memo
from shakhes.service.shared import Shared, canonical, digest


@dataclass(frozen=True)
class Look:
    lang: str
    jalali: bool


def test_a_key_has_one_spelling_whatever_the_order_of_a_set() -> None:
    a = ("web.kpi", frozenset({"b", "a", "c"}), dt.date(2025, 1, 2), Look("fa", True))
    b = ("web.kpi", frozenset({"c", "a", "b"}), dt.date(2025, 1, 2), Look("fa", True))
    assert digest(a) == digest(b)
    assert canonical(a)[1] == {"set": ["a", "b", "c"]}
    assert canonical(a)[3] == {"dataclass": "Look", "fields": {"lang": "fa", "jalali": True}}
    # each part of a key counts: another date, another type of the same text
    assert digest(a) != digest((*a[:2], dt.date(2025, 1, 3), a[3]))
    assert digest(("x", dt.date(2025, 1, 2))) != digest(("x", "2025-01-02"))
    assert digest(("x", (1, 2))) != digest(("x", (2, 1)))


def test_a_key_without_one_spelling_is_not_shared(tmp_path: Path) -> None:
    assert digest(("x", object())) is None
    shared = Shared(tmp_path)
    calls = []
    for _ in range(2):
        assert shared.get(("x", object()), lambda: calls.append(1) or 42) == 42
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_a_result_computed_by_one_memo_is_read_by_another(tmp_path: Path) -> None:
    """Two memos (two processes' caches of one workspace) over one folder."""
    first, second = Memo(), Memo()
    first.shared, second.shared = Shared(tmp_path), Shared(tmp_path)
    calls: list[str] = []

    def compute(who: str) -> dict[str, object]:
        calls.append(who)
        return {"value": 12.5, "day": dt.date(2025, 3, 1)}

    key = ("compute", ("ctr",), (3, 2, 17, dt.date(2025, 12, 7)))
    assert first.get(key, lambda: compute("first")) == {"value": 12.5, "day": dt.date(2025, 3, 1)}
    assert second.get(key, lambda: compute("second")) == {"value": 12.5, "day": dt.date(2025, 3, 1)}
    assert calls == ["first"]
    # another state of the workspace is another result
    newer = ("compute", ("ctr",), (4, 2, 18, dt.date(2025, 12, 7)))
    second.get(newer, lambda: compute("second"))
    assert calls == ["first", "second"]


def test_pages_html_is_kept_per_process(tmp_path: Path) -> None:
    """A page's HTML holds its process's stand-ins for e-mail and CSRF token: never shared."""
    first, second = Memo(), Memo()
    first.shared, second.shared = Shared(tmp_path), Shared(tmp_path)
    key = ("web.html", ("kpi.html.j2", "/w/acme/kpis/ctr"), (1, 1, 1, dt.date(2025, 1, 1)))
    assert first.get(key, lambda: "<html>first</html>") == "<html>first</html>"
    assert second.get(key, lambda: "<html>second</html>") == "<html>second</html>"


def test_a_result_that_cannot_be_pickled_stays_with_its_process(tmp_path: Path) -> None:
    shared = Shared(tmp_path)
    made = shared.get(("f", 1), lambda: lambda x: x + 1)
    assert made(1) == 2
    assert list(tmp_path.glob("*.result")) == []
    assert Shared(tmp_path).get(("f", 1), lambda: "computed again") == "computed again"


def test_an_unreadable_file_is_a_miss(tmp_path: Path) -> None:
    shared = Shared(tmp_path)
    shared.get(("k",), lambda: 1)
    (path,) = tmp_path.glob("*.result")
    path.write_bytes(b"not a pickle")
    assert Shared(tmp_path).get(("k",), lambda: 2) == 2


def test_pruning_keeps_the_newest(tmp_path: Path) -> None:
    shared = Shared(tmp_path)
    for i in range(5):
        shared.get(("k", i), lambda i=i: i)
        os.utime(tmp_path / f"{digest(('k', i))}.result", (1000 + i, 1000 + i))
    assert shared.prune(keep=2) == 3
    left = sorted(p.name for p in tmp_path.glob("*.result"))
    assert left == sorted(f"{digest(('k', i))}.result" for i in (3, 4))
    assert not (tmp_path / f"{digest(('k', 0))}.lock").exists()


def _ask(folder: str, log: str, start: float) -> None:
    """A process that asks for one key at ``start`` (a slow computation that logs its pid)."""

    def compute() -> tuple[str, int]:
        with open(log, "a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(0.4)
        return ("computed by", os.getpid())

    time.sleep(max(0.0, start - time.time()))
    value = Shared(Path(folder)).get(("slow", 1), compute)
    with open(log + ".got", "a") as out:
        out.write(f"{value[1]}\n")


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_processes_asking_at_once_compute_once(tmp_path: Path) -> None:
    log = str(tmp_path / "computed")
    start = time.time() + 0.5
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_ask, args=(str(tmp_path / "shared"), log, start)) for _ in range(3)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=30)
        assert p.exitcode == 0
    computed = Path(log).read_text().split()
    got = Path(log + ".got").read_text().split()
    assert len(computed) == 1  # one computed, two waited for it
    assert got == computed * 3  # and all three have its result
