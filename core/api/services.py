"""The core calls behind the generation and render routes, with the checks every door shares.

Each function takes a route's validated request fields, checks the model against the registry
(right operation and media type; plain provider params fully validated — every broken rule at
once — before anything is queued) and hands over to the core service: ``core.generation.facade`` for
character- and shot-aware work and plain generations alike, ``core.render.service`` for renders.

File parameters (start/end frames, references, audio…) name stored media by id only: a path or
URL is refused here, so no request can make the server read a file outside its data dir.
"""
from __future__ import annotations

import re
from typing import Any

from core.generation import facade as generation
from core.generation.voiceover import enqueue_voiceover
from core.render import service as render_service
from core.errors import InvalidInput, UnsupportedCapability
from core.limits import check_params_text
from core.media_assets import get_asset, list_assets
from core.models import Job
from core.api.resources import get_scene
from core.api.uploads import store_upload
from core.breakdowns import get_shot
from core.jobs.service import cancel_job as cancel_any
from core.projects import get_project
from core.registry import capability_json, get_registry

_REF = re.compile(r"^(media:)?[A-Za-z0-9_-]{1,64}$")  # a media id, optionally "media:"-prefixed


def capability(*, provider: str, model: str, operation: str | None = None, media_type: str | None = None):
    """Return the registry capability, checking its media type when given.

    Raises UnsupportedCapability (422) naming what exists, or when the model makes another media type.
    """

    cap = get_registry().get(provider=provider, model=model, operation=operation)
    if media_type is not None and cap.media_type != media_type:
        raise UnsupportedCapability(
            f"{provider}/{model} makes {cap.media_type}, not {media_type}; use the {cap.media_type} route.",
            field="model")
    return cap


def capabilities_json(*, provider: str, model: str, operation: str | None = None) -> dict:
    """Return the API.md capability JSON of a model; raises UnsupportedCapability."""

    return capability_json(capability(provider=provider, model=model, operation=operation))


def check_file_refs(*, cap: Any, params: dict[str, Any]) -> None:
    """Raise InvalidInput when a file parameter holds anything but stored media ids (paths, URLs…),
    or when any text in ``params`` breaks the text limits (``core.limits``: NUL bytes, lone
    surrogates, over MAX_PROMPT_CHARS; a model's own lower maxLength is the registry's check)."""
    check_params_text(params=params)
    for spec in cap.fields():
        if not (spec.is_uri or spec.is_uri_list) or params.get(spec.name) in (None, "", []):
            continue
        value = params[spec.name]
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not _REF.match(item):
                raise InvalidInput(f"{spec.name} must name stored media by media_id (upload files first); "
                                   "paths and URLs are not accepted.", field=spec.name)


def _checked_capability(*, provider: str, model: str, operation: str, params: dict[str, Any]) -> Any:
    """Return the registry capability for ``operation`` after checking ``params``' file references."""
    cap = capability(provider=provider, model=model, operation=operation)
    check_file_refs(cap=cap, params=params)
    return cap


def check_project(*, project_id: int | None) -> None:
    """Raise NotFound when ``project_id`` is given and names no project."""
    _check_context(project_id=project_id, shot_id=None)


def list_media(*, project_id: int | None, type: str | None) -> list:
    """Return the media assets of a project (or outside any), newest first, optionally of one type."""
    return list_assets(project_id=project_id, type=type)


def _check_context(*, project_id: int | None, shot_id: int | None) -> None:

    if project_id is not None:
        get_project(project_id=project_id)
    if shot_id is not None:
        get_shot(shot_id=shot_id)


def _plain_checks(*, cap: Any, params: dict[str, Any], with_context: bool) -> None:
    check_file_refs(cap=cap, params=params)
    if not with_context:  # with a shot or character, core.generation.facade completes the params first
        cap.validate(params)


def generate(*, media_type: str, provider: str, model: str, params: dict[str, Any], project_id: int | None = None,
             shot_id: int | None = None, character_id: str | None = None, use_last_frame: bool = False,
             force: bool = False) -> Job:
    """Queue a video or image generation; returns the Job at once.

    Raises UnsupportedCapability, InvalidCombination (every broken rule, nothing queued),
    InvalidInput, NotFound (project/shot), MissingCredentials.
    """
    cap = capability(provider=provider, model=model, operation="generate", media_type=media_type)
    with_context = bool(shot_id or character_id or use_last_frame)
    _plain_checks(cap=cap, params=params, with_context=with_context)
    _check_context(project_id=project_id, shot_id=shot_id)
    if media_type == "video":
        return generation.generate_video(
            provider=provider, model=model, params=params, project_id=project_id, shot_id=shot_id,
            character_id=character_id, use_last_frame=use_last_frame, force=force)
    return generation.generate_image(
        provider=provider, model=model, params=params, project_id=project_id, shot_id=shot_id,
        character_id=character_id, force=force)


def smooth_transition(*, from_shot_id: int, to_shot_id: int, provider: str, model: str) -> Job:
    """Queue a bridging clip between two shots (start+end-frame model); returns the Job."""
    capability(provider=provider, model=model, operation="generate", media_type="video")
    _check_context(project_id=None, shot_id=from_shot_id)
    _check_context(project_id=None, shot_id=to_shot_id)
    return generation.smooth_transition(
        from_shot_id=from_shot_id, to_shot_id=to_shot_id, provider=provider, model=model)


def tts(*, provider: str, model: str, text: str, voice_id: str | None = None, character_id: str | None = None,
        params: dict[str, Any] | None = None, project_id: int | None = None, shot_id: int | None = None) -> Job:
    """Queue text-to-speech (with word timings); returns the Job."""
    _checked_capability(provider=provider, model=model, operation="tts", params=params or {})
    _check_context(project_id=project_id, shot_id=shot_id)
    return generation.tts(
        provider=provider, model=model, text=text, voice_id=voice_id, character_id=character_id,
        params=params or {}, project_id=project_id, shot_id=shot_id)


def v2v_prepare(*, provider: str, model: str, params: dict[str, Any], project_id: int | None) -> None:
    """Check a voice-to-voice request before its upload is read (model, file refs, project)."""
    _checked_capability(provider=provider, model=model, operation="v2v", params=params)
    _check_context(project_id=project_id, shot_id=None)


def v2v(*, provider: str, model: str, audio: bytes, voice_id: str | None, character_id: str | None,
        params: dict[str, Any], project_id: int | None) -> Job:
    """Store the uploaded audio (checked by content) and queue voice-to-voice on it; returns the Job.

    Raises InvalidInput (not audio) and what ``core.generation.facade.v2v`` raises.
    """

    asset = store_upload(data=audio, expect="audio", field="audio", project_id=project_id)
    return generation.v2v(provider=provider, model=model, audio_path=asset.media_id,
                   voice_id=voice_id, character_id=character_id, params=params, project_id=project_id)


def _check_media(*ids: str | None) -> None:

    for media_id in ids:
        if media_id:
            get_asset(media_id=media_id)


def lipsync_image(*, provider: str, model: str, audio_media_id: str, image_media_id: str | None = None,
                  character_id: str | None = None, params: dict[str, Any] | None = None,
                  project_id: int | None = None) -> Job:
    """Queue a talking portrait from an image (or the character's reference) and audio; returns the Job."""
    _checked_capability(provider=provider, model=model, operation="lipsync_image", params=params or {})
    _check_media(audio_media_id, image_media_id)
    _check_context(project_id=project_id, shot_id=None)
    return generation.lipsync_image(
        provider=provider, model=model, audio_media_id=audio_media_id, image_media_id=image_media_id,
        character_id=character_id, params=params or {}, project_id=project_id)


def lipsync_video(*, provider: str, model: str, video_media_id: str, audio_media_id: str,
                  params: dict[str, Any] | None = None, shot_id: int | None = None,
                  project_id: int | None = None) -> Job:
    """Queue a mouth-synced version of a video (a new version of the shot); returns the Job."""
    _checked_capability(provider=provider, model=model, operation="lipsync_video", params=params or {})
    _check_media(video_media_id, audio_media_id)
    _check_context(project_id=project_id, shot_id=shot_id)
    return generation.lipsync_video(
        provider=provider, model=model, video_media_id=video_media_id, audio_media_id=audio_media_id,
        params=params or {}, shot_id=shot_id, project_id=project_id)


def extract_frames(*, media_id: str) -> dict[str, str]:
    """Return ``{"first_frame_media_id", "last_frame_media_id"}`` of a stored video."""
    _check_media(media_id)
    first, last = generation.extract_frames(media_id=media_id)
    return {"media_id": media_id, "first_frame_media_id": first, "last_frame_media_id": last}


def use_last_frame(*, shot_id: int) -> dict[str, Any]:
    """Return ``{"shot_id", "start_frame_media_id"}``: the previous shot's last frame for this shot."""
    _check_context(project_id=None, shot_id=shot_id)
    media_id = generation.use_last_frame(shot_id=shot_id)
    return {"shot_id": shot_id, "start_frame_media_id": media_id}


def voiceover(*, project_id: int, lines: list[str] | None, only_missing: bool) -> list[Job]:
    """Queue the voices of a project's dialogue lines (``core.generation.voiceover.enqueue_voiceover``);
    returns the jobs at once — the worker puts each voice on its line."""
    return enqueue_voiceover(project_id=project_id, keys=lines, only_missing=only_missing)


def render_scene(*, scene_id: int, options: dict[str, Any]) -> Job:
    """Queue the render of one scene to an MP4 asset; returns the Job at once."""

    get_scene(scene_id=scene_id)
    return render_service.render_scene(scene_id=scene_id, options=options)


def render_film(*, project_id: int, aspect_ratio: str | None, subtitles: str, loudness_lufs: float,
                captions: str = "box") -> Job:
    """Queue the render of the whole film; returns the Job at once."""
    _check_context(project_id=project_id, shot_id=None)
    return render_service.render_film(
        project_id=project_id, aspect_ratio=aspect_ratio, subtitles=subtitles, loudness_lufs=loudness_lufs,
        captions=captions)


def export_timeline(*, project_id: int, fmt: str) -> Job:
    """Queue the timeline's export for an editing program (a zip); returns the Job at once."""
    _check_context(project_id=project_id, shot_id=None)
    return render_service.export_project(project_id=project_id, fmt=fmt)


def cancel_job(*, job_id: str) -> Job:
    """Cancel a job: a render through the render service (its worker stops), any other through
    ``core.jobs.service``. Returns the job; raises NotFound."""

    return cancel_any(job_id=job_id)
