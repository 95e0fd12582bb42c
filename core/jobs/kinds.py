"""What the engine runs besides provider calls, and what it does with results — registered by the
layers above (the engine never imports them, so it has no import cycle and no hidden strings).

- **Work kinds** (``register_work``): jobs run inside Storyreel rather than at a provider (renders),
  by their ``Job.provider``. ``run(job=, ctx=)`` does the work in a worker slot and returns the
  result media ids; it reports progress and checks for cancellation through ``ctx``.
- **Result handlers** (``register_result``): by ``Job.request["context"]["purpose"]`` (keyframe,
  clip, voice line…), ``apply(job=, media_ids=)`` puts a finished job's result where it belongs
  (a shot's new version, a timeline item). Called by the worker that stored the result, before
  the job is marked succeeded, so it runs whichever door asked; it must be idempotent (a worker
  that dies between the two runs it again).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Protocol

from core.models import Job

log = logging.getLogger("storyreel.jobs")


class WorkContext(Protocol):
    """What a work kind gets from the engine while it runs."""

    def progress(self, fraction: float, message: str) -> None:
        """Record how far the work is (0..1) and a short message."""

    def cancelled(self) -> bool:
        """True once the job was cancelled or this worker lost it: stop soon."""


@dataclass(frozen=True)
class WorkKind:
    run: Callable[..., list[str]]


_work: dict[str, WorkKind] = {}
_results: dict[str, Callable[..., None]] = {}
_failures: dict[str, Callable[..., None]] = {}


def register_work(*, provider: str, run: Callable[..., list[str]]) -> None:
    """Make the engine run jobs whose ``provider`` is ``provider`` with ``run(job=, ctx=)``."""
    _work[provider] = WorkKind(run=run)


def work_for(*, provider: str) -> WorkKind | None:
    """Return the registered work kind of ``provider``, or None for a provider call."""
    return _work.get(provider)


def register_result(*, purpose: str, apply: Callable[..., None], failed: Callable[..., None] | None = None) -> None:
    """Apply succeeded jobs whose context ``purpose`` is ``purpose`` with ``apply(job=, media_ids=)``;
    ``failed(job=)`` is told about failed ones (e.g. to mark an empty shot failed)."""
    _results[purpose] = apply
    if failed is not None:
        _failures[purpose] = failed


def apply_failure(*, job: Job) -> None:
    """Tell the failure handler of a job's purpose (if any) that it failed; never raises."""
    purpose = ((job.request or {}).get("context") or {}).get("purpose")
    handler = _failures.get(purpose) if purpose else None
    if handler is None:
        return
    try:
        handler(job=job)
    except Exception:  # a bookkeeping hook must never break the engine
        log.exception("the failure handler of job %s failed", job.id)


def result_handler(*, job: Job) -> Callable[..., None] | None:
    """Return the result handler of a job's purpose, or None when its result stays a plain asset."""
    purpose = ((job.request or {}).get("context") or {}).get("purpose")
    return _results.get(purpose) if purpose else None


def apply_results(*, job: Job, media_ids: list[str]) -> str:
    """Run the result handler of ``job`` and of every request that joined it (identical work for
    another shot or line, ``request["joined"]``); returns "" or the first error message (the result
    stays stored either way)."""
    targets = [job]
    for extra in (job.request or {}).get("joined") or []:
        clone = job.model_copy()
        clone.shot_id, clone.character_id = extra.get("shot_id"), extra.get("character_id")
        clone.request = {**(job.request or {}), "context": extra.get("context") or {}}
        targets.append(clone)
    error = ""
    for target in targets:
        handler = result_handler(job=target)
        if handler is None:
            continue
        try:
            handler(job=target, media_ids=media_ids)
        except Exception as exc:  # one target failing must not keep the others from their result
            log.exception("applying the result of job %s failed", job.id)
            error = error or str(getattr(exc, "message", exc))
    return error
