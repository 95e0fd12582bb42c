"""Lip sync through the WaveSpeed InfiniteTalk emulator: a talking portrait uses the speaking
character's reference image automatically; re-lip-syncing a shot sends its clip and the line's
audio, and the result becomes a new version of the shot's clip."""
import io
import wave

import pytest

from core.generation import facade as generation
from core.breakdowns import get_shot, list_characters, list_shots, update_shot
from core.jobs.service import wait_for
from core.media_assets import asset_path, create_asset, get_asset
from core.settings import get_settings
from tests.conftest import installed_runner, make_runner
from tests.emulators.media import clip_mp4
from tests.emulators.server import serve
from tests.emulators.wavespeed import make_app

KEY = "ws-TEST-key-0123456789"


def _wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x10\x00\xf0\xff" * int(seconds * rate / 2))
    return buf.getvalue()


@pytest.fixture
def wavespeed(monkeypatch):
    emu = make_app(api_key=KEY, steps=1)
    with serve(emu.app) as url:
        emu.base_url = url
        monkeypatch.setenv("WAVESPEED_API_KEY", KEY)
        monkeypatch.setenv("WAVESPEED_BASE_URL", url)
        get_settings.cache_clear()
        with installed_runner(make_runner()):
            yield emu


def _uploaded(emu, url: str) -> bytes:
    return emu.media_for(url)["data"]


def test_talking_portrait_uses_the_speaking_characters_reference(project, wavespeed):
    maya = next(c for c in list_characters(project_id=project.id) if c.character_id == "maya")
    line = create_asset(type="voice", project_id=project.id, data=_wav(), mime="audio/wav", character_id="maya")
    job = generation.lipsync_image(provider="wavespeed", model="wavespeed-ai/infinitetalk",
                                   audio_media_id=line.media_id, character_id="maya", project_id=project.id)
    done = wait_for(job_id=job.id, timeout_s=60)
    assert done.status == "succeeded", done.error
    submit = wavespeed.calls("submit")[-1]["body"]
    assert _uploaded(wavespeed, submit["image"]) == asset_path(media_id=maya.reference_images[0]).read_bytes()
    assert _uploaded(wavespeed, submit["audio"]) == asset_path(media_id=line.media_id).read_bytes()
    video = get_asset(media_id=done.result_media_id)
    assert (video.type, video.provider, video.character_id) == ("video", "wavespeed", "maya")
    # WaveSpeed bills the audio's length in whole seconds with a 3 s floor (UPDATE-2026-12 §4): 0.5 s -> 3 s.
    assert video.cost_estimate_usd == pytest.approx(3 * 0.03)
    longer = create_asset(type="voice", project_id=project.id, data=_wav(4.2), mime="audio/wav", character_id="maya")
    job = generation.lipsync_image(provider="wavespeed", model="wavespeed-ai/infinitetalk",
                                   audio_media_id=longer.media_id, character_id="maya", project_id=project.id)
    done = wait_for(job_id=job.id, timeout_s=60)
    assert get_asset(media_id=done.result_media_id).cost_estimate_usd == pytest.approx(5 * 0.03)


def test_relipsync_sends_clip_and_line_and_makes_a_new_version(project, wavespeed):
    shot = list_shots(project_id=project.id)[0]
    clip = create_asset(type="video", project_id=project.id, data=clip_mp4(), mime="video/mp4", shot_id=shot.id)
    update_shot(shot_id=shot.id, clip_media_id=clip.media_id)
    line = create_asset(type="voice", project_id=project.id, data=_wav(0.8), mime="audio/wav")
    job = generation.lipsync_video(provider="wavespeed", model="wavespeed-ai/infinitetalk/video-to-video",
                                   video_media_id=clip.media_id, audio_media_id=line.media_id)
    done = wait_for(job_id=job.id, timeout_s=60)
    assert done.status == "succeeded", done.error
    submit = wavespeed.calls("submit")[-1]["body"]
    assert _uploaded(wavespeed, submit["video"]) == asset_path(media_id=clip.media_id).read_bytes()
    assert _uploaded(wavespeed, submit["audio"]) == asset_path(media_id=line.media_id).read_bytes()
    new = get_asset(media_id=done.result_media_id)
    assert new.parent_id == clip.media_id and new.shot_id == shot.id
    assert get_shot(shot_id=shot.id).clip_media_id == new.media_id
