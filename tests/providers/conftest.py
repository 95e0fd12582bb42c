"""Fixtures for adapter, jobs and cache tests: the google emulator with the real SDK aimed at it and a
fast job runner (the temp ``data_dir`` is the shared one of tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN  # noqa: F401 (re-exported for the tests)
from tests.conftest import make_runner as _fast_runner
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from core.settings import get_settings
from tests.emulators.media import solid_png, tone_wav
from tests.emulators.server import serve

RETRIES = 3  # the job runners here retry three times


@pytest.fixture
def google_emu(data_dir, serve_google):
    """The google emulator on loopback, with settings aimed at it; yields its GoogleState."""
    with serve_google(job_seconds=0.2, timeout_s=1.0) as state:
        yield state


def make_runner(**overrides):
    """A fast runner (tests/conftest.py) that retries ``RETRIES`` times, like the ``runner`` fixture here."""
    return _fast_runner(**{"max_retries": RETRIES, **overrides})


@pytest.fixture
def runner_retries() -> int:
    """The shared ``runner`` fixture (tests/conftest.py) retries ``RETRIES`` times here."""
    return RETRIES


@pytest.fixture
def png_file(tmp_path):
    """A small PNG on disk."""
    from tests.emulators.media import seeded_png

    path = tmp_path / "frame.png"
    path.write_bytes(seeded_png(width=64, height=36, seed="frame"))
    return path


# --- replicate / elevenlabs / wavespeed emulators (Fixtures for the replicate / elevenlabs / wavespeed adapter tests.)
FIXTURES = Path(__file__).parent / "fixtures"
REPLICATE_KEY = "r8_TESTKEY_replicate_0123456789abcdef"
ELEVEN_KEY = "sk_TESTKEY_eleven_0123456789abcdef"
WAVESPEED_KEY = "ws_TESTKEY_wavespeed_0123456789abcdef"
ALL_KEYS = (REPLICATE_KEY, ELEVEN_KEY, WAVESPEED_KEY)


@dataclass
class Cap:
    """Duck-typed stand-in for ``core.registry.Capability``."""

    model: str
    operation: str
    input_schema: dict
    roles: dict = field(default_factory=dict)
    provider: str = ""
    media_type: str = ""
    version: str | None = None


def replicate_schema(name: str) -> dict:
    """The ``openapi_schema`` of a copied ../shared/replicate_schemas file."""
    return json.loads((FIXTURES / f"{name}.json").read_text())["openapi_schema"]


@pytest.fixture
def settings_env(monkeypatch, tmp_path):
    """Set every key and point the data dir at tmp; yields a setter for base URLs."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
    monkeypatch.setenv("ELEVENLABS_API_KEY", ELEVEN_KEY)
    monkeypatch.setenv("WAVESPEED_API_KEY", WAVESPEED_KEY)
    get_settings.cache_clear()

    def set_url(name: str, url: str) -> None:
        monkeypatch.setenv(name, url)
        get_settings.cache_clear()

    yield set_url
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def debug_logs(caplog):
    """Capture DEBUG logs, so that a key leaked into any log line is seen by ``assert_no_key``."""
    caplog.set_level(logging.DEBUG)


@contextmanager
def _served(emu):
    """Serve an emulator on loopback for the session; its URL is kept as ``emu.base_url``."""
    with serve(emu.app) as url:
        emu.base_url = url
        yield emu


@pytest.fixture(scope="session")
def _replicate_server():
    from tests.emulators.replicate import EmulatedModel, make_app

    models = [
        EmulatedModel(owner="google", name="veo-3.1", openapi_schema=replicate_schema("google__veo-3.1"), output="video"),
        EmulatedModel(owner="bytedance", name="seedream-4", openapi_schema=replicate_schema("bytedance__seedream-4"),
                      output="images"),
        EmulatedModel(owner="stability-ai", name="stable-video-diffusion", official=False, output="video",
                      openapi_schema=replicate_schema("stability-ai__stable-video-diffusion"),
                      version_id="3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"),
    ]
    with _served(make_app(token=REPLICATE_KEY, models=models, steps=2)) as emu:
        yield emu


@pytest.fixture(scope="session")
def _eleven_server():
    from tests.emulators.elevenlabs import make_app

    with _served(make_app(api_key=ELEVEN_KEY)) as emu:
        yield emu


@pytest.fixture(scope="session")
def _wavespeed_server():
    from tests.emulators.wavespeed import make_app

    with _served(make_app(api_key=WAVESPEED_KEY, steps=2)) as emu:
        yield emu


# One server per provider for the whole session (starting uvicorn per test costs ~0.2 s);
# each test gets it reset: no requests, jobs, files or faults left over.
def _fresh(emu, settings_env, base_url_setting: str):
    emu.reset()
    settings_env(base_url_setting, emu.base_url)
    return emu


@pytest.fixture
def replicate_emu(settings_env, _replicate_server):
    return _fresh(_replicate_server, settings_env, "REPLICATE_BASE_URL")


@pytest.fixture
def eleven_emu(settings_env, _eleven_server):
    return _fresh(_eleven_server, settings_env, "ELEVENLABS_BASE_URL")


@pytest.fixture
def wavespeed_emu(settings_env, _wavespeed_server):
    return _fresh(_wavespeed_server, settings_env, "WAVESPEED_BASE_URL")


def write_png(path: Path, size=(48, 27), color=(10, 120, 200)) -> Path:
    path.write_bytes(solid_png(width=size[0], height=size[1], color=color))
    return path


def write_wav(path: Path, seconds: float = 0.3, rate: int = 16000) -> Path:
    path.write_bytes(tone_wav(seconds=seconds, rate=rate, amplitude=8000))
    return path


def poll_until_done(adapter, req, op_id, *, what: str | None = None, fresh: bool = False, limit: int = 10):
    """Poll ``op_id`` until it is terminal and return the result; fails after ``limit`` polls.
    With ``fresh``, ``adapter`` is a factory called for every poll (a new process: no in-memory state)."""
    from core.providers.base import TERMINAL

    for _ in range(limit):
        result = (adapter() if fresh else adapter).poll(request=req, operation_id=op_id)
        if result.status in TERMINAL:
            return result
    raise AssertionError(f"{what} never finished" if what else "never finished")


def assert_no_key(*texts: str) -> None:
    """Fail when any test key appears in any of ``texts``."""
    for text in texts:
        for key in ALL_KEYS:
            assert key not in text, "a provider key leaked into a message or log"
