"""Fixtures for adapter, jobs and cache tests: a temp data dir, the google emulator with the real
SDK aimed at it, and a fast job runner."""
from __future__ import annotations

import pytest

from core import cache
from core.db import reset_engines
from core.settings import get_settings

GOOGLE_KEY = "AIzaTEST-google-key-0123456789"
VERTEX_TOKEN = "ya29.TEST-vertex-token-abcdef"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data dir (database, media, cache) for one test."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for name in ("GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_VERTEX_ACCESS_TOKEN", "GOOGLE_GENAI_BASE_URL",
                 "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    reset_engines()
    cache.close_all()
    yield tmp_path / "data"
    from core.jobs import reset_runner

    reset_runner()
    cache.close_all()
    reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def google_emu(data_dir, monkeypatch):
    """The google emulator on loopback, with settings aimed at it; yields its GoogleState."""
    from core.providers.google import ADAPTER
    from tests.emulators.google import GoogleState, make_app
    from tests.emulators.server import serve

    state = GoogleState(api_key=GOOGLE_KEY, bearer_token=VERTEX_TOKEN, job_seconds=0.2)
    with serve(make_app(state)) as url:
        monkeypatch.setenv("GOOGLE_GENAI_BASE_URL", url)
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "storyreel-test")
        monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
        monkeypatch.setenv("GOOGLE_VERTEX_ACCESS_TOKEN", VERTEX_TOKEN)
        monkeypatch.setenv("GOOGLE_API_KEY", GOOGLE_KEY)
        get_settings.cache_clear()
        ADAPTER._clients.clear()
        old_timeout = ADAPTER.timeout_s
        ADAPTER.timeout_s = 1.0
        yield state
        ADAPTER.timeout_s = old_timeout
        ADAPTER._clients.clear()


def make_runner(**overrides):
    from core.jobs import JobRunner

    opts = dict(poll_initial_s=0.05, poll_factor=1.0, poll_max_s=0.05, backoff_base_s=0.01, backoff_max_s=0.2,
                max_retries=3)
    opts.update(overrides)
    return JobRunner(**opts)


@pytest.fixture
def runner(data_dir):
    """A fast runner installed as the process-wide one."""
    from core.jobs import set_runner

    r = make_runner()
    set_runner(r)
    yield r
    r.stop()
    set_runner(None)


@pytest.fixture
def png_file(tmp_path):
    """A small PNG on disk."""
    from tests.emulators.google import tiny_png

    path = tmp_path / "frame.png"
    path.write_bytes(tiny_png(width=64, height=36, seed="frame"))
    return path
