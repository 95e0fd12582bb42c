"""Fixtures for generation tests: a fresh data dir per test, a fast job runner, the result cache
closed between tests, a small broken-down project, and the google / replicate emulators with the
real SDKs aimed at them (fake keys)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import cache, db
from core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
GOOGLE_KEY = "AIzaTEST-google-key-0123456789"
VERTEX_TOKEN = "ya29.TEST-vertex-token-abcdef"
REPLICATE_KEY = "r8_TESTKEY_replicate_0123456789abcdef"
SCRIPT = """Title: The Lighthouse

INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle with a letter inside.

TOM
It's addressed to you.
"""


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Temp data dir, no provider keys, a fast process-wide runner; everything reset afterwards."""
    from core.jobs import reset_runner, set_runner

    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in ("GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY",
                "DATABASE_URL", "GOOGLE_CLOUD_PROJECT", "GOOGLE_VERTEX_ACCESS_TOKEN", "GOOGLE_GENAI_BASE_URL",
                "REPLICATE_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    db.reset_engines()
    cache.close_all()
    reset_runner()
    set_runner(make_runner())
    yield tmp_path / "data"
    reset_runner()
    cache.close_all()
    db.reset_engines()
    get_settings.cache_clear()


def make_runner(**overrides):
    from core.jobs import JobRunner

    opts = dict(poll_initial_s=0.05, poll_factor=1.0, poll_max_s=0.05, backoff_base_s=0.01, backoff_max_s=0.2,
                max_retries=2)
    opts.update(overrides)
    return JobRunner(**opts)


@pytest.fixture
def project():
    """A project with the script broken down (2 scenes), tiny clip settings on every shot, and a
    reference portrait for MAYA (an uploaded PNG)."""
    from core import cast
    from core.breakdowns import list_shots, run_breakdown, update_shot
    from core.generation import set_shot_model
    from core.projects import create_project
    from core.scripts import save_version

    p = create_project(name="Lighthouse", target_length_s=15)
    save_version(project_id=p.id, text=SCRIPT)
    run_breakdown(project_id=p.id)
    for s in list_shots(project_id=p.id):
        update_shot(shot_id=s.id, duration_s=1.0)
        set_shot_model(shot_id=s.id, kind="clip", provider="local", model="animate",
                       params={"resolution": "360p", "fps": 12})
    cast.generate_style_cards(project_id=p.id)
    cast.update_character(project_id=p.id, character_id="maya", style_tokens="red scarf, lantern glow")
    cast.add_reference_upload(project_id=p.id, character_id="maya", data=png_bytes((200, 40, 40)), filename="maya.png")
    return p


def png_bytes(color=(10, 120, 200), size=(64, 36)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def google_emu(monkeypatch):
    """The google emulator on loopback with Vertex settings aimed at it; yields its state."""
    from core.providers.google import ADAPTER
    from tests.emulators.google import GoogleState, make_app
    from tests.emulators.server import serve

    state = GoogleState(api_key=GOOGLE_KEY, bearer_token=VERTEX_TOKEN, job_seconds=0.1)
    with serve(make_app(state)) as url:
        monkeypatch.setenv("GOOGLE_GENAI_BASE_URL", url)
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "storyreel-test")
        monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
        monkeypatch.setenv("GOOGLE_VERTEX_ACCESS_TOKEN", VERTEX_TOKEN)
        get_settings.cache_clear()
        ADAPTER._clients.clear()
        yield state
        ADAPTER._clients.clear()


def _openapi(stem: str) -> dict:
    return json.loads((ROOT / "provider_schemas" / "replicate" / f"{stem}.json").read_text())["openapi_schema"]


@pytest.fixture
def replicate_emu(monkeypatch):
    """The replicate emulator serving seedance-1-lite (video) and seedream-4 (image)."""
    from tests.emulators.replicate import EmulatedModel, make_app
    from tests.emulators.server import serve

    models = [
        EmulatedModel(owner="bytedance", name="seedance-1-lite", openapi_schema=_openapi("bytedance__seedance-1-lite"),
                      output="video"),
        EmulatedModel(owner="bytedance", name="seedream-4", openapi_schema=_openapi("bytedance__seedream-4"),
                      output="images"),
    ]
    emu = make_app(token=REPLICATE_KEY, models=models, steps=1)
    with serve(emu.app) as url:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
        monkeypatch.setenv("REPLICATE_BASE_URL", url)
        get_settings.cache_clear()
        yield emu
