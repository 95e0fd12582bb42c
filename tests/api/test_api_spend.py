"""Spend limits: a project budget and a user's daily limit refuse a paid job before submission (no
provider call, no job stored) with a message naming the limit; spend per user and per provider."""
from __future__ import annotations

import io

import pytest
from sqlmodel import select

from core.accounts import service, spend
from core.cli import main
from core.costs import estimate
from core.db import session
from core.models import Job
from core.projects import create_project
from core.settings import get_settings
from tests.api.conftest import wait_job

VEO = {"provider": "google", "model": "veo-3.1-generate-001", "params": {"prompt": "a fox runs", "duration_seconds": 4}}


@pytest.fixture
def cost():
    usd = estimate(provider="google", model="veo-3.1-generate-001", params=VEO["params"])
    assert usd and usd > 0
    return usd


def _jobs() -> list[Job]:
    with session() as s:
        return list(s.exec(select(Job)).all())


def test_a_project_budget_refuses_the_job_that_would_pass_it(client, runner, google_emu, cost):
    pid = client.post("/projects", json={"name": "Lighthouse"}).json()["id"]
    spend.set_project_budget(project_id=pid, usd=round(cost * 1.5, 2))
    first = client.post("/ai/video/generate", json={**VEO, "project_id": pid})
    assert first.status_code == 202, first.text
    assert wait_job(client, first.json())["status"] == "succeeded"
    second = client.post("/ai/video/generate", json={**VEO, "project_id": pid,
                                                      "params": {**VEO["params"], "prompt": "a fox sleeps"}})
    assert second.status_code == 422 and second.json()["error"]["code"] == "spend_limit"
    message = second.json()["error"]["message"]
    assert "budget of project 'Lighthouse'" in message and f"${round(cost * 1.5, 2):.2f}" in message
    assert google_emu.count("create") == 1 and len(_jobs()) == 1
    # Another project has no budget; a free local job passes any budget.
    assert client.post("/ai/video/generate", json={**VEO, "params": {**VEO["params"], "seed": 9}}).status_code == 202
    local = {"provider": "local", "model": "keyframe", "params": {"prompt": "x"}, "project_id": pid}
    assert client.post("/ai/image/generate", json=local).status_code == 202
    assert spend.project_spent(project_id=pid) == pytest.approx(cost)


def test_a_users_daily_limit_and_spend_per_user_and_provider(client, runner, google_emu, cost, monkeypatch):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    for name in ("ed", "eve"):
        service.add_user(name=name, password="pw", role="editor")
    ed = {"Authorization": f"Bearer {service.create_token(name='ed')}"}
    eve = {"Authorization": f"Bearer {service.create_token(name='eve')}"}
    spend.set_daily_limit(name="ed", usd=round(cost * 0.5, 2))
    refused = client.post("/ai/video/generate", json=VEO, headers=ed)
    assert refused.status_code == 422 and "ed's daily limit" in refused.json()["error"]["message"]
    assert google_emu.count("create") == 0 and _jobs() == []
    answer = client.post("/ai/video/generate", json=VEO, headers=eve)
    assert answer.status_code == 202
    client.headers.update(eve)
    assert wait_job(client, answer.json())["status"] == "succeeded"
    assert spend.spend_by(key="user") == {"eve": pytest.approx(cost)}
    assert spend.spend_by(key="provider") == {"google": pytest.approx(cost)}
    assert spend.user_spent_today(name="eve") == pytest.approx(cost) and spend.user_spent_today(name="ed") == 0


def test_spend_commands(monkeypatch, capsys):
    pid = create_project(name="Budgeted").id
    service.add_user(name="ann", password="pw", role="owner")
    for argv in (["users", "limit", "ann", "--daily", "2.5"], ["spend", "--project", str(pid), "--budget", "10"]):
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert main(argv) == 0
    assert service.get_user(name="ann").daily_limit_usd == 2.5
    assert "project " + str(pid) + ": $0.00 spent" in capsys.readouterr().out
    assert main(["spend", "--budget", "3"]) == 2 and "--project" in capsys.readouterr().err
    assert main(["users", "limit", "ann", "--daily", "none"]) == 0 and service.get_user(name="ann").daily_limit_usd is None
    assert main(["users", "limit", "ann", "--daily", "-1"]) == 2
