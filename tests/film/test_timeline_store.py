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


def test_shot_edits_carry_their_voiced_lines_and_effects(tmp_path, tools):
    """Split, merge and delete of shot cards keep the timeline's sound rows on the right shot: nothing
    orphaned, no voiced line turned stale, an effect still at its moment, the film's music untouched."""
    from core.breakdowns import delete_shot, get_shot, merge_with_next, run_breakdown, split_shot
    from core.timeline.store import add_item

    p = tools.make_project(tmp_path)
    choose_music(project_id=p.id)
    a, b = [s for s in list_shots(project_id=p.id)][:2]  # the first scene's two shots
    assert a.scene_id == b.scene_id
    [b_line] = [d["text"] for d in b.dialogue]  # b speaks its one line, voiced by the fixture
    media = list_items(project_id=p.id, track="voice")[0].media_id
    update_shot(shot_id=a.id, dialogue=[{"character": "MAYA", "text": t} for t in ("One.", "Two.")])
    for n, t in enumerate(("One.", "Two.")):
        add_item(project_id=p.id, track="voice", media_id=media, shot_id=a.id, text=t, duration_s=0.5,
                 extra={"line": n, "character": "MAYA"})
    voiced = len(list_items(project_id=p.id, track="voice"))

    def placed():
        built = project_timeline(project_id=p.id)
        return len(built.timeline.audio("voice")), built.stale_lines

    def spoken(shot_id):
        return sorted((r.extra["line"], r.text) for r in list_items(project_id=p.id, track="voice") if r.shot_id == shot_id)

    assert placed() == (voiced, 0)
    second = split_shot(shot_id=a.id)
    assert spoken(a.id) == [(0, "One.")] and spoken(second.id) == [(0, "Two.")]
    assert placed()[1] == 0  # no voiced line went stale (the new half has no picture yet, so is not placed)

    merge_with_next(shot_id=a.id)  # a and its second half again
    assert spoken(a.id) == [(0, "One."), (1, "Two.")]
    knock = add_item(project_id=p.id, track="sfx", media_id=media, shot_id=b.id, extra={"effect": "door"})
    before = get_shot(shot_id=a.id).duration_s
    merged = merge_with_next(shot_id=a.id)  # a and b
    assert [d["text"] for d in merged.dialogue] == ["One.", "Two.", b_line]
    assert spoken(a.id) == [(0, "One."), (1, "Two."), (2, b_line)]
    assert placed() == (voiced, 0)
    [fx] = [r for r in list_items(project_id=p.id, track="sfx") if r.id == knock.id]
    assert fx.shot_id == a.id and fx.extra["offset_s"] == pytest.approx(before)  # still at its moment

    delete_shot(shot_id=a.id)
    shot_ids = {s.id for s in list_shots(project_id=p.id)}
    assert all(r.shot_id in shot_ids for r in list_items(project_id=p.id) if r.shot_id is not None)
    assert len(list_items(project_id=p.id, track="music")) == 1  # the film's music belongs to no shot
    run_breakdown(project_id=p.id)  # a new breakdown: new shots, no sound left on the old ones
    assert not list_items(project_id=p.id, track="voice") and not list_items(project_id=p.id, track="sfx")
    assert len(list_items(project_id=p.id, track="music")) == 1
