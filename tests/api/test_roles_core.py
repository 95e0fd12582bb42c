"""Roles hold where the work starts, not only at the doors: with sign-in on, a viewer acting in the app
or through the API cannot submit a generation, spend on a paid one, send a job again, render or start a
batch, and an editor cannot delete a project (Forbidden, nothing stored); an editor's batch jobs are
the editor's. Without sign-in, or with no current user (the command line), nothing is refused."""
from __future__ import annotations

import pytest
from sqlmodel import select

from core.accounts import service
from core.accounts.identity import acting_as
from core.breakdowns import run_breakdown
from core.db import session
from core.errors import Forbidden
from core.generation import board
from core.jobs.service import resend_job, submit_job, wait_for
from core.models import FAILED, Job
from core.projects import create_project, delete_project, get_project
from core.render.service import start_render
from core.scripts import save_version
from core.settings import get_settings
from tests.api.conftest import SCRIPT

KEYFRAME = dict(provider="local", model="keyframe", params={"prompt": "A lighthouse at dusk", "seed": 3})


@pytest.fixture
def team(monkeypatch, data_dir):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    for name, role in (("olga", "owner"), ("ed", "editor"), ("vic", "viewer")):
        service.add_user(name=name, password="pw", role=role)
    pid = create_project(name="Lighthouse", target_length_s=30).id
    save_version(project_id=pid, text=SCRIPT)
    run_breakdown(project_id=pid)
    yield pid
    get_settings.cache_clear()


def _jobs() -> list[Job]:
    with session() as s:
        return list(s.exec(select(Job)).all())


def test_a_viewer_cannot_generate_render_resend_or_batch(team, runner):
    failed = Job(project_id=team, kind="generate", provider="local", model="keyframe", status=FAILED,
                 error_retryable=True, created_by="ed")
    with session() as s:
        s.add(failed)
    with acting_as(name="vic"):
        for attempt in (lambda: submit_job(**KEYFRAME, project_id=team),
                        lambda: start_render(project_id=team, operation="film"),
                        lambda: resend_job(job_id=failed.id),
                        lambda: board.start_batch(project_id=team)):
            with pytest.raises(Forbidden, match="vic \\(viewer in project .*needs the editor role"):
                attempt()
    assert [j.id for j in _jobs()] == [failed.id]
    service.set_member(project_id=team, name="vic", role="editor")  # an editor of this project only
    with acting_as(name="vic"):
        job = submit_job(**KEYFRAME, project_id=team)
    assert wait_for(job_id=job.id, timeout_s=120).status == "succeeded" and job.created_by == "vic"


def test_an_editor_cannot_delete_and_batch_jobs_are_the_editors(team, runner):
    with acting_as(name="ed"):
        with pytest.raises(Forbidden, match="needs the owner role"):
            delete_project(project_id=team)
        assert board.start_batch(project_id=team)
    assert board.wait_batch(project_id=team, timeout_s=300)
    jobs = _jobs()
    assert len(jobs) >= 2 and {j.created_by for j in jobs} == {"ed"}  # keyframes and the clips they chained
    assert get_project(project_id=team).name == "Lighthouse"
    with acting_as(name="olga"):
        delete_project(project_id=team)


def test_without_sign_in_or_a_current_user_nothing_is_refused(team, runner, monkeypatch):
    job = submit_job(**KEYFRAME, project_id=team)  # no current user: the command line
    assert job.created_by is None
    monkeypatch.setenv("STORYREEL_AUTH", "off")
    get_settings.cache_clear()
    with acting_as(name="vic"):
        submit_job(**{**KEYFRAME, "params": {"prompt": "x", "seed": 4}}, project_id=team)
        delete_project(project_id=team)
