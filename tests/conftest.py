"""Fixtures shared by several test folders: a fresh data dir with no provider settings, a fast job
runner, and the google emulator with the real SDK aimed at it.

Nothing here is autouse: a folder opts in, e.g. with an autouse override
``def data_dir(data_dir): return data_dir`` in its own conftest (tests/render and tests/voice
keep their own data-dir fixtures)."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

GOOGLE_KEY = "AIzaTEST-google-key-0123456789"
VERTEX_TOKEN = "ya29.TEST-vertex-token-abcdef"
# Settings a test must never inherit from the shell: keys, base URLs, the database and API limits.
PROVIDER_SETTINGS = (
    "GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY", "DATABASE_URL",
    "GOOGLE_CLOUD_PROJECT", "GOOGLE_VERTEX_ACCESS_TOKEN", "GOOGLE_GENAI_BASE_URL", "REPLICATE_BASE_URL",
    "ELEVENLABS_BASE_URL", "WAVESPEED_BASE_URL", "STORYREEL_API_TOKEN", "STORYREEL_MAX_UPLOAD_MB",
    "STORYREEL_AUTH", "STORYREEL_PUBLIC_URL", "STORYREEL_SHARE_KEY", "STORYREEL_MEDIA_URL", "STORYREEL_S3_ENDPOINT_URL",
)
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "storyreel-test", "AWS_SECRET_ACCESS_KEY": "storyreel-test-secret",
                  "AWS_DEFAULT_REGION": "us-east-1"}
FAST_RUNNER = dict(poll_initial_s=0.05, poll_factor=1.0, poll_max_s=0.05, backoff_base_s=0.01, backoff_max_s=0.2,
                   max_retries=2)


def forget_state() -> None:
    """Drop every process-wide piece of state tied to a data dir: runner, caches, engines, settings."""
    from core import db
    from core.jobs import cache
    from core.jobs.service import reset_runner
    from core.settings import get_settings

    reset_runner()
    cache.close_all()
    db.reset_engines()
    get_settings.cache_clear()


def make_runner(**overrides):
    """A JobRunner that polls and backs off in tens of milliseconds (``overrides`` win)."""
    from core.jobs.service import JobRunner

    return JobRunner(**{**FAST_RUNNER, **overrides})


@contextmanager
def installed_runner(runner):
    """Install ``runner`` as the process-wide one; stop and uninstall it afterwards."""
    from core.jobs.service import set_runner

    set_runner(runner)
    try:
        yield runner
    finally:
        runner.stop()
        set_runner(None)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Point STORYREEL_DATA_DIR at a temp folder, unset every provider setting, and start (and
    end) with fresh settings, engines, caches and no job runner. Yields the data dir."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in PROVIDER_SETTINGS:
        monkeypatch.delenv(key, raising=False)
    forget_state()
    yield tmp_path / "data"
    forget_state()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """An S3-compatible server on a free loopback port for the session: moto's standalone server
    (``moto[server]`` in requirements.txt), started as its own process. Yields its endpoint URL."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.emulators.server import free_port

    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "wb")
    env = {**os.environ, **S3_CREDENTIALS}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/moto-api/data.json", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, "moto's S3 server exited at start"
                assert time.monotonic() < deadline, "moto's S3 server did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture
def s3_media(s3_server, data_dir, monkeypatch):
    """A fresh bucket on the session's S3 server set as the media store
    (``STORYREEL_MEDIA_URL=s3://<bucket>/studio``, ``STORYREEL_S3_ENDPOINT_URL``, test credentials).
    Yields (boto3 client, bucket, prefix)."""
    import uuid

    import boto3

    from core.settings import get_settings

    for key, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    bucket, prefix = f"storyreel-{uuid.uuid4().hex[:10]}", "studio"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    monkeypatch.setenv("STORYREEL_MEDIA_URL", f"s3://{bucket}/{prefix}")
    monkeypatch.setenv("STORYREEL_S3_ENDPOINT_URL", s3_server)
    get_settings.cache_clear()
    yield client, bucket, prefix
    get_settings.cache_clear()


@pytest.fixture
def runner_retries() -> int:
    """How often the ``runner`` fixture retries a failed call (a folder may override it)."""
    return FAST_RUNNER["max_retries"]


@pytest.fixture
def runner(data_dir, runner_retries):
    """A fast job runner installed as the process-wide one."""
    with installed_runner(make_runner(max_retries=runner_retries)) as r:
        yield r


@pytest.fixture
def serve_google(monkeypatch):
    """``with serve_google(job_seconds=…, api_key=True, timeout_s=None) as state``: the google
    emulator on loopback with the Vertex settings (and, with ``api_key``, the Gemini key) aimed at
    it and the adapter's SDK clients dropped; ``timeout_s`` sets the adapter timeout meanwhile."""
    from core.providers.google import ADAPTER
    from core.settings import get_settings
    from tests.emulators.google import GoogleState, make_app
    from tests.emulators.server import serve

    @contextmanager
    def serving(*, job_seconds: float, api_key: bool = True, timeout_s: float | None = None):
        state = GoogleState(api_key=GOOGLE_KEY, bearer_token=VERTEX_TOKEN, job_seconds=job_seconds)
        with serve(make_app(state)) as url:
            monkeypatch.setenv("GOOGLE_GENAI_BASE_URL", url)
            monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "storyreel-test")
            monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
            monkeypatch.setenv("GOOGLE_VERTEX_ACCESS_TOKEN", VERTEX_TOKEN)
            if api_key:
                monkeypatch.setenv("GOOGLE_API_KEY", GOOGLE_KEY)
            get_settings.cache_clear()
            ADAPTER._clients.clear()
            old_timeout = ADAPTER.timeout_s
            if timeout_s is not None:
                ADAPTER.timeout_s = timeout_s
            yield state
            ADAPTER.timeout_s = old_timeout
            ADAPTER._clients.clear()

    return serving


def open_app(page: str | None = None, project_id: int | None = None, timeout: float = 120):
    """Run app.py under AppTest (with ``project_id`` open), then switch to ``pages/<page>.py``;
    fails on any exception. Start is the default page: switching to it would run it without
    app.py's sidebar. Returns the AppTest."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=timeout)
    if project_id is not None:
        at.session_state["project_id"] = project_id
    at.run()
    if page and page != "start":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def settle(at, project_id: int, *, timeout_s: float = 300) -> None:
    """Pages only queue work: wait until the project has no unfinished job (results chained by a
    result handler, such as a batch's clips, included), then rerun the page as its refreshing
    parts would."""
    import time

    from core.jobs.service import list_jobs, wait_all

    deadline = time.monotonic() + timeout_s
    while True:
        active = [j.id for j in list_jobs(project_id=project_id, status="active")]
        if not active:
            break
        assert time.monotonic() < deadline, f"{len(active)} jobs still running"
        wait_all(job_ids=active, timeout_s=max(1.0, deadline - time.monotonic()))
    at.run()


def page_texts(at) -> str:
    """Every message, caption and markdown text on the page, one per line."""
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def ffmpeg_probe(path) -> dict:
    """{"duration", "video": (codec, w, h, fps), "audio": (codec, rate, channels)} parsed from
    ``ffmpeg -i`` — read by the tests themselves, independently of core.media.info."""
    import re
    import subprocess

    import imageio_ffmpeg

    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True).stderr
    info: dict = {}
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", out)
    if m:
        info["duration"] = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    m = re.search(r"Video: (\w+).*?, (\d{2,5})x(\d{2,5})[, ].*?([\d.]+) fps", out)
    if m:
        info["video"] = (m[1], int(m[2]), int(m[3]), float(m[4]))
    m = re.search(r"Audio: (\w+).*?, (\d+) Hz, (\w+)", out)
    if m:
        info["audio"] = (m[1], int(m[2]), m[3])
    return info
