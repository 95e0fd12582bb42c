"""A property-based run of the OpenAPI document (schemathesis) against the in-process app, over
every route: no 5xx, and no status the document does not list for that route.

Bounded: a few examples per operation, no deadline, the ASGI app only (no network). Each operation
runs on a fresh data dir with one project and breakdown, so ids 1, 2… often name real rows.
Schemathesis' in-process client has no IP address and sends ``Host: testserver``, so the app is
served as a token-protected API that answers to that name (the exposure rules stay on).
"""
from __future__ import annotations

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance
from hypothesis import HealthCheck, Phase, settings
import pytest

from tests.api.conftest import LOCAL, SCRIPT


class _HoldingRunner:
    """Keeps queued jobs queued: the run checks the API's answers, not the media engines (tested elsewhere)."""

    stopped = False

    def enqueue(self, **_kwargs) -> None:
        pass

    def stop(self) -> None:
        pass


TOKEN = "sr-fuzz-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api_schema(data_dir, monkeypatch):
    from fastapi.testclient import TestClient

    from core.api.app import app
    from core.jobs.service import set_runner
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_API_TOKEN", TOKEN)
    monkeypatch.setenv("STORYREEL_ALLOWED_HOSTS", "127.0.0.1,testserver")
    get_settings.cache_clear()
    set_runner(_HoldingRunner())

    with TestClient(app, headers=AUTH, **LOCAL) as c:
        pid = c.post("/projects", json={"name": "Fuzz", "target_length_s": 30}).json()["id"]
        c.post(f"/projects/{pid}/scripts", json={"text": SCRIPT})
        c.post(f"/projects/{pid}/breakdown", json={})
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app, headers=AUTH)
    # The coverage phase alone generates hundreds of boundary cases per route; the explicit
    # examples plus bounded fuzzing keep the run within the test budget.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_an_undocumented_status(case):
    response = case.call_and_validate(headers=AUTH, checks=[not_a_server_error, status_code_conformance,
                                                            content_type_conformance])
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
