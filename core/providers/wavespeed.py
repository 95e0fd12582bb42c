"""WaveSpeed adapter: InfiniteTalk lip sync (image+audio, video+audio, fast variants) over ``httpx``.

Facts followed (../shared/provider_docs/wavespeed.md):
- ``Authorization: Bearer <key>``; every model is ``POST {base}/api/v3/{model_id}`` with JSON.
- Media fields are URLs: local files are uploaded first with the documented binary upload
  ``POST /api/v3/media/upload/binary`` (multipart part ``file``) → ``data.download_url``.
- Answers are an envelope ``{"code", "message", "data"}``; the task id is ``data.id``.
- Poll ``GET /api/v3/predictions/{id}/result``; statuses ``created`` → ``processing`` →
  ``completed`` | ``failed`` — a failed task comes back as **HTTP 200** with
  ``data.status == "failed"`` and ``data.error``; ``cancelled``/``timeout``/``deleted`` are
  terminal too (the SDK's reading).
- A submission is never re-sent after an ambiguous answer (a task may exist and be billed).
- No cancel endpoint is documented.
"""
from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import httpx

from core.credentials import get_setting, require_setting
from core.errors import InvalidInput, ProviderError, UnsupportedCapability
import core.providers.http_support as hs
from core.providers.base import (
    CANCELLED, FAILED, RUNNING, SUBMITTED, SUCCEEDED, InputFile, KeyCheck, Output, PollResult,
    ProviderRequest, SubmitResult, check_provider_id,
)
from core.settings import get_settings

log = logging.getLogger(__name__)
# Ids that go into API paths (/api/v3/{model}, /api/v3/predictions/{id}/result): checked before any call.
MODEL_PATH = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}(/[a-z0-9][a-z0-9_.-]{0,63}){1,4}")
TASK_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")

PROVIDER = "wavespeed"
SETTING = "WAVESPEED_API_KEY"
BALANCE_PATHS = ("/api/v3/balance", "/api/v3/account/balance")
DEFAULT_BASE_URL = "https://api.wavespeed.ai"
UPLOAD_PATH = "/api/v3/media/upload/binary"

# Documented request fields per model (wavespeed.md §3). Fast variants take no ``resolution``.
_IMAGE = ("audio", "image", "mask_image", "prompt", "resolution", "seed")
_VIDEO = ("audio", "video", "mask_image", "prompt", "resolution", "seed")
_MULTI = ("image", "left_audio", "right_audio", "prompt", "order", "resolution", "seed")
_VIDEO_MULTI = ("video", "left_audio", "right_audio", "mask_image", "prompt", "order", "resolution", "seed")


def _fast(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in fields if f != "resolution")


DOCUMENTED_FIELDS: dict[str, tuple[str, ...]] = {
    "wavespeed-ai/infinitetalk": _IMAGE,
    "wavespeed-ai/infinitetalk/video-to-video": _VIDEO,
    "wavespeed-ai/infinitetalk/multi": _MULTI,
    "wavespeed-ai/infinitetalk/video-to-video-multi": _VIDEO_MULTI,
    "wavespeed-ai/infinitetalk-fast": _fast(_IMAGE),
    "wavespeed-ai/infinitetalk-fast/video-to-video": _fast(_VIDEO),
    "wavespeed-ai/infinitetalk-fast/multi": _fast(_MULTI),
    "wavespeed-ai/infinitetalk-fast/video-to-video-multi": _fast(_VIDEO_MULTI),
}
MEDIA_FIELDS = frozenset({"audio", "image", "video", "mask_image", "left_audio", "right_audio"})
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    m: tuple(f for f in ("image", "video", "audio", "left_audio", "right_audio") if f in fields)
    for m, fields in DOCUMENTED_FIELDS.items()
}
_STATUS = {"created": SUBMITTED, "processing": RUNNING, "completed": SUCCEEDED, "failed": FAILED,
           "cancelled": CANCELLED, "timeout": FAILED, "deleted": FAILED}


def _envelope_message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:300] or resp.reason_phrase
    if isinstance(body, dict):
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        return str(body.get("message") or data.get("error") or body.get("error") or body)[:300]
    return str(body)[:300]


class WaveSpeedAdapter:
    """Adapter for WaveSpeed InfiniteTalk models (operations ``lipsync_image`` / ``lipsync_video``)."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "1"
    credential_settings: ClassVar[tuple[str, ...]] = (SETTING,)

    def __init__(self, *, timeout_s: float = 60.0, api_key: str | None = None):
        self.timeout_s = timeout_s
        self._explicit_key = api_key

    # ---- pure -------------------------------------------------------------------------------
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the task request: ``body`` holds the non-file fields, ``files`` the media fields
        (uploaded and replaced by URLs in ``submit``).

        Raises UnsupportedCapability for a model whose fields are not documented; InvalidInput
        for an undocumented field or a missing image/video/audio.
        """
        documented = DOCUMENTED_FIELDS.get(cap.model)
        if documented is None:
            raise UnsupportedCapability(f"WaveSpeed model {cap.model!r} is not documented here", field="model")
        body = {hs.param_for(cap, k): v for k, v in (params or {}).items() if v is not None}
        files: dict[str, Any] = {}
        for key, value in (inputs or {}).items():
            if value is not None:
                param = hs.param_for(cap, key)
                files[param] = hs.as_input_files(value, field=param)
                body.pop(param, None)
        names = [*body, *files]
        unknown = sorted(n for n in names if n not in documented)
        if unknown:
            raise InvalidInput(f"{cap.model} does not take {', '.join(unknown)}", field=unknown[0])
        hs.check_known(cap=cap, names=names)
        for name in REQUIRED_FIELDS[cap.model]:
            if name not in files and not (isinstance(body.get(name), str) and body[name].startswith("http")):
                raise InvalidInput(f"{cap.model} needs {name}", field=name)
        for name, f in files.items():
            if isinstance(f, list):
                raise InvalidInput(f"{name} takes a single file", field=name)
        return ProviderRequest(provider=PROVIDER, model=cap.model, operation=cap.operation, body=body, files=files)

    def parse_result(self, *, payload: dict) -> PollResult:
        """Return the PollResult of a task envelope (``{"code","message","data"}`` or bare ``data``).

        A failed task (HTTP 200, ``status: failed``) gives a failed PollResult with ``data.error``;
        retryable when that error reports an upstream 5xx/429, as the SDK treats it.
        """
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        raw_status = data.get("status")
        status = _STATUS.get(raw_status)
        if status is None:
            return PollResult(status=FAILED, error=f"unknown task status {raw_status!r}", raw=payload)
        error = None
        if status in (FAILED, CANCELLED):
            error = str(data.get("error") or f"task {raw_status}")
        nsfw = list(data.get("has_nsfw_contents") or [])
        outputs = [Output(mime=hs.guess_mime(u, default="video/mp4"), url=u,
                          extra={"has_nsfw_content": bool(nsfw[i]) if i < len(nsfw) else False})
                   for i, u in enumerate(data.get("outputs") or []) if isinstance(u, str) and u]
        if status == SUCCEEDED and not outputs:
            return PollResult(status=FAILED, error="task completed without an output", raw=payload)
        retryable = status == FAILED and any(t in (error or "") for t in ("HTTP 5", "HTTP 429"))
        return PollResult(status=status, outputs=outputs if status == SUCCEEDED else [], error=error,
                          retryable=retryable, progress=1.0 if status == SUCCEEDED else None, raw=payload)

    # ---- transport --------------------------------------------------------------------------
    def _key(self) -> str:
        return require_setting(provider=PROVIDER, setting=SETTING, explicit=self._explicit_key)

    def _client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=get_settings().wavespeed_base_url or DEFAULT_BASE_URL,
                            headers={"Authorization": f"Bearer {key}"},
                            timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)))

    def _send(self, client: httpx.Client, method: str, path: str, *, action: str, idempotent: bool, key: str,
              **kwargs) -> dict:
        """Send one request; return the envelope's ``data``. Raises ProviderError (scrubbed)."""
        try:
            resp = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise hs.transport_error(provider=PROVIDER, exc=exc, action=action, idempotent=idempotent,
                                     secrets=[key]) from None
        if resp.status_code != 200:
            status = resp.status_code
            # A gateway timeout on a submission may hide a task that is running and billed.
            retryable = None if idempotent or status != 504 else False
            raise hs.provider_error(provider=PROVIDER, message=f"{action}: {_envelope_message(resp)}", status=status,
                                    retry_after_s=hs.parse_retry_after(resp.headers.get("Retry-After")),
                                    retryable=retryable, secrets=[key])
        try:
            body = resp.json()
        except ValueError:
            raise hs.malformed_answer(provider=PROVIDER, action=action, idempotent=idempotent, secrets=[key]) from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise hs.malformed_answer(provider=PROVIDER, action=action, idempotent=idempotent, secrets=[key])
        if body.get("code") not in (None, 200):
            code = body.get("code")
            raise hs.provider_error(provider=PROVIDER, message=f"{action}: {body.get('message') or 'error'} (code {code})",
                                    status=code if isinstance(code, int) else None, secrets=[key])
        return body

    def _upload(self, client: httpx.Client, f: InputFile, key: str) -> str:
        body = self._send(client, "POST", UPLOAD_PATH, action="media upload", idempotent=True, key=key,
                          files={"file": (f.p.name, f.p.read_bytes(), f.mime)})
        url = body["data"].get("download_url")
        if not url:
            raise hs.malformed_answer(provider=PROVIDER, action="media upload", idempotent=True, secrets=[key])
        return url

    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Upload the media, submit the task; returns its id and status.

        Raises MissingCredentials, ProviderError (429/5xx retryable; timeouts and broken answers
        after the task POST are not, so a paid task is never sent twice).
        """
        check_provider_id(value=request.model, pattern=MODEL_PATH, field="model", provider="WaveSpeed",
                          what="model path")  # it is the URL path of the submit
        key = self._key()
        body = dict(request.body)
        with self._client(key) as client:
            for param, f in request.files.items():
                body[param] = self._upload(client, InputFile(**f) if isinstance(f, dict) else f, key)
            envelope = self._send(client, "POST", f"/api/v3/{request.model}", action="task submit",
                                  idempotent=False, key=key, json=body)
        task_id = envelope["data"].get("id")
        if not task_id:
            raise hs.malformed_answer(provider=PROVIDER, action="task submit", idempotent=False, secrets=[key])
        result = self.parse_result(payload=envelope)
        log.info("wavespeed task %s submitted for %s", task_id, request.model)
        return SubmitResult(operation_id=task_id, status=result.status, outputs=result.outputs,
                            raw={"id": task_id, "status": envelope["data"].get("status")})

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        """Return where the task stands (``GET /api/v3/predictions/{id}/result``); raises ProviderError,
        InvalidInput for an id that is not a task id."""
        check_provider_id(value=operation_id, pattern=TASK_ID, field="operation_id", provider="WaveSpeed",
                          what="task id")
        key = self._key()
        with self._client(key) as client:
            envelope = self._send(client, "GET", f"/api/v3/predictions/{operation_id}/result", action="task poll",
                                  idempotent=True, key=key)
        return self.parse_result(payload=envelope)

    def check_credentials(self, *, models: dict[str, tuple[str, ...]]) -> list[KeyCheck]:
        """The key check: the balance GET (no task is created). Two paths are documented
        (UPDATE-2026-12 §4): ``/api/v3/balance``, and ``/api/v3/account/balance`` when the first is 404.
        Returns [] without a key; never raises for a refused key (python -m core doctor)."""
        if not (self._explicit_key or get_setting(setting=SETTING)):
            return []

        def run():
            key = self._key()
            with self._client(key) as client:
                try:
                    body = self._send(client, "GET", BALANCE_PATHS[0], action="key check", idempotent=True, key=key)
                except ProviderError as exc:
                    if exc.status_code != 404:
                        raise
                    body = self._send(client, "GET", BALANCE_PATHS[1], action="key check", idempotent=True, key=key)
            data = body["data"]
            return f"balance {data.get('balance')} {data.get('currency') or 'USD'}", None, {}

        return [hs.key_check(provider=PROVIDER, setting=SETTING, call=run)]

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """WaveSpeed documents no cancel endpoint. Raises UnsupportedCapability."""
        raise UnsupportedCapability("WaveSpeed tasks cannot be cancelled (no documented endpoint)")

    def download(self, *, output: Output) -> bytes:
        """Return the output video's bytes (no key sent: outputs are plain hosted URLs).

        Raises ProviderError (403/404 permanent, 429/5xx/timeouts retryable).
        """
        if output.data is not None:
            return output.data
        if not output.url:
            raise ProviderError("output has neither data nor url", provider=PROVIDER)
        return hs.download(provider=PROVIDER, url=output.url, timeout_s=self.timeout_s)


ADAPTER = WaveSpeedAdapter()
