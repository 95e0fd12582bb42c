"""Job ownership on PostgreSQL under real concurrency: claims of one provider never exceed its
limit (each claim takes the provider's advisory lock inside its transaction, so two claims cannot
both count the same free slot under READ COMMITTED), and identical requests submitted at once make
one job (the unique in-flight key's conflict is joined, not raised)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from core.db import session
from core.jobs import leases
from core.jobs.service import submit_job
from core.models import QUEUED, Job

from tests.conftest import installed_runner, make_runner

pytestmark = pytest.mark.postgres

LIMIT = 3
JOBS = 12


def _queued(n: int, provider: str) -> list[str]:
    jobs = [Job(provider=provider, model="m", kind="image", status=QUEUED, request={}) for _ in range(n)]
    with session() as s:
        for j in jobs:
            s.add(j)
    return [j.id for j in jobs]


def test_concurrent_claims_never_exceed_the_provider_limit(pg_url):
    for rnd in range(4):  # the race needs claims landing together: try several rounds
        ids = _queued(JOBS, provider=f"prov{rnd}")
        gate = threading.Barrier(JOBS)

        def take(job_id: str, n: int):
            gate.wait()
            return leases.claim(job_id=job_id, worker=f"w{n}", lease_s=60, limit=LIMIT)

        with ThreadPoolExecutor(JOBS) as pool:
            won = [j for j in pool.map(take, ids, range(JOBS)) if j is not None]
        assert len(won) == LIMIT, f"round {rnd}: {len(won)} claims won with a limit of {LIMIT}"
        with session() as s:
            held = s.exec(select(Job).where(Job.provider == f"prov{rnd}", Job.worker.is_not(None))).all()
        assert len(held) == LIMIT
        # A slot freed (one job parked back) lets exactly one more in.
        assert leases.park(job_id=won[0].id, worker=won[0].worker, deadline_s=60, status=QUEUED)
        rest = [i for i in ids if i not in {w.id for w in won}]
        again = [leases.claim(job_id=i, worker="late", lease_s=60, limit=LIMIT) for i in rest]
        assert sum(j is not None for j in again) == 1


def test_identical_requests_at_once_join_one_job_on_postgres(pg_url):
    with installed_runner(make_runner(workers=0)):  # nobody works: every job stays in flight
        gate = threading.Barrier(6)

        def ask(_):
            gate.wait()
            return submit_job(provider="local", model="keyframe", params={"prompt": "A lighthouse", "seed": 7})

        with ThreadPoolExecutor(6) as pool:
            jobs = list(pool.map(ask, range(6)))
    assert len({j.id for j in jobs}) == 1, "identical work in flight joins one job"
    with session() as s:
        rows = s.exec(select(Job).where(Job.model == "keyframe")).all()
    assert len(rows) == 1 and rows[0].inflight_key
