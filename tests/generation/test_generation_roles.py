"""Which parameter receives the reference images, the start frame and the end frame — for the
local models, Veo 3.1 (google emulator), a Replicate video model and a Replicate image model —
and that a character's reference image never lands in a start or end frame."""
from __future__ import annotations

import pytest

from core import cast
from core.breakdowns import list_shots, update_shot
from core.errors import InvalidInput, UnsupportedCapability
from core.generation.facade import (generate_clip, generate_image, generate_keyframe, plan_for_shot, smooth_transition,
                             use_last_frame)
from core.jobs.service import wait_for
from core.media_assets import get_asset


def _maya_ref(project) -> str:
    return cast.get_character(project_id=project.id, character_id="maya").reference_images[0]


def _maya_shot(project):
    return next(s for s in list_shots(project_id=project.id) if "MAYA" in s.characters)


def _done(job):
    job = wait_for(job_id=job.id, timeout_s=60)
    assert job.status == "succeeded", job.error  # already on its shot (the worker's result handler)
    return job


def _keyframe(project, shot):
    job = _done(generate_keyframe(shot_id=shot.id, provider="local", model="keyframe"))
    return get_asset(media_id=job.result_media_id)


def test_local_keyframe_gets_refs_and_scene_parts_by_role(project):
    shot, ref = _maya_shot(project), _maya_ref(project)
    cap, plan = plan_for_shot(shot_id=shot.id, kind="keyframe", provider="local", model="keyframe")
    assert plan.inputs == {"reference_images": [ref]}
    assert plan.params["shot_type"] == shot.shot_type and plan.params["characters"] == ["MAYA"]
    assert "LIGHTHOUSE" in plan.params["location"].upper() and plan.params["time_of_day"] == "night"
    assert "red scarf, lantern glow" in plan.params["prompt"]  # style tokens appended
    asset = _keyframe(project, shot)
    assert asset.reference_images_used == [ref] and asset.start_frame_used is None
    # Veo takes only the prompt: no scene-part fields are sent to it.
    veo, vplan = plan_for_shot(shot_id=shot.id, kind="clip", provider="google", model="veo-3.1-generate-001")
    assert not {"shot_type", "location", "characters", "caption"} & set(vplan.params)


def test_local_clip_start_frame_is_the_keyframe_and_appearance_goes_in_prompt(project):
    shot, ref = _maya_shot(project), _maya_ref(project)
    kf = _keyframe(project, shot)
    cap, plan = plan_for_shot(shot_id=shot.id, kind="clip", provider="local", model="animate")
    assert plan.inputs == {"image": kf.media_id}  # no reference role on local/animate
    assert "MAYA:" in plan.params["prompt"] and any("no reference images" in n for n in plan.notes)
    assert plan.params["camera_move"] == shot.camera_move and plan.params["resolution"] == "360p"
    clip = get_asset(media_id=_done(generate_clip(shot_id=shot.id)).result_media_id)
    assert clip.start_frame_used == kf.media_id and clip.reference_images_used == []
    assert ref not in (clip.start_frame_used, clip.end_frame_used)
    first, last = clip.extra["first_frame_media_id"], clip.extra["last_frame_media_id"]
    assert get_asset(media_id=last).type == "image" and first != last


def test_veo31_frames_win_over_references_and_end_frame_goes_to_last_frame(project, google_emu):
    shot, ref = _maya_shot(project), _maya_ref(project)
    kf = _keyframe(project, shot)
    other = next(s for s in list_shots(project_id=project.id) if s.id != shot.id)
    other_kf = _keyframe(project, other)
    update_shot(shot_id=shot.id, end_frame_media_id=other_kf.media_id)
    job = _done(generate_clip(shot_id=shot.id, provider="google", model="veo-3.1-generate-001"))
    body = [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]
    inst = body["instances"][0]
    assert set(inst) == {"prompt", "image", "lastFrame"}, "start frame → image, end frame → lastFrame, no refs"
    assert "referenceImages" not in inst and "MAYA:" in inst["prompt"]
    asset = get_asset(media_id=job.result_media_id)
    assert asset.start_frame_used == kf.media_id and asset.end_frame_used == other_kf.media_id
    assert asset.reference_images_used == [] and ref not in (asset.start_frame_used, asset.end_frame_used)
    assert body["parameters"]["durationSeconds"] == 8  # interpolation needs 8 s: narrowed, not refused


def test_veo31_text_to_video_puts_refs_in_reference_images_and_fits_rules(project, google_emu):
    shot, ref = _maya_shot(project), _maya_ref(project)
    job = _done(generate_clip(shot_id=shot.id, provider="google", model="veo-3.1-generate-001"))
    body = [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]
    inst = body["instances"][0]
    assert [r["referenceType"] for r in inst["referenceImages"]] == ["ASSET"]
    assert "image" not in inst and "lastFrame" not in inst
    assert body["parameters"]["durationSeconds"] == 8  # the reference rule narrows 4 → 8
    asset = get_asset(media_id=job.result_media_id)
    assert asset.reference_images_used == [ref] and asset.start_frame_used is None and asset.end_frame_used is None


def test_replicate_video_seedance_roles(project, replicate_emu):
    shot, ref = _maya_shot(project), _maya_ref(project)
    # Without a keyframe: references go into reference_images.
    j1 = _done(generate_clip(shot_id=shot.id, provider="replicate", model="bytedance/seedance-1-lite",
                             params={"duration": 2, "resolution": "480p"}))
    inp = replicate_emu.calls("create")[-1]["body"]["input"]
    assert len(inp["reference_images"]) == 1 and "image" not in inp and "last_frame_image" not in inp
    assert get_asset(media_id=j1.result_media_id).reference_images_used == [ref]
    # With a keyframe and an end frame: image + last_frame_image, references dropped (never together).
    kf = _keyframe(project, shot)
    update_shot(shot_id=shot.id, end_frame_media_id=kf.media_id)
    j2 = _done(generate_clip(shot_id=shot.id, provider="replicate", model="bytedance/seedance-1-lite",
                             params={"duration": 2, "resolution": "480p"}, force=True))
    inp = replicate_emu.calls("create")[-1]["body"]["input"]
    assert inp["image"].startswith(("data:", "http")) and inp["last_frame_image"]
    assert "reference_images" not in inp
    a2 = get_asset(media_id=j2.result_media_id)
    assert a2.start_frame_used == kf.media_id and a2.end_frame_used == kf.media_id and a2.reference_images_used == []


def test_replicate_image_seedream_identity_reference(project, replicate_emu):
    shot, ref = _maya_shot(project), _maya_ref(project)
    job = _done(generate_image(provider="replicate", model="bytedance/seedream-4", params={},
                               project_id=project.id, shot_id=shot.id))
    inp = replicate_emu.calls("create")[-1]["body"]["input"]
    assert len(inp["image_input"]) == 1 and "red scarf" in inp["prompt"]
    asset = get_asset(media_id=job.result_media_id)
    assert asset.reference_images_used == [ref] and asset.shot_id == shot.id
    assert next(s for s in list_shots(project_id=project.id) if s.id == shot.id).keyframe_media_id == asset.media_id
    portrait = _done(generate_image(provider="replicate", model="bytedance/seedream-4", params={},
                                    project_id=project.id, character_id="maya"))
    assert get_asset(media_id=portrait.result_media_id).character_id == "maya"
    assert replicate_emu.calls("create")[-1]["body"]["input"]["image_input"]


def test_reference_image_refused_as_start_frame(project):
    shot, ref = _maya_shot(project), _maya_ref(project)
    with pytest.raises(InvalidInput) as err:
        plan_for_shot(shot_id=shot.id, kind="clip", provider="local", model="animate", params={"image": ref})
    assert err.value.field == "image" and "reference" in err.value.message


def test_use_last_frame_refused_without_start_frame_role(project, monkeypatch):
    from core.registry import capability_from_openapi, get_registry, registry as reg_mod
    from core.registry.registry import Registry

    openapi = {"components": {"schemas": {"Input": {"type": "object", "required": ["prompt"], "properties": {
        "prompt": {"type": "string", "x-order": 0}, "duration": {"type": "integer", "x-order": 1}}}}}}
    t2v = capability_from_openapi(openapi=openapi, provider="replicate", model="acme/text-to-video", media_type="video")
    assert t2v.field_for_role("start_frame") is None
    monkeypatch.setattr(reg_mod, "_registry", Registry(get_registry().list() + [t2v]))
    second = list_shots(project_id=project.id)[1]
    with pytest.raises(UnsupportedCapability) as err:
        generate_clip(shot_id=second.id, provider="replicate", model="acme/text-to-video", use_last_frame=True)
    assert "acme/text-to-video" in err.value.message and "start_frame" in err.value.message
    with pytest.raises(UnsupportedCapability):
        smooth_transition(from_shot_id=list_shots(project_id=project.id)[0].id, to_shot_id=second.id,
                          provider="replicate", model="acme/text-to-video")


def test_use_last_frame_and_smooth_transition_local(project):
    shots = list_shots(project_id=project.id)
    with pytest.raises(InvalidInput, match="first shot"):
        use_last_frame(shot_id=shots[0].id)
    with pytest.raises(InvalidInput, match="no clip yet"):
        use_last_frame(shot_id=shots[1].id)
    _keyframe(project, shots[0])
    clip0 = get_asset(media_id=_done(generate_clip(shot_id=shots[0].id)).result_media_id)
    last = use_last_frame(shot_id=shots[1].id)
    assert last == clip0.extra["last_frame_media_id"]
    clip1 = get_asset(media_id=_done(generate_clip(shot_id=shots[1].id, use_last_frame=True)).result_media_id)
    assert clip1.start_frame_used == last
    job = _done(smooth_transition(from_shot_id=shots[0].id, to_shot_id=shots[1].id, provider="local", model="animate"))
    after = list_shots(project_id=project.id)
    assert len(after) == len(shots) + 1 and after[1].id not in {s.id for s in shots}
    bridge = get_asset(media_id=job.result_media_id)
    assert after[1].clip_media_id == bridge.media_id
    assert bridge.start_frame_used == last and bridge.end_frame_used == clip1.extra["first_frame_media_id"]


@pytest.mark.parametrize("model", ["veo-3.1-generate-001", "veo-3.1-fast-generate-001", "veo-3.1-lite-generate-001"])
def test_smooth_transition_asks_veo_for_the_8_s_it_takes_with_two_frames(project, google_emu, model):
    shots = list_shots(project_id=project.id)
    _keyframe(project, shots[0])
    _done(generate_clip(shot_id=shots[0].id))
    _keyframe(project, shots[1])
    job = _done(smooth_transition(from_shot_id=shots[0].id, to_shot_id=shots[1].id, provider="google", model=model))
    create = [c for c in google_emu.calls if c["route"] == "create"][-1]
    assert model in create["path"]
    # With first + last frame Veo 3.1 takes 8 s only (issue 14: it used to ask for 2 s -> 4 s and be refused).
    assert create["body"]["parameters"]["durationSeconds"] == 8
    assert {"image", "lastFrame"} <= set(create["body"]["instances"][0])
    bridge = list_shots(project_id=project.id)[1]
    assert bridge.duration_s == 8.0 and bridge.clip_media_id == job.result_media_id
