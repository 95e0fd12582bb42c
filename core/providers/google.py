"""The google adapter: Veo (generate, extend), Imagen, Nano Banana and Gemini structured text through
``google-genai`` (google.md). Request building is pure (``google_requests``); this module holds the
thin transport: clients, submit, poll, download and error mapping.

Veo and Imagen run in Vertex mode (google-genai 3.x refuses them with an API key, google.md §0);
Gemini content calls use the API key. Base URL comes from ``GOOGLE_GENAI_BASE_URL`` so tests aim
the real SDK at the loopback emulator. Keys are read at call time and never stored or logged.
"""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Any, ClassVar

from google.genai import errors as genai_errors
from google.genai import types

from core.credentials import get_setting, redact, require_setting
from core.errors import MissingCredentials, ProviderError, UnsupportedCapability
import core.providers.google_requests as rq
from core.providers.base import (FAILED, RUNNING, SUBMITTED, SUCCEEDED, Output, PollResult, ProviderRequest,
                                 SubmitResult)
from core.settings import get_settings

PROVIDER = "google"
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


def _retry_after(exc: genai_errors.APIError) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        return float(headers.get("retry-after"))
    except (TypeError, ValueError):
        return None


def _class_names(exc: BaseException) -> set[str]:
    # google-genai 3.x sends through ``httpx2`` (a fork with the same class names) — match by name
    # so either transport is understood.
    return {c.__name__ for c in type(exc).__mro__}


def map_error(exc: BaseException, *, during: str) -> Exception:
    """Return the Storyreel error for an SDK/transport exception (pure).

    4xx/5xx answers keep the server's message; 408, 429 and 5xx are retryable, with Retry-After.
    A timeout or unreadable answer to a *submission* is flagged ``maybe_accepted``: the provider may
    have started (and will bill) the job, so the runner must not blindly submit it again.
    """
    if isinstance(exc, genai_errors.APIError):
        code = int(exc.code) if isinstance(exc.code, int) else None
        message = exc.message or str(exc.status or "error")
        err = ProviderError(redact(f"{message} (HTTP {code}, {exc.status}) during {during}"), provider=PROVIDER,
                            retryable=code in RETRYABLE_STATUS, status_code=code, retry_after_s=_retry_after(exc))
    elif "TimeoutException" in _class_names(exc):
        err = ProviderError(f"no answer in time during {during}", provider=PROVIDER, retryable=True)
        err.maybe_accepted = during == "submit"
    elif "TransportError" in _class_names(exc):
        err = ProviderError(redact(f"connection failed during {during}: {exc}"), provider=PROVIDER, retryable=True)
        # A connection that never opened sent nothing; any other transport failure may have.
        err.maybe_accepted = during == "submit" and "ConnectError" not in _class_names(exc)
    elif isinstance(exc, (json.JSONDecodeError, ValueError)):
        err = ProviderError(redact(f"unreadable answer during {during}: {exc}"), provider=PROVIDER, retryable=True)
        err.maybe_accepted = during == "submit"
    else:
        return exc if isinstance(exc, Exception) else RuntimeError(str(exc))
    return err


class GoogleAdapter:
    """Adapter for Google GenAI (see module docstring)."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "google-1"
    credential_settings: ClassVar[tuple[str, ...]] = ("GOOGLE_CLOUD_PROJECT", "GOOGLE_API_KEY")

    def __init__(self, *, timeout_s: float = 120.0):
        self.timeout_s = timeout_s
        self._clients: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    # --- credentials and clients --------------------------------------------------------------
    def required_settings(self, *, cap: Any) -> tuple[str, ...]:
        """Return the settings this capability needs (Vertex project, or the API key)."""
        return rq.required_settings(cap)

    def _client(self, auth: str):
        from google import genai

        settings = get_settings()
        http = types.HttpOptions(base_url=settings.google_genai_base_url or None, timeout=int(self.timeout_s * 1000))
        if auth == "vertex":
            project = require_setting(provider=PROVIDER, setting="GOOGLE_CLOUD_PROJECT")
            token = get_setting(setting="GOOGLE_VERTEX_ACCESS_TOKEN")
            secret = token or ""
            key = ("vertex", project, settings.google_cloud_location, http.base_url, self.timeout_s,
                   hashlib.sha256(secret.encode()).hexdigest())
        else:
            secret = require_setting(provider=PROVIDER, setting="GOOGLE_API_KEY")
            key = ("api_key", http.base_url, self.timeout_s, hashlib.sha256(secret.encode()).hexdigest())
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                if auth == "vertex":
                    credentials = None
                    if token:
                        from google.oauth2.credentials import Credentials

                        credentials = Credentials(token=token)
                    try:
                        # project/location as constructor args: from env alone the SDK would post to the
                        # bare base URL (gateway mode, google.md §5).
                        client = genai.Client(vertexai=True, project=project, location=settings.google_cloud_location,
                                              credentials=credentials, http_options=http)
                    except Exception as exc:  # google.auth.exceptions.DefaultCredentialsError
                        raise MissingCredentials(PROVIDER, "GOOGLE_VERTEX_ACCESS_TOKEN") from exc
                else:
                    client = genai.Client(api_key=secret, http_options=http)
                self._clients[key] = client
        return client

    # --- pure ---------------------------------------------------------------------------------
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the ProviderRequest: SDK method, auth mode and params; files stay paths."""
        method = rq.sdk_method(cap)
        body = {"method": method, "auth": rq.auth_mode(cap),
                "params": {k: v for k, v in params.items() if k not in inputs}}
        return ProviderRequest(provider=PROVIDER, model=cap.model, operation=cap.operation, body=body,
                               files=dict(inputs))

    def parse_result(self, *, payload: dict) -> PollResult:
        """Return the PollResult of a normalised Veo operation payload.

        ``payload``: ``{"done", "error": {code, message} | None, "videos": [{"data", "uri", "mime"}],
        "rai_filtered_count", "rai_filtered_reasons"}``. A finished operation without videos is a
        failure naming the safety filter reasons.
        """
        if not payload.get("done"):
            return PollResult(status=RUNNING, raw={k: v for k, v in payload.items() if k != "videos"})
        error = payload.get("error")
        if error:
            code = error.get("code")
            # google.rpc codes: 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED, 13 INTERNAL, 14 UNAVAILABLE.
            return PollResult(status=FAILED, error=redact(str(error.get("message") or error)),
                              retryable=code in (4, 8, 13, 14))
        outputs = [Output(mime=v.get("mime") or "video/mp4", data=v.get("data"), url=v.get("uri"))
                   for v in payload.get("videos") or [] if v.get("data") or v.get("uri")]
        if not outputs:
            reasons = "; ".join(payload.get("rai_filtered_reasons") or []) or "no video returned"
            return PollResult(status=FAILED, error=f"Veo returned no video ({reasons}).")
        return PollResult(status=SUCCEEDED, outputs=outputs)

    # --- transport ----------------------------------------------------------------------------
    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Send the request. Veo returns the operation name as ``operation_id``; the other calls
        are synchronous and return outputs. Raises ProviderError / MissingCredentials."""
        method, auth, params = request.body["method"], request.body["auth"], request.body["params"]
        client = self._client(auth)
        try:
            if method == rq.VIDEOS:
                source, config = rq.video_call(params=params, files=request.files)
                op = client.models.generate_videos(model=request.model, source=source, config=config)
                if op.done:
                    result = self.parse_result(payload=self._op_payload(op))
                    return SubmitResult(operation_id=op.name, status=result.status, outputs=result.outputs)
                return SubmitResult(operation_id=op.name, status=SUBMITTED)
            if method == rq.IMAGES:
                prompt, config = rq.images_call(params=params)
                resp = client.models.generate_images(model=request.model, prompt=prompt, config=config)
                outputs = [Output(mime=g.image.mime_type or "image/png", data=g.image.image_bytes)
                           for g in resp.generated_images or [] if g.image and g.image.image_bytes]
            elif method == rq.CONTENT_IMAGE:
                contents, config = rq.content_image_call(params=params, files=request.files)
                resp = client.models.generate_content(model=request.model, contents=contents, config=config)
                outputs = [Output(mime=p.inline_data.mime_type or "image/png", data=p.inline_data.data)
                           for p in (resp.parts or []) if p.inline_data and p.inline_data.data]
            elif method == rq.CONTENT_JSON:
                contents, config = rq.content_json_call(operation=request.operation, params=params)
                resp = client.models.generate_content(model=request.model, contents=contents, config=config)
                data = rq.parse_json_text(resp.text or "")
                outputs = [Output(mime="application/json", data=json.dumps(data, ensure_ascii=False).encode())]
            else:
                raise UnsupportedCapability(f"unknown google method {method!r}", field="model")
        except (UnsupportedCapability, MissingCredentials, ProviderError):
            raise
        except Exception as exc:
            raise map_error(exc, during="submit") from None
        if not outputs:
            raise ProviderError(f"{request.model} returned no output (blocked by safety filters?).", provider=PROVIDER)
        return SubmitResult(operation_id=None, status=SUCCEEDED, outputs=outputs)

    @staticmethod
    def _op_payload(op: types.GenerateVideosOperation) -> dict:
        resp = op.response or op.result
        videos = [{"data": g.video.video_bytes, "uri": g.video.uri, "mime": g.video.mime_type}
                  for g in (resp.generated_videos or [] if resp else []) if g.video]
        return {"name": op.name, "done": bool(op.done), "error": op.error, "videos": videos,
                "rai_filtered_count": getattr(resp, "rai_media_filtered_count", None) if resp else None,
                "rai_filtered_reasons": getattr(resp, "rai_media_filtered_reasons", None) if resp else None}

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        """Ask where a Veo operation stands, from its stored name alone (Vertex ``fetchPredictOperation``)."""
        client = self._client(request.body["auth"])
        try:
            op = client.operations.get(types.GenerateVideosOperation(name=operation_id))
        except Exception as exc:
            raise map_error(exc, during="poll") from None
        return self.parse_result(payload=self._op_payload(op))

    def download(self, *, output: Output) -> bytes:
        """Return an output's bytes. Vertex answers inline; a ``gs://`` URI (only with an output
        bucket configured) cannot be fetched without Cloud Storage access."""
        if output.data is not None:
            return output.data
        raise ProviderError(f"output at {output.url} is not inline; Storyreel does not set an output bucket, "
                            "so this should not happen", provider=PROVIDER)

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """Veo operations cannot be cancelled through google-genai; raises UnsupportedCapability."""
        raise UnsupportedCapability("Google Veo operations cannot be cancelled once started; the result will "
                                    "still be stored when it arrives.", field="job")

    # --- direct helpers used by the story tools ------------------------------------------------
    def generate_json(self, *, model: str, operation: str, params: dict) -> dict:
        """Run a structured-output text operation now and return its JSON object."""
        req = ProviderRequest(provider=PROVIDER, model=model, operation=operation,
                              body={"method": rq.CONTENT_JSON, "auth": "api_key", "params": params})
        out = self.submit(request=req).outputs[0]
        return json.loads(out.data)


ADAPTER = GoogleAdapter()
DEFAULT_TEXT_MODEL = "gemini-2.5-flash"


def generate_script(*, genre: str, language: str, target_length_s: int, logline: str = "",
                    model: str = DEFAULT_TEXT_MODEL) -> dict:
    """Return ``{"title", "logline", "summary", "fountain"}`` written by Gemini.

    Raises MissingCredentials (GOOGLE_API_KEY), ProviderError.
    """
    data = ADAPTER.generate_json(model=model, operation="script",
                                 params={"genre": genre, "language": language,
                                         "target_length_s": target_length_s, "logline": logline})
    missing = [k for k in ("title", "logline", "summary", "fountain") if not isinstance(data.get(k), str)]
    if missing:
        raise ProviderError(f"script answer lacks {', '.join(missing)}", provider=PROVIDER)
    return {k: data[k] for k in ("title", "logline", "summary", "fountain")}


def gemini_breakdown(*, text: str, target_length_s: int, model: str = DEFAULT_TEXT_MODEL):
    """Return a ``core.story.models.Breakdown`` made by Gemini with structured output.

    Raises MissingCredentials (GOOGLE_API_KEY), ProviderError (also for an answer that does not fit).
    """
    from core.story.models import Breakdown

    data = ADAPTER.generate_json(model=model, operation="breakdown",
                                 params={"text": text, "target_length_s": target_length_s})
    try:
        return Breakdown.model_validate({"title": data.get("title", ""), "mode": "fountain",
                                         "target_length_s": int(target_length_s), "scenes": data.get("scenes", []),
                                         "characters": data.get("characters", []),
                                         "notes": ["Breakdown by Gemini."]})
    except Exception as exc:
        raise ProviderError(f"breakdown answer does not fit the breakdown shape: {exc}", provider=PROVIDER) from None


def generate_breakdown(*, text: str, target_length_s: int, model: str = DEFAULT_TEXT_MODEL) -> dict:
    """Return the API.md breakdown shape (``title``, ``scenes`` with ``heading`` and ``shots``,
    ``characters``…) made by Gemini. Raises as :func:`gemini_breakdown`."""
    return gemini_breakdown(text=text, target_length_s=target_length_s, model=model).to_api_json()
