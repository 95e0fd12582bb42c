"""Generation routes with the local provider and the google emulator: jobs at once, assets whose
metadata is the unified record of seed §10, invalid combinations refused before any provider call."""
from __future__ import annotations


import pytest
from sqlmodel import select

from core.db import session
from core.models import Job
from tests.api.conftest import GOOGLE_KEY, VERTEX_TOKEN, wait_job
from tests.emulators.server import Fault

SEED_10 = {"media_id", "type", "provider", "model", "input_params", "character_id", "start_frame_used",
           "end_frame_used", "reference_images_used", "file_path", "timestamp"}
VEO = {"provider": "google", "model": "veo-3.1-generate-001"}


def _job_count() -> int:
    with session() as s:
        return len(s.exec(select(Job)).all())


def _keyframe(client, pid: int | None = None, **params) -> dict:
    body = {"provider": "local", "model": "keyframe", "params": {"prompt": "A lighthouse at dusk", "seed": 7, **params}}
    if pid is not None:
        body["project_id"] = pid
    answer = client.post("/ai/image/generate", json=body)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] in ("queued", "submitted", "running", "succeeded")
    return wait_job(client, answer.json())


def test_local_keyframe_job_media_record_and_file(client, runner, data_dir):
    pid = client.post("/projects", json={"name": "P"}).json()["id"]
    job = _keyframe(client, pid)
    assert job["status"] == "succeeded" and job["error"] is None and job["progress"] == 1.0
    media = client.get(f"/media/{job['media_id']}").json()
    assert SEED_10 <= set(media)
    assert (media["media_id"], media["type"], media["provider"], media["model"]) == (
        job["media_id"], "image", "local", "keyframe")
    assert media["input_params"]["prompt"] == "A lighthouse at dusk" and media["input_params"]["seed"] == 7
    assert media["start_frame_used"] is None and media["reference_images_used"] == []
    assert media["project_id"] == pid and media["timestamp"]
    file = client.get(f"/media/{job['media_id']}/file")
    assert file.status_code == 200 and file.headers["content-type"] == "image/png"
    assert file.content.startswith(b"\x89PNG") and file.content == (data_dir / media["file_path"]).read_bytes()


def test_identical_request_is_a_cache_hit(client, runner):
    first = _keyframe(client)
    again = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe",
                                                    "params": {"prompt": "A lighthouse at dusk", "seed": 7}})
    assert again.status_code == 202
    assert again.json()["status"] == "succeeded" and again.json()["cache_hit"] is True
    assert again.json()["media_id"] == first["media_id"]


def test_local_video_from_a_keyframe_records_the_start_frame(client, runner):
    key = _keyframe(client)["media_id"]
    answer = client.post("/ai/video/generate", json={"provider": "local", "model": "animate", "params": {
        "prompt": "slow push in", "image": key, "duration": 1, "fps": 12, "resolution": "360p"}})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded", job["error"]
    media = client.get(f"/media/{job['media_id']}").json()
    assert (media["type"], media["start_frame_used"], media["end_frame_used"]) == ("video", key, None)
    assert "image" not in media["input_params"] or media["input_params"]["image"] == key
    assert client.get(f"/media/{job['media_id']}/file").content[4:8] == b"ftyp"


def test_get_capabilities(client):
    answer = client.post("/ai/video/get-capabilities", json=VEO)
    assert answer.status_code == 200
    cap = answer.json()
    assert cap["media_type"] == "video" and cap["roles"]["start_frame"] == "image"
    names = {f["name"]: f for f in cap["fields"]}
    assert names["duration_seconds"]["enum"] == [4, 6, 8] and names["image"]["role"] == "start_frame"
    assert any(r["rule"] == "never_together" for r in cap["rules"])
    unknown = client.post("/ai/video/get-capabilities", json={"provider": "google", "model": "veo-9"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unsupported"


@pytest.mark.parametrize("params,broken", [
    ({"prompt": "a fox", "reference_images": ["ref1"], "image": "start1"}, 1),   # references + start frame
    ({"prompt": "a fox", "last_frame": "end1"}, 1),                              # end frame without start
    ({"prompt": "a fox", "duration_seconds": 4, "resolution": "1080p"}, 1),      # 1080p at 4 s
    ({"prompt": "a fox", "reference_images": ["r"], "last_frame": "e", "duration_seconds": 4,
      "resolution": "1080p"}, 5),  # refs+end, end needs start, refs need 8 s, interpolation 8 s, 1080p only 8 s
])
def test_invalid_combinations_answer_422_and_reach_no_provider(client, runner, google_emu, params, broken):
    answer = client.post("/ai/video/generate", json={**VEO, "params": params})
    assert answer.status_code == 422, answer.text
    err = answer.json()["error"]
    assert err["code"] == "invalid_combination" and len(err["fields"]) == broken
    assert all(f["fields"] and f["message"] for f in err["fields"])
    assert google_emu.calls == [] and _job_count() == 0


def test_wrong_types_and_unknown_params_are_invalid_combination_too(client, google_emu):
    answer = client.post("/ai/video/generate", json={**VEO, "params": {"prompt": 3, "colour": "red"}})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_combination"
    assert {tuple(f["fields"]) for f in answer.json()["error"]["fields"]} >= {("colour",), ("prompt",)}
    assert google_emu.calls == []


def test_google_veo_through_the_emulator(client, runner, google_emu):
    answer = client.post("/ai/video/generate", json={**VEO, "params": {"prompt": "a fox runs", "duration_seconds": 4}})
    assert answer.status_code == 202, answer.text
    job = wait_job(client, answer.json())
    assert job["status"] == "succeeded", job["error"]
    assert google_emu.count("create") == 1
    media = client.get(f"/media/{job['media_id']}")
    assert media.json()["provider"] == "google" and media.json()["model"] == "veo-3.1-generate-001"
    assert media.json()["input_params"]["duration_seconds"] == 4
    for text in (media.text, client.get(f"/jobs/{job['job_id']}").text):
        assert GOOGLE_KEY not in text and VERTEX_TOKEN not in text
    assert client.get(f"/media/{job['media_id']}/file").content[4:8] == b"ftyp"


def test_a_permanent_provider_failure_is_reported_with_its_message(client, runner, google_emu):
    google_emu.faults.add(Fault(kind="status", route="create", status=400, message="Prompt was blocked."))
    answer = client.post("/ai/video/generate", json={**VEO, "params": {"prompt": "blocked thing"}})
    job = wait_job(client, answer.json())
    assert job["status"] == "failed" and job["media_id"] is None
    assert job["error"]["code"] == "provider_error" and "Prompt was blocked." in job["error"]["message"]
    assert job["error"]["retryable"] is False


def test_a_provider_error_raised_at_once_is_502_with_its_message(client, monkeypatch):
    from core.api import services as api_services
    from core.errors import ProviderError

    def boom(**_kwargs):
        raise ProviderError("model is gone", provider="replicate")

    monkeypatch.setattr(api_services, "capabilities_json", boom)
    answer = client.post("/ai/video/get-capabilities", json=VEO)
    assert answer.status_code == 502
    assert answer.json()["error"] == {"code": "provider_error", "message": "replicate: model is gone", "fields": []}


def test_missing_credentials_name_the_setting_and_queue_nothing(client):
    answer = client.post("/ai/video/generate", json={**VEO, "params": {"prompt": "a fox"}})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "missing_credentials"
    assert "GOOGLE" in answer.json()["error"]["message"] and _job_count() == 0


def test_a_model_of_another_media_type_is_refused(client):
    answer = client.post("/ai/video/generate", json={"provider": "local", "model": "keyframe",
                                                     "params": {"prompt": "x"}})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "unsupported"
    assert _job_count() == 0


@pytest.mark.parametrize("ref", ["../../etc/passwd", "/etc/hostname", "http://example.com/a.png", "a/b"])
def test_file_params_take_media_ids_only(client, runner, ref):
    answer = client.post("/ai/video/generate", json={"provider": "local", "model": "animate",
                                                     "params": {"prompt": "x", "image": ref}})
    assert answer.status_code == 422 and answer.json()["error"]["fields"][0]["name"] == "image"
    assert _job_count() == 0


def test_unknown_project_is_404_before_anything_is_queued(client):
    answer = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe",
                                                     "params": {"prompt": "x"}, "project_id": 12345})
    assert answer.status_code == 404 and _job_count() == 0
