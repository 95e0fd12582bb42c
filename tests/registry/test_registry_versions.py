"""Community Replicate models are run by version: the version id is data in the schema file."""
from core.providers import get_adapter
from core.registry import get_registry


def test_stable_video_diffusion_builds_a_version_request():
    cap = get_registry().get(provider="replicate", model="stability-ai/stable-video-diffusion")
    assert cap.version and len(cap.version) == 64
    req = get_adapter("replicate").build_request(cap=cap, params={"frames_per_second": 6}, inputs={})
    assert req.body["version"] == cap.version


def test_official_models_have_no_version():
    cap = get_registry().get(provider="replicate", model="google/veo-3.1")
    assert cap.version is None
    req = get_adapter("replicate").build_request(cap=cap, params={"prompt": "a lighthouse"}, inputs={})
    assert "version" not in req.body
