"""Batch generation (issue 6 point 3): every missing keyframe, then every missing clip, with the
job engine's bounded concurrency per provider, a cost estimate first, progress, cancel — and
resumable: running the batch again after an interruption never repeats a finished shot.

Pages call :func:`start_batch`, which queues the work and returns at once: each keyframe's result
handler queues its shot's clip when it lands (``context["then"] == "clip"``), so the batch goes
on in the workers with no page open; :func:`batch_progress` reads where it is. :func:`run_batch`
(CLI, tests) does the same stage by stage and waits.

A shot is finished for a stage when it already has its keyframe/clip; a shot whose job is still
queued or running (e.g. from before a restart: workers take persisted jobs over) is waited for,
not submitted again; an identical request that already succeeded is answered by the result cache
without calling the provider.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

from sqlmodel import select

from core.breakdowns import list_shots
from core.db import session
from core.errors import StoryreelError
from core.generation.shots import default_model, generate_clip, generate_keyframe, plan_for_shot
from core.jobs.service import cancel_job, wait_all
from core.models import ACTIVE_STATUSES, Job, Shot
from core.registry import get_registry

STAGES = ("keyframes", "clips")
_PURPOSE = {"keyframes": "keyframe", "clips": "clip"}


@dataclass
class BatchEstimate:
    """What a batch would do: shot ids per stage and the summed cost estimate (USD; ``unknown``
    counts calls without a published price)."""

    keyframes: list[int] = field(default_factory=list)
    clips: list[int] = field(default_factory=list)
    usd: float = 0.0
    unknown: int = 0

    @property
    def calls(self) -> int:
        return len(self.keyframes) + len(self.clips)


@dataclass
class BatchProgress:
    """Where a batch run is: the stage, shots done/total in it, failures (shot id → message)."""

    stage: str
    done: int
    total: int
    failed: dict[int, str] = field(default_factory=dict)
    cancelled: bool = False
    job_ids: list[str] = field(default_factory=list)
    active: int = 0  # jobs still queued or running (batch_progress)


def _missing(shots: list[Shot], stage: str) -> list[Shot]:
    if stage == "keyframes":
        return [s for s in shots if not s.keyframe_media_id and not s.clip_media_id]
    return [s for s in shots if not s.clip_media_id]


def estimate_batch(*, project_id: int, stages: tuple[str, ...] = STAGES) -> BatchEstimate:
    """Return what the batch would generate and its estimated cost (a clip whose keyframe does not
    exist yet is priced from the clip model's own parameters)."""
    shots = list_shots(project_id=project_id)
    est = BatchEstimate()
    for stage in stages:
        todo = _missing(shots, stage)
        setattr(est, stage, [s.id for s in todo])
        for shot in todo:
            try:
                cap, plan = plan_for_shot(shot_id=shot.id, kind=_PURPOSE[stage])
                cost = cap.estimate_cost(plan.params)
            except StoryreelError:
                # No keyframe yet: price the clip model on the shot's length alone.
                try:
                    provider, model = default_model(shot=shot, kind=_PURPOSE[stage])
                    cost = get_registry().get(provider=provider, model=model).estimate_cost({}, duration_s=shot.duration_s)
                except StoryreelError:
                    cost = None
            if cost is None:
                est.unknown += 1
            else:
                est.usd += cost
    est.usd = round(est.usd, 4)
    return est


def _inflight(project_id: int, shot_id: int, purpose: str) -> Job | None:
    """Return an unfinished job for this shot and purpose (left by an interrupted batch), if any."""
    with session() as s:
        jobs = s.exec(select(Job).where(Job.project_id == project_id, Job.shot_id == shot_id,
                                        Job.status.in_(ACTIVE_STATUSES)).order_by(Job.created_at.desc())).all()
    return next((j for j in jobs if ((j.request or {}).get("context") or {}).get("purpose") == purpose), None)


def _queue_stage(*, project_id: int, stage: str, batch_id: str, then_clip: bool,
                 progress: BatchProgress) -> dict[str, int]:
    """Queue the stage's missing shots (joining jobs already in flight); returns job id → shot id."""
    pending: dict[str, int] = {}
    for shot in _missing(list_shots(project_id=project_id), stage):
        job = _inflight(project_id, shot.id, _PURPOSE[stage])
        if job is None:
            try:
                if stage == "keyframes":
                    job = generate_keyframe(shot_id=shot.id, batch=batch_id, then="clip" if then_clip else None)
                else:
                    job = generate_clip(shot_id=shot.id, batch=batch_id)
            except StoryreelError as exc:
                progress.failed[shot.id] = exc.message
                continue
        pending[job.id] = shot.id
        progress.job_ids.append(job.id)
    progress.total = len(pending) + len(progress.failed)
    return pending


def start_batch(*, project_id: int, stages: tuple[str, ...] = STAGES) -> BatchProgress:
    """Queue the batch and return at once (pages): every missing keyframe (each one queues its
    shot's clip when it lands, when ``clips`` is a stage) and every missing clip of a shot that
    already has its keyframe. Returns the queued part; :func:`batch_progress` follows it."""
    for stage in stages:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
    batch_id = uuid.uuid4().hex[:12]
    progress = BatchProgress(stage="+".join(stages), done=0, total=0)
    if "keyframes" in stages:
        _queue_stage(project_id=project_id, stage="keyframes", batch_id=batch_id,
                     then_clip="clips" in stages, progress=progress)
    if "clips" in stages:
        with_keyframe = BatchProgress(stage="clips", done=0, total=0)
        shots_ready = [s for s in list_shots(project_id=project_id) if s.keyframe_media_id and not s.clip_media_id]
        if shots_ready:
            _queue_stage(project_id=project_id, stage="clips", batch_id=batch_id, then_clip=False,
                         progress=with_keyframe)
        progress.job_ids += with_keyframe.job_ids
        progress.failed.update(with_keyframe.failed)
    progress.total = len(progress.job_ids) + len(progress.failed)
    return progress


def batch_progress(*, project_id: int) -> BatchProgress | None:
    """Return where the project's newest batch stands (its jobs, clips queued by its keyframes
    included), or None when the project never ran one."""
    with session() as s:
        jobs = s.exec(select(Job).where(Job.project_id == project_id, Job.shot_id.is_not(None))
                      .order_by(Job.created_at.desc()).limit(2000)).all()
    batch_id = next((((j.request or {}).get("context") or {}).get("batch") for j in jobs
                     if ((j.request or {}).get("context") or {}).get("batch")), None)
    if batch_id is None:
        return None
    mine = [j for j in jobs if ((j.request or {}).get("context") or {}).get("batch") == batch_id]
    progress = BatchProgress(stage="batch", done=sum(j.status == "succeeded" for j in mine), total=len(mine),
                             job_ids=[j.id for j in mine])
    progress.failed = {j.shot_id: j.error or j.status for j in mine if j.status in ("failed", "unknown_outcome")}
    progress.cancelled = any(j.status == "cancelled" for j in mine)
    progress.active = sum(j.status in ACTIVE_STATUSES for j in mine)
    return progress


def run_batch(*, project_id: int, stages: tuple[str, ...] = STAGES,
              on_progress: Callable[[BatchProgress], None] | None = None,
              should_stop: Callable[[], bool] | None = None, timeout_s: float = 3600.0) -> list[BatchProgress]:
    """Generate every missing keyframe, then every missing clip, and wait (CLI, tests; pages use
    :func:`start_batch`); returns one BatchProgress per stage.

    ``on_progress`` is called after each finished shot; when ``should_stop`` answers True the
    batch's unfinished jobs are cancelled. A shot that fails is reported in ``failed`` and the
    batch carries on. Raises TimeoutError when a stage takes longer than ``timeout_s`` (jobs keep running).
    """
    batch_id = uuid.uuid4().hex[:12]
    results: list[BatchProgress] = []
    for stage in stages:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        progress = BatchProgress(stage=stage, done=0, total=0)
        pending = _queue_stage(project_id=project_id, stage=stage, batch_id=batch_id, then_clip=False,
                               progress=progress)
        progress.total = len(pending)
        results.append(progress)
        if on_progress:
            on_progress(progress)

        def finished(job: Job, progress=progress, pending=pending) -> None:
            if job.status == "succeeded":
                progress.done += 1
            else:
                progress.failed[pending[job.id]] = job.error or job.status
            if on_progress:
                on_progress(progress)

        stopped = {"yes": False}

        def stop() -> bool:
            stopped["yes"] = bool(should_stop is not None and should_stop())
            return stopped["yes"]

        wait_all(job_ids=list(pending), timeout_s=float(timeout_s), on_finished=finished, should_stop=stop,
                 partial=False)
        if stopped["yes"]:
            cancel_batch(project_id=project_id)
            progress.cancelled = True
            if on_progress:
                on_progress(progress)
            return results
    return results


def cancel_batch(*, project_id: int) -> int:
    """Cancel every unfinished batch job of the project; returns how many were cancelled.
    Finished shots keep their results."""
    with session() as s:
        jobs = s.exec(select(Job).where(Job.project_id == project_id, Job.status.in_(ACTIVE_STATUSES))).all()
    n = 0
    for job in jobs:
        if ((job.request or {}).get("context") or {}).get("batch"):
            try:
                cancel_job(job_id=job.id)
                n += 1
            except StoryreelError:  # a started paid job that cannot be cancelled still lands
                pass
    return n


__all__ = ["BatchEstimate", "BatchProgress", "estimate_batch", "start_batch", "batch_progress", "run_batch",
           "cancel_batch", "STAGES"]
