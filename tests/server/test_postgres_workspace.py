"""A workspace whose own metadata store (``metadata_url`` in shakhes.toml: KPIs, goals,
targets, the import log, the audit log) is on PostgreSQL, served by a server whose store is on
PostgreSQL too: every kind of route reads and writes it as it does on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.server import Api, StorePool, app_over, ok

from shakhes.workspace import init

pytestmark = pytest.mark.postgres

ADS = """date,platform,account,channel,campaign_id,campaign,ad_group,ad,currency,\
impressions,clicks,cost,conversions,conversion_value
2025-01-01,google_ads,pg,search,p1,Postgres test,g1,,USD,1000,50,25.5,5,500
2025-01-02,google_ads,pg,search,p1,Postgres test,g1,,USD,2000,70,30,2,200
2025-01-03,google_ads,pg,search,p1,Postgres test,g1,,USD,1500,30,12.25,1,90
"""
BASE = "/api/v1/workspaces/on-postgres"


@pytest.fixture(scope="module")
def pg_api(tmp_path_factory: pytest.TempPathFactory, store_pool: StorePool) -> Iterator[Api]:
    from store.conftest import new_pg_database

    folder = tmp_path_factory.mktemp("pg-ws")
    with new_pg_database() as metadata:
        ws = init(folder / "ws", name="on-postgres", metadata_url=metadata)
        ws.close()
        other = init(folder / "other", name="other")
        other.close()
        with app_over(store_pool, "postgres", ws.root, other.root, folder / "home") as made:
            assert not (ws.root / "metadata.db").exists()  # the workspace's store is elsewhere
            yield made


def test_a_workspace_with_its_metadata_on_postgres_is_served(pg_api: Api) -> None:
    editor = pg_api.login("editor")
    kpis = ok(editor.get(f"{BASE}/kpis"))
    assert "ctr" in [k["id"] for k in kpis]  # the catalog, read from Postgres

    files = {"files": ("ads.csv", ADS.encode(), "text/csv")}
    [done] = ok(editor.post(f"{BASE}/imports", files=files))
    assert done["error"] is None and done["report"]["accepted"] == 3
    import_id = done["report"]["import_id"]
    assert [i["import_id"] for i in ok(editor.get(f"{BASE}/imports"))] == [import_id]

    query = "kpis=cost,ctr&grain=total&from=2025-01-01&to=2025-01-31"
    values = {r["kpi"]: r["value"] for r in ok(editor.get(f"{BASE}/compute?{query}"))}
    assert values["cost"] == pytest.approx(25.5 + 30 + 12.25)
    assert values["ctr"] == pytest.approx((50 + 70 + 30) / (1000 + 2000 + 1500))

    spec = next(k for k in kpis if k["id"] == "cpc")
    mine = {**spec, "id": "cpc_pg", "formula": "cost / clicks"}
    assert ok(editor.put(f"{BASE}/kpis/cpc_pg", json=mine))["added"] == ["cpc_pg"]
    [cpc] = ok(editor.get(f"{BASE}/compute?kpis=cpc_pg&grain=total&from=2025-01-01&to=2025-01-31"))
    assert cpc["value"] == pytest.approx((25.5 + 30 + 12.25) / (50 + 70 + 30))

    goal = {"id": "pg_goal", "title": "Cheap clicks", "period": "2025", "kpis": [{"kpi": "cpc_pg"}]}
    ok(editor.post(f"{BASE}/goals", json=goal), 201)
    target = {"kpi": "cpc_pg", "period": "2025-01", "value": 1.0, "goal": "pg_goal"}
    assert ok(editor.post(f"{BASE}/targets", json=target))["action"] == "created"
    status = ok(editor.get(f"{BASE}/status?on=2025-01-03"))
    [tracked] = [t for g in status["goals"] for k in g["kpis"] for t in k["targets"]]
    assert tracked["kpi"] == "cpc_pg" and tracked["actual"] == pytest.approx(cpc["value"])

    audit = ok(editor.get(f"{BASE}/audit?limit=50"))
    assert {"cpc_pg", "pg_goal"} <= {e["entity_id"] for e in audit}
    assert {e["actor"] for e in audit if e["entity_id"] == "cpc_pg"} == {"editor@example.com"}
    assert ok(editor.post(f"{BASE}/imports/{import_id}/undo"))["deleted"] == 3
