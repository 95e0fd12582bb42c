"""Breakdown: shot cards show fresh values after split/merge, a keyframe thumbnail when there is one,
and re-running (which replaces every card) needs a confirmation."""
import io

from PIL import Image

from core.breakdowns import list_scene_cards, run_breakdown, update_shot
from core.media_assets import create_asset
from core.projects import create_project
from core.scripts import save_version

from tests.pages.helpers import app

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

TOM
Up here! Bring the light.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.

TOM
It's addressed to you.
"""


def _project():
    p = create_project(name="P", target_length_s=40)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    return p


def _widget(at, kind: str, shot_id: int, suffix: str):
    found = [w for w in getattr(at, kind) if str(w.key).startswith(f"shot{shot_id}_") and str(w.key).endswith(suffix)]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def _shot(p, shot_id):
    return next(s for c in list_scene_cards(project_id=p.id) for s in c.shots if s.id == shot_id)


def test_split_shows_the_halved_length_and_save_does_not_write_the_old_one_back():
    p = _project()
    shot = list_scene_cards(project_id=p.id)[0].shots[0]
    update_shot(shot_id=shot.id, duration_s=6.0)
    at = app("breakdown", p.id)
    assert _widget(at, "number_input", shot.id, "_dur").value == 6.0
    at.button(key=f"shot{shot.id}_split").click().run()
    assert not at.exception
    assert _shot(p, shot.id).duration_s == 3.0
    assert _widget(at, "number_input", shot.id, "_dur").value == 3.0, "the card shows the split length"
    # An unchanged card has nothing to save; editing enables Save, which writes the edit.
    assert at.button(key=f"shot{shot.id}_save").disabled
    _widget(at, "text_area", shot.id, "_action").input("Maya stops on the stairs.")
    at.run()
    assert not at.button(key=f"shot{shot.id}_save").disabled
    at.button(key=f"shot{shot.id}_save").click().run()
    saved = _shot(p, shot.id)
    assert saved.action == "Maya stops on the stairs." and saved.duration_s == 3.0


def test_rerun_breakdown_needs_confirmation_once_there_are_cards():
    p = _project()
    shot = list_scene_cards(project_id=p.id)[0].shots[0]
    update_shot(shot_id=shot.id, action="My careful edit")
    at = app("breakdown", p.id)
    assert at.button(key="run_breakdown").disabled, "a replace that drops edits is not one click away"
    at.checkbox(key="confirm_rebreak").check().run()
    at.button(key="run_breakdown").click().run()
    assert not at.exception
    assert not any(s.action == "My careful edit" for c in list_scene_cards(project_id=p.id) for s in c.shots)


def test_cards_show_the_keyframe_or_say_where_it_comes_from():
    p = _project()
    first, second = list_scene_cards(project_id=p.id)[0].shots[:2]
    buf = io.BytesIO()
    Image.new("RGB", (64, 36), (200, 80, 40)).save(buf, format="PNG")
    asset = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=first.id)
    update_shot(shot_id=first.id, keyframe_media_id=asset.media_id)
    at = app("breakdown", p.id)
    assert not at.exception
    images = at.get("image")  # st.image (AppTest has no typed accessor for it)
    assert len(images) >= 1, "the shot with a keyframe shows it"
    assert any("No keyframe yet" in c.value for c in at.caption), "a shot without one says where it comes from"


def test_merge_is_disabled_on_the_last_shot_of_a_scene():
    p = _project()
    card = list_scene_cards(project_id=p.id)[0]
    at = app("breakdown", p.id)
    assert at.button(key=f"shot{card.shots[-1].id}_merge").disabled
    assert at.button(key=f"shot{card.shots[0].id}_up").disabled
