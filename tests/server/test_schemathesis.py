"""Property tests of the API from its own OpenAPI document (schemathesis): requests generated
for every operation, sent as an admin with a personal access token, must never get a 5xx, and
each answer must match the schema the document gives for its status — with the server store
on SQLite and on PostgreSQL, as every server test."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance
from support.server import WS, Api

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def admin_token(writable_api: Api) -> str:
    user = writable_api.store.user("admin@example.com")
    _, text = writable_api.store.create_token(user.id, "schemathesis", read_only=False)
    return text


@pytest.fixture(scope="module")
def api_schema(writable_api: Api) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", writable_api.app)
    # Revoking its own token would turn every later call into a 401.
    return schema.exclude(path="/api/v1/tokens/{token_id}", method="DELETE")


def not_a_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code}"
    return None


def test_no_operation_answers_a_5xx_or_breaks_its_schema(api_schema: Any, admin_token: str) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            if case.path_parameters and "workspace" in case.path_parameters:
                case.path_parameters["workspace"] = WS  # its routes, not a 404 for the name
            # A cold call (anomalies: every KPI, explained) may take more than schemathesis'
            # 10 s on a busy 2-core machine: a time-out is not the answer this test checks.
            response = case.call(headers=headers, timeout=120)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except Exception as exc:  # one line per operation that fails, then all at once
            inner = getattr(exc, "exceptions", None) or [exc]  # a flaky one: its own failures
            failures.append(f"{operation.label}: {[str(e).splitlines()[0:6] for e in inner]}")
    assert operations >= 35
    assert not failures, "\n".join(failures)
