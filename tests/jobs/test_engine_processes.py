"""The job engine across real processes (issue 13 cases a–c): `python -m core worker` processes and
`python -m core serve` on one data dir and one queue — the default SQLite file and a real Redis —
against the Replicate emulator. Paid creates are counted by the emulator itself."""
from __future__ import annotations

import time

import httpx
import pytest

from core.breakdowns import list_shots, update_shot
from core.jobs.runner import JobRunner, load_job
from core.jobs.service import get_job, set_runner, submit_job
from tests.emulators.server import Fault, free_port
from tests.jobs.conftest import IMAGE, LEASE_S, wait_until

pytestmark = pytest.mark.multiprocess


def _queue_only():
    """This test process only queues (0 worker slots): the worker processes do the work."""
    runner = JobRunner(workers=0)
    set_runner(runner)
    return runner


def _finished(job_id: str):
    job = get_job(job_id=job_id)
    return job if job.status in ("succeeded", "failed", "cancelled", "unknown_outcome") else None


def test_two_workers_and_the_api_pay_once_per_job(queue_mode, replicate, procs, data_dir, capsys):
    """(a) 8 slow jobs behind 429s, two worker processes plus the API (with a worker of its own):
    exactly 8 predictions created, 8 results stored."""
    _queue_only()
    replicate.faults.add(Fault(kind="status", route="create", status=429, retry_after=0.3), times=6)
    port = free_port()
    api = procs.start("serve", "--port", str(port), name="api", STORYREEL_WORKERS="1")
    workers = [procs.worker(workers=2, name=f"worker{i}") for i in range(2)]
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: _up(base), timeout_s=60, what="the API")
    started = time.monotonic()
    ids = []
    for n in range(8):
        answer = httpx.post(f"{base}/ai/image/generate", json={**IMAGE, "params": {"prompt": f"a lighthouse {n}"}},
                            timeout=30)
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["job_id"])
    done = [wait_until(lambda j=j: _finished(j), timeout_s=120, what=f"job {j}") for j in ids]
    wall = time.monotonic() - started
    assert [j.status for j in done] == ["succeeded"] * 8, [j.error for j in done]
    assert len(replicate.predictions) == 8, "a job was paid twice"
    assert len(replicate.calls("create")) == 8 + 6  # the 6 refused (429) creates were retried, not lost
    assert len({j.result_media_id for j in done}) == 8
    with capsys.disabled():
        print(f"\n[a:{'redis' if queue_mode != 'sqlite' else 'sqlite'}] 8 jobs, 3 processes: "
              f"{len(replicate.predictions)} creates, {len(replicate.calls('create'))} create calls "
              f"(6 answered 429), wall {wall:.1f}s")
    assert all(p.poll() is None for p in [api, *workers]), "a process died"


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_killed_worker_mid_poll_is_taken_over(queue_mode, replicate, procs, data_dir, capsys):
    """(b) `kill -9` of the only worker while it polls: a new worker finishes the job with no other
    request, 1 create."""
    _queue_only()
    replicate.steps = 40  # a long job: still running when its worker dies
    first = procs.worker(workers=1, name="first")
    job = submit_job(**IMAGE, params={"prompt": "a storm"})
    wait_until(lambda: len(replicate.calls("poll")) >= 2, timeout_s=60, what="the first polls")
    procs.kill9(first)
    killed_at = time.monotonic()
    stalled = get_job(job_id=job.id)
    assert stalled.status in ("submitted", "running") and stalled.operation_id
    replicate.steps = 1  # the prediction finishes at its next poll
    procs.worker(workers=1, name="second")
    done = wait_until(lambda: _finished(job.id), timeout_s=LEASE_S + 60, what="the takeover")
    took = time.monotonic() - killed_at
    assert done.status == "succeeded", done.error
    assert len(replicate.predictions) == 1 and len(replicate.calls("create")) == 1
    assert done.operation_id == stalled.operation_id
    with capsys.disabled():
        print(f"\n[b:{'redis' if queue_mode != 'sqlite' else 'sqlite'}] killed mid-poll -> finished by the new "
              f"worker {took:.1f}s after the kill (includes its start-up), 1 create")


def test_killed_during_create_is_reconciled_not_sent_again(queue_mode, replicate, procs, data_dir, capsys):
    """(c) `kill -9` while the emulator holds the create open: the create still lands at the
    provider; the new worker finds it in the prediction list and polls it — 1 create in total."""
    _queue_only()
    replicate.faults.add(Fault(kind="slow", route="create", delay_s=5.0))  # long enough to kill the worker inside it
    first = procs.worker(workers=1, name="first")
    job = submit_job(**IMAGE, params={"prompt": "a held create"})
    wait_until(lambda: len(replicate.calls("create")) == 1, timeout_s=60, what="the create request")
    assert load_job(job.id).status == "submitting" and load_job(job.id).submitted_at is not None
    procs.kill9(first)
    killed_at = time.monotonic()
    procs.worker(workers=1, name="second")
    done = wait_until(lambda: _finished(job.id), timeout_s=90, what="the reconciled job")
    took = time.monotonic() - killed_at
    assert done.status == "succeeded", done.error
    assert len(replicate.calls("create")) == 1 and len(replicate.predictions) == 1
    assert done.request.get("reconciled") is True and done.operation_id in replicate.predictions
    assert replicate.calls("list"), "the prediction list was never read"
    with capsys.disabled():
        print(f"\n[c:{'redis' if queue_mode != 'sqlite' else 'sqlite'}] killed during create -> reconciled from the "
              f"prediction list, finished {took:.1f}s after the kill, 1 create")


def _film_project(tmp_path):
    """The film tests' project (keyframes on every shot), built by their own helper."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("film_conftest", Path(__file__).parents[1] / "film" / "conftest.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    return helpers.make_project(tmp_path, voices=False)


def test_killed_worker_mid_render_is_resumed(queue_mode, procs, data_dir, tmp_path, monkeypatch, capsys):
    """(d) `kill -9` of the only worker while it renders the film: a new worker takes the render
    over (same job) and finishes it."""
    from core.media_assets import get_asset
    from core.render.service import start_render
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_JOB_LEASE_S", str(LEASE_S))
    get_settings.cache_clear()
    _queue_only()
    p = _film_project(tmp_path)
    # Long enough shots that the render is still under way when the worker is killed (the renderer
    # made a film of 1.5 s shots in well under a second, so the kill could land after the last frame).
    for shot in list_shots(project_id=p.id):
        update_shot(shot_id=shot.id, duration_s=8.0)
    first = procs.worker(workers=1, name="first")
    job = start_render(project_id=p.id, operation="film", options={"short_side": 360, "subtitles": "none"})
    wait_until(lambda: (j := load_job(job.id)).status == "running" and j.progress > 0.05, timeout_s=120,
               what="the render under way")
    procs.kill9(first)
    killed_at = time.monotonic()
    stalled = load_job(job.id)
    assert stalled.status == "running" and stalled.progress < 1.0
    procs.worker(workers=1, name="second")
    done = wait_until(lambda: _finished(job.id), timeout_s=240, what="the resumed render")
    took = time.monotonic() - killed_at
    assert done.status == "succeeded", done.error
    assert done.attempts >= 2 and get_asset(media_id=done.result_media_id).type == "render"
    with capsys.disabled():
        print(f"\n[d:{'redis' if queue_mode != 'sqlite' else 'sqlite'}] killed at {stalled.progress:.0%} of a film "
              f"render -> finished by the new worker {took:.1f}s after the kill")
