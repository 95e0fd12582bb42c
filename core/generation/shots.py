"""Shot-level generation: plan a shot's keyframe or clip for a chosen model, submit it, put the
result on the shot card, and manage versions (candidates, regenerate, roll back).

A shot job carries ``context = {"purpose": "keyframe"|"clip"|"transition"|"lipsync", "apply": bool}``.
:func:`apply_shot_result` — registered with the job engine as the result handler of those purposes —
puts a finished job's asset on its shot (``apply`` jobs replace the current choice; candidates only
fill an empty slot) and links the version chain with ``parent_id``; pages, API and CLI only read.
Nothing here touches another shot's assets.
"""
from __future__ import annotations

import random
from typing import Any

from sqlmodel import select

from core.breakdowns import get_shot, list_characters, update_shot
from core.db import session
from core.errors import InvalidInput, NotFound, StoryreelError
from core.generation.frames import use_last_frame as last_frame_of_previous
from core.generation.plan import add_characters, fill_parts, guard_frames, narrow_for, Plan, shot_choice, split_params
from core.jobs.kinds import register_result
from core.jobs.service import submit_job
from core.models import Character, Job, MediaAsset, Scene, Shot
from core.generation.prompts import build_keyframe_prompt, build_video_prompt, shot_characters
from core.registry import Capability, get_registry, present
from core.media_assets import get_asset, update_asset
from core.projects import get_project

KIND_TYPES = {"keyframe": "image", "clip": "video"}


def find_character(*, project_id: int | None, character_id: str) -> Character:
    """Return the character with this slug (in the project when given); raises NotFound."""
    with session() as s:
        q = select(Character).where(Character.character_id == character_id)
        if project_id is not None:
            q = q.where(Character.project_id == project_id)
        found = s.exec(q).first()
    if found is None:
        raise NotFound(f"No character {character_id!r}.", field="character_id")
    return found


def _context(shot: Shot) -> tuple[Any, Scene, list[Character]]:

    with session() as s:
        scene = s.get(Scene, shot.scene_id)
    return get_project(project_id=shot.project_id), scene, list_characters(project_id=shot.project_id)


def set_shot_model(*, shot_id: int, kind: str, provider: str, model: str,
                   params: dict[str, Any] | None = None) -> Shot:
    """Save the model (and form values) a shot uses for ``kind``; returns the shot.
    Raises UnsupportedCapability (unknown model), InvalidInput (wrong media type or kind)."""
    if kind not in KIND_TYPES:
        raise InvalidInput(f"kind must be one of {', '.join(KIND_TYPES)}", field="kind")
    cap = get_registry().get(provider=provider, model=model)
    if cap.media_type != KIND_TYPES[kind]:
        raise InvalidInput(f"{provider}/{model} makes {cap.media_type}; a {kind} needs a {KIND_TYPES[kind]} model",
                           field="model")
    shot = get_shot(shot_id=shot_id)
    stored = dict(shot.params or {})
    stored[kind] = {"provider": cap.provider, "model": cap.model, "params": dict(params or {})}
    changes: dict[str, Any] = {"params": stored}
    if kind == "clip":
        changes.update(provider=cap.provider, model=cap.model)
    return update_shot(shot_id=shot_id, **changes)


def default_model(*, shot: Shot, kind: str) -> tuple[str, str]:
    """Return (provider, model) for a shot: the shot's own choice for its kind, else the project's."""

    choice = shot_choice(shot=shot, kind=kind)
    if choice.get("provider") and choice.get("model"):
        try:
            cap = get_registry().get(provider=choice["provider"], model=choice["model"])
            if cap.media_type == KIND_TYPES[kind]:
                return cap.provider, cap.model
        except StoryreelError:  # a stale choice falls back to the project's default
            pass
    project = get_project(project_id=shot.project_id)
    if kind == "keyframe":
        return project.image_provider, project.image_model
    return project.video_provider, project.video_model


def plan_for_shot(*, shot_id: int, kind: str, provider: str | None = None, model: str | None = None,
                  params: dict[str, Any] | None = None, use_last_frame: bool | None = None) -> tuple[Capability, Plan]:
    """Return (capability, plan) for a shot's ``kind`` ("keyframe" or "clip") on a model.

    The plan holds the params each role receives (built prompt, shot type, frames, references)
    and notes on what was left out. ``params`` given by the user win over built values.
    ``use_last_frame`` defaults to the shot's toggle.

    Raises NotFound, InvalidInput (unknown kind, keyframe missing for a model that needs a start
    frame), UnsupportedCapability (last frame asked of a model without a start-frame role).
    """
    if kind not in KIND_TYPES:
        raise InvalidInput(f"kind must be one of {', '.join(KIND_TYPES)}", field="kind")
    shot = get_shot(shot_id=shot_id)
    if not (provider and model):
        provider, model = default_model(shot=shot, kind=kind)
    if params is None:
        choice = shot_choice(shot=shot, kind=kind)
        same = (choice.get("provider"), choice.get("model")) == (provider, model)
        params = dict(choice.get("params") or {}) if same else {}
    cap = get_registry().get(provider=provider, model=model)
    if cap.media_type != KIND_TYPES[kind]:
        raise InvalidInput(f"{provider}/{model} makes {cap.media_type}; a {kind} needs a {KIND_TYPES[kind]} model",
                           field="model")
    project, scene, cast = _context(shot)
    people = shot_characters(shot=shot, cast=cast)
    plain, inputs = split_params(cap=cap, params=params or {})
    plan = Plan(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs)
    builder = build_keyframe_prompt if kind == "keyframe" else build_video_prompt
    parts = builder(project=project, scene=scene, shot=shot, cast=cast)
    fill_parts(cap=cap, plan=plan, prompt=parts.prompt, parts=parts.parts)
    if kind == "clip":
        _add_frames(cap=cap, plan=plan, shot=shot,
                    use_last=shot.use_last_frame if use_last_frame is None else use_last_frame)
    add_characters(cap=cap, plan=plan, people=people)
    guard_frames(cap=cap, plan=plan, people=people)
    _narrow_built(cap=cap, plan=plan, user=set(params or {}))
    return cap, plan


def _narrow_built(*, cap: Capability, plan: Plan, user: set[str]) -> None:
    """Adjust values the builder chose (never the user's) to what the model's rules allow with the
    frames and references in the plan — e.g. Veo interpolation needs 8 s."""

    fitted = narrow_for(cap, plan.all_params(), plan)
    for name, value in fitted.items():
        if name in plan.inputs or name in user or plan.params.get(name) == value:
            continue
        plan.params[name] = value
        plan.notes.append(f"{name} set to {value} because the model requires it with these inputs.")


def _add_frames(*, cap: Capability, plan: Plan, shot: Shot, use_last: bool) -> None:
    start = cap.field_for_role("start_frame")
    end = cap.field_for_role("end_frame")
    if use_last:
        cap.require_role("start_frame")  # UnsupportedCapability naming the model

        plan.inputs[start] = last_frame_of_previous(shot_id=shot.id)
        plan.notes.append("Start frame: the previous shot's last frame.")
    elif start and not present(plan.inputs.get(start)):
        if shot.keyframe_media_id:
            plan.inputs[start] = shot.keyframe_media_id
        elif start in (cap.input_schema.get("required") or []):
            raise InvalidInput(f"{cap.model} animates a start frame: generate this shot's keyframe first",
                               field=start)
    elif not start and shot.keyframe_media_id:
        plan.notes.append(f"{cap.model} has no start-frame input; the keyframe guides it through the prompt only.")
    if shot.end_frame_media_id and not present(plan.inputs.get(end or "")):
        if end and present(plan.inputs.get(start or "")):
            plan.inputs[end] = shot.end_frame_media_id
        else:
            plan.notes.append(f"End frame not used: {cap.model} has no end-frame input"
                              + ("" if not end else " without a start frame") + ".")


def _submit(*, shot: Shot, cap: Capability, plan: Plan, purpose: str, apply: bool, force: bool,
            character_id: str | None = None, extra: dict | None = None) -> Job:
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plan.params,
                      inputs=plan.inputs, project_id=shot.project_id, shot_id=shot.id, character_id=character_id,
                      force=force, context={"purpose": purpose, "apply": apply, "notes": plan.notes, **(extra or {})})


def _with_seed(cap: Capability, plan: Plan, seed: int | None) -> None:
    name = cap.field_for_role("seed")
    if name and seed is not None:
        spec = cap.field(name)
        hi = int(spec.maximum) if spec is not None and spec.maximum is not None else 2**31 - 1
        plan.params[name] = seed % (hi + 1)


def generate_keyframe(*, shot_id: int, provider: str | None = None, model: str | None = None,
                      params: dict[str, Any] | None = None, force: bool = False, seed: int | None = None,
                      apply: bool = True, character_id: str | None = None, batch: str | None = None,
                      then: str | None = None) -> Job:
    """Submit a keyframe for a shot and return its Job; the result becomes the shot's keyframe
    when done (``apply``). ``force`` with a new ``seed`` regenerates; ``batch`` tags the job as part
    of a batch run; ``then="clip"`` queues the shot's clip once the keyframe lands.
    Raises as plan_for_shot and submit_job."""
    shot = get_shot(shot_id=shot_id)
    cap, plan = plan_for_shot(shot_id=shot_id, kind="keyframe", provider=provider, model=model, params=params)
    _with_seed(cap, plan, seed)
    extra = {k: v for k, v in (("batch", batch), ("then", then)) if v}
    return _submit(shot=shot, cap=cap, plan=plan, purpose="keyframe", apply=apply, force=force,
                   character_id=character_id, extra=extra or None)


def keyframe_candidates(*, shot_id: int, provider: str | None = None, model: str | None = None,
                        params: dict[str, Any] | None = None, count: int = 2) -> list[Job]:
    """Submit ``count`` keyframe candidates (different seeds) and return their Jobs. They fill the
    shot's keyframe only when it has none; the user picks one with :func:`choose_version`."""
    if not 1 <= count <= 4:
        raise InvalidInput("count must be between 1 and 4", field="count")
    rng = random.Random()
    return [generate_keyframe(shot_id=shot_id, provider=provider, model=model, params=params, force=True,
                              seed=rng.randrange(1, 2**31 - 1), apply=False) for _ in range(count)]


def generate_clip(*, shot_id: int, provider: str | None = None, model: str | None = None,
                  params: dict[str, Any] | None = None, use_last_frame: bool | None = None, force: bool = False,
                  seed: int | None = None, apply: bool = True, character_id: str | None = None,
                  batch: str | None = None) -> Job:
    """Submit a shot's clip (from its keyframe when the model takes a start frame) and return its Job.
    Raises as plan_for_shot and submit_job."""
    shot = get_shot(shot_id=shot_id)
    cap, plan = plan_for_shot(shot_id=shot_id, kind="clip", provider=provider, model=model, params=params,
                              use_last_frame=use_last_frame)
    _with_seed(cap, plan, seed)
    return _submit(shot=shot, cap=cap, plan=plan, purpose="clip", apply=apply, force=force,
                   character_id=character_id, extra={"batch": batch} if batch else None)


# --- results on the card ------------------------------------------------------------------------
_SLOT = {"keyframe": "keyframe_media_id", "clip": "clip_media_id", "transition": "clip_media_id",
         "lipsync": "clip_media_id"}


def apply_shot_result(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of shot jobs (run by the worker that stored the result, whichever door
    asked): put the asset on its shot as a new version — ``apply`` jobs replace the current choice,
    candidates only fill an empty slot — linking the version chain with ``parent_id``. A keyframe
    of a batch that goes on to clips (``context["then"] == "clip"``) queues the shot's clip."""

    ctx = (job.request or {}).get("context") or {}
    purpose = ctx.get("purpose")
    if job.shot_id is None or purpose not in _SLOT or not media_ids:
        return
    try:
        shot = get_shot(shot_id=job.shot_id)
        asset = get_asset(media_id=media_ids[0])
    except NotFound:  # the shot was deleted meanwhile: the asset stays in the library
        return
    slot = _SLOT[purpose]
    current = getattr(shot, slot)
    if current != asset.media_id:
        if asset.parent_id is None and current:
            asset = update_asset(media_id=asset.media_id, parent_id=ctx.get("parent") or current)
        if ctx.get("apply", True) or not current:
            changes: dict[str, Any] = {slot: asset.media_id}
            if slot == "clip_media_id":
                changes["status"] = "clip"
            elif not shot.clip_media_id:
                changes["status"] = "keyframe"
            shot = update_shot(shot_id=shot.id, **changes)
    if purpose == "keyframe" and ctx.get("then") == "clip" and not shot.clip_media_id:
        generate_clip(shot_id=shot.id, batch=ctx.get("batch"))


def shot_job_failed(*, job: Job) -> None:
    """The failure handler of shot jobs: a shot with nothing yet is marked ``failed``."""
    if job.shot_id is None:
        return
    try:
        shot = get_shot(shot_id=job.shot_id)
    except NotFound:
        return
    if not shot.keyframe_media_id and not shot.clip_media_id:
        update_shot(shot_id=shot.id, status="failed")


for _purpose in _SLOT:
    register_result(purpose=_purpose, apply=apply_shot_result, failed=shot_job_failed)


def shot_versions(*, shot_id: int, kind: str) -> list[MediaAsset]:
    """Return a shot's versions of ``kind`` ("keyframe" or "clip"), newest first (extracted frames
    are not versions)."""
    if kind not in KIND_TYPES:
        raise InvalidInput(f"kind must be one of {', '.join(KIND_TYPES)}", field="kind")
    with session() as s:
        rows = s.exec(select(MediaAsset).where(MediaAsset.shot_id == shot_id, MediaAsset.type == KIND_TYPES[kind],
                                               MediaAsset.operation != "extract_frame")
                      .order_by(MediaAsset.timestamp.desc())).all()
    return list(rows)


def choose_version(*, shot_id: int, media_id: str) -> Shot:
    """Make ``media_id`` (one of the shot's versions, or any image for a keyframe) the shot's
    keyframe or clip by its type; returns the shot. Raises NotFound, InvalidInput."""

    asset = get_asset(media_id=media_id)
    shot = get_shot(shot_id=shot_id)
    if asset.type == "image":
        return update_shot(shot_id=shot_id, keyframe_media_id=media_id,
                           status="clip" if shot.clip_media_id else "keyframe")
    if asset.type == "video":
        return update_shot(shot_id=shot_id, clip_media_id=media_id, status="clip")
    raise InvalidInput(f"a {asset.type} cannot be a shot's keyframe or clip", field="media_id")


def rollback(*, shot_id: int, kind: str) -> Shot:
    """Go back to the version before the current keyframe/clip (its ``parent_id``, else the next
    older version); returns the shot. Raises InvalidInput when there is no earlier version."""
    shot = get_shot(shot_id=shot_id)
    current = getattr(shot, _SLOT[kind])
    versions = shot_versions(shot_id=shot_id, kind=kind)
    by_id = {v.media_id: v for v in versions}
    target = None
    if current in by_id and by_id[current].parent_id in by_id:
        target = by_id[current].parent_id
    else:
        ids = [v.media_id for v in versions]
        if current in ids and ids.index(current) + 1 < len(ids):
            target = ids[ids.index(current) + 1]
    if target is None:
        raise InvalidInput(f"shot {shot_id} has no earlier {kind} to go back to", field=kind)
    return choose_version(shot_id=shot_id, media_id=target)


def user_overrides(*, cap: Capability, built: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    """Return the form values a user actually chose: those that differ from what generation would
    build for the shot (``built``) or, for fields it does not fill, from the model's default.

    A settings form shows every field; saving all of them would pin the built values (shot type,
    prompt, location…) so a later change to the shot would no longer reach its generation.
    """
    defaults = {f.name: f.default for f in cap.fields()}
    chosen: dict[str, Any] = {}
    for name, value in form.items():
        if value in (None, "", [], {}):
            continue
        baseline = built[name] if name in built else defaults.get(name)
        if value != baseline:
            chosen[name] = value
    return chosen
