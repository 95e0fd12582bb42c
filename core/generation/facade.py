"""Generation services (DESIGN §5): images, videos, voices, lip sync, frames and transitions —
character-aware and filled by capability role, never by provider name.

Every function validates through the registry and submits a persisted :class:`~core.models.Job`
(``core.jobs.service.submit_job``); it returns that Job at once (already ``succeeded`` on a cache hit).
Results land as MediaAssets with the unified metadata (``reference_images_used``,
``start_frame_used``, ``end_frame_used``, ``character_id``) recorded by the job runner from the
roles. Shot results are put on the shot card by the job engine's worker, through the result handler
:func:`core.generation.shots.apply_shot_result` — no page has to be open.

The HTTP API and the voice recorder rely on these exact signatures.
"""
from __future__ import annotations

from typing import Any

from core.errors import InvalidInput
from core.generation.frames import extract_frames, smooth_transition, use_last_frame
from core.generation.plan import Plan, add_characters, guard_frames, split_params
from core.generation.shots import (
    choose_version,
    find_character,
    generate_clip,
    generate_keyframe,
    keyframe_candidates,
    plan_for_shot,
    rollback,
    set_shot_model,
    shot_versions,
)
from core.generation.voice import lipsync_image, lipsync_video, tts, v2v
from core.jobs.service import submit_job, wait_all
from core.models import Job
from core.generation.prompts import portrait_prompt
from core.projects import get_project
from core.registry import get_registry

__all__ = [
    "generate", "generate_image", "generate_video", "tts", "v2v", "lipsync_image", "lipsync_video",
    "extract_frames", "use_last_frame", "smooth_transition", "plan_for_shot", "generate_keyframe",
    "keyframe_candidates", "generate_clip", "shot_versions", "choose_version",
    "rollback", "set_shot_model", "Plan", "wait_all",
]


def generate(*, provider: str, model: str, params: dict[str, Any], operation: str | None = None,
             project_id: int | None = None) -> Job:
    """Submit one plain generation (Media Lab): ``params`` as the model's form gave them; file
    fields may hold media ids (``media:`` prefix allowed) or paths. Returns the Job.

    Raises UnsupportedCapability, InvalidCombination, InvalidInput, MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model, operation=operation)
    plain, inputs = split_params(cap=cap, params=params)
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain,
                      inputs=inputs, project_id=project_id, context={"purpose": "lab"})


def _portrait_plan(*, cap: Any, params: dict, character: Any) -> Plan:
    """Plan a character portrait: the character's references are the identity reference."""
    plain, inputs = split_params(cap=cap, params=params)
    plan = Plan(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs)
    prompt_param = cap.field_for_role("prompt")
    if prompt_param and not plan.params.get(prompt_param):
        plan.params[prompt_param] = portrait_prompt(project=get_project(project_id=character.project_id),
                                                    character=character)
    add_characters(cap=cap, plan=plan, people=[character])
    return plan


def generate_image(*, provider: str, model: str, params: dict[str, Any], project_id: int | None = None,
                   shot_id: int | None = None, character_id: str | None = None, force: bool = False) -> Job:
    """Submit an image generation and return its Job.

    With ``shot_id`` the shot's keyframe prompt and parts fill the params by role (values given in
    ``params`` win) and the shot's characters' references go into the reference role; with
    ``character_id`` (a portrait) that character's references are the identity reference.

    Raises NotFound (shot, character), UnsupportedCapability, InvalidCombination, InvalidInput,
    MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model)
    if cap.media_type != "image":
        raise InvalidInput(f"{provider}/{model} makes {cap.media_type}, not images", field="model")
    if shot_id is not None:
        return generate_keyframe(shot_id=shot_id, provider=provider, model=model, params=params, force=force,
                                 character_id=character_id)
    character = find_character(project_id=project_id, character_id=character_id) if character_id else None
    if character is not None:
        plan = _portrait_plan(cap=cap, params=params, character=character)
        project_id = project_id if project_id is not None else character.project_id
        purpose = "portrait"
    else:
        plain, inputs = split_params(cap=cap, params=params)
        plan = Plan(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs)
        purpose = "image"
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plan.params,
                      inputs=plan.inputs, project_id=project_id, character_id=character_id, force=force,
                      context={"purpose": purpose, "notes": plan.notes})


def generate_video(*, provider: str, model: str, params: dict[str, Any], project_id: int | None = None,
                   shot_id: int | None = None, character_id: str | None = None, use_last_frame: bool = False,
                   force: bool = False) -> Job:
    """Submit a video generation and return its Job.

    With ``shot_id``: the shot's video prompt fills the params by role, the shot's keyframe is the
    start frame (when the model has a start-frame role), its end frame the end frame, and with
    ``use_last_frame`` the previous shot's last frame is the start frame instead. Character
    references go only into the reference role, and only when the model's rules allow them next to
    the frames (frames win otherwise). Without ``shot_id`` and with ``character_id``, that
    character's references and appearance are used.

    Raises UnsupportedCapability (``use_last_frame`` on a model without a start frame, naming it),
    NotFound/InvalidInput (no previous clip), InvalidCombination, MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model)
    if cap.media_type != "video":
        raise InvalidInput(f"{provider}/{model} makes {cap.media_type}, not videos", field="model")
    if shot_id is not None:
        return generate_clip(shot_id=shot_id, provider=provider, model=model, params=params,
                             use_last_frame=use_last_frame, force=force, character_id=character_id)
    if use_last_frame:
        raise InvalidInput("use_last_frame needs a shot_id (the previous shot's clip gives the frame)",
                           field="use_last_frame")
    plain, inputs = split_params(cap=cap, params=params)
    plan = Plan(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs)
    if character_id:
        character = find_character(project_id=project_id, character_id=character_id)
        add_characters(cap=cap, plan=plan, people=[character])
        guard_frames(cap=cap, plan=plan, people=[character])
        project_id = project_id if project_id is not None else character.project_id
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plan.params,
                      inputs=plan.inputs, project_id=project_id, character_id=character_id, force=force,
                      context={"purpose": "video", "notes": plan.notes})


