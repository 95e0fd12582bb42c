"""``python -m core doctor`` against the loopback emulators through the real SDKs: OK, refused keys and
unreachable hosts, the models each key can use, retired models flagged — and never a key in the output."""
import json

import pytest

from core.cli import main
from core.settings import get_settings
from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN
from tests.emulators import elevenlabs as eleven_emulator
from tests.emulators.server import free_port
from tests.providers.conftest import ALL_KEYS

WRONG = {"REPLICATE_API_TOKEN": "r8_WRONGKEY_0123456789", "ELEVENLABS_API_KEY": "sk_WRONGKEY_0123456789",
         "WAVESPEED_API_KEY": "ws_WRONGKEY_0123456789", "GOOGLE_API_KEY": "AIzaWRONGKEY_0123456789",
         "GOOGLE_VERTEX_ACCESS_TOKEN": "ya29.WRONGTOKEN_0123456789"}
BASE_URLS = ("REPLICATE_BASE_URL", "ELEVENLABS_BASE_URL", "WAVESPEED_BASE_URL", "GOOGLE_GENAI_BASE_URL")


@pytest.fixture
def everything(data_dir, serve_google, replicate_emu, eleven_emu, wavespeed_emu):
    """Every provider configured and aimed at its emulator; yields the google emulator state."""
    with serve_google(job_seconds=0.1, timeout_s=5.0) as google:
        yield google


def doctor(capsys, *args):
    get_settings.cache_clear()
    code = main(["doctor", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def assert_no_key(text):
    for secret in (*ALL_KEYS, GOOGLE_KEY, VERTEX_TOKEN, *WRONG.values()):
        assert secret not in text and secret[:12] not in text


def test_doctor_all_ok_lists_usable_models_and_flags_retired(everything, wavespeed_emu, capsys, monkeypatch):
    everything.api_models.discard("gemini-omni-1.2-flash")  # this key does not see the newer Omni
    everything.vertex_models.discard("veo-3.1-lite-generate-001")
    wavespeed_emu.balance_paths = {"/api/v3/account/balance"}  # only the second documented path
    v3 = next(m for m in eleven_emulator.MODELS if m["model_id"] == "eleven_v3")
    monkeypatch.setitem(v3, "maximum_text_length_per_request", 3000)  # UPDATE §2.1: 3,000 vs 5,000
    code, text = doctor(capsys)
    assert code == 0, text
    for provider in ("google", "replicate", "elevenlabs", "wavespeed"):
        assert f"{provider}: OK" in text
    assert "GOOGLE_API_KEY: OK" in text and "GOOGLE_CLOUD_PROJECT: OK" in text
    assert "account storyreel-test" in text and "balance 12.5 USD" in text
    assert "not usable: gemini-omni-1.2-flash (not in the models GOOGLE_API_KEY can use)" in text
    assert "not usable: veo-3.1-lite-generate-001 (not in the models GOOGLE_CLOUD_PROJECT can use)" in text
    assert "not usable: eleven_v4_turbo" in text
    assert "eleven_v3: this key's limit is 3000 characters per request; Storyreel's schema allows 5000" in text
    assert "retired: imagen-4.0-generate-001 (since 2026-08-17; use gemini-3.1-flash-image)" in text
    assert "retired: gemini-2.5-flash (since 2026-10-20; use gemini-3.8-flash)" in text
    assert_no_key(text)
    calls = {c["route"] for c in everything.calls}
    assert calls == {"models"}  # no generation was started to check a key
    code, raw = doctor(capsys, "--json")
    data = {r["provider"]: r for r in json.loads(raw)}
    assert code == 0 and data["google"]["status"] == "OK"
    assert "gemini-3.8-flash" in data["google"]["usable"] and "gemini-nano-banana-2.1" in data["google"]["usable"]
    assert "veo-3.1-generate-001" in data["google"]["usable"]
    assert {r["model"] for r in data["google"]["retired"]} == {"gemini-2.5-flash", "gemini-2.5-flash-image",
                                                               "imagen-4.0-generate-001"}
    assert_no_key(raw)


def test_doctor_refused_keys_exit_1_without_showing_them(everything, capsys, monkeypatch):
    for name, value in WRONG.items():
        monkeypatch.setenv(name, value)
    code, text = doctor(capsys)
    assert code == 1
    for provider in ("google", "replicate", "elevenlabs", "wavespeed"):
        assert f"{provider}: key refused" in text
    assert "GOOGLE_API_KEY: key refused" in text and "GOOGLE_CLOUD_PROJECT: key refused" in text
    assert "not usable: veo-3.1-generate-001 (GOOGLE_CLOUD_PROJECT: key refused)" in text
    assert "Some configured provider did not answer OK." in text
    assert_no_key(text)


def test_doctor_unreachable_providers(data_dir, capsys, monkeypatch):
    dead = f"http://127.0.0.1:{free_port()}"
    for name in BASE_URLS:
        monkeypatch.setenv(name, dead)
    monkeypatch.setenv("REPLICATE_API_TOKEN", ALL_KEYS[0])
    monkeypatch.setenv("ELEVENLABS_API_KEY", ALL_KEYS[1])
    monkeypatch.setenv("GOOGLE_API_KEY", GOOGLE_KEY)
    code, text = doctor(capsys)
    assert code == 1
    assert "replicate: unreachable" in text and "elevenlabs: unreachable" in text and "google: unreachable" in text
    assert "wavespeed: not configured (set WAVESPEED_API_KEY)" in text
    assert_no_key(text)


def test_doctor_with_nothing_configured_passes(data_dir, capsys):
    code, text = doctor(capsys)
    assert code == 0
    assert "local: OK (no key needed)" in text and "google: not configured" in text


def test_providers_panel_in_the_app_runs_the_same_check(everything, monkeypatch):
    from tests.conftest import open_app, page_texts

    monkeypatch.setenv("WAVESPEED_API_KEY", WRONG["WAVESPEED_API_KEY"])  # one refused key
    get_settings.cache_clear()
    at = open_app()
    before = page_texts(at)
    assert "🔑 **google** — GOOGLE_API_KEY, GOOGLE_CLOUD_PROJECT set" in before
    assert "✅ **local** — built in, no key" in before
    assert not any(c["route"] == "models" for c in everything.calls)  # nothing is called until asked
    at.button(key="providers_panel_check").click().run()
    assert not at.exception, [e.message for e in at.exception]
    text = page_texts(at)
    assert "Some configured provider did not answer OK." in text
    assert "✅ **google** — OK" in text and "⛔ **wavespeed** — key refused" in text
    assert "gemini-3.8-flash" in text and "imagen-4.0-generate-001 → gemini-3.1-flash-image" in text
    assert_no_key(text)


def test_doctor_gives_up_on_a_silent_host_quickly(everything, eleven_emu, capsys, monkeypatch):
    import time

    from core.providers.base import KeyCheck
    from tests.emulators.server import Fault

    monkeypatch.setattr(KeyCheck, "TIMEOUT_S", 1.0)
    everything.faults.add(Fault(kind="slow", route="models", delay_s=4.0))
    eleven_emu.faults.add(Fault(kind="slow", route="user", delay_s=4.0))
    started = time.monotonic()
    code, text = doctor(capsys)
    assert code == 1 and time.monotonic() - started < 15  # not the 120 s a generation call may wait
    assert "GOOGLE_API_KEY: unreachable" in text and "elevenlabs: unreachable" in text
    assert "replicate: OK" in text
    assert_no_key(text)
