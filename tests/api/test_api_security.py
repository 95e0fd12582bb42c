"""The token, the loopback default, upload limits and content checks, path traversal, no stack traces."""
from __future__ import annotations

import io
import logging

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import session
from core.models import MediaAsset
from core.settings import get_settings

TOKEN = "sr-test-token-0123456789abcdef"


def _wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    from tests.emulators.media import tone_wav

    return tone_wav(seconds=seconds, rate=rate, amplitude=8000)


def _png() -> bytes:
    from tests.emulators.media import seeded_png

    return seeded_png(width=8, height=8, seed="x")


def _media_count() -> int:
    with session() as s:
        return len(s.exec(select(MediaAsset)).all())


@pytest.fixture
def with_token(monkeypatch):
    monkeypatch.setenv("STORYREEL_API_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield TOKEN
    get_settings.cache_clear()


# --- token ---------------------------------------------------------------------------------------

GUARDED = [("get", "/projects"), ("get", "/openapi.json"), ("get", "/docs"), ("get", "/jobs/abc"),
           ("get", "/media/abc/file"), ("post", "/ai/video/get-capabilities"), ("post", "/render/film"),
           ("delete", "/projects/1")]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer ",
                                    TOKEN])
def test_every_route_needs_the_right_token(client, with_token, header):
    headers = {"Authorization": header} if header else {}
    for method, path in GUARDED:
        answer = client.request(method.upper(), path, headers=headers)
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error"]["code"] == "unauthorized" and answer.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in answer.text


def test_the_right_token_passes_and_is_compared_in_constant_time(client, with_token, monkeypatch):
    import core.api.security as sec

    seen = []
    real = sec.hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(sec.hmac, "compare_digest", spy)
    ok = client.get("/projects", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.json() == []
    assert seen == [(TOKEN.encode(), TOKEN.encode())]


def test_without_token_remote_clients_are_refused_and_loopback_served(data_dir):
    from core.api.app import app

    with TestClient(app, client=("10.1.2.3", 40000), base_url="http://127.0.0.1", raise_server_exceptions=False) as remote:
        answer = remote.get("/projects")
        assert answer.status_code == 401 and "STORYREEL_API_TOKEN" in answer.json()["error"]["message"]
    for host in ("127.0.0.1", "::1"):
        with TestClient(app, client=(host, 40000), base_url="http://127.0.0.1") as local:
            assert local.get("/projects").status_code == 200


def test_with_token_remote_clients_are_served(data_dir, with_token):
    from core.api.app import app

    with TestClient(app, client=("10.1.2.3", 40000), base_url="http://127.0.0.1") as remote:
        assert remote.get("/projects", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


# --- serve -----------------------------------------------------------------------------------

def test_serve_refuses_a_non_loopback_host_without_token(data_dir, monkeypatch, capsys):
    import uvicorn

    from core.cli import main

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "STORYREEL_API_TOKEN" in capsys.readouterr().err and calls == []
    assert main(["serve"]) == 0
    assert calls[-1][0] == ("core.api:app",) and calls[-1][1]["host"] == "127.0.0.1" and calls[-1][1]["port"] == 8000


def test_serve_binds_any_host_with_a_token(data_dir, with_token, monkeypatch):
    import uvicorn

    from core.cli import main

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    assert main(["serve", "--host", "0.0.0.0", "--port", "9123"]) == 0
    assert (calls[0]["host"], calls[0]["port"]) == ("0.0.0.0", 9123)


# --- uploads ---------------------------------------------------------------------------------

def _v2v(client, data: bytes, name: str, ctype: str = "audio/wav"):
    return client.post("/ai/voice/v2v", files={"audio": (name, data, ctype)},
                       data={"provider": "local", "model": "v2v", "params": "{}"})


@pytest.mark.parametrize("data,name", [(_png(), "voice.wav"), (b"\x13\x37" * 500 + bytes(range(256)), "voice.wav"),
                                       (b"RIFF\x00\x00\x00\x00WAVX", "voice.wav"), (b"", "voice.wav")])
def test_mislabelled_or_empty_uploads_are_refused_by_content(client, data, name):
    answer = _v2v(client, data, name)
    assert answer.status_code == 422, answer.text
    err = answer.json()["error"]
    assert err["code"] == "invalid_input" and err["fields"][0]["name"] == "audio"
    assert _media_count() == 0


def test_a_real_wav_passes_the_content_check_whatever_its_name(client, runner):
    answer = client.post("/ai/voice/v2v", files={"audio": ("take.png", _wav(), "image/png")},
                         data={"provider": "local", "model": "v2v", "voice_id": "local-joe"})
    assert answer.status_code == 202, answer.text
    assert _media_count() == 1  # the upload, stored under its content hash


def test_oversized_uploads_are_refused_before_reading(client, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()  # the app's start-up (its job workers) already read the settings
    big = _wav(seconds=70, rate=8000)  # ~1.1 MB of real audio
    answer = _v2v(client, big, "take.wav")
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "upload_too_large"
    assert _media_count() == 0


def test_read_upload_stops_at_the_limit():
    from starlette.datastructures import UploadFile

    from core.api.errors import UploadTooLarge
    from core.api.uploads import read_upload

    with pytest.raises(UploadTooLarge):
        read_upload(upload=UploadFile(io.BytesIO(b"x" * 2048)), limit=1024, field="audio")
    assert read_upload(upload=UploadFile(io.BytesIO(b"x" * 1024)), limit=1024, field="audio") == b"x" * 1024


# --- path traversal ---------------------------------------------------------------------------

TRAVERSALS = ["%2e%2e", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "..\\..\\windows", "....//....//etc", "%00", "a b", "x" * 65]
ID_ROUTES = ["/jobs/{}", "/media/{}", "/media/{}/file", "/projects/{}", "/scenes/{}", "/shots/{}",
             "/projects/{}/scenes", "/projects/{}/shots", "/projects/{}/characters", "/projects/{}/scripts",
             "/projects/1/characters/{}"]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_path_traversal_in_id_routes_is_404_or_422(client, route):
    client.post("/projects", json={"name": "P"})
    for bad in TRAVERSALS:
        answer = client.get(route.format(bad))
        assert answer.status_code in (404, 422), (route, bad, answer.status_code)
        assert answer.json()["error"]["code"] in ("not_found", "invalid_input")
        assert "root:" not in answer.text


@pytest.mark.parametrize("path,body", [
    ("/ai/extract-frames", {"media_id": "../../etc/passwd"}),
    ("/ai/lipsync/image", {"provider": "local", "model": "lipsync-image", "audio_media_id": "../x",
                           "image_media_id": "y"}),
    ("/ai/lipsync/video", {"provider": "local", "model": "lipsync-video", "video_media_id": "/etc/passwd",
                           "audio_media_id": "y"}),
    ("/ai/image/generate", {"provider": "local", "model": "keyframe", "params": {"prompt": "x"},
                            "character_id": "../maya"}),
    ("/ai/image/generate", {"provider": "local", "model": "keyframe",
                            "params": {"prompt": "x", "reference_images": ["../../etc/passwd"]}}),
])
def test_path_traversal_in_body_ids_is_422(client, path, body):
    answer = client.post(path, json=body)
    assert answer.status_code == 422 and answer.json()["error"]["code"] in ("invalid_input", "invalid_combination")


def test_a_record_pointing_outside_the_data_dir_is_never_served(client, data_dir, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0")
    (data_dir / "media").mkdir(parents=True, exist_ok=True)
    link = data_dir / "media" / "link.png"
    link.symlink_to(outside)
    with session() as s:
        s.add(MediaAsset(media_id="escape1", type="image", file_path="../secret.txt", content_hash="x"))
        s.add(MediaAsset(media_id="escape2", type="image", file_path="media/link.png", content_hash="y"))
    for media_id in ("escape1", "escape2"):
        answer = client.get(f"/media/{media_id}/file")
        assert answer.status_code in (404, 422) and "root:" not in answer.text


# --- no stack traces --------------------------------------------------------------------------

def test_an_unexpected_error_is_a_generic_500_logged_with_secrets_redacted(client, with_token, monkeypatch, caplog):
    from core.api import services as api_services

    def boom(**_kwargs):
        raise RuntimeError(f"database password is {TOKEN}")

    monkeypatch.setattr(api_services, "capabilities_json", boom)
    with caplog.at_level(logging.ERROR, logger="storyreel.api"):
        answer = client.post("/ai/video/get-capabilities", json={"provider": "local", "model": "keyframe"},
                             headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "Traceback" not in answer.text and "RuntimeError" not in answer.text and TOKEN not in answer.text
    assert "RuntimeError" in caplog.text and TOKEN not in caplog.text and "***" in caplog.text
