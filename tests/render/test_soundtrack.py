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
    films = sorted((cache / "audio").glob("film-*.m4a"))
    stamp = films[0].stat().st_mtime_ns
    again = render_timeline(timeline=timeline, out_path=str(tmp_path / "b.mp4"), quality="preview",
                            cache_dir=str(cache))
    assert again.audio_windows_mixed == 0
    assert sorted((cache / "audio").glob("film-*.m4a")) == films
    assert films[0].read_bytes() and films[0].stat().st_mtime_ns >= stamp
