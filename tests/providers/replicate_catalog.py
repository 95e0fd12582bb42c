"""The emulated Replicate catalogue several test folders share: real schemas of models Storyreel
does not ship (official ones and stability-ai/sdxl, a community model, as recorded in the client's
cassette), a pinned older version of kling-v2.1, google/veo-3.1 as a shipped model, and three
collections."""
from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.emulators.replicate import EmulatedModel, make_app
from tests.emulators.server import serve

FIXTURES = Path(__file__).parent / "fixtures"
REPLICATE_KEY = "r8_TESTKEY_replicate_0123456789abcdef"
SDXL_VERSION = "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b"
KLING_OLD = "a" * 64  # an older kling-v2.1 version, pinned by tests: it had no end_image yet


def more_schema(stem: str) -> dict:
    return json.loads((FIXTURES / "more" / f"{stem}.json").read_text())["openapi_schema"]


def recorded_sdxl() -> dict:
    """The recorded ``GET /v1/models/stability-ai/sdxl`` answer (replicate-python cassette)."""
    cassette = yaml.safe_load((FIXTURES / "replicate_cassettes" / "models-get.yaml").read_text())
    first = cassette["interactions"][0]
    assert first["request"]["uri"].endswith("/v1/models/stability-ai/sdxl")
    return json.loads(first["response"]["content"])


def shipped_openapi(stem: str) -> dict:
    root = Path(__file__).resolve().parents[2]
    return json.loads((root / "provider_schemas" / "replicate" / f"{stem}.json").read_text())["openapi_schema"]


def catalogue_models() -> list[EmulatedModel]:
    kling = more_schema("kwaivgi__kling-v2.1")
    kling_old = copy.deepcopy(kling)
    del kling_old["components"]["schemas"]["Input"]["properties"]["end_image"]
    sdxl = recorded_sdxl()
    return [
        EmulatedModel(owner="kwaivgi", name="kling-v2.1", openapi_schema=kling, output="video", run_count=2_400_000,
                      description="Generate 5s and 10s videos in 720p and 1080p resolution",
                      tags=("video", "image-to-video"), versions={KLING_OLD: kling_old}),
        EmulatedModel(owner="minimax", name="hailuo-2.3", openapi_schema=more_schema("minimax__hailuo-2.3"),
                      output="video", run_count=310_000, description="High-fidelity video generation",
                      tags=("video", "text-to-video")),
        EmulatedModel(owner="wan-video", name="wan-2.5-i2v", openapi_schema=more_schema("wan-video__wan-2.5-i2v"),
                      output="video", run_count=150_000, description="Image to video with audio",
                      tags=("video", "image-to-video")),
        EmulatedModel(owner="black-forest-labs", name="flux-schnell", output="images", run_count=500_000_000,
                      openapi_schema=more_schema("black-forest-labs__flux-schnell"),
                      description="The fastest image generation model", tags=("image", "text-to-image")),
        EmulatedModel(owner="stability-ai", name="sdxl", official=False, output="images", version_id=SDXL_VERSION,
                      openapi_schema=sdxl["latest_version"]["openapi_schema"], recorded=sdxl,
                      description=sdxl["description"], run_count=sdxl["run_count"], tags=("image",)),
        EmulatedModel(owner="google", name="veo-3.1", openapi_schema=shipped_openapi("google__veo-3.1"), output="video",
                      run_count=90_000, description="Google's Veo 3.1", tags=("video",)),
    ]


COLLECTIONS = {
    "text-to-video": {"name": "Generate videos", "description": "Models that create videos from text prompts",
                      "models": ["kwaivgi/kling-v2.1", "minimax/hailuo-2.3", "google/veo-3.1"]},
    "image-to-video": {"name": "Image to video", "description": "Models that animate an image into a video",
                       "models": ["wan-video/wan-2.5-i2v", "kwaivgi/kling-v2.1"]},
    "text-to-image": {"name": "Generate images", "description": "Models that create images from text prompts",
                      "models": ["black-forest-labs/flux-schnell", "stability-ai/sdxl"]},
}


@contextmanager
def serve_catalogue(*, steps: int = 1):
    """Serve the catalogue emulator; yields it with ``base_url`` set."""
    emu = make_app(token=REPLICATE_KEY, models=catalogue_models(), steps=steps, collections=COLLECTIONS)
    with serve(emu.app) as url:
        emu.base_url = url
        yield emu


def aim_at(emu, monkeypatch, *, token: bool = True) -> None:
    """Point the Replicate settings at ``emu`` (with the test token unless ``token`` is false)."""
    from core.settings import get_settings

    emu.reset()
    monkeypatch.setenv("REPLICATE_BASE_URL", emu.base_url)
    if token:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
    else:
        monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    get_settings.cache_clear()
