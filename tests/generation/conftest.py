"""Fixtures for generation tests: a fresh data dir per test, a fast job runner, the result cache
closed between tests, a small broken-down project, and the google / replicate emulators with the
real SDKs aimed at them (fake keys)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import get_settings
from tests.conftest import make_runner  # also imported by the tests from here

ROOT = Path(__file__).resolve().parents[2]
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
def data_dir(data_dir):
    """The shared fresh data dir (tests/conftest.py) with a fast process-wide runner installed."""
    from core.jobs.service import set_runner

    set_runner(make_runner())
    return data_dir


@pytest.fixture
def project():
    """A project with the script broken down (2 scenes), tiny clip settings on every shot, and a
    reference portrait for MAYA (an uploaded PNG)."""
    from core import cast
    from core.breakdowns import list_shots, run_breakdown, update_shot
    from core.generation.facade import set_shot_model
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
    from tests.emulators.media import solid_png

    return solid_png(width=size[0], height=size[1], color=color)


@pytest.fixture
def google_emu(serve_google):
    """The google emulator on loopback with Vertex settings aimed at it; yields its state."""
    with serve_google(job_seconds=0.1, api_key=False) as state:
        yield state


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
