"""Fixtures for the HTTP API tests: a fresh data dir per test, the in-process app through FastAPI's
TestClient, a fast job runner, a project with a breakdown, and the google emulator on loopback."""
from __future__ import annotations

import pytest

from core import db
from core.settings import get_settings

GOOGLE_KEY = "AIzaTEST-google-key-0123456789"
VERTEX_TOKEN = "ya29.TEST-vertex-token-abcdef"
PROVIDER_SETTINGS = (
    "GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY", "DATABASE_URL",
    "GOOGLE_CLOUD_PROJECT", "GOOGLE_VERTEX_ACCESS_TOKEN", "GOOGLE_GENAI_BASE_URL", "REPLICATE_BASE_URL",
    "ELEVENLABS_BASE_URL", "WAVESPEED_BASE_URL", "STORYREEL_API_TOKEN", "STORYREEL_MAX_UPLOAD_MB",
)
SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
We sail at dawn.

EXT. HARBOUR - DAWN

TOM unties the boat.

TOM
The sea is calm today.
"""


def _forget_state() -> None:
    from core import cache

    cache.close_all()
    db.reset_engines()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Point STORYREEL_DATA_DIR at a temp folder; no provider keys, no API token."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in PROVIDER_SETTINGS:
        monkeypatch.delenv(key, raising=False)
    _forget_state()
    yield tmp_path / "data"
    from core.jobs import reset_runner

    reset_runner()
    _forget_state()


@pytest.fixture
def runner(data_dir):
    """A fast job runner installed as the process-wide one."""
    from core.jobs import JobRunner, set_runner

    r = JobRunner(poll_initial_s=0.05, poll_factor=1.0, poll_max_s=0.05, backoff_base_s=0.01, backoff_max_s=0.2,
                  max_retries=2)
    set_runner(r)
    yield r
    r.stop()
    set_runner(None)


@pytest.fixture
def client(data_dir):
    """The API app in process; server exceptions are NOT raised so a 500 is seen as the client sees it."""
    from fastapi.testclient import TestClient

    from core.api import app

    with TestClient(app, raise_server_exceptions=False) as c:
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
    """Block until the job is terminal (via core.jobs.wait_for), then return GET /jobs/{id}."""
    from core.jobs import wait_for

    if job["status"] not in ("succeeded", "failed", "cancelled"):
        wait_for(job_id=job["job_id"], timeout_s=timeout_s)
    answer = client.get(f"/jobs/{job['job_id']}")
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def google_emu(data_dir, monkeypatch):
    """The google emulator on loopback with the settings aimed at it; yields its GoogleState."""
    from core.providers.google import ADAPTER
    from tests.emulators.google import GoogleState, make_app
    from tests.emulators.server import serve

    state = GoogleState(api_key=GOOGLE_KEY, bearer_token=VERTEX_TOKEN, job_seconds=0.1)
    with serve(make_app(state)) as url:
        monkeypatch.setenv("GOOGLE_GENAI_BASE_URL", url)
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "storyreel-test")
        monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
        monkeypatch.setenv("GOOGLE_VERTEX_ACCESS_TOKEN", VERTEX_TOKEN)
        monkeypatch.setenv("GOOGLE_API_KEY", GOOGLE_KEY)
        get_settings.cache_clear()
        ADAPTER._clients.clear()
        old_timeout = ADAPTER.timeout_s
        ADAPTER.timeout_s = 2.0
        yield state
        ADAPTER.timeout_s = old_timeout
        ADAPTER._clients.clear()
