"""Counts and step states come from the data at draw time; one shot numbering (scene.shot) on every
page; human labels and values on their step; Preview's first render says it rendered everything
and its jump opens inside the shot."""

from core import cast
from core.breakdowns import list_shots, shot_labels, update_shot
from core.generation.facade import wait_all
from core.generation.voiceover import generate_voiceover
from core.progress import project_progress
from core.timeline.store import project_timeline

from tests.pages.helpers import app, broken_down, component_args, texts
from tests.conftest import settle

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.

TOM
It's addressed to you.
"""


def _project(keyframes: bool = True):
    return broken_down(name="P", script=SCRIPT, keyframes=keyframes, duration_s=lambda n: 1.26 + n)


def _step(p, name):
    return next(s for s in project_progress(project_id=p.id) if s.step == name)


def test_edit_step_counts_voiced_lines_not_voice_files():
    p = _project()
    assert not _step(p, "Edit").done and _step(p, "Edit").detail == "0/2 line(s) voiced"
    cast.ensure_voices(project_id=p.id)
    wait_all(job_ids=[cast.preview_voice(project_id=p.id, character_id="maya").id], timeout_s=60)
    assert not _step(p, "Edit").done, "a voice preview on World & Cast is not voice-over"
    generate_voiceover(project_id=p.id)
    generate_voiceover(project_id=p.id)  # voicing again replaces, it does not add lines
    state = _step(p, "Edit")
    assert state.done and state.detail == "2/2 line(s) voiced"


def test_shot_numbers_are_scene_dot_shot_on_every_page():
    p = _project()
    labels = shot_labels(project_id=p.id)
    assert sorted(labels.values()) == ["1.1", "2.1"] or all("." in v for v in labels.values())
    generate_voiceover(project_id=p.id)
    at = app("edit", p.id)
    assert not at.exception, [e.message for e in at.exception]
    sfx_shot = at.selectbox(key="sfx_shot")
    assert all(o.startswith("Shot ") and "." in o for o in sfx_shot.options), sfx_shot.options
    assert "Shot 2.1" in sfx_shot.options
    at = app("preview", p.id)
    assert not at.exception
    assert all("." in o.split(" · ")[0] for o in at.selectbox(key="edit_shot").options)
    assert any(b.label == "▶ 2.1" for b in at.button)
    at = app("breakdown", p.id)
    assert "Shot 2.1" in texts(at)


def test_preview_labels_steps_first_render_and_exact_jump():
    p = _project()
    at = app("preview", p.id)
    shots = list_shots(project_id=p.id)
    move = at.selectbox(key=f"edit_camera_{shots[0].id}")
    assert "Push in" in move.options and "push_in" not in move.options
    assert at.number_input(key=f"edit_duration_{shots[0].id}").value == 1.5, "1.26 s shows on the 0.5 s step"
    at.button(key="render_preview").click().run()  # queued: the page follows the render job
    settle(at, p.id)
    assert not at.exception, [e.message for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "Rendered all" in captions and "Re-rendered" not in captions
    second = shots[1]
    before = component_args(at, "storyreel_player")
    at.button(key=f"jump_{second.id}").click().run()
    player = component_args(at, "storyreel_player")
    second_at = next(v.start_s for v in project_timeline(project_id=p.id).timeline.video if v.shot_id == str(second.id))
    assert second_at > 1 and player["start"] == round(second_at, 4), "the player starts on shot 2.1's first frame, not a whole second"
    assert player["seek"] == before["seek"] + 1 and player["src"] == before["src"]
    at.button(key=f"jump_{second.id}").click().run()  # the same shot again: jump there again
    assert component_args(at, "storyreel_player")["seek"] == before["seek"] + 2


def test_breakdown_on_target_shows_no_plus_zero_and_durations_on_their_step():
    p = _project(keyframes=False)
    shots = list_shots(project_id=p.id)
    rest = sum(s.duration_s for s in shots[1:])
    update_shot(shot_id=shots[0].id, duration_s=round(20.2 - rest, 2))  # 20.2 s against a 20 s target
    at = app("breakdown", p.id)
    assert not at.exception
    metric = at.get("metric")[0]
    assert "+0" not in str(metric.proto.delta)
    durations = [n for n in at.number_input if str(n.key).endswith("_dur")]
    assert durations and all(d.value * 2 == int(d.value * 2) for d in durations)
    saves = [b for b in at.button if str(b.key).endswith("_save")]
    assert all(b.disabled for b in saves), "showing a duration on its step is not an unsaved change"
