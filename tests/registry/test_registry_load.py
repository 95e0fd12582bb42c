"""Every shipped schema file loads; lookups, roles, fields and malformed files."""
import json
from pathlib import Path

import pytest

from core.errors import InvalidInput, UnsupportedCapability
from core.registry import Registry, capability_json, get_registry
from core.registry.registry import SCHEMA_DIR

FILES = sorted(SCHEMA_DIR.rglob("*.json"))


def test_every_file_loads_and_builds_an_options_model():
    assert len(FILES) >= 35
    reg = get_registry()
    assert len(reg.list(include_retired=True)) == len(FILES)
    for cap in reg.list(include_retired=True):
        model = cap.options_model
        assert model.model_config["extra"] == "forbid"
        assert set(model.model_fields) == set(cap.input_schema["properties"])
        assert cap.docs and cap.checked
        assert capability_json(cap)["media_type"] == cap.media_type


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_cites_a_provider_doc_or_design(path):
    data = json.loads(path.read_text())
    assert any(d.startswith("shared/") for d in data["docs"]), "cite the shared doc section the file follows"


def test_expected_models_present():
    reg = get_registry()
    wanted = {
        ("google", "veo-3.1-generate-001", "generate"), ("google", "veo-3.1-generate-001", "extend"),
        ("google", "veo-3.1-fast-generate-001", "generate"), ("google", "veo-3.1-fast-generate-001", "extend"),
        ("google", "veo-3.1-lite-generate-001", "generate"), ("google", "veo-3.1-lite-generate-001", "extend"),
        ("google", "gemini-omni-1.1-flash", "generate"), ("google", "gemini-omni-1.2-flash", "generate"),
        ("google", "gemini-nano-banana-2.1", "generate"), ("google", "gemini-3-pro-image", "generate"),
        ("google", "gemini-3.1-flash-lite-image", "generate"), ("google", "gemini-3.1-flash-image", "generate"),
        ("google", "gemini-3.8-flash", "script"), ("google", "gemini-3.8-flash", "breakdown"),
        ("google", "gemini-3.5-flash-lite", "script"), ("google", "gemini-4-argon", "breakdown"),
        ("elevenlabs", "eleven_v4", "tts"), ("elevenlabs", "eleven_v4_turbo", "tts"),
        ("replicate", "google/veo-3.1", "generate"), ("replicate", "google/veo-3.1-fast", "generate"),
        ("replicate", "bytedance/seedream-4", "generate"), ("replicate", "bytedance/seedance-1-pro", "generate"),
        ("replicate", "bytedance/seedance-1-lite", "generate"),
        ("replicate", "stability-ai/stable-video-diffusion", "generate"), ("replicate", "google/nano-banana", "generate"),
        ("elevenlabs", "eleven_multilingual_v2", "tts"), ("elevenlabs", "eleven_multilingual_sts_v2", "v2v"),
        ("wavespeed", "wavespeed-ai/infinitetalk", "lipsync_image"),
        ("wavespeed", "wavespeed-ai/infinitetalk/video-to-video", "lipsync_video"),
        ("wavespeed", "wavespeed-ai/infinitetalk-fast", "lipsync_image"),
        ("wavespeed", "wavespeed-ai/infinitetalk-fast/video-to-video", "lipsync_video"),
        ("local", "keyframe", "generate"), ("local", "animate", "generate"), ("local", "tts", "tts"),
        ("local", "v2v", "v2v"), ("local", "lipsync-image", "lipsync_image"), ("local", "lipsync-video", "lipsync_video"),
        ("local", "music", "music"), ("local", "sfx", "sfx"), ("local", "script-writer", "script"),
        ("local", "breakdown", "breakdown"),
    }
    have = {c.key for c in reg.list()}
    assert wanted <= have, wanted - have
    assert reg.get(provider="google", model="gemini-nano-banana-2.1").media_type == "image"  # not video
    retired = {("google", "imagen-4.0-generate-001", "generate"), ("google", "gemini-2.5-flash-image", "generate"),
               ("google", "gemini-2.5-flash", "script"), ("google", "gemini-2.5-flash", "breakdown")}
    assert not retired & have  # hidden from every list a picker is built on
    assert retired <= {c.key for c in reg.list(include_retired=True)}
    assert reg.get(provider="google", model="gemini-2.5-flash-image").media_type == "image"  # old assets still resolve


def test_get_defaults_to_generate_and_names_what_exists():
    reg = get_registry()
    assert reg.get(provider="google", model="veo-3.1-generate-001").operation == "generate"
    assert reg.get(provider="google", model="veo-3.1-generate-001", operation="extend").roles["video"] == "video"
    assert reg.get(provider="local", model="local/keyframe").model == "keyframe"
    with pytest.raises(UnsupportedCapability, match="script, breakdown|breakdown, script"):
        reg.get(provider="google", model="gemini-2.5-flash")
    with pytest.raises(UnsupportedCapability, match="veo-3.1-generate-001"):
        reg.get(provider="google", model="veo-9")
    with pytest.raises(UnsupportedCapability, match="known: .*local"):
        reg.get(provider="nope", model="x")
    with pytest.raises(UnsupportedCapability, match="has no operation 'tts'"):
        reg.get(provider="local", model="keyframe", operation="tts")


def test_list_and_providers_filter():
    reg = get_registry()
    assert reg.providers() == ["elevenlabs", "google", "local", "replicate", "wavespeed"]
    assert all(c.media_type == "lipsync" for c in reg.list(media_type="lipsync"))
    assert {c.provider for c in reg.list(operation="tts")} == {"elevenlabs", "local"}


def test_local_param_names_are_exact():
    reg = get_registry()
    kf = reg.get(provider="local", model="keyframe")
    assert [f.name for f in kf.fields()] == ["prompt", "shot_type", "location", "time_of_day", "characters",
                                             "character_styles", "caption", "aspect_ratio", "seed", "reference_images",
                                             "set", "interior", "subject", "crowd"]
    assert kf.field("shot_type").default == "medium" and "over-the-shoulder" in kf.field("shot_type").enum
    assert kf.field_for_role("start_frame") is None and kf.field_for_role("reference_images") == "reference_images"
    an = reg.get(provider="local", model="animate")
    assert (an.field_for_role("start_frame"), an.field_for_role("end_frame"), an.field_for_role("duration")) == (
        "image", "last_frame", "duration")
    assert an.field("camera_move").default == "push_in" and an.field("fps").minimum == 12
    assert reg.get(provider="local", model="tts").field("voice").default == "local-joe"
    assert reg.get(provider="local", model="lipsync-image").field("resolution").enum == ["360p", "480p", "720p"]
    assert reg.get(provider="local", model="music").field("tempo").maximum == 180
    assert reg.get(provider="local", model="sfx").field("duration").minimum == 0.3


def test_google_and_elevenlabs_and_wavespeed_fields():
    reg = get_registry()
    veo = reg.get(provider="google", model="veo-3.1-generate-001")
    assert veo.field("duration_seconds").enum == [4, 6, 8]
    assert veo.roles["start_frame"] == "image" and veo.roles["end_frame"] == "last_frame"
    assert reg.get(provider="google", model="veo-3.1-fast-generate-001").field_for_role("reference_images") is None
    tts = reg.get(provider="elevenlabs", model="eleven_multilingual_v2")
    assert {"stability", "similarity_boost", "style", "use_speaker_boost", "speed", "output_format", "voice_id"} <= {
        f.name for f in tts.fields()}
    assert "mp3_44100_128" in tts.field("output_format").enum and "alaw_8000" in tts.field("output_format").enum
    sts = reg.get(provider="elevenlabs", model="eleven_multilingual_sts_v2")
    assert sts.field("remove_background_noise").type == "boolean" and sts.roles["audio"] == "audio"
    it = reg.get(provider="wavespeed", model="wavespeed-ai/infinitetalk")
    assert it.field("resolution").enum == ["480p", "720p"] and it.field("seed").default == -1
    assert reg.get(provider="wavespeed", model="wavespeed-ai/infinitetalk-fast").field("resolution") is None


def test_require_role_names_model_and_role():
    reg = get_registry()
    svd = reg.get(provider="replicate", model="stability-ai/stable-video-diffusion")
    assert svd.require_role("start_frame") == "input_image"
    with pytest.raises(UnsupportedCapability, match="stable-video-diffusion.*end_frame"):
        svd.require_role("end_frame")
    seedream = reg.get(provider="replicate", model="bytedance/seedream-4")
    assert seedream.require_role("reference_images") == "image_input"
    with pytest.raises(UnsupportedCapability, match="seedream-4.*start_frame"):
        seedream.require_role("start_frame")


def test_replicate_files_keep_openapi_schema_verbatim():
    shared = Path("/work/shared/replicate_schemas")
    if not shared.exists():
        pytest.skip("shared schemas not mounted")
    for path in (SCHEMA_DIR / "replicate").glob("*.json"):
        ours = json.loads(path.read_text())
        theirs = json.loads((shared / path.name).read_text())
        assert ours["openapi_schema"] == theirs["openapi_schema"], path.name


def _write(tmp_path, name, data):
    d = tmp_path / "schemas"
    d.mkdir(exist_ok=True)
    (d / name).write_text(json.dumps(data) if not isinstance(data, str) else data)
    return d


GOOD = {"provider": "x", "model": "m", "media_type": "image", "operation": "generate", "title": "M",
        "docs": ["shared/DESIGN.md"], "checked": "2026-11",
        "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
        "roles": {"prompt": "prompt"}, "rules": []}


@pytest.mark.parametrize("change, needle", [
    ({"media_type": "hologram"}, "media_type"),
    ({"roles": {"promt": "prompt"}}, "roles"),
    ({"roles": {"prompt": "nothing"}}, "nothing"),
    ({"rules": [{"rule": "never_together", "fields": ["prompt", "ghost"]}]}, "ghost"),
    ({"rules": [{"rule": "sometimes", "fields": ["prompt"]}]}, "rules"),
    ({"openapi_schema": {"components": {}}}, "exactly one"),
    ({"docs": []}, "docs"),
])
def test_malformed_file_fails_loudly_naming_file_and_problem(tmp_path, change, needle):
    d = _write(tmp_path, "bad.json", {**GOOD, **change})
    with pytest.raises(InvalidInput) as err:
        Registry.load(d)
    assert "bad.json" in err.value.message and needle in err.value.message


def test_invalid_json_and_duplicates_fail(tmp_path):
    d = _write(tmp_path, "broken.json", "{not json")
    with pytest.raises(InvalidInput, match="broken.json"):
        Registry.load(d)
    d2 = tmp_path / "dup"
    d2.mkdir()
    for n in ("a.json", "b.json"):
        (d2 / n).write_text(json.dumps(GOOD))
    with pytest.raises(InvalidInput, match="two schema files"):
        Registry.load(d2)
