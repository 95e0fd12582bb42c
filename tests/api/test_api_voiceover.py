"""POST /projects/{project_id}/voiceover (issue 13): the dialogue's voices are queued and the answer
comes at once with the job ids; the worker puts each voice on its line with no page open. A viewer
is refused before anything changes."""
from __future__ import annotations

from sqlmodel import select

from core.accounts import service
from core.db import session
from core.generation.voiceover import dialogue_lines
from core.jobs.service import wait_all
from core.models import Character, Job
from core.timeline.store import list_items
from tests.api.conftest import wait_job
from tests.api.test_api_accounts import auth_on  # noqa: F401 (fixture)


def test_voicing_lines_through_the_api_lands_them_without_any_page(client, project):
    pid = project["id"]
    assert [ln.voiced for ln in dialogue_lines(project_id=pid)] == [False, False]
    answer = client.post(f"/projects/{pid}/voiceover", json={})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert len(body["job_ids"]) == 2 and [j["job_id"] for j in body["jobs"]] == body["job_ids"]
    assert all(j["project_id"] == pid and j["kind"] for j in body["jobs"])
    for job in body["jobs"]:
        assert wait_job(client, job)["status"] == "succeeded"
    # Nothing but the workers ran in between: every line carries its voice, with word timings.
    assert [ln.voiced for ln in dialogue_lines(project_id=pid)] == [True, True]
    rows = list_items(project_id=pid, track="voice")
    assert sorted(r.text for r in rows) == ["The sea is calm today.", "We sail at dawn."]
    assert all(r.extra.get("words") for r in rows)
    # One line again (by its "shot_id:line" key): its voice is replaced, not doubled.
    key = dialogue_lines(project_id=pid)[1].key
    again = client.post(f"/projects/{pid}/voiceover", json={"lines": [key]})
    assert again.status_code == 202 and len(again.json()["job_ids"]) == 1
    wait_job(client, again.json()["jobs"][0])
    assert len(list_items(project_id=pid, track="voice")) == 2
    # Nothing left to voice, or no such line: 422 naming the field; no such project: 404.
    none = client.post(f"/projects/{pid}/voiceover", json={"only_missing": True})
    assert none.status_code == 422 and none.json()["error"]["fields"]
    assert client.post(f"/projects/{pid}/voiceover", json={"lines": ["999999:0"]}).status_code == 422
    assert client.post(f"/projects/{pid}/voiceover", json={"lines": ["../etc"]}).status_code == 422
    assert client.post("/projects/424242/voiceover", json={}).status_code == 404


def test_a_viewer_may_not_voice_lines(client, auth_on):  # noqa: F811
    for name, role in (("ed", "editor"), ("vic", "viewer")):
        service.add_user(name=name, password=f"{name}-pw", role=role)
    ed = {"Authorization": f"Bearer {service.create_token(name='ed')}"}
    vic = {"Authorization": f"Bearer {service.create_token(name='vic')}"}
    pid = client.post("/projects", json={"name": "Lighthouse"}, headers=ed).json()["id"]
    client.post(f"/projects/{pid}/scripts", json={"text": "INT. ROOM - DAY\n\nMAYA\nHello there.\n"}, headers=ed)
    assert client.post(f"/projects/{pid}/breakdown", json={}, headers=ed).status_code == 200
    denied = client.post(f"/projects/{pid}/voiceover", json={}, headers=vic)
    assert denied.status_code == 403 and "viewer" in denied.json()["error"]["message"]
    with session() as s:
        assert s.exec(select(Job)).all() == []
        assert all(not c.voice_id for c in s.exec(select(Character)).all()), "the cast's voices were left alone"
    allowed = client.post(f"/projects/{pid}/voiceover", json={}, headers=ed)
    assert allowed.status_code == 202, allowed.text
    [done] = wait_all(job_ids=allowed.json()["job_ids"], timeout_s=60)
    assert done.status == "succeeded" and done.created_by == "ed"
    assert len(list_items(project_id=pid, track="voice")) == 1
