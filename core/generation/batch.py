"""Batch generation (issue 6 point 3): every missing keyframe, then every missing clip, with the
job runner's bounded concurrency per provider, a cost estimate first, progress, cancel — and
resumable: running the batch again after an interruption never repeats a finished shot.

A shot is finished for a stage when it already has its keyframe/clip; a shot whose job is still
queued or running (e.g. from before a restart: the runner resumes persisted jobs) is waited for,
not submitted again; an identical request that already succeeded is answered by the result cache
without calling the provider.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from sqlmodel import select

from core.breakdowns import list_shots
from core.db import session
from core.errors import StoryreelError
from core.generation.shots import (collect, default_model, generate_clip, generate_keyframe, plan_for_shot,
                                   sync_project)
from core.registry import get_registry
from core.jobs.service import cancel_job, get_job, get_runner
from core.models import Job, Shot
from core.providers.base import TERMINAL

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


def _missing(shots: list[Shot], stage: str) -> list[Shot]:
    if stage == "keyframes":
        return [s for s in shots if not s.keyframe_media_id and not s.clip_media_id]
    return [s for s in shots if not s.clip_media_id]


def estimate_batch(*, project_id: int, stages: tuple[str, ...] = STAGES) -> BatchEstimate:
    """Return what the batch would generate and its estimated cost (a clip whose keyframe does not
    exist yet is priced from the clip model's own parameters)."""
    sync_project(project_id=project_id)
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
                                        Job.status.not_in(TERMINAL)).order_by(Job.created_at.desc())).all()
    return next((j for j in jobs if ((j.request or {}).get("context") or {}).get("purpose") == purpose), None)


def run_batch(*, project_id: int, stages: tuple[str, ...] = STAGES,
              on_progress: Callable[[BatchProgress], None] | None = None,
              should_stop: Callable[[], bool] | None = None, timeout_s: float = 3600.0) -> list[BatchProgress]:
    """Generate every missing keyframe, then every missing clip; returns one BatchProgress per stage.

    Jobs run on the shared runner (bounded concurrency per provider); ``on_progress`` is called
    after each finished shot; when ``should_stop`` answers True the batch's unfinished jobs are
    cancelled. A shot that fails is reported in ``failed`` and the batch carries on.
    Raises TimeoutError when a stage takes longer than ``timeout_s`` (jobs keep running).
    """

    batch_id = uuid.uuid4().hex[:12]
    timeout_s = float(timeout_s)
    results: list[BatchProgress] = []
    for stage in stages:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        sync_project(project_id=project_id)
        todo = _missing(list_shots(project_id=project_id), stage)
        progress = BatchProgress(stage=stage, done=0, total=len(todo))
        pending: dict[str, int] = {}
        for shot in todo:
            job = _inflight(project_id, shot.id, _PURPOSE[stage])
            if job is not None:
                # Left by an interrupted run: make sure this process's runner drives it (no-op
                # when it is already queued here) instead of submitting the shot again.
                get_runner().enqueue(job_id=job.id, provider=job.provider)
            else:
                submit = generate_keyframe if stage == "keyframes" else generate_clip
                try:
                    job = submit(shot_id=shot.id, batch=batch_id)
                except StoryreelError as exc:
                    progress.failed[shot.id] = exc.message
                    continue
            pending[job.id] = shot.id
            progress.job_ids.append(job.id)
        results.append(progress)
        if on_progress:
            on_progress(progress)
        deadline = time.monotonic() + timeout_s
        runner = get_runner()
        while pending:
            if should_stop is not None and should_stop():
                cancel_batch(project_id=project_id)
                progress.cancelled = True
                if on_progress:
                    on_progress(progress)
                return results
            finished = False
            for job_id in list(pending):
                job = get_job(job_id=job_id)
                if job.status not in TERMINAL:
                    continue
                shot_id = pending.pop(job_id)
                finished = True
                if job.status == "succeeded":
                    collect(job=job)
                    progress.done += 1
                else:
                    progress.failed[shot_id] = job.error or job.status
                if on_progress:
                    on_progress(progress)
            if not finished:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"batch stage {stage} still has {len(pending)} jobs running")
                with runner.changed:
                    runner.changed.wait(timeout=0.2)
    return results


def cancel_batch(*, project_id: int) -> int:
    """Cancel every unfinished batch job of the project; returns how many were cancelled.
    Finished shots keep their results."""
    with session() as s:
        jobs = s.exec(select(Job).where(Job.project_id == project_id, Job.status.not_in(TERMINAL))).all()
    n = 0
    for job in jobs:
        if ((job.request or {}).get("context") or {}).get("batch"):
            try:
                cancel_job(job_id=job.id)
                n += 1
            except StoryreelError:  # a started paid job that cannot be cancelled still lands
                pass
    return n


__all__ = ["BatchEstimate", "BatchProgress", "estimate_batch", "run_batch", "cancel_batch", "STAGES"]
