"""The project's timeline from the database: effects detected from action, voice rows placed in
their shots with subtitle cues, edits (gain, duration, removal) persisted."""
import pytest

from core.media.camera import move_name

from core.breakdowns import list_shots, update_shot
from core.errors import InvalidInput
from core.timeline.store import (
    detect_sfx, list_items, project_timeline, remove_sfx, set_item_gain, timeline_picture,
)
from core.generation.effects import attach_sfx
from core.generation.soundtrack import choose_music, mood_for
from core.generation.voiceover import dialogue_lines


@pytest.mark.parametrize("action, expected", [
    ("She knocks twice and waits.", ["door"]),
    ("A storm rolls in over the bay.", ["rain", "thunder"]),
    ("He carries the box upstairs.", []),  # "carries" is not a car, "upstairs" not a stair climb
    ("A car pulls up while birds sing.", ["car", "birds"]),
    ("Footsteps echo; a gust of wind slams the shutter.", ["footsteps", "wind"]),
])
def test_detect_sfx_words_and_synonyms(action, expected):
    assert detect_sfx(action=action) == expected


def test_timeline_places_voice_sfx_music_and_cues(tmp_path, tools):
    p = tools.make_project(tmp_path)
    shots = list_shots(project_id=p.id)
    assert attach_sfx(project_id=p.id) >= 2  # "knocks … door" and "Wind howls"
    effects = {r.extra["effect"] for r in list_items(project_id=p.id, track="sfx")}
    assert {"door", "wind"} <= effects
    choose_music(project_id=p.id)
    assert mood_for(genre="mystery") == "mysterious"
    tl = project_timeline(project_id=p.id).timeline
    assert [v.shot_id for v in tl.video] == [str(s.id) for s in shots]
    speaking = {str(s.id) for s in shots if s.dialogue}
    for v in tl.audio("voice"):
        shot = tl.item(f"video:{v.shot_id}")
        assert v.shot_id in speaking and shot.start_s <= v.start_s and v.end_s <= shot.end_s + 1e-6
    assert len(tl.audio("voice")) == sum(len(s.dialogue) for s in shots)
    assert tl.audio("music") and tl.audio("music")[0].duration_s == pytest.approx(tl.duration_s)
    assert tl.cues and all(0 <= c.start_s < c.end_s <= tl.duration_s + 1e-6 for c in tl.cues)
    moves = {str(s.id): s.camera_move for s in shots}  # chosen per shot by the breakdown
    assert all(v.camera_move == move_name(moves[v.shot_id]) for v in tl.video)  # one vocabulary throughout
    img = timeline_picture(timeline=tl, width=600)
    assert img.size[0] == 600 and len(set(img.getdata())) > 10  # lanes and waveforms drawn


def test_edits_persist_and_stale_lines_drop(tmp_path, tools):
    p = tools.make_project(tmp_path)
    attach_sfx(project_id=p.id)
    voice = list_items(project_id=p.id, track="voice")[0]
    set_item_gain(row_id=voice.id, gain_db=-6.0)
    with pytest.raises(InvalidInput):
        set_item_gain(row_id=voice.id, gain_db=40.0)
    tl = project_timeline(project_id=p.id).timeline
    assert any(v.gain_db == -6.0 for v in tl.audio("voice"))

    door = next(r for r in list_items(project_id=p.id, track="sfx") if r.extra["effect"] == "door")
    remove_sfx(row_id=door.id)
    attach_sfx(project_id=p.id)  # automatic attachment must not bring a removed effect back
    assert "door" not in {r.extra["effect"] for r in list_items(project_id=p.id, track="sfx")}

    shot = next(s for s in list_shots(project_id=p.id) if s.dialogue)
    update_shot(shot_id=shot.id, duration_s=7.0)
    pt = project_timeline(project_id=p.id)
    assert pt.timeline.item(f"video:{shot.id}").duration_s == pytest.approx(7.0)
    update_shot(shot_id=shot.id, dialogue=[dict(shot.dialogue[0], text="A different line.")])
    pt = project_timeline(project_id=p.id)
    assert pt.stale_lines == 1 and not [v for v in pt.timeline.audio("voice") if v.shot_id == str(shot.id)]
    assert not [ln for ln in dialogue_lines(project_id=p.id) if ln.shot_id == shot.id][0].voiced


def test_no_keyframes_is_a_clear_error(tmp_path, tools):
    from core.breakdowns import run_breakdown
    from core.projects import create_project
    from core.scripts import save_version

    p = create_project(name="Empty")
    save_version(project_id=p.id, text=tools.script)
    run_breakdown(project_id=p.id)
    with pytest.raises(InvalidInput) as err:
        project_timeline(project_id=p.id)
    assert err.value.field == "shots"
