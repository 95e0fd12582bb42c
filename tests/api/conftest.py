"""Fixtures for the HTTP API tests: a fresh data dir per test, the in-process app through FastAPI's
TestClient, a fast job runner, a project with a breakdown, and the google emulator on loopback."""
from __future__ import annotations

import pytest

from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN  # noqa: F401 (re-exported for the tests)

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
We sail at dawn.

EXT. HARBOUR - DAWN

TOM unties the boat.

TOM
The sea is calm today.
"""


@pytest.fixture(autouse=True)
def data_dir(data_dir):
    """The shared fresh data dir (tests/conftest.py): no provider keys, no API token."""
    return data_dir


# The in-process test client as a loopback caller on a loopback name (Starlette's default
# "testclient" peer has no IP address, and "testserver" is no allowed host: both are refused).
LOCAL = {"client": ("127.0.0.1", 50000), "base_url": "http://127.0.0.1"}


@pytest.fixture
def client(data_dir):
    """The API app in process; server exceptions are NOT raised so a 500 is seen as the client sees it."""
    from fastapi.testclient import TestClient

    from core.api.app import app

    with TestClient(app, raise_server_exceptions=False, **LOCAL) as c:
        yield c


@pytest.fixture
def project(client):
    """A project with a two-scene script and its breakdown; returns the breakdown answer plus ``id``."""
    pid = client.post("/projects", json={"name": "Lighthouse", "target_length_s": 30}).json()["id"]
    assert client.post(f"/projects/{pid}/scripts", json={"text": SCRIPT}).status_code == 201
    answer = client.post(f"/projects/{pid}/breakdown", json={"mode": "auto"})
    assert answer.status_code == 200, answer.text
    return {"id": pid, **answer.json()}


def wait_job(client, job: dict, *, timeout_s: float = 60) -> dict:
    """Block until the job is terminal (via core.jobs.service.wait_for), then return GET /jobs/{id}."""
    from core.jobs.service import wait_for

    if job["status"] not in ("succeeded", "failed", "cancelled"):
        wait_for(job_id=job["job_id"], timeout_s=timeout_s)
    answer = client.get(f"/jobs/{job['job_id']}")
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def google_emu(data_dir, serve_google):
    """The google emulator on loopback with the settings aimed at it; yields its GoogleState."""
    with serve_google(job_seconds=0.1, timeout_s=2.0) as state:
        yield state
