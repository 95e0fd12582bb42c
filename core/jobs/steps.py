"""The provider steps of a job (submit, reconcile, poll, store), mixed into the JobRunner: each runs
only in the worker that holds the job's lease (``core.jobs.leases``) and ends by parking the job
for its next step or finishing it. See ``core.jobs.runner`` for the guarantees."""
from __future__ import annotations

import logging
from typing import Any

from core.credentials import redact
from core.db import session
from core.errors import ProviderError, StoryreelError
from core.jobs import cache, kinds, leases
from core.jobs.results import store_output
from core.models import CANCELLED, FAILED, QUEUED, RUNNING, STORING, SUBMITTED, SUBMITTING, SUCCEEDED, Job, utcnow
from core.providers.base import ProviderRequest, Reconciled

log = logging.getLogger("storyreel.jobs")
# Prefix of Job.error while a running job waits for credentials the provider accepts again.
AWAITING_CREDENTIALS = "waiting for working credentials"


def load_job(job_id: str) -> Job | None:
    """Return the job as stored, or None."""
    with session() as s:
        return s.get(Job, job_id)


class ProviderSteps:
    """What a worker does with a provider job it has claimed (the JobRunner supplies ``_park``,
    ``_fail``, ``_unknown``, ``_backoff``, ``_notify`` and the runner's settings)."""

    def _submit(self, job: Job, adapter: Any) -> None:
        request = ProviderRequest.from_json(job.request["provider_request"])
        # Durable before anything is sent: after a crash this job is reconciled, never re-sent.
        sending = {"status": SUBMITTING, "submitted_at": utcnow(), "attempts": job.attempts + 1}
        if not leases.owned(job_id=job.id, worker=self.worker_id, when=(QUEUED,), **sending):
            return
        try:
            result = adapter.submit(request=request)
        except ProviderError as exc:
            if getattr(exc, "maybe_accepted", False):
                self._reconcile(load_job(job.id), adapter, why=exc.message)
            elif exc.retryable and job.attempts < self.max_retries:
                log.info("job %s: create refused (%s); retrying", job.id, redact(exc.message))
                # Refused (429, 503 before acceptance): nothing was started, so it may be sent again.
                self._park(job.id, self._backoff(job.attempts, exc.retry_after_s), status=QUEUED,
                           error=redact(exc.message)[:500])
            else:
                self._fail(job.id, exc.message, retryable=exc.retryable)
            return
        except StoryreelError as exc:
            self._fail(job.id, exc.message, retryable=False)
            return
        fields: dict[str, Any] = {"error": ""}
        if result.operation_id:
            fields.update(operation_id=result.operation_id, status=SUBMITTED)
        if result.status == SUCCEEDED:
            fields["status"] = STORING  # no longer occupies the provider
        if not leases.owned(job_id=job.id, worker=self.worker_id, **fields):
            return
        if result.status == SUCCEEDED:
            self._store(job.id, adapter, result.outputs)
        elif result.status == FAILED:
            self._fail(job.id, "provider reported failure on submission", retryable=False)
        elif not result.operation_id:
            self._fail(job.id, "the provider answered without an operation id", retryable=False)
        else:
            self._park(job.id, self.poll_initial_s)

    def _reconcile(self, job: Job | None, adapter: Any, *, why: str = "the worker stopped while the request was being sent") -> None:
        if job is None:
            return
        fn = getattr(adapter, "reconcile", None)
        if fn is None:
            self._unknown(job.id, why)
            return
        request = ProviderRequest.from_json(job.request["provider_request"])
        tries = int((job.request or {}).get("reconcile_tries", 0)) + 1
        try:
            found: Reconciled = fn(request=request, submitted_at=job.submitted_at or job.updated_at,
                                   taken_ids=leases.operation_ids(provider=job.provider, exclude=job.id))
        except ProviderError as exc:
            if tries > self.max_retries:
                self._unknown(job.id, f"{why}; the provider's list could not be read ({exc.message})")
            else:
                self._park(job.id, self._backoff(tries - 1, exc.retry_after_s),
                           request={**job.request, "reconcile_tries": tries})
            return
        log.info("job %s reconciled: %s %s", job.id, found.outcome, found.operation_id or "")
        if found.outcome == "found" and found.operation_id:
            if leases.owned(job_id=job.id, worker=self.worker_id, operation_id=found.operation_id,
                            status=SUBMITTED, request={**job.request, "reconciled": True}):
                self._park(job.id, 0.0)
        elif found.outcome == "absent":
            if leases.owned(job_id=job.id, worker=self.worker_id, status=QUEUED):
                self._park(job.id, 0.0)
        elif found.outcome == "pending":
            self._park(job.id, max(1.0, self.poll_initial_s), request={**job.request, "reconcile_tries": tries})
        else:
            self._unknown(job.id, f"{why}; {found.message}" if found.message else why)

    def _poll(self, job: Job, adapter: Any) -> None:
        request = ProviderRequest.from_json(job.request["provider_request"])
        req = dict(job.request or {})
        try:
            result = adapter.poll(request=request, operation_id=job.operation_id)
        except ProviderError as exc:
            if exc.awaiting_credentials:
                # The provider is running (and billing) this job: refused credentials never fail
                # it. Say so on the job and keep asking, slowly, until the credentials work again.
                if not job.error.startswith(AWAITING_CREDENTIALS):
                    log.warning("job %s: %s", job.id, redact(exc.message))
                self._park(job.id, self.backoff_max_s, error=f"{AWAITING_CREDENTIALS}: {redact(exc.message)}"[:2000])
                return
            errors = int(req.get("poll_errors", 0)) + 1
            if not exc.retryable or errors > self.max_retries:
                self._fail(job.id, exc.message, retryable=exc.retryable)
            else:
                self._park(job.id, self._backoff(errors - 1, exc.retry_after_s), request={**req, "poll_errors": errors})
            return
        except StoryreelError as exc:
            self._fail(job.id, exc.message, retryable=False)
            return
        if result.status == SUCCEEDED:
            if leases.owned(job_id=job.id, worker=self.worker_id, status=STORING):  # frees the provider's slot
                self._store(job.id, adapter, result.outputs)
        elif result.status == FAILED:
            self._fail(job.id, result.error or "the provider reported failure", retryable=result.retryable)
        elif result.status == CANCELLED:
            leases.finish(job_id=job.id, worker=self.worker_id, status=CANCELLED, error=result.error or "cancelled")
        else:
            polls = int(req.get("polls", 0)) + 1
            delay = min(self.poll_max_s, self.poll_initial_s * (self.poll_factor ** polls))
            fields: dict[str, Any] = {"status": RUNNING, "request": {**req, "polls": polls, "poll_errors": 0}}
            if result.progress is not None:
                fields["progress"] = float(result.progress)
            if job.error.startswith(AWAITING_CREDENTIALS):
                fields["error"] = ""  # the credentials work again
            self._park(job.id, delay, **fields)

    def _store(self, job_id: str, adapter: Any, outputs: list) -> None:
        job = load_job(job_id)
        if job is None or job.worker != self.worker_id:
            return
        if not outputs:
            self._fail(job_id, "the provider finished without any output", retryable=False)
            return
        try:
            downloaded = [(o, o.data if o.data is not None or (o.url or "").startswith("file://")
                           else adapter.download(output=o)) for o in outputs]
        except ProviderError as exc:
            # The outputs could not be fetched (e.g. an expired link): poll again for fresh ones, a
            # bounded number of times — the operation id keeps the result reachable.
            n = int((job.request or {}).get("store_failures", 0)) + 1
            if n > self.max_retries or not job.operation_id:
                self._fail(job_id, f"download failed: {exc.message}", retryable=True)
            else:
                self._park(job_id, self._backoff(n - 1, exc.retry_after_s),
                           request={**job.request, "store_failures": n})
            return
        assets = [store_output(job=job, output=o, data=d, first=(i == 0)) for i, (o, d) in enumerate(downloaded)]
        ids = [a.media_id for a in assets]
        request = dict(job.request or {})
        if len(ids) > 1:
            request["result_media_ids"] = ids
        job.result_media_id = ids[0]
        problem = kinds.apply_results(job=job, media_ids=ids)
        if problem:  # the result is stored either way; say why it is not on its shot
            request["apply_error"] = redact(problem)[:500]
        # Cached before the job reads as succeeded: whoever waits on it and asks again at once
        # must get the cache hit.
        if job.cache_key:
            cache.store(key=job.cache_key, media_id=ids[0])
        if leases.finish(job_id=job_id, worker=self.worker_id, status=SUCCEEDED, result_media_id=ids[0],
                         progress=1.0, error="", request=request):
            log.info("job %s succeeded: %s", job_id, ids[0])
