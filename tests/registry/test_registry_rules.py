"""Every documented rule, with valid and invalid parameter sets; all violations reported at once."""
import pytest

from core.errors import InvalidCombination, UnsupportedCapability
from core.registry import get_registry


def violations(provider, model, params, operation=None):
    with pytest.raises(InvalidCombination) as err:
        get_registry().validate(provider=provider, model=model, params=params, operation=operation)
    return err.value.violations


def fields_of(vs):
    return [set(v.fields) for v in vs]


VEO = ("google", "veo-3.1-generate-001")


def test_veo_valid_modes():
    reg = get_registry()
    t2v = reg.validate(provider="google", model="veo-3.1-generate-001", params={"prompt": "a cat"})
    assert t2v["duration_seconds"] == 8 and t2v["resolution"] == "720p" and "image" not in t2v
    reg.validate(provider="google", model="veo-3.1-generate-001", params={"image": "media:1"})  # I2V, prompt optional
    reg.validate(provider="google", model="veo-3.1-generate-001",
                 params={"image": "a.png", "last_frame": "b.png", "prompt": "x"})
    reg.validate(provider="google", model="veo-3.1-generate-001",
                 params={"prompt": "x", "reference_images": ["a", "b", "c"], "aspect_ratio": "16:9", "duration_seconds": 8})
    reg.validate(provider="google", model="veo-3.1-generate-001",
                 params={"prompt": "x", "duration_seconds": 8, "resolution": "1080p"})


def test_veo_reference_images_exclude_frames_and_need_prompt_8s_16x9_all_at_once():
    vs = violations(*VEO, {"reference_images": ["a", "b", "c", "d"], "image": "s", "last_frame": "e",
                           "duration_seconds": 6, "aspect_ratio": "9:16"})
    f = fields_of(vs)
    assert {"reference_images", "image"} in f
    assert {"reference_images", "last_frame"} in f
    assert {"reference_images", "prompt"} in f
    assert {"reference_images", "duration_seconds"} in f
    assert {"reference_images", "aspect_ratio"} in f
    assert any(v.rule.startswith("max_items") for v in vs)
    assert all(v.message for v in vs)


def test_veo_end_frame_needs_start_frame_and_8s():
    vs = violations(*VEO, {"prompt": "x", "last_frame": "e", "duration_seconds": 4})
    f = fields_of(vs)
    assert {"last_frame", "image"} in f and {"last_frame", "duration_seconds"} in f
    assert any("requires image" in v.message for v in vs)


def test_veo_1080p_only_at_8s():
    vs = violations(*VEO, {"prompt": "x", "duration_seconds": 6, "resolution": "1080p"})
    assert fields_of(vs) == [{"duration_seconds", "resolution"}]
    assert "720p" in vs[0].message


def test_veo_needs_prompt_or_start_frame_and_person_generation():
    assert fields_of(violations(*VEO, {})) == [{"prompt", "image"}]
    vs = violations(*VEO, {"image": "s", "person_generation": "allow_all"})
    assert fields_of(vs) == [{"image", "person_generation"}]


def test_veo_video_input_is_not_a_generate_parameter_and_extend_takes_it():
    vs = violations(*VEO, {"prompt": "x", "reference_images": ["a"], "video": "v.mp4"})
    assert {"video"} in fields_of(vs)
    out = get_registry().validate(provider="google", model="veo-3.1-generate-001", operation="extend",
                                  params={"video": "v.mp4"})
    assert out["duration_seconds"] == 8 and out["resolution"] == "720p"
    # Vertex extends 720p/1080p/4k inputs (UPDATE-2026-12 §1.4); 480p is not among them.
    get_registry().validate(provider="google", model="veo-3.1-generate-001", operation="extend",
                            params={"video": "v.mp4", "resolution": "4k"})
    vs = violations(*VEO, {"video": "v.mp4", "resolution": "480p", "image": "s"}, operation="extend")
    assert {"resolution"} in fields_of(vs) and {"image"} in fields_of(vs)


def test_veo_fast_has_no_reference_images():
    vs = violations("google", "veo-3.1-fast-generate-001", {"prompt": "x", "reference_images": ["a"]})
    assert fields_of(vs) == [{"reference_images"}]
    assert "not a parameter" in vs[0].message


def test_type_range_enum_unknown_and_missing_are_violations_together():
    vs = violations("local", "animate", {"duration": 99, "fps": "fast", "camera_move": "spin", "zoom": 2})
    f = fields_of(vs)
    assert {"image"} in f and {"duration"} in f and {"fps"} in f and {"camera_move"} in f and {"zoom"} in f
    msgs = " | ".join(v.message for v in vs)
    assert "image is required" in msgs and "push_in" in msgs and "between 1 and 20" in msgs


def test_local_animate_end_frame_requires_start_frame():
    vs = violations("local", "animate", {"last_frame": "e.png"})
    assert {"last_frame", "image"} in fields_of(vs)
    out = get_registry().validate(provider="local", model="animate", params={"image": "s.png", "last_frame": "e.png"})
    assert out["fps"] == 24 and out["camera_move"] == "push_in"


def test_local_keyframe_reference_limit():
    get_registry().validate(provider="local", model="keyframe", params={"prompt": "x", "reference_images": ["a"] * 4})
    vs = violations("local", "keyframe", {"prompt": "x", "reference_images": ["a"] * 5})
    assert fields_of(vs) == [{"reference_images"}]


R_VEO = ("replicate", "google/veo-3.1")


def test_replicate_veo_rules():
    get_registry().validate(provider="replicate", model="google/veo-3.1", params={"prompt": "x", "reference_images": ["a"]})
    vs = violations(*R_VEO, {"prompt": "x", "reference_images": ["a"], "image": "s", "last_frame": "e", "aspect_ratio": "9:16"})
    f = fields_of(vs)
    assert {"reference_images", "image"} in f and {"reference_images", "last_frame"} in f
    assert {"reference_images", "aspect_ratio"} in f
    vs = violations(*R_VEO, {"prompt": "x", "last_frame": "e"})
    assert fields_of(vs) == [{"last_frame", "image"}]
    # Replicate's own default is 1080p: asking for 4 s must say resolution has to be 720p
    vs = violations(*R_VEO, {"prompt": "x", "duration": 4})
    assert fields_of(vs) == [{"duration", "resolution"}]


def test_replicate_veo_fast_end_frame_and_no_references():
    vs = violations("replicate", "google/veo-3.1-fast", {"prompt": "x", "last_frame": "e", "reference_images": ["a"]})
    f = fields_of(vs)
    assert {"last_frame", "image"} in f and {"reference_images"} in f


def test_seedream_takes_references_but_no_frames():
    reg = get_registry()
    reg.validate(provider="replicate", model="bytedance/seedream-4", params={"prompt": "x", "image_input": ["a"] * 10})
    vs = violations("replicate", "bytedance/seedream-4", {"prompt": "x", "image_input": ["a"] * 11, "image": "s"})
    f = fields_of(vs)
    assert {"image_input"} in f and {"image"} in f
    cap = reg.get(provider="replicate", model="bytedance/seedream-4")
    assert cap.field_for_role("start_frame") is None and cap.field_for_role("end_frame") is None


def test_svd_start_image_only():
    reg = get_registry()
    out = reg.validate(provider="replicate", model="stability-ai/stable-video-diffusion", params={"input_image": "s.png"})
    assert out["video_length"] == "14_frames_with_svd" and out["frames_per_second"] == 6
    vs = violations("replicate", "stability-ai/stable-video-diffusion",
                    {"last_frame": "e", "video_length": "99", "motion_bucket_id": 0})
    f = fields_of(vs)
    assert {"input_image"} in f and {"last_frame"} in f and {"video_length"} in f and {"motion_bucket_id"} in f


def test_seedance_lite_references_exclude_frames_and_1080p():
    reg = get_registry()
    reg.validate(provider="replicate", model="bytedance/seedance-1-lite", params={"prompt": "x", "reference_images": ["a"] * 4})
    vs = violations("replicate", "bytedance/seedance-1-lite",
                    {"prompt": "x", "reference_images": ["a"] * 5, "image": "s", "last_frame_image": "e", "resolution": "1080p"})
    f = fields_of(vs)
    assert {"reference_images", "image"} in f and {"reference_images", "last_frame_image"} in f
    assert {"reference_images", "resolution"} in f and {"reference_images"} in f


def test_seedance_pro_last_frame_needs_image_and_has_no_references():
    vs = violations("replicate", "bytedance/seedance-1-pro", {"prompt": "x", "last_frame_image": "e", "duration": 2})
    f = fields_of(vs)
    assert {"last_frame_image", "image"} in f and {"duration"} in f
    get_registry().validate(provider="replicate", model="bytedance/seedance-1-pro",
                            params={"prompt": "x", "image": "s", "last_frame_image": "e"})


def test_retired_models_are_refused_naming_the_replacement():
    # Imagen 4 shut down 2026-08-17 (UPDATE-2026-12 §1.5): even a valid request is refused.
    with pytest.raises(UnsupportedCapability, match="retired .*2026-08-17.*google/gemini-3.1-flash-image") as exc:
        get_registry().validate(provider="google", model="imagen-4.0-generate-001",
                                params={"prompt": "x", "seed": 3, "add_watermark": False})
    assert exc.value.field == "model"
    with pytest.raises(UnsupportedCapability, match="google/gemini-3.8-flash"):
        get_registry().validate(provider="google", model="gemini-2.5-flash", operation="script", params={"logline": "x"})


def test_elevenlabs_limits():
    vs = violations("elevenlabs", "eleven_v3", {"text": "x" * 5001, "voice_id": "v", "speed": 1.5, "model_id": "eleven_v2"})
    f = fields_of(vs)
    assert {"text"} in f and {"speed"} in f and {"model_id"} in f
    out = get_registry().validate(provider="elevenlabs", model="eleven_v3", params={"text": "hi", "voice_id": "v"})
    assert out["model_id"] == "eleven_v3" and out["output_format"] == "mp3_44100_128"


def test_costs():
    reg = get_registry()
    it = reg.get(provider="wavespeed", model="wavespeed-ai/infinitetalk")
    assert it.estimate_cost({"resolution": "720p"}, duration_s=10) == pytest.approx(0.6)
    assert it.estimate_cost({}, duration_s=10) == pytest.approx(0.3)
    # WaveSpeed bills whole seconds with a 3 s floor (UPDATE-2026-12 §4).
    assert it.estimate_cost({}, duration_s=1) == pytest.approx(3 * 0.03)
    assert it.estimate_cost({}, duration_s=2.2) == pytest.approx(3 * 0.03)
    assert it.estimate_cost({}, duration_s=3.4) == pytest.approx(4 * 0.03)
    for name in ("wavespeed-ai/infinitetalk-fast", "wavespeed-ai/infinitetalk/video-to-video",
                 "wavespeed-ai/infinitetalk-fast/video-to-video"):
        assert reg.get(provider="wavespeed", model=name).pricing["min_units"] == 3
    assert it.estimate_cost({}) is None  # length unknown
    assert reg.get(provider="local", model="animate").estimate_cost({"image": "x"}) == 0.0
    # Veo 3.1 is priced per second (8 s default, audio on by default); unpriced models say None, not 0.
    assert reg.get(provider="google", model="veo-3.1-generate-001").estimate_cost({"prompt": "x"}) == pytest.approx(3.2)
    assert reg.get(provider="replicate", model="bytedance/seedream-4").estimate_cost({"prompt": "x"}) is None
