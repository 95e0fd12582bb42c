"""Jobs: every generation is validated, checked against the cache, persisted, then queued for
the job engine (:mod:`core.jobs.runner`: any worker of any process takes it, DESIGN §5).

    job = submit_job(provider="google", model="veo-3.1-generate-001", params={"prompt": "…"},
                     inputs={"image": keyframe_media_id}, project_id=1, shot_id=7)
    job = wait_for(job_id=job.id, timeout_s=600)   # or poll get_job(job_id=…) from a page

Order of checks in ``submit_job`` (each failing before anything is stored or sent): registry
validation → input files → cache → credentials → identical job in flight (joined) → persist → queue.
"""
from __future__ import annotations

import mimetypes
import threading
import time
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.accounts.identity import current_user
from core.accounts.service import require_current
from core.accounts.spend import admit_job
from core.credentials import require_setting
from core.db import session
from core.errors import InvalidInput, NotFound, ProviderError, StoryreelError
from core.jobs import cache, kinds, leases, queue
from core.jobs.runner import JobRunner, load_job
from core.models import (
    ACTIVE_STATUSES, CANCELLED, FAILED, FINISHED_STATUSES, JOB_STATUSES, QUEUED, SUCCEEDED, UNKNOWN_OUTCOME, Job,
    MediaAsset,
)
from core.providers import get_adapter, required_settings
from core.providers.base import InputFile, ProviderRequest
from core.media.files import sha256_file
from core.media.info import sniff_media_type
from core.media_assets import asset_path, create_asset, get_asset
from core.registry import get_registry

__all__ = ["JobRunner", "submit_job", "get_job", "list_jobs", "wait_for", "cancel_job", "resend_job", "run_sync",
           "get_runner", "set_runner", "reset_runner", "enqueue", "wait_all", "require_succeeded"]

_runner: JobRunner | None = None
_runner_lock = threading.Lock()


def get_runner() -> JobRunner:
    """Return the process-wide runner, starting it on first use with STORYREEL_WORKERS slots (which
    take over unfinished jobs no live worker holds)."""
    global _runner
    with _runner_lock:
        if _runner is None or _runner.stopped:
            _runner = JobRunner()
        return _runner


def set_runner(runner: JobRunner | None) -> None:
    """Install ``runner`` as the process-wide runner (tests, bench, app start-up with custom limits);
    the one it replaces is stopped (its jobs handed back), so no worker threads are left behind."""
    global _runner
    with _runner_lock:
        old, _runner = _runner, runner
    if old is not None and old is not runner and not old.stopped:
        old.stop()


def reset_runner() -> None:
    """Stop and forget the process-wide runner."""
    global _runner
    with _runner_lock:
        if _runner is not None:
            _runner.stop()
        _runner = None
    queue.close_all()


def enqueue(*, job: Job) -> None:
    """Queue a persisted job for the workers (this process's runner, or any worker process)."""
    get_runner().enqueue(job_id=job.id, provider=job.provider)


def _mime_of(path: Path) -> str:

    with open(path, "rb") as fh:
        head = fh.read(4096)
    return sniff_media_type(data=head) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _resolve_one(ref: Any, *, field: str, project_id: int | None) -> tuple[InputFile, str]:
    """Return (InputFile, content hash) for a media id or a file path. A path is stored as an asset
    first, so the job still finds it after a restart and the metadata can name it by id."""

    if isinstance(ref, InputFile):
        ref = ref.media_id or ref.path
    text = str(ref)
    candidate = Path(text)
    if isinstance(ref, Path) or (("/" in text or "\\" in text or "." in text) and candidate.is_file()):
        if not candidate.is_file():
            raise InvalidInput(f"{field}: no such file {candidate.name}", field=field)
        mime = _mime_of(candidate)
        kind = {"image": "image", "video": "video", "audio": "voice"}.get(mime.split("/")[0])
        if kind is None:
            raise InvalidInput(f"{field}: {candidate.name} is not an image, video or audio file", field=field)
        digest = sha256_file(candidate)
        with session() as s:  # the same file given twice is one asset
            asset = s.exec(select(MediaAsset).where(MediaAsset.content_hash == digest,
                                                    MediaAsset.project_id == project_id)).first()
        if asset is None:
            asset = create_asset(type=kind, project_id=project_id, src_path=candidate, mime=mime,
                                 operation="upload", label=candidate.name)
    else:
        try:
            asset = get_asset(media_id=text)
        except NotFound:
            raise InvalidInput(f"{field}: {text!r} is neither a media id nor an existing file", field=field) from None
    path = asset_path(media_id=asset.media_id)
    return InputFile(path=str(path), mime=asset.mime_type, media_id=asset.media_id), asset.content_hash or sha256_file(path)


def _file_params(cap: Any) -> set[str]:
    return {f.name for f in cap.fields() if f.is_uri or f.is_uri_list}


def submit_job(*, provider: str, model: str, params: dict[str, Any], operation: str | None = None,
               project_id: int | None = None, shot_id: int | None = None, character_id: str | None = None,
               inputs: dict[str, Any] | None = None, force: bool = False, context: dict | None = None,
               runner: JobRunner | None = None) -> Job:
    """Validate, cache-check, persist and queue one generation; returns the Job.

    ``inputs`` maps file parameters (start frame, reference images, audio…) to media ids or paths
    (or lists of them); file parameters may also be given in ``params``. A cache hit returns a Job
    already ``succeeded`` with the cached ``result_media_id`` and calls no provider; ``force``
    skips the cache (pass a new seed to get a different result).

    Raises UnsupportedCapability (unknown model), InvalidCombination (every broken rule, before
    anything is stored or sent), InvalidInput (missing input file), MissingCredentials (naming the
    setting, before anything is stored), SpendLimitExceeded (a project budget or daily limit would be passed),
    Forbidden (sign-in on and the current user's role may not generate, or spend on a paid job).
    """

    require_current(action="generate", project_id=project_id)  # raises Forbidden (a viewer)
    cap = get_registry().get(provider=provider, model=model, operation=operation)
    adapter = get_adapter(cap.provider)
    files = _file_params(cap)
    params = dict(params or {})
    refs: dict[str, Any] = dict(inputs or {})
    for name in list(params):
        if name in files:
            refs.setdefault(name, params.pop(name))
    refs = {k: v for k, v in refs.items() if v not in (None, [], "")}
    # Validation sees file params as their references, so rules about frames and references apply.
    as_text = {k: [str(x) for x in v] if isinstance(v, (list, tuple)) else str(v) for k, v in refs.items()}
    validated = cap.validate({**params, **as_text})
    plain = {k: v for k, v in validated.items() if k not in files}

    resolved: dict[str, Any] = {}
    hashes: dict[str, Any] = {}
    for name, ref in refs.items():
        if isinstance(ref, (list, tuple)):
            pairs = [_resolve_one(r, field=name, project_id=project_id) for r in ref]
            resolved[name] = [p[0] for p in pairs]
            hashes[name] = [p[1] for p in pairs]
        else:
            resolved[name], hashes[name] = _resolve_one(ref, field=name, project_id=project_id)

    # Documented size/length limits of input files, checked before anything is stored or sent.
    lengths = cap.check_input_files({k: [f.path for f in v] if isinstance(v, list) else v.path
                                     for k, v in resolved.items()})
    # A model run by version (a community Replicate model's latest, re-read daily) is another
    # model once its version changes: the version is part of the key.
    model_id = f"{cap.model}@{cap.version}" if cap.version and not cap.model.endswith(cap.version) else cap.model
    key = cache.make_key(provider=cap.provider, model=model_id, operation=cap.operation,
                         adapter_version=adapter.version, params=plain, input_hashes=hashes)
    ids = {k: [f.media_id for f in v] if isinstance(v, list) else v.media_id for k, v in resolved.items()}
    base = dict(provider=cap.provider, model=cap.model, kind=cap.operation, project_id=project_id,
                shot_id=shot_id, character_id=character_id, cache_key=key, created_by=current_user())
    if not force:
        hit = cache.lookup(key=key)
        if hit is not None:
            job = Job(**base, status=SUCCEEDED, progress=1.0, result_media_id=hit,
                      request={"params": plain, "inputs": ids, "context": context or {}, "cache_hit": True,
                               "media_type": cap.media_type})
            with session() as s:
                s.add(job)
            kinds.apply_results(job=job, media_ids=[hit])
            return job

    for setting in required_settings(cap=cap):
        require_setting(provider=cap.provider, setting=setting)

    request: ProviderRequest = adapter.build_request(cap=cap, params=plain, inputs=resolved)
    used = {"start_frame": ids.get(cap.field_for_role("start_frame") or ""),
            "end_frame": ids.get(cap.field_for_role("end_frame") or ""),
            "reference_images": ids.get(cap.field_for_role("reference_images") or "") or []}
    if isinstance(used["reference_images"], str):
        used["reference_images"] = [used["reference_images"]]
    try:
        # Without a duration parameter, the input audio's length is what is billed (lip sync, voice changer).
        audio = cap.field_for_role("audio")
        billed_s = lengths.get(audio) if audio and not cap.field_for_role("duration") else None
        cost = cap.estimate_cost(plain, duration_s=billed_s)
    except Exception:  # a price hint must never block a generation
        cost = None
    job = Job(**base, status=QUEUED, inflight_key=None if force else key, request={
        "provider_request": request.to_json(), "params": plain, "inputs": ids, "used": used,
        "context": context or {}, "media_type": cap.media_type, "cost_estimate_usd": cost,
        "adapter_version": adapter.version, "force": bool(force)})
    if not force:
        joined = _join(key, job)
        if joined is not None:
            return joined
    if cost:
        require_current(action="spend", project_id=project_id)
    try:  # budgets: checked and reserved in one transaction; raises SpendLimitExceeded
        admit_job(job=job, cost=cost)
    except IntegrityError:  # an identical request was persisted meanwhile (unique in-flight key): join it
        joined = _join(key, job)
        if joined is None:
            raise
        return joined
    (runner or get_runner()).enqueue(job_id=job.id, provider=job.provider)
    return job


def _join(key: str, asked: Job) -> Job | None:
    """Return the unfinished job doing exactly this work (same cache key), if any; when ``asked``
    wants the result somewhere else (another shot, line or purpose) it is recorded in the job's
    ``request["joined"]`` so the result handler puts it there too."""
    with session() as s:
        job = s.exec(select(Job).where(Job.inflight_key == key)).first()
        if job is None:
            return None
        target = {"shot_id": asked.shot_id, "character_id": asked.character_id,
                  "context": (asked.request or {}).get("context") or {}}
        mine = {"shot_id": job.shot_id, "character_id": job.character_id,
                "context": (job.request or {}).get("context") or {}}
        joined = list((job.request or {}).get("joined") or [])
        if target != mine and target not in joined and target["context"].get("purpose"):
            job.request = {**job.request, "joined": [*joined, target]}
            s.add(job)
    return job


def get_job(*, job_id: str) -> Job:
    """Return the job; raises NotFound."""
    job = load_job(job_id)
    if job is None:
        raise NotFound(f"No job with id {job_id!r}.", field="job_id")
    return job


def list_jobs(*, project_id: int | None = None, status: str | None = None, limit: int = 100) -> list[Job]:
    """Return jobs, newest first: of one project and/or one status (``active`` = every unfinished
    status). Raises InvalidInput for an unknown status."""
    if status is not None and status != "active" and status not in JOB_STATUSES:
        raise InvalidInput(f"status must be active or one of {', '.join(JOB_STATUSES)}", field="status")
    q = select(Job)
    if project_id is not None:
        q = q.where(Job.project_id == project_id)
    if status == "active":
        q = q.where(Job.status.in_(ACTIVE_STATUSES))
    elif status is not None:
        q = q.where(Job.status == status)
    with session() as s:
        return list(s.exec(q.order_by(Job.created_at.desc()).limit(max(1, min(limit, 1000)))).all())


def job_states(*, project_id: int, limit: int = 200) -> list[tuple[str, str]]:
    """Return (id, status) of the project's newest ``limit`` jobs, newest first: what a page compares
    to notice jobs starting or ending, without loading their requests."""
    q = select(Job.id, Job.status).where(Job.project_id == project_id).order_by(Job.created_at.desc()).limit(limit)
    with session() as s:
        return [(i, st) for i, st in s.exec(q).all()]


def wait_for(*, job_id: str, timeout_s: float | None = None, runner: JobRunner | None = None) -> Job:
    """Block until the job is finished (succeeded, failed, cancelled or unknown_outcome) and
    return it. For the CLI and tests: pages never wait.

    Raises NotFound, TimeoutError (the job keeps running in the background).
    """
    get_job(job_id=job_id)
    return (runner or get_runner()).wait(job_id=job_id, timeout_s=timeout_s)


def wait_all(*, job_ids: list[str], timeout_s: float | None = None, on_finished: Callable[[Job], None] | None = None,
             should_stop: Callable[[], bool] | None = None, partial: bool = True) -> list[Job]:
    """The one "submit many and wait" helper (CLI, film command, tests — pages never wait): wait
    for every job, calling ``on_finished(job)`` as each one finishes (in finishing order); returns
    the jobs in the given order as they are at the end.

    When ``should_stop()`` answers True the unfinished ones are cancelled and the wait ends. When
    ``timeout_s`` passes, unfinished jobs keep running in the background and are returned as they
    are (``partial``), or TimeoutError is raised (``partial=False``). Raises NotFound.
    """
    runner = get_runner()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    pending = list(dict.fromkeys(job_ids))
    for job_id in pending:
        get_job(job_id=job_id)
    while pending:
        if should_stop is not None and should_stop():
            for job_id in pending:
                try:
                    cancel_job(job_id=job_id)
                except StoryreelError:  # a started paid job that cannot be cancelled still lands
                    pass
            break
        for job_id in list(pending):
            job = load_job(job_id)
            if job is not None and job.status in FINISHED_STATUSES:
                pending.remove(job_id)
                if on_finished is not None:
                    on_finished(job)
        if not pending:
            break
        if deadline is not None and time.monotonic() > deadline:
            if not partial:
                raise TimeoutError(f"{len(pending)} of {len(job_ids)} jobs still running after {timeout_s}s")
            break
        with runner.changed:
            runner.changed.wait(timeout=0.2)
    return [get_job(job_id=j) for j in job_ids]


def require_succeeded(*, jobs: list[Job], what: str) -> list[Job]:
    """Return ``jobs`` when all succeeded; raises ProviderError naming the first one that did not
    (``what`` n of m: its error)."""
    for n, job in enumerate(jobs, 1):
        if job.status != SUCCEEDED or not job.result_media_id:
            raise ProviderError(f"{what} {n} of {len(jobs)} failed: {job.error or job.status}",
                                provider=job.provider, retryable=job.error_retryable)
    return jobs


def wait_succeeded(*, jobs: list[Job], what: str, on_progress: Callable[[str], None] | None = None,
                   timeout_per_job_s: float = 600.0) -> list[Job]:
    """Wait for ``jobs`` (telling ``on_progress`` "<what> n/N ready" as each ends) and return them
    ended, in order (CLI, film command, tests — pages never wait). Raises ProviderError naming the
    first one that did not succeed."""
    done = {"n": 0}

    def finished(_job) -> None:
        done["n"] += 1
        if on_progress:
            on_progress(f"{what} {done['n']}/{len(jobs)} ready")

    ended = wait_all(job_ids=[j.id for j in jobs], timeout_s=timeout_per_job_s * max(1, len(jobs)),
                     on_finished=finished)
    return require_succeeded(jobs=ended, what=what)


def cancel_job(*, job_id: str) -> Job:
    """Cancel a job and return it. A queued job is simply dropped; a render stops at its next
    progress step; a submitted one is cancelled at the provider when the provider allows it.

    Raises NotFound; UnsupportedCapability when the provider cannot cancel a started job (the job
    then keeps running, since it is paid for anyway, and its result is stored).
    """
    job = get_job(job_id=job_id)
    if job.status in FINISHED_STATUSES:
        return job
    if job.operation_id and kinds.work_for(provider=job.provider) is None:
        adapter = get_adapter(job.provider)
        request = ProviderRequest.from_json(job.request["provider_request"])
        adapter.cancel(request=request, operation_id=job.operation_id)
    leases.finish(job_id=job_id, worker=None, status=CANCELLED, error="cancelled by user")
    return get_job(job_id=job_id)


def resend_job(*, job_id: str) -> Job:
    """Send again, once the user confirmed it, a job whose outcome is unknown (the provider may have
    accepted the first request and may bill both) or that failed with a retryable error; returns
    the job, queued again under the same id.

    Raises NotFound; Forbidden (a role that may not spend); InvalidInput when the job is in another
    state (only ``unknown_outcome`` and retryable ``failed`` jobs can be sent again).
    """
    job = get_job(job_id=job_id)
    require_current(action="spend", project_id=job.project_id)
    if not (job.status == UNKNOWN_OUTCOME or (job.status == FAILED and job.error_retryable)):
        raise InvalidInput(f"job {job_id} is {job.status}: only a job whose outcome is unknown, or that failed "
                           "with a temporary error, can be sent again", field="job_id")
    request = dict(job.request or {}) | {"resent_after": job.status}
    for key in ("reconcile_tries", "poll_errors", "polls", "store_failures"):
        request.pop(key, None)
    with session() as s:
        row = s.get(Job, job_id)
        row.status, row.operation_id, row.error, row.progress = QUEUED, None, "", 0.0
        row.worker, row.lease_expires_at, row.submitted_at, row.request = None, None, None, request
        s.add(row)
    get_runner().enqueue(job_id=job_id, provider=job.provider)
    return get_job(job_id=job_id)


def run_sync(*, provider: str, model: str, params: dict[str, Any], timeout_s: float | None = 600,
             **kwargs: Any) -> Job:
    """Submit a job and wait for it (CLI, tests); returns the terminal Job. Same arguments and
    errors as :func:`submit_job`, plus TimeoutError."""
    job = submit_job(provider=provider, model=model, params=params, **kwargs)
    if job.status in FINISHED_STATUSES:
        return job
    return wait_for(job_id=job.id, timeout_s=timeout_s, runner=kwargs.get("runner"))

