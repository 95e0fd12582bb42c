"""Renders as jobs: the film, one scene, the preview animatic and auto shorts.

A render is a ``Job`` row (provider ``storyreel``, kind ``render``, model = the operation) run by
a background thread that writes its progress to ``Job.progress`` (and a message in
``Job.request["message"]``), so ``GET /jobs/{id}`` and any page can follow it after the page that
started it is gone. The output is a MediaAsset of type ``render`` (operation film/scene/preview/
short) whose ``input_params`` are the render settings; SRT/VTT are ``text`` assets whose
``parent_id`` is the render. Each new render of an operation points at the previous one
(``parent_id``), so renders are kept as versions.
"""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from core.db import session
from core.errors import Cancelled, InvalidInput, NotFound, StoryreelError
from core.jobs.runner import load_job, update_job
from core.models import ASPECT_RATIOS, FIT_MODES, Job, LOUDNESS_TARGETS, MediaAsset, Scene, SUBTITLE_MODES
from core.projects import get_project
from core.render.captions import CAPTION_STYLES
from core.render.handoff import FORMATS as EXPORT_FORMATS
from core.render.handoff import export_timeline
from core.storage import scratch_dir
from core.timeline.store import project_timeline, shot_source

PROVIDER, KIND = "storyreel", "render"
CACHE_MAX_BYTES = 4 << 30  # rendered segments + mixes kept for incremental re-renders
OPERATIONS = ("film", "scene", "preview", "short", "export")
TERMINAL = ("succeeded", "failed", "cancelled")
DEFAULTS = {"aspect_ratio": None, "fit": "letterbox", "subtitles": "srt", "loudness_lufs": -14.0,
            "quality": "final", "short_side": None, "count": 3, "format": "otio", "captions": "box"}

_cancel_events: dict[str, threading.Event] = {}
_threads: dict[str, threading.Thread] = {}


def _settings(*, project_id: int, operation: str, options: dict) -> dict:
    unknown = set(options) - set(DEFAULTS) - {"scene_id"}
    if unknown:
        raise InvalidInput(f"Unknown render option {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    s = DEFAULTS | {k: v for k, v in options.items() if v is not None}
    s["aspect_ratio"] = s["aspect_ratio"] or get_project(project_id=project_id).aspect_ratio
    s["loudness_lufs"] = float(s["loudness_lufs"])
    if operation == "preview":
        s.update(quality="preview", subtitles="none")
    if operation == "short":
        s.update(aspect_ratio="9:16", subtitles="burn", fit=options.get("fit") or "crop")
    if s["aspect_ratio"] not in ASPECT_RATIOS:
        raise InvalidInput(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}", field="aspect_ratio")
    if s["subtitles"] not in SUBTITLE_MODES:
        raise InvalidInput(f"subtitles must be one of {', '.join(SUBTITLE_MODES)}", field="subtitles")
    if s["loudness_lufs"] not in LOUDNESS_TARGETS:
        raise InvalidInput(f"loudness_lufs must be one of {LOUDNESS_TARGETS}", field="loudness_lufs")
    if s["captions"] not in CAPTION_STYLES:
        raise InvalidInput(f"captions must be one of {', '.join(CAPTION_STYLES)}", field="captions")
    if s["format"] not in EXPORT_FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(EXPORT_FORMATS)}", field="format")
    if s["fit"] not in FIT_MODES:
        raise InvalidInput(f"fit must be one of {', '.join(FIT_MODES)}", field="fit")
    if not isinstance(s["count"], int) or not 1 <= s["count"] <= 5:
        raise InvalidInput("count must be a whole number of shorts from 1 to 5", field="count")
    return s


def start_render(*, project_id: int, operation: str, options: dict | None = None,
                 scene_id: int | None = None) -> Job:
    """Validate the settings, store a running render Job and start it in the background; returns
    the Job. Raises InvalidInput for a bad option (naming it) or when nothing can be rendered yet,
    NotFound for an unknown project or scene."""
    from core.jobs.service import get_runner

    if operation not in OPERATIONS:
        raise InvalidInput(f"operation must be one of {', '.join(OPERATIONS)}", field="operation")
    settings = _settings(project_id=project_id, operation=operation, options=dict(options or {}))
    project_timeline(project_id=project_id, scene_id=scene_id)  # fail now, not in the thread
    # The job runner re-queues unfinished jobs when it starts: start it first, so it never
    # mistakes this render (which it has no adapter for) for an interrupted provider job.
    get_runner()
    job = Job(kind=KIND, provider=PROVIDER, model=operation, project_id=project_id, status="running",
              request={"operation": operation, "settings": settings, "scene_id": scene_id, "message": "starting"})
    with session() as s:
        s.add(job)
    _start_thread(job=job)
    return job


def _start_thread(*, job: Job) -> None:
    req = job.request or {}
    event = _cancel_events[job.id] = threading.Event()
    t = threading.Thread(target=_run, name=f"render-{job.id[:8]}", daemon=True,
                         kwargs=dict(job_id=job.id, project_id=job.project_id, operation=req["operation"],
                                     settings=req["settings"], scene_id=req.get("scene_id"), event=event))
    _threads[job.id] = t
    t.start()


def resume_render(*, job: Job) -> None:
    """Run again a render that a restart interrupted (same job id and settings). Segments already
    rendered are reused from the segment cache, so only the unfinished part costs time."""
    if job.id in _threads and _threads[job.id].is_alive():
        return
    update_job(job.id, unless=TERMINAL, progress=0.0,
               request=dict(job.request or {}) | {"message": "resumed after a restart"})
    _start_thread(job=job)


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
    """Ask a running render to stop; returns the job (cancelled once the worker notices)."""
    job = load_job(job_id)
    if job is None:
        raise NotFound(f"No job with id {job_id!r}.", field="job_id")
    if job.status not in TERMINAL:
        update_job(job_id, unless=TERMINAL, status="cancelled", error="cancelled by user")
    if job_id in _cancel_events:
        _cancel_events[job_id].set()
    return load_job(job_id)


def wait_render(*, job_id: str, timeout_s: float | None = None) -> Job:
    """Block until the render ends and return its Job; raises TimeoutError (it keeps running)."""
    t = _threads.get(job_id)
    if t is not None:
        t.join(timeout_s)
        if t.is_alive():
            raise TimeoutError(f"render {job_id} still running")
    return load_job(job_id)


def active_render(*, project_id: int, operation: str | None = None) -> Job | None:
    """Return the project's render job that is still running in this process, or None."""
    with session() as s:
        q = select(Job).where(Job.project_id == project_id, Job.provider == PROVIDER,
                              Job.status == "running")
        if operation:
            q = q.where(Job.model == operation)
        jobs = list(s.exec(q.order_by(Job.created_at.desc())).all())
    return next((j for j in jobs if j.id in _threads and _threads[j.id].is_alive()), None)


def list_renders(*, project_id: int, operation: str | None = None) -> list[MediaAsset]:
    """Return the project's render assets (of one operation when given), newest first."""
    from core.media_assets import list_assets

    return [a for a in list_assets(project_id=project_id, type="render")
            if operation is None or a.operation == operation]


# --- the worker ----------------------------------------------------------------------------------
class _Reporter:
    """Progress callback writing to the Job at most a few times a second; notices cancellation."""

    def __init__(self, job_id: str, event: threading.Event, base: float = 0.0, span: float = 1.0):
        self.job_id, self.event, self.base, self.span = job_id, event, base, span
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < 0.25 and fraction < 1.0:
            return
        self.last = now
        job = load_job(self.job_id)
        if job is not None and job.status == "cancelled":
            self.event.set()
            return
        request = dict(job.request or {}) | {"message": message}
        update_job(self.job_id, unless=TERMINAL, progress=round(self.base + self.span * fraction, 4),
                   request=request)


def _store_render(*, project_id: int, operation: str, result, settings: dict, label: str,
                  extra: dict | None = None) -> MediaAsset:
    from core.media_assets import create_asset, update_asset

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
                               label=f"{label}{Path(path).suffix}")
            info[key] = sub.media_id
    return update_asset(media_id=asset.media_id, extra=info)


def _run(*, job_id: str, project_id: int, operation: str, settings: dict, scene_id: int | None,
         event: threading.Event) -> None:
    work = scratch_dir(name="renders") / job_id
    work.mkdir(parents=True, exist_ok=True)
    try:
        if operation == "export":
            ids = [_run_export(project_id=project_id, settings=settings, event=event, work=work).media_id]
        elif operation == "short":
            ids = _run_shorts(job_id=job_id, project_id=project_id, settings=settings, event=event, work=work)
        else:
            ids = [_run_one(job_id=job_id, project_id=project_id, operation=operation, settings=settings,
                            scene_id=scene_id, event=event, work=work).media_id]
        job = load_job(job_id)
        update_job(job_id, unless=TERMINAL, status="succeeded", progress=1.0, result_media_id=ids[0],
                   request=dict(job.request or {}) | {"message": "done", "result_media_ids": ids})
    except Cancelled:
        update_job(job_id, unless=TERMINAL, status="cancelled", error="cancelled by user")
    except StoryreelError as exc:
        update_job(job_id, unless=TERMINAL, status="failed", error=exc.message)
    except Exception as exc:  # a bug must still end the job, or a page would wait forever
        update_job(job_id, unless=TERMINAL, status="failed", error=f"render failed: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _cancel_events.pop(job_id, None)
        _prune_segment_cache()


def _prune_segment_cache() -> None:
    # Segments and mixes are re-creatable; keep the cache bounded (least recently used go first)
    # so a long-lived studio does not fill the disk. A failure here must not fail the render.
    from core.render.engine import prune_cache

    try:
        prune_cache(max_bytes=CACHE_MAX_BYTES)
    except OSError:
        pass


def _render_kwargs(settings: dict) -> dict:
    keys = ("quality", "aspect_ratio", "fit", "subtitles", "loudness_lufs", "short_side", "captions")
    return {k: settings[k] for k in keys if k in settings}  # renders queued before "captions" existed lack it


def _run_one(*, job_id, project_id, operation, settings, scene_id, event, work) -> MediaAsset:
    from core.render.engine import render_timeline

    pt = project_timeline(project_id=project_id, scene_id=scene_id, aspect_ratio=settings["aspect_ratio"])
    result = render_timeline(timeline=pt.timeline, out_path=str(work / f"{operation}.mp4"),
                             on_progress=_Reporter(job_id, event), cancel_event=event, **_render_kwargs(settings))
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
    from core.media_assets import create_asset

    project = get_project(project_id=project_id)
    pt = project_timeline(project_id=project_id, aspect_ratio=settings["aspect_ratio"])
    out = work / f"timeline-{settings['format']}.zip"
    result = export_timeline(timeline=pt.timeline, fmt=settings["format"], out_path=str(out), name=project.name,
                             fit=settings["fit"], cancel_event=event)
    return create_asset(type="render", project_id=project_id, src_path=out, move=True, mime="application/zip",
                        provider=PROVIDER, model="render", operation="export", input_params=settings,
                        label=f"{project.name} — timeline ({settings['format']})",
                        extra={"timeline_file": result.timeline_file, "clips": result.clips,
                               "media": list(result.media)})


def _run_shorts(*, job_id, project_id, settings, event, work) -> list[str]:
    from core.render.mix import mix_timeline
    from core.render.reframe import ShotLook
    from core.render.shorts import find_moments, render_short

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
        report = _Reporter(job_id, event, base=n / len(moments), span=1 / len(moments))
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


def render_preview(*, project_id: int, on_progress=None, cancel_event: threading.Event | None = None) -> Preview:
    """Render the low-resolution animatic now, re-encoding only shots whose segment changed, and
    return it (an identical render reuses the stored asset). Raises what ``render_timeline`` raises."""
    from core.render.engine import render_timeline
    from core.media.files import sha256_file

    pt = project_timeline(project_id=project_id)
    work = scratch_dir(name="renders") / f"preview-{project_id}"
    work.mkdir(parents=True, exist_ok=True)
    settings = _settings(project_id=project_id, operation="preview", options={})
    try:
        result = render_timeline(timeline=pt.timeline, out_path=str(work / "preview.mp4"), on_progress=on_progress,
                                 cancel_event=cancel_event, **_render_kwargs(settings))
        digest = sha256_file(Path(result.path))
        same = [a for a in list_renders(project_id=project_id, operation="preview") if a.content_hash == digest]
        asset = same[0] if same else _store_render(project_id=project_id, operation="preview", result=result,
                                                   settings=settings, label="Preview animatic")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    starts = {v.shot_id: v.start_s for v in pt.timeline.video}
    return Preview(asset=asset, starts=starts, segments_rendered=result.segments_rendered,
                   segments_reused=result.segments_reused)
