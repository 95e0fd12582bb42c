"""Continuity (seed §5): first/last frames of clips, "use last frame of the previous shot", and
smooth transitions between two shots with a start+end-frame model."""
from __future__ import annotations

from core.breakdowns import add_shot, get_shot, previous_shot, update_shot
from core.errors import InvalidInput, NotFound
from core.generation.plan import Plan, fill_parts, narrow_for, shot_choice, split_params
from core.jobs.service import submit_job
from core.models import Job
from core.registry import get_registry
from core.jobs.results import attach_frames
from core.media_assets import get_asset


def extract_frames(*, media_id: str) -> tuple[str, str]:
    """Return (first frame media id, last frame media id) of a video asset; frames the job runner
    already stored (``extra``) are reused, else they are extracted and stored now.

    Raises NotFound, InvalidInput (not a video, or frames cannot be decoded).
    """

    asset = get_asset(media_id=media_id)
    if asset.type != "video":
        raise InvalidInput(f"media {media_id} is a {asset.type}, not a video", field="media_id")
    extra = asset.extra or {}
    if not (extra.get("first_frame_media_id") and extra.get("last_frame_media_id")):
        asset = attach_frames(asset=asset)
        extra = asset.extra or {}
    if not (extra.get("first_frame_media_id") and extra.get("last_frame_media_id")):
        raise InvalidInput(f"the frames of video {media_id} could not be decoded", field="media_id")
    return extra["first_frame_media_id"], extra["last_frame_media_id"]


def use_last_frame(*, shot_id: int) -> str:
    """Return the media id of the previous shot's clip's last frame (the start frame for this shot).

    Raises NotFound (shot), InvalidInput (first shot: no previous shot; previous shot has no clip yet).
    """
    shot = get_shot(shot_id=shot_id)
    prev = previous_shot(shot=shot)
    if prev is None:
        raise InvalidInput(f"shot {shot_id} is the first shot of the film: there is no previous shot whose "
                           "last frame could start it", field="use_last_frame")
    if not prev.clip_media_id:
        raise InvalidInput(f"the previous shot (#{prev.order + 1} of its scene) has no clip yet: generate its "
                           "clip first, then use its last frame", field="use_last_frame")
    return extract_frames(media_id=prev.clip_media_id)[1]


def _first_frame_of(shot) -> str:
    if shot.clip_media_id:
        return extract_frames(media_id=shot.clip_media_id)[0]
    if shot.keyframe_media_id:
        return shot.keyframe_media_id
    raise InvalidInput(f"shot {shot.id} has neither a clip nor a keyframe to end the transition on",
                       field="to_shot_id")


def smooth_transition(*, from_shot_id: int, to_shot_id: int, provider: str, model: str) -> Job:
    """Submit a bridging clip from ``from_shot``'s last frame to ``to_shot``'s first frame, on a
    model with start- and end-frame roles; a transition shot is inserted right after ``from_shot``
    and receives the clip when it is done. Returns the Job.

    Raises UnsupportedCapability (the model lacks a start or end frame, naming it), NotFound,
    InvalidInput (from-shot without a clip, to-shot with nothing to end on), InvalidCombination,
    MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model)
    start = cap.require_role("start_frame")
    end = cap.require_role("end_frame")
    src, dst = get_shot(shot_id=from_shot_id), get_shot(shot_id=to_shot_id)
    if src.project_id != dst.project_id:
        raise InvalidInput("both shots must belong to the same project", field="to_shot_id")
    if not src.clip_media_id:
        raise InvalidInput(f"shot {from_shot_id} has no clip yet: its last frame starts the transition",
                           field="from_shot_id")
    first = extract_frames(media_id=src.clip_media_id)[1]
    last = _first_frame_of(dst)
    # Same model as the from-shot's clip: reuse its settings (resolution, fps…) so the bridge matches.
    choice = shot_choice(shot=src, kind="clip")
    same = (choice.get("provider"), choice.get("model")) == (cap.provider, cap.model)
    plain, _files = split_params(cap=cap, params=dict(choice.get("params") or {}) if same else {})
    plan = Plan(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain,
                inputs={start: first, end: last})
    prompt = (f"Smooth continuous camera transition from '{src.action or 'the previous shot'}' to "
              f"'{dst.action or 'the next shot'}', same lighting and style.")
    fill_parts(cap=cap, plan=plan, prompt=prompt, parts={"camera_move": "static", "duration": 2.0})
    # Ask for a length the model takes with a start and an end frame (Veo 3.1: 8 s only; issue 14).
    for name, value in narrow_for(cap, plan.all_params(), plan).items():
        if name not in plan.inputs:
            plan.params[name] = value
    cap.validate(plan.all_params())  # refuse before inserting anything
    dur_param = cap.field_for_role("duration")
    seconds = float(plan.params[dur_param]) if dur_param and plan.params.get(dur_param) is not None else 2.0
    bridge = add_shot(scene_id=src.scene_id, after_shot_id=src.id, shot_type=src.shot_type,
                      action=f"Transition: {src.action[:40]} → {dst.action[:40]}".strip(), duration_s=seconds)
    bridge = update_shot(shot_id=bridge.id, keyframe_media_id=first, end_frame_media_id=last,
                         provider=cap.provider, model=cap.model, camera_move="static", status="keyframe")
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plan.params,
                      inputs=plan.inputs, project_id=src.project_id, shot_id=bridge.id,
                      context={"purpose": "transition", "apply": True, "from_shot_id": src.id, "to_shot_id": dst.id})


__all__ = ["extract_frames", "use_last_frame", "smooth_transition", "NotFound"]
