"""Auto shorts: moment scoring and the vertical export."""
import pytest

from core.render.mix import mix_timeline
from core.errors import InvalidInput
from core.render.shorts import find_moments, render_short
from core.timeline.model import AudioItem, Timeline, VideoItem


def test_moments_are_ranked_non_overlapping_and_explained(timeline):
    mix = mix_timeline(timeline=timeline)
    moments = find_moments(timeline=timeline, audio_mix=mix.samples, rate=mix.rate, min_s=3, max_s=6, count=3)
    assert 1 <= len(moments) <= 3
    assert [m.score for m in moments] == sorted((m.score for m in moments), reverse=True)
    bounds = {round(v.start_s, 3) for v in timeline.video} | {round(timeline.duration_s, 3)}
    for m in moments:
        assert 3 - 1e-6 <= m.duration_s <= 6 + 1e-6
        assert m.start_s in bounds and m.end_s in bounds
        assert "dialogue" in m.reason and "shot change" in m.reason and "loudness" in m.reason
    for a in moments:
        for b in moments:
            assert a is b or a.end_s <= b.start_s or b.end_s <= a.start_s
    assert any("hook" in m.reason for m in moments)


def test_dialogue_beats_silence(tmp_path, tools):
    """Two equal stretches, one with dialogue and a question: the dialogue one wins."""
    voice, _ = tools.synth.voice_line(tmp_path / "v.wav", text="Who is there at the door tonight?", seed=2)
    items = [VideoItem(shot_id=f"s{i}", start_s=i * 5.0, duration_s=5.0, source="k.png") for i in range(4)]
    items += [AudioItem(track="voice", item_id="v", start_s=11, duration_s=3, path=voice)]
    from core.timeline.model import SubtitleCue
    items += [SubtitleCue(start_s=11, end_s=13, text="Who is there?")]
    tl = Timeline(items=tuple(items))
    (best,) = find_moments(timeline=tl, min_s=5, max_s=5, count=1)
    assert best.start_s == 10.0 and "hook" in best.reason
    with pytest.raises(InvalidInput):
        find_moments(timeline=tl, min_s=10, max_s=5)


def test_render_short_is_vertical_with_burned_subtitles(timeline, tmp_path, tools):
    (m,) = find_moments(timeline=timeline, min_s=4, max_s=6, count=1)
    res, framing = render_short(timeline=timeline, moment=m, out_path=str(tmp_path / "short.mp4"), quality="preview",
                       short_side=180, cache_dir=str(tmp_path / "c"))
    info = tools.probe(res.path)
    assert info["video"][:3] == ("h264", 180, 320) and info["audio"][0] == "aac"
    assert abs(info["duration"] - m.duration_s) < 0.2
    assert res.srt_path and res.vtt_path


def test_motion_counts_when_all_else_is_equal(tmp_path):
    """Same dialogue-free film: the stretch with camera moves beats the static one."""
    items = [VideoItem(shot_id=f"s{i}", start_s=i * 5.0, duration_s=5.0, source="k.png",
                       camera_move="zoom_in" if i >= 2 else "none") for i in range(4)]
    (best,) = find_moments(timeline=Timeline(items=tuple(items)), min_s=10, max_s=10, count=1)
    assert best.start_s == 10.0 and "in motion 100%" in best.reason
