"""A property-based run of the OpenAPI document (schemathesis) against the in-process app: no 500.

Bounded: a few examples per operation, no deadline, the ASGI app only (no network). Each operation
runs on a fresh data dir with one project and breakdown, so ids 1, 2… often name real rows.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
import pytest

from tests.api.conftest import SCRIPT


class _HoldingRunner:
    """Keeps queued jobs queued: the run checks the API's answers, not the media engines (tested elsewhere)."""

    stopped = False

    def enqueue(self, **_kwargs) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.fixture
def api_schema(data_dir):
    from fastapi.testclient import TestClient

    from core.api.app import app
    from core.jobs.service import set_runner

    set_runner(_HoldingRunner())

    with TestClient(app) as c:
        pid = c.post("/projects", json={"name": "Fuzz", "target_length_s": 30}).json()["id"]
        c.post(f"/projects/{pid}/scripts", json={"text": SCRIPT})
        c.post(f"/projects/{pid}/breakdown", json={})
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    # The coverage phase alone generates hundreds of boundary cases per route; the explicit
    # examples plus bounded fuzzing keep the run within the test budget.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_500(case):
    response = case.call()
    assert response.status_code < 500 or response.status_code == 501, (
        case.method, case.formatted_path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
