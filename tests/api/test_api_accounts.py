"""Sign-in for the API (STORYREEL_AUTH=on): user tokens and the admin token, 401 without, 403 for a
role that may not (viewer generating, editor deleting), roles per project, created_by."""
from __future__ import annotations

import pytest
from sqlmodel import select

from core.accounts import service
from core.db import session
from core.models import ApiToken, Job, User
from core.settings import get_settings
from tests.api.conftest import wait_job

ADMIN_TOKEN = "sr-admin-token-0123456789abcdef"
KEYFRAME = {"provider": "local", "model": "keyframe", "params": {"prompt": "A lighthouse at dusk", "seed": 3}}


@pytest.fixture
def auth_on(monkeypatch, data_dir):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def people(auth_on):
    """Three users, one per role; returns name -> Authorization headers."""
    headers = {}
    for name, role in (("olga", "owner"), ("ed", "editor"), ("vic", "viewer")):
        service.add_user(name=name, password=f"{name}-pw", role=role)
        headers[name] = {"Authorization": f"Bearer {service.create_token(name=name)}"}
    return headers


def test_every_route_needs_a_user(client, people):
    for method, path in (("GET", "/projects"), ("POST", "/projects"), ("GET", "/media"), ("GET", "/jobs/abc"),
                         ("POST", "/ai/image/generate"), ("DELETE", "/projects/1"), ("GET", "/openapi.json")):
        for headers in ({}, {"Authorization": "Bearer srt_not-a-token"}, {"Authorization": "Basic x"}):
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 401, (method, path, headers)
            assert answer.json()["error"]["code"] == "unauthorized"
            assert "STORYREEL_AUTH" in answer.json()["error"]["message"]


def test_a_user_token_and_the_admin_token_open_the_api(client, people, monkeypatch):
    assert client.get("/projects", headers=people["vic"]).status_code == 200
    monkeypatch.setenv("STORYREEL_API_TOKEN", ADMIN_TOKEN)
    get_settings.cache_clear()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    pid = client.post("/projects", json={"name": "By admin"}, headers=admin).json()["id"]
    assert client.delete(f"/projects/{pid}", headers=admin).status_code == 204
    assert client.get("/projects", headers=people["ed"]).status_code == 200  # user tokens still work


def test_viewer_watches_but_may_not_edit_or_generate(client, people, runner):
    pid = client.post("/projects", json={"name": "Lighthouse"}, headers=people["ed"]).json()["id"]
    assert client.get(f"/projects/{pid}", headers=people["vic"]).status_code == 200
    assert client.post("/ai/video/get-capabilities", json={"provider": "local", "model": "animate"},
                       headers=people["vic"]).status_code != 403
    for method, path, body in (("POST", "/ai/image/generate", {**KEYFRAME, "project_id": pid}),
                               ("POST", "/projects", {"name": "Mine"}),
                               ("PATCH", f"/projects/{pid}", {"logline": "x"}),
                               ("POST", "/render/film", {"project_id": pid})):
        answer = client.request(method, path, json=body, headers=people["vic"])
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden" and "viewer" in answer.json()["error"]["message"]
    with session() as s:
        assert s.exec(select(Job)).all() == []


def test_editor_generates_but_may_not_delete_a_project(client, people, runner):
    pid = client.post("/projects", json={"name": "Lighthouse"}, headers=people["ed"]).json()["id"]
    answer = client.post("/ai/image/generate", json={**KEYFRAME, "project_id": pid}, headers=people["ed"])
    assert answer.status_code == 202, answer.text
    client.headers.update(people["ed"])  # wait_job reads GET /jobs/{id} with the client's own headers
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded"
    with session() as s:
        assert s.get(Job, job["job_id"]).created_by == "ed"
    denied = client.delete(f"/projects/{pid}", headers=people["ed"])
    assert denied.status_code == 403 and "owner" in denied.json()["error"]["message"]
    assert client.get(f"/projects/{pid}", headers=people["ed"]).status_code == 200
    assert client.delete(f"/projects/{pid}", headers=people["olga"]).status_code == 204


def test_a_role_in_one_project_overrides_the_default(client, people):
    mine = client.post("/projects", json={"name": "Mine"}, headers=people["olga"]).json()["id"]
    other = client.post("/projects", json={"name": "Other"}, headers=people["olga"]).json()["id"]
    service.set_member(project_id=mine, name="vic", role="editor")
    service.set_member(project_id=other, name="ed", role="viewer")
    assert client.patch(f"/projects/{mine}", json={"logline": "a"}, headers=people["vic"]).status_code == 200
    assert client.patch(f"/projects/{other}", json={"logline": "b"}, headers=people["vic"]).status_code == 403
    assert client.patch(f"/projects/{other}", json={"logline": "c"}, headers=people["ed"]).status_code == 403
    assert client.patch(f"/projects/{mine}", json={"logline": "d"}, headers=people["ed"]).status_code == 200
    # The project of a body's project_id counts too: vic may generate in "mine" only.
    assert client.post("/ai/image/generate", json={**KEYFRAME, "project_id": other},
                       headers=people["vic"]).status_code == 403


def test_a_removed_user_token_stops_working(client, people):
    assert client.get("/projects", headers=people["vic"]).status_code == 200
    service.remove_user(name="vic")
    assert client.get("/projects", headers=people["vic"]).status_code == 401


def test_passwords_and_tokens_are_stored_hashed(data_dir):
    service.add_user(name="ann", password="correct horse", role="editor")
    token = service.create_token(name="ann")
    with session() as s:
        user = s.get(User, "ann")
        stored = s.exec(select(ApiToken)).one()
    assert user.password_hash.startswith("$argon2id$") and "correct horse" not in user.password_hash
    assert token not in stored.token_hash and service.user_for_token(token=token).name == "ann"
    assert service.check_password(name="ann", password="correct horse").name == "ann"
    assert service.check_password(name="ann", password="wrong") is None
    assert service.check_password(name="nobody", password="correct horse") is None


def test_auth_off_keeps_the_loopback_api_open(client):
    assert client.get("/projects").status_code == 200
    assert client.post("/projects", json={"name": "Open"}).status_code == 201
