"""ElevenLabs adapter: text→voice with timestamps, voice→voice, and the voice list, through the
official ``elevenlabs`` SDK (2.x).

Facts followed (../shared/provider_docs/elevenlabs.md):
- Auth ``xi-api-key``; ``ElevenLabs(api_key=…, base_url=…)`` joins ``/v1/...`` onto the base URL.
- TTS with timestamps: ``POST /v1/text-to-speech/{voice_id}/with-timestamps`` — query
  ``output_format``, JSON ``text``, ``model_id``, ``voice_settings`` {stability, similarity_boost,
  style, use_speaker_boost, speed}; answer ``audio_base64`` + character ``alignment``.
- Voice→voice: multipart ``audio`` + ``model_id`` + ``voice_settings`` as a **JSON string**, sent to
  the documented ``/v1/speech-to-speech/{voice_id}``; SDK 2.78 posts to ``/v1/voice-changer/{voice_id}``
  instead, which is used only when the documented path answers 404 (UPDATE-2026-12 §2.2). Input
  audio under 5 minutes is checked before the call (the schema file's ``x-max-duration-s``).
- ``convert`` is a generator: nothing is sent until it is iterated, errors surface then.
- SDK retries are turned off (``max_retries: 0``): the job runner owns retries and backoff,
  and gets ``Retry-After`` through ``ProviderError.retry_after_s``.
Both calls are synchronous: ``submit`` returns the audio directly (``operation_id`` None).
"""
from __future__ import annotations

import base64
import io
import json
import logging
import re
import wave
from contextlib import contextmanager
from typing import Any, Callable, ClassVar, Iterator

import httpx
from elevenlabs import VoiceSettings
from elevenlabs.client import ElevenLabs
from elevenlabs.core.api_error import ApiError

from core.credentials import get_setting, require_setting
from core.errors import InvalidInput, ProviderError, UnsupportedCapability
import core.providers.http_support as hs
from core.providers.base import (
    SUCCEEDED, InputFile, KeyCheck, Output, PollResult, ProviderRequest, SubmitResult, check_provider_id,
)
from core.settings import get_settings

log = logging.getLogger(__name__)

PROVIDER = "elevenlabs"
SETTING = "ELEVENLABS_API_KEY"
# mp3 at 44.1 kHz/128 kbps is what the SDK examples use and every plan may request.
DEFAULT_OUTPUT_FORMAT = "mp3_44100_128"
VOICE_SETTINGS = ("stability", "similarity_boost", "style", "use_speaker_boost", "speed", "clone_strength")
# Voice ids go into the URL path (/v1/text-to-speech/{voice_id}/…): letters and digits only.
VOICE_ID = re.compile(r"[A-Za-z0-9]{1,64}")
# Documented request fields per operation (elevenlabs.md §2, §6), besides voice_id/model_id/
# voice_settings/output_format which every operation takes.
_TTS_FIELDS = ("text", "language_code", "seed", "previous_text", "next_text", "previous_request_ids",
               "next_request_ids", "use_pvc_as_ivc", "apply_text_normalization", "apply_language_text_normalization",
               "pronunciation_dictionary_locators")
_STS_FIELDS = ("seed", "remove_background_noise", "file_format")
_QUERY_FIELDS = ("output_format", "enable_logging", "optimize_streaming_latency")
_OPERATION_FIELDS = {"tts": _TTS_FIELDS, "v2v": _STS_FIELDS}
_MIME_BY_CODEC = {"mp3": "audio/mpeg", "opus": "audio/ogg", "wav": "audio/wav", "pcm": "audio/wav",
                  "ulaw": "audio/basic", "alaw": "audio/x-alaw-basic"}


def words_from_alignment(alignment: dict | None) -> list[dict]:
    """Turn ElevenLabs character alignment into word timings.

    Returns ``[{"word", "start_s", "end_s"}]``: a word is a run of non-space characters; it
    starts when its first character starts and ends when its last character ends.
    """
    if not alignment:
        return []
    chars = alignment.get("characters") or []
    starts = alignment.get("character_start_times_seconds") or []
    ends = alignment.get("character_end_times_seconds") or []
    words: list[dict] = []
    current: list[int] = []

    def flush() -> None:
        if current:
            words.append({"word": "".join(chars[i] for i in current),
                          "start_s": float(starts[current[0]]), "end_s": float(ends[current[-1]])})
            current.clear()

    for i, ch in enumerate(chars[: min(len(chars), len(starts), len(ends))]):
        if ch.isspace():
            flush()
        else:
            current.append(i)
    flush()
    return words


def _audio_output(data: bytes, output_format: str) -> tuple[str, bytes]:
    """Return ``(mime, bytes)``; headerless ``pcm_<rate>`` (16-bit LE mono) is wrapped in WAV so
    that every later step can read it."""
    codec, _, rate = output_format.partition("_")
    if codec == "pcm" and rate.isdigit():
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(data)
        data = buf.getvalue()
    return _MIME_BY_CODEC.get(codec, "application/octet-stream"), data


def _error_message(body: Any) -> str:
    """The human part of an ElevenLabs error body (``{"detail": {"status", "message"}}`` or a list)."""
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        status, message = detail.get("status"), detail.get("message")
        return f"{status}: {message}" if status and message else str(message or status or detail)
    if isinstance(detail, list):
        return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    return str(detail or "request failed")[:300]


class ElevenLabsAdapter:
    """Adapter for ElevenLabs voices (operations ``tts`` and ``v2v``)."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "1"
    credential_settings: ClassVar[tuple[str, ...]] = (SETTING,)

    def __init__(self, *, timeout_s: float = 120.0, api_key: str | None = None):
        self.timeout_s = timeout_s
        self._explicit_key = api_key

    # ---- pure -------------------------------------------------------------------------------
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the request: ``body`` holds ``voice_id``, ``model_id``, ``output_format``,
        ``voice_settings`` (when any is set) and the operation's documented fields; ``files``
        holds ``audio`` for ``v2v``.

        Raises UnsupportedCapability for an unknown operation; InvalidInput for a missing voice,
        text or audio, or a field ElevenLabs does not document.
        """
        fields = _OPERATION_FIELDS.get(cap.operation)
        if fields is None:
            raise UnsupportedCapability(f"ElevenLabs has no {cap.operation!r} operation", field="operation")
        roles = getattr(cap, "roles", None) or {}
        # Role parameters (e.g. roles.voice = "voice_id") come back under the API's own names.
        rename = {roles.get("voice") or "voice_id": "voice_id", roles.get("text") or "text": "text"}
        flat = {rename.get(k, k): v for k, v in (params or {}).items() if v is not None}
        hs.check_known(cap=cap, names=[k for k in (params or {}) if (params or {})[k] is not None])
        settings = dict(flat.pop("voice_settings", None) or {})
        settings.update({k: flat.pop(k) for k in VOICE_SETTINGS if k in flat})
        body: dict[str, Any] = {
            "voice_id": flat.pop("voice_id", None),
            "model_id": flat.pop("model_id", None) or cap.model,
            "output_format": flat.pop("output_format", None) or DEFAULT_OUTPUT_FORMAT,
        }
        if not body["voice_id"]:
            raise InvalidInput("a voice is required (voice_id)", field="voice_id")
        check_provider_id(value=body["voice_id"], pattern=VOICE_ID, field="voice_id", provider="ElevenLabs",
                          what="voice id")
        if settings:
            body["voice_settings"] = settings
        unknown = sorted(k for k in flat if k not in fields and k not in _QUERY_FIELDS)
        if unknown:
            raise InvalidInput(f"ElevenLabs {cap.operation} does not take {', '.join(unknown)}", field=unknown[0])
        body.update(flat)
        files: dict[str, Any] = {}
        if cap.operation == "tts" and not str(body.get("text") or "").strip():
            raise InvalidInput("text to speak is empty", field="text")
        if cap.operation == "v2v":
            audio = next((inputs[k] for k in ("audio", roles.get("audio")) if k and inputs and inputs.get(k)), None)
            if audio is None:
                raise InvalidInput("voice→voice needs an input recording", field="audio")
            files["audio"] = hs.as_input_files(audio, field="audio")
        return ProviderRequest(provider=PROVIDER, model=body["model_id"], operation=cap.operation, body=body, files=files)

    def parse_result(self, *, payload: dict) -> PollResult:
        """Return a succeeded PollResult with one audio Output.

        ``payload`` is the with-timestamps JSON (``audio_base64``, ``alignment``,
        ``normalized_alignment``) or ``{"audio_bytes": …}`` for voice→voice, plus the
        ``output_format`` asked for. Word timings go to ``Output.extra["words"]``.
        """
        fmt = payload.get("output_format") or DEFAULT_OUTPUT_FORMAT
        raw = payload.get("audio_bytes")
        if raw is None:
            raw = base64.b64decode(payload.get("audio_base64") or payload.get("audio_base_64") or "")
        mime, data = _audio_output(raw, fmt)
        extra: dict[str, Any] = {"output_format": fmt}
        alignment = payload.get("alignment") or payload.get("normalized_alignment")
        if alignment:
            extra["words"] = words_from_alignment(alignment)
            ends = alignment.get("character_end_times_seconds") or [0.0]
            extra["duration_s"] = float(max(ends))
        meta = {k: v for k, v in payload.items() if k not in ("audio_base64", "audio_base_64", "audio_bytes")}
        return PollResult(status=SUCCEEDED, outputs=[Output(mime=mime, data=data, extra=extra)], progress=1.0, raw=meta)

    # ---- transport --------------------------------------------------------------------------
    def _key(self) -> str:
        return require_setting(provider=PROVIDER, setting=SETTING, explicit=self._explicit_key)

    @contextmanager
    def _client(self, key: str) -> Iterator[ElevenLabs]:
        """Yield an SDK client on an httpx client of our own, closed after the call."""
        http = httpx.Client(timeout=self.timeout_s, follow_redirects=True)
        try:
            yield ElevenLabs(api_key=key, base_url=get_settings().elevenlabs_base_url or "https://api.elevenlabs.io",
                             timeout=self.timeout_s, httpx_client=http)
        finally:
            http.close()

    def _options(self) -> dict:
        return {"max_retries": 0, "timeout_in_seconds": self.timeout_s}

    def _call(self, fn: Callable[[], Any], *, action: str, key: str, idempotent: bool) -> Any:
        """Run one SDK call; map every failure to ProviderError with the API's message, scrubbed."""
        try:
            return fn()
        except ApiError as exc:
            status = exc.status_code
            if status is not None and 200 <= status < 300:  # the SDK could not parse a 2xx answer
                raise hs.malformed_answer(provider=PROVIDER, action=action, idempotent=idempotent,
                                          secrets=[key]) from None
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            raise hs.provider_error(provider=PROVIDER, message=f"{action}: {_error_message(exc.body)}", status=status,
                                    retry_after_s=hs.parse_retry_after(headers.get("retry-after")),
                                    secrets=[key]) from None
        except httpx.HTTPError as exc:
            raise hs.transport_error(provider=PROVIDER, exc=exc, action=action, idempotent=idempotent,
                                     secrets=[key]) from None
        except ValueError:
            raise hs.malformed_answer(provider=PROVIDER, action=action, idempotent=idempotent, secrets=[key]) from None

    def _tts(self, client: ElevenLabs, request: ProviderRequest, key: str) -> dict:
        body = dict(request.body)
        kwargs = {k: body[k] for k in (*_TTS_FIELDS, *_QUERY_FIELDS, "model_id") if k in body}
        if body.get("voice_settings"):
            kwargs["voice_settings"] = VoiceSettings(**body["voice_settings"])
        resp = self._call(lambda: client.text_to_speech.convert_with_timestamps(
            body["voice_id"], request_options=self._options(), **kwargs), action="text to speech", key=key,
            idempotent=False)
        return resp.model_dump(by_alias=True)

    def _v2v(self, client: ElevenLabs, request: ProviderRequest, key: str) -> dict:
        body = dict(request.body)
        audio = request.files["audio"]
        audio = InputFile(**audio) if isinstance(audio, dict) else audio
        kwargs = {k: body[k] for k in (*_STS_FIELDS, *_QUERY_FIELDS, "model_id") if k in body}
        if body.get("voice_settings"):
            kwargs["voice_settings"] = json.dumps(body["voice_settings"])  # a JSON string, not a form object
        data = self._sts_documented(body["voice_id"], audio, kwargs, key)
        if data is None:  # the documented path is not served: the SDK's /v1/voice-changer/{voice_id}
            # convert() is a generator: the request is sent while joining, so errors surface in _call.
            data = self._call(lambda: b"".join(client.speech_to_speech.convert(
                body["voice_id"], audio=(audio.p.name, audio.p.read_bytes(), audio.mime),
                request_options=self._options(), **kwargs)), action="voice to voice", key=key, idempotent=False)
        return {"audio_bytes": data}

    def _sts_documented(self, voice_id: str, audio: InputFile, fields: dict, key: str) -> bytes | None:
        """POST the documented ``/v1/speech-to-speech/{voice_id}`` (multipart; query ``output_format``…).

        Returns the audio bytes, or None when that path answers 404 for a reason other than an unknown
        voice (a deployment that only serves the SDK's voice-changer path; UPDATE-2026-12 §2.2).
        Raises ProviderError with the API's message otherwise.
        """
        query = {k: fields[k] for k in _QUERY_FIELDS if k in fields}
        form = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in fields.items() if k not in query}
        base = get_settings().elevenlabs_base_url or "https://api.elevenlabs.io"
        try:
            resp = httpx.post(f"{base.rstrip('/')}/v1/speech-to-speech/{voice_id}", params=query, data=form,
                              files={"audio": (audio.p.name, audio.p.read_bytes(), audio.mime)},
                              headers={"xi-api-key": key}, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise hs.transport_error(provider=PROVIDER, exc=exc, action="voice to voice", idempotent=False,
                                     secrets=[key]) from None
        if resp.status_code == 200:
            return resp.content
        try:
            detail = resp.json()
        except ValueError:
            detail = {"detail": resp.text[:200] or resp.reason_phrase}
        if resp.status_code == 404 and "voice_not_found" not in json.dumps(detail):
            return None
        raise hs.provider_error(provider=PROVIDER, message=f"voice to voice: {_error_message(detail)}",
                                status=resp.status_code, retry_after_s=hs.parse_retry_after(resp.headers.get("Retry-After")),
                                secrets=[key])

    def check_credentials(self, *, models: dict[str, tuple[str, ...]]) -> list[KeyCheck]:
        """The key check: ``GET /v1/user`` (no audio is made), then ``GET /v1/models`` for the model ids
        this key can use and each one's ``maximum_text_length_per_request`` (the v3 cap is uncertain
        in the docs, UPDATE-2026-12 §2.1). Returns [] without a key; never raises for a refused key."""
        if not (self._explicit_key or get_setting(setting=SETTING)):
            return []

        probe = ElevenLabsAdapter(timeout_s=min(self.timeout_s, KeyCheck.TIMEOUT_S), api_key=self._explicit_key)

        def run():
            key = probe._key()
            with probe._client(key) as client:
                user = probe._call(lambda: client.user.get(request_options=probe._options()), action="key check",
                                   key=key, idempotent=True)
                listed = probe._call(lambda: client.models.list(request_options=probe._options()),
                                     action="model list", key=key, idempotent=True)
            facts = {m.model_id: {"maximum_text_length_per_request": m.maximum_text_length_per_request}
                     for m in listed if getattr(m, "maximum_text_length_per_request", None)}
            tier = getattr(getattr(user, "subscription", None), "tier", None)
            return (f"user {user.user_id}" + (f", {tier} plan" if tier else ""),
                    sorted(m.model_id for m in listed), facts)

        return [hs.key_check(provider=PROVIDER, setting=SETTING, call=run)]

    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Run the call and return its audio at once (``operation_id`` None, status succeeded).

        Raises MissingCredentials, UnsupportedCapability, ProviderError (429/5xx retryable).
        """
        check_provider_id(value=request.body.get("voice_id"), pattern=VOICE_ID, field="voice_id",
                          provider="ElevenLabs", what="voice id")  # it goes into the URL path
        run = {"tts": self._tts, "v2v": self._v2v}.get(request.operation)
        if run is None:
            raise UnsupportedCapability(f"ElevenLabs has no {request.operation!r} operation", field="operation")
        key = self._key()
        with self._client(key) as client:
            payload = run(client, request, key)
        payload["output_format"] = request.body.get("output_format") or DEFAULT_OUTPUT_FORMAT
        result = self.parse_result(payload=payload)
        log.info("elevenlabs %s done for voice %s", request.operation, request.body.get("voice_id"))
        return SubmitResult(operation_id=None, status=result.status, outputs=result.outputs, raw=result.raw)

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        """ElevenLabs answers synchronously; there is never anything to poll. Raises UnsupportedCapability."""
        raise UnsupportedCapability("ElevenLabs calls are synchronous: the result comes with submit")

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """Nothing runs after submit returns, so there is nothing to cancel."""
        return None

    def download(self, *, output: Output) -> bytes:
        """Return the audio bytes carried by the output. Raises ProviderError when there are none."""
        if output.data is None:
            raise ProviderError("output carries no audio", provider=PROVIDER)
        return output.data

    def list_voices(self, *, search: str | None = None, page_size: int = 100) -> list[dict]:
        """Return every voice of the account as ``{voice_id, name, labels, preview_url}`` dicts,
        following ``GET /v2/voices`` pages. Raises MissingCredentials, ProviderError."""
        key = self._key()
        voices: list[dict] = []
        token: str | None = None
        with self._client(key) as client:
            while True:
                page = self._call(lambda: client.voices.search(page_size=page_size, next_page_token=token,
                                                               search=search, request_options=self._options()),
                                  action="voice list", key=key, idempotent=True)
                voices += [{"voice_id": v.voice_id, "name": v.name, "labels": dict(v.labels or {}),
                            "preview_url": v.preview_url} for v in page.voices]
                token = page.next_page_token
                if not page.has_more or not token:
                    return voices


ADAPTER = ElevenLabsAdapter()


def list_voices(*, search: str | None = None) -> list[dict]:
    """Module-level shortcut for voice pickers: ``ADAPTER.list_voices``."""
    return ADAPTER.list_voices(search=search)
