"""Renders as jobs: the film, one scene, the preview animatic and auto shorts.

A render is a ``Job`` row (provider ``storyreel``, kind ``render``, model = the operation) run by
the job engine like any generation (leased, resumed after a crash, cancellable): this module
registers the work kind, and a worker writes its progress to ``Job.progress`` (and a message in
``Job.request["message"]``), so ``GET /jobs/{id}`` and any page can follow it. The output is a MediaAsset of type ``render`` (operation film/scene/preview/
short) whose ``input_params`` are the render settings; SRT/VTT are ``text`` assets whose
``parent_id`` is the render. Each new render of an operation points at the previous one
(``parent_id``), so renders are kept as versions.
"""
from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from core.accounts.activity import record
from core.accounts.identity import current_user
from core.accounts.service import require_current
from core.db import session
from core.errors import Cancelled, InvalidInput, NotFound, RenderError
from core.jobs.kinds import WorkContext, register_work
from core.jobs.service import cancel_job, enqueue, wait_for
from core.media_assets import create_asset, get_asset, list_assets, update_asset
from core.models import (
    ACTIVE_STATUSES, ASPECT_RATIOS, QUEUED, Job, MediaAsset, Scene,
)
from core.projects import get_project
from core.render.handoff import export_timeline
from core.media.files import sha256_file
from core.render.settings import RenderSettings, render_settings
from core.storage import scratch_dir
from core.timeline.store import project_timeline, shot_source
from core.render.engine import prune_cache, render_timeline
from core.render.mix import mix_timeline
from core.render.reframe import ShotLook
from core.render.shorts import find_moments, render_short

log = logging.getLogger("storyreel.render")
PROVIDER, KIND = "storyreel", "render"
CACHE_MAX_BYTES = 4 << 30  # rendered segments + mixes kept for incremental re-renders
OPERATIONS = ("film", "scene", "preview", "short", "export")
DEFAULTS = RenderSettings().model_dump()



def _settings(*, project_id: int, operation: str, options: dict) -> dict:
    """Return the render settings of ``options`` (checked by ``core.render.settings.RenderSettings``,
    every door's one model) with the operation's fixed choices applied. Raises InvalidInput naming
    the bad option."""
    s = render_settings(options=options).model_dump()
    s["aspect_ratio"] = s["aspect_ratio"] or get_project(project_id=project_id).aspect_ratio
    if operation == "preview":
        s.update(quality="preview", subtitles="none")
    if operation == "short":
        s.update(aspect_ratio="9:16", subtitles="burn", fit=options.get("fit") or "crop")
    if s["aspect_ratio"] not in ASPECT_RATIOS:  # a project row written before the model existed
        raise InvalidInput(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}", field="aspect_ratio")
    return s


def start_render(*, project_id: int, operation: str, options: dict | None = None,
                 scene_id: int | None = None) -> Job:
    """The one render door (Generate, Preview, the API and the CLI): validate the settings, store a
    queued render Job and hand it to the job engine; returns the Job at once.

    Raises InvalidInput for a bad option (naming it) or when nothing can be rendered yet,
    NotFound for an unknown project or scene."""
    if operation not in OPERATIONS:
        raise InvalidInput(f"operation must be one of {', '.join(OPERATIONS)}", field="operation")
    require_current(action="generate", project_id=project_id)
    settings = _settings(project_id=project_id, operation=operation, options=dict(options or {}))
    project_timeline(project_id=project_id, scene_id=scene_id)  # fail now, not in the worker
    job = Job(kind=KIND, provider=PROVIDER, model=operation, project_id=project_id, status=QUEUED,
              created_by=current_user(),
              request={"operation": operation, "settings": settings, "scene_id": scene_id, "message": "waiting for a worker"})
    with session() as s:
        s.add(job)
        what = f"scene {scene_id}" if scene_id is not None else "the film"
        record(s, project_id=project_id, action="render", subject=f"{operation} render of {what} started", ref=job.id)
    enqueue(job=job)
    return job


def render_film(*, project_id: int, aspect_ratio: str | None = None, subtitles: str = "srt",
                loudness_lufs: float = -14.0, captions: str = "box") -> Job:
    """Start the final film render (the project's fit choice, 720p; burned subtitles boxed or word
    by word, ``captions``); returns the running Job."""
    fit = (get_project(project_id=project_id).settings or {}).get("render", {}).get("fit", "letterbox")
    return start_render(project_id=project_id, operation="film", options={
        "aspect_ratio": aspect_ratio, "subtitles": subtitles, "loudness_lufs": loudness_lufs, "fit": fit,
        "captions": captions})


def render_scene(*, scene_id: int, options: dict) -> Job:
    """Start a render of one scene with ``options`` (aspect_ratio, fit, subtitles, loudness_lufs,
    quality, short_side); returns the running Job. Raises NotFound for an unknown scene."""
    with session() as s:
        scene = s.get(Scene, scene_id)
    if scene is None:
        raise NotFound(f"No scene with id {scene_id}.", field="scene_id")
    return start_render(project_id=scene.project_id, operation="scene", options=options, scene_id=scene_id)


def cancel_render(*, job_id: str) -> Job:
    """Cancel a render (``core.jobs.service.cancel_job``): it stops at its next progress step."""
    return cancel_job(job_id=job_id)


def wait_render(*, job_id: str, timeout_s: float | None = None) -> Job:
    """Block until the render ends and return its Job (CLI, tests); raises TimeoutError."""
    return wait_for(job_id=job_id, timeout_s=timeout_s)


def active_render(*, project_id: int, operation: str | None = None) -> Job | None:
    """Return the project's newest unfinished render job (of ``operation`` when given), or None."""
    with session() as s:
        q = select(Job).where(Job.project_id == project_id, Job.provider == PROVIDER,
                              Job.status.in_(ACTIVE_STATUSES))
        if operation:
            q = q.where(Job.model == operation)
        return s.exec(q.order_by(Job.created_at.desc())).first()


def list_renders(*, project_id: int, operation: str | None = None) -> list[MediaAsset]:
    """Return the project's render assets (of one operation when given), newest first."""

    return [a for a in list_assets(project_id=project_id, type="render")
            if operation is None or a.operation == operation]


# --- the worker ----------------------------------------------------------------------------------
class _Reporter:
    """Progress callback of the render engine writing to the job through the engine's context;
    sets ``event`` (which the render engine watches) once the job is cancelled or lost."""

    def __init__(self, ctx: WorkContext, event: threading.Event, base: float = 0.0, span: float = 1.0):
        self.ctx, self.event, self.base, self.span = ctx, event, base, span

    def __call__(self, fraction: float, message: str) -> None:
        if self.ctx.cancelled():
            self.event.set()
            return
        self.ctx.progress(self.base + self.span * fraction, message)


def _store_render(*, project_id: int, operation: str, result, settings: dict, label: str,
                  extra: dict | None = None) -> MediaAsset:

    previous = list_renders(project_id=project_id, operation=operation)
    asset = create_asset(type="render", project_id=project_id, src_path=Path(result.path), move=True,
                         mime="video/mp4", provider=PROVIDER, model="render", operation=operation,
                         input_params=settings, duration_s=result.duration_s, width=result.width,
                         height=result.height, label=label,
                         parent_id=previous[0].media_id if previous else None)
    info = {"lufs": result.lufs, "true_peak": result.true_peak, "segments_rendered": result.segments_rendered,
            "segments_reused": result.segments_reused, **(extra or {})}
    for key, path, mime in (("srt_media_id", result.srt_path, "application/x-subrip"),
                            ("vtt_media_id", result.vtt_path, "text/vtt")):
        if path:
            sub = create_asset(type="text", project_id=project_id, src_path=Path(path), move=True, mime=mime,
                               provider=PROVIDER, model="render", operation="subtitles", parent_id=asset.media_id,
                               label=f"{label}{Path(path).suffix}", activity=False)
            info[key] = sub.media_id
    return update_asset(media_id=asset.media_id, extra=info)


def run_render_job(*, job: Job, ctx: WorkContext) -> list[str]:
    """Run one render job (film, scene, preview, short, export) in a worker; returns the result
    media ids. Raises Cancelled, StoryreelError, OSError (the engine ends the job failed, naming the path)."""
    req = job.request or {}
    operation, settings = req["operation"], req["settings"]
    event = threading.Event()
    work = scratch_dir(name="renders") / job.id
    try:
        work.mkdir(parents=True, exist_ok=True)
        if operation == "export":
            return [_run_export(project_id=job.project_id, settings=settings, event=event, work=work).media_id]
        if operation == "short":
            return _run_shorts(ctx=ctx, project_id=job.project_id, settings=settings, event=event, work=work)
        return [_run_one(ctx=ctx, project_id=job.project_id, operation=operation, settings=settings,
                         scene_id=req.get("scene_id"), event=event, work=work).media_id]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _prune_segment_cache()


register_work(provider=PROVIDER, run=run_render_job)


def _prune_segment_cache() -> None:
    # Segments and mixes are re-creatable; keep the cache bounded (least recently used go first)
    # so a long-lived studio does not fill the disk. A failure here must not fail the render.

    try:
        prune_cache(max_bytes=CACHE_MAX_BYTES)
    except OSError:
        pass


def _render_kwargs(settings: dict) -> dict:
    keys = ("quality", "aspect_ratio", "fit", "subtitles", "loudness_lufs", "short_side", "captions")
    return {k: settings[k] for k in keys if k in settings}  # renders queued before "captions" existed lack it


def _run_one(*, ctx, project_id, operation, settings, scene_id, event, work) -> MediaAsset:

    pt = project_timeline(project_id=project_id, scene_id=scene_id, aspect_ratio=settings["aspect_ratio"])
    result = render_timeline(timeline=pt.timeline, out_path=str(work / f"{operation}.mp4"),
                             on_progress=_Reporter(ctx, event), cancel_event=event, **_render_kwargs(settings))
    if operation == "preview":  # an identical animatic is the stored one (no new version)
        digest = sha256_file(Path(result.path))
        same = [a for a in list_renders(project_id=project_id, operation="preview") if a.content_hash == digest]
        if same:
            return same[0]
    name = get_project(project_id=project_id).name
    return _store_render(project_id=project_id, operation=operation, result=result, settings=settings,
                         label=f"{name} — {operation} {settings['aspect_ratio']}",
                         extra={"scene_id": scene_id, "shots": len(pt.timeline.video)})


def export_project(*, project_id: int, fmt: str) -> Job:
    """Start exporting the project's timeline for an editing program (``fmt``: otio, fcpxml or edl)
    as a zip of the timeline file and its media; returns the running Job (its result is the zip)."""
    fit = (get_project(project_id=project_id).settings or {}).get("render", {}).get("fit", "letterbox")
    return start_render(project_id=project_id, operation="export", options={"format": fmt, "fit": fit})


def _run_export(*, project_id, settings, event, work) -> MediaAsset:

    project = get_project(project_id=project_id)
    pt = project_timeline(project_id=project_id, aspect_ratio=settings["aspect_ratio"])
    out = work / f"timeline-{settings['format']}.zip"
    result = export_timeline(timeline=pt.timeline, fmt=settings["format"], out_path=str(out), name=project.name,
                             fit=settings["fit"], cancel_event=event)
    return create_asset(type="render", project_id=project_id, src_path=out, move=True, mime="application/zip",
                        provider=PROVIDER, model="render", operation="export", input_params=settings,
                        label=f"{project.name} — timeline ({settings['format']})",
                        extra={"timeline_file": result.timeline_file, "clips": result.clips,
                               "media": list(result.media), "track_files": list(result.track_files)})


def _run_shorts(*, ctx, project_id, settings, event, work) -> list[str]:

    pt = project_timeline(project_id=project_id)
    looks = {str(sh.id): ShotLook(keyframe=shot_source(sh)[1], characters=list(sh.characters or []))
             for sh in pt.shots}
    mix = mix_timeline(timeline=pt.timeline, loudness_lufs=settings["loudness_lufs"])
    moments = find_moments(timeline=pt.timeline, audio_mix=mix.samples, rate=mix.rate, count=int(settings["count"]))
    if not moments:
        raise InvalidInput("No moment long enough for a short was found.", field="timeline")
    ids = []
    for n, m in enumerate(moments):
        if event.is_set():
            raise Cancelled("Render cancelled")
        report = _Reporter(ctx, event, base=n / len(moments), span=1 / len(moments))
        result, framing = render_short(timeline=pt.timeline, moment=m, out_path=str(work / f"short{n}.mp4"),
                                       quality=settings["quality"], short_side=settings["short_side"],
                                       loudness_lufs=settings["loudness_lufs"], fit=settings["fit"],
                                       captions=settings.get("captions", "box"), on_progress=report,
                                       cancel_event=event, looks=looks)
        asset = _store_render(project_id=project_id, operation="short", result=result, settings=settings,
                              label=f"Short {n + 1}: {m.start_s:.0f}–{m.end_s:.0f} s",
                              extra={"reason": m.reason, "score": m.score, "start_s": m.start_s, "end_s": m.end_s,
                                     "framing": framing})
        ids.append(asset.media_id)
    return ids


# --- preview (synchronous: the Preview page waits for it) ----------------------------------------
@dataclass(frozen=True)
class Preview:
    """A rendered animatic: its asset, where each shot starts, and how much was re-rendered."""

    asset: MediaAsset
    starts: dict[str, float]
    segments_rendered: int
    segments_reused: int


def render_preview(*, project_id: int, timeout_s: float | None = 600) -> Preview:
    """Render the low-resolution animatic through the render door and wait for it (CLI, tests;
    the Preview page queues it and follows the job): only shots whose segment changed are encoded
    again, and an identical render reuses the stored asset. Raises RenderError with the job's
    error, TimeoutError (the render goes on in the background)."""
    job = wait_for(job_id=start_render(project_id=project_id, operation="preview").id, timeout_s=timeout_s)
    if job.status != "succeeded" or not job.result_media_id:
        raise RenderError(f"preview {job.status}: {job.error or 'no result'}", field="render")
    asset = get_asset(media_id=job.result_media_id)
    pt = project_timeline(project_id=project_id)
    extra = asset.extra or {}
    return Preview(asset=asset, starts={v.shot_id: v.start_s for v in pt.timeline.video},
                   segments_rendered=int(extra.get("segments_rendered") or 0),
                   segments_reused=int(extra.get("segments_reused") or 0))
