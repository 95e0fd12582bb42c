"""The job engine: worker slots that take job ids off the queue (``core.jobs.queue``), claim the job
in the database (``core.jobs.leases``) and move it one step — submit, reconcile, poll, store, or
run an in-process work kind (a render) — then park it until its next step or finish it.

Guarantees (issue 13):
- only the lease holder writes a job; a heartbeat renews the leases this process holds, and a
  job whose worker died is taken over by the sweep within lease + sweep interval;
- never pay twice: a job is durably ``submitting`` (with ``submitted_at``) before its create is
  sent; a job found ``submitting`` after a crash, or whose create answer was lost, is never sent
  again by itself: the provider adapter reconciles it (``reconcile``: Replicate lists its recent
  predictions), else it ends ``unknown_outcome`` and the user decides (``resend_job``);
- a 429 or another answer that proves the create was refused goes back to ``queued`` and is
  retried after a backoff (never holding a slot while it waits);
- results are stored, and applied by the job kind's result handler, by the worker — whichever
  door asked; ``stop()`` hands this process's jobs back at once.
"""
from __future__ import annotations

import collections
import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import select

from core.accounts.identity import acting_as
from core.credentials import redact
from core.db import session
from core.errors import Cancelled, StoryreelError, public_message, scrub_paths
from core.jobs import kinds, leases, queue
from core.jobs.steps import ProviderSteps, load_job  # noqa: F401  (load_job: read by callers here)
from core.models import (
    ACTIVE_STATUSES, CANCELLED, FAILED, FINISHED_STATUSES, QUEUED, RUNNING, STORING, SUBMITTING,
    SUCCEEDED, UNKNOWN_OUTCOME, Job, utcnow,
)
from core.providers import get_adapter
from core.settings import get_settings

log = logging.getLogger("storyreel.jobs")

LIMITED_RETRY_S = 0.1  # a queued job whose provider is at its limit is tried again after this (or when a slot frees here)
UNKNOWN_MESSAGE = ("{why} — the provider may have accepted the request and may bill it, so it was not sent again "
                   "automatically. Check the provider's dashboard, then choose 'Send again' if it is not there.")


def update_job(job_id: str, *, unless: tuple[str, ...] = (), **fields: Any) -> Job | None:
    """Set fields that are not the engine's (request context, labels) on a job unless its status is
    in ``unless``; returns the job as stored. Status, lease and results are written by the lease
    holder only (``core.jobs.leases``)."""
    with session() as s:
        job = s.get(Job, job_id)
        if job is None:
            return None
        if job.status in unless:
            return job
        for k, v in fields.items():
            setattr(job, k, v)
        job.updated_at = utcnow()
        s.add(job)
    return job


def unowned_jobs() -> list[str]:
    """Return ids of unfinished jobs no live worker holds (what a starting worker takes over)."""
    now = utcnow()
    with session() as s:
        rows = s.exec(select(Job.id).where(Job.status.in_(ACTIVE_STATUSES))
                      .where((Job.worker.is_(None)) | (Job.lease_expires_at.is_(None)) | (Job.lease_expires_at < now))
                      .order_by(Job.created_at)).all()
    return list(rows)


class _WorkContext:
    """Progress and cancellation for an in-process work kind (a render) held by ``runner``."""

    def __init__(self, runner: "JobRunner", job: Job):
        self.runner, self.job_id, self.request = runner, job.id, dict(job.request or {})
        self._last_write = 0.0
        self._last_check = 0.0
        self._stop = False

    def progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._last_write < 0.25 and fraction < 1.0:
            return
        self._last_write = now
        self.request["message"] = message
        if not leases.owned(job_id=self.job_id, worker=self.runner.worker_id, when=(RUNNING,),
                            progress=round(max(0.0, min(1.0, fraction)), 4), request=dict(self.request)):
            self._stop = True

    def cancelled(self) -> bool:
        if self._stop or self.runner.stopping or self.job_id in self.runner._lost:
            return True
        now = time.monotonic()
        if now - self._last_check >= 0.5:
            self._last_check = now
            job = load_job(self.job_id)
            self._stop = job is None or job.status != RUNNING or job.worker != self.runner.worker_id
        return self._stop


class JobRunner(ProviderSteps):
    """``workers`` slots (default STORYREEL_WORKERS) driving jobs from the queue; 0 slots makes a
    runner that only queues (the work is left to ``python -m core worker`` processes).

    ``limits`` overrides how many jobs of a provider may be in flight at once across every process
    (remote providers ``remote_limit``, in-process ones ``local_limit``). Lease length defaults to
    STORYREEL_JOB_LEASE_S; the sweep for lapsed jobs runs every ``sweep_s`` (default: lease/3, at
    most 10 s)."""

    def __init__(self, *, workers: int | None = None, limits: dict[str, int] | None = None, remote_limit: int = 5,
                 local_limit: int = 2, max_retries: int = 4, backoff_base_s: float = 1.0, backoff_max_s: float = 60.0,
                 poll_initial_s: float = 2.0, poll_factor: float = 1.5, poll_max_s: float = 20.0,
                 lease_s: float | None = None, sweep_s: float | None = None, idle_wait_s: float = 0.05):
        settings = get_settings()
        self.workers = max(0, settings.storyreel_workers if workers is None else int(workers))
        self.limits = dict(limits or {})
        self.remote_limit, self.local_limit = remote_limit, local_limit
        self.max_retries = max_retries
        self.backoff_base_s, self.backoff_max_s = backoff_base_s, backoff_max_s
        self.poll_initial_s, self.poll_factor, self.poll_max_s = poll_initial_s, poll_factor, poll_max_s
        self.lease_s = float(lease_s if lease_s is not None else settings.storyreel_job_lease_s)
        self.sweep_s = float(sweep_s if sweep_s is not None else min(10.0, max(0.2, self.lease_s / 3)))
        self.idle_wait_s = idle_wait_s
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._queue_store = queue.storage()  # resolved once: the loops below never read the settings again
        self._queue_blocks = bool(getattr(self._queue_store, "blocking", False))
        self.changed = threading.Condition()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._held: set[str] = set()
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.Semaphore(self.workers)
        # Queued jobs whose provider was at its limit, by provider, oldest first, with when to try
        # the first one again: kept here (not sent round the queue) so waiting costs one claim a try.
        self._waiting: dict[str, collections.deque[str]] = {}
        self._waiting_at: dict[str, float] = {}
        if self.workers:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="jobs-worker")
            self.resume()
            for target, name in ((self._dispatch, "jobs-dispatch"), (self._heartbeat, "jobs-lease"),
                                 (self._sweep, "jobs-sweep")):
                t = threading.Thread(target=target, name=name, daemon=True)
                t.start()
                self._threads.append(t)

    # --- lifecycle ------------------------------------------------------------------------------
    def limit_for(self, provider: str) -> int:
        """Return how many jobs of ``provider`` may be in flight at once (across every process)."""
        configured = self.limits.get(provider)
        if configured is not None:
            return configured
        if kinds.work_for(provider=provider) is not None:
            return self.local_limit
        # In-process adapters (local) compete for this machine's CPU; remote ones only wait.
        return self.local_limit if getattr(get_adapter(provider), "in_process", False) else self.remote_limit

    def enqueue(self, *, job_id: str, provider: str | None = None, delay_s: float = 0.0) -> None:
        """Put a persisted job on the queue for any worker (and wake this process's workers)."""
        queue.push(job_id=job_id, delay_s=delay_s, store=self._queue_store)
        self._wake.set()

    def resume(self) -> int:
        """Queue every unfinished job no live worker holds; returns how many (done when workers start)."""
        ids = unowned_jobs()
        for job_id in ids:
            queue.push(job_id=job_id, store=self._queue_store)
        self._wake.set()
        return len(ids)

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stop the slots; jobs held here are handed back at once (another worker takes them over)."""
        self._stop.set()
        self._wake.set()
        for t in list(self._threads):
            t.join(timeout=timeout_s)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            held = list(self._held)
        for job_id in held:
            leases.release(job_id=job_id, worker=self.worker_id)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    # --- threads ----------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while not self._stop.is_set():
            if not self._slots.acquire(timeout=0.1):
                continue
            if self._start_waiting():
                continue
            try:
                job_id = queue.pop(store=self._queue_store)
            except Exception:  # the queue is down (Redis restarting…): wait, never die
                log.exception("reading the job queue failed")
                self._slots.release()
                self._stop.wait(1.0)
                continue
            if job_id is None:
                self._slots.release()
                if not self._queue_blocks:  # a blocking read (Redis BRPOP) has waited already
                    self._wake.wait(self.idle_wait_s)
                self._wake.clear()
                continue
            try:
                self._pool.submit(self._run_step, job_id)
            except RuntimeError:  # shutting down: leave the job to the sweep of another worker
                self._slots.release()
                queue.push(job_id=job_id, store=self._queue_store)

    def _start_waiting(self) -> bool:
        """With a slot held: claim the oldest waiting job of a provider whose retry time has come and
        run it in that slot; returns True when it did (the slot is then the step's)."""
        now = time.monotonic()
        with self._lock:
            due = [p for p, ids in self._waiting.items() if ids and self._waiting_at.get(p, 0.0) <= now]
        for provider in due:
            with self._lock:
                ids = self._waiting.get(provider)
                job_id = ids[0] if ids else None
            if job_id is None:
                continue
            claimed = leases.claim(job_id=job_id, worker=self.worker_id, lease_s=self.lease_s,
                                   limit=self.limit_for(provider), provider=provider)
            if claimed is None:
                again = load_job(job_id)
                with self._lock:
                    if again is None or again.status != QUEUED or again.worker is not None:
                        ids.popleft()  # cancelled, or taken by another process meanwhile
                        self._waiting_at[provider] = 0.0
                    else:
                        self._waiting_at[provider] = now + LIMITED_RETRY_S
                continue
            with self._lock:
                ids.popleft()
                self._waiting_at[provider] = 0.0
                self._held.add(job_id)
            try:
                self._pool.submit(self._run_step, job_id, claimed)
            except RuntimeError:
                leases.release(job_id=job_id, worker=self.worker_id)
                self._slots.release()
            return True
        return False

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            with self._lock:
                held = list(self._held)
            for job_id in held:
                try:
                    if not leases.renew(job_id=job_id, worker=self.worker_id, lease_s=self.lease_s):
                        self._lost.add(job_id)
                except Exception:
                    log.exception("renewing the lease of job %s failed", job_id)

    def _sweep(self) -> None:
        while not self._stop.wait(self.sweep_s):
            try:
                for job_id in leases.lapsed():
                    log.info("job %s lapsed: queued again", job_id)
                    queue.push(job_id=job_id, store=self._queue_store)
                self._wake.set()
            except Exception:
                log.exception("the job sweep failed")

    # --- one step -----------------------------------------------------------------------------------
    def _run_step(self, job_id: str, job: Job | None = None) -> None:
        claimed = job is not None
        name = job.provider if job is not None else None  # the provider whose slot this frees
        try:
            if job is None:
                job = self._claim(job_id)
            if job is not None:
                claimed, name = True, job.provider
                with acting_as(name=job.created_by):  # what the step stores and applies is the asker's work
                    self._step(job)
        except Exception as exc:  # never let one job kill a slot
            log.exception("job %s crashed", job_id)
            if claimed:
                self._fail(job_id, public_message(exc, doing="the job"), retryable=False)
        finally:
            if claimed:  # only the slot that claimed the job lets go of it (another may hold it now)
                with self._lock:
                    self._held.discard(job_id)
                    if name in self._waiting:
                        self._waiting_at[name] = 0.0  # a slot of this provider may be free: try now
                self._lost.discard(job_id)
                leases.release(job_id=job_id, worker=self.worker_id)  # no-op when parked or finished
            self._slots.release()
            self._wake.set()
            self._notify()

    def _claim(self, job_id: str) -> Job | None:
        """Claim a job for one step; None when it is finished, held elsewhere or must wait for its
        provider's limit (then it is queued again shortly)."""
        job = load_job(job_id)
        if job is None or job.status not in ACTIVE_STATUSES:
            return None
        if kinds.work_for(provider=job.provider) is None:
            try:
                get_adapter(job.provider)
            except StoryreelError as exc:
                leases.finish(job_id=job_id, worker=None, status=FAILED, error=exc.message)
                return None
        claimed = leases.claim(job_id=job_id, worker=self.worker_id, lease_s=self.lease_s,
                               limit=self.limit_for(job.provider), provider=job.provider)
        if claimed is None:
            again = load_job(job_id)
            if again is not None and again.status == QUEUED and again.worker is None:
                with self._lock:  # its provider is at its limit: wait here for a slot
                    waiting = self._waiting.setdefault(job.provider, collections.deque())
                    if job_id not in waiting:
                        waiting.append(job_id)
                    self._waiting_at.setdefault(job.provider, time.monotonic() + LIMITED_RETRY_S)
            return None
        with self._lock:
            self._held.add(job_id)
        return claimed

    def _step(self, claimed: Job) -> None:
        work = kinds.work_for(provider=claimed.provider)
        adapter = None if work else get_adapter(claimed.provider)
        if work is not None:
            self._run_work(claimed, work)
        elif claimed.status == QUEUED:
            self._submit(claimed, adapter)
        elif claimed.status == SUBMITTING or (claimed.status == STORING and not claimed.operation_id):
            # A crash while sending, or while storing outputs that came with the answer (gone now).
            self._reconcile(claimed, adapter)
        else:
            self._poll(claimed, adapter)  # storing after a crash: poll again for the outputs

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.backoff_max_s, max(0.0, retry_after))
        delay = self.backoff_base_s * (2 ** attempt)
        return min(self.backoff_max_s, delay * (0.8 + 0.4 * random.random()))

    def _park(self, job_id: str, delay_s: float, **fields: Any) -> None:
        """Let go of the job until its next step ``delay_s`` from now (queued for then)."""
        if leases.park(job_id=job_id, worker=self.worker_id, deadline_s=delay_s + self.lease_s, **fields):
            self.enqueue(job_id=job_id, delay_s=delay_s)

    def _fail(self, job_id: str, message: str, *, retryable: bool) -> None:
        if leases.finish(job_id=job_id, worker=self.worker_id, status=FAILED, error=scrub_paths(redact(message))[:2000],
                         error_retryable=retryable):
            log.info("job %s failed: %s", job_id, redact(message))
            failed = load_job(job_id)
            if failed is not None:
                kinds.apply_failure(job=failed)

    def _unknown(self, job_id: str, why: str) -> None:
        leases.finish(job_id=job_id, worker=self.worker_id, status=UNKNOWN_OUTCOME,
                      error=redact(UNKNOWN_MESSAGE.format(why=why.rstrip(". ")))[:2000], error_retryable=True)

    def _run_work(self, job: Job, work: kinds.WorkKind) -> None:
        # Every run counts (a render taken over after a crash runs again: attempts 2).
        if not leases.owned(job_id=job.id, worker=self.worker_id, status=RUNNING, attempts=job.attempts + 1):
            return
        ctx = _WorkContext(self, job)
        try:
            ids = work.run(job=load_job(job.id), ctx=ctx)
        except Cancelled:
            if not self.stopping and job.id not in self._lost:
                leases.finish(job_id=job.id, worker=self.worker_id, status=CANCELLED, error="cancelled by user")
            return
        except StoryreelError as exc:
            self._fail(job.id, exc.message, retryable=False)
            return
        except OSError as exc:
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            self._fail(job.id, f"could not write{where}: {exc.strerror or exc} — check free space and permissions "
                               "of the data dir (STORYREEL_DATA_DIR)", retryable=True)
            return
        request = dict(load_job(job.id).request or {}) | {"message": "done", "result_media_ids": ids}
        leases.finish(job_id=job.id, worker=self.worker_id, status=SUCCEEDED, progress=1.0,
                      result_media_id=ids[0] if ids else None, request=request)

    # --- waiting --------------------------------------------------------------------------------
    def wait(self, *, job_id: str, timeout_s: float | None = None) -> Job:
        """Block until the job is finished; returns it. Raises TimeoutError (the job keeps running)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            job = load_job(job_id)
            if job is not None and job.status in FINISHED_STATUSES:
                return job
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"job {job_id} still {job.status if job else 'missing'} after {timeout_s}s")
            with self.changed:
                self.changed.wait(timeout=0.2 if left is None else min(0.2, left))
