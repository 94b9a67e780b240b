"""Property tests: any valid KPI set survives the store and the YAML file exactly, and applying it
again changes nothing."""

from __future__ import annotations

import string
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shakhes.spec.kpi import ID_PATTERN, Category, Direction, Kind, KpiSpec, Text, Timing, Unit
from shakhes.spec.yaml_io import dump_specs, load_specs
from shakhes.store import MetadataStore

PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآ؟،؛«»۰۱۲۳۴۵۶۷۸۹\u200c"
TRICKY = "'\"`:#-?|>!%@&*{}[],\\ \t\n"
ALPHABET = PERSIAN + TRICKY + string.ascii_letters + string.digits

# PostgreSQL cannot store NUL in JSON; the store refuses it (tested elsewhere).
texts = st.one_of(
    st.text(st.sampled_from(ALPHABET), min_size=1, max_size=30),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=15),
)
maybe_empty = st.one_of(st.just(""), texts)
bilingual = st.builds(Text, en=texts, fa=texts)

specs = st.builds(
    KpiSpec,
    id=st.from_regex(ID_PATTERN, fullmatch=True),
    name=bilingual,
    description=bilingual,
    formula=texts,
    unit=st.sampled_from(Unit),
    direction=st.sampled_from(Direction),
    kind=st.sampled_from(Kind),
    timing=st.sampled_from(Timing),
    category=st.sampled_from(Category),
    dimensions=st.lists(maybe_empty, max_size=3).map(tuple),
    decimals=st.integers(0, 6),
    owner=maybe_empty,
    tags=st.lists(maybe_empty, max_size=3).map(tuple),
)
spec_sets = st.lists(specs, max_size=4, unique_by=lambda spec: spec.id)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MetadataStore]:
    """One store per backend for the whole module; each example uses a new workspace."""
    if request.param == "postgres":
        url = str(request.getfixturevalue("pg_store_url"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('roundtrip') / 'store.db'}"
    with MetadataStore.open(url, upgrade=True) as store:
        yield store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kpis=spec_sets, edited=specs)
def test_store_round_trip_and_unchanged_reapply(
    shared_store: MetadataStore, kpis: list[KpiSpec], edited: KpiSpec
) -> None:
    workspace = uuid.uuid4().hex
    shared_store.ensure_workspace(workspace, "property test")

    plan = shared_store.apply(workspace, kpis, actor="hypothesis")
    assert plan.added == tuple(sorted(spec.id for spec in kpis))
    stored = shared_store.list_kpis(workspace)
    assert stored == sorted(kpis, key=lambda spec: spec.id)
    versions = shared_store.versions(workspace)
    audit = shared_store.audit_log(workspace)

    # Through the YAML file and back: still nothing to do.
    from_yaml = load_specs(dump_specs(stored))
    assert from_yaml == stored
    again = shared_store.apply(workspace, from_yaml, actor="hypothesis")
    assert not again.has_changes
    assert again.unchanged == plan.added
    assert shared_store.versions(workspace) == versions
    assert shared_store.audit_log(workspace) == audit

    # One edit: exactly that KPI changes, with field-level differences that match.
    if kpis:
        target = kpis[0]
        changed = edited.model_copy(update={"id": target.id})
        result = shared_store.apply(workspace, [changed, *kpis[1:]], actor="editor")
        if changed == target:
            assert not result.has_changes
        else:
            assert [change.kpi_id for change in result.changed] == [target.id]
            assert result.changed[0].fields
            assert shared_store.get_kpi(workspace, target.id) == changed
            assert shared_store.versions(workspace)[1] == versions[1] + 1
