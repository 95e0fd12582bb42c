"""Hostile requests against the exposure rules: Host names, cross-site browsers, callers without an
IP, forwarded headers, malformed bodies, oversize streams, methods (issue 16 points 2 and 9)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.settings import get_settings
from tests.api.hostile import healthy, media_count, refused  # noqa: F401 (fixture)
from tests.api.test_api_security import _wav

pytestmark = pytest.mark.usefixtures("healthy")


def _app():
    from core.api.app import app

    return app


def _setenv(monkeypatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


# --- Host (DNS rebinding) ---------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1",
                                  "0.0.0.0", "[::2]:8000", "attacker.test:8000", "localhost@evil.example", "",
                                  "LOCALHOST.evil", "xn--80ak6aa92e.com", "127.0.0.2"])
def test_a_host_that_is_not_allowed_is_refused(client, host):
    refused(client.get("/projects", headers={"Host": host}), 400, "Host", "host_not_allowed")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST:1234", "localhost."])
def test_loopback_names_are_allowed_by_default(client, host):
    assert client.get("/projects", headers={"Host": host}).status_code == 200


def test_allowed_hosts_setting_adds_names_and_domains(client, monkeypatch):
    _setenv(monkeypatch, STORYREEL_ALLOWED_HOSTS="127.0.0.1,studio.example,.team.example")
    for ok in ("studio.example", "a.team.example", "team.example:443"):
        assert client.get("/projects", headers={"Host": ok}).status_code == 200, ok
    err = refused(client.get("/projects", headers={"Host": "localhost"}), 400, "Host", "host_not_allowed")
    assert "STORYREEL_ALLOWED_HOSTS" in err["message"]


# --- cross-site browsers (CSRF) -----------------------------------------------------------------------

@pytest.mark.parametrize("headers,field", [
    ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site"),
    ({"Sec-Fetch-Site": "CROSS-SITE"}, "Sec-Fetch-Site"),
    ({"Origin": "https://evil.example"}, "Origin"),
    ({"Origin": "null"}, "Origin"),
    ({"Origin": "http://127.0.0.1.evil.example"}, "Origin"),
    ({"Origin": "file://"}, "Origin"),
    ({"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}, "Origin"),
])
def test_state_changing_requests_from_another_site_are_refused(client, headers, field):
    refused(client.post("/projects", json={"name": "CSRF"}, headers=headers), 403, field, "cross_site_request")
    assert client.get("/projects").json() == []


def test_a_cross_site_multipart_post_runs_no_paid_job(client):
    answer = client.post("/ai/voice/v2v", files={"audio": ("t.wav", _wav(), "audio/wav")},
                         data={"provider": "elevenlabs", "model": "eleven_multilingual_sts_v2", "voice_id": "abc"},
                         headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    refused(answer, 403, code="cross_site_request")
    assert media_count() == 0


@pytest.mark.parametrize("method,headers", [
    ("GET", {"Sec-Fetch-Site": "cross-site"}), ("POST", {"Sec-Fetch-Site": "same-origin"}),
    ("POST", {"Origin": "http://localhost:8501"}), ("POST", {"Sec-Fetch-Site": "none"}),
])
def test_same_site_and_reads_pass(client, method, headers):
    answer = client.request(method, "/projects", json={"name": "Ok"} if method == "POST" else None, headers=headers)
    assert answer.status_code in (200, 201), answer.text


# --- who is calling -----------------------------------------------------------------------------------

@pytest.mark.parametrize("peer", ["testclient", "unix:/run/storyreel.sock", "", "10.0.0.5", "192.168.1.20",
                                  "::ffff:10.0.0.1", "fe80::1"])
def test_a_caller_without_a_loopback_ip_is_remote(peer):
    with TestClient(_app(), client=(peer, 1), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        refused(c.get("/projects"), 401, code="unauthorized")


@pytest.mark.parametrize("peer", ["::ffff:127.0.0.1", "127.0.0.2", "::1"])
def test_loopback_in_any_spelling_is_local(peer):
    with TestClient(_app(), client=(peer, 1), base_url="http://127.0.0.1") as c:
        assert c.get("/projects").status_code == 200


@pytest.mark.parametrize("trusted,peer,headers,status", [
    ("", "127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, 401),          # a proxy nobody trusted stands in front
    ("", "127.0.0.1", {"Forwarded": "for=127.0.0.1"}, 401),
    ("", "127.0.0.1", {"X-Real-IP": "127.0.0.1"}, 401),
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 401),
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, 200),
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "unknown"}, 401),
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}, 401),
    ("127.0.0.1", "127.0.0.1", {"Forwarded": 'for="[::1]:4711"'}, 200),
    ("127.0.0.1", "127.0.0.1", {"Forwarded": "for=_hidden"}, 401),
    ("10.0.0.0/8", "10.0.0.2", {"X-Forwarded-For": "127.0.0.1"}, 200),
    ("10.0.0.0/8", "10.0.0.2", {"X-Forwarded-For": "127.0.0.1, 10.0.0.9"}, 200),
    ("10.0.0.0/8", "10.0.0.2", {"X-Forwarded-For": "198.51.100.7, 10.0.0.9"}, 401),
    ("not-a-network", "127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, 401),
])
def test_forwarded_headers_count_only_from_trusted_proxies(monkeypatch, trusted, peer, headers, status):
    _setenv(monkeypatch, STORYREEL_TRUSTED_PROXIES=trusted)
    with TestClient(_app(), client=(peer, 1), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        answer = c.get("/projects", headers=headers)
        if status == 200:
            assert answer.status_code == 200, answer.text
        else:
            refused(answer, status, code="unauthorized")


# --- bodies -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content,ctype", [
    (b'{"name": "x"', "application/json"),              # truncated JSON
    (b'{"name": "\xff\xfe"}', "application/json"),      # invalid UTF-8
    (b"\xc3\x28", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
    (b"null", "application/json"),
    (b'{"name": "x", "name": {"$gt": ""}}', "application/json"),
])
def test_unparseable_bodies_are_422_invalid_input(client, content, ctype):
    refused(client.post("/projects", content=content, headers={"Content-Type": ctype}), 422, code="invalid_input")


def test_broken_multipart_is_422(client):
    answer = client.post("/ai/voice/v2v", content=b"--xyz\r\nContent-Disposition: form-data; name=\"audio\"\r\n\r\nab",
                         headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    refused(answer, 422, code="invalid_input")


def test_an_oversize_streamed_body_is_413(client, monkeypatch):
    _setenv(monkeypatch, STORYREEL_MAX_UPLOAD_MB="1")

    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    answer = client.post("/projects", content=chunks(), headers={"Content-Type": "application/json"})
    refused(answer, 413, "body", "upload_too_large")


def test_an_oversize_declared_body_is_413(client, monkeypatch):
    _setenv(monkeypatch, STORYREEL_MAX_UPLOAD_MB="1")
    answer = client.post("/projects", content=b"{}", headers={"Content-Length": str(5 * 1024 * 1024),
                                                               "Content-Type": "application/json"})
    refused(answer, 413, "body", "upload_too_large")


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/projects", {"GET", "HEAD", "POST"}),
    ("POST", "/projects/1", {"GET", "HEAD", "PATCH", "DELETE"}),
    ("DELETE", "/jobs/abc", {"GET", "HEAD"}),
    ("GET", "/ai/voice/tts", {"POST"}),
])
def test_405_lists_every_allowed_method(client, method, path, allowed):
    answer = client.request(method, path)
    refused(answer, 405, code="method_not_allowed")
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == allowed
