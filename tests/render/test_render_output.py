"""Render outputs probed with the ffmpeg binary: codecs, sizes, duration, subtitles, loudness,
ducking, incremental reuse, cancel and failure leave no file."""
import threading

import cv2
import numpy as np
import pytest

from core.errors import Cancelled, InvalidInput, RenderError
from core.render import composition
from core.render.engine import render_timeline
from core.timeline.cues import parse_subtitles
from core.timeline.model import AudioItem, Timeline, VideoItem, replace_source, set_duration


@pytest.fixture(scope="module")
def film(timeline, tmp_path_factory):
    d = tmp_path_factory.mktemp("film")
    res = render_timeline(timeline=timeline, out_path=str(d / "film.mp4"), quality="final", short_side=180,
                          subtitles="burn", cache_dir=str(d / "cache"))
    return res


def test_codecs_size_and_duration(film, timeline, tools):
    info = tools.probe(film.path)
    assert info["video"][:3] == ("h264", 320, 180) and info["video"][3] == 24
    assert info["audio"][0] == "aac" and info["audio"][1] == 48000
    frames = tools.count_frames(film.path)
    n_shots = len(timeline.video)
    assert abs(frames / 24 - timeline.duration_s) <= n_shots / 24
    assert abs(info["duration"] - timeline.duration_s) <= n_shots / 24 + 0.05


def test_faststart_moov_before_mdat(film):
    head = open(film.path, "rb").read(1 << 16)
    assert head.find(b"moov") != -1 and head.find(b"moov") < max(head.find(b"mdat"), 0) or b"mdat" not in head


def test_subtitle_files_parse_and_stay_in_film(film, timeline):
    for path in (film.srt_path, film.vtt_path):
        cues = parse_subtitles(open(path).read())
        assert len(cues) == len(timeline.cues) > 0
        assert all(0 <= c.start_s < c.end_s <= timeline.duration_s + 1e-6 for c in cues)


def test_burned_subtitles_are_in_the_picture(film, timeline, tools):
    cue = timeline.cues[1]
    frame = tools.frame_at(film.path, (cue.start_s + cue.end_s) / 2)
    gap = next(t for t in np.arange(0.05, timeline.duration_s, 0.1)
               if all(not (c.start_s - 0.1 <= t <= c.end_s + 0.1) for c in timeline.cues))
    plain = tools.frame_at(film.path, gap)
    low = slice(int(180 * 0.7), 180)
    assert (frame[low] > 235).all(axis=2).sum() > 40 + (plain[low] > 235).all(axis=2).sum()


def test_loudness_and_true_peak_measured_on_the_mp4(film, tools):
    lufs, peak = tools.ebur128(film.path)
    assert lufs == pytest.approx(-14.0, abs=1.0)
    assert peak <= -1.0 + 0.2
    assert film.lufs == pytest.approx(-14.0, abs=0.5)


def test_music_quieter_under_speech_than_between_lines(tmp_path, tools):
    """Music is a 3 kHz tone (above the voice's harmonics); its level is read with a narrow FFT bin."""
    import soundfile as sf
    rate = 48000
    t = np.arange(rate * 2) / rate
    sf.write(str(tmp_path / "tone.wav"), (0.2 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32), rate)
    voice, _ = tools.synth.voice_line(tmp_path / "v.wav", text="one two three four five six", seed=1, word_s=0.3)
    still = tools.synth.keyframe(tmp_path / "k.png", width=160, height=90, seed=1)
    items = (VideoItem(shot_id="a", start_s=0, duration_s=9, source=still),
             AudioItem(track="music", item_id="music", start_s=0, duration_s=9, path=str(tmp_path / "tone.wav"), loop=True),
             AudioItem(track="voice", item_id="v1", start_s=1.0, duration_s=2.5, path=voice),
             AudioItem(track="voice", item_id="v2", start_s=5.5, duration_s=2.5, path=voice))
    res = render_timeline(timeline=Timeline(fps=24, items=items), out_path=str(tmp_path / "duck.mp4"),
                          quality="preview", short_side=90, cache_dir=str(tmp_path / "c"))
    audio = tools.decode_audio(res.path).mean(axis=1)

    def tone_db(a, b):
        seg = audio[int(a * rate):int(b * rate)]
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        k = int(round(3000 * len(seg) / rate))
        return 20 * np.log10(spec[k - 2:k + 3].max())

    under = tone_db(1.8, 2.8)
    between = tone_db(4.5, 5.3)
    assert between - under > 8  # ≈12 dB duck


def test_aspect_ratios_and_fits(timeline, tmp_path, tools):
    for aspect, size in {"9:16": (180, 320), "1:1": (180, 180), "4:5": (180, 224)}.items():
        res = render_timeline(timeline=timeline, out_path=str(tmp_path / f"{aspect.replace(':', 'x')}.mp4"),
                              quality="preview", aspect_ratio=aspect, short_side=180, cache_dir=str(tmp_path / "c"))
        assert tools.probe(res.path)["video"][1:3] == size
    t = timeline.video[0].duration_s / 2
    letter = tools.frame_at(render_timeline(timeline=timeline, out_path=str(tmp_path / "lb.mp4"), quality="preview",
                                            aspect_ratio="9:16", fit="letterbox", short_side=180,
                                            cache_dir=str(tmp_path / "c")).path, t)
    crop = tools.frame_at(render_timeline(timeline=timeline, out_path=str(tmp_path / "cr.mp4"), quality="preview",
                                          aspect_ratio="9:16", fit="crop", short_side=180,
                                          cache_dir=str(tmp_path / "c")).path, t)
    # Letterbox: 16:9 picture 180×101 centred, black bars above and below; crop: picture everywhere.
    assert letter[:100].max() < 30 and letter[-100:].max() < 30 and letter[160].mean() > 40
    assert crop[:100].mean() > 40 and crop[-100:].mean() > 20


def test_rerender_after_one_shot_change_renders_one_segment(timeline, tmp_path, tools):
    kw = dict(quality="preview", short_side=90, cache_dir=str(tmp_path / "c"))
    first = render_timeline(timeline=timeline, out_path=str(tmp_path / "a.mp4"), **kw)
    assert first.segments_rendered == 4 and first.segments_reused == 0
    again = render_timeline(timeline=timeline, out_path=str(tmp_path / "a.mp4"), **kw)
    assert again.segments_rendered == 0 and again.segments_reused == 4
    moved = replace_source(timeline=timeline, shot_id="s0", source=timeline.item("video:s0").source, camera_move="pan_right")
    one = render_timeline(timeline=moved, out_path=str(tmp_path / "b.mp4"), **kw)
    assert one.segments_rendered == 1 and one.segments_reused == 3
    longer = set_duration(timeline=timeline, shot_id="s1", duration_s=timeline.item("video:s1").duration_s + 1.0)
    res = render_timeline(timeline=longer, out_path=str(tmp_path / "c.mp4"), **kw)
    assert res.segments_rendered == 1 and res.segments_reused == 3
    assert abs(tools.count_frames(res.path) / 24 - longer.duration_s) <= 4 / 24


def test_cancel_leaves_no_output(timeline, tmp_path):
    ev = threading.Event()
    calls = []

    def progress(fraction, message):
        calls.append(fraction)
        if fraction > 0.1:
            ev.set()

    out = tmp_path / "x.mp4"
    with pytest.raises(Cancelled):
        render_timeline(timeline=timeline, out_path=str(out), quality="preview", short_side=90,
                        cache_dir=str(tmp_path / "c"), on_progress=progress, cancel_event=ev)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".mp4"] == []
    assert not any(p.name.startswith(".") for p in (tmp_path / "c" / "segments").iterdir())


def test_corrupt_source_raises_render_error_and_no_output(timeline, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500)
    broken = replace_source(timeline=timeline, shot_id="s1", source=str(bad))
    out = tmp_path / "y.mp4"
    with pytest.raises(RenderError) as exc:
        render_timeline(timeline=broken, out_path=str(out), quality="preview", short_side=90,
                        cache_dir=str(tmp_path / "c"))
    assert "bad.mp4" in str(exc.value)
    assert not out.exists()
    bad_png = tmp_path / "bad.png"
    bad_png.write_bytes(b"not a png")
    with pytest.raises(RenderError):
        render_timeline(timeline=replace_source(timeline=timeline, shot_id="s0", source=str(bad_png)), out_path=str(out),
                        quality="preview", short_side=90, cache_dir=str(tmp_path / "c"))
    assert not out.exists()


def test_bad_options_name_the_field(timeline, tmp_path):
    for kw, field in (({"aspect_ratio": "2:1"}, "aspect_ratio"), ({"fit": "stretch"}, "fit"),
                      ({"subtitles": "yes"}, "subtitles"), ({"loudness_lufs": -10}, "loudness_lufs"),
                      ({"quality": "max"}, "quality")):
        with pytest.raises(InvalidInput) as exc:
            render_timeline(timeline=timeline, out_path=str(tmp_path / "z.mp4"), cache_dir=str(tmp_path), **kw)
        assert exc.value.field == field


def test_progress_reaches_one_and_cache_prunes(timeline, tmp_path):
    from core.render.engine import prune_cache

    seen = []
    cache = tmp_path / "c"
    render_timeline(timeline=timeline, out_path=str(tmp_path / "p.mp4"), quality="preview", short_side=90,
                    cache_dir=str(cache), on_progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in fractions)
    assert any("Rendering shots" in m for _, m in seen) and any("Mixing" in m for _, m in seen)
    before = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    freed = prune_cache(cache_dir=str(cache), max_bytes=before // 2)
    after = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    assert freed > 0 and after <= before // 2 and after == before - freed
    again = render_timeline(timeline=timeline, out_path=str(tmp_path / "p.mp4"), quality="preview", short_side=90,
                            cache_dir=str(cache))
    assert again.segments_rendered >= 1


def test_gap_before_a_shot_is_black(tmp_path, tools):
    still = tools.synth.keyframe(tmp_path / "k.png", width=160, height=90, seed=4)
    tl = Timeline(fps=24, items=(VideoItem(shot_id="a", start_s=1.0, duration_s=1.0, source=still),))
    res = render_timeline(timeline=tl, out_path=str(tmp_path / "gap.mp4"), quality="preview", short_side=90,
                          cache_dir=str(tmp_path / "c"))
    assert tools.count_frames(res.path) == 48 and res.segments_rendered == 2
    assert tools.frame_at(res.path, 0.4).max() < 20 and tools.frame_at(res.path, 1.5).mean() > 30


def test_missing_source_and_unwritable_output_are_render_errors(timeline, tmp_path):
    gone = replace_source(timeline=timeline, shot_id="s2", source=str(tmp_path / "nowhere.png"))
    with pytest.raises(RenderError) as exc:
        render_timeline(timeline=gone, out_path=str(tmp_path / "m.mp4"), quality="preview", short_side=90,
                        cache_dir=str(tmp_path / "c"))
    assert exc.value.field == "source" and "nowhere.png" in exc.value.message
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RenderError) as exc:
        render_timeline(timeline=timeline, out_path=str(blocker / "sub" / "m.mp4"), quality="preview",
                        short_side=90, cache_dir=str(tmp_path / "c"))
    assert exc.value.field == "out_path"


def test_default_cache_is_under_the_data_dir(tmp_path, tools):
    still = tools.synth.keyframe(tmp_path / "k.png", width=160, height=90, seed=5)
    tl = Timeline(fps=24, items=(VideoItem(shot_id="a", start_s=0, duration_s=0.5, source=still),))
    render_timeline(timeline=tl, out_path=str(tmp_path / "d.mp4"), quality="preview", short_side=90)
    assert len(list((tmp_path / "data" / "cache" / "segments").glob("*.mp4"))) == 1


def test_opencv_runs_one_thread_during_a_render_and_gets_its_pool_back(timeline, tmp_path, monkeypatch):
    """Segments side by side keep the cores busy, so a render sets OpenCV's pool to one thread; the
    setting is the process's, so the render gives it back (thumbnails and drawings use the pool)."""
    seen = []
    real = composition.still_frames

    def watched(*a, **kw):
        seen.append(cv2.getNumThreads())
        return real(*a, **kw)

    monkeypatch.setattr(composition, "still_frames", watched)
    before = cv2.getNumThreads()
    cv2.setNumThreads(3)
    try:
        render_timeline(timeline=timeline, out_path=str(tmp_path / "t.mp4"), quality="preview", short_side=90,
                        cache_dir=str(tmp_path / "c"), workers=2)
        assert seen and set(seen) == {1}
        assert cv2.getNumThreads() == 3
        render_timeline(timeline=timeline, out_path=str(tmp_path / "t1.mp4"), quality="preview", short_side=90,
                        cache_dir=str(tmp_path / "c1"), workers=1)  # one segment at a time: the pool is used
        assert seen[-1] == 3
    finally:
        cv2.setNumThreads(before)
