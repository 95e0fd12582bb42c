"""End to end in real headless Chromium: project → script → breakdown → Voice Studio → record a
take through the WebRTC recorder from Chromium's fake microphone → convert it → reload in the
middle of a second take and recover it. Results are checked in the app's database and data dir."""
from __future__ import annotations

import hashlib
import re
import time

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import expect

SCRIPT = """Title: The Lighthouse

INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

TOM (O.S.)
Up here! Bring the light.
"""
RATE = 48000


def wait_until(what: str, cond, timeout: float = 60.0, every: float = 0.25):
    """Poll ``cond`` until it returns something truthy; returns it, or fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for: {what}")
        time.sleep(every)


def press(page, button, *, what: str, shown, landed, timeout: float = 30.0, retry_after: float = 8.0) -> int:
    """Click ``button`` and wait until ``shown()`` (what the page says the click did) is truthy; returns
    how many clicks it took. A click that reached nothing — after ``retry_after`` seconds the page
    shows neither ``shown`` nor an error and ``landed()`` (what the click stores, read from the data)
    is still false: Streamlit dropped it in a rerun — is clicked again, as a user would. An error on
    the page fails at once with its text; a click that landed but is not shown fails at ``timeout``."""
    deadline = time.monotonic() + timeout
    clicks = 0
    while True:
        button.click()
        clicks += 1
        again = time.monotonic() + retry_after
        while time.monotonic() < min(again, deadline):
            if shown():
                return clicks
            time.sleep(0.1)
        errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
        if errors.count():
            pytest.fail(f"{what}: the page shows an error: {errors.first.inner_text()}")
        if landed() or time.monotonic() > deadline:
            wait_until(what, shown, timeout=max(0.0, deadline - time.monotonic()), every=0.1)
            return clicks
        idle(page)


def nav(page, title: str) -> None:
    """Open the page ``title`` from the sidebar and wait until the app has switched to it (the link is
    the current page): an action taken before that could reach the page being left."""
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=title).first
    link.click()
    expect(link).to_have_attribute("aria-current", "page", timeout=30_000)


def open_project(page, url: str, name: str) -> None:
    """Load the app at ``url`` and pick the project ``name`` in the sidebar (unless it is open)."""
    page.goto(url)
    idle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    if name not in box.inner_text():
        box.click()
        page.get_by_role("option", name=name).click()
        idle(page)


def idle(page) -> None:
    """Wait until Streamlit shows no running script, no stale elements and no loading skeletons, twice
    in a row 0.3 s apart (a run that was just asked for shows its status a moment later)."""
    for settle in (300, 0):
        page.wait_for_function(
            """() => !document.querySelector('[data-testid="stStatusWidget"]')
                    && !document.querySelector('[data-testid="stSkeleton"]')
                    && !document.querySelector('[data-stale="true"]')""", timeout=60_000)
        page.wait_for_timeout(settle)


def measure(path):
    data, sr = sf.read(str(path), always_2d=True)
    mono = data.mean(axis=1)
    rms_db = 20 * np.log10(max(float(np.sqrt(np.mean(mono ** 2))), 1e-9))
    return data, sr, len(mono) / sr, rms_db


def dominant_pitch(mono: np.ndarray, sr: int) -> float:
    """Strongest spectral peak between 80 and 400 Hz (the fake voice's fundamental)."""
    spec = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / sr)
    band = (freqs > 80) & (freqs < 400)
    return float(freqs[band][np.argmax(spec[band])])


def spool_seconds(data_dir, project_id: int) -> float:
    files = list((data_dir / "spool" / str(project_id)).glob("*.pcm"))
    return max((f.stat().st_size / 2 / RATE for f in files), default=0.0)


def webrtc_button(page, label: str):
    frame = page.frame_locator('iframe[title*="webrtc"]').first
    return frame.get_by_role("button", name=re.compile(rf"^{label}$", re.I))


def test_record_convert_and_recover_in_chromium(page, app_server, app_db, shot, mic_f0):
    from core.breakdowns import list_characters
    from core.media_assets import asset_path
    from core.projects import list_projects
    from core.recording import list_takes, list_versions_of
    from core.scripts import latest_version

    url, data_dir = app_server

    # 1 · create a project
    page.goto(url)
    page.locator(".st-key-new_name input").fill("E2E Lighthouse")
    page.locator(".st-key-create button").click()
    page.get_by_text("Created").first.wait_for()
    project = wait_until("project row", lambda: next((p for p in list_projects() if p.name == "E2E Lighthouse"), None))
    shot(page, "project-created")

    # 2 · paste the script
    nav(page, "Script")
    page.locator(".st-key-paste_text textarea").fill(SCRIPT)
    page.locator(".st-key-save_paste button").click()
    wait_until("script saved", lambda: latest_version(project_id=project.id))
    idle(page)
    shot(page, "script-saved")

    # 3 · breakdown
    nav(page, "Breakdown")
    page.locator(".st-key-run_breakdown button").click()
    page.get_by_text("Scene 1").first.wait_for()
    # The page can show its first scene card before this process's read sees the commit on a busy
    # machine; wait for the rows rather than race them.
    wait_until("characters stored", lambda: {c.character_id for c in list_characters(project_id=project.id)}
               >= {"maya", "tom"})
    shot(page, "breakdown")

    # 4 · Voice Studio: record a take from the fake microphone
    nav(page, "Voice Studio")
    page.get_by_text("Record a take").first.wait_for()
    start = webrtc_button(page, "START")
    start.wait_for()
    idle(page)
    shot(page, "voice-studio")
    start.click()
    page.get_by_text("Recording").first.wait_for()
    wait_until("3 s of audio spooled", lambda: spool_seconds(data_dir, project.id) >= 3.0, timeout=60)
    shot(page, "recording")
    spooled = spool_seconds(data_dir, project.id)
    webrtc_button(page, "STOP").click()
    [take] = wait_until("take committed", lambda: list_takes(project_id=project.id), timeout=60)
    page.get_by_text("Saved").first.wait_for()
    page.locator(f".st-key-label_{take.media_id}").wait_for()
    idle(page)
    shot(page, "take-saved")

    take_path = asset_path(media_id=take.media_id)
    data, sr, duration, rms_db = measure(take_path)
    pitch = dominant_pitch(data[:, 0], sr)
    print(f"take: {duration:.2f} s (spooled {spooled:.2f} s), {rms_db:.1f} dBFS, pitch {pitch:.0f} Hz")
    assert sr in (44100, 48000) and data.shape[1] == 1, "mono WAV at 44.1/48 kHz"
    assert duration >= spooled and duration == pytest.approx(take.duration_s, abs=0.01)
    assert duration < 60
    assert rms_db > -40, f"the take is silent ({rms_db:.1f} dBFS)"
    assert pitch == pytest.approx(mic_f0, rel=0.12), "the take carries the fake mic's voice"
    assert take.character_id == "maya" and take.provider == "recording"
    take_hash = hashlib.sha256(take_path.read_bytes()).hexdigest()

    # 5 · convert the take to Maya's voice
    page.locator(f".st-key-convert_{take.media_id} button").click()
    page.get_by_text("Converting").first.wait_for()  # queued: the worker links the result to the take
    [voice] = wait_until("converted voice", lambda: list_versions_of(media_id=take.media_id), timeout=90)
    page.get_by_text(re.compile("^↳")).first.wait_for()  # the page redraws by itself when it lands
    idle(page)
    shot(page, "converted")
    v_data, v_sr, v_duration, v_rms = measure(asset_path(media_id=voice.media_id))
    print(f"converted: {v_duration:.2f} s, {v_rms:.1f} dBFS, pitch {dominant_pitch(v_data[:, 0], v_sr):.0f} Hz")
    assert v_data.shape[1] == 1 and v_sr in (44100, 48000)
    assert v_duration == pytest.approx(duration, rel=0.05), "conversion keeps the take's length"
    assert v_rms > -40, f"the converted voice is silent ({v_rms:.1f} dBFS)"
    assert voice.character_id == "maya" and voice.type == "voice"
    assert voice.content_hash != take.content_hash, "the conversion changed the audio"

    # 6 · reload in the middle of a second take: the first take is intact, the partial one recoverable
    webrtc_button(page, "START").click()
    page.get_by_text("Recording").first.wait_for()
    wait_until("2 s of the second take spooled", lambda: spool_seconds(data_dir, project.id) >= 2.0, timeout=60)
    partial = spool_seconds(data_dir, project.id)
    page.reload()
    # A reload starts a new session; the app reopens the most recent project by itself.
    page.get_by_text("unfinished recording").first.wait_for(timeout=60_000)
    idle(page)
    shot(page, "recovery-offered")
    assert [t.media_id for t in list_takes(project_id=project.id)] == [take.media_id]
    assert hashlib.sha256(take_path.read_bytes()).hexdigest() == take_hash
    page.locator('[class*="st-key-recover_"] button').first.click()
    takes = wait_until("recovered take", lambda: len(list_takes(project_id=project.id)) == 2
                       and list_takes(project_id=project.id), timeout=60)
    page.get_by_text("unfinished recording").first.wait_for(state="detached")
    page.get_by_text("Recovered ").first.wait_for()
    idle(page)
    shot(page, "recovered")
    recovered = next(t for t in takes if t.media_id != take.media_id)
    assert recovered.duration_s >= partial - 0.05
    assert measure(asset_path(media_id=recovered.media_id))[3] > -40
    assert hashlib.sha256(take_path.read_bytes()).hexdigest() == take_hash
