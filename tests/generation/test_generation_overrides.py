"""The shot's model-settings form keeps only what the user changed, so built values (shot type,
prompt, location…) keep following the shot; regenerating an establishing shot stays establishing."""
from core.breakdowns import list_shots
from core.generation.facade import plan_for_shot
from core.generation.shots import user_overrides
from core.registry import get_registry


def test_untouched_form_values_are_not_pinned(project):
    cap = get_registry().get(provider="local", model="keyframe")
    shot = list_shots(project_id=project.id)[0]
    _, plan = plan_for_shot(shot_id=shot.id, kind="keyframe", provider="local", model="keyframe", params={})
    form = {f.name: f.default for f in cap.fields()} | plan.params  # what an untouched form returns
    assert user_overrides(cap=cap, built=plan.params, form=form) == {}
    changed = dict(form, shot_type="close-up", seed=7)
    assert user_overrides(cap=cap, built=plan.params, form=changed) == {"shot_type": "close-up", "seed": 7}


def test_saved_settings_from_an_untouched_form_follow_later_shot_edits(project):
    from core.breakdowns import update_shot

    shot = list_shots(project_id=project.id)[0]
    cap = get_registry().get(provider="local", model="keyframe")
    _, base = plan_for_shot(shot_id=shot.id, kind="keyframe", provider="local", model="keyframe", params={})
    form = {f.name: f.default for f in cap.fields()} | base.params  # the page pre-fills the built values
    saved = user_overrides(cap=cap, built=base.params, form=form)
    update_shot(shot_id=shot.id, shot_type="wide")  # the user changes the shot on the Breakdown step
    _, plan = plan_for_shot(shot_id=shot.id, kind="keyframe", provider="local", model="keyframe", params=saved)
    assert plan.params["shot_type"] == "wide"
