"""Who made what (issue 15): with sign-in on, every asset (also those a worker stores for a job), script
version, breakdown, shot version, character edit, render, share link and setting change records its user, and ``GET /projects/{id}/activity``
lists them newest first for anyone who may watch the project (401 without a token)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from core.accounts import service, spend
from core.accounts.identity import acting_as
from core.db import session
from core.models import Job, MediaAsset, ScriptVersion
from core.render.service import wait_render
from core.settings import get_settings
from tests.api.conftest import SCRIPT, wait_job


@pytest.fixture
def people(monkeypatch, data_dir):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    headers = {}
    for name, role in (("olga", "owner"), ("ed", "editor"), ("vic", "viewer")):
        service.add_user(name=name, password=f"{name}-pw", role=role)
        headers[name] = {"Authorization": f"Bearer {service.create_token(name=name)}"}
    yield headers
    get_settings.cache_clear()


def _activity(client, pid: int, headers: dict, **params) -> list[dict]:
    answer = client.get(f"/projects/{pid}/activity", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_change_names_its_user_and_the_project_lists_them(client, runner, people):
    ed, olga = people["ed"], people["olga"]
    pid = client.post("/projects", json={"name": "Lighthouse", "target_length_s": 30}, headers=ed).json()["id"]
    assert client.patch(f"/projects/{pid}", json={"logline": "A keeper's last night", "genre": "mystery"},
                        headers=olga).status_code == 200
    assert client.post(f"/projects/{pid}/scripts", json={"text": SCRIPT}, headers=ed).status_code == 201
    assert client.post(f"/projects/{pid}/breakdown", json={"mode": "auto"}, headers=ed).status_code == 200
    shot = client.get(f"/projects/{pid}/shots", headers=ed).json()[0]
    answer = client.post("/ai/image/generate", headers=ed, json={
        "provider": "local", "model": "keyframe", "params": {"prompt": "A lighthouse at dusk"},
        "project_id": pid, "shot_id": shot["id"]})
    assert answer.status_code == 202, answer.text
    client.headers.update(ed)  # wait_job reads GET /jobs/{id} with the client's own headers
    keyframe = wait_job(client, answer.json())
    assert keyframe["status"] == "succeeded", keyframe
    render = client.post("/render/scene", headers=ed, json={"scene_id": shot["scene_id"],
                                                            "options": {"quality": "preview", "subtitles": "none"}})
    assert render.status_code == 202, render.text
    assert wait_render(job_id=render.json()["job_id"], timeout_s=240).status == "succeeded"
    maya = client.get(f"/projects/{pid}/characters", headers=ed).json()[0]
    assert client.patch(f"/projects/{pid}/characters/{maya['character_id']}", json={"description": "tall, tired"},
                        headers=ed).status_code == 200
    assert client.post(f"/media/{keyframe['media_id']}/share", json={"expires_in_s": 3600}, headers=ed).status_code == 201
    with acting_as(name="olga"):  # the owner's commands (python -m core users grant / spend)
        service.set_member(project_id=pid, name="vic", role="editor")
        spend.set_project_budget(project_id=pid, usd=12.5)

    # Rows: the asset the worker stored, the version, the render job and its film all name ed.
    with session() as s:
        assert s.get(MediaAsset, keyframe["media_id"]).created_by == "ed"
        assert {v.created_by for v in s.exec(select(ScriptVersion)).all()} == {"ed"}
        render_job = s.get(Job, render.json()["job_id"])
        assert render_job.created_by == "ed" and s.get(MediaAsset, render_job.result_media_id).created_by == "ed"

    entries = _activity(client, pid, people["vic"])
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    seen = {(e["user"], e["action"]) for e in entries}
    assert {("ed", "project"), ("olga", "settings"), ("ed", "script"), ("ed", "asset"), ("ed", "version"),
            ("ed", "render"), ("olga", "member"), ("olga", "budget"), ("ed", "breakdown"), ("ed", "character"),
            ("ed", "share")} <= seen
    assert any(e["action"] == "character" and e["subject"] == f"{maya['name']}: changed description" for e in entries)
    assert any(e["action"] == "breakdown" and e["subject"].startswith("broke script v1 down (auto): ") for e in entries)
    settings = next(e for e in entries if e["action"] == "settings")
    assert settings["subject"] == "changed logline, genre" or settings["subject"] == "changed genre, logline"
    version = next(e for e in entries if e["action"] == "version")
    assert version["subject"] == f"shot {shot['id']}: keyframe set to {keyframe['media_id'][:8]}"
    assert any(e["action"] == "asset" and e["ref"] == render_job.result_media_id and e["user"] == "ed"
               for e in entries)
    assert entries[0]["subject"] == "budget set to $12.50" and entries[1]["subject"] == "vic is editor here"
    # Filters, bounds and the sign-in gate.
    assert {e["user"] for e in _activity(client, pid, olga, user="olga")} == {"olga"}
    assert {e["action"] for e in _activity(client, pid, olga, action="script")} == {"script"}
    assert len(_activity(client, pid, olga, limit=2)) == 2
    assert client.get(f"/projects/{pid}/activity", params={"action": "dance"}, headers=olga).status_code == 422
    assert client.get(f"/projects/{pid}/activity", params={"limit": 0}, headers=olga).status_code == 422
    client.headers.pop("Authorization")
    assert client.get(f"/projects/{pid}/activity").status_code == 401
    assert client.get("/projects/9999/activity", headers=olga).status_code == 404


def test_without_sign_in_changes_are_listed_as_no_sign_in(client):
    pid = client.post("/projects", json={"name": "Solo"}).json()["id"]
    client.patch(f"/projects/{pid}", json={"aspect_ratio": "9:16"})
    client.patch(f"/projects/{pid}", json={"aspect_ratio": "9:16"})  # no change: no entry
    entries = client.get(f"/projects/{pid}/activity").json()
    assert [(e["user"], e["action"], e["subject"]) for e in entries] == [
        ("(no sign-in)", "settings", "changed aspect_ratio"), ("(no sign-in)", "project", "created 'Solo'")]
    client.delete(f"/projects/{pid}")
    assert client.get(f"/projects/{pid}/activity").status_code == 404
