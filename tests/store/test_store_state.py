"""MetadataStore.state: the versions and the last audited change in one query, the same as
versions() and last_change() ask separately (the web server keys its caches on it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shakhes.errors import WorkspaceError
from shakhes.spec.kpi import KpiSpec
from shakhes.store import MetadataStore

MakeSpec = Callable[..., KpiSpec]


def _separately(store: MetadataStore, workspace: str) -> tuple[int, int, int]:
    return (*store.versions(workspace), store.last_change(workspace))


def test_state_follows_every_change(store: MetadataStore, make_spec: MakeSpec) -> None:
    store.ensure_workspace("other", "Other")
    assert store.state("acme") == _separately(store, "acme") == (0, 0, 0)
    store.apply("acme", [make_spec("ctr")], actor="me")
    after_kpi = store.state("acme")
    assert after_kpi == _separately(store, "acme")
    assert after_kpi[1] == 1 and after_kpi[2] > 0
    store.bump_data_version("acme", "me", {"rows": 3})
    after_data = store.state("acme")
    assert after_data == _separately(store, "acme")
    assert after_data[0] == 1 and after_data[2] > after_kpi[2]
    store.bump_data_version("other", "me", {"rows": 1})  # another workspace's change
    assert store.state("acme") == after_data
    assert store.state("other") == _separately(store, "other") == (1, 0, after_data[2] + 1)


def test_state_of_an_unknown_workspace_is_the_versions_error(store: MetadataStore) -> None:
    with pytest.raises(WorkspaceError, match="no workspace 'acmee'"):
        store.state("acmee")
