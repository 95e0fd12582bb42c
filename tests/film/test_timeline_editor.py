"""The Edit timeline's gestures, as saved data: reorder, trim, move a line or an effect, set a gain
— each read back from the database — and a trim re-renders only its own shot's segment."""
from core.breakdowns import list_shots, shot_labels
from core.generation.effects import add_sfx
from core.generation.soundtrack import choose_music
from core.render.service import render_preview
from core.render.editor import apply_gesture, editor_view
from core.timeline.store import list_items, project_timeline


def _view(p):
    return editor_view(project_id=p.id)


def test_view_has_every_track_with_waveforms_and_a_playable_mix(tmp_path, tools):
    p = tools.make_project(tmp_path)
    shots = list_shots(project_id=p.id)
    add_sfx(project_id=p.id, shot_id=shots[0].id, effect="door")
    choose_music(project_id=p.id, mood="calm")
    view = _view(p)
    assert [s["label"] for s in view["shots"]] == [shot_labels(project_id=p.id)[s.id] for s in shots]
    assert {s["track"] for s in view["sounds"]} == {"voice", "music", "sfx"}
    assert all(len(s["peaks"]) == 160 and max(s["peaks"]) > 0 for s in view["sounds"])
    assert view["audio"].startswith("data:audio/mpeg;base64,") and len(view["audio"]) > 2000
    assert all(s["thumb"].startswith("data:image/jpeg") for s in view["shots"])


def test_reorder_trim_move_and_gain_are_saved(tmp_path, tools):
    p = tools.make_project(tmp_path)
    a, b = list_shots(project_id=p.id)[:2]
    add_sfx(project_id=p.id, shot_id=a.id, effect="door")
    msg = apply_gesture(project_id=p.id, gesture={"kind": "reorder", "shot_id": b.id, "index": 0})
    assert [s.id for s in list_shots(project_id=p.id)][:2] == [b.id, a.id], msg
    assert list_shots(project_id=p.id)[0].scene_id == a.scene_id, "a shot moved before another scene's shot joins it"

    apply_gesture(project_id=p.id, gesture={"kind": "trim", "shot_id": a.id, "duration": 3.24})
    assert next(s for s in list_shots(project_id=p.id) if s.id == a.id).duration_s == 3.2

    voice = list_items(project_id=p.id, track="voice")[0]
    tl = project_timeline(project_id=p.id).timeline
    home = next(v for v in tl.video if v.shot_id == str(voice.shot_id))
    apply_gesture(project_id=p.id, gesture={"kind": "move", "row_id": voice.id, "start": home.start_s + 0.9})
    assert list_items(project_id=p.id, track="voice")[0].extra["offset_s"] == 0.9
    tl = project_timeline(project_id=p.id).timeline
    moved = next(i for i in tl.audio("voice") if i.shot_id == str(voice.shot_id))
    assert abs(moved.start_s - (home.start_s + 0.9)) < 0.02

    sfx = list_items(project_id=p.id, track="sfx")[0]
    target = next(v for v in tl.video if v.shot_id == str(b.id))
    apply_gesture(project_id=p.id, gesture={"kind": "move", "row_id": sfx.id, "start": target.start_s + 0.5})
    row = list_items(project_id=p.id, track="sfx")[0]
    assert row.shot_id == b.id and row.extra["offset_s"] == 0.5, "the effect now belongs to the shot it starts in"

    apply_gesture(project_id=p.id, gesture={"kind": "gain", "row_id": sfx.id, "gain_db": -9.5})
    assert list_items(project_id=p.id, track="sfx")[0].gain_db == -9.5


def test_a_trim_re_renders_only_that_shots_segment(tmp_path, tools):
    p = tools.make_project(tmp_path, voices=False)
    first = render_preview(project_id=p.id)
    total = first.segments_rendered
    assert total >= len(list_shots(project_id=p.id)) and first.segments_reused == 0  # shots (+ title cards)
    shot = list_shots(project_id=p.id)[1]
    apply_gesture(project_id=p.id, gesture={"kind": "trim", "shot_id": shot.id, "duration": 2.5})
    again = render_preview(project_id=p.id)
    assert again.segments_rendered == 1 and again.segments_reused == total - 1
    apply_gesture(project_id=p.id, gesture={"kind": "reorder", "shot_id": shot.id, "index": 0})
    reordered = render_preview(project_id=p.id)
    assert reordered.segments_rendered == 0, "a reorder reuses every shot segment"


def test_trimming_the_in_point_saves_offset_and_length_and_re_renders_that_segment_only(tmp_path, tools):
    p = tools.make_project(tmp_path, voices=False)
    first = render_preview(project_id=p.id)
    total = first.segments_rendered
    shot = list_shots(project_id=p.id)[1]
    end = shot.duration_s
    msg = apply_gesture(project_id=p.id, gesture={"kind": "trim_in", "shot_id": shot.id, "trim_in": 0.84})
    saved = next(s for s in list_shots(project_id=p.id) if s.id == shot.id)
    assert saved.params["edit"]["trim_in_s"] == 0.8 and abs(saved.duration_s - (end - 0.8)) < 1e-6, msg
    assert "0.8 s into" in msg
    item = next(v for v in project_timeline(project_id=p.id).timeline.video if v.shot_id == str(shot.id))
    assert item.trim_in_s == 0.8 and abs(item.duration_s - (end - 0.8)) < 1e-6
    assert next(s for s in editor_view(project_id=p.id, with_media=False)["shots"] if s["shot_id"] == shot.id)["trim_in"] == 0.8
    again = render_preview(project_id=p.id)
    assert again.segments_rendered == 1 and again.segments_reused == total - 1, "only the trimmed shot re-renders"
    # Back to the start of the clip: the shot keeps its end, so it is as long as before.
    apply_gesture(project_id=p.id, gesture={"kind": "trim_in", "shot_id": shot.id, "trim_in": -3})
    back = next(s for s in list_shots(project_id=p.id) if s.id == shot.id)
    assert "trim_in_s" not in back.params["edit"] and abs(back.duration_s - end) < 1e-6
    assert render_preview(project_id=p.id).asset.media_id == first.asset.media_id, "the same film as the first render"
    # Never shorter than the shortest shot.
    apply_gesture(project_id=p.id, gesture={"kind": "trim_in", "shot_id": shot.id, "trim_in": end + 5})
    short = next(s for s in list_shots(project_id=p.id) if s.id == shot.id)
    assert short.duration_s == 0.5 and abs(short.params["edit"]["trim_in_s"] - (end - 0.5)) < 0.051
