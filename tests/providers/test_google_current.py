"""The current Google models and routes (UPDATE-2026-12 §1) through the real google-genai SDK against the
loopback emulator: Omni Flash video with an API key alone, Veo 3.1 Lite and 4k, Vertex extension
limits, application default credentials that refresh, and a paid job that waits out refused credentials."""
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.errors import InvalidCombination, InvalidInput
from core.jobs.service import run_sync, submit_job
from core.media_assets import get_asset
from core.models import Job
from core.db import session
from core.settings import get_settings
from tests.conftest import installed_runner
from tests.emulators.media import clip_mp4
from tests.providers.conftest import GOOGLE_KEY, make_runner


def test_omni_flash_makes_video_with_the_api_key_alone(data_dir, serve_google, runner, png_file, monkeypatch):
    with serve_google(job_seconds=0.2, timeout_s=2.0) as emu:
        monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")  # no Vertex at all: the key-only route
        monkeypatch.delenv("GOOGLE_VERTEX_ACCESS_TOKEN")
        get_settings.cache_clear()
        job = run_sync(provider="google", model="gemini-omni-1.1-flash", timeout_s=30,
                       params={"prompt": "a fox runs", "duration": 6, "aspect_ratio": "9:16", "resolution": "1080p"},
                       inputs={"image": str(png_file)})
        assert job.status == "succeeded", job.error
        assert job.operation_id.startswith("interaction-")
        create = [c for c in emu.calls if c["route"] == "interaction"]
        assert len(create) == 1 and create[0]["path"].endswith("/interactions")
        assert create[0]["headers"]["x-goog-api-key"] == GOOGLE_KEY and "authorization" not in create[0]["headers"]
        body = create[0]["body"]
        assert body["model"] == "gemini-omni-1.1-flash" and body["background"] is True
        assert body["response_modalities"] == ["video"]
        assert body["response_format"] == {"type": "video", "delivery": "inline", "aspect_ratio": "9:16",
                                           "resolution": "1080p", "duration": "6s"}
        assert body["generation_config"] == {"video_config": {"task": "image_to_video"}}
        assert [c["type"] for c in body["input"][0]["content"]] == ["text", "image"]
        assert emu.count("interaction_poll") >= 1
        video = get_asset(media_id=job.result_media_id)
        assert video.type == "video" and video.model == "gemini-omni-1.1-flash" and video.height > video.width
        assert video.start_frame_used


def test_omni_rules_and_cancel(google_emu, runner, png_file):
    from core.providers.base import CANCELLED, ProviderRequest
    from core.providers.google import ADAPTER

    with pytest.raises(InvalidCombination):  # one task per interaction
        run_sync(provider="google", model="gemini-omni-1.2-flash", params={"prompt": "x"}, timeout_s=30,
                 inputs={"image": str(png_file), "reference_images": [str(png_file)]})
    with pytest.raises(InvalidCombination):  # 3-10 s
        run_sync(provider="google", model="gemini-omni-1.2-flash", params={"prompt": "x", "duration": 12}, timeout_s=30)
    google_emu.job_seconds = 30
    request = ProviderRequest(provider="google", model="gemini-omni-1.2-flash", operation="generate",
                              body={"method": "interactions", "auth": "api_key", "params": {"prompt": "x"}})
    submitted = ADAPTER.submit(request=request)
    ADAPTER.cancel(request=request, operation_id=submitted.operation_id)
    assert ADAPTER.poll(request=request, operation_id=submitted.operation_id).status == CANCELLED


def test_veo_lite_and_4k_follow_each_models_limits(google_emu, runner, png_file):
    lite = run_sync(provider="google", model="veo-3.1-lite-generate-001", timeout_s=30,
                    params={"prompt": "a fox", "duration_seconds": 8, "resolution": "1080p"},
                    inputs={"image": str(png_file), "last_frame": str(png_file)})
    assert lite.status == "succeeded", lite.error
    call = [c for c in google_emu.calls if c["route"] == "create"][-1]
    assert "/models/veo-3.1-lite-generate-001:predictLongRunning" in call["path"]
    assert call["body"]["parameters"]["resolution"] == "1080p"
    with pytest.raises(InvalidCombination, match="resolution"):  # no 4k on Lite
        run_sync(provider="google", model="veo-3.1-lite-generate-001", params={"prompt": "x", "resolution": "4k"})
    with pytest.raises(InvalidCombination, match="reference_images"):  # no references on Lite
        run_sync(provider="google", model="veo-3.1-lite-generate-001", params={"prompt": "x"},
                 inputs={"reference_images": [str(png_file)]})
    with pytest.raises(InvalidCombination, match="8 s"):  # 4k only at 8 s
        run_sync(provider="google", model="veo-3.1-generate-001",
                 params={"prompt": "x", "resolution": "4k", "duration_seconds": 4})
    big = run_sync(provider="google", model="veo-3.1-generate-001", timeout_s=30,
                   params={"prompt": "a fox", "resolution": "4k", "duration_seconds": 8})
    assert big.status == "succeeded", big.error
    assert [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]["parameters"]["resolution"] == "4k"
    assert get_asset(media_id=big.result_media_id).cost_estimate_usd is None  # 4k price unknown, not guessed


def test_vertex_extension_takes_1_to_30_s_inputs_checked_before_the_call(google_emu, runner, tmp_path):
    long_clip = tmp_path / "long.mp4"
    long_clip.write_bytes(clip_mp4(width=64, height=36, seconds=31.0, color="red", audio=False))
    short_clip = tmp_path / "short.mp4"
    short_clip.write_bytes(clip_mp4(width=64, height=36, seconds=0.5, color="red", audio=False))
    ok_clip = tmp_path / "ok.mp4"
    ok_clip.write_bytes(clip_mp4(width=64, height=36, seconds=20.0, color="red", audio=False))
    for clip in (long_clip, short_clip):
        with pytest.raises(InvalidInput, match=r"video: the file lasts .* s; veo-3.1-fast-generate-001 takes 1-30 s") as exc:
            run_sync(provider="google", model="veo-3.1-fast-generate-001", operation="extend",
                     params={"prompt": "more"}, inputs={"video": str(clip)}, timeout_s=30)
        assert exc.value.field == "video"
    assert google_emu.count("create") == 0  # refused before anything was sent
    # 20 s is past the Gemini API's old 720p-only habit but within Vertex's 1-30 s, and 4k is allowed.
    job = run_sync(provider="google", model="veo-3.1-fast-generate-001", operation="extend", timeout_s=30,
                   params={"prompt": "more", "resolution": "4k"}, inputs={"video": str(ok_clip)})
    assert job.status == "succeeded", job.error
    body = [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]
    assert "video" in body["instances"][0] and body["parameters"]["resolution"] == "4k"


def test_vertex_uses_application_default_credentials_and_refreshes_them(data_dir, serve_google, runner, tmp_path,
                                                                        monkeypatch):
    with serve_google(job_seconds=0.3, timeout_s=2.0) as emu:
        adc = tmp_path / "adc.json"
        url = get_settings().google_genai_base_url
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        # A service-account key file, as GOOGLE_APPLICATION_CREDENTIALS names one; its token_uri is the emulator.
        adc.write_text(json.dumps({"type": "service_account", "project_id": "storyreel-test", "private_key_id": "k1",
                                   "private_key": pem, "client_email": "sr@storyreel-test.iam.gserviceaccount.com",
                                   "client_id": "1", "token_uri": f"{url}/token"}))
        monkeypatch.delenv("GOOGLE_VERTEX_ACCESS_TOKEN")
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
        get_settings.cache_clear()
        # Tokens that live 60 s are "expired" for google-auth at once (it refreshes 225 s early), so every
        # request must carry a freshly refreshed token; the emulator accepts issued tokens only.
        emu.bearer_token = "not-a-static-token"
        emu.token_lifetime_s = 60
        job = run_sync(provider="google", model="veo-3.1-generate-001", params={"prompt": "a fox"}, timeout_s=30)
        assert job.status == "succeeded", job.error
        vertex_calls = [c for c in emu.calls if c["route"] in ("create", "poll")]
        assert emu.count("token") >= len(vertex_calls) >= 2
        used = [c["headers"]["authorization"] for c in vertex_calls]
        assert all(u.startswith("Bearer ya29.issued-") for u in used) and len(set(used)) == len(used)
        token_call = next(c for c in emu.calls if c["route"] == "token")
        assert token_call["method"] == "POST" and "jwt-bearer" in token_call["raw"]


def test_refused_credentials_while_polling_wait_instead_of_failing_the_paid_job(data_dir, serve_google, monkeypatch):
    with serve_google(job_seconds=0.2, timeout_s=2.0) as emu, \
            installed_runner(make_runner(backoff_max_s=0.1, max_retries=1)) as runner:
        emu.job_seconds = 60  # still running when the token goes stale
        job = submit_job(provider="google", model="veo-3.1-generate-001", params={"prompt": "a fox"})
        deadline = time.monotonic() + 20
        while emu.count("create") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        emu.bearer_token = "ya29.rotated-token"  # the old token now gets 401, as an expired one does
        polls_before = emu.count("poll")
        while time.monotonic() < deadline:
            with session() as s:
                current = s.get(Job, job.id)
            if current.error.startswith("waiting for working credentials") and emu.count("poll") > polls_before + 3:
                break
            time.sleep(0.05)
        assert current.status in ("submitted", "running"), current.error  # many refused polls, past max_retries
        assert "401" in current.error and "ya29" not in current.error
        for op in emu.operations.values():
            op.seconds = 0  # the video is ready meanwhile
        monkeypatch.setenv("GOOGLE_VERTEX_ACCESS_TOKEN", "ya29.rotated-token")  # the user provides a fresh token
        done = runner.wait(job_id=job.id, timeout_s=20)
        assert done.status == "succeeded", done.error
        assert done.error == "" and emu.count("create") == 1  # fetched, never paid twice
        assert get_asset(media_id=done.result_media_id).type == "video"
