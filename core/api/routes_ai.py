"""Routes of the media-generation spec (API.md): generation, voice, lip sync, frames, render, jobs, media.

Every handler is one call into core (``core.api.services`` and friends) and a view of its result.
Long work answers ``202`` with a job at once; ``GET /jobs/{job_id}`` reports its progress.
"""
from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import FileResponse

import core.api.services as services
from core.api.schemas import (
    CapabilitiesRequest, ExtractFramesRequest, LipsyncImageRequest, LipsyncVideoRequest, RenderFilmRequest,
    ExportTimelineRequest,
    RenderSceneRequest, SmoothTransitionRequest, TtsRequest, UseLastFrameRequest, VideoGenerateRequest,
    GenerateRequest, VoiceoverRequest,
)
from core.api.schemas import VOICE_ID_PATTERN, DbIdPath
from core.api.security import ID_PATTERN, max_upload_bytes
from core.api.uploads import read_upload, store_media_upload
from core.api.views import asset_view, job_view
from core.errors import InvalidInput
from core.jobs.service import get_job as core_get_job, list_jobs as core_list_jobs, resend_job as core_resend_job
from core.media_assets import asset_path, get_asset
from core.limits import MAX_PARAMS_JSON_CHARS

router = APIRouter()
JOB = {"status_code": 202, "response_description": "The job, queued (or already succeeded on a cache hit)."}
IdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, examples=["3f2a9c0d1e2b4c5d8e9f00112233aabb"])]


@router.post("/ai/video/get-capabilities", tags=["generation"], summary="What a model accepts")
def get_capabilities(body: CapabilitiesRequest) -> dict:
    """Return `media_type`, `fields` (name, type, required, default, enum, minimum, maximum, role), `roles`, `rules`."""
    return services.capabilities_json(provider=body.provider, model=body.model, operation=body.operation)


@router.post("/ai/video/generate", tags=["generation"], summary="Generate a shot video", **JOB)
def generate_video(body: VideoGenerateRequest) -> dict:
    """Validate `params` against the model (422 `invalid_combination` listing every broken rule) and queue."""
    return job_view(services.generate(
        media_type="video", provider=body.provider, model=body.model, params=body.params,
        project_id=body.project_id, shot_id=body.shot_id, character_id=body.character_id,
        use_last_frame=body.use_last_frame, force=body.force))


@router.post("/ai/video/smooth-transition", tags=["generation"], summary="Bridge two shots", **JOB)
def smooth_transition(body: SmoothTransitionRequest) -> dict:
    """Queue a clip from the last frame of one shot to the first frame of the next (start+end-frame model)."""
    return job_view(services.smooth_transition(from_shot_id=body.from_shot_id, to_shot_id=body.to_shot_id,
                                               provider=body.provider, model=body.model))


@router.post("/ai/image/generate", tags=["generation"], summary="Generate an image (keyframe)", **JOB)
def generate_image(body: GenerateRequest) -> dict:
    """Validate `params` against the model and queue; a character's references go to the reference role."""
    return job_view(services.generate(
        media_type="image", provider=body.provider, model=body.model, params=body.params,
        project_id=body.project_id, shot_id=body.shot_id, character_id=body.character_id, force=body.force))


@router.post("/ai/voice/tts", tags=["voice"], summary="Text to speech", **JOB)
@router.post("/generate/voice_tts", tags=["voice"], summary="Text to speech (alias)", **JOB)
def voice_tts(body: TtsRequest) -> dict:
    """Queue speech for `text` with `voice_id` or the character's voice; the asset carries word timings."""
    return job_view(services.tts(provider=body.provider, model=body.model, text=body.text, voice_id=body.voice_id,
                                 character_id=body.character_id, params=body.params, project_id=body.project_id,
                                 shot_id=body.shot_id))


@router.post("/projects/{project_id}/voiceover", tags=["voice"], summary="Voice the project's dialogue lines",
             status_code=202, response_description="The voice jobs, queued (or already succeeded on cache hits).")
def voiceover(project_id: DbIdPath, body: VoiceoverRequest | None = None) -> dict:
    """Queue a voice for every dialogue line (or the `lines` given as `"shot_id:line"`; `only_missing`:
    those not voiced yet), each character in their voice. Answers at once with `job_ids` and `jobs`;
    the worker puts each voice on its line (through its radio/phone/V.O. treatment), no page needed.
    422 when there is nothing to voice."""
    body = body or VoiceoverRequest()
    jobs = services.voiceover(project_id=project_id, lines=body.lines, only_missing=body.only_missing)
    return {"job_ids": [j.id for j in jobs], "jobs": [job_view(j) for j in jobs]}


def _params_form(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"params must be a JSON object: {exc.msg}.", field="params") from None
    if not isinstance(value, dict):
        raise InvalidInput("params must be a JSON object.", field="params")
    return value


@router.post("/ai/voice/v2v", tags=["voice"], summary="Voice to voice (upload)", **JOB)
@router.post("/generate/voice_v2v", tags=["voice"], summary="Voice to voice (alias)", **JOB)
def voice_v2v(
    audio: Annotated[UploadFile, File(description="The performance to convert; checked by content, size-limited.")],
    provider: Annotated[str, Form(min_length=1, max_length=200, examples=["local"])],
    model: Annotated[str, Form(min_length=1, max_length=200, examples=["v2v"])],
    voice_id: Annotated[str | None, Form(pattern=VOICE_ID_PATTERN, max_length=64)] = None,
    character_id: Annotated[str | None, Form(pattern=ID_PATTERN)] = None,
    params: Annotated[str, Form(max_length=MAX_PARAMS_JSON_CHARS, description="JSON object of model params",
                                examples=["{}"])] = "{}",
    project_id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
) -> dict:
    """Store the uploaded audio (only real audio, whatever its name) and queue the conversion."""
    values = _params_form(params)
    services.v2v_prepare(provider=provider, model=model, params=values, project_id=project_id)
    data = read_upload(upload=audio, limit=max_upload_bytes(), field="audio")
    return job_view(services.v2v(provider=provider, model=model, audio=data, voice_id=voice_id,
                                 character_id=character_id, params=values, project_id=project_id))


@router.post("/ai/lipsync/image", tags=["lip sync"], summary="Talking portrait", **JOB)
def lipsync_image(body: LipsyncImageRequest) -> dict:
    """Queue a talking portrait from `image_media_id` (or the character's reference image) and `audio_media_id`."""
    return job_view(services.lipsync_image(
        provider=body.provider, model=body.model, audio_media_id=body.audio_media_id,
        image_media_id=body.image_media_id, character_id=body.character_id, params=body.params,
        project_id=body.project_id))


@router.post("/ai/lipsync/video", tags=["lip sync"], summary="Mouth-sync a video", **JOB)
def lipsync_video(body: LipsyncVideoRequest) -> dict:
    """Queue a lip-synced version of `video_media_id`; the result is saved as a new version of the shot."""
    return job_view(services.lipsync_video(
        provider=body.provider, model=body.model, video_media_id=body.video_media_id,
        audio_media_id=body.audio_media_id, params=body.params, shot_id=body.shot_id, project_id=body.project_id))


@router.post("/ai/extract-frames", tags=["continuity"], summary="First and last frame of a clip")
def extract_frames(body: ExtractFramesRequest) -> dict:
    """Return `first_frame_media_id` and `last_frame_media_id` (stored as image assets)."""
    return services.extract_frames(media_id=body.media_id)


@router.post("/ai/use-last-frame", tags=["continuity"], summary="Previous shot's last frame")
def use_last_frame(body: UseLastFrameRequest) -> dict:
    """Return the previous shot's last frame as `start_frame_media_id` for this shot."""
    return services.use_last_frame(shot_id=body.shot_id)


@router.post("/render/scene", tags=["render"], summary="Render one scene", **JOB)
def render_scene(body: RenderSceneRequest) -> dict:
    """Queue the scene's MP4 render; poll `GET /jobs/{job_id}`."""
    return job_view(services.render_scene(scene_id=body.scene_id,
                                          options=body.options.model_dump(exclude_unset=True)))


@router.post("/render/film", tags=["render"], summary="Render the film", **JOB)
def render_film(body: RenderFilmRequest) -> dict:
    """Queue the final film (H.264 + AAC MP4, subtitles `none`/`srt`/`burn`, loudness target)."""
    return job_view(services.render_film(project_id=body.project_id, aspect_ratio=body.aspect_ratio,
                                         subtitles=body.subtitles, loudness_lufs=body.loudness_lufs,
                                         captions=body.captions))


@router.post("/export/timeline", tags=["render"], summary="Timeline for an editing program", **JOB)
def export_timeline(body: ExportTimelineRequest) -> dict:
    """Queue a zip of the timeline (`otio`: OpenTimelineIO, `fcpxml`: Final Cut Pro 7 XML for Premiere
    and Resolve, `edl`: CMX 3600) with its media relinked by relative paths; the job's result is the zip."""
    return job_view(services.export_timeline(project_id=body.project_id, fmt=body.format))


@router.get("/jobs", tags=["jobs"], summary="List jobs")
def list_jobs(project_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
              status: Annotated[str | None, Query(max_length=32, examples=["active", "running"])] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict]:
    """Jobs newest first, of one project and/or one status (`active` = every unfinished one)."""

    return [job_view(j) for j in core_list_jobs(project_id=project_id, status=status, limit=limit)]


@router.get("/jobs/{job_id}", tags=["jobs"], summary="A job's status")
def get_job(job_id: IdPath) -> dict:
    """Return status, progress, error and the result `media_id` once done."""

    return job_view(core_get_job(job_id=job_id))


@router.post("/jobs/{job_id}/cancel", tags=["jobs"], summary="Cancel a job")
def cancel_job(job_id: IdPath) -> dict:
    """Cancel a queued or running job (a started paid job may finish anyway); returns the job."""
    return job_view(services.cancel_job(job_id=job_id))


@router.post("/jobs/{job_id}/resend", tags=["jobs"], summary="Send a job again (confirmed by the user)",
             status_code=202)
def resend_job(job_id: IdPath) -> dict:
    """Send again a job whose outcome is unknown (the provider may have accepted — and may bill — the
    first request) or that failed with a temporary error. Call it only once the user confirmed."""

    return job_view(core_resend_job(job_id=job_id))


@router.post("/media", tags=["media"], summary="Upload a file (start frame, end frame, reference, audio…)",
             status_code=201, response_description="The stored asset (its unified metadata record).")
def upload_media(
    file: Annotated[UploadFile, File(description="An image, video or audio file; checked by content, size-limited.")],
    project_id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
) -> dict:
    """Store an upload as a media asset and answer its record; its `media_id` can then fill any file
    parameter of a generation (`image`, `last_frame`, `reference_images`, `audio`, …)."""
    services.check_project(project_id=project_id)
    data = read_upload(upload=file, limit=max_upload_bytes(), field="file")
    return asset_view(store_media_upload(data=data, project_id=project_id, filename=file.filename))


@router.get("/media", tags=["media"], summary="List media")
def list_media(
    project_id: Annotated[int | None, Query(ge=1, le=2**62, description="a project's media; none: media outside projects")] = None,
    type: Annotated[str | None, Query(pattern=r"^[a-z]{1,16}$", description="video, image, voice, music, sfx, render…")] = None,
) -> list[dict]:
    """Return media records, newest first, of one project (or outside any), optionally of one type."""
    services.check_project(project_id=project_id)
    return [asset_view(a) for a in services.list_media(project_id=project_id, type=type)]


@router.get("/media/{media_id}", tags=["media"], summary="A media record")
def get_media(media_id: IdPath) -> dict:
    """Return the unified metadata record (media_id, type, provider, model, input_params, character_id,
    start_frame_used, end_frame_used, reference_images_used, file_path, timestamp, …)."""

    return asset_view(get_asset(media_id=media_id))


@router.get("/media/{media_id}/file", tags=["media"], summary="A media file's bytes",
            response_class=FileResponse, responses={200: {"content": {"application/octet-stream": {}}}})
def get_media_file(media_id: IdPath) -> FileResponse:
    """Return the file's bytes; only files inside the data dir are ever served."""

    asset = get_asset(media_id=media_id)
    path = asset_path(media_id=media_id)
    return FileResponse(path, media_type=asset.mime_type or "application/octet-stream")
