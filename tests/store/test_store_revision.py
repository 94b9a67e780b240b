"""Migrations run when a workspace is created and on `shakhes db upgrade`, never on open:
opening compares the store's revision with the one this shakhes knows (without importing
Alembic) and refuses a store that is behind or ahead. SQLite writers of several processes wait
for each other instead of failing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from support.cli import shakhes
from support.processes import env

import shakhes.store.db as db
from shakhes.data.warehouse import SCHEMA_VERSION
from shakhes.errors import WorkspaceError
from shakhes.store import MetadataStore
from shakhes.store.db import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    REVISIONS,
    alembic_config,
    create_engine_for,
    current_revision,
    upgrade,
)
from shakhes.workspace import init


def test_the_known_revisions_are_alembics_history() -> None:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    history = [r.revision for r in script.walk_revisions("base", "heads")]
    assert tuple(reversed(history)) == REVISIONS
    assert script.get_current_head() == HEAD_REVISION == REVISIONS[-1]


def test_opening_a_new_database_does_not_migrate_it(sqlite_url: str) -> None:
    with pytest.raises(WorkspaceError) as info:
        MetadataStore.open(sqlite_url)
    assert info.value.code == "store_outdated"
    assert info.value.message == (
        f"the metadata store has no schema yet; this shakhes needs revision {HEAD_REVISION}"
    )
    engine = create_engine_for(sqlite_url)
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_store_behind_this_shakhes_is_refused(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(sqlite_url)
    monkeypatch.setattr(db, "REVISIONS", (*REVISIONS, "9000"))
    monkeypatch.setattr(db, "HEAD_REVISION", "9000")
    with pytest.raises(WorkspaceError) as info:
        MetadataStore.open(sqlite_url)
    assert info.value.code == "store_outdated"
    assert info.value.params == {"revision": HEAD_REVISION, "head": "9000"}
    assert f"is at schema revision {HEAD_REVISION}; this shakhes needs revision 9000" in str(
        info.value
    )


def test_a_store_ahead_of_this_shakhes_is_refused(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine_for(sqlite_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9000'"))
    engine.dispose()
    with pytest.raises(WorkspaceError) as info:
        MetadataStore.open(sqlite_url)
    assert info.value.code == "store_newer"
    assert "revision 9000, which this shakhes does not know" in info.value.message


def test_opening_a_workspace_does_not_import_alembic(tmp_path: Path) -> None:
    init(tmp_path / "ws").close()
    code = (
        "import sys, shakhes\n"
        f"ws = shakhes.Workspace.open({str(tmp_path / 'ws')!r})\n"
        "print(len(ws.definitions()), any(m.startswith('alembic') for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), check=True
    ).stdout
    assert out.split() == [out.split()[0], "False"] and int(out.split()[0]) > 40


def test_db_upgrade_brings_an_outdated_store_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    init(root).close()
    url = f"sqlite:///{root / 'metadata.db'}"
    command.downgrade(alembic_config(url), "base")  # a store from before any migration
    monkeypatch.chdir(root)
    run = shakhes(capsys, "kpi", "list")
    assert run.code == 1 and "Traceback" not in run.err
    assert "error: the metadata store has no schema yet" in run.err
    assert "shakhes db upgrade" in run.err
    run = shakhes(capsys, "db", "upgrade")
    assert run.code == 0, run.err
    assert run.out.strip() == f"Upgraded the metadata store from revision none to {HEAD_REVISION}."
    engine = create_engine_for(url)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    assert shakhes(capsys, "kpi", "list").code == 0  # the workspace is registered again
    run = shakhes(capsys, "db", "upgrade")
    assert run.code == 0
    assert run.out.strip() == (
        f"The workspace is up to date (metadata store at revision {HEAD_REVISION}, "
        f"warehouse tables at version {SCHEMA_VERSION})."
    )


def test_an_older_warehouse_is_upgraded_before_it_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse made before imports recorded their options (and before its tables had a
    version): reading and writing refuse with the upgrade command (reading the import log
    would need the column), `db upgrade` adds it, and the import then records its options."""
    root = tmp_path / "ws"
    init(root).close()
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute("DROP TABLE shakhes_schema")
    con.execute("ALTER TABLE shakhes_imports DROP COLUMN options")
    con.close()
    monkeypatch.chdir(root)
    (root / "ads.csv").write_text(
        "date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,impressions,"
        "clicks,cost,conversions,conversion_value\n"
        "2026-09-01,google_ads,a,search,c1,Brand,g,x,USD,100,10,5,1,20\n",
        encoding="utf-8",
    )
    run = shakhes(capsys, "import", "ads.csv")
    assert run.code == 1 and "Traceback" not in run.err
    assert "made by an older version of shakhes" in run.err and "shakhes db upgrade" in run.err
    run = shakhes(capsys, "imports", "list")
    assert run.code == 1 and "Traceback" not in run.err and "shakhes db upgrade" in run.err
    assert shakhes(capsys, "kpi", "list").code == 0  # the metadata store alone is fine
    run = shakhes(capsys, "db", "upgrade")
    assert run.code == 0, run.err
    assert run.out.strip() == f"Upgraded the warehouse tables from version 0 to {SCHEMA_VERSION}."
    assert shakhes(capsys, "import", "ads.csv").code == 0
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM shakhes_imports WHERE options IS NOT NULL"
    ).fetchone() == (1,)
    con.close()


BUMP = """
import sys
from shakhes.store import MetadataStore
store = MetadataStore.open(sys.argv[1])
for _ in range(int(sys.argv[2])):
    store.bump_data_version("acme", "p", {})
store.close()
"""


@pytest.mark.slow
def test_sqlite_writers_in_several_processes_wait_for_each_other(sqlite_url: str) -> None:
    with MetadataStore.open(sqlite_url, upgrade=True) as store:
        store.ensure_workspace("acme", "Acme")
    children = [
        subprocess.Popen(
            [sys.executable, "-c", BUMP, sqlite_url, "25"], stderr=subprocess.PIPE, env=env()
        )
        for _ in range(4)
    ]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    with MetadataStore.open(sqlite_url) as store:
        assert store.versions("acme") == (100, 0)
