"""POST /media (uploads checked by content and size, stored as assets), GET /media listing, a start
frame + references flow built on uploads, and the JSON metadata file beside every stored asset."""
from __future__ import annotations

import json

from tests.api.conftest import wait_job
from tests.emulators.media import clip_mp4, solid_png, tone_wav


def _upload(client, data: bytes, name: str, mime: str = "application/octet-stream", **form):
    return client.post("/media", files={"file": (name, data, mime)}, data={k: str(v) for k, v in form.items()})


def _sidecar(data_dir, record: dict) -> dict:
    path = (data_dir / record["file_path"]).parent / f"{record['media_id']}.json"
    return json.loads(path.read_text())


def test_good_uploads_are_stored_by_content(client, data_dir):
    pid = client.post("/projects", json={"name": "P"}).json()["id"]
    png = _upload(client, solid_png(width=40, height=30), "frame.jpg", "image/jpeg", project_id=pid)
    assert png.status_code == 201, png.text
    image = png.json()
    assert (image["type"], image["mime_type"], image["width"], image["height"]) == ("image", "image/png", 40, 30)
    assert image["provider"] == "upload" and image["project_id"] == pid and image["label"] == "uploaded frame.jpg"
    assert image["file_path"].endswith(".png") and "frame" not in image["file_path"]  # named by its hash
    wav = _upload(client, tone_wav(seconds=0.5), "take.bin", project_id=pid).json()
    assert wav["type"] == "voice" and wav["mime_type"] == "audio/wav" and abs(wav["duration_s"] - 0.5) < 0.05
    mp4 = _upload(client, clip_mp4(width=64, height=48, seconds=1.0), "clip.mp4", "video/mp4", project_id=pid).json()
    assert (mp4["type"], mp4["width"], mp4["height"]) == ("video", 64, 48) and mp4["duration_s"] > 0.5
    assert client.get(f"/media/{image['media_id']}/file").content == solid_png(width=40, height=30)
    listed = client.get("/media", params={"project_id": pid}).json()
    assert {m["media_id"] for m in listed} == {image["media_id"], wav["media_id"], mp4["media_id"]}
    assert [m["media_id"] for m in client.get("/media", params={"project_id": pid, "type": "image"}).json()] == [
        image["media_id"]]
    assert client.get("/media").json() == []  # nothing outside projects
    assert _upload(client, solid_png(), "x.png").json()["project_id"] is None
    assert len(client.get("/media").json()) == 1


def test_bad_uploads_are_refused(client, monkeypatch, data_dir):
    text = _upload(client, b"hello, I am not a picture" * 10, "evil.png", "image/png")
    assert text.status_code == 422 and text.json()["error"]["fields"][0]["name"] == "file"
    assert "not a recognised" in text.json()["error"]["message"]
    broken_png = solid_png(width=64, height=64)[:60]  # the header says PNG; the pixels are cut off
    broken = _upload(client, broken_png, "cut.png", "image/png")
    assert broken.status_code == 422 and "cannot be decoded" in broken.json()["error"]["message"]
    fake_mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200  # MP4 magic, no movie inside
    assert _upload(client, fake_mp4, "fake.mp4", "video/mp4").status_code == 422
    assert _upload(client, b"", "empty.png", "image/png").status_code == 422
    assert _upload(client, solid_png(), "x.png", project_id=999999).status_code == 404
    monkeypatch.setenv("STORYREEL_MAX_UPLOAD_MB", "0.001")
    from core.settings import get_settings

    get_settings.cache_clear()
    big = _upload(client, tone_wav(seconds=2.0), "long.wav", "audio/wav")
    assert big.status_code == 413 and "STORYREEL_MAX_UPLOAD_MB" in json.dumps(big.json())
    get_settings.cache_clear()
    assert client.get("/media").json() == []  # nothing was stored
    assert not list((data_dir / "media").rglob("*.png")) if (data_dir / "media").exists() else True


def test_start_frame_and_references_from_uploads(client, runner, data_dir):
    pid = client.post("/projects", json={"name": "P"}).json()["id"]
    refs = [_upload(client, solid_png(color=c), f"ref{i}.png", project_id=pid).json()["media_id"]
            for i, c in enumerate([(200, 40, 40), (40, 200, 40)])]
    start = _upload(client, solid_png(width=64, height=36, color=(10, 10, 120)), "start.png", project_id=pid).json()
    end = _upload(client, solid_png(width=64, height=36, color=(120, 10, 10)), "end.png", project_id=pid).json()
    kf = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe", "project_id": pid,
                                                 "params": {"prompt": "a lighthouse", "reference_images": refs}})
    assert kf.status_code == 202, kf.text
    kf_job = wait_job(client, kf.json())
    assert kf_job["status"] == "succeeded", kf_job["error"]
    assert client.get(f"/media/{kf_job['media_id']}").json()["reference_images_used"] == refs
    clip = client.post("/ai/video/generate", json={"provider": "local", "model": "animate", "project_id": pid, "params": {
        "prompt": "dusk to night", "image": start["media_id"], "last_frame": end["media_id"], "duration": 1,
        "fps": 12, "resolution": "360p"}})
    assert clip.status_code == 202, clip.text
    job = wait_job(client, clip.json())
    assert job["status"] == "succeeded", job["error"]
    media = client.get(f"/media/{job['media_id']}").json()
    assert (media["start_frame_used"], media["end_frame_used"]) == (start["media_id"], end["media_id"])
    missing = client.post("/ai/video/generate", json={"provider": "local", "model": "animate", "params": {
        "prompt": "x", "image": "nosuchmedia"}})
    assert missing.status_code in (404, 422)


def test_metadata_file_beside_every_asset_equals_the_api_record(client, runner, data_dir):
    pid = client.post("/projects", json={"name": "P"}).json()["id"]
    upload = _upload(client, solid_png(), "a.png", project_id=pid).json()
    assert _sidecar(data_dir, upload) == client.get(f"/media/{upload['media_id']}").json()
    job = wait_job(client, client.post("/ai/image/generate", json={
        "provider": "local", "model": "keyframe", "project_id": pid, "params": {"prompt": "a boat", "seed": 3}}).json())
    made = client.get(f"/media/{job['media_id']}").json()
    assert _sidecar(data_dir, made) == made and made["input_params"]["prompt"] == "a boat"
    # an update through core is reflected in the file (written after the commit, atomically)
    from core.media_assets import update_asset

    update_asset(media_id=made["media_id"], label="hero keyframe", extra={"note": "picked"})
    again = client.get(f"/media/{made['media_id']}").json()
    assert again["label"] == "hero keyframe" and _sidecar(data_dir, again) == again
    # every asset in the data dir has its file; deleting the project removes them with the rows
    for record in client.get("/media", params={"project_id": pid}).json():
        assert _sidecar(data_dir, record) == record
    side = (data_dir / made["file_path"]).parent / f"{made['media_id']}.json"
    assert not list(side.parent.glob(".tmp-*"))
    assert client.delete(f"/projects/{pid}").status_code in (200, 204)
    assert not side.exists()
