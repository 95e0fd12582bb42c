"""The whole pipeline in one call: script → breakdown → cast → keyframes → voice → clips → music
→ SFX → mix → render, with the project's providers (the local provider by default).

Used by ``python -m core film``; every step is the same core function the pages call.
Voice comes before clips so each clip is generated at the length its shot needs once its lines
are placed (a clip shorter than its shot would freeze on its last frame).
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core.breakdowns import list_scene_cards, list_shots, run_breakdown, update_shot
from core.cast import generate_style_cards
from core.errors import Cancelled, InvalidCombination, InvalidInput, RenderError
from core.jobs.service import wait_all, wait_succeeded
from core.media_assets import asset_path, get_asset
from core.render.captions import CAPTION_STYLES
from core.render.service import start_render
from core.projects import create_project, get_project, update_project
from core.registry import get_registry
from core.scripts import save_version
from core.story.breakdown import default_length_s
from core.timeline.speech import shot_turns
from core.timeline.store import list_items, project_timeline
from core.generation.effects import attach_sfx
from core.generation.soundtrack import choose_music
from core.generation.shots import generate_clip, generate_keyframe
from core.generation.voiceover import assign_cast_voices, generate_voiceover
from core.story.importer import read_script_file

Progress = Callable[[str], None]
DEFAULT_SHORT_SIDE = 720


def _shot_jobs(*, shots: list, submit: Callable, what: str, on_progress: Progress | None) -> int:
    """Submit one job per shot through ``core.generation.facade`` (character-aware) and wait for all
    (the worker puts each result on its shot); returns how many. Raises ProviderError naming the
    first failure."""
    jobs = [submit(shot) for shot in shots]
    wait_succeeded(jobs=jobs, what=what, on_progress=on_progress)
    return len(jobs)


def make_keyframes(*, project_id: int, on_progress: Progress | None = None) -> int:
    """Generate a keyframe for every shot that has none; returns how many were made."""
    todo = [sh for sh in list_shots(project_id=project_id) if not sh.keyframe_media_id]
    return _shot_jobs(shots=todo, submit=lambda sh: generate_keyframe(shot_id=sh.id, seed=sh.id),
                      what="keyframe", on_progress=on_progress)


def fit_shots_to_voice(*, project_id: int) -> None:
    """Lengthen every shot to hold its voiced lines (the timeline's own placement decides)."""
    tl = project_timeline(project_id=project_id, subtitles=False).timeline
    for v in tl.video:
        update_shot(shot_id=int(v.shot_id), duration_s=min(max(round(v.duration_s, 2), 0.5), 60.0))


def _clip_params(*, project_id: int, shots: list, short_side: int, annotate: bool) -> dict[int, dict]:
    """Per shot, the clip params beyond the model's defaults: the resolution; the shot's voice and
    who speaks when, for a model that moves mouths (roles "speech"/"speaking"); the slate and action
    line as a lower third when ``annotate`` and the model can keep a caption."""
    project = get_project(project_id=project_id)
    cap = get_registry().get(provider=project.video_provider, model=project.video_model)
    speech_field, speaking_field = cap.field_for_role("speech"), cap.field_for_role("speaking")
    out: dict[int, dict] = {sh.id: {"resolution": f"{short_side}p"} for sh in shots}
    if annotate and cap.field("keep_caption") is not None:
        order = {c.scene.id: n for n, c in enumerate(list_scene_cards(project_id=project_id), 1)}
        for sh in shots:
            out[sh.id]["keep_caption"] = True
            if cap.field("slate") is not None:
                out[sh.id]["slate"] = f"SC {order.get(sh.scene_id, 0)} · SHOT {sh.order + 1} · {sh.shot_type.upper()}"
    if not (speech_field and speaking_field) or not any(sh.dialogue for sh in shots):
        return out
    timeline = project_timeline(project_id=project_id, subtitles=False).timeline
    placed = {v.shot_id for v in timeline.video}
    for sh in shots:
        if sh.dialogue and str(sh.id) in placed:
            # The voice lines' own files (already assets of the project), one per turn.
            paths, turns = shot_turns(timeline=timeline, shot_id=str(sh.id))
            if turns:
                out[sh.id] |= {speech_field: paths, speaking_field: turns}
    return out


def make_clips(*, project_id: int, short_side: int = DEFAULT_SHORT_SIDE, on_progress: Progress | None = None,
               annotate: bool = False) -> int:
    """Animate every shot's keyframe into a clip of the shot's length; returns how many were made.
    Speakers' mouths move with their lines where the model can do it; ``annotate`` keeps the
    shot's slate and action line as a lower third (an annotated animatic)."""
    todo = [sh for sh in list_shots(project_id=project_id) if sh.keyframe_media_id and not sh.clip_media_id]
    params = _clip_params(project_id=project_id, shots=todo, short_side=short_side, annotate=annotate)
    return _shot_jobs(shots=todo, what="clip", on_progress=on_progress, submit=lambda sh: generate_clip(
        shot_id=sh.id, seed=sh.id, params=params[sh.id]))


def make_film(*, script_path: str, out_path: str, aspect_ratio: str = "16:9", language: str = "en",
              genre: str = "drama", subtitles: str = "srt", provider: str = "local", loudness_lufs: float = -14.0,
              fit: str = "letterbox", short_side: int = DEFAULT_SHORT_SIDE, target_length_s: int | None = None,
              on_progress: Progress | None = None, annotate: bool = False, captions: str = "box") -> dict:
    """Make a finished film from a script file and write it to ``out_path`` (with ``srt``/``burn``
    also ``.srt`` and ``.vtt`` beside it). ``provider`` is used for images, clips and voices;
    ``annotate`` keeps each shot's slate and action line as a lower third; ``captions`` is how
    burned subtitles look ("box", or "words": word by word, the spoken word lit).

    Returns the summary dict (out, duration_s, width, height, shots, voice_lines, lufs, srt, vtt,
    project_id…). Raises InvalidInput for an unreadable script or bad option, ProviderError when a
    generation fails, RenderError/Cancelled from the render; no file is left at ``out_path`` then.
    """

    say = on_progress or (lambda m: None)
    if captions not in CAPTION_STYLES:  # checked before any work is done
        raise InvalidInput(f"captions must be one of {', '.join(CAPTION_STYLES)}", field="captions")
    t0 = time.monotonic()
    path = Path(script_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read script file {path}: {exc.strerror or exc}", field="script") from exc
    text = read_script_file(name=path.name, data=data)
    say("script: read")
    target = target_length_s or default_length_s(text=text)  # a story runs as long as it reads aloud
    project = create_project(name=path.stem[:120] or "Film", aspect_ratio=aspect_ratio, language=language,
                             genre=genre, target_length_s=min(max(int(target), 15), 600))
    models = _provider_models(provider)
    project = update_project(project_id=project.id, **models)
    save_version(project_id=project.id, text=text, source="imported", title=path.name)
    cards = run_breakdown(project_id=project.id)
    say(f"breakdown: {len(cards)} scenes, {sum(len(c.shots) for c in cards)} shots")

    looks = generate_style_cards(project_id=project.id)  # one look per character, reused by every shot
    say(f"style cards: {len(looks)} character(s)")
    voices = assign_cast_voices(project_id=project.id)
    say(f"cast: {', '.join(f'{n} → {v}' for n, v in voices.items()) or 'no speaking characters'}")
    make_keyframes(project_id=project.id, on_progress=say)
    try:
        lines = generate_voiceover(project_id=project.id, on_progress=say)
    except InvalidInput:
        lines = 0  # a film without dialogue is still a film
    fit_shots_to_voice(project_id=project.id)
    make_clips(project_id=project.id, short_side=short_side, on_progress=say, annotate=annotate)
    choose_music(project_id=project.id)
    say("music: bed ready")
    n_sfx = attach_sfx(project_id=project.id, on_progress=say)
    say(f"sfx: {n_sfx} effects attached")
    pt = project_timeline(project_id=project.id)
    say(f"mix and render: {pt.timeline.duration_s:.1f} s, {len(pt.timeline.cues)} subtitle cues")
    result = _render_through_the_door(project_id=project.id, out_path=out_path, say=say, options={
        "aspect_ratio": aspect_ratio, "fit": fit, "subtitles": subtitles, "loudness_lufs": loudness_lufs,
        "short_side": short_side, "captions": captions})
    shots = list_shots(project_id=project.id)
    return {
        "out": str(Path(result.path).resolve()), "duration_s": round(result.duration_s, 3),
        "width": result.width, "height": result.height, "aspect_ratio": aspect_ratio,
        "scenes": len(cards), "shots": len(shots), "characters": len(voices), "voices": voices,
        "voice_lines": lines, "subtitle_cues": len(pt.timeline.cues),
        "music": bool(list_items(project_id=project.id, track="music")),
        "sfx": [r.extra.get("effect") for r in list_items(project_id=project.id, track="sfx")],
        "subtitles": subtitles, "captions": captions, "srt": result.srt_path, "vtt": result.vtt_path,
        "lufs": round(result.lufs, 2), "true_peak_dbtp": round(result.true_peak, 2),
        "project_id": project.id, "provider": provider, "elapsed_s": round(time.monotonic() - t0, 1),
    }


def _provider_models(provider: str) -> dict:
    """Return the project's provider/model fields for ``provider``: its image, video and voice
    models from the registry (the first of each media type). Raises InvalidInput when it has none."""

    found: dict[str, Any] = {}
    for cap in sorted(get_registry().list(provider=provider), key=lambda c: c.model):
        for media, op in (("image", "generate"), ("video", "generate"), ("voice", "tts")):
            if cap.media_type == media and cap.operation == op and media not in found:
                found[media] = cap
    missing = [m for m in ("image", "video", "voice") if m not in found]
    if missing:
        raise InvalidInput(f"Provider {provider!r} has no {', '.join(missing)} model for a whole film.",
                           field="provider")
    return {"image_provider": provider, "image_model": found["image"].model, "video_provider": provider,
            "video_model": found["video"].model, "voice_provider": provider, "voice_model": found["voice"].model}


@dataclass(frozen=True)
class _Rendered:
    path: str
    duration_s: float
    width: int
    height: int
    srt_path: str | None
    vtt_path: str | None
    lufs: float
    true_peak: float


def _render_through_the_door(*, project_id: int, out_path: str, options: dict, say: Progress) -> _Rendered:
    """Render the film as a render job (the one render door, kept as a version of the project) and
    copy it (and its SRT/VTT) to ``out_path``; returns what was written. Raises RenderError naming
    the job's error, Cancelled when it was cancelled."""
    job = start_render(project_id=project_id, operation="film", options=options)
    last = -1.0
    while True:
        job = wait_all(job_ids=[job.id], timeout_s=1.0)[0]
        if job.progress - last >= 0.2 or job.status not in ("queued", "running"):
            last = job.progress
            say(f"render: {job.progress:.0%} {(job.request or {}).get('message', '')}")
        if job.status not in ("queued", "running"):
            break
    if job.status == "cancelled":
        raise Cancelled("Render cancelled")
    if job.status != "succeeded" or not job.result_media_id:
        raise RenderError(f"render {job.status}: {job.error or 'no result'}", field="render")
    asset = get_asset(media_id=job.result_media_id)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(asset_path(media_id=asset.media_id), out)
    extra = asset.extra or {}
    subs: dict[str, str | None] = {"srt": None, "vtt": None}
    for ext in subs:
        if extra.get(f"{ext}_media_id"):
            subs[ext] = str(shutil.copyfile(asset_path(media_id=extra[f"{ext}_media_id"]), out.with_suffix(f".{ext}")))
    return _Rendered(path=str(out), duration_s=float(asset.duration_s or 0.0), width=int(asset.width or 0),
                     height=int(asset.height or 0), srt_path=subs["srt"], vtt_path=subs["vtt"],
                     lufs=float(extra.get("lufs") or 0.0), true_peak=float(extra.get("true_peak") or 0.0))


__all__ = ["make_film", "make_keyframes", "make_clips", "fit_shots_to_voice", "InvalidCombination"]
