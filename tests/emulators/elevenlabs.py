"""Loopback emulator of the ElevenLabs API (../shared/provider_docs/elevenlabs.md §11 checklist).

Serves TTS (``/v1/text-to-speech/{voice_id}`` and ``…/with-timestamps``), speech-to-speech on
**both** paths (``/v1/speech-to-speech/{voice_id}`` of the docs and ``/v1/voice-changer/{voice_id}``
of SDK 2.78), ``GET /v1/voices``, ``GET /v2/voices`` (paged), ``GET /v1/voices/{id}`` and
``GET /v1/models``. Checks ``xi-api-key`` (401 ``invalid_api_key``), the ``output_format`` enum,
JSON body / form fields against the documented lists (an undocumented field → 422 FastAPI-style
``{"detail": [{"loc", "msg", "type"}]}``), ``voice_settings`` keys and 0–1 ranges (and, for
speech-to-speech, that it is a JSON *string*), the voice (404 ``voice_not_found``), the model's
capability flags and its per-request character limit (400 ``max_character_limit_exceeded``).
Errors use the documented ``{"detail": {"status", "message"}}`` body.

Audio answered is real: MP3 (ffmpeg, once per process) for ``mp3_*``, RIFF WAV for ``wav_*``,
headerless 16-bit PCM for ``pcm_*``; alignment gives each character 60 ms.
Faults (routes ``tts``, ``v2v``, ``voices``): ``status`` (with ``Retry-After``), ``slow``,
``malformed``.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.emulators.media import tone_mp3, tone_pcm, tone_wav
from tests.emulators.server import RecordingEmulator, answer_fault, read_body, record, retry_after

OUTPUT_FORMATS = (
    "mp3_22050_32 mp3_24000_48 mp3_44100_32 mp3_44100_64 mp3_44100_96 mp3_44100_128 mp3_44100_192 "
    "opus_48000_32 opus_48000_64 opus_48000_96 opus_48000_128 opus_48000_192 pcm_8000 pcm_16000 pcm_22050 "
    "pcm_24000 pcm_32000 pcm_44100 pcm_48000 wav_8000 wav_16000 wav_22050 wav_24000 wav_32000 wav_44100 "
    "wav_48000 ulaw_8000 alaw_8000"
).split()
TTS_FIELDS = {"text", "model_id", "language_code", "voice_settings", "pronunciation_dictionary_locators", "seed",
              "previous_text", "next_text", "previous_request_ids", "next_request_ids", "use_pvc_as_ivc",
              "apply_text_normalization", "apply_language_text_normalization", "audio_effects"}
STS_FIELDS = {"audio", "model_id", "voice_settings", "seed", "remove_background_noise", "file_format"}
VOICE_SETTING_KEYS = {"stability", "similarity_boost", "style", "use_speaker_boost", "speed", "clone_strength"}
MODELS = [
    {"model_id": "eleven_multilingual_v2", "name": "Eleven Multilingual v2", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 10000},
    {"model_id": "eleven_flash_v2_5", "name": "Eleven Flash v2.5", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 40000},
    {"model_id": "eleven_v3", "name": "Eleven v3", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 5000},
    {"model_id": "eleven_flash_v2", "name": "Eleven Flash v2", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 30000},
    {"model_id": "eleven_turbo_v2_5", "name": "Eleven Turbo v2.5", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 40000},
    {"model_id": "eleven_turbo_v2", "name": "Eleven Turbo v2", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 30000},
    {"model_id": "eleven_v4", "name": "Eleven v4", "can_do_text_to_speech": True,
     "can_do_voice_conversion": False, "maximum_text_length_per_request": 10000},
    {"model_id": "eleven_multilingual_sts_v2", "name": "Eleven Multilingual STS v2", "can_do_text_to_speech": False,
     "can_do_voice_conversion": True},
    {"model_id": "eleven_english_sts_v2", "name": "Eleven English STS v2", "can_do_text_to_speech": False,
     "can_do_voice_conversion": True},
]
CHAR_S = 0.06
# Eleven v3 takes voice_settings.stability only, and only these values (issue 14; UPDATE-2026-12 §2.1).
V3_STABILITY = (0.0, 0.5, 1.0)


def audio_for(output_format: str) -> bytes:
    """Bytes in the asked format: MP3, WAV, or raw PCM (others get WAV — enough for an emulator)."""
    codec, _, rate = output_format.partition("_")
    if codec == "mp3":
        return tone_mp3()
    if codec == "pcm":
        return tone_pcm(seconds=0.5, rate=int(rate))
    return tone_wav(rate=int(rate) if rate.isdigit() else 16000)


def _detail(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": {"status": code, "message": message}}, status_code=status, headers=headers)


def _validation(loc: list, msg: str, typ: str) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": loc, "msg": msg, "type": typ}]}, status_code=422)


_FAULT_CODES = {429: "too_many_concurrent_requests", 503: "system_busy", 500: "internal_error", 502: "bad_gateway"}


class ElevenLabsEmulator(RecordingEmulator):
    """State, request log and FastAPI ``app`` of one emulated ElevenLabs account."""

    def __init__(self, *, api_key: str, voices: list[dict] | None = None):
        self.api_key = api_key
        self.voices = voices or [
            {"voice_id": f"voice{i:02d}", "name": f"Voice {i}", "category": "premade",
             "labels": {"accent": "american", "gender": "female" if i % 2 else "male"},
             "preview_url": f"https://storage.example/voices/voice{i:02d}.mp3"} for i in range(1, 8)
        ]
        super().__init__()

    def reset(self) -> None:
        super().reset()
        # Paths the voice changer answers on; a test may drop the documented one (UPDATE-2026-12 §2.2).
        self.sts_paths = {"speech-to-speech", "voice-changer"}

    async def _enter(self, request: Request, route: str) -> tuple[Response | None, Any]:
        """Record the request, check the key, apply a due fault. Returns (early response, body)."""
        body = await read_body(request)
        record(self.requests, request, route=route, body=body)
        if request.headers.get("xi-api-key") != self.api_key:
            return _detail(401, "invalid_api_key", "Invalid API key"), body
        early, _ = await answer_fault(self.faults, route, malformed="{'audio_base64': trunc", error=lambda f: _detail(
            f.status, _FAULT_CODES.get(f.status, "error"), f.message, retry_after(f)))
        return early, body

    def _voice(self, voice_id: str) -> dict | None:
        return next((v for v in self.voices if v["voice_id"] == voice_id), None)

    @staticmethod
    def _check_settings(settings: Any, loc: list) -> JSONResponse | None:
        if not isinstance(settings, dict):
            return _validation(loc, "Input should be a valid dictionary", "dict_type")
        for k, v in settings.items():
            if k not in VOICE_SETTING_KEYS:
                return _validation([*loc, k], "Extra inputs are not permitted", "extra_forbidden")
            if k in ("stability", "similarity_boost", "style", "clone_strength") and v is not None and not 0 <= v <= 1:
                return _validation([*loc, k], "Input should be between 0 and 1", "range")
        return None

    def _check_common(self, request: Request, voice_id: str, model_id: str | None, flag: str) -> JSONResponse | None:
        fmt = request.query_params.get("output_format")
        if fmt is not None and fmt not in OUTPUT_FORMATS:
            return _validation(["query", "output_format"], f"Input should be one of {OUTPUT_FORMATS}", "enum")
        if self._voice(voice_id) is None:
            return _detail(404, "voice_not_found", f"A voice with voice_id {voice_id} does not exist.")
        model = next((m for m in MODELS if m["model_id"] == model_id), None)
        if model_id is not None and (model is None or not model.get(flag)):
            return _detail(400, "invalid_model", f"Model {model_id} cannot be used for this request ({flag}).")
        return None

    def _build(self) -> FastAPI:
        app = FastAPI()
        em = self

        async def tts(voice_id: str, request: Request, with_timestamps: bool) -> Response:
            early, body = await em._enter(request, "tts")
            if early:
                return early
            if not isinstance(body, dict):
                return _validation(["body"], "Input should be a valid dictionary", "dict_type")
            for k in body:
                if k not in TTS_FIELDS:
                    return _validation(["body", k], "Extra inputs are not permitted", "extra_forbidden")
            text = body.get("text")
            if not isinstance(text, str) or not text:
                return _validation(["body", "text"], "Field required", "missing")
            if body.get("voice_settings") is not None:
                bad = em._check_settings(body["voice_settings"], ["body", "voice_settings"])
                if bad:
                    return bad
            bad = em._check_common(request, voice_id, body.get("model_id"), "can_do_text_to_speech")
            if bad:
                return bad
            settings = body.get("voice_settings") or {}
            if body.get("model_id") == "eleven_v3" and settings:
                if settings.get("stability") not in (None, *V3_STABILITY):
                    return _detail(400, "invalid_ttd_stability",
                                   "Invalid TTD stability value. Must be one of: 0.0, 0.5, 1.0")
                extra = sorted(k for k in settings if k != "stability")
                if extra:
                    return _detail(400, "unsupported_voice_settings", f"eleven_v3 does not support {', '.join(extra)}.")
            model = next((m for m in MODELS if m["model_id"] == (body.get("model_id") or "eleven_multilingual_v2")), {})
            limit = model.get("maximum_text_length_per_request", 10000)
            if len(text) > limit:
                return _detail(400, "max_character_limit_exceeded",
                               f"Text is {len(text)} characters; this model accepts at most {limit}.")
            fmt = request.query_params.get("output_format") or "mp3_44100_128"
            audio = audio_for(fmt)
            if not with_timestamps:
                return Response(audio, media_type="audio/mpeg" if fmt.startswith("mp3") else "application/octet-stream")
            chars = list(text)
            alignment = {"characters": chars,
                         "character_start_times_seconds": [round(i * CHAR_S, 3) for i in range(len(chars))],
                         "character_end_times_seconds": [round((i + 1) * CHAR_S, 3) for i in range(len(chars))]}
            return JSONResponse({"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment,
                                 "normalized_alignment": alignment})

        @app.post("/v1/text-to-speech/{voice_id}/with-timestamps")
        async def tts_with_timestamps(voice_id: str, request: Request):
            return await tts(voice_id, request, True)

        @app.post("/v1/text-to-speech/{voice_id}")
        async def tts_plain(voice_id: str, request: Request):
            return await tts(voice_id, request, False)

        async def sts(voice_id: str, request: Request) -> Response:
            early, body = await em._enter(request, "v2v")
            if early:
                return early
            if not request.headers.get("content-type", "").startswith("multipart/form-data") or not isinstance(body, dict):
                return _validation(["body"], "Expected multipart/form-data", "model_attributes_type")
            for k in body:
                if k not in STS_FIELDS:
                    return _validation(["body", k], "Extra inputs are not permitted", "extra_forbidden")
            audio = body.get("audio")
            if not isinstance(audio, dict) or not audio["data"]:
                return _validation(["body", "audio"], "Field required", "missing")
            if "voice_settings" in body:
                try:
                    settings = json.loads(body["voice_settings"])
                except (TypeError, ValueError):
                    return _validation(["body", "voice_settings"], "voice_settings must be a JSON string", "json_invalid")
                bad = em._check_settings(settings, ["body", "voice_settings"])
                if bad:
                    return bad
            if body.get("file_format") not in (None, "pcm_s16le_16", "other"):
                return _validation(["body", "file_format"], "Input should be 'pcm_s16le_16' or 'other'", "enum")
            if body.get("remove_background_noise") not in (None, "true", "false"):
                return _validation(["body", "remove_background_noise"], "Input should be a valid boolean", "bool_parsing")
            bad = em._check_common(request, voice_id, body.get("model_id"), "can_do_voice_conversion")
            if bad:
                return bad
            fmt = request.query_params.get("output_format") or "mp3_44100_128"
            return Response(audio_for(fmt), media_type="audio/mpeg" if fmt.startswith("mp3") else "application/octet-stream")

        @app.post("/v1/speech-to-speech/{voice_id}")
        async def sts_docs_path(voice_id: str, request: Request):
            if "speech-to-speech" not in em.sts_paths:
                return JSONResponse({"detail": "Not Found"}, status_code=404)
            return await sts(voice_id, request)

        @app.post("/v1/voice-changer/{voice_id}")
        async def sts_sdk_path(voice_id: str, request: Request):
            return await sts(voice_id, request)

        @app.get("/v1/voices")
        async def voices_v1(request: Request):
            early, _ = await em._enter(request, "voices")
            return early or JSONResponse({"voices": em.voices})

        @app.get("/v2/voices")
        async def voices_v2(request: Request):
            early, _ = await em._enter(request, "voices")
            if early:
                return early
            size = int(request.query_params.get("page_size") or 10)
            if not 1 <= size <= 100:
                return _validation(["query", "page_size"], "Input should be between 1 and 100", "range")
            start = int(request.query_params.get("next_page_token") or 0)
            search = (request.query_params.get("search") or "").lower()
            pool = [v for v in em.voices if search in v["name"].lower()]
            page = pool[start:start + size]
            more = start + size < len(pool)
            return JSONResponse({"voices": page, "has_more": more, "total_count": len(pool),
                                 "next_page_token": str(start + size) if more else None})

        @app.get("/v1/voices/{voice_id}")
        async def voice_get(voice_id: str, request: Request):
            early, _ = await em._enter(request, "voices")
            if early:
                return early
            v = em._voice(voice_id)
            return JSONResponse(v) if v else _detail(404, "voice_not_found", f"A voice with voice_id {voice_id} does not exist.")

        @app.get("/v1/user")
        async def user(request: Request):
            early, _ = await em._enter(request, "user")
            return early or JSONResponse({"user_id": "user-1", "first_name": "Test", "is_new_user": False,
                                          "xi_api_key": None, "subscription": {"tier": "creator",
                                          "character_count": 1200, "character_limit": 100000, "status": "active"}})

        @app.get("/v1/user/subscription")
        async def subscription(request: Request):
            early, _ = await em._enter(request, "user")
            return early or JSONResponse({"tier": "creator", "character_count": 1200, "character_limit": 100000,
                                          "status": "active"})

        @app.get("/v1/models")
        async def models(request: Request):
            early, _ = await em._enter(request, "models")
            return early or JSONResponse(MODELS)

        return app


def make_app(*, api_key: str, voices: list[dict] | None = None) -> ElevenLabsEmulator:
    """Return an emulator; serve ``emulator.app`` with ``tests.emulators.server.serve``."""
    return ElevenLabsEmulator(api_key=api_key, voices=voices)
