"""The job engine inside one process: identical work in flight joins one job (case e), a job whose
outcome is unknown is sent again only when asked (API and CLI), and the job list the pages and
the API read."""
from __future__ import annotations

import threading

import pytest

from core.jobs.runner import JobRunner
from core.jobs.service import get_job, list_jobs, set_runner, submit_job, wait_for
from tests.jobs.conftest import IMAGE


def test_identical_concurrent_requests_make_one_paid_call(queue_mode, replicate, capsys):
    """(e) 5 identical requests at once → one job, one create."""
    runner = JobRunner(workers=2, poll_initial_s=0.05, poll_max_s=0.05, poll_factor=1.0)
    set_runner(runner)
    try:
        barrier = threading.Barrier(5)
        jobs, errors = [], []

        def ask():
            barrier.wait()
            try:
                jobs.append(submit_job(**IMAGE, params={"prompt": "the same lighthouse"}))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors and len(jobs) == 5
        assert len({j.id for j in jobs}) == 1
        done = wait_for(job_id=jobs[0].id, timeout_s=60, runner=runner)
    finally:
        runner.stop()
        set_runner(None)
    assert done.status == "succeeded" and done.inflight_key is None
    assert len(replicate.calls("create")) == 1 and len(replicate.predictions) == 1
    # Finished: the same request now answers from the result cache, still without a create.
    again = submit_job(**IMAGE, params={"prompt": "the same lighthouse"})
    assert again.status == "succeeded" and again.request.get("cache_hit") and len(replicate.calls("create")) == 1
    with capsys.disabled():
        print(f"\n[e:{'redis' if queue_mode != 'sqlite' else 'sqlite'}] 5 identical concurrent requests -> "
              f"{len({j.id for j in jobs})} job, {len(replicate.calls('create'))} create")


def test_list_jobs_by_project_and_status(replicate):
    set_runner(JobRunner(workers=0))  # nothing runs: the jobs stay queued
    a = submit_job(**IMAGE, params={"prompt": "one"}, project_id=None)
    b = submit_job(**IMAGE, params={"prompt": "two"}, force=True)
    assert [j.id for j in list_jobs(status="active")] == [b.id, a.id]
    assert list_jobs(status="succeeded") == []
    with pytest.raises(Exception) as exc:
        list_jobs(status="sideways")
    assert getattr(exc.value, "field", None) == "status"
    assert get_job(job_id=a.id).inflight_key and get_job(job_id=b.id).inflight_key is None  # force: never joined
