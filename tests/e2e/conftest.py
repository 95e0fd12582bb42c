"""Real-browser fixtures: the Streamlit app in a subprocess with its own data dir, Debian's Chromium
driven by Playwright (its bundled driver; no browser download) with a fake microphone playing a
speech-like WAV made here, and a screenshot helper writing to ``test-output/e2e/``."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "e2e"
MIC_F0 = 150.0  # pitch of the fake microphone's voice; the test finds it again in the take
_SERVED: list[Path] = []  # the data dirs of the apps running now (newest last): what a failure reports


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_mic_wav(path: Path, *, seconds: float = 6.0, rate: int = 48000) -> Path:
    """Write a speech-like mono WAV: a gliding harmonic voice at MIC_F0 in 4 Hz syllables."""
    t = np.arange(int(seconds * rate)) / rate
    pitch = MIC_F0 * (1 + 0.04 * np.sin(2 * np.pi * 2.5 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voice = sum(np.sin(k * phase) / k ** 1.2 for k in range(1, 10))
    syllables = 0.35 + 0.65 * np.abs(np.sin(2 * np.pi * 2 * t))
    samples = 0.4 * voice * syllables / np.max(np.abs(voice))
    sf.write(str(path), samples, rate, subtype="PCM_16")
    return path


@contextmanager
def running_app(base: Path, *, env: dict[str, str] | None = None):
    """Run ``streamlit run app.py`` on a free port with a fresh data dir under ``base`` (and the
    extra environment ``env``); yields (url, data_dir); the server is always killed."""
    data_dir = base / "data"
    port = _free_port()
    env = {**os.environ, "STORYREEL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT),
           "STORYREEL_ICE_SERVERS": "[]", **(env or {})}
    for key in ("GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY",
                "DATABASE_URL"):
        env.pop(key, None)
    log = open(base / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _SERVED.append(data_dir)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {(base / 'streamlit.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in 60 s")
            time.sleep(0.3)
        yield url, data_dir
    finally:
        _SERVED.remove(data_dir)
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()
        print(f"streamlit log: {base / 'streamlit.log'}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app for the session's browser tests: (url, data_dir)."""
    with running_app(tmp_path_factory.mktemp("e2e")) as served:
        yield served


@pytest.fixture(scope="session")
def mic_wav(tmp_path_factory) -> Path:
    return make_mic_wav(tmp_path_factory.mktemp("mic") / "voice.wav")


@pytest.fixture(scope="session")
def browser(mic_wav, tmp_path_factory):
    """Debian Chromium under Playwright with a fake microphone; skipped only when it is absent."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic_wav}"]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _jobs(data_dir: Path) -> str:
    """The app's jobs, one line each (kind, status, progress, error): read-only, straight from its file."""
    db = data_dir / "storyreel.db"
    if not db.exists():
        return "(no database)"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
        rows = con.execute("SELECT kind, status, progress, error, created_at, updated_at FROM job "
                           "ORDER BY created_at").fetchall()
    return "\n".join(" | ".join(str(v)[:160] for v in row) for row in rows) or "(no jobs)"


def report_failure(pg) -> None:
    """What a browser test that failed leaves in its output (CI shows nothing else): the page's text,
    the app's jobs and the end of its server log."""
    print(f"\n--- page {pg.url} ---")
    try:
        print(pg.locator('[data-testid="stMain"]').inner_text(timeout=5000)[-3000:])
    except Exception as exc:  # the report must not hide the failure it reports
        print(f"(no page text: {exc})")
    for data_dir in reversed(_SERVED):
        print(f"--- jobs of the app on {data_dir} ---")
        try:
            print(_jobs(data_dir))
        except sqlite3.Error as exc:
            print(f"(jobs unreadable: {exc})")
        log = data_dir.parent / "streamlit.log"
        print(f"--- end of {log} ---")
        print(log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)")


@pytest.fixture
def page(browser, app_server, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["microphone"])
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        report_failure(pg)
    ctx.close()


@pytest.fixture
def shot(request):
    """``shot(page, "name")`` saves a full-page screenshot as test-output/e2e/<test>-NN-name.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))
    test = request.node.name

    def take(pg, name: str) -> Path:
        path = SHOTS / f"{test}-{next(counter):02d}-{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def app_db(app_server, monkeypatch):
    """Point this test process's core at the app's data dir (same SQLite file, WAL mode)."""
    from core import db
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_DATA_DIR", str(app_server[1]))
    get_settings.cache_clear()
    db.reset_engines()
    yield app_server[1]
    db.reset_engines()
    get_settings.cache_clear()




@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """An app of this test module's own (url, data_dir): tests that fill the app with projects do
    not change what the session's other browser tests find on Start."""
    with running_app(tmp_path_factory.mktemp("e2e-module")) as served:
        yield served


@pytest.fixture
def module_db(module_app, monkeypatch):
    """Point this test process's core at the module app's data dir."""
    from core import db
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_DATA_DIR", str(module_app[1]))
    get_settings.cache_clear()
    db.reset_engines()
    yield module_app[1]
    db.reset_engines()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def mic_f0() -> float:
    """The fundamental frequency of the fake microphone's voice."""
    return MIC_F0


@pytest.fixture
def fresh_app(tmp_path):
    """A server no browser has visited yet (legacy routing is still in force until one has)."""
    with running_app(tmp_path) as served:
        yield served
