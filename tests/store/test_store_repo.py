"""MetadataStore: plan/apply/prune, the audit log, version counters and workspace isolation."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shakhes.errors import DefinitionError, UnknownKpiError, WorkspaceError
from shakhes.spec.kpi import KpiSpec
from shakhes.store import FieldChange, KpiChange, MetadataStore, Plan, session_factory
from shakhes.store.models import KpiDefinition

MakeSpec = Callable[..., KpiSpec]


def _definition(store: MetadataStore, workspace: str, kpi_id: str) -> KpiDefinition:
    with session_factory(store.engine)() as session:
        row = session.scalars(
            select(KpiDefinition).where(
                KpiDefinition.workspace_id == workspace, KpiDefinition.kpi_id == kpi_id
            )
        ).one()
        session.expunge(row)
        return row


# -- workspaces ------------------------------------------------------------------------------------


def test_new_workspace_starts_empty(store: MetadataStore) -> None:
    assert store.list_workspaces() == ["acme"]
    assert store.list_kpis("acme") == []
    assert store.versions("acme") == (0, 0)
    assert store.audit_log("acme") == []


def test_ensure_workspace_is_idempotent(store: MetadataStore) -> None:
    store.ensure_workspace("acme", "Another name")
    store.ensure_workspace("6f1c2a9e-8d3b-4b1e-9a57-0c5a3e2d1f00", "By uuid")
    assert store.list_workspaces() == ["6f1c2a9e-8d3b-4b1e-9a57-0c5a3e2d1f00", "acme"]
    assert store.versions("acme") == (0, 0)


@pytest.mark.parametrize("bad", ["", "has space", "-lead", "x" * 65, "a/b"])
def test_invalid_workspace_id_is_refused(store: MetadataStore, bad: str) -> None:
    with pytest.raises(WorkspaceError, match="not a valid workspace id"):
        store.ensure_workspace(bad, "Bad")


def test_unknown_workspace_suggests_the_nearest(store: MetadataStore, make_spec: MakeSpec) -> None:
    with pytest.raises(WorkspaceError) as caught:
        store.list_kpis("acmee")
    assert "no workspace 'acmee'" in str(caught.value)
    assert caught.value.hint == "did you mean 'acme'?"
    for call in (
        lambda: store.apply("nope", [make_spec("ctr")], actor="me"),
        lambda: store.plan("nope", []),
        lambda: store.versions("nope"),
        lambda: store.audit_log("nope"),
        lambda: store.bump_data_version("nope", "me", {}),
        lambda: store.get_kpi("nope", "ctr"),
    ):
        with pytest.raises(WorkspaceError):
            call()


# -- apply and plan --------------------------------------------------------------------------------


def test_apply_adds_kpis(store: MetadataStore, make_spec: MakeSpec) -> None:
    specs = [make_spec("roas"), make_spec("ctr"), make_spec("cpc")]
    plan = store.apply("acme", specs, actor="sara", source="catalog")
    assert plan == Plan(added=("cpc", "ctr", "roas"))
    assert store.list_kpis("acme") == sorted(specs, key=lambda spec: spec.id)
    assert store.get_kpi("acme", "ctr") == make_spec("ctr")
    assert store.versions("acme") == (0, 1)
    row = _definition(store, "acme", "ctr")
    assert (row.revision, row.source, row.updated_by) == (1, "catalog", "sara")
    assert row.updated_at.tzinfo is not None


def test_plan_does_not_write(store: MetadataStore, make_spec: MakeSpec) -> None:
    plan = store.plan("acme", [make_spec("ctr")])
    assert plan.added == ("ctr",)
    assert store.list_kpis("acme") == []
    assert store.versions("acme") == (0, 0)
    assert store.audit_log("acme") == []


def test_reapplying_the_same_set_changes_nothing(store: MetadataStore, make_spec: MakeSpec) -> None:
    specs = [make_spec("ctr"), make_spec("cpc")]
    store.apply("acme", specs, actor="sara")
    audit_before = store.audit_log("acme")
    plan = store.apply("acme", list(reversed(specs)), actor="reza", source="catalog")
    assert plan == Plan(unchanged=("cpc", "ctr"))
    assert not plan.has_changes
    assert store.versions("acme") == (0, 1)
    assert store.audit_log("acme") == audit_before
    row = _definition(store, "acme", "ctr")
    assert (row.revision, row.source, row.updated_by) == (1, "user", "sara")


def test_apply_updates_changed_fields(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("cpc")], actor="sara")
    new_ctr = make_spec("ctr", decimals=4, name={"en": "CTR", "fa": "نرخ کلیک"}, tags=["paid"])
    plan = store.apply("acme", [new_ctr, make_spec("cpc")], actor="reza")
    assert plan.added == plan.removed == ()
    assert plan.unchanged == ("cpc",)
    assert plan.changed == (
        KpiChange(
            "ctr",
            (
                FieldChange("name.en", "KPI ctr", "CTR"),
                FieldChange("name.fa", "شاخص ctr", "نرخ کلیک"),
                FieldChange("decimals", 2, 4),
                FieldChange("tags", [], ["paid"]),
            ),
        ),
    )
    assert store.get_kpi("acme", "ctr") == new_ctr
    row = _definition(store, "acme", "ctr")
    assert (row.revision, row.updated_by) == (2, "reza")
    assert store.versions("acme") == (0, 2)


def test_without_prune_missing_kpis_are_kept(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("old_kpi")], actor="sara")
    plan = store.apply("acme", [make_spec("ctr")], actor="sara")
    assert plan == Plan(unchanged=("ctr",))
    assert [spec.id for spec in store.list_kpis("acme")] == ["ctr", "old_kpi"]
    assert store.versions("acme") == (0, 1)


def test_prune_removes_missing_kpis(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("old_kpi")], actor="sara")
    assert store.plan("acme", [make_spec("ctr")], prune=True).removed == ("old_kpi",)
    plan = store.apply("acme", [make_spec("ctr")], actor="reza", prune=True)
    assert plan == Plan(removed=("old_kpi",), unchanged=("ctr",))
    assert [spec.id for spec in store.list_kpis("acme")] == ["ctr"]
    assert store.versions("acme") == (0, 2)
    with pytest.raises(UnknownKpiError):
        store.get_kpi("acme", "old_kpi")


def test_prune_with_an_empty_set_removes_everything(
    store: MetadataStore, make_spec: MakeSpec
) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("cpc")], actor="sara")
    plan = store.apply("acme", [], actor="sara", prune=True)
    assert plan.removed == ("cpc", "ctr")
    assert store.list_kpis("acme") == []


def test_removed_kpi_can_be_added_again(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr")], actor="sara")
    store.apply("acme", [], actor="sara", prune=True)
    assert store.apply("acme", [make_spec("ctr")], actor="sara").added == ("ctr",)
    assert _definition(store, "acme", "ctr").revision == 1


def test_duplicate_ids_are_refused_and_nothing_is_written(
    store: MetadataStore, make_spec: MakeSpec
) -> None:
    specs = [make_spec("ctr"), make_spec("cpc"), make_spec("ctr", decimals=3)]
    with pytest.raises(DefinitionError, match="more than once: ctr"):
        store.apply("acme", specs, actor="sara")
    with pytest.raises(DefinitionError):
        store.plan("acme", specs)
    assert store.list_kpis("acme") == []
    assert store.versions("acme") == (0, 0)


def test_nul_characters_are_refused(store: MetadataStore, make_spec: MakeSpec) -> None:
    with pytest.raises(DefinitionError, match=r"owner contains a NUL"):
        store.apply("acme", [make_spec("ctr", owner="a\x00b")], actor="sara")


def test_invalid_source_is_refused(store: MetadataStore, make_spec: MakeSpec) -> None:
    with pytest.raises(ValueError, match="source"):
        store.apply("acme", [make_spec("ctr")], actor="sara", source="robot")  # type: ignore[arg-type]


def test_apply_is_one_transaction(
    store: MetadataStore, make_spec: MakeSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.apply("acme", [make_spec("ctr")], actor="sara")
    original = MetadataStore._audit
    calls = []

    def failing_audit(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MetadataStore, "_audit", staticmethod(failing_audit))
    with pytest.raises(RuntimeError, match="disk full"):
        store.apply(
            "acme", [make_spec("ctr", decimals=5), make_spec("cpc")], actor="reza", prune=True
        )
    monkeypatch.undo()
    assert store.list_kpis("acme") == [make_spec("ctr")]
    assert store.versions("acme") == (0, 1)
    assert len(store.audit_log("acme")) == 1


def test_get_unknown_kpi_suggests_the_nearest(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("cost_per_lead")], actor="sara")
    with pytest.raises(UnknownKpiError) as caught:
        store.get_kpi("acme", "cost_per_leed")
    assert "no KPI 'cost_per_leed'" in caught.value.message
    assert caught.value.hint == "did you mean 'cost_per_lead'?"
    with pytest.raises(UnknownKpiError) as far:
        store.get_kpi("acme", "zzzzzz")
    assert far.value.hint is None


def test_persian_text_is_stored_exactly(store: MetadataStore, make_spec: MakeSpec) -> None:
    spec = make_spec(
        "leads",
        name={"en": 'Leads "qualified"', "fa": "سرنخ‌های واجد شرایط"},
        description={"en": "Line one:\n  # two", "fa": "خط اول\nخط دوم: «نقل‌قول»"},
        owner="تیم رشد",
        tags=["بازاریابی", "paid: search"],
        dimensions=["channel", "campaign"],
    )
    store.apply("acme", [spec], actor="سارا")
    assert store.get_kpi("acme", "leads") == spec
    assert store.audit_log("acme")[0].actor == "سارا"


# -- rendering -------------------------------------------------------------------------------------


def test_render_is_a_terraform_like_diff(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr"), make_spec("old_kpi"), make_spec("roas")], actor="sara")
    plan = store.plan(
        "acme",
        [make_spec("ctr", decimals=4, owner="growth"), make_spec("cpc"), make_spec("roas")],
        prune=True,
    )
    assert plan.render() == (
        "+ cpc\n"
        "~ ctr: decimals 2 → 4\n"
        '~ ctr: owner "" → "growth"\n'
        "- old_kpi\n"
        "\n"
        "Plan: 1 to add, 1 to change, 1 to remove, 1 unchanged."
    )


def test_render_keeps_each_change_on_one_line(make_spec: MakeSpec) -> None:
    plan = Plan(
        changed=(KpiChange("ctr", (FieldChange("description.fa", "خط\nاول", "دوم"),)),),
    )
    assert plan.render().splitlines()[0] == '~ ctr: description.fa "خط\\nاول" → "دوم"'


def test_render_without_changes() -> None:
    assert Plan(unchanged=("a", "b")).render() == "No changes. 2 unchanged."
    assert Plan().render() == "No changes. 0 unchanged."


# -- audit log -------------------------------------------------------------------------------------


def test_audit_records_before_after_and_actor(store: MetadataStore, make_spec: MakeSpec) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    old, new = make_spec("ctr"), make_spec("ctr", decimals=4)
    store.apply("acme", [old, make_spec("gone")], actor="sara")
    store.apply("acme", [new], actor="reza", prune=True)

    log = store.audit_log("acme")
    assert [(entry.action, entry.entity_id, entry.actor) for entry in log] == [
        ("delete", "gone", "reza"),
        ("update", "ctr", "reza"),
        ("create", "gone", "sara"),
        ("create", "ctr", "sara"),
    ]
    assert all(entry.entity_type == "kpi" and entry.workspace_id == "acme" for entry in log)
    delete, update, _create_gone, create = log
    assert create.before is None
    assert create.after == old.model_dump(mode="json")
    assert update.before == old.model_dump(mode="json")
    assert update.after == new.model_dump(mode="json")
    assert update.before is not None and update.before["decimals"] == 2
    assert delete.before == make_spec("gone").model_dump(mode="json")
    assert delete.after is None
    for entry in log:
        assert entry.at.tzinfo is not None
        assert entry.at.utcoffset() == timedelta(0)
        assert started <= entry.at <= datetime.now(UTC) + timedelta(seconds=5)
    ids = [entry.id for entry in log]
    assert ids == sorted(ids, reverse=True)


def test_audit_filter_and_limit(store: MetadataStore, make_spec: MakeSpec) -> None:
    for decimals in range(5):
        store.apply("acme", [make_spec("ctr", decimals=decimals), make_spec("cpc")], actor="a")
    ctr_log = store.audit_log("acme", entity_id="ctr")
    assert [entry.action for entry in ctr_log] == ["update"] * 4 + ["create"]
    assert [entry.after["decimals"] for entry in ctr_log if entry.after] == [4, 3, 2, 1, 0]
    assert len(store.audit_log("acme", limit=2)) == 2
    assert store.audit_log("acme", entity_id="nothing") == []
    with pytest.raises(ValueError, match="limit"):
        store.audit_log("acme", limit=0)


def test_audit_records_are_frozen(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr")], actor="sara")
    entry = store.audit_log("acme")[0]
    with pytest.raises(AttributeError):
        entry.actor = "someone else"  # type: ignore[misc]


# -- versions --------------------------------------------------------------------------------------


def test_bump_data_version(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.apply("acme", [make_spec("ctr")], actor="sara")
    assert store.bump_data_version("acme", "loader", {"table": "ad_performance", "rows": 120}) == 1
    assert store.bump_data_version("acme", "loader", {"table": "leads"}, entity_id="leads") == 2
    assert store.versions("acme") == (2, 1)
    latest, first = store.audit_log("acme", limit=2)
    assert (first.entity_type, first.entity_id, first.action, first.actor) == (
        "data",
        "data",
        "load",
        "loader",
    )
    assert first.before == {"data_version": 0}
    assert first.after == {
        "data_version": 1,
        "details": {"table": "ad_performance", "rows": 120},
    }
    assert latest.entity_id == "leads"
    assert store.audit_log("acme", entity_id="leads") == [latest]


def test_bump_data_version_refuses_unserialisable_details(store: MetadataStore) -> None:
    with pytest.raises(TypeError):
        store.bump_data_version("acme", "loader", {"when": object()})
    assert store.versions("acme") == (0, 0)
    assert store.audit_log("acme") == []


# -- isolation -------------------------------------------------------------------------------------


def test_workspaces_are_isolated(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.ensure_workspace("globex", "Globex")
    store.apply("acme", [make_spec("ctr"), make_spec("cpc")], actor="sara")
    store.apply("globex", [make_spec("ctr", decimals=5)], actor="omid")
    store.bump_data_version("globex", "loader", {})

    assert [spec.id for spec in store.list_kpis("acme")] == ["cpc", "ctr"]
    assert store.list_kpis("globex") == [make_spec("ctr", decimals=5)]
    assert store.get_kpi("acme", "ctr").decimals == 2
    with pytest.raises(UnknownKpiError):
        store.get_kpi("globex", "cpc")
    assert store.versions("acme") == (0, 1)
    assert store.versions("globex") == (1, 1)
    assert {entry.actor for entry in store.audit_log("acme")} == {"sara"}
    assert {entry.workspace_id for entry in store.audit_log("globex")} == {"globex"}

    # Pruning one workspace does not touch the other.
    store.apply("globex", [], actor="omid", prune=True)
    assert store.list_kpis("globex") == []
    assert [spec.id for spec in store.list_kpis("acme")] == ["cpc", "ctr"]
    assert store.plan("acme", [make_spec("ctr"), make_spec("cpc")]).unchanged == ("cpc", "ctr")


def test_store_reopens_with_its_data(store_url: str, make_spec: MakeSpec) -> None:
    with MetadataStore.open(store_url, upgrade=True) as first:
        first.ensure_workspace("acme", "Acme")
        first.apply("acme", [make_spec("ctr")], actor="sara")
    with MetadataStore.open(store_url) as second:
        assert second.list_kpis("acme") == [make_spec("ctr")]
        assert second.versions("acme") == (0, 1)


# -- concurrency -----------------------------------------------------------------------------------


def test_concurrent_writers_do_not_lose_updates(store: MetadataStore, make_spec: MakeSpec) -> None:
    specs = [make_spec("ctr"), make_spec("cpc")]

    def load(worker: int) -> None:
        for step in range(5):
            store.bump_data_version("acme", f"loader-{worker}", {"step": step})

    def define(_worker: int) -> None:
        store.apply("acme", specs, actor="sara")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(load, range(4)))
        list(pool.map(define, range(4)))

    assert store.versions("acme") == (20, 1)  # the same set applied 4 times changes once
    log = store.audit_log("acme", limit=1000)
    assert sorted(
        entry.after["data_version"] for entry in log if entry.after and entry.action == "load"
    ) == list(range(1, 21))
    assert [entry.action for entry in log if entry.entity_type == "kpi"] == ["create", "create"]
