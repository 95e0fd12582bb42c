"""Pure request building and result parsing of the google adapter."""
from types import SimpleNamespace

import pytest

from core.errors import UnsupportedCapability
from core.providers import google_requests as rq
from core.providers.base import FAILED, RUNNING, SUCCEEDED, InputFile
from core.providers.google import ADAPTER


def cap(model, media_type, operation="generate", **extra):
    return SimpleNamespace(provider="google", model=model, media_type=media_type, operation=operation, **extra)


def test_google_methods_and_auth_follow_the_sdk_matrix():
    from core.registry import get_registry

    def real(model, operation=None):
        return get_registry().get(provider="google", model=model, operation=operation)

    assert rq.sdk_method(cap("veo-3.1-generate-001", "video")) == rq.VIDEOS
    assert rq.auth_mode(cap("veo-3.1-generate-001", "video")) == "vertex"
    # Image models and Omni video name their SDK call in the schema file (data, not model-name checks).
    assert rq.sdk_method(real("gemini-nano-banana-2.1")) == rq.CONTENT_IMAGE
    assert rq.sdk_method(real("gemini-omni-1.1-flash")) == rq.INTERACTIONS
    with pytest.raises(UnsupportedCapability):
        rq.sdk_method(cap("gemini-nano-banana-2.1", "image"))
    assert rq.required_settings(real("gemini-nano-banana-2.1")) == ("GOOGLE_API_KEY",)
    assert rq.required_settings(real("gemini-omni-1.1-flash")) == ("GOOGLE_API_KEY",)  # video with a key alone
    assert rq.required_settings(cap("gemini-3.8-flash", "text", "script")) == ("GOOGLE_API_KEY",)
    assert rq.required_settings(real("gemini-3.1-flash-image")) == ("GOOGLE_CLOUD_PROJECT",)
    assert rq.required_settings(real("veo-3.1-lite-generate-001")) == ("GOOGLE_CLOUD_PROJECT",)
    # A capability file may say otherwise (e.g. Vertex for Gemini).
    assert rq.auth_mode(cap("gemini-3.8-flash", "text", "script", auth="vertex")) == "vertex"


def test_google_interaction_call_shapes_the_omni_request(png_file):
    f = InputFile(path=str(png_file), mime="image/png")
    kw = rq.interaction_call(params={"prompt": "a fox", "duration": 6, "aspect_ratio": "9:16", "resolution": "1080p"},
                             files={"image": f})
    assert kw["input"][0] == {"type": "text", "text": "a fox"}
    assert kw["input"][1]["type"] == "image" and kw["input"][1]["mime_type"] == "image/png"
    assert kw["response_modalities"] == ["video"] and kw["background"] is True
    assert kw["response_format"] == {"type": "video", "delivery": "inline", "aspect_ratio": "9:16",
                                     "resolution": "1080p", "duration": "6s"}
    assert kw["generation_config"] == {"video_config": {"task": "image_to_video"}}
    refs = rq.interaction_call(params={"prompt": "p"}, files={"reference_images": [f, f]})
    assert refs["generation_config"]["video_config"]["task"] == "reference_to_video" and len(refs["input"]) == 3
    assert "generation_config" not in rq.interaction_call(params={"prompt": "p"}, files={})
    with pytest.raises(UnsupportedCapability):
        rq.interaction_call(params={"prompt": "p", "last_frame": "x"}, files={})


def test_google_video_call_puts_frames_in_source_and_config(png_file):
    f = InputFile(path=str(png_file), mime="image/png")
    source, config = rq.video_call(params={"prompt": "a fox", "duration_seconds": 8, "seed": 7,
                                           "generate_audio": True, "negative_prompt": "blur"},
                                   files={"image": f, "last_frame": f})
    assert source.prompt == "a fox" and source.image.image_bytes == png_file.read_bytes()
    assert config.last_frame.mime_type == "image/png"
    assert (config.duration_seconds, config.seed, config.generate_audio, config.number_of_videos) == (8, 7, True, 1)
    _, config = rq.video_call(params={"prompt": "p"}, files={"reference_images": [f, f]})
    assert [r.reference_type.value for r in config.reference_images] == ["ASSET", "ASSET"]


def test_google_video_call_rejects_unknown_params():
    with pytest.raises(UnsupportedCapability) as exc:
        rq.video_call(params={"prompt": "p", "camera": "dolly"}, files={})
    assert exc.value.field == "camera"


def test_google_parse_result_states():
    assert ADAPTER.parse_result(payload={"done": False}).status == RUNNING
    failed = ADAPTER.parse_result(payload={"done": True, "error": {"code": 3, "message": "bad prompt"}})
    assert failed.status == FAILED and failed.error == "bad prompt" and not failed.retryable
    assert ADAPTER.parse_result(payload={"done": True, "error": {"code": 14, "message": "x"}}).retryable
    filtered = ADAPTER.parse_result(payload={"done": True, "videos": [], "rai_filtered_reasons": ["violence"]})
    assert filtered.status == FAILED and "violence" in filtered.error
    ok = ADAPTER.parse_result(payload={"done": True, "videos": [{"data": b"mp4", "mime": "video/mp4"}]})
    assert ok.status == SUCCEEDED and ok.outputs[0].data == b"mp4"


def test_google_map_error_retryable_and_retry_after():
    import httpx
    from google.genai import errors

    resp = httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"code": 429, "message": "slow down",
                                                                            "status": "RESOURCE_EXHAUSTED"}})
    err = errors.ClientError(429, resp.json(), resp)
    mapped = __import__("core.providers.google", fromlist=["map_error"]).map_error(err, during="submit")
    assert mapped.retryable and mapped.retry_after_s == 3.0 and "slow down" in mapped.message
    err400 = errors.ClientError(400, {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}, None)
    assert not __import__("core.providers.google", fromlist=["map_error"]).map_error(err400, during="poll").retryable


def test_google_auth_failure_while_polling_waits_but_not_at_submit():
    from google.genai import errors

    from core.providers.google import map_error

    err = errors.ClientError(401, {"error": {"code": 401, "message": "token expired", "status": "UNAUTHENTICATED"}}, None)
    polled = map_error(err, during="poll")
    assert polled.awaiting_credentials and polled.retryable and polled.status_code == 401
    submitted = map_error(err, during="submit")
    assert not submitted.awaiting_credentials and not submitted.retryable  # nothing paid yet: fail plainly


def test_google_interaction_payload_states():
    import base64

    class Answer:  # stands in for the SDK's Interaction model (only model_dump is read)
        def __init__(self, data):
            self.data = data

        def model_dump(self, **_):
            return self.data

    running = rq.interaction_payload(Answer({"id": "i1", "status": "in_progress"}))
    assert running["done"] is False and ADAPTER.parse_result(payload=running).status == RUNNING
    video = {"type": "video", "data": base64.b64encode(b"mp4").decode(), "mime_type": "video/mp4"}
    done = rq.interaction_payload(Answer({"id": "i1", "status": "completed",
                                          "steps": [{"type": "model_output", "content": [video]}]}))
    ok = ADAPTER.parse_result(payload=done)
    assert ok.status == SUCCEEDED and ok.outputs[0].data == b"mp4" and done["name"] == "i1"
    failed = rq.interaction_payload(Answer({"id": "i1", "status": "failed",
                                            "errors": [{"code": "safety", "message": "blocked by safety"}]}))
    assert ADAPTER.parse_result(payload=failed).error == "blocked by safety"
    budget = ADAPTER.parse_result(payload=rq.interaction_payload(Answer({"id": "i1", "status": "budget_exceeded"})))
    assert budget.status == FAILED and "budget_exceeded" in budget.error
