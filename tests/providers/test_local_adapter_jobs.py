"""The local provider end to end through jobs; outputs checked by probing the stored files."""
import json

import pytest

from core.jobs.service import run_sync
from core.media_assets import asset_path, get_asset
from core.media.info import probe
from core.providers.local.adapter import frame_size


def test_local_adapter_frame_size():
    assert frame_size(aspect_ratio="16:9", resolution="720p") == (1280, 720)
    assert frame_size(aspect_ratio="9:16", resolution="480p") == (480, 854)
    assert frame_size(aspect_ratio="4:5", resolution=None) == (720, 900)
    assert frame_size(aspect_ratio=None, resolution="360p", source=(1000, 1000)) == (360, 360)


def test_local_adapter_keyframe_then_animate(runner):
    pytest.importorskip("core.providers.local.keyframe")
    pytest.importorskip("core.providers.local.animate")
    key = run_sync(provider="local", model="keyframe", timeout_s=60, shot_id=5,
                   params={"prompt": "Maya at the window", "shot_type": "close-up", "aspect_ratio": "9:16",
                           "characters": ["Maya"], "seed": 3})
    assert key.status == "succeeded", key.error
    image = get_asset(media_id=key.result_media_id)
    info = probe(path=asset_path(media_id=image.media_id))
    assert info.kind == "image" and (info.width, info.height) == (720, 1280) == (image.width, image.height)
    assert image.cost_estimate_usd == 0.0 and image.provider == "local"
    clip = run_sync(provider="local", model="animate", timeout_s=120,
                    params={"camera_move": "push_in", "duration": 1.0, "fps": 12, "aspect_ratio": "9:16",
                            "resolution": "360p"},
                    inputs={"image": image.media_id})
    assert clip.status == "succeeded", clip.error
    video = get_asset(media_id=clip.result_media_id)
    info = probe(path=asset_path(media_id=video.media_id))
    assert info.kind == "video" and (info.width, info.height) == (360, 640)
    assert abs(info.duration_s - 1.0) < 0.2 and video.start_frame_used == image.media_id
    assert get_asset(media_id=video.extra["last_frame_media_id"]).width == 360


def test_local_adapter_breakdown_and_script_are_text_assets(runner):
    job = run_sync(provider="local", model="breakdown", timeout_s=60,
                   params={"text": "INT. KITCHEN - NIGHT\n\nMaya pours tea.\n\nMAYA\nYou came back.\n",
                           "target_length_s": 20})
    assert job.status == "succeeded", job.error
    data = json.loads(asset_path(media_id=job.result_media_id).read_text())
    assert data["scenes"][0]["heading"].startswith("INT. KITCHEN") and data["characters"]
    pytest.importorskip("core.story.writer")
    script = run_sync(provider="local", model="script-writer", timeout_s=60,
                      params={"genre": "drama", "language": "en", "target_length_s": 30, "seed": 1})
    assert script.status == "succeeded", script.error
    assert set(json.loads(asset_path(media_id=script.result_media_id).read_text())) == {
        "title", "logline", "summary", "fountain"}


def test_local_adapter_tts_carries_word_timings(runner):
    pytest.importorskip("core.providers.local.tts")
    tts = run_sync(provider="local", model="tts", timeout_s=120, params={"text": "You came back."})
    assert tts.status == "succeeded", tts.error
    voice = get_asset(media_id=tts.result_media_id)
    assert voice.type == "voice" and voice.duration_s > 0.3
    assert [w["word"] for w in voice.extra["words"]][:1] and voice.extra["words"][-1]["end_s"] <= voice.duration_s + 0.1


def test_local_adapter_music_and_sfx(runner):
    pytest.importorskip("core.providers.local.music")
    pytest.importorskip("core.providers.local.sfx")
    music = run_sync(provider="local", model="music", timeout_s=120, params={"mood": "calm", "duration": 5})
    assert abs(probe(path=asset_path(media_id=music.result_media_id)).duration_s - 5) < 0.3
    sfx = run_sync(provider="local", model="sfx", timeout_s=120, params={"effect": "door", "duration": 1})
    assert get_asset(media_id=sfx.result_media_id).type == "sfx"


def test_local_adapter_lipsync_and_v2v(runner, png_file):
    pytest.importorskip("core.providers.local.tts")
    pytest.importorskip("core.providers.local.lipsync")
    pytest.importorskip("core.providers.local.v2v")
    tts = run_sync(provider="local", model="tts", timeout_s=120, params={"text": "Hello there."})
    portrait = run_sync(provider="local", model="lipsync-image", timeout_s=120, params={"resolution": "360p"},
                        inputs={"image": str(png_file), "audio": tts.result_media_id})
    assert portrait.status == "succeeded", portrait.error
    info = probe(path=asset_path(media_id=portrait.result_media_id))
    assert info.kind == "video" and info.has_audio
    v2v = run_sync(provider="local", model="v2v", timeout_s=120, params={"voice": "local-joe", "pitch_shift": 2},
                   inputs={"audio": tts.result_media_id})
    assert v2v.status == "succeeded", v2v.error
