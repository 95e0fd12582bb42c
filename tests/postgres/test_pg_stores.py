"""The accounts store, roles and project deletion on PostgreSQL: the "user" table (a reserved word
there), hashed tokens, members, created_by on jobs, a user's daily spend limit, and deleting a project with its rows."""
from __future__ import annotations

import pytest
from sqlmodel import select

from core.accounts import service, spend
from core.costs import estimate
from core.db import session
from core.models import Job, MediaAsset, Scene, Shot
from core.settings import get_settings
from core.jobs.service import wait_for
from tests.postgres.test_pg_flow import client, project  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def test_accounts_roles_and_created_by_on_postgres(pg_url, client, runner, monkeypatch):  # noqa: F811
    service.add_user(name="olga", password="olga-pw", role="owner")
    service.add_user(name="vic", password="vic-pw", role="viewer")
    assert [u.name for u in service.list_users()] == ["olga", "vic"]
    assert service.check_password(name="olga", password="olga-pw").role == "owner"
    assert service.check_password(name="olga", password="wrong") is None
    token = service.create_token(name="olga")
    assert service.user_for_token(token=token).name == "olga"
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    olga, vic = {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {service.create_token(name='vic')}"}
    assert client.get("/projects").status_code == 401
    pid = client.post("/projects", json={"name": "P"}, headers=olga).json()["id"]
    body = {"provider": "local", "model": "keyframe", "project_id": pid, "params": {"prompt": "a boat", "seed": 2}}
    assert client.post("/ai/image/generate", json=body, headers=vic).status_code == 403
    service.set_member(project_id=pid, name="vic", role="editor")
    answer = client.post("/ai/image/generate", json=body, headers=vic)
    assert answer.status_code == 202, answer.text
    assert wait_for(job_id=answer.json()["job_id"], timeout_s=60).status == "succeeded"
    job = client.get(f"/jobs/{answer.json()['job_id']}", headers=vic).json()
    with session() as s:
        assert s.get(Job, job["job_id"]).created_by == "vic"
        assert s.get(MediaAsset, job["media_id"]).project_id == pid
    service.remove_user(name="vic")
    assert [u.name for u in service.list_users()] == ["olga"]


def test_deleting_a_project_removes_its_rows_on_postgres(client, project):  # noqa: F811
    pid = project["id"]
    with session() as s:
        assert s.exec(select(Shot).where(Shot.project_id == pid)).all()
    assert client.delete(f"/projects/{pid}").status_code == 204
    assert client.get(f"/projects/{pid}").status_code == 404
    with session() as s:
        assert s.exec(select(Scene).where(Scene.project_id == pid)).all() == []
        assert s.exec(select(Shot).where(Shot.project_id == pid)).all() == []


def test_daily_limit_and_spend_today_on_postgres(pg_url, client, runner, serve_google, monkeypatch):  # noqa: F811
    veo = {"provider": "google", "model": "veo-3.1-generate-001",
           "params": {"prompt": "a fox runs", "duration_seconds": 4}}
    cost = estimate(provider="google", model=veo["model"], params=veo["params"])
    assert cost and cost > 0
    with serve_google(job_seconds=0.1, timeout_s=2.0) as emu:
        service.add_user(name="ed", password="pw", role="editor")
        service.add_user(name="eve", password="pw", role="editor")
        monkeypatch.setenv("STORYREEL_AUTH", "on")
        get_settings.cache_clear()
        ed = {"Authorization": f"Bearer {service.create_token(name='ed')}"}
        eve = {"Authorization": f"Bearer {service.create_token(name='eve')}"}
        spend.set_daily_limit(name="ed", usd=round(cost * 0.5, 2))
        refused = client.post("/ai/video/generate", json=veo, headers=ed)
        assert refused.status_code == 422 and "ed's daily limit" in refused.json()["error"]["message"]
        answer = client.post("/ai/video/generate", json=veo, headers=eve)
        assert answer.status_code == 202, answer.text
        assert wait_for(job_id=answer.json()["job_id"], timeout_s=60).status == "succeeded"
        assert emu.count("create") == 1
    assert spend.user_spent_today(name="eve") == pytest.approx(cost) and spend.user_spent_today(name="ed") == 0
    assert spend.spend_by(key="provider") == {"google": pytest.approx(cost)}
