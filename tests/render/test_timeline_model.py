"""Timeline math: placement, lengthening for voice lines, ripple edits, JSON round trip."""
import pytest

from core.errors import InvalidInput, NotFound
from core.timeline.build import ShotMedia, VoiceLine, build_timeline
from core.timeline.model import Timeline, canvas_size, replace_source, set_duration, slice_timeline


def test_shots_in_order_clip_wins_and_keyframes_move(timeline):
    vids = timeline.video
    assert [v.shot_id for v in vids] == ["s0", "s1", "s2", "s3"]
    assert vids[0].is_still and vids[0].camera_move == "push_in"
    assert not vids[1].is_still and vids[1].camera_move == "static"
    for a, b in zip(vids, vids[1:]):
        assert b.start_s == pytest.approx(a.end_s, abs=1e-6)


def test_voice_lines_sit_inside_their_shots_which_grow_to_fit(timeline):
    shots = {v.shot_id: v for v in timeline.video}
    voices = timeline.audio("voice")
    assert len(voices) == 4
    assert any(shots[v.shot_id].duration_s > 2.0 for v in voices)  # line 2 is longer than 2 s
    for v in voices:
        s = shots[v.shot_id]
        assert s.start_s < v.start_s and v.end_s <= s.end_s + 1e-6


def test_music_covers_film_and_sfx_at_its_shot(timeline):
    (music,) = timeline.audio("music")
    assert music.loop and music.start_s == 0 and music.duration_s == pytest.approx(timeline.duration_s)
    (sfx,) = timeline.audio("sfx")
    s2 = timeline.item("video:s2")
    assert sfx.start_s == pytest.approx(s2.start_s + 0.1)


def test_json_round_trip(timeline):
    again = Timeline.from_json(timeline.to_json())
    assert again == timeline
    with pytest.raises(InvalidInput):
        Timeline.from_json('{"fps": 0}')


def test_set_duration_ripples_later_items(timeline):
    s1, s2 = timeline.item("video:s1"), timeline.item("video:s2")
    tl = set_duration(timeline=timeline, shot_id="s1", duration_s=s1.duration_s + 1.5)
    assert tl.item("video:s2").start_s == pytest.approx(s2.start_s + 1.5)
    assert tl.item("sfx:s2:0").start_s == pytest.approx(timeline.item("sfx:s2:0").start_s + 1.5)
    assert tl.item("video:s0") == timeline.item("video:s0")
    assert tl.duration_s == pytest.approx(timeline.duration_s + 1.5)
    assert tl.item("music").duration_s == pytest.approx(tl.duration_s)
    cue_shift = [b.start_s - a.start_s for a, b in zip(timeline.cues, tl.cues) if a.shot_id in ("s2", "s3")]
    assert cue_shift and all(x == pytest.approx(1.5) for x in cue_shift)
    assert timeline.item("video:s2").start_s == s2.start_s  # original untouched


def test_other_edits_return_new_timelines(timeline):
    tl = replace_source(timeline=timeline, shot_id="s0", source="/x/other.png", camera_move="pan_up")
    assert tl.item("video:s0").camera_move == "tilt_up"
    with pytest.raises(NotFound):
        timeline.item("nope")
    with pytest.raises(InvalidInput) as exc:
        set_duration(timeline=timeline, shot_id="s0", duration_s=0)
    assert exc.value.field == "duration_s"


def test_slice_rebases_and_trims(timeline):
    s1 = timeline.item("video:s1")
    part = slice_timeline(timeline=timeline, start_s=s1.start_s + 0.5, end_s=s1.end_s)
    (v,) = part.video
    assert v.start_s == 0 and v.trim_in_s == pytest.approx(0.5) and v.duration_s == pytest.approx(s1.duration_s - 0.5)
    assert part.item("music").trim_in_s == pytest.approx(s1.start_s + 0.5)
    assert all(c.end_s <= part.duration_s + 1e-6 for c in part.cues)


def test_bad_inputs_name_the_field(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        build_timeline(shots=[ShotMedia(shot_id="a", duration_s=1)])
    assert exc.value.field == "shots"
    with pytest.raises(InvalidInput) as exc:
        build_timeline(shots=[ShotMedia(shot_id="a", duration_s=1, keyframe_path="k.png")],
                       voice_lines=[VoiceLine(shot_id="b", path="x.wav", duration_s=1)])
    assert exc.value.field == "shot_id"
    assert canvas_size(aspect_ratio="9:16", short_side=720) == (720, 1280) and canvas_size(aspect_ratio="4:5", short_side=720) == (720, 900)
    with pytest.raises(InvalidInput):
        canvas_size(aspect_ratio="2:1")
