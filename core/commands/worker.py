"""``python -m core worker [--workers N]``: run job workers alone (no app, no API) against the
configured database, queue and media store (``DATABASE_URL``, ``STORYREEL_QUEUE_URL``,
``STORYREEL_MEDIA_URL``) until interrupted.

Any number of these, on any number of machines sharing the database, the queue and an S3 media store
(no shared disk: each keeps its own data dir as scratch space and a cache), may run beside the
app and the API (which run ``STORYREEL_WORKERS`` workers of their own; 0 leaves all work to these).
On start a worker takes over every unfinished job no live worker holds; a periodic sweep does the
same for jobs whose worker died.
"""
from __future__ import annotations

import argparse
import importlib
import signal
import threading

from core.errors import InvalidInput
from core.jobs import queue
from core.jobs.runner import JobRunner
from core.jobs.service import get_runner, reset_runner, set_runner
from core.settings import get_settings
from core.storage import check_media_store, prune_media_cache

# Modules that register job work kinds and result handlers (core.jobs.kinds) when imported: every
# process that runs workers imports them first, so any worker can finish any job.
KIND_MODULES = ("core.render.service", "core.generation.shots", "core.generation.voiceover",
                "core.generation.soundtrack", "core.generation.effects",
                "core.recording.convert", "core.recording.line_takes")


def load_job_kinds() -> None:
    """Import every module that registers job kinds and result handlers."""
    for name in KIND_MODULES:
        importlib.import_module(name)


def start_workers(*, workers: int | None = None, poll_s: float | None = None):
    """Register the job kinds and start this process's workers (``workers`` slots, default
    STORYREEL_WORKERS; ``poll_s`` a fixed poll interval instead of the 2 s → 20 s backoff); returns
    the process-wide runner (with 0 slots it only queues)."""

    load_job_kinds()
    if workers is None and poll_s is None:
        return get_runner()
    polling = {} if poll_s is None else {"poll_initial_s": poll_s, "poll_max_s": poll_s, "poll_factor": 1.0}
    runner = JobRunner(workers=workers, **polling)
    set_runner(runner)
    return runner


def handle(args: argparse.Namespace, *, until: threading.Event | None = None) -> int:
    """Run workers until SIGINT/SIGTERM (or ``until`` is set); returns 0. Raises InvalidInput for a
    bad ``--workers`` or STORYREEL_QUEUE_URL."""

    if args.workers is not None and not 1 <= args.workers <= 64:
        raise InvalidInput(f"--workers must be between 1 and 64 (got {args.workers}).", field="workers")
    queue.storage()  # a bad STORYREEL_QUEUE_URL fails here, before anything runs
    store = check_media_store()  # so does an unreachable STORYREEL_MEDIA_URL bucket
    prune_media_cache()  # with an S3 store: local copies unused for a week go (fetched again on use)
    stop = until or threading.Event()
    if until is None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())

    if args.poll_s is not None and not 0.05 <= args.poll_s <= 60:
        raise InvalidInput(f"--poll-s must be between 0.05 and 60 (got {args.poll_s}).", field="poll_s")
    runner = start_workers(workers=args.workers or get_settings().storyreel_workers or 2, poll_s=args.poll_s)
    print(f"[worker] {runner.worker_id}: {runner.workers} workers on {queue.queue_url().split('@')[-1]}, "
          f"media in {store}", flush=True)
    try:
        stop.wait()
    finally:
        reset_runner()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``worker`` command."""
    parser = subparsers.add_parser("worker", help="run job workers (generations and renders)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=None,
                        help="worker slots in this process (default STORYREEL_WORKERS, else 2)")
    parser.add_argument("--poll-s", type=float, default=None,
                        help="poll providers every this many seconds (default: 2 s growing to 20 s)")
    parser.set_defaults(func=handle)
