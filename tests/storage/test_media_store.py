"""The media store (STORYREEL_MEDIA_URL): the data dir by default, or an S3 bucket on moto's
standalone S3 server on loopback (tests/conftest.py ``s3_media``). Stored media lands in the bucket
under the prefix, content-addressed; another machine (another data dir) reads it back through its own
read-through cache; a render made on S3 is in the bucket; an S3 share link opens as a redirect to a
short-lived presigned URL that downloads the file from the store with no account, and revoking the
link stops it opening."""
from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from core.api.app import app
from core.cli import main as cli_main
from core.errors import InvalidInput, MediaStoreUnavailable, NotFound
from core.media.files import sha256_bytes
from core.media.s3 import S3Store
from core.media.store import LocalStore, media_store
from core.media_assets import asset_path, create_asset, get_asset
from core.projects import create_project
from core.recording.takes import delete_take, import_take
from core.render.service import start_render, wait_render
from core.settings import get_settings
from core.storage import check_media_store, prune_media_cache, remove_media
from tests.conftest import forget_state, installed_runner, make_runner
from tests.emulators.media import seeded_png, tone_wav
from tests.film.conftest import make_project

LOCAL = {"client": ("127.0.0.1", 50000), "base_url": "http://127.0.0.1"}


def _objects(client, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def _other_machine(monkeypatch, tmp_path: Path, name: str) -> Path:
    """Point this process at a fresh data dir (another machine's disk) keeping database and store."""
    db = get_settings().db_url
    monkeypatch.setenv("DATABASE_URL", db)
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / name))
    forget_state()
    return tmp_path / name


def test_default_store_is_the_data_dir(data_dir):
    store = media_store()
    assert isinstance(store, LocalStore) and not store.remote
    data = b"\x89PNG local"
    asset = create_asset(type="image", project_id=None, data=data, mime="image/png")
    assert asset_path(media_id=asset.media_id) == (data_dir / asset.file_path).resolve()
    assert asset.file_path == f"media/shared/{sha256_bytes(data)}.png"
    assert check_media_store() == "the data dir (STORYREEL_DATA_DIR)"


def test_media_url_naming_the_data_dir_or_garbage(data_dir, monkeypatch):
    monkeypatch.setenv("STORYREEL_MEDIA_URL", f"file://{data_dir}")
    get_settings.cache_clear()
    assert not media_store().remote
    for bad in ("/somewhere/else", "ftp://host/x", "s3:///nobucket"):
        monkeypatch.setenv("STORYREEL_MEDIA_URL", bad)
        get_settings.cache_clear()
        with pytest.raises(MediaStoreUnavailable) as err:
            media_store()
        assert err.value.setting == "STORYREEL_MEDIA_URL" and "STORYREEL_MEDIA_URL" in err.value.message


def test_stored_media_goes_to_the_bucket_and_another_machine_reads_it(s3_media, tmp_path, monkeypatch):
    client, bucket, prefix = s3_media
    assert isinstance(media_store(), S3Store) and check_media_store().startswith(f"s3://{bucket}/{prefix}")
    data = seeded_png(seed="bucket")
    asset = create_asset(type="image", project_id=None, data=data, mime="image/png", label="poster")
    objects = _objects(client, bucket)
    assert objects[f"{prefix}/{asset.file_path}"] == data  # content-addressed key, under the prefix
    assert Path(asset.file_path).stem == sha256_bytes(data)
    sidecar = f"{prefix}/{Path(asset.file_path).parent}/{asset.media_id}.json"
    assert b'"label": "poster"' in objects[sidecar]  # the metadata file lives in the store too

    again = create_asset(type="image", project_id=None, data=data, mime="image/png")
    assert again.file_path == asset.file_path  # identical bytes: one object
    other = _other_machine(monkeypatch, tmp_path, "machine-b")
    assert not (other / asset.file_path).exists()
    path = asset_path(media_id=asset.media_id)  # fetched from the bucket into this machine's cache
    assert path == (other / asset.file_path).resolve() and path.read_bytes() == data
    assert not list(path.parent.glob("*.part")), "a partial download was left behind"


def test_the_local_cache_of_an_s3_store_is_pruned_by_last_use(s3_media, data_dir):
    used = create_asset(type="image", project_id=None, data=seeded_png(seed="used"), mime="image/png")
    idle = create_asset(type="image", project_id=None, data=seeded_png(seed="idle"), mime="image/png")
    week_ago = time.time() - 8 * 24 * 3600
    for asset in (used, idle):
        os.utime(data_dir / asset.file_path, (week_ago, week_ago))
    asset_path(media_id=used.media_id)  # a read marks the copy as in use
    assert prune_media_cache() >= 1
    assert (data_dir / used.file_path).is_file() and not (data_dir / idle.file_path).exists()
    assert asset_path(media_id=idle.media_id).read_bytes() == seeded_png(seed="idle")  # fetched again


def test_the_default_store_is_never_pruned(data_dir):
    asset = create_asset(type="image", project_id=None, data=seeded_png(seed="keep"), mime="image/png")
    week_ago = time.time() - 30 * 24 * 3600
    os.utime(data_dir / asset.file_path, (week_ago, week_ago))
    assert prune_media_cache() == 0 and (data_dir / asset.file_path).is_file()


def test_missing_and_tampered_objects(s3_media, tmp_path, monkeypatch):
    client, bucket, prefix = s3_media
    asset = create_asset(type="image", project_id=None, data=seeded_png(seed="tamper"), mime="image/png")
    _other_machine(monkeypatch, tmp_path, "machine-c")
    client.put_object(Bucket=bucket, Key=f"{prefix}/{asset.file_path}", Body=b"not the stored bytes")
    with pytest.raises(MediaStoreUnavailable, match="SHA-256"):
        asset_path(media_id=asset.media_id)
    assert not (get_settings().data_dir / asset.file_path).exists(), "a corrupt copy was kept"
    client.delete_object(Bucket=bucket, Key=f"{prefix}/{asset.file_path}")
    with pytest.raises(NotFound, match=f"s3://{bucket}/{prefix}"):
        asset_path(media_id=asset.media_id)


def test_an_unreachable_or_missing_bucket_is_named(s3_media, monkeypatch):
    monkeypatch.setenv("STORYREEL_MEDIA_URL", "s3://no-such-bucket-here/x")
    get_settings.cache_clear()
    with pytest.raises(MediaStoreUnavailable) as err:
        check_media_store()
    assert "STORYREEL_MEDIA_URL" in err.value.message and "storyreel-test-secret" not in err.value.message


def test_a_worker_refuses_to_start_on_a_missing_bucket(s3_media, monkeypatch, capsys):
    monkeypatch.setenv("STORYREEL_MEDIA_URL", "s3://no-such-bucket-here/x")
    get_settings.cache_clear()
    assert cli_main(["worker", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "s3://no-such-bucket-here/x" in err and "STORYREEL_MEDIA_URL" in err


def test_a_film_rendered_on_s3_is_in_the_bucket(s3_media, tmp_path):
    client, bucket, prefix = s3_media
    project = make_project(tmp_path, voices=False)
    with installed_runner(make_runner()):
        job = wait_render(job_id=start_render(project_id=project.id, operation="film",
                                              options={"short_side": 240, "subtitles": "srt"}).id, timeout_s=240)
    assert job.status == "succeeded", job.error
    film = get_asset(media_id=job.result_media_id)
    objects = client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/media/{project.id}/")["Contents"]
    keys = {o["Key"]: o["Size"] for o in objects}
    assert keys[f"{prefix}/{film.file_path}"] == film.size_bytes > 0
    srt = get_asset(media_id=film.extra["srt_media_id"])
    assert f"{prefix}/{srt.file_path}" in keys


def test_an_s3_share_link_redirects_to_a_short_lived_presigned_url(s3_media, s3_server):
    _, bucket, prefix = s3_media
    data = seeded_png(seed="shared")
    asset = create_asset(type="image", project_id=None, data=data, mime="image/png", label="poster")
    with TestClient(app, raise_server_exceptions=False, **LOCAL) as api:
        answer = api.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 3600})
        assert answer.status_code == 201, answer.text
        token = answer.json()["token"]
        assert answer.json()["url"] == f"http://127.0.0.1/share/{token}"  # the API's link: revocable
        opened = api.get(f"/share/{token}", follow_redirects=False)
        assert opened.status_code == 307
        url = opened.headers["location"]
        assert url.startswith(f"{s3_server}/{bucket}/{prefix}/{asset.file_path}?")
        assert "X-Amz-Expires=" in url and "storyreel-test-secret" not in url
        assert 890 <= int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0]) <= 900  # 15 minutes, not the link's hour
        fetched = httpx.get(url, timeout=30)  # no account, no API: straight from the store
        assert fetched.status_code == 200 and fetched.content == data
        assert fetched.headers["content-type"] == "image/png"
        # S3 names the download from the signed response-content-disposition (moto does not apply it)
        assert "poster.png" in unquote(parse_qs(urlparse(url).query)["response-content-disposition"][0])
        assert api.delete(f"/share/{token}").status_code == 204
        revoked = api.get(f"/share/{token}", follow_redirects=False)
        assert revoked.status_code == 404 and "revoked" in revoked.json()["error"]["message"]
        # a link about to expire signs no longer than itself; a long one is fine (each opening signs anew)
        brief = api.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 120}).json()
        url = api.get(f"/share/{brief['token']}", follow_redirects=False).headers["location"]
        assert 110 <= int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0]) <= 120
        assert api.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 30 * 24 * 3600}).status_code == 201


def test_deleting_a_take_removes_its_object(s3_media):
    client, bucket, prefix = s3_media
    project = create_project(name="Takes")
    take = import_take(project_id=project.id, name="line.wav", data=tone_wav(seconds=0.5))
    key = f"{prefix}/{take.file_path}"
    assert key in _objects(client, bucket)
    delete_take(media_id=take.media_id)
    assert key not in _objects(client, bucket)
    with pytest.raises(InvalidInput):
        remove_media(rel="../outside")
