"""The studio end to end on PostgreSQL (DATABASE_URL=postgresql+psycopg://…): the API's smoke flow
(project, script, breakdown, a local keyframe through the job runner, the asset read back, a share
link opened and revoked) and
20 local generations + 5 renders at once with no lost or doubled job."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.api.app import app
from core.db import get_engine, session
from core.models import Job, MediaAsset
from core.render.service import wait_render
from tests.api.conftest import SCRIPT, wait_job

pytestmark = pytest.mark.postgres


@pytest.fixture
def client(pg_url):
    """The API app in process on the fresh PostgreSQL database."""
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def project(client):
    pid = client.post("/projects", json={"name": "Lighthouse", "target_length_s": 30}).json()["id"]
    saved = client.post(f"/projects/{pid}/scripts", json={"text": SCRIPT})
    assert saved.status_code == 201, saved.text
    answer = client.post(f"/projects/{pid}/breakdown", json={"mode": "auto"})
    assert answer.status_code == 200, answer.text
    return {"id": pid, **answer.json()}


def _keyframe(client, pid: int, seed: int) -> dict:
    answer = client.post("/ai/image/generate", json={
        "provider": "local", "model": "keyframe", "project_id": pid,
        "params": {"prompt": "A lighthouse at dusk", "seed": seed}})
    assert answer.status_code == 202, answer.text
    return answer.json()


def test_smoke_flow_through_the_api_on_postgres(client, runner, project):
    assert get_engine().dialect.name == "postgresql"
    pid = project["id"]
    assert [s["heading"] for s in project["scenes"]] and client.get(f"/projects/{pid}/shots").json()
    job = wait_job(client, _keyframe(client, pid, 7))
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job["error"]
    media = client.get(f"/media/{job['media_id']}").json()
    assert (media["type"], media["provider"], media["project_id"]) == ("image", "local", pid)
    assert media["input_params"]["seed"] == 7 and media["reference_images_used"] == []
    assert media["timestamp"].endswith(("Z", "+00:00"))
    png = client.get(f"/media/{job['media_id']}/file").content
    assert png.startswith(b"\x89PNG")
    link = client.post(f"/media/{job['media_id']}/share", json={"expires_in_s": 3600})
    assert link.status_code == 201, link.text
    left = datetime.fromisoformat(link.json()["expires_at"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=58) < left <= timedelta(hours=1)
    assert client.get(f"/share/{link.json()['token']}").content == png
    assert client.delete(f"/share/{link.json()['token']}").status_code == 204
    assert client.get(f"/share/{link.json()['token']}").status_code == 404
    again = client.post("/ai/image/generate", json={
        "provider": "local", "model": "keyframe", "project_id": pid,
        "params": {"prompt": "A lighthouse at dusk", "seed": 7}}).json()
    assert again["cache_hit"] is True and again["media_id"] == job["media_id"]
    with session() as s:
        row = s.get(Job, job["job_id"])
        assert row.error_retryable is False and row.created_at.tzinfo is not None
        assert isinstance(row.request, dict) and "7" in str(row.request)


def test_twenty_generations_and_five_renders_at_once(client, runner, project):
    assert get_engine().dialect.name == "postgresql"
    pid = project["id"]
    shot = client.get(f"/projects/{pid}/shots").json()[0]
    key = wait_job(client, _keyframe(client, pid, 1))["media_id"]
    assert client.patch(f"/shots/{shot['id']}", json={"keyframe_media_id": key}).status_code == 200
    scene_id = shot["scene_id"]

    def generate(seed: int) -> dict:
        return _keyframe(client, pid, 100 + seed)

    def render(n: int) -> dict:
        answer = client.post("/render/scene", json={"scene_id": scene_id, "options": {
            "quality": "preview", "subtitles": "none"}})
        assert answer.status_code == 202, answer.text
        return answer.json()

    with ThreadPoolExecutor(max_workers=25) as pool:
        gens = [pool.submit(generate, i) for i in range(20)]
        renders = [pool.submit(render, i) for i in range(5)]
        gen_jobs = [f.result() for f in gens]
        render_jobs = [f.result() for f in renders]
    done = [wait_job(client, j, timeout_s=240) for j in gen_jobs]
    for j in render_jobs:
        wait_render(job_id=j["job_id"], timeout_s=300)
    rendered = [client.get(f"/jobs/{j['job_id']}").json() for j in render_jobs]

    assert [j["status"] for j in done] == ["succeeded"] * 20, [j["error"] for j in done]
    assert [j["status"] for j in rendered] == ["succeeded"] * 5, [j["error"] for j in rendered]
    assert len({j["job_id"] for j in gen_jobs + render_jobs}) == 25
    assert len({j["media_id"] for j in done}) == 20 and len({j["media_id"] for j in rendered}) == 5
    with session() as s:
        jobs = s.exec(select(Job)).all()
        assets = s.exec(select(MediaAsset)).all()
    image_jobs = [j for j in jobs if j.kind != "render"]
    assert len(jobs) == 26 and len(image_jobs) == 21, [(j.kind, j.status) for j in jobs]
    assert len({j.cache_key for j in image_jobs}) == 21, "one job per distinct request"
    assert all(j.status == "succeeded" for j in jobs)
    images = [a for a in assets if a.type == "image"]
    renders_ = [a for a in assets if a.type == "render"]
    assert len(images) == 21 and len({a.content_hash for a in images}) == 21
    assert len(renders_) == 5
    assert {a.media_id for a in images} == {j.result_media_id for j in image_jobs}
