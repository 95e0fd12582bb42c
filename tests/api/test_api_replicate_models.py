"""Any Replicate model through the API (get-capabilities, the generate routes) and the CLI
(capabilities, validate), with the real client aimed at the catalogue emulator."""
from __future__ import annotations

import argparse
import json

import pytest

from core.commands import capabilities, validate
from tests.api.conftest import wait_job
from tests.emulators.media import solid_png
from tests.providers.replicate_catalog import KLING_OLD, SDXL_VERSION, aim_at, serve_catalogue


@pytest.fixture(scope="module")
def _catalogue():
    with serve_catalogue() as emu:
        yield emu


@pytest.fixture
def catalogue(_catalogue, data_dir, monkeypatch):
    aim_at(_catalogue, monkeypatch)
    return _catalogue


def _caps(client, model: str):
    return client.post("/ai/video/get-capabilities", json={"provider": "replicate", "model": model})


def test_unseen_model_without_token_names_the_setting(client, _catalogue, monkeypatch):
    aim_at(_catalogue, monkeypatch, token=False)
    answer = _caps(client, "kwaivgi/kling-v2.1")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "missing_credentials" and "REPLICATE_API_TOKEN" in error["message"]
    assert _catalogue.requests == []


def test_get_capabilities_of_unseen_models(client, catalogue):
    kling = _caps(client, "kwaivgi/kling-v2.1")
    assert kling.status_code == 200, kling.text
    body = kling.json()
    assert body["media_type"] == "video" and body["version"] is None and body["fetched_at"]
    assert body["roles"]["start_frame"] == "start_image" and body["roles"]["end_frame"] == "end_image"
    duration = next(f for f in body["fields"] if f["name"] == "duration")
    assert duration["enum"] == [5, 10] and duration["role"] == "duration"
    pinned = _caps(client, f"kwaivgi/kling-v2.1:{KLING_OLD}").json()
    assert pinned["version"] == KLING_OLD and "end_frame" not in pinned["roles"]
    assert _caps(client, "stability-ai/sdxl").json()["version"] == SDXL_VERSION
    missing = _caps(client, "nobody/nothing")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "unsupported"
    assert _caps(client, "kwaivgi/kling-v2.1:latest").status_code == 422


def test_generate_video_with_an_unseen_official_model_and_an_uploaded_start_frame(client, catalogue, runner):
    pid = client.post("/projects", json={"name": "P"}).json()["id"]
    start = client.post("/media", files={"file": ("s.png", solid_png(width=64, height=36), "image/png")},
                        data={"project_id": str(pid)}).json()["media_id"]
    bad = client.post("/ai/video/generate", json={"provider": "replicate", "model": "kwaivgi/kling-v2.1",
                                                  "params": {"prompt": "waves", "start_image": start, "duration": 7}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_combination"
    assert catalogue.calls("create") == []
    answer = client.post("/ai/video/generate", json={
        "provider": "replicate", "model": "kwaivgi/kling-v2.1", "project_id": pid,
        "params": {"prompt": "waves at dusk", "start_image": start, "duration": 5}})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded", job["error"]
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/models/kwaivgi/kling-v2.1/predictions" and "version" not in create["body"]
    assert create["body"]["input"]["start_image"].startswith("data:image/png;base64,")
    media = client.get(f"/media/{job['media_id']}").json()
    assert (media["provider"], media["model"], media["type"]) == ("replicate", "kwaivgi/kling-v2.1", "video")
    assert media["start_frame_used"] == start


def test_generate_image_with_an_unseen_community_model_runs_by_version(client, catalogue, runner):
    answer = client.post("/ai/image/generate", json={"provider": "replicate", "model": "stability-ai/sdxl",
                                                     "params": {"prompt": "a lighthouse", "width": 768}})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded", job["error"]
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/predictions" and create["body"]["version"] == SDXL_VERSION
    assert client.get(f"/media/{job['media_id']}/file").content[:4] == b"\x89PNG"


def _run(module, argv):
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_capabilities_and_validate_take_any_replicate_model(catalogue, capsys):
    assert _run(capabilities, ["capabilities", "replicate", "minimax/hailuo-2.3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["roles"]["start_frame"] == "first_frame_image" and out["model"] == "minimax/hailuo-2.3"
    assert len(catalogue.calls("model")) == 1
    assert _run(capabilities, ["capabilities", "replicate", "minimax/hailuo-2.3", "--refresh"]) == 0
    capsys.readouterr()
    assert len(catalogue.calls("model")) == 2
    assert _run(validate, ["validate", "replicate", "wan-video/wan-2.5-i2v",
                           json.dumps({"prompt": "p", "image": "m1", "duration": 5})]) == 0
    assert json.loads(capsys.readouterr().out)["duration"] == 5
    assert _run(validate, ["validate", "replicate", "wan-video/wan-2.5-i2v",
                           json.dumps({"prompt": "p", "image": "m1", "duration": 7})]) == 2
    assert "duration" in capsys.readouterr().err


def test_smooth_transition_with_an_unseen_start_and_end_frame_model(client, catalogue, runner, project):
    pid = project["id"]
    shots = client.get(f"/projects/{pid}/shots").json()
    key = wait_job(client, client.post("/ai/image/generate", json={
        "provider": "local", "model": "keyframe", "project_id": pid, "params": {"prompt": "a lighthouse"}}).json())
    clip = wait_job(client, client.post("/ai/video/generate", json={
        "provider": "local", "model": "animate", "project_id": pid, "params": {
            "prompt": "push in", "image": key["media_id"], "duration": 1, "fps": 12, "resolution": "360p"}}).json())
    assert client.patch(f"/shots/{shots[0]['id']}", json={"clip_media_id": clip["media_id"],
                                                          "keyframe_media_id": key["media_id"]}).status_code == 200
    assert client.patch(f"/shots/{shots[1]['id']}", json={"keyframe_media_id": key["media_id"]}).status_code == 200
    answer = client.post("/ai/video/smooth-transition", json={
        "from_shot_id": shots[0]["id"], "to_shot_id": shots[1]["id"], "provider": "replicate",
        "model": "kwaivgi/kling-v2.1"})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded", job["error"]
    (create,) = catalogue.calls("create")
    sent = create["body"]["input"]
    assert create["path"] == "/v1/models/kwaivgi/kling-v2.1/predictions"
    assert sent["start_image"].startswith("data:image/png") and sent["end_image"].startswith("data:image/png")
    assert sent.get("duration", 5) in (5, 10)
    media = client.get(f"/media/{job['media_id']}").json()
    assert media["model"] == "kwaivgi/kling-v2.1" and media["start_frame_used"] and media["end_frame_used"]
