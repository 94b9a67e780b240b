"""Goals and targets in YAML: read with every problem placed, written back unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shakhes.spec.yaml_io import SpecFileError, dump_definitions, load_definitions, load_specs

FIXTURES = Path(__file__).parent / "fixtures"


def test_read_goals_and_targets() -> None:
    defs = load_definitions(FIXTURES / "goals.yaml")
    assert defs.sections == {"goals", "targets"} and defs.kpis == ()
    (goal,) = defs.goals
    assert goal.title.fa == "رشد ۳۰ درصدی درآمد آنلاین در ۱۴۰۴" and goal.owner == "سارا"
    assert goal.description.en.splitlines() == [
        "Search and social bring most of it.",
        "Email keeps customers coming back.",
    ]
    assert (goal.period.start, goal.period.end) == (date(2025, 3, 21), date(2026, 3, 20))
    assert [(link.kpi, link.kind.value, link.drives) for link in goal.kpis] == [
        ("revenue", "strategic", ()),
        ("ctr", "operational", ("revenue", "orders")),
    ]
    search, band, leads = defs.targets
    assert search.scope == "channel = 'search'" and search.value == 5e9
    assert search.goal == "online_revenue_1404"
    assert band.band == (0.02, 0.035) and band.value is None
    assert band.owner == "2024" and band.note == "yes"  # text stays the text written
    assert band.period.start == date(2025, 4, 1) and band.period.every is not None
    assert leads.value == 1200


def test_round_trip_is_exact() -> None:
    defs = load_definitions(FIXTURES / "goals.yaml")
    text = dump_definitions(defs.kpis, defs.goals, defs.targets)
    again = load_definitions(text)
    assert again.goals == defs.goals
    assert again.targets == tuple(sorted(defs.targets, key=lambda t: t.id))
    assert dump_definitions(again.kpis, again.goals, again.targets) == text
    assert "value: 5000000000\n" in text  # a whole number written without .0
    assert "start: 2025-03-21\n" in text  # dates unquoted
    assert "every:" not in text.split("id: spring_leads")[1]  # unset fields left out


def test_a_kpi_file_is_read_as_before() -> None:
    assert load_specs("kpis: []") == []
    defs = load_definitions("kpis: []")
    assert defs.sections == {"kpis"} and defs.goals == () and defs.targets == ()


def test_every_problem_is_placed() -> None:
    with pytest.raises(SpecFileError) as info:
        load_definitions(FIXTURES / "goals_errors.yaml")
    error = info.value
    lines = {(issue.line, issue.kpi, issue.field): issue.message for issue in error.issues}
    assert error.message.splitlines()[0].endswith("goals_errors.yaml: 8 problems in definitions")
    assert lines[(6, "goal 'g'", None)] == (
        "unknown field 'kpis[0].knd' — did you mean 'kpis[0].kind'?"
    )
    assert lines[(6, "goal 'g'", "kpis[0]")] == "missing required field: kpis[0].kind"
    assert lines[(10, "target 'a'", "scope")].startswith("expected a value")
    assert lines[(10, "target 'a'", "scope")].endswith(
        "(at character 11 of \"channel = = 'search'\")"
    )
    assert lines[(15, "target 'b'", "period.calendar")] == (
        "'jalaali' is not allowed — did you mean 'jalali'? (allowed: gregorian, jalali, fiscal)"
    )
    assert lines[(17, "target 'c'", None)] == "the band's min (9) is above its max (3)"
    assert lines[(22, "target 'a'", "id")] == "'a' is used by two targets, on line 8 and on line 22"
    assert lines[(24, "target 'a'", "period")].startswith("a fixed period needs both start and end")
    assert lines[(25, "target 'a'", "value")] == "expected a number"


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("target: []\n", 1, "unknown top-level key 'target' — did you mean 'targets'?"),
        ("goals: []\nnotes: 1\n", 2, "unknown top-level key 'notes'; allowed: kpis:, goals:"),
        ("goals: 3\n", 1, "'goals:' must be a list of goals"),
        ("targets:\n  - 7\n", 2, "a target must be a mapping of fields (id:, kpi:, period:"),
    ],
)
def test_shape_problems(text: str, line: int, expected: str) -> None:
    with pytest.raises(SpecFileError) as info:
        load_definitions(text)
    assert any(i.line == line and expected in i.message for i in info.value.issues), str(info.value)
