"""Incremental soundtrack: per-window mixes reused, loudness and true peak as a from-scratch render,
and the same sound as the one-pass mix (measured on the decoded MP4, independently of the code)."""
import numpy as np
import pytest

from core.render.engine import render_timeline
from core.render.mix import mix_timeline
from core.timeline.model import AudioItem, Timeline, VideoItem, set_duration


def test_windows_sound_like_the_one_pass_mix(tmp_path, tools):
    """Frame-exact shots, a voice line crossing a cut, an SFX crossing another, a looped and faded
    bed: the windowed soundtrack decodes to the one-pass mix (AAC noise only)."""
    synth = tools.synth
    v0, _ = synth.voice_line(tmp_path / "v0.wav", text="Where were you last night? At the harbour.", seed=1)
    v1, _ = synth.voice_line(tmp_path / "v1.wav", text="Fine. I followed the lights.", seed=2)
    kf = synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=1)
    items = [VideoItem(shot_id=f"s{i}", start_s=2.0 * i, duration_s=2.0, source=kf) for i in range(4)]
    items += [AudioItem(track="music", item_id="music", start_s=0, duration_s=8.0, loop=True, gain_db=-6,
                        fade_in_s=1, fade_out_s=2, path=synth.music_bed(tmp_path / "m.wav", seconds=3.0)),
              AudioItem(track="voice", item_id="v0", start_s=1.5, duration_s=2.5, path=v0),
              AudioItem(track="voice", item_id="v1", start_s=4.25, duration_s=3.0, path=v1, gain_db=-3),
              AudioItem(track="sfx", item_id="x", start_s=3.9, duration_s=0.6, fade_out_s=0.05,
                        path=synth.sfx(tmp_path / "s.wav"))]
    tl = Timeline(fps=24, width=320, height=180, items=tuple(items))
    res = render_timeline(timeline=tl, out_path=str(tmp_path / "a.mp4"), quality="preview",
                          cache_dir=str(tmp_path / "cache"))
    ours = tools.decode_audio(res.path)
    ref = mix_timeline(timeline=tl).samples
    assert ours.shape == ref.shape
    snr = 10 * np.log10((ref ** 2).sum() / ((ours - ref) ** 2).sum())
    assert snr > 25, snr  # a misplaced item, missing ducking or a music jump gives < 5 dB


def test_lengthening_a_shot_remixes_one_window_and_keeps_loudness(timeline, tmp_path, tools):
    cache = str(tmp_path / "cache")
    first = render_timeline(timeline=timeline, out_path=str(tmp_path / "a.mp4"), quality="preview", cache_dir=cache)
    assert first.audio_windows_mixed == len(timeline.video)
    mid = timeline.video[1]
    longer = set_duration(timeline=timeline, shot_id=mid.shot_id, duration_s=mid.duration_s + 1.0)
    inc = render_timeline(timeline=longer, out_path=str(tmp_path / "b.mp4"), quality="preview", cache_dir=cache)
    assert inc.audio_windows_mixed == 1 and inc.segments_rendered == 1
    scratch = render_timeline(timeline=longer, out_path=str(tmp_path / "c.mp4"), quality="preview",
                              cache_dir=str(tmp_path / "fresh"))
    assert scratch.audio_windows_mixed == len(longer.video)
    (inc_lufs, inc_peak), (ref_lufs, ref_peak) = tools.ebur128(inc.path), tools.ebur128(scratch.path)
    assert inc_lufs == pytest.approx(ref_lufs, abs=0.5)
    assert inc_peak <= -1.0 and ref_peak <= -1.0
    assert inc_lufs == pytest.approx(-14.0, abs=0.5)
    assert inc.lufs == pytest.approx(inc_lufs, abs=0.5)  # the figure we report is what the file measures
    assert tools.probe(inc.path)["duration"] == pytest.approx(longer.duration_s, abs=0.1)


def test_unchanged_render_reuses_the_encoded_soundtrack(timeline, tmp_path):
    cache = tmp_path / "cache"
    render_timeline(timeline=timeline, out_path=str(tmp_path / "a.mp4"), quality="preview", cache_dir=str(cache))
    films = sorted((cache / "audio").glob("film-*.adts"))
    stamp = films[0].stat().st_mtime_ns
    again = render_timeline(timeline=timeline, out_path=str(tmp_path / "b.mp4"), quality="preview",
                            cache_dir=str(cache))
    assert again.audio_windows_mixed == 0
    assert sorted((cache / "audio").glob("film-*.adts")) == films
    assert films[0].read_bytes() and films[0].stat().st_mtime_ns >= stamp


def test_lengthening_a_late_shot_reuses_the_encoded_chunks_before_it(tmp_path, tools):
    """A 32 s film under a looped, faded bed that stretches with the film: lengthening the shot at
    20 s re-encodes only the AAC chunks from there (the others are found by what they are made of,
    without making their samples), and every stretch of the result sounds like the one-pass mix.
    The bed is quiet (under the loudness gate), so the film gain stays on its grid step."""
    synth = tools.synth
    kf = synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=1)
    items = [VideoItem(shot_id=f"s{i}", start_s=4.0 * i, duration_s=4.0, source=kf) for i in range(8)]
    for i in (0, 2, 3, 5, 6, 7):
        path, _ = synth.voice_line(tmp_path / f"v{i}.wav", text="We should go up there before dawn.", seed=i)
        items.append(AudioItem(track="voice", item_id=f"v{i}", shot_id=f"s{i}", start_s=4.0 * i + 0.5,
                               duration_s=3.0, path=path))
    items.append(AudioItem(track="music", item_id="music", start_s=0, duration_s=32.0, loop=True, gain_db=-24,
                           fade_in_s=1, fade_out_s=2, path=synth.music_bed(tmp_path / "m.wav", seconds=7.0)))
    tl = Timeline(fps=24, width=320, height=180, items=tuple(items))
    cache = tmp_path / "cache"
    render_timeline(timeline=tl, out_path=str(tmp_path / "a.mp4"), quality="preview", cache_dir=str(cache))
    chunks = set((cache / "audio").glob("aac-*.adts"))
    assert len(chunks) == 6  # 32 s in chunks of about 5.5 s
    longer = set_duration(timeline=tl, shot_id="s5", duration_s=5.0)
    res = render_timeline(timeline=longer, out_path=str(tmp_path / "b.mp4"), quality="preview", cache_dir=str(cache))
    encoded = set((cache / "audio").glob("aac-*.adts")) - chunks
    assert len(encoded) == 4  # 33 s: seven chunks; the first three (to 16.4 s, with their context) reused
    ours, ref = tools.decode_audio(res.path), mix_timeline(timeline=longer).samples
    assert ours.shape == ref.shape
    for a in range(0, ref.shape[0] - 48000, 48000 * 4):  # each 4 s stretch, so one stale chunk shows
        o, r = ours[a:a + 48000 * 4], ref[a:a + 48000 * 4]
        assert 10 * np.log10((r ** 2).sum() / ((o - r) ** 2).sum()) > 20, a / 48000
