"""``shakhes apply`` takes goals and targets beside KPIs, checked together and applied in one
transaction; ``shakhes export`` writes them so that applying the export changes nothing (on a
SQLite and on a PostgreSQL metadata store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import shakhes

from shakhes.spec.yaml_io import load_definitions

FIXTURES = Path(__file__).parent / "fixtures"


def _round_trip(capsys: pytest.CaptureFixture[str], root: Path, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "goals.yaml", tmp_path / "goals.yaml")
    w = ("-w", str(root))
    run = shakhes(capsys, "apply", str(tmp_path / "goals.yaml"), "--dry-run", *w)
    assert run.code == 0, run.err
    assert "+ goal online_revenue_1404" in run.out and "(dry run: nothing changed)" in run.out
    assert shakhes(capsys, "goal", "list", "--format", "json", *w).out.strip() == "[]"

    run = shakhes(capsys, "apply", str(tmp_path / "goals.yaml"), *w)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "+ goal online_revenue_1404",
        "+ target ctr_band",
        "+ target search_revenue",
        "+ target spring_leads",
        "",
        "Plan: 4 to add, 0 to change, 0 to remove, 0 unchanged.",
    ]
    run = shakhes(capsys, "export", "-o", str(tmp_path / "out.yml"), *w)
    assert run.code == 0, run.err
    exported = (tmp_path / "out.yml").read_text(encoding="utf-8")
    defs = load_definitions(tmp_path / "out.yml")
    assert [g.id for g in defs.goals] == ["online_revenue_1404"]
    assert [t.id for t in defs.targets] == ["ctr_band", "search_revenue", "spring_leads"]
    assert len(defs.kpis) > 40  # the catalog too
    run = shakhes(capsys, "apply", str(tmp_path / "out.yml"), *w)
    assert run.code == 0, run.err
    assert run.out.strip() == f"No changes. {len(defs.kpis) + 4} unchanged."
    assert shakhes(capsys, "export", *w).out == exported

    # Change a target in the file: a new revision, the old one kept.
    changed = exported.replace("value: 5000000000", "value: 6000000000")
    (tmp_path / "changed.yml").write_text(changed, encoding="utf-8")
    run = shakhes(capsys, "apply", str(tmp_path / "changed.yml"), *w)
    assert "~ target search_revenue: value 5000000000.0 → 6000000000.0" in run.out
    history = shakhes(capsys, "target", "show", "search_revenue", "--format", "json", *w)
    import json

    versions = json.loads(history.out)["history"]
    assert [v["target"]["value"] for v in versions] == [5e9, 6e9]
    audit = shakhes(capsys, "audit", "--entity", "search_revenue", *w)
    assert [line.split()[3:5] for line in audit.out.splitlines()] == [
        ["update", "target"],
        ["create", "target"],
    ]

    # --prune with a targets section removes the targets the file lacks, and only them.
    (tmp_path / "prune.yml").write_text(
        "targets:\n" + changed.split("targets:\n")[1].split("  - id: spring_leads")[0],
        encoding="utf-8",
    )
    run = shakhes(capsys, "apply", str(tmp_path / "prune.yml"), "--prune", *w)
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "- target spring_leads"
    assert shakhes(capsys, "goal", "show", "online_revenue_1404", *w).code == 0
    assert shakhes(capsys, "kpi", "show", "ctr", *w).code == 0


def test_apply_and_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    _round_trip(capsys, root, tmp_path)


@pytest.mark.postgres
def test_apply_and_export_round_trip_on_postgres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root), "--metadata-url", pg_url).code == 0
    assert not (root / "metadata.db").exists()
    _round_trip(capsys, root, tmp_path)


def test_a_bad_file_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    w = ("-w", str(root))
    text = (FIXTURES / "goals.yaml").read_text(encoding="utf-8")
    text = (
        "kpis:\n  - {id: my_kpi, name: {en: a, fa: b}, description: {en: a, fa: b},\n"
        + (
            "     formula: count(orders), unit: count, direction: higher_is_better,\n"
            "     kind: operational, timing: lagging, category: revenue}\n"
        )
        + text.replace("kpi: leads", "kpi: leeds")
    )
    (tmp_path / "bad.yml").write_text(text, encoding="utf-8")
    run = shakhes(capsys, "apply", str(tmp_path / "bad.yml"), *w)
    assert run.code == 1 and "Traceback" not in run.err
    assert "target 'spring_leads': kpi: no KPI 'leeds' in this workspace" in run.err
    assert "did you mean 'leads'" in run.err and "nothing was changed" in run.err
    assert shakhes(capsys, "kpi", "show", "my_kpi", *w).code == 1  # the KPI was not added
    assert shakhes(capsys, "goal", "list", "--format", "json", *w).out.strip() == "[]"
