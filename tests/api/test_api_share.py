"""Share links: POST /media/{id}/share → url + expires_at; GET /share/{token} streams the file without
an account; expired, revoked or edited links open nothing; DELETE revokes; roles under sign-in."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest

from core.accounts import service
from core.db import session
from core.media_assets import create_asset
from core.models import ShareLink
from core.settings import get_settings
from tests.emulators.media import seeded_png

ADMIN_TOKEN = "sr-admin-token-0123456789abcdef"


@pytest.fixture
def image():
    data = seeded_png(width=16, height=16, seed="share")
    return create_asset(type="image", project_id=None, data=data, mime="image/png", label="poster"), data


def _setenv(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


def test_a_link_streams_the_file_until_it_expires(client, image, monkeypatch):
    asset, data = image
    answer = client.post(f"/media/{asset.media_id}/share", json={})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs((expires - datetime.now(timezone.utc)) - timedelta(days=7)) < timedelta(minutes=1)
    path = urlparse(body["url"]).path
    assert path == f"/share/{body['token']}"
    opened = client.get(path)
    assert opened.status_code == 200 and opened.content == data
    assert opened.headers["content-type"] == "image/png" and "poster.png" in opened.headers["content-disposition"]
    monkeypatch.setattr("core.shares.utcnow", lambda: expires + timedelta(seconds=1))  # a week later
    gone = client.get(path)
    assert gone.status_code == 404 and "expired" in gone.json()["error"]["message"]


def test_expiry_is_configurable_and_bounded(client, image):
    asset, _ = image
    body = client.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 3600}).json()
    left = datetime.fromisoformat(body["expires_at"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=58) < left <= timedelta(hours=1)
    assert client.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 10}).status_code == 422
    assert client.post("/media/nosuchmedia/share", json={}).status_code == 404


def test_revoked_or_edited_links_open_nothing(client, image):
    asset, _ = image
    token = client.post(f"/media/{asset.media_id}/share").json()["token"]
    link_id, signature = token.split(".")
    forged = f"{link_id}.{('0' if signature[0] != '0' else '1')}{signature[1:]}"
    assert client.get(f"/share/{forged}").status_code == 404
    assert client.delete(f"/share/{forged}").status_code == 404
    assert client.delete(f"/share/{token}").status_code == 204
    revoked = client.get(f"/share/{token}")
    assert revoked.status_code == 404 and "revoked" in revoked.json()["error"]["message"]


def test_the_public_url_setting_builds_the_link(client, image, monkeypatch):
    _setenv(monkeypatch, STORYREEL_PUBLIC_URL="https://films.example.org/api/")
    asset, _ = image
    body = client.post(f"/media/{asset.media_id}/share").json()
    assert body["url"] == f"https://films.example.org/api/share/{body['token']}"


def test_a_link_opens_without_the_api_token(client, image, monkeypatch):
    _setenv(monkeypatch, STORYREEL_API_TOKEN=ADMIN_TOKEN)
    asset, data = image
    assert client.post(f"/media/{asset.media_id}/share").status_code == 401
    token = client.post(f"/media/{asset.media_id}/share",
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["token"]
    assert client.get(f"/share/{token}").content == data
    assert client.delete(f"/share/{token}").status_code == 401  # revoking needs the token


def test_under_sign_in_viewers_may_not_share_and_anyone_may_open(client, image, monkeypatch):
    _setenv(monkeypatch, STORYREEL_AUTH="on")
    service.add_user(name="vic", password="v", role="viewer")
    service.add_user(name="ed", password="e", role="editor")
    vic = {"Authorization": f"Bearer {service.create_token(name='vic')}"}
    ed = {"Authorization": f"Bearer {service.create_token(name='ed')}"}
    asset, data = image
    assert client.post(f"/media/{asset.media_id}/share", headers=vic).status_code == 403
    answer = client.post(f"/media/{asset.media_id}/share", headers=ed)
    assert answer.status_code == 201
    token = answer.json()["token"]
    with session() as s:
        assert s.get(ShareLink, token.split(".")[0]).created_by == "ed"
    assert client.get(f"/share/{token}").content == data
    assert client.delete(f"/share/{token}").status_code == 401
    assert client.delete(f"/share/{token}", headers=vic).status_code == 403
    assert client.delete(f"/share/{token}", headers=ed).status_code == 204
