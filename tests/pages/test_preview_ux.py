"""Preview: pressing ▶ on a shot makes it the shot "Change a shot" edits, so a length change lands
on the shot the user looked at."""

from core.breakdowns import list_shots

from tests.pages.helpers import app, broken_down

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern, slowly, counting every single step on the way up to the lamp room.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.

TOM
It's addressed to you.
"""


def _project():
    return broken_down(name="P", script=SCRIPT, duration_s=1.5)


def test_play_button_selects_the_shot_to_change():
    p = _project()
    shots = list_shots(project_id=p.id)
    assert len(shots) >= 2
    target = shots[-1]
    at = app("preview", p.id)
    assert at.selectbox(key="edit_shot").value == shots[0].id
    at.button(key=f"jump_{target.id}").click().run()
    assert not at.exception
    assert at.selectbox(key="edit_shot").value == target.id, "▶ on a shot opens it in Change a shot"
    at.number_input(key=f"edit_duration_{target.id}").set_value(3.0)
    at.button(key="apply_shot").click().run()
    assert not at.exception, [e.message for e in at.exception]
    after = {s.id: s.duration_s for s in list_shots(project_id=p.id)}
    assert after[target.id] == 3.0 and after[shots[0].id] == 1.5


def test_shot_list_shortens_long_actions_at_a_word_with_an_ellipsis():
    p = _project()
    long = next(s for s in list_shots(project_id=p.id) if len(s.action) > 80)
    at = app("preview", p.id)
    line = next(c.value for c in at.caption if " — " in c.value and long.action[:20] in c.value)
    shown = line.split(" — ", 1)[1]
    assert shown.endswith("…"), line
    words = long.action.split()
    assert shown[:-1].split()[-1] in words, "cut at a word boundary"
