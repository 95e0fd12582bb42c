"""Every google operation through the real google-genai SDK against the loopback emulator, via jobs."""
import json

import httpx
import pytest

from core.jobs.service import run_sync, submit_job
from core.media_assets import asset_path, get_asset
from core.media.info import probe


def test_google_veo_interpolation_job_stores_video_frames_and_metadata(google_emu, runner, png_file):
    job = run_sync(provider="google", model="veo-3.1-generate-001", timeout_s=30, project_id=None, shot_id=3,
                   character_id="maya",
                   params={"prompt": "a fox runs", "duration_seconds": 8, "seed": 11, "generate_audio": True,
                           "negative_prompt": "blur", "person_generation": "allow_adult"},
                   inputs={"image": str(png_file), "last_frame": str(png_file)})
    assert job.status == "succeeded", job.error
    assert job.operation_id.startswith("projects/storyreel-test/locations/us-central1/publishers/google/models/")
    video = get_asset(media_id=job.result_media_id)
    assert (video.type, video.provider, video.model, video.operation) == ("video", "google", "veo-3.1-generate-001",
                                                                          "generate")
    assert video.shot_id == 3 and video.character_id == "maya"
    assert video.start_frame_used and video.end_frame_used == video.start_frame_used
    assert video.input_params["seed"] == 11 and video.width == 64 and video.height == 36
    info = probe(path=asset_path(media_id=video.media_id))
    assert info.kind == "video" and info.duration_s > 0.5
    first = get_asset(media_id=video.extra["first_frame_media_id"])
    last = get_asset(media_id=video.extra["last_frame_media_id"])
    assert first.type == last.type == "image" and first.parent_id == video.media_id
    create = [c for c in google_emu.calls if c["route"] == "create"]
    assert len(create) == 1
    assert create[0]["headers"]["authorization"] == "Bearer ya29.TEST-vertex-token-abcdef"
    inst, params = create[0]["body"]["instances"][0], create[0]["body"]["parameters"]
    assert set(inst) == {"prompt", "image", "lastFrame"}
    assert params == {"sampleCount": 1, "durationSeconds": 8, "seed": 11, "generateAudio": True,
                      "negativePrompt": "blur", "personGeneration": "allow_adult", "aspectRatio": "16:9",
                      "resolution": "720p"}
    assert google_emu.count("poll") >= 1


def test_google_veo_reference_images_are_assets(google_emu, runner, png_file):
    job = run_sync(provider="google", model="veo-3.1-generate-001", timeout_s=30,
                   params={"prompt": "maya walks", "duration_seconds": 8, "aspect_ratio": "16:9"},
                   inputs={"reference_images": [str(png_file), str(png_file)]})
    assert job.status == "succeeded", job.error
    inst = next(c for c in google_emu.calls if c["route"] == "create")["body"]["instances"][0]
    assert [r["referenceType"] for r in inst["referenceImages"]] == ["ASSET", "ASSET"]
    assert len(get_asset(media_id=job.result_media_id).reference_images_used) == 2


def test_google_veo_extend_sends_the_source_video(google_emu, runner, png_file):
    first = run_sync(provider="google", model="veo-3.1-generate-001", params={"prompt": "start"}, timeout_s=30)
    job = run_sync(provider="google", model="veo-3.1-generate-001", operation="extend", timeout_s=30,
                   params={"prompt": "keep going"}, inputs={"video": first.result_media_id})
    assert job.status == "succeeded", job.error
    body = [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]
    assert "bytesBase64Encoded" in body["instances"][0]["video"]
    assert get_asset(media_id=job.result_media_id).operation == "extend"


def test_google_nano_banana_models_and_retired_imagen(google_emu, runner, png_file):
    from core.errors import UnsupportedCapability

    # Imagen 4 shut down (UPDATE-2026-12 §1.5): refused before anything is sent, naming the successor.
    with pytest.raises(UnsupportedCapability, match="gemini-3.1-flash-image"):
        run_sync(provider="google", model="imagen-4.0-generate-001", timeout_s=30, params={"prompt": "a lighthouse"})
    assert not google_emu.calls
    nb = run_sync(provider="google", model="gemini-nano-banana-2.1", timeout_s=30,
                  params={"prompt": "maya in the rain", "aspect_ratio": "1:4", "image_size": "2K"},
                  inputs={"reference_images": [str(png_file)] * 3})
    assert nb.status == "succeeded", nb.error
    gen = next(c for c in google_emu.calls if c["route"] == "generate")
    assert gen["path"].endswith("/models/gemini-nano-banana-2.1:generateContent")
    assert gen["headers"]["x-goog-api-key"] == "AIzaTEST-google-key-0123456789"
    parts = gen["body"]["contents"][0]["parts"]
    assert parts[0]["text"] == "maya in the rain" and all("inlineData" in p for p in parts[1:]) and len(parts) == 4
    assert gen["body"]["generationConfig"]["imageConfig"] == {"aspectRatio": "1:4", "imageSize": "2K"}
    asset = get_asset(media_id=nb.result_media_id)
    assert len(asset.reference_images_used) == 3 and asset.height > asset.width
    # Nano Banana 2 (3.1 Flash Image) runs in Vertex mode: bearer token, Vertex path.
    v = run_sync(provider="google", model="gemini-3.1-flash-image", timeout_s=30, params={"prompt": "a lighthouse"})
    assert v.status == "succeeded", v.error
    call = [c for c in google_emu.calls if c["route"] == "generate"][-1]
    assert call["path"].endswith("/publishers/google/models/gemini-3.1-flash-image:generateContent")
    assert call["headers"]["authorization"] == "Bearer ya29.TEST-vertex-token-abcdef"
    for model in ("gemini-3-pro-image", "gemini-3.1-flash-lite-image"):
        assert run_sync(provider="google", model=model, timeout_s=30, params={"prompt": "x"}).status == "succeeded"


def test_google_script_and_breakdown_structured_output(google_emu):
    from core.providers.google import generate_breakdown, generate_script

    script = generate_script(genre="drama", language="en", target_length_s=60, logline="A return.")
    assert set(script) == {"title", "logline", "summary", "fountain"} and "INT." in script["fountain"]
    bd = generate_breakdown(text="INT. KITCHEN - NIGHT\n\nMaya pours tea.", target_length_s=30)
    assert bd["scenes"][0]["heading"] and isinstance(bd["scenes"][0]["shots"], list) and "characters" in bd
    bodies = [c["body"] for c in google_emu.calls if c["route"] == "generate"]
    assert all(b["generationConfig"]["responseMimeType"] == "application/json" for b in bodies)
    assert bodies[0]["generationConfig"]["responseJsonSchema"]["required"] == ["title", "logline", "summary", "fountain"]
    # The default is a current model (UPDATE-2026-12 §5.1), without the deprecated sampling parameters.
    paths = [c["path"] for c in google_emu.calls if c["route"] == "generate"]
    assert len(paths) == 2 and all(p.endswith("/models/gemini-3.8-flash:generateContent") for p in paths)
    assert all("temperature" not in b["generationConfig"] for b in bodies)


def test_google_emulator_rejects_undocumented_fields(google_emu):
    url = get_url()
    body = {"instances": [{"prompt": "x", "cameraMove": "dolly"}], "parameters": {}}
    r = httpx.post(f"{url}/v1beta1/projects/p/locations/l/publishers/google/models/veo-3.1-generate-001:predictLongRunning",
                   json=body, headers={"Authorization": "Bearer ya29.TEST-vertex-token-abcdef"})
    assert r.status_code == 400
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT" and "cameraMove" in r.json()["error"]["message"]
    r = httpx.post(f"{url}/v1beta1/projects/p/locations/l/publishers/google/models/veo-3.1-generate-001:predictLongRunning",
                   json={"instances": [{"prompt": "x"}]}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def get_url():
    from core.settings import get_settings

    return get_settings().google_genai_base_url
