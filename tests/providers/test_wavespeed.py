"""WaveSpeed InfiniteTalk adapter: pure request/parse tests, then httpx against the emulator."""
from __future__ import annotations


import pytest

from core.errors import InvalidInput, ProviderError, UnsupportedCapability
from core.providers.base import FAILED, RUNNING, SUBMITTED, SUCCEEDED, ProviderRequest
from core.providers.wavespeed import WaveSpeedAdapter
from tests.emulators.media import clip_mp4
from tests.emulators.server import Fault
from tests.providers.conftest import WAVESPEED_KEY, Cap, assert_no_key, poll_until_done, write_png, write_wav

IMAGE_CAP = Cap(model="wavespeed-ai/infinitetalk", operation="lipsync_image", input_schema={},
                roles={"image": "image", "audio": "audio"})
VIDEO_CAP = Cap(model="wavespeed-ai/infinitetalk/video-to-video", operation="lipsync_video", input_schema={},
                roles={"video": "video", "audio": "audio"})
FAST_VIDEO_CAP = Cap(model="wavespeed-ai/infinitetalk-fast/video-to-video", operation="lipsync_video", input_schema={})


@pytest.fixture
def adapter():
    return WaveSpeedAdapter(timeout_s=0.5)


@pytest.fixture
def media(tmp_path):
    video = tmp_path / "shot.mp4"
    video.write_bytes(clip_mp4())
    return {"image": write_png(tmp_path / "face.png"), "audio": write_wav(tmp_path / "line.wav"), "video": video}


# ---- pure ------------------------------------------------------------------------------------
def test_parse_failed_task_answered_with_http_200():
    envelope = {"code": 200, "message": "success",
                "data": {"id": "t1", "status": "failed", "outputs": [], "error": "no face detected"}}
    result = WaveSpeedAdapter().parse_result(payload=envelope)
    assert result.status == FAILED and result.error == "no face detected" and not result.retryable


def test_parse_upstream_5xx_failure_is_retryable():
    result = WaveSpeedAdapter().parse_result(payload={"data": {"status": "failed", "error": "HTTP 503 upstream"}})
    assert result.status == FAILED and result.retryable


def test_parse_statuses_and_outputs():
    a = WaveSpeedAdapter()
    assert a.parse_result(payload={"data": {"status": "created"}}).status == SUBMITTED
    assert a.parse_result(payload={"data": {"status": "processing"}}).status == RUNNING
    done = a.parse_result(payload={"data": {"status": "completed", "outputs": ["https://cdn.x/o.mp4"],
                                            "has_nsfw_contents": [False]}})
    assert done.status == SUCCEEDED and done.outputs[0].url == "https://cdn.x/o.mp4" and done.outputs[0].mime == "video/mp4"
    assert a.parse_result(payload={"data": {"status": "completed", "outputs": []}}).status == FAILED
    assert a.parse_result(payload={"data": {"status": "weird"}}).status == FAILED


def test_request_keeps_media_as_files_and_refuses_undocumented_fields(media):
    a = WaveSpeedAdapter()
    req = a.build_request(cap=IMAGE_CAP, params={"resolution": "720p", "seed": 5, "prompt": "calm"},
                          inputs={"image": media["image"], "audio": media["audio"]})
    assert req.body == {"resolution": "720p", "seed": 5, "prompt": "calm"}
    assert {k: v.path for k, v in req.files.items()} == {"image": str(media["image"]), "audio": str(media["audio"])}
    with pytest.raises(InvalidInput) as err:  # fast variants take no resolution (wavespeed.md §3)
        a.build_request(cap=FAST_VIDEO_CAP, params={"resolution": "720p"}, inputs={"video": media["video"], "audio": media["audio"]})
    assert err.value.field == "resolution"
    with pytest.raises(InvalidInput) as err:
        a.build_request(cap=VIDEO_CAP, params={}, inputs={"video": media["video"]})
    assert err.value.field == "audio"
    with pytest.raises(UnsupportedCapability):
        a.build_request(cap=Cap(model="wavespeed-ai/other", operation="lipsync_image", input_schema={}), params={}, inputs={})


# ---- contract --------------------------------------------------------------------------------
def uploaded(emu, url: str) -> bytes:
    return emu.media_for(url)["data"]


def test_image_plus_audio_carries_the_right_image_and_audio(adapter, wavespeed_emu, media, caplog):
    req = adapter.build_request(cap=IMAGE_CAP, params={"resolution": "480p", "seed": 42},
                                inputs={"image": media["image"], "audio": media["audio"]})
    sub = adapter.submit(request=req)
    assert sub.status == SUBMITTED
    uploads = wavespeed_emu.calls("upload")
    assert len(uploads) == 2 and all(u["path"] == "/api/v3/media/upload/binary" for u in uploads)
    (submit,) = wavespeed_emu.calls("submit")
    assert submit["path"] == "/api/v3/wavespeed-ai/infinitetalk"
    assert submit["headers"]["authorization"] == f"Bearer {WAVESPEED_KEY}"
    assert set(submit["body"]) == {"image", "audio", "resolution", "seed"}
    assert uploaded(wavespeed_emu, submit["body"]["image"]) == media["image"].read_bytes()
    assert uploaded(wavespeed_emu, submit["body"]["audio"]) == media["audio"].read_bytes()
    result = poll_until_done(adapter, req, sub.operation_id, what="task")
    assert result.status == SUCCEEDED
    assert wavespeed_emu.calls("poll")[0]["path"] == f"/api/v3/predictions/{sub.operation_id}/result"
    assert adapter.download(output=result.outputs[0])[4:8] == b"ftyp"
    assert_no_key(caplog.text, str(req.to_json()))


@pytest.mark.parametrize("cap", [VIDEO_CAP, FAST_VIDEO_CAP])
def test_video_plus_audio_carries_the_right_video_and_audio(adapter, wavespeed_emu, media, cap):
    req = adapter.build_request(cap=cap, params={"seed": 1}, inputs={"video": media["video"], "audio": media["audio"]})
    sub = adapter.submit(request=req)
    (submit,) = wavespeed_emu.calls("submit")
    assert submit["path"] == f"/api/v3/{cap.model}"
    assert set(submit["body"]) == {"video", "audio", "seed"}
    assert uploaded(wavespeed_emu, submit["body"]["video"]) == media["video"].read_bytes()
    assert uploaded(wavespeed_emu, submit["body"]["audio"]) == media["audio"].read_bytes()
    assert poll_until_done(adapter, req, sub.operation_id, what="task").status == SUCCEEDED


def test_failed_task_with_http_200_is_a_failed_result(adapter, wavespeed_emu, media):
    wavespeed_emu.faults.add(Fault(kind="fail_job", route="submit", message="audio too long"))
    req = adapter.build_request(cap=IMAGE_CAP, params={}, inputs={"image": media["image"], "audio": media["audio"]})
    result = poll_until_done(adapter, req, adapter.submit(request=req).operation_id, what="task")
    assert result.status == FAILED and result.error == "audio too long"


def test_swapped_media_is_refused_by_the_emulator(adapter, wavespeed_emu, media):
    # The audio field given an image: the emulator checks the kind of each uploaded file.
    req = adapter.build_request(cap=IMAGE_CAP, params={}, inputs={"image": media["image"], "audio": media["image"]})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    assert err.value.status_code == 400 and "audio must be audio media" in str(err.value)


def test_undocumented_field_is_rejected_like_the_service(adapter, wavespeed_emu):
    req = ProviderRequest(provider="wavespeed", model="wavespeed-ai/infinitetalk", operation="lipsync_image",
                          body={"image": "https://x/a.png", "audio": "https://x/a.wav", "fps": 25})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    assert err.value.status_code == 400 and not err.value.retryable and "fps" in str(err.value)


def submit_error(adapter, media) -> ProviderError:
    req = adapter.build_request(cap=IMAGE_CAP, params={}, inputs={"image": media["image"], "audio": media["audio"]})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    return err.value


def test_submit_429_retryable_with_retry_after(adapter, wavespeed_emu, media, caplog):
    wavespeed_emu.faults.add(Fault(kind="status", route="submit", status=429, retry_after=4, message="rate limited"))
    err = submit_error(adapter, media)
    assert err.retryable and err.retry_after_s == 4 and "rate limited" in str(err)
    assert_no_key(str(err), caplog.text)


@pytest.mark.parametrize("status", [500, 503])
def test_submit_5xx_retryable(adapter, wavespeed_emu, media, status):
    wavespeed_emu.faults.add(Fault(kind="status", route="submit", status=status))
    assert submit_error(adapter, media).retryable


def test_upload_5xx_retryable_and_nothing_submitted(adapter, wavespeed_emu, media):
    wavespeed_emu.faults.add(Fault(kind="status", route="upload", status=503))
    assert submit_error(adapter, media).retryable
    assert wavespeed_emu.calls("submit") == []


def test_bad_key_permanent(wavespeed_emu, media, caplog):
    err = submit_error(WaveSpeedAdapter(api_key="ws_WRONG_0000"), media)
    assert err.status_code == 401 and not err.retryable and "ws_WRONG_0000" not in str(err) + caplog.text


@pytest.mark.parametrize("fault", [Fault(kind="slow", route="submit", delay_s=1.0), Fault(kind="malformed", route="submit")])
def test_ambiguous_submit_is_never_resent(adapter, wavespeed_emu, media, fault):
    wavespeed_emu.faults.add(fault)
    assert not submit_error(adapter, media).retryable
    assert len(wavespeed_emu.calls("submit")) == 1


@pytest.mark.parametrize("fault", [Fault(kind="slow", route="poll", delay_s=1.0), Fault(kind="malformed", route="poll"),
                                   Fault(kind="status", route="poll", status=502)])
def test_poll_trouble_retryable_then_finishes(adapter, wavespeed_emu, media, fault):
    req = adapter.build_request(cap=IMAGE_CAP, params={}, inputs={"image": media["image"], "audio": media["audio"]})
    sub = adapter.submit(request=req)
    wavespeed_emu.faults.add(fault)
    with pytest.raises(ProviderError) as err:
        adapter.poll(request=req, operation_id=sub.operation_id)
    assert err.value.retryable
    assert poll_until_done(adapter, req, sub.operation_id, what="task").status == SUCCEEDED


def test_forbidden_download_is_permanent(adapter, wavespeed_emu, media):
    req = adapter.build_request(cap=IMAGE_CAP, params={}, inputs={"image": media["image"], "audio": media["audio"]})
    result = poll_until_done(adapter, req, adapter.submit(request=req).operation_id, what="task")
    wavespeed_emu.faults.add(Fault(kind="forbidden_download", route="download"))
    with pytest.raises(ProviderError) as err:
        adapter.download(output=result.outputs[0])
    assert err.value.status_code == 403 and not err.value.retryable
    assert "authorization" not in wavespeed_emu.calls("download")[0]["headers"]  # the key stays with the API


def test_cancel_is_unsupported(adapter):
    with pytest.raises(UnsupportedCapability):
        adapter.cancel(request=None, operation_id="t")
