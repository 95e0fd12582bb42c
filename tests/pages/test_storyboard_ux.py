"""Storyboard: a generation says how it went after the page reruns, the version picker follows a
roll back, and a clip made from an older keyframe is flagged."""
from core.breakdowns import list_shots, run_breakdown
from core.projects import create_project
from core.scripts import save_version

from tests.pages.helpers import app
from tests.conftest import settle

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.
"""


def _project():
    p = create_project(name="P", target_length_s=20)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    return p


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]


def test_generate_regenerate_and_roll_back_a_keyframe_say_what_happened():
    p = _project()
    sid = list_shots(project_id=p.id)[0].id
    at = app("storyboard", p.id)
    at.button(key=f"gen_kf_{sid}").click().run()
    _ok(at)
    assert any("Keyframe queued" in s.value for s in at.info), "the click says what it did, at once"
    settle(at, p.id)  # the worker puts the keyframe on the shot; the page only redraws
    first = list_shots(project_id=p.id)[0].keyframe_media_id
    assert first
    at.button(key=f"gen_kf_{sid}").click().run()  # regenerate: a second version
    _ok(at)
    settle(at, p.id)
    second = list_shots(project_id=p.id)[0].keyframe_media_id
    assert second and second != first
    picker = next(s for s in at.selectbox if str(s.key).startswith(f"kver_{sid}"))
    assert picker.value == second and picker.options[0].endswith("in use")
    at.button(key=f"rb_kf_{sid}").click().run()
    _ok(at)
    assert list_shots(project_id=p.id)[0].keyframe_media_id == first
    assert any("Rolled back" in s.value for s in at.success)
    picker = next(s for s in at.selectbox if str(s.key).startswith(f"kver_{sid}"))
    assert picker.value == first, "the version picker shows the keyframe now in use"
    assert at.button(key=f"use_kf_{sid}").disabled


def test_clip_from_an_earlier_keyframe_is_flagged():
    p = _project()
    sid = list_shots(project_id=p.id)[0].id
    at = app("storyboard", p.id)
    at.button(key=f"gen_kf_{sid}").click().run()
    settle(at, p.id)
    at.button(key=f"gen_clip_{sid}").click().run()
    _ok(at)
    settle(at, p.id)
    assert not any("earlier keyframe" in w.value for w in at.warning)
    at.button(key=f"gen_kf_{sid}").click().run()
    _ok(at)
    settle(at, p.id)
    assert any("earlier keyframe" in w.value for w in at.warning)
