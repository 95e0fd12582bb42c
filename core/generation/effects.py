"""The film's sound effects: scene ambiences (rain, crowd, sea…) looped under whole scenes, spot
effects (a door, an impact, footsteps) at their word in their shot, and effects the user adds.

Every effect is a generation job through the registry (the local SFX engine by default) whose result
handler, run by the worker that stored it, places it on the timeline's sfx track — whichever door
asked: pages and the API queue and return; the CLI and the film command wait.
"""
from __future__ import annotations

import uuid
from typing import Callable

from core.breakdowns import get_shot, list_scene_cards
from core.errors import NotFound
from core.generation.soundtrack import SOUND_TIMEOUT_S, SoundWork, job_problem
from core.jobs.kinds import register_result
from core.jobs.service import list_jobs, submit_job, wait_succeeded
from core.media_assets import get_asset
from core.models import ACTIVE_STATUSES, Job, MediaAsset, Shot
from core.projects import get_project, update_settings
from core.registry import get_registry
from core.timeline.store import AMBIENT, MAX_SFX_PER_SHOT, add_item, find_sfx, list_items, removed_sfx

AMBIENCE_GAIN_DB = -15.0
AMBIENCE_LOOP_S = 30.0  # one file per scene ambience, looped under longer scenes
SPOT_GAIN_DB = -6.0
SOUND_EFFECT = "sound_effect"  # the purpose of one effect for one shot (added by the user, or a spot effect)
AMBIENCE = "ambience"  # the purpose of one scene's ambience, spread over the scene's shots
AUTO_DONE = "sfx_auto_done"  # project setting: the automatic effects were queued (once; then the user rules)


def _sfx_shape(effect: str, shot: Shot) -> tuple[float, float, float]:
    """Return (duration, offset, gain dB): ambiences fill the shot quietly, spot effects are short."""
    if effect in AMBIENT:
        return round(min(max(shot.duration_s, 1.0), 30.0), 2), 0.0, -12.0
    return (2.4 if effect in ("footsteps", "thunder", "phone", "sea") else 1.2), 0.3, SPOT_GAIN_DB


def _sfx_model(project_id: int) -> tuple[str, str]:
    settings = get_project(project_id=project_id).settings or {}
    return settings.get("sfx_provider", "local"), settings.get("sfx_model", "sfx")


def sfx_choices(*, project_id: int) -> list[str]:
    """Return the effects the project's SFX model can make (its ``effect`` field's allowed values)."""
    provider, model = _sfx_model(project_id)
    spec = get_registry().get(provider=provider, model=model).field("effect")
    return list(spec.enum or []) if spec else []


def _submit(*, project_id: int, shot_id: int, effect: str, duration: float, seed: int, context: dict) -> Job:
    provider, model = _sfx_model(project_id)
    return submit_job(provider=provider, model=model, project_id=project_id, shot_id=shot_id,
                      params={"effect": effect, "duration": duration, "seed": int(seed)}, context=context)


def enqueue_sfx(*, project_id: int, shot_id: int, effect: str, seed: int = 0, auto: bool = False,
                offset_s: float | None = None) -> Job:
    """Queue one effect for a shot (at ``offset_s`` into it, default 0.3 s) and return its job at
    once; the worker attaches it (:func:`apply_sound_effect`), a cached one is attached at once.
    An ``auto`` effect is attached only while the shot has no such effect and the user has not
    removed it. Raises NotFound (no such shot), InvalidCombination (an effect the SFX model does
    not know), and as ``submit_job``."""
    shot = get_shot(shot_id=shot_id)
    duration, offset, gain = _sfx_shape(effect, shot)
    context = {"purpose": SOUND_EFFECT, "effect": effect, "offset_s": offset if offset_s is None else offset_s,
               "gain_db": gain, "duration": duration, "auto": auto}
    if not auto:  # each click is its own effect: the handler knows it placed this one by its token
        context["request"] = uuid.uuid4().hex
    return _submit(project_id=project_id, shot_id=shot_id, effect=effect, duration=duration, seed=seed,
                   context=context)


def _taken(project_id: int) -> tuple[set[tuple[int | None, str]], set[str]]:
    """(shot id, effect) of every effect on the timeline, and the "shot_id:effect" keys the user removed."""
    have = {(r.shot_id, (r.extra or {}).get("effect")) for r in list_items(project_id=project_id, track="sfx")}
    return have, removed_sfx(project_id=project_id)


def apply_sound_effect(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of effect jobs (run by the worker that stored the sound, whichever door
    asked): attach the effect to its shot. Idempotent: an effect this request attached already (an
    automatic one: any such effect on the shot) is not attached again; an automatic effect the user
    removed meanwhile, or a shot deleted meanwhile, is left alone."""
    ctx = (job.request or {}).get("context") or {}
    effect = ctx.get("effect")
    if job.project_id is None or job.shot_id is None or not media_ids or not effect:
        return
    try:
        get_shot(shot_id=job.shot_id)
    except NotFound:
        return
    rows = list_items(project_id=job.project_id, track="sfx")
    if ctx.get("auto"):
        have, removed = _taken(job.project_id)
        if (job.shot_id, effect) in have or f"{job.shot_id}:{effect}" in removed:
            return
    elif any((r.extra or {}).get("request") == ctx.get("request") for r in rows):
        return
    asset = get_asset(media_id=media_ids[0])
    extra = {"effect": effect, "offset_s": float(ctx.get("offset_s", 0.3)), "auto": bool(ctx.get("auto"))}
    if ctx.get("request"):
        extra["request"] = ctx["request"]
    add_item(project_id=job.project_id, track="sfx", media_id=asset.media_id, shot_id=job.shot_id,
             gain_db=float(ctx.get("gain_db", SPOT_GAIN_DB)),
             duration_s=float(asset.duration_s or ctx.get("duration") or 0.0), extra=extra)


def _scene_ambience(card) -> list[str]:
    """The ambiences a scene calls for, from its heading, summary and every shot's action: rain
    on the window in the first shot still falls in the last one."""
    text = " ".join([card.scene.heading or "", card.scene.summary or ""] + [sh.action or "" for sh in card.shots])
    return [name for name, _ in find_sfx(text=text) if name in AMBIENT][:3]


def apply_ambience(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of ambience jobs: the one sound runs under every shot of its scene as a
    continuous loop (each shot's row starts where the previous one left off, fading in on the
    first shot and out on the last). Idempotent and respectful: shots that have this effect
    already, or from which the user removed it, are left alone; a scene deleted meanwhile too."""
    ctx = (job.request or {}).get("context") or {}
    effect = ctx.get("effect")
    if job.project_id is None or not media_ids or not effect:
        return
    card = next((c for c in list_scene_cards(project_id=job.project_id) if c.scene.id == ctx.get("scene_id")), None)
    if card is None:
        return
    shots = [sh for sh in card.shots if sh.duration_s]
    have, removed = _taken(job.project_id)
    asset = get_asset(media_id=media_ids[0])
    loop = float(asset.duration_s or ctx.get("length") or 1.0)
    at = 0.0
    for i, sh in enumerate(shots):
        if (sh.id, effect) not in have and f"{sh.id}:{effect}" not in removed:
            add_item(project_id=job.project_id, track="sfx", media_id=asset.media_id, shot_id=sh.id,
                     gain_db=AMBIENCE_GAIN_DB, duration_s=float(sh.duration_s),
                     extra={"effect": effect, "offset_s": 0.0, "auto": True, "ambience": True, "loop": True,
                            "trim_in_s": round(at % loop, 3), "fade_in_s": 0.8 if i == 0 else 0.0,
                            "fade_out_s": 0.8 if i == len(shots) - 1 else 0.0})
        at += float(sh.duration_s)


register_result(purpose=SOUND_EFFECT, apply=apply_sound_effect)
register_result(purpose=AMBIENCE, apply=apply_ambience)


def enqueue_auto_sfx(*, project_id: int) -> list[Job]:
    """Queue the sound the action calls for and return the jobs at once: each scene's ambiences
    (rain, crowd, sea, wind…) as one sound looped under the whole scene; spot effects (a door, an
    impact, footsteps) in their shot at the point of the action where their word is, each with its
    own seed so no two sound alike. Effects already there or removed by the user are skipped (and
    again when the results land). Marks the project ``sfx_auto_done`` once queued, so a second
    visit queues nothing. Raises as ``submit_job``."""
    have, removed = _taken(project_id)
    jobs = []
    for card in list_scene_cards(project_id=project_id):
        shots = [sh for sh in card.shots if sh.duration_s]
        if not shots:
            continue
        for effect in _scene_ambience(card):
            if all((sh.id, effect) in have or f"{sh.id}:{effect}" in removed for sh in shots):
                continue
            length = round(min(max(sum(sh.duration_s for sh in shots), 1.0), AMBIENCE_LOOP_S), 2)
            jobs.append(_submit(project_id=project_id, shot_id=shots[0].id, effect=effect, duration=length,
                                seed=card.scene.id or 0,
                                context={"purpose": AMBIENCE, "effect": effect, "scene_id": card.scene.id,
                                         "length": length}))
        ambient_here = set(_scene_ambience(card))
        for sh in shots:
            spots = [(e, w) for e, w in find_sfx(text=sh.action or "") if e not in AMBIENT and e not in ambient_here]
            for n, (effect, where) in enumerate(spots[:MAX_SFX_PER_SHOT]):
                if (sh.id, effect) in have or f"{sh.id}:{effect}" in removed:
                    continue
                offset = round(min(0.3 + where * sh.duration_s * 0.8, max(sh.duration_s - 1.0, 0.3)), 2)
                jobs.append(enqueue_sfx(project_id=project_id, shot_id=sh.id, effect=effect,
                                        seed=(sh.id or 0) * 16 + n, auto=True, offset_s=offset))
    update_settings(project_id=project_id, edit=lambda settings: settings.update({AUTO_DONE: True}))
    return jobs


def sfx_status(*, project_id: int) -> SoundWork:
    """Return what the project's effects are doing: how many are being made, and why the ones that
    gave nothing failed (an effect asked again, or on the timeline since, no longer counts)."""
    have, _ = _taken(project_id)
    seen: set[tuple[int | None, str]] = set()
    making, problems = 0, []
    for job in list_jobs(project_id=project_id, limit=500):  # newest first
        ctx = (job.request or {}).get("context") or {}
        if ctx.get("purpose") not in (SOUND_EFFECT, AMBIENCE):
            continue
        key = (job.shot_id, ctx.get("effect"))
        if job.status in ACTIVE_STATUSES:
            making += 1
        elif key not in seen and key not in have and job_problem(job):
            problems.append(f"{ctx.get('effect')}: {job_problem(job)}")
        seen.add(key)
    return SoundWork(making=f"{making} sound effect{'s' if making != 1 else ''}" if making else "",
                     error="; ".join(problems))


# --- waiting versions (CLI, film command, tests; pages and the API queue) --------------------------
def add_sfx(*, project_id: int, shot_id: int, effect: str, seed: int = 0, auto: bool = False,
            offset_s: float | None = None) -> MediaAsset:
    """Make one effect for a shot and wait until it is attached (as :func:`enqueue_sfx`); returns
    its asset. Raises as :func:`enqueue_sfx`, ProviderError when the effect failed."""
    job = enqueue_sfx(project_id=project_id, shot_id=shot_id, effect=effect, seed=seed, auto=auto, offset_s=offset_s)
    [done] = wait_succeeded(jobs=[job], what="sound effect", timeout_per_job_s=SOUND_TIMEOUT_S)
    return get_asset(media_id=done.result_media_id)


def attach_sfx(*, project_id: int, on_progress: Callable[[str], None] | None = None) -> int:
    """Attach the sound the action calls for (as :func:`enqueue_auto_sfx`) and wait until it is
    there; returns how many effect rows were added. Raises ProviderError naming a failed effect
    (the effects done before it stay attached)."""
    before = len(list_items(project_id=project_id, track="sfx"))
    jobs = enqueue_auto_sfx(project_id=project_id)
    if jobs:
        wait_succeeded(jobs=jobs, what="sound effect", on_progress=on_progress, timeout_per_job_s=SOUND_TIMEOUT_S)
    return len(list_items(project_id=project_id, track="sfx")) - before
