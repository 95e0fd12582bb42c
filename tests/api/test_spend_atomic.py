"""Spend limits hold under concurrent submits: the check and the reservation of the estimated cost are
one transaction, so of N paid jobs submitted at once exactly as many pass as the limit allows — from
threads and from separate processes on one database. (tests/postgres runs the threads on PostgreSQL.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from sqlmodel import select

from core.accounts import service, spend
from core.accounts.identity import acting_as
from core.costs import estimate
from core.db import session
from core.errors import SpendLimitExceeded
from core.jobs.service import submit_job
from core.models import Job
from core.projects import create_project
from core.settings import get_settings
from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN

ROOT = Path(__file__).resolve().parents[2]
VEO = ("google", "veo-3.1-generate-001")
PARAMS = {"duration_seconds": 4}


class HeldQueue:
    """The runner seam of ``submit_job``: records what would be queued; nothing runs, so every admitted
    job stays queued and keeps its reservation."""

    def __init__(self) -> None:
        self.queued: list[str] = []

    def enqueue(self, *, job_id: str, provider: str | None = None, delay_s: float = 0.0) -> None:
        self.queued.append(job_id)


@pytest.fixture
def google_settings(monkeypatch, data_dir):
    """The google settings present (no call is made: the jobs are never run)."""
    for name, value in (("GOOGLE_API_KEY", GOOGLE_KEY), ("GOOGLE_CLOUD_PROJECT", "storyreel-test"),
                        ("GOOGLE_CLOUD_LOCATION", "us-central1"), ("GOOGLE_VERTEX_ACCESS_TOKEN", VERTEX_TOKEN)):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture
def cost() -> float:
    usd = estimate(provider=VEO[0], model=VEO[1], params=PARAMS)
    assert usd and usd > 0
    return usd


def submit_at_once(*, n: int, project_ids: list[int | None], user: str | None,
                   tag: str = "a") -> tuple[list[Job], list[str]]:
    """Submit ``n`` distinct paid jobs from ``n`` threads released together (job i in project_ids[i %
    len]); returns (admitted jobs, refusal messages)."""
    gate, queue = Barrier(n), HeldQueue()

    def one(i: int):
        gate.wait()
        try:
            with acting_as(name=user):
                return submit_job(provider=VEO[0], model=VEO[1], params={**PARAMS, "prompt": f"a fox, take {tag}{i}"},
                                  project_id=project_ids[i % len(project_ids)], runner=queue)
        except SpendLimitExceeded as exc:
            return exc.message

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, range(n)))
    admitted = [r for r in results if isinstance(r, Job)]
    assert sorted(queue.queued) == sorted(j.id for j in admitted)
    return admitted, [r for r in results if isinstance(r, str)]


def stored_jobs() -> list[Job]:
    with session() as s:
        return list(s.exec(select(Job)).all())


def test_a_project_budget_admits_exactly_what_it_allows(google_settings, cost):
    pid = create_project(name="Lighthouse").id
    spend.set_project_budget(project_id=pid, usd=round(cost * 3 + cost / 2, 4))
    admitted, refused = submit_at_once(n=10, project_ids=[pid], user=None)
    assert len(admitted) == 3 and len(refused) == 7
    assert all("budget of project 'Lighthouse'" in m for m in refused)
    assert len(stored_jobs()) == 3 and spend.project_spent(project_id=pid) == pytest.approx(3 * cost)


def test_a_users_daily_limit_admits_exactly_what_it_allows_across_projects(google_settings, cost):
    service.add_user(name="ed", password="pw", role="editor")
    spend.set_daily_limit(name="ed", usd=round(cost * 2, 4))
    projects = [create_project(name=f"P{i}").id for i in range(3)] + [None]
    admitted, refused = submit_at_once(n=10, project_ids=projects, user="ed")
    assert len(admitted) == 2 and len(refused) == 8
    assert all("ed's daily limit" in m for m in refused)
    assert spend.user_spent_today(name="ed") == pytest.approx(2 * cost)


def test_a_cancelled_reservation_frees_room_for_the_next_job(google_settings, cost):
    pid = create_project(name="Lighthouse").id
    spend.set_project_budget(project_id=pid, usd=round(cost * 1.5, 4))
    admitted, _ = submit_at_once(n=4, project_ids=[pid], user=None)
    assert len(admitted) == 1
    with session() as s:
        job = s.get(Job, admitted[0].id)
        job.status, job.inflight_key = "cancelled", None  # as cancel_job leaves it
        s.add(job)
    assert len(submit_at_once(n=4, project_ids=[pid], user=None, tag="b")[0]) == 1


PROCESS = """
import json, sys
from core.accounts.identity import acting_as
from core.errors import SpendLimitExceeded
from core.jobs.service import submit_job

class Held:
    def enqueue(self, **kw): pass

tag, n = sys.argv[1], int(sys.argv[2])
sys.stdin.readline()  # every process starts submitting when the test writes a line
out = []
for i in range(n):
    try:
        with acting_as(name="ed"):
            submit_job(provider="google", model="veo-3.1-generate-001", project_id=int(sys.argv[3]),
                       params={"duration_seconds": 4, "prompt": f"a fox {tag} {i}"}, runner=Held())
        out.append("ok")
    except SpendLimitExceeded as exc:
        out.append(exc.message)
print(json.dumps(out))
"""


@pytest.mark.multiprocess
def test_separate_processes_cannot_pass_a_limit_together(google_settings, cost):
    pid = create_project(name="Shared").id
    service.add_user(name="ed", password="pw", role="editor")
    spend.set_daily_limit(name="ed", usd=round(cost * 5 + cost / 2, 4))
    spend.set_project_budget(project_id=pid, usd=round(cost * 4 + cost / 2, 4))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS, f"w{k}", "4", str(pid)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(4)]
    outs = [p.communicate(input="go\n", timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    results = [r for out, _ in outs for r in json.loads(out.strip().splitlines()[-1])]
    assert results.count("ok") == 4 and len(results) == 16  # the budget (4) binds before the daily limit (5)
    assert all("budget of project 'Shared'" in r for r in results if r != "ok")
    assert len(stored_jobs()) == 4
