"""ElevenLabs adapter: pure request/parse tests, then the real SDK against the emulator."""
from __future__ import annotations

import base64
import io
import json
import wave

import pytest

from core.errors import InvalidInput, MissingCredentials, ProviderError, UnsupportedCapability
from core.providers.base import SUCCEEDED, ProviderRequest
from core.providers.elevenlabs import ElevenLabsAdapter, list_voices, words_from_alignment
from tests.emulators.server import Fault
from tests.providers.conftest import ELEVEN_KEY, Cap, assert_no_key, write_wav

TTS = Cap(model="eleven_multilingual_v2", operation="tts", input_schema={}, roles={"voice": "voice_id", "text": "text"})
STS = Cap(model="eleven_multilingual_sts_v2", operation="v2v", input_schema={}, roles={"voice": "voice_id", "audio": "audio"})


@pytest.fixture
def adapter():
    return ElevenLabsAdapter(timeout_s=1.0)


# ---- pure ------------------------------------------------------------------------------------
def test_words_from_character_alignment():
    text = "Hi  there, you."
    alignment = {"characters": list(text),
                 "character_start_times_seconds": [i * 0.1 for i in range(len(text))],
                 "character_end_times_seconds": [i * 0.1 + 0.1 for i in range(len(text))]}
    words = words_from_alignment(alignment)
    assert [w["word"] for w in words] == ["Hi", "there,", "you."]
    assert words[1]["start_s"] == pytest.approx(0.4) and words[1]["end_s"] == pytest.approx(1.0)
    assert words[2]["end_s"] == pytest.approx(1.5)
    assert words_from_alignment(None) == []


def test_tts_request_shape_from_flat_params(adapter):
    req = adapter.build_request(cap=TTS, params={"text": "Hello", "voice_id": "voice01", "stability": 0.4,
                                                 "similarity_boost": 0.7, "style": 0.1, "use_speaker_boost": True,
                                                 "speed": 1.1, "seed": 3}, inputs={})
    assert req.body == {"voice_id": "voice01", "model_id": "eleven_multilingual_v2", "output_format": "mp3_44100_128",
                        "voice_settings": {"stability": 0.4, "similarity_boost": 0.7, "style": 0.1,
                                           "use_speaker_boost": True, "speed": 1.1},
                        "text": "Hello", "seed": 3}


@pytest.mark.parametrize("params,field", [({"text": "hi"}, "voice_id"), ({"voice_id": "v", "text": " "}, "text"),
                                          ({"voice_id": "v", "text": "x", "emotion": "sad"}, "emotion")])
def test_tts_request_refuses_bad_params(adapter, params, field):
    with pytest.raises(InvalidInput) as err:
        adapter.build_request(cap=TTS, params=params, inputs={})
    assert err.value.field == field


def test_v2v_needs_audio(adapter):
    with pytest.raises(InvalidInput) as err:
        adapter.build_request(cap=STS, params={"voice_id": "voice01"}, inputs={})
    assert err.value.field == "audio"


def test_unknown_operation(adapter):
    with pytest.raises(UnsupportedCapability):
        adapter.build_request(cap=Cap(model="m", operation="music", input_schema={}), params={}, inputs={})


def test_parse_pcm_is_wrapped_in_wav(adapter):
    pcm = (1000).to_bytes(2, "little", signed=True) * 800
    result = adapter.parse_result(payload={"audio_bytes": pcm, "output_format": "pcm_16000"})
    out = result.outputs[0]
    assert result.status == SUCCEEDED and out.mime == "audio/wav"
    with wave.open(io.BytesIO(out.data)) as w:
        assert w.getframerate() == 16000 and w.getnframes() == 800


def test_parse_with_timestamps_body(adapter):
    payload = {"audio_base64": base64.b64encode(b"ID3fake").decode(), "output_format": "mp3_44100_128",
               "alignment": None,
               "normalized_alignment": {"characters": list("one two"), "character_start_times_seconds": [0, .1, .2, .3, .4, .5, .6],
                                        "character_end_times_seconds": [.1, .2, .3, .4, .5, .6, .7]}}
    out = adapter.parse_result(payload=payload).outputs[0]
    assert out.data == b"ID3fake" and out.mime == "audio/mpeg"
    assert [w["word"] for w in out.extra["words"]] == ["one", "two"] and out.extra["duration_s"] == pytest.approx(0.7)


# ---- contract --------------------------------------------------------------------------------
def test_tts_with_timestamps_through_the_sdk(adapter, eleven_emu, caplog):
    req = adapter.build_request(cap=TTS, params={"text": "Hello there, world.", "voice_id": "voice03",
                                                 "stability": 0.5, "speed": 1.0, "output_format": "wav_22050"}, inputs={})
    sub = adapter.submit(request=req)
    assert sub.status == SUCCEEDED and sub.operation_id is None
    out = sub.outputs[0]
    assert out.mime == "audio/wav" and out.data.startswith(b"RIFF")
    assert [w["word"] for w in out.extra["words"]] == ["Hello", "there,", "world."]
    assert out.extra["words"][0]["start_s"] == 0.0 and out.extra["words"][-1]["end_s"] == pytest.approx(19 * 0.06)
    (call,) = eleven_emu.calls("tts")
    assert call["path"] == "/v1/text-to-speech/voice03/with-timestamps"
    assert call["query"] == {"output_format": "wav_22050"}
    assert call["headers"]["xi-api-key"] == ELEVEN_KEY
    assert call["body"] == {"text": "Hello there, world.", "model_id": "eleven_multilingual_v2",
                            "voice_settings": {"stability": 0.5, "speed": 1.0}}
    assert adapter.download(output=out) == out.data
    assert_no_key(caplog.text, json.dumps(req.to_json()))


def test_voice_to_voice_carries_voice_id_and_the_recording(adapter, eleven_emu, tmp_path):
    recording = write_wav(tmp_path / "take1.wav")
    req = adapter.build_request(cap=STS, params={"voice_id": "voice05", "stability": 0.3,
                                                 "remove_background_noise": True}, inputs={"audio": recording})
    sub = adapter.submit(request=req)
    assert sub.outputs[0].mime == "audio/mpeg" and len(sub.outputs[0].data) > 100
    (call,) = eleven_emu.calls("v2v")
    # The documented endpoint (UPDATE-2026-12 §2.2); the voice is the path parameter.
    assert call["path"] == "/v1/speech-to-speech/voice05"
    assert call["headers"]["xi-api-key"] == ELEVEN_KEY
    assert call["body"]["audio"]["data"] == recording.read_bytes()
    assert call["body"]["model_id"] == "eleven_multilingual_sts_v2"
    assert json.loads(call["body"]["voice_settings"]) == {"stability": 0.3}
    assert call["body"]["remove_background_noise"] == "true"


def test_voice_to_voice_falls_back_to_the_sdk_path_when_the_documented_one_is_not_served(adapter, eleven_emu,
                                                                                       tmp_path):
    eleven_emu.sts_paths = {"voice-changer"}
    recording = write_wav(tmp_path / "take1.wav")
    req = adapter.build_request(cap=STS, params={"voice_id": "voice05"}, inputs={"audio": recording})
    assert len(adapter.submit(request=req).outputs[0].data) > 100
    assert [c["path"] for c in eleven_emu.calls("v2v")] == ["/v1/voice-changer/voice05"]
    # An unknown voice is a real 404: reported, not retried on the other path.
    eleven_emu.sts_paths = {"speech-to-speech", "voice-changer"}
    req = adapter.build_request(cap=STS, params={"voice_id": "nobody"}, inputs={"audio": recording})
    with pytest.raises(ProviderError, match="voice_not_found"):
        adapter.submit(request=req)
    assert [c["path"] for c in eleven_emu.calls("v2v")][-1] == "/v1/speech-to-speech/nobody"


def test_list_voices_follows_pages(adapter, eleven_emu):
    voices = adapter.list_voices(page_size=3)
    assert [v["voice_id"] for v in voices] == [f"voice{i:02d}" for i in range(1, 8)]
    assert set(voices[0]) == {"voice_id", "name", "labels", "preview_url"}
    pages = eleven_emu.calls("voices")
    assert len(pages) == 3 and all(p["path"] == "/v2/voices" for p in pages)
    assert list_voices(search="voice 7")[0]["voice_id"] == "voice07"


def tts_error(adapter, **params) -> ProviderError:
    req = adapter.build_request(cap=TTS, params={"text": "hi", "voice_id": "voice01", **params}, inputs={})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    return err.value


def test_429_is_retryable_with_retry_after_and_not_retried_by_the_sdk(adapter, eleven_emu, caplog):
    eleven_emu.faults.add(Fault(kind="status", route="tts", status=429, retry_after=3, message="Too many concurrent requests"))
    err = tts_error(adapter)
    assert err.retryable and err.status_code == 429 and err.retry_after_s == 3
    assert "too_many_concurrent_requests" in str(err)
    assert len(eleven_emu.calls("tts")) == 1  # the job runner owns retries
    assert_no_key(str(err), caplog.text)


def test_503_is_retryable(adapter, eleven_emu):
    eleven_emu.faults.add(Fault(kind="status", route="tts", status=503, message="busy"))
    err = tts_error(adapter)
    assert err.retryable and "system_busy" in str(err)


def test_unknown_voice_is_permanent_with_provider_message(adapter, eleven_emu):
    err = tts_error(adapter, voice_id="nobody")
    assert err.status_code == 404 and not err.retryable and "voice_not_found" in str(err)


def test_bad_key_is_permanent_and_not_shown(eleven_emu, caplog):
    adapter = ElevenLabsAdapter(api_key="sk_WRONG_key_000000")
    err = tts_error(adapter)
    assert err.status_code == 401 and not err.retryable and "invalid_api_key" in str(err)
    assert "sk_WRONG_key_000000" not in str(err) + caplog.text


def test_undocumented_field_is_rejected_by_the_emulator(adapter, eleven_emu):
    req = ProviderRequest(provider="elevenlabs", model="eleven_multilingual_v2", operation="tts",
                          body={"voice_id": "voice01", "text": "hi", "voice_settings": {"warmth": 0.2}})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    assert err.value.status_code == 422 and "Extra inputs are not permitted" in str(err.value)


def test_character_limit_is_the_providers_message(adapter, eleven_emu):
    err = tts_error(adapter, text="x" * 10001)
    assert err.status_code == 400 and "max_character_limit_exceeded" in str(err)


def test_slow_answer_is_a_timeout_not_resent(eleven_emu):
    adapter = ElevenLabsAdapter(timeout_s=0.3)
    eleven_emu.faults.add(Fault(kind="slow", route="tts", delay_s=1.0))
    err = tts_error(adapter)
    assert not err.retryable and "timed out" in str(err)
    assert len(eleven_emu.calls("tts")) == 1


def test_malformed_answer(adapter, eleven_emu):
    eleven_emu.faults.add(Fault(kind="malformed", route="tts"))
    err = tts_error(adapter)
    assert not err.retryable and "not valid JSON" in str(err)


def test_v2v_fault_surfaces_from_the_generator(adapter, eleven_emu, tmp_path):
    eleven_emu.faults.add(Fault(kind="status", route="v2v", status=500, message="boom"))
    req = adapter.build_request(cap=STS, params={"voice_id": "voice01"}, inputs={"audio": write_wav(tmp_path / "a.wav")})
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    assert err.value.retryable and "boom" in str(err.value)


def test_poll_is_not_a_thing_and_missing_key_names_the_setting(adapter, monkeypatch, eleven_emu):
    with pytest.raises(UnsupportedCapability):
        adapter.poll(request=None, operation_id="x")
    from core.settings import get_settings

    monkeypatch.delenv("ELEVENLABS_API_KEY")
    get_settings.cache_clear()
    with pytest.raises(MissingCredentials) as err:
        ElevenLabsAdapter().list_voices()
    assert err.value.setting == "ELEVENLABS_API_KEY"


def test_eleven_v3_takes_only_its_three_stability_values(data_dir, eleven_emu, runner):
    from core.errors import InvalidCombination
    from core.jobs.service import run_sync

    job = run_sync(provider="elevenlabs", model="eleven_v3", timeout_s=30,
                   params={"text": "Hello there.", "voice_id": "voice01", "stability": 1.0})
    assert job.status == "succeeded", job.error
    (call,) = eleven_emu.calls("tts")
    assert call["body"]["voice_settings"] == {"stability": 1.0} and call["body"]["model_id"] == "eleven_v3"
    for bad in ({"stability": 0.3}, {"speed": 1.1}, {"style": 0.2}, {"similarity_boost": 0.8},
                {"use_speaker_boost": True}):
        with pytest.raises(InvalidCombination) as exc:
            run_sync(provider="elevenlabs", model="eleven_v3", params={"text": "Hi.", "voice_id": "voice01", **bad})
        assert {f for v in exc.value.violations for f in v.fields} == set(bad)
    assert len(eleven_emu.calls("tts")) == 1  # refused before any call
    # The emulator answers as the API does for a value outside the three (issue 14).
    adapter = ElevenLabsAdapter()
    req = ProviderRequest(provider="elevenlabs", model="eleven_v3", operation="tts",
                          body={"voice_id": "voice01", "model_id": "eleven_v3", "text": "Hi.",
                                "output_format": "mp3_44100_128", "voice_settings": {"stability": 0.3}})
    with pytest.raises(ProviderError, match="invalid_ttd_stability"):
        adapter.submit(request=req)


def test_voice_changer_input_length_is_checked_before_the_call_and_prices_the_job(data_dir, eleven_emu, runner,
                                                                                  tmp_path):
    from core.errors import InvalidInput
    from core.jobs.service import run_sync
    from tests.emulators.media import tone_wav

    long_take = tmp_path / "long.wav"
    long_take.write_bytes(tone_wav(seconds=301, rate=8000))
    with pytest.raises(InvalidInput, match=r"audio: the file lasts 301.0 s; eleven_english_sts_v2 takes at most 300 s \(split longer audio") as exc:
        run_sync(provider="elevenlabs", model="eleven_english_sts_v2", params={"voice_id": "voice05"},
                 inputs={"audio": str(long_take)})
    assert exc.value.field == "audio" and not eleven_emu.calls("v2v")
    take = tmp_path / "take.wav"
    take.write_bytes(tone_wav(seconds=90, rate=8000))
    job = run_sync(provider="elevenlabs", model="eleven_multilingual_sts_v2", params={"voice_id": "voice05"},
                   inputs={"audio": str(take)}, timeout_s=30)
    assert job.status == "succeeded", job.error
    from core.media_assets import get_asset

    assert get_asset(media_id=job.result_media_id).cost_estimate_usd == pytest.approx(1.5 * 0.12)  # per minute of input
