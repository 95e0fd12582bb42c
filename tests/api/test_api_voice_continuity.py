"""Voice, lip sync, continuity and render routes over core.generation.facade / core.render.service,
with the local provider: jobs at once, assets with the seed §10 record, the right links between them."""
from __future__ import annotations

import pytest

from tests.api.conftest import wait_job
from tests.api.test_api_security import _wav

CLIP = {"duration": 1, "fps": 12, "resolution": "360p"}


def _done(client, answer) -> dict:
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json(), timeout_s=120)
    assert job["status"] == "succeeded", job["error"]
    return client.get(f"/media/{job['media_id']}").json()


def _keyframe(client, pid, prompt="Maya at the lighthouse window") -> str:
    return _done(client, client.post("/ai/image/generate", json={
        "provider": "local", "model": "keyframe", "params": {"prompt": prompt, "seed": 1}, "project_id": pid}))["media_id"]


def _clip(client, pid, start: str) -> str:
    return _done(client, client.post("/ai/video/generate", json={
        "provider": "local", "model": "animate", "params": {"prompt": "push in", "image": start, **CLIP},
        "project_id": pid}))["media_id"]


@pytest.mark.parametrize("route", ["/ai/voice/tts", "/generate/voice_tts"])
def test_tts_with_a_character_voice_has_word_timings(client, runner, project, route):
    media = _done(client, client.post(route, json={"provider": "local", "model": "tts", "text": "We sail at dawn.",
                                                   "character_id": "maya", "project_id": project["id"]}))
    assert media["type"] == "voice" and media["provider"] == "local" and media["character_id"] == "maya"
    assert media["input_params"]["text"] == "We sail at dawn."
    assert [w["word"] if isinstance(w, dict) else w[0] for w in media["extra"]["words"]][:2] == ["We", "sail"]


@pytest.mark.parametrize("route", ["/ai/voice/v2v", "/generate/voice_v2v"])
def test_v2v_converts_an_uploaded_recording(client, runner, route):
    answer = client.post(route, files={"audio": ("take.bin", _wav(seconds=0.5), "application/octet-stream")},
                         data={"provider": "local", "model": "v2v", "voice_id": "local-joe", "params": "{}"})
    media = _done(client, answer)
    assert media["type"] == "voice" and media["model"] == "v2v"
    assert client.get(f"/media/{media['media_id']}/file").content[:4] == b"RIFF"


def test_v2v_params_must_be_a_json_object(client):
    answer = client.post("/ai/voice/v2v", files={"audio": ("t.wav", _wav(), "audio/wav")},
                         data={"provider": "local", "model": "v2v", "params": "[1, 2"})
    assert answer.status_code == 422 and answer.json()["error"]["fields"][0]["name"] == "params"


def test_continuity_lipsync_and_render(client, runner, project):
    pid = project["id"]
    shots = client.get(f"/projects/{pid}/shots").json()
    key = _keyframe(client, pid)
    clip = _clip(client, pid, key)

    frames = client.post("/ai/extract-frames", json={"media_id": clip})
    assert frames.status_code == 200, frames.text
    first, last = frames.json()["first_frame_media_id"], frames.json()["last_frame_media_id"]
    assert client.get(f"/media/{first}").json()["type"] == "image" and first != last

    assert client.patch(f"/shots/{shots[0]['id']}", json={"clip_media_id": clip, "keyframe_media_id": key}).status_code == 200
    assert client.patch(f"/shots/{shots[1]['id']}", json={"keyframe_media_id": key}).status_code == 200
    use = client.post("/ai/use-last-frame", json={"shot_id": shots[1]["id"]})
    assert use.status_code == 200 and use.json()["start_frame_media_id"] == last
    first_shot = client.post("/ai/use-last-frame", json={"shot_id": shots[0]["id"]})
    assert first_shot.status_code == 422 and first_shot.json()["error"]["fields"][0]["name"] == "use_last_frame"

    bridge = client.post("/ai/video/smooth-transition", json={
        "from_shot_id": shots[0]["id"], "to_shot_id": shots[1]["id"], "provider": "local", "model": "animate"})
    media = _done(client, bridge)
    assert media["type"] == "video" and media["start_frame_used"] == last and media["end_frame_used"]

    voice = _done(client, client.post("/ai/voice/tts", json={"provider": "local", "model": "tts", "text": "Now.",
                                                             "project_id": pid}))["media_id"]
    talking = _done(client, client.post("/ai/lipsync/image", json={
        "provider": "local", "model": "lipsync-image", "image_media_id": key, "audio_media_id": voice,
        "params": {"fps": 12, "resolution": "360p"}, "project_id": pid}))
    assert talking["type"] == "video" and talking["operation"] == "lipsync_image"
    synced = _done(client, client.post("/ai/lipsync/video", json={
        "provider": "local", "model": "lipsync-video", "video_media_id": clip, "audio_media_id": voice,
        "shot_id": shots[0]["id"]}))
    assert synced["type"] == "video" and synced["shot_id"] == shots[0]["id"]

    render = client.post("/render/scene", json={"scene_id": project["scenes"][0]["id"],
                                                "options": {"quality": "preview", "subtitles": "none"}})
    assert render.status_code == 202 and render.json()["status"] in ("queued", "running", "succeeded")
    from core.render.service import wait_render

    wait_render(job_id=render.json()["job_id"], timeout_s=180)
    job = client.get(f"/jobs/{render.json()['job_id']}").json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job["error"]
    rendered = client.get(f"/media/{job['media_id']}").json()
    assert rendered["type"] == "render" and client.get(rendered["url"]).content[4:8] == b"ftyp"


def test_render_film_answers_a_job_at_once_and_can_be_cancelled(client, runner, project):
    pid = project["id"]
    shot = client.get(f"/projects/{pid}/shots").json()[0]
    client.patch(f"/shots/{shot['id']}", json={"keyframe_media_id": _keyframe(client, pid)})
    bad = client.post("/render/film", json={"project_id": pid, "subtitles": "sideways"})
    assert bad.status_code == 422
    answer = client.post("/render/film", json={"project_id": pid, "subtitles": "srt", "loudness_lufs": -14})
    assert answer.status_code == 202 and answer.json()["kind"] == "render"
    cancelled = client.post(f"/jobs/{answer.json()['job_id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] in ("cancelled", "succeeded")
    from core.render.service import wait_render

    wait_render(job_id=answer.json()["job_id"], timeout_s=180)


def test_render_of_nothing_is_invalid_input(client, project):
    answer = client.post("/render/film", json={"project_id": project["id"]})
    assert answer.status_code == 422 and answer.json()["error"]["fields"][0]["name"] == "shots"
    assert client.post("/render/scene", json={"scene_id": 9999}).status_code == 404
