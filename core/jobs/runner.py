"""The job runner: threads that submit persisted jobs, poll them with backoff, retry transient
errors and store results — with bounded concurrency per provider.

Guarantees (DESIGN §5, issue 4):
- a job that has an ``operation_id`` is never submitted again: after a restart it is polled;
- the operation id is written to the database as soon as the provider answers;
- a submission whose outcome is unknown (timeout, unreadable answer) is not re-sent automatically —
  the provider may already be billing it — and the job fails with a message saying so;
- results are stored by the runner, so they land even when the page that asked is gone;
- ``stop()`` leaves unfinished jobs as they are in the database; ``resume()`` picks them up.
"""
from __future__ import annotations

import importlib
import logging
import queue
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from sqlmodel import select

from core.jobs import cache
from core.credentials import redact
from core.db import session
from core.errors import ProviderError, StoryreelError
from core.models import Job, utcnow
from core.providers import get_adapter
from core.providers.base import CANCELLED, FAILED, QUEUED, RUNNING, SUBMITTED, SUCCEEDED, TERMINAL, ProviderRequest

# Jobs that run inside Storyreel rather than at a provider (renders), by their Job.provider: the
# functions that run an interrupted one again on resume, and that cancel one.
IN_PROCESS_JOBS = {
    "storyreel": {"resume": "core.render.service:resume_render", "cancel": "core.render.service:cancel_render"},
}


def in_process_handler(*, provider: str, action: str) -> Callable | None:
    """Return the in-process service function for ``action`` on jobs of ``provider``, or None when
    such jobs are provider calls run by this runner."""
    target = IN_PROCESS_JOBS.get(provider, {}).get(action)
    if target is None:
        return None
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)

log = logging.getLogger("storyreel.jobs")
# Prefix of Job.error while a running job waits for credentials the provider accepts again.
AWAITING_CREDENTIALS = "waiting for working credentials"

_finalize_locks: dict[str, threading.Lock] = {}
_finalize_guard = threading.Lock()


def _job_lock(job_id: str) -> threading.Lock:
    with _finalize_guard:
        return _finalize_locks.setdefault(job_id, threading.Lock())


def load_job(job_id: str) -> Job | None:
    with session() as s:
        return s.get(Job, job_id)


def update_job(job_id: str, *, unless: tuple[str, ...] = (), **fields: Any) -> Job | None:
    """Set fields on a job unless its current status is in ``unless``; returns the job as stored."""
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


class JobRunner:
    """A pool of worker threads per provider. ``limits`` overrides the per-provider concurrency."""

    def __init__(self, *, limits: dict[str, int] | None = None, remote_limit: int = 5, local_limit: int = 2,
                 max_retries: int = 4, backoff_base_s: float = 1.0, backoff_max_s: float = 60.0,
                 poll_initial_s: float = 2.0, poll_factor: float = 1.5, poll_max_s: float = 20.0,
                 store_workers: int = 3, on_change: Callable[[Job], None] | None = None):
        self.limits = dict(limits or {})
        self.remote_limit, self.local_limit = remote_limit, local_limit
        self.max_retries = max_retries
        self.backoff_base_s, self.backoff_max_s = backoff_base_s, backoff_max_s
        self.poll_initial_s, self.poll_factor, self.poll_max_s = poll_initial_s, poll_factor, poll_max_s
        self.on_change = on_change
        self._queues: dict[str, queue.Queue] = {}
        self._threads: list[threading.Thread] = []
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.changed = threading.Condition()
        # Storing results (download, probe, frame extraction) runs beside the provider slots: a
        # finished operation frees its slot at once, so the provider stays busy.
        self._store_pool = ThreadPoolExecutor(max_workers=store_workers, thread_name_prefix="jobs-store")
        self._store_failures: dict[str, int] = {}

    # --- lifecycle ------------------------------------------------------------------------------
    def limit_for(self, provider: str) -> int:
        """Return how many jobs of ``provider`` may be in flight at once."""
        configured = self.limits.get(provider)  # limits set for this runner win
        if configured is not None:
            return configured
        # In-process adapters (local) compete for this machine's CPU; remote ones only wait.
        return self.local_limit if getattr(get_adapter(provider), "in_process", False) else self.remote_limit

    def enqueue(self, *, job_id: str, provider: str) -> None:
        """Queue a persisted job for its provider's workers (no-op when already queued here)."""
        if self._stop.is_set():
            raise RuntimeError("job runner is stopped")
        with self._lock:
            if job_id in self._pending:
                return
            self._pending.add(job_id)
            q = self._queues.get(provider)
            if q is None:
                q = self._queues[provider] = queue.Queue()
                for i in range(self.limit_for(provider)):
                    t = threading.Thread(target=self._work, args=(q,), name=f"jobs-{provider}-{i}", daemon=True)
                    t.start()
                    self._threads.append(t)
        q.put(job_id)

    def resume(self) -> int:
        """Queue every unfinished job in the database; returns how many. Jobs with an operation id
        are polled, the others submitted."""
        with session() as s:
            jobs = s.exec(select(Job).where(Job.status.in_((QUEUED, SUBMITTED, RUNNING)))
                          .order_by(Job.created_at)).all()
        for job in jobs:
            resume = in_process_handler(provider=job.provider, action="resume")
            if resume is not None:
                resume(job=job)  # not a provider call (a render): its own service runs it again
            else:
                self.enqueue(job_id=job.id, provider=job.provider)
        return len(jobs)

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stop the workers; unfinished jobs stay in the database for ``resume``."""
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout=timeout_s)
        self._store_pool.shutdown(wait=True, cancel_futures=False)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _notify(self, job: Job | None) -> None:
        with self.changed:
            self.changed.notify_all()
        if job is not None and self.on_change is not None:
            try:
                self.on_change(job)
            except Exception:  # a listener must never break the runner
                log.exception("job listener failed")

    # --- work -----------------------------------------------------------------------------------
    def _work(self, q: queue.Queue) -> None:
        while not self._stop.is_set():
            try:
                job_id = q.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._drive(job_id)
            except Exception as exc:  # never let one job kill a worker
                log.exception("job %s crashed", job_id)
                self._fail(job_id, redact(f"internal error: {exc}"), retryable=False)
            finally:
                with self._lock:
                    self._pending.discard(job_id)

    def _sleep(self, seconds: float) -> bool:
        """Wait; returns True when the runner is stopping."""
        return self._stop.wait(max(0.0, seconds))

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.backoff_max_s, max(0.0, retry_after))
        delay = self.backoff_base_s * (2 ** attempt)
        return min(self.backoff_max_s, delay * (0.8 + 0.4 * random.random()))

    def _fail(self, job_id: str, message: str, *, retryable: bool) -> None:
        job = update_job(job_id, unless=TERMINAL, status=FAILED, error=redact(message)[:2000],
                         error_retryable=retryable)
        log.info("job %s failed: %s", job_id, redact(message))
        self._notify(job)

    def _drive(self, job_id: str) -> None:
        job = load_job(job_id)
        if job is None or job.status in TERMINAL:
            return
        adapter = get_adapter(job.provider)
        request = ProviderRequest.from_json(job.request["provider_request"])
        if not job.operation_id:
            result = self._submit(job, adapter, request)
            if result is None:
                return
            if result.operation_id:
                job = update_job(job_id, unless=(CANCELLED,), operation_id=result.operation_id,
                                 status=SUBMITTED if result.status not in TERMINAL else job.status)
                self._notify(job)
            if result.status == SUCCEEDED:
                self._store_or_repoll(job_id, adapter, result.outputs, job.provider)
                return
            if result.status == FAILED:
                self._fail(job_id, "provider reported failure on submission", retryable=False)
                return
            if self._stop.is_set():
                return
        self._poll_until_done(job_id, adapter, request)

    def _submit(self, job: Job, adapter: Any, request: ProviderRequest):
        for attempt in range(self.max_retries + 1):
            if self._stop.is_set():
                return None
            current = load_job(job.id)
            if current is None or current.status in TERMINAL:
                return None
            update_job(job.id, attempts=current.attempts + 1)
            try:
                return adapter.submit(request=request)
            except ProviderError as exc:
                if getattr(exc, "maybe_accepted", False):
                    # Re-sending could start (and bill) a second generation; let the user decide.
                    self._fail(job.id, f"{exc.message} — the provider may have accepted the request, so it was "
                                       "not sent again automatically; retry the job to send it again.", retryable=True)
                    return None
                if not exc.retryable or attempt == self.max_retries:
                    self._fail(job.id, exc.message, retryable=exc.retryable)
                    return None
                log.info("job %s: submit attempt %d failed (%s); retrying", job.id, attempt + 1, redact(exc.message))
                if self._sleep(self._backoff(attempt, exc.retry_after_s)):
                    return None
            except StoryreelError as exc:
                self._fail(job.id, exc.message, retryable=False)
                return None
        return None

    def _poll_until_done(self, job_id: str, adapter: Any, request: ProviderRequest) -> None:
        delay = self.poll_initial_s
        errors = 0
        while not self._sleep(delay):
            job = load_job(job_id)
            if job is None or job.status in TERMINAL:
                return
            try:
                result = adapter.poll(request=request, operation_id=job.operation_id)
            except ProviderError as exc:
                if exc.awaiting_credentials:
                    # The provider is running (and billing) this job: refused credentials never fail
                    # it. Say so on the job and keep asking, slowly, until the credentials work again.
                    if not job.error.startswith(AWAITING_CREDENTIALS):
                        log.warning("job %s: %s", job_id, redact(exc.message))
                        self._notify(update_job(job_id, unless=TERMINAL, error=f"{AWAITING_CREDENTIALS}: {exc.message}"))
                    delay = self.backoff_max_s
                    continue
                errors += 1
                if not exc.retryable or errors > self.max_retries:
                    self._fail(job_id, exc.message, retryable=exc.retryable)
                    return
                delay = self._backoff(errors - 1, exc.retry_after_s)
                continue
            except StoryreelError as exc:
                self._fail(job_id, exc.message, retryable=False)
                return
            if result.status == SUCCEEDED:
                self._store_pool.submit(self._store_or_repoll, job_id, adapter, result.outputs, job.provider)
                return
            if result.status == FAILED:
                self._fail(job_id, result.error or "the provider reported failure", retryable=result.retryable)
                return
            if result.status == CANCELLED:
                job = update_job(job_id, unless=TERMINAL, status=CANCELLED, error=result.error or "cancelled")
                self._notify(job)
                return
            fields: dict[str, Any] = {"status": RUNNING}
            if result.progress is not None:
                fields["progress"] = float(result.progress)
            if job.error.startswith(AWAITING_CREDENTIALS):
                fields["error"] = ""  # the credentials work again
            if job.status != RUNNING or len(fields) > 1:
                self._notify(update_job(job_id, unless=TERMINAL, **fields))
            errors = 0
            delay = min(self.poll_max_s, delay * self.poll_factor)

    def _store_or_repoll(self, job_id: str, adapter: Any, outputs: list, provider: str) -> None:
        try:
            self._finish(job_id, adapter, outputs)
        except ProviderError as exc:
            # The outputs could not be fetched (e.g. an expired link): poll again for fresh ones, a
            # bounded number of times — the operation id keeps the result reachable.
            n = self._store_failures[job_id] = self._store_failures.get(job_id, 0) + 1
            if n > self.max_retries or self._stop.is_set():
                if n > self.max_retries:
                    self._fail(job_id, f"download failed: {exc.message}", retryable=True)
                return
            self._sleep(self._backoff(n - 1, exc.retry_after_s))
            with self._lock:
                self._pending.discard(job_id)
            self.enqueue(job_id=job_id, provider=provider)
        except Exception as exc:
            log.exception("storing job %s failed", job_id)
            self._fail(job_id, redact(f"storing the result failed: {exc}"), retryable=False)

    def _finish(self, job_id: str, adapter: Any, outputs: list) -> None:
        from core.jobs.results import store_output

        if not outputs:
            self._fail(job_id, "the provider finished without any output", retryable=False)
            return
        # Download outside the lock (slow); store under it so one job is stored once.
        downloaded = [(o, o.data if o.data is not None or (o.url or "").startswith("file://")
                       else adapter.download(output=o)) for o in outputs]
        with _job_lock(job_id):
            job = load_job(job_id)
            if job is None or job.status == SUCCEEDED:
                return
            assets = [store_output(job=job, output=o, data=d, first=(i == 0)) for i, (o, d) in enumerate(downloaded)]
            ids = [a.media_id for a in assets]
            request = dict(job.request or {})
            if len(ids) > 1:
                request["result_media_ids"] = ids
            # Cached before the job reads as succeeded: whoever waits on it and asks again at once
            # must get the cache hit.
            if job.cache_key:
                cache.store(key=job.cache_key, media_id=ids[0])
            job = update_job(job_id, status=SUCCEEDED, result_media_id=ids[0], progress=1.0, error="",
                             request=request)
        log.info("job %s succeeded: %s", job_id, ids[0])
        self._notify(job)

    # --- waiting --------------------------------------------------------------------------------
    def wait(self, *, job_id: str, timeout_s: float | None = None) -> Job:
        """Block until the job is terminal; returns it. Raises TimeoutError (job keeps running)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            job = load_job(job_id)
            if job is not None and job.status in TERMINAL:
                return job
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"job {job_id} still {job.status if job else 'missing'} after {timeout_s}s")
            with self.changed:
                self.changed.wait(timeout=0.2 if left is None else min(0.2, left))
