"""`shakhes compute` keeps its results in the workspace (shakhes.service.stored): asked again,
the answer read from there is exactly the one computed, and any change the numbers depend on —
a KPI's formula, the data, the settings, the warehouse file itself — computes again."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading
from pathlib import Path

import duckdb
import pytest
from support.cli import shakhes

from shakhes.service import compute as service
from shakhes.service import stored
from shakhes.service.computed import Computed, Lack, Query
from shakhes.settings import read_settings

HEADER = (
    "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
    "clicks,cost,conversions,conversion_value"
)
ADS = f"""{HEADER}
2024-01-01,google_ads,a1,search,c1,Brand,g1,,USD,1000,50,25.5,5,500
2024-01-01,meta,m1,social,c2,Winter,g1,,USD,2000,20,10,1,80
2024-01-15,google_ads,a1,search,c1,Brand,g1,,USD,3000,60,30,3,300
2024-02-03,google_ads,a1,search,c1,Brand,g1,,USD,1000,0,0,0,0
2024-02-04,yektanet,y1,display,c3,Banner,g1,,IRT,2000,20,4000000,1,8000000
"""

QUERIES = {
    "table": ["ctr,cpc,roas", "--by", "channel", "--from", "2024-01-01", "--to", "2024-02-03"],
    "components": ["ctr,cpc", "--by", "channel", "--components", "--to", "2024-02-03"],
    "csv": ["ctr,cpc,roas", "--by", "channel", "--format", "csv", "--to", "2024-02-03"],
    "compare": ["ctr,roas", "--by", "channel", "--compare", "previous", "--format", "json",
                "--to", "2024-02-03"],
    "jalali": ["ctr,cpc", "--grain", "jalali_month", "--to", "2024-02-03"],
    "lacking": ["reach,ctr", "--grain", "day", "--to", "2024-01-02"],
    "failed": ["cost,ctr", "--by", "channel"],  # IRT without rates: cost is not computed
    "failed-json": ["cost,ctr", "--format", "json"],
}  # fmt: skip


@pytest.fixture()
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SHAKHES_WORKSPACE", raising=False)
    root = tmp_path / "acme"
    assert shakhes(capsys, "init", str(root)).code == 0
    (tmp_path / "ads.csv").write_text(ADS, encoding="utf-8")
    monkeypatch.chdir(root)
    run = shakhes(capsys, "load", "ad_performance", "../ads.csv")
    assert run.code == 0, run.err
    return root


def kept_files(root: Path) -> list[Path]:
    """The kept results (not the remembered settings)."""
    folder = root / stored.FOLDER
    found = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [p for p in found if not p.name.startswith("settings-")]


def from_cache_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on a compute that reaches the engine fails the test."""

    def fail(*_: object) -> None:
        raise AssertionError("computed, not answered from the kept result")

    monkeypatch.setattr(service, "compute_kept", fail)


def test_kept_answers_equal_computed_ones(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = {}
    for name, args in QUERIES.items():
        run = shakhes(capsys, "compute", *args)
        assert run.code == 0, (name, run.err)
        computed[name] = run.out
    assert len(kept_files(ws)) == len(QUERIES)
    assert "×" in computed["failed"] and "IRT" in computed["failed"]
    assert "‡" in computed["lacking"]
    assert '"code": "missing_rates"' in computed["failed-json"]
    from_cache_only(monkeypatch)
    for name, args in QUERIES.items():
        run = shakhes(capsys, "compute", *args)
        assert run.code == 0, (name, run.err)
        assert run.out == computed[name], name


def test_explain_and_errors_are_never_kept(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert shakhes(capsys, "compute", "ctr", "--explain").code == 0
    assert shakhes(capsys, "compute", "nope").code == 1
    assert kept_files(ws) == []


def ctr_values(out: str) -> dict[tuple[str, str], float]:
    return {
        (r["period_label"], r["channel"]): float(r["value"])
        for r in csv.DictReader(io.StringIO(out))
        if r["kpi"] == "ctr" and r["value"]
    }


CTR = ["ctr", "--by", "channel", "--format", "csv", "--to", "2024-01-31"]


def test_a_changed_formula_computes_again(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ctr_values(shakhes(capsys, "compute", *CTR).out)
    assert before[("2024-01", "search")] == pytest.approx(110 / 4000)
    assert ctr_values(shakhes(capsys, "compute", *CTR).out) == before  # kept
    defs = tmp_path / "kpis.yml"
    assert shakhes(capsys, "export", "-o", str(defs)).code == 0
    text = defs.read_text(encoding="utf-8")
    assert "formula: clicks / impressions\n" in text
    defs.write_text(
        text.replace(
            "formula: clicks / impressions\n",
            "formula: sum(ad_performance.clicks) / sum(ad_performance.cost)\n",
            1,
        ),
        encoding="utf-8",
    )
    assert shakhes(capsys, "apply", str(defs)).code == 0
    after = ctr_values(shakhes(capsys, "compute", *CTR).out)
    assert after[("2024-01", "search")] == pytest.approx(110 / 55.5)
    assert after[("2024-01", "social")] == pytest.approx(20 / 10)


def test_new_data_computes_again(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ctr_values(shakhes(capsys, "compute", *CTR).out)[("2024-01", "social")] == 0.01
    more = tmp_path / "more.csv"
    more.write_text(f"{HEADER}\n2024-01-20,meta,m1,social,c2,Winter,g1,,USD,2000,80,5,0,0\n")
    assert shakhes(capsys, "load", "ad_performance", str(more)).code == 0
    after = ctr_values(shakhes(capsys, "compute", *CTR).out)
    assert after[("2024-01", "social")] == pytest.approx(100 / 4000)


def test_a_warehouse_changed_behind_shakhes_back_computes_again(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The data version only moves with shakhes' own writes; the warehouse file's identity is
    in the key too, so a file written by anything else is never answered from before."""
    assert ctr_values(shakhes(capsys, "compute", *CTR).out)[("2024-01", "social")] == 0.01
    con = duckdb.connect(str(ws / "warehouse.duckdb"))
    con.execute("UPDATE ad_performance SET clicks = 40 WHERE channel = 'social'")
    con.close()
    after = ctr_values(shakhes(capsys, "compute", *CTR).out)
    assert after[("2024-01", "social")] == pytest.approx(40 / 2000)


def test_changed_settings_compute_again(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    english = shakhes(capsys, "compute", "ctr,cpc", "--to", "2024-01-31").out
    assert "2024-01" in english
    toml = ws / "shakhes.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('locale = "en"', 'locale = "fa"'),
        encoding="utf-8",
    )
    persian = shakhes(capsys, "compute", "ctr,cpc", "--to", "2024-01-31").out
    assert "۲" in persian and persian != english


def test_a_changed_environment_computes_again(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SHAKHES_*`` variables override shakhes.toml: the remembered settings are per their
    values too."""
    english = shakhes(capsys, "compute", "ctr,cpc", "--to", "2024-01-31").out
    monkeypatch.setenv("SHAKHES_LOCALE", "fa")
    persian = shakhes(capsys, "compute", "ctr,cpc", "--to", "2024-01-31").out
    assert "۲" in persian and persian != english
    monkeypatch.delenv("SHAKHES_LOCALE")
    assert shakhes(capsys, "compute", "ctr,cpc", "--to", "2024-01-31").out == english


def test_invalid_settings_are_an_error_even_when_kept(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shakhes(capsys, "compute", "ctr").code == 0
    toml = ws / "shakhes.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"USD"', '"usd dollars"'))
    run = shakhes(capsys, "compute", "ctr")
    assert run.code == 1 and "currency" in run.err


def test_a_postgres_store_is_never_looked_up(ws: Path) -> None:
    settings = read_settings(ws).model_copy(update={"metadata_url": "postgresql://127.0.0.1/test"})
    assert stored.read_state(ws, stored.Settings.of(settings)) is None


def test_the_state_read_with_sqlite3_is_the_store_s(ws: Path) -> None:
    from shakhes.service.cache import state
    from shakhes.workspace import Workspace

    workspace = Workspace.open(ws)
    try:
        with workspace.reading() as session:
            found = stored.read_state(ws, stored.Settings.of(workspace.settings))
            assert found == state(workspace, session)
    finally:
        workspace.close()


def test_a_json_round_trip_keeps_every_cell(ws: Path) -> None:
    from shakhes.workspace import Workspace

    workspace = Workspace.open(ws)
    try:
        query = Query("ctr,cpc,roas", "month", "channel", compare="previous")
        result = service.compute(workspace, query)
    finally:
        workspace.close()
    computed = Computed.of(result)
    again = Computed.from_data(json.loads(json.dumps(computed.to_data())))
    assert again.rows[0]["period_start"] == computed.rows[0]["period_start"]
    assert repr(again.rows) == repr(computed.rows)  # NaN included
    assert again.errors.keys() == computed.errors.keys()
    assert (again.by, again.kpi_ids, again.ratios, again.currency, again.compare) == (
        computed.by,
        computed.kpi_ids,
        computed.ratios,
        computed.currency,
        computed.compare,
    )


def test_concurrent_writers_and_readers_see_whole_files(ws: Path) -> None:
    """Many processes write and read the same key at once: each reader finds a whole result
    or none, never part of one."""
    settings = read_settings(ws)
    state = stored.read_state(ws, stored.Settings.of(settings))
    assert state is not None
    query = Query("ctr")
    rows = [{"period_index": i, "period_label": f"p{i}", "kpi": "ctr", "value": i / 7}
            for i in range(2000)]  # fmt: skip
    computed = Computed(("channel",), None, ("ctr",), frozenset(), {"ctr": (Lack("t", None),)},
                        "USD", {}, rows)  # fmt: skip
    found: list[object] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(10):
                assert stored.save(ws, settings, query, state, computed, {}) is not None
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        try:
            for _ in range(20):
                kept = stored.lookup(ws, query)
                found.append(kept.computed if kept is not None else None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(3)]
    threads += [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    whole = [f for f in found if f is not None]
    assert whole and all(f == computed for f in whole)
    assert [p.name for p in (ws / stored.FOLDER).iterdir() if p.name.startswith(".")] == []


def test_only_the_newest_files_are_kept(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored, "KEEP", 3)
    settings = read_settings(ws)
    state = stored.read_state(ws, stored.Settings.of(settings))
    assert state is not None
    computed = Computed((), None, ("ctr",), frozenset(), {}, None, {}, [])
    for i in range(6):
        assert stored.save(ws, settings, Query(f"k{i}"), state, computed, {}) is not None
    assert len(list((ws / stored.FOLDER).glob("*.json"))) == 3  # 2 results, the settings
    assert stored.lookup(ws, Query("k5")) is not None
    assert stored.lookup(ws, Query("k0")) is None


def test_files_are_readable_by_whoever_shares_the_workspace(ws: Path) -> None:
    """A kept file has the permissions the user's umask gives (not a temporary file's 0600):
    another user of a shared workspace reads it too."""
    settings = read_settings(ws)
    state = stored.read_state(ws, stored.Settings.of(settings))
    assert state is not None
    computed = Computed((), None, ("ctr",), frozenset(), {}, None, {}, [])
    old = os.umask(0o022)
    try:
        path = stored.save(ws, settings, Query("ctr"), state, computed, {})
    finally:
        os.umask(old)
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_damaged_file_is_computed_again(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = shakhes(capsys, "compute", *CTR).out
    (kept,) = kept_files(ws)
    for damaged in ('{"key": "', '{"key": "' + kept.stem + '", "computed": {}, "specs": {}}'):
        kept.write_text(damaged, encoding="utf-8")
        run = shakhes(capsys, "compute", *CTR)
        assert run.code == 0, run.err
        assert run.out == first
