"""A whole workspace on Postgres (warehouse and metadata store), and cache invalidation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from support.cli import shakhes

from shakhes.service import imports
from shakhes.workspace import Workspace

from .test_cli import ADS


@pytest.mark.postgres
def test_workspace_with_warehouse_and_metadata_on_postgres(
    tmp_path: Path,
    pg_database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "team"
    metadata = pg_database.replace("postgres://", "postgresql+psycopg://", 1)
    run = shakhes(
        capsys, "init", str(root), "--warehouse-url", pg_database, "--metadata-url", metadata
    )
    assert run.code == 0, run.err
    assert not (root / "warehouse.duckdb").exists() and not (root / "metadata.db").exists()
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    monkeypatch.chdir(root)
    assert shakhes(capsys, "load", "ad_performance", "../ads.csv").code == 0
    run = shakhes(capsys, "compute", "ctr,clicks", "--format", "csv")
    assert run.code == 0, run.err
    values = {
        (r["period_label"], r["kpi"]): r["value"] for r in csv.DictReader(io.StringIO(run.out))
    }
    assert float(values[("2024-01", "ctr")]) == pytest.approx(130 / 6000)
    assert float(values[("2024-02", "clicks")]) == 0


def test_cache_follows_data_and_definitions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    assert shakhes(capsys, "init", str(root)).code == 0
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    ws = Workspace.open(root)
    imports.load(ws, "ad_performance", tmp_path / "ads.csv")
    first = ws.engine.compute(["clicks"], grain="year")
    assert first.value("clicks", "2024") == 130 and not first.from_cache
    assert ws.engine.compute(["clicks"], grain="year").from_cache
    more = ADS.splitlines()[0] + "\n2024-03-01,meta,m1,social,c2,Promo,g1,,USD,10,5,1,0,0\n"
    (tmp_path / "more.csv").write_text(more, encoding="utf-8")
    imports.load(ws, "ad_performance", tmp_path / "more.csv")
    after = ws.engine.compute(["clicks"], grain="year")
    assert not after.from_cache and after.value("clicks", "2024") == 135
    spec = ws.store.get_kpi(ws.id, "clicks")
    ws.store.apply(
        ws.id, [spec.model_copy(update={"formula": "sum(ad_performance.clicks) * 2"})], actor="test"
    )
    doubled = ws.engine.compute(["clicks"], grain="year")
    assert not doubled.from_cache and doubled.value("clicks", "2024") == 270
    ws.close()
