"""Project, script, scene, shot and character routes: the same core the pages use, the API error shape."""
from __future__ import annotations



def _error(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and isinstance(body["error"]["fields"], list)
    return body["error"]


def test_project_crud(client):
    created = client.post("/projects", json={"name": " Lighthouse ", "aspect_ratio": "9:16", "target_length_s": 45})
    assert created.status_code == 201
    pid = created.json()["id"]
    assert created.json()["name"] == "Lighthouse" and created.json()["aspect_ratio"] == "9:16"
    assert [p["id"] for p in client.get("/projects").json()] == [pid]
    changed = client.patch(f"/projects/{pid}", json={"name": "Harbour", "art_style": "watercolour"})
    assert changed.status_code == 200 and changed.json()["name"] == "Harbour"
    assert client.get(f"/projects/{pid}").json()["art_style"] == "watercolour"
    copy = client.post(f"/projects/{pid}/duplicate")
    assert copy.status_code == 201 and copy.json()["id"] != pid
    assert client.delete(f"/projects/{pid}").status_code == 204
    _error(client.get(f"/projects/{pid}"), 404, "not_found")
    assert [p["id"] for p in client.get("/projects").json()] == [copy.json()["id"]]


def test_project_settings_are_validated_by_core_and_name_the_field(client):
    err = _error(client.post("/projects", json={"name": "X", "aspect_ratio": "21:9"}), 422, "invalid_input")
    assert err["fields"][0]["name"] == "aspect_ratio"
    err = _error(client.post("/projects", json={"name": "X", "target_length_s": 5}), 422, "invalid_input")
    assert err["fields"][0]["name"] == "target_length_s"


def test_request_validation_errors_share_the_error_shape(client):
    err = _error(client.post("/projects", json={"aspect_ratio": "16:9"}), 422, "invalid_input")
    assert [f["name"] for f in err["fields"]] == ["name"]
    err = _error(client.post("/projects", json={"name": "X", "colour": "red"}), 422, "invalid_input")
    assert err["fields"][0]["name"] == "colour"
    _error(client.post("/projects", content=b"{not json", headers={"content-type": "application/json"}),
           422, "invalid_input")


def test_script_versions_and_breakdown(client, project):
    pid = project["id"]
    assert [s["heading"] for s in project["scenes"]] == ["INT. LIGHTHOUSE - NIGHT", "EXT. HARBOUR - DAWN"]
    assert all(scene["shots"] for scene in project["scenes"])
    assert {c["character_id"] for c in project["characters"]} == {"maya", "tom"}
    client.post(f"/projects/{pid}/scripts", json={"text": "INT. ROOM - DAY\n\nA door opens.\n", "title": "v2"})
    versions = client.get(f"/projects/{pid}/scripts").json()
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["title"] == "v2"
    _error(client.post(f"/projects/{pid}/scripts", json={"text": ""}), 422, "invalid_input")


def test_breakdown_without_script_is_invalid_input(client):
    pid = client.post("/projects", json={"name": "Empty"}).json()["id"]
    err = _error(client.post(f"/projects/{pid}/breakdown"), 422, "invalid_input")
    assert err["fields"][0]["name"] == "script"


def test_scenes_and_shots(client, project):
    pid = project["id"]
    scenes = client.get(f"/projects/{pid}/scenes").json()
    scene_id = scenes[0]["id"]
    assert client.get(f"/scenes/{scene_id}").json()["heading"] == "INT. LIGHTHOUSE - NIGHT"
    edited = client.patch(f"/scenes/{scene_id}", json={"summary": "Maya decides."})
    assert edited.status_code == 200 and edited.json()["summary"] == "Maya decides."
    _error(client.patch(f"/scenes/{scene_id}", json={"heading": "  "}), 422, "invalid_input")

    shots = client.get(f"/projects/{pid}/shots").json()
    first = shots[0]["id"]
    added = client.post(f"/scenes/{scene_id}/shots", json={"after_shot_id": first, "action": "Lantern flickers."})
    assert added.status_code == 201 and added.json()["order"] == 1
    assert len(client.get(f"/projects/{pid}/shots").json()) == len(shots) + 1
    assert client.delete(f"/shots/{added.json()['id']}").status_code == 204
    _error(client.get(f"/shots/{added.json()['id']}"), 404, "not_found")


def test_shot_edits(client, project):
    first = client.get(f"/projects/{project['id']}/shots").json()[0]["id"]
    changed = client.patch(f"/shots/{first}", json={"shot_type": "close-up", "duration_s": 3.5,
                                                    "dialogue": [{"character": "MAYA", "text": "Now."}]})
    assert changed.status_code == 200, changed.text
    got = client.get(f"/shots/{first}").json()
    assert (got["shot_type"], got["duration_s"], got["dialogue"][0]["text"]) == ("close-up", 3.5, "Now.")
    err = _error(client.patch(f"/shots/{first}", json={"shot_type": "sideways"}), 422, "invalid_input")
    assert err["fields"][0]["name"] == "shot_type"


def test_characters(client, project):
    pid = project["id"]
    cast = client.get(f"/projects/{pid}/characters").json()
    assert {c["character_id"] for c in cast} == {"maya", "tom"}
    changed = client.patch(f"/projects/{pid}/characters/maya", json={"style_tokens": "red coat", "voice_id": "v2"})
    assert changed.status_code == 200
    got = client.get(f"/projects/{pid}/characters/maya").json()
    assert (got["style_tokens"], got["voice_id"]) == ("red coat", "v2")
    _error(client.get(f"/projects/{pid}/characters/nobody"), 404, "not_found")
    _error(client.patch(f"/projects/{pid}/characters/maya", json={"reference_images": ["feedbeef"]}),
           404, "not_found")


def test_unknown_ids_are_404_everywhere(client):
    for path in ("/projects/999", "/scenes/999", "/shots/999", "/projects/999/scenes", "/projects/999/shots",
                 "/projects/999/characters", "/projects/999/scripts", "/jobs/0123abcd", "/media/0123abcd",
                 "/media/0123abcd/file"):
        _error(client.get(path), 404, "not_found")
    _error(client.get("/no/such/route"), 404, "not_found")
    _error(client.put("/projects"), 405, "method_not_allowed")
