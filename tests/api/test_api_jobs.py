"""Jobs through the API: a keyframe asked for a shot lands on it with no page open (issue 13 f),
and the job list with its ownership fields."""
from __future__ import annotations

import time

from tests.api.conftest import wait_job


def test_keyframe_for_a_shot_lands_without_any_page(client, project):
    """(f) POST /ai/image/generate with a shot_id: the worker puts the result on the shot."""
    shot = client.get(f"/projects/{project['id']}/shots").json()[0]
    assert shot["keyframe_media_id"] is None
    answer = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe", "params": {},
                                                     "project_id": project["id"], "shot_id": shot["id"]})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded" and job["attempts"] == 1 and job["worker"] is None
    # Nothing but the worker ran in between: no page, no pull.
    assert client.get(f"/shots/{shot['id']}").json()["keyframe_media_id"] == job["media_id"]


def test_jobs_list_filters_and_shows_ownership(client, project):
    ids = []
    for n in range(2):
        answer = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe",
                                                         "params": {"prompt": f"a fox {n}"}, "project_id": project["id"]})
        ids.append(answer.json()["job_id"])
        wait_job(client, answer.json())
    listed = client.get("/jobs", params={"project_id": project["id"], "status": "succeeded"}).json()
    assert [j["job_id"] for j in listed] == ids[::-1]
    assert all({"attempts", "submitted_at", "worker", "lease_expires_at"} <= set(j) for j in listed)
    assert all(j["submitted_at"] and j["lease_expires_at"] is None for j in listed)
    assert client.get("/jobs", params={"status": "active"}).json() == []
    assert client.get("/jobs", params={"status": "sideways"}).status_code == 422
    started = time.monotonic()
    assert client.get("/jobs", params={"project_id": 999}).json() == [] and time.monotonic() - started < 5
