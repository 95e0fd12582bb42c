"""Renders as jobs, probed independently of core.render.engine: codecs, size per aspect ratio, duration,
subtitle files, loudness on the final MP4, ducking, versions, shorts and cancellation."""
import io

import numpy as np
import pytest
import soundfile as sf

from core.jobs.runner import load_job
from core.media_assets import asset_path, get_asset
from core.render.service import (
    cancel_render, list_renders, render_film, render_preview, render_scene, start_render, wait_render,
)
from core.timeline.cues import parse_subtitles
from core.timeline.store import list_items, project_timeline
from core.generation.effects import attach_sfx
from core.generation.soundtrack import upload_music

TONE_HZ = 2500.0  # the test music: a steady tone above every harmonic of the synthetic speech


def _tone_bed(seconds: float = 12.0, rate: int = 48000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buf = io.BytesIO()
    sf.write(buf, (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32), rate, format="WAV")
    return buf.getvalue()


def _tone_level(x: np.ndarray, rate: int = 48000) -> float:
    win = np.hanning(len(x))
    spec = np.abs(np.fft.rfft(x * win))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    band = (freqs > TONE_HZ - 40) & (freqs < TONE_HZ + 40)
    return float(spec[band].max() / win.sum())


def _done(job):
    job = wait_render(job_id=job.id, timeout_s=120)
    assert job.status == "succeeded", job.error
    return job


def test_film_render_probed(tmp_path, tools):
    p = tools.make_project(tmp_path)
    attach_sfx(project_id=p.id)
    upload_music(project_id=p.id, name="tone.wav", data=_tone_bed(), gain_db=-6.0)
    tl = project_timeline(project_id=p.id).timeline
    job = _done(start_render(project_id=p.id, operation="film", options={"short_side": 360, "subtitles": "srt"}))
    assert load_job(job.id).progress == 1.0 and job.provider == "storyreel"
    asset = get_asset(media_id=job.result_media_id)
    assert asset.type == "render" and asset.operation == "film"
    assert asset.input_params["loudness_lufs"] == -14.0 and asset.input_params["aspect_ratio"] == "16:9"
    mp4 = asset_path(media_id=asset.media_id)
    info = tools.probe(mp4)
    assert info["video"][:3] == ("h264", 640, 360) and info["audio"][0] == "aac"
    assert mp4.read_bytes()[:64].find(b"moov") != -1 or b"moov" in mp4.read_bytes()[:4096]  # +faststart
    frames = tools.count_frames(mp4)
    assert abs(frames / 24 - tl.duration_s) <= len(tl.video) / 24
    # Subtitles: both files parse, carry the spoken words, and stay within the film.
    film_s = frames / 24
    for key in ("srt_media_id", "vtt_media_id"):
        cues = parse_subtitles(asset_path(media_id=asset.extra[key]).read_text())
        assert cues and all(0 <= c.start_s < c.end_s <= film_s + 0.05 for c in cues)
        assert "Someone has been here." in " ".join(c.text.replace("\n", " ") for c in cues)
    # Loudness measured by ffmpeg on the final MP4.
    assert tools.ebur128(mp4) == pytest.approx(-14.0, abs=1.0)
    # Ducking: the music tone is quieter while someone speaks than between lines.
    audio = tools.decode_audio(mp4)
    voice = tl.audio("voice")
    under = [_tone_level(audio[int((v.start_s + 0.3) * 48000):int((v.end_s - 0.2) * 48000)]) for v in voice]
    gaps = [(a.end_s + 0.6, b.start_s - 0.1) for a, b in zip(voice, voice[1:]) if b.start_s - a.end_s > 1.2]
    gaps.append((voice[-1].end_s + 0.6, tl.duration_s - 0.3)) if tl.duration_s - voice[-1].end_s > 1.2 else None
    between = [_tone_level(audio[int(a * 48000):int(b * 48000)]) for a, b in gaps]
    assert between, "the test needs a pause between lines"
    assert max(under) < min(between) * 10 ** (-6 / 20), (under, between)  # at least 6 dB quieter
    frame = tools.frame_png(mp4, 0.7, "film_16x9")
    assert frame.shape == (360, 640, 3) and frame.std() > 10


@pytest.mark.parametrize("aspect, fit, size", [("9:16", "crop", (360, 640)), ("1:1", "letterbox", (360, 360))])
def test_aspect_ratios_and_fit(tmp_path, tools, aspect, fit, size):
    p = tools.make_project(tmp_path, voices=False)
    job = _done(start_render(project_id=p.id, operation="film",
                             options={"short_side": 360, "aspect_ratio": aspect, "fit": fit, "subtitles": "none",
                                      "loudness_lufs": -23.0}))
    mp4 = asset_path(media_id=job.result_media_id)
    assert tools.probe(mp4)["video"][1:3] == size
    first_shot = project_timeline(project_id=p.id).timeline.video[0]  # after any opening title card
    frame = tools.frame_png(mp4, first_shot.start_s + first_shot.duration_s / 2, f"film_{aspect.replace(':', 'x')}_{fit}")
    if fit == "letterbox":  # 16:9 keyframes in a square: black bars above and below
        assert frame[:20].mean() < 8 and frame[size[1] // 2].mean() > 20
    else:  # centre crop fills the frame
        assert frame[:20].mean() > 20


def test_render_film_signature_versions_and_scene(tmp_path, tools):
    p = tools.make_project(tmp_path, voices=False)
    first = _done(render_film(project_id=p.id, subtitles="none", loudness_lufs=-16.0))
    second = _done(render_film(project_id=p.id, aspect_ratio="4:5", subtitles="none", loudness_lufs=-16.0))
    versions = list_renders(project_id=p.id, operation="film")
    assert [v.media_id for v in versions] == [second.result_media_id, first.result_media_id]
    assert versions[0].parent_id == versions[1].media_id
    assert versions[0].input_params["aspect_ratio"] == "4:5" and (versions[0].width, versions[0].height) == (720, 900)
    assert tools.probe(asset_path(media_id=first.result_media_id))["video"][1:3] == (1280, 720)
    scene_id = project_timeline(project_id=p.id).shots[-1].scene_id
    scene = _done(render_scene(scene_id=scene_id, options={"short_side": 240, "subtitles": "none"}))
    one = get_asset(media_id=scene.result_media_id)
    assert one.operation == "scene" and one.duration_s < versions[1].duration_s


def test_preview_rerenders_only_the_changed_shot(tmp_path, tools):
    from core.breakdowns import update_shot

    p = tools.make_project(tmp_path, voices=False)
    first = render_preview(project_id=p.id)
    n = first.segments_rendered + first.segments_reused
    assert first.segments_rendered == n and tools.probe(asset_path(media_id=first.asset.media_id))["video"][2] == 240
    shot = project_timeline(project_id=p.id).shots[1]
    update_shot(shot_id=shot.id, camera_move="pan_left")
    again = render_preview(project_id=p.id)
    assert (again.segments_rendered, again.segments_reused) == (1, n - 1)
    assert again.asset.media_id != first.asset.media_id


def test_shorts_are_vertical_with_reasons(tmp_path, tools):
    p = tools.make_project(tmp_path)
    job = _done(start_render(project_id=p.id, operation="short", options={"count": 1, "short_side": 240}))
    shorts = list_renders(project_id=p.id, operation="short")
    assert len(shorts) == 1 and shorts[0].media_id == job.result_media_id
    assert "dialogue" in shorts[0].extra["reason"]
    assert tools.probe(asset_path(media_id=shorts[0].media_id))["video"][1:3] == (240, 426)
    assert shorts[0].extra.get("srt_media_id")


def test_cancel_leaves_no_render_and_bad_options_are_named(tmp_path, tools):
    from core.errors import InvalidInput

    p = tools.make_project(tmp_path, voices=False)
    with pytest.raises(InvalidInput) as err:
        start_render(project_id=p.id, operation="film", options={"loudness_lufs": -9.0})
    assert err.value.field == "loudness_lufs"
    job = start_render(project_id=p.id, operation="film", options={"short_side": 1080})
    cancel_render(job_id=job.id)
    job = wait_render(job_id=job.id, timeout_s=120)
    assert job.status == "cancelled"
    assert list_renders(project_id=p.id) == []
    assert not list_items(project_id=p.id, track="music")


def test_render_that_cannot_write_ends_failed_naming_the_path(tmp_path, tools):
    from core.settings import get_settings

    p = tools.make_project(tmp_path, voices=False)
    blocked = get_settings().data_dir / "renders"
    blocked.write_text("a file where the render work dir should be")  # mkdir fails as on a full/readonly disk
    job = wait_render(job_id=start_render(project_id=p.id, operation="preview").id, timeout_s=120)
    assert job.status == "failed" and "renders" in job.error and "STORYREEL_DATA_DIR" in job.error
    assert job.worker is None and job.lease_expires_at is None
