"""The google adapter: Veo 3.1 (generate, extend; Vertex), Gemini Omni Flash video (API key, the
Interactions API), Nano Banana images and Gemini structured text through ``google-genai``
(google.md; UPDATE-2026-12 §1). Request building is pure (``google_requests``); this module holds
the thin transport: clients, credentials, submit, poll, download, error mapping and the key check.

Vertex credentials: ``GOOGLE_VERTEX_ACCESS_TOKEN`` when set (a bare token, about an hour's life),
else application default credentials through google-auth, which the SDK refreshes before they
expire (UPDATE-2026-12 §1.6). A 401/403 while *polling* a running (paid) job does not fail it: the
cached clients and settings are dropped so that fresh credentials are read, and the job waits
(``ProviderError.awaiting_credentials``). Base URL comes from ``GOOGLE_GENAI_BASE_URL`` so tests aim
the real SDK at the loopback emulator. Keys are read at call time and never stored or logged.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from typing import Any, ClassVar

import google.auth
from google import genai
from google.auth import exceptions as auth_errors
from google.genai import errors as genai_errors
from google.genai import types
from google.oauth2.credentials import Credentials

from core.credentials import get_setting, redact, require_setting
from core.errors import MissingCredentials, ProviderError, UnsupportedCapability
import core.providers.google_requests as rq
import core.providers.http_support as hs
from core.providers.base import (
    CANCELLED, FAILED, RUNNING, SUBMITTED, SUCCEEDED, KeyCheck, Output, PollResult, ProviderRequest, SubmitResult,
    check_provider_id,
)
from core.settings import get_settings
from core.story.models import Breakdown

PROVIDER = "google"
# Ids that go into API paths (models/{model}:…, …/operations/{id}): checked before any call.
MODEL_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
OPERATION_NAME = re.compile(r"(projects/[A-Za-z0-9_.-]{1,100}/locations/[a-z0-9-]{1,50}/publishers/google/)?"
                            r"models/[a-z0-9][a-z0-9._-]{0,99}/operations/[A-Za-z0-9_-]{1,100}")
INTERACTION_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}
AUTH_STATUS = {401, 403}
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def _check_operation_id(*, request: ProviderRequest, operation_id: str) -> None:
    """Raise InvalidInput unless ``operation_id`` is a Veo operation name or an Omni interaction id."""
    interaction = request.body.get("method") == rq.INTERACTIONS
    check_provider_id(value=operation_id, pattern=INTERACTION_ID if interaction else OPERATION_NAME,
                      field="operation_id", provider="Google", what="interaction id" if interaction else "operation name")


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        return float(headers.get("retry-after"))
    except (TypeError, ValueError):
        return None


def _class_names(exc: BaseException) -> set[str]:
    # google-genai 3.x sends through ``httpx2`` (a fork with the same class names) and raises its own
    # error classes for the Interactions API — match by name so every transport is understood.
    return {c.__name__ for c in type(exc).__mro__}


def _status_of(exc: BaseException) -> tuple[int | None, str]:
    """Return (HTTP status, message) of an SDK API error (generate_* or Interactions), else (None, "")."""
    if isinstance(exc, genai_errors.APIError):
        code = int(exc.code) if isinstance(exc.code, int) else None
        return code, exc.message or str(exc.status or "error")
    if "APIStatusError" in _class_names(exc):
        body = getattr(exc, "body", None)
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        return getattr(exc, "status_code", None), str(message or getattr(exc, "message", exc))
    return None, ""


def map_error(exc: BaseException, *, during: str) -> Exception:
    """Return the Storyreel error for an SDK/transport exception (pure).

    4xx/5xx answers keep the server's message; 408, 429 and 5xx are retryable, with Retry-After.
    A timeout or unreadable answer to a *submission* is flagged ``maybe_accepted``: the provider may
    have started (and will bill) the job, so the runner must not blindly submit it again. A 401/403
    while *polling* is ``awaiting_credentials``: the job is running and paid for, so it waits.
    """
    code, message = _status_of(exc)
    names = _class_names(exc)
    if code is not None or "APIStatusError" in names or isinstance(exc, genai_errors.APIError):
        auth = code in AUTH_STATUS
        err = ProviderError(redact(f"{message} (HTTP {code}) during {during}"), provider=PROVIDER,
                            retryable=code in RETRYABLE_STATUS or (auth and during == "poll"), status_code=code,
                            retry_after_s=_retry_after(exc), awaiting_credentials=auth and during == "poll")
    elif isinstance(exc, auth_errors.RefreshError) and during == "poll":
        err = ProviderError(redact(f"credentials could not be refreshed during {during}: {exc}"), provider=PROVIDER,
                            retryable=True, awaiting_credentials=True)
    elif "TimeoutException" in names or "APITimeoutError" in names:
        err = ProviderError(f"no answer in time during {during}", provider=PROVIDER, retryable=True)
        err.maybe_accepted = during == "submit"
    elif "TransportError" in names or "APIConnectionError" in names:
        err = ProviderError(redact(f"connection failed during {during}: {exc}"), provider=PROVIDER, retryable=True)
        # A connection that never opened sent nothing; any other transport failure may have.
        err.maybe_accepted = during == "submit" and not ({"ConnectError", "APIConnectionError"} & names
                                                         and "APITimeoutError" not in names)
    elif isinstance(exc, (json.JSONDecodeError, ValueError)):
        err = ProviderError(redact(f"unreadable answer during {during}: {exc}"), provider=PROVIDER, retryable=True)
        err.maybe_accepted = during == "submit"
    else:
        return exc if isinstance(exc, Exception) else RuntimeError(str(exc))
    return err


def vertex_credentials() -> tuple[Any, str]:
    """Return (google-auth credentials, cache tag) for Vertex mode.

    ``GOOGLE_VERTEX_ACCESS_TOKEN`` wins when set (a bare token that cannot refresh); otherwise
    application default credentials (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's ADC file or the
    metadata server), which the SDK refreshes before they expire. Raises MissingCredentials naming
    the token setting when neither is available.
    """
    token = get_setting(setting="GOOGLE_VERTEX_ACCESS_TOKEN")
    if token:
        return Credentials(token=token), "token:" + hashlib.sha256(token.encode()).hexdigest()
    try:
        credentials, _ = google.auth.default(scopes=SCOPES)
    except auth_errors.DefaultCredentialsError as exc:
        raise MissingCredentials(PROVIDER, "GOOGLE_VERTEX_ACCESS_TOKEN") from exc
    return credentials, "adc"


class GoogleAdapter:
    """Adapter for Google GenAI (see module docstring)."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "google-2"
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
        settings = get_settings()
        http = types.HttpOptions(base_url=settings.google_genai_base_url or None, timeout=int(self.timeout_s * 1000))
        if auth == "vertex":
            project = require_setting(provider=PROVIDER, setting="GOOGLE_CLOUD_PROJECT")
            key: tuple = ("vertex", project, settings.google_cloud_location, http.base_url, self.timeout_s,
                          get_setting(setting="GOOGLE_VERTEX_ACCESS_TOKEN") or "adc")
        else:
            secret = require_setting(provider=PROVIDER, setting="GOOGLE_API_KEY")
            key = ("api_key", http.base_url, self.timeout_s, hashlib.sha256(secret.encode()).hexdigest())
        key = tuple(hashlib.sha256(str(k).encode()).hexdigest() for k in key)  # no secret kept in the key
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                if auth == "vertex":
                    credentials, _ = vertex_credentials()
                    # project/location as constructor args: from env alone the SDK would post to the
                    # bare base URL (gateway mode, google.md §5).
                    client = genai.Client(vertexai=True, project=project, location=settings.google_cloud_location,
                                          credentials=credentials, http_options=http)
                else:
                    client = genai.Client(api_key=secret, http_options=http)
                self._clients[key] = client
        return client

    def forget_credentials(self) -> None:
        """Drop cached clients and settings, so the next call reads credentials afresh (a new token
        in the environment or secrets file, or ADC set up meanwhile)."""
        with self._lock:
            self._clients.clear()
        get_settings.cache_clear()

    # --- pure ---------------------------------------------------------------------------------
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the ProviderRequest: SDK method, auth mode and params; files stay paths."""
        method = rq.sdk_method(cap)
        body = {"method": method, "auth": rq.auth_mode(cap),
                "params": {k: v for k, v in params.items() if k not in inputs}}
        return ProviderRequest(provider=PROVIDER, model=cap.model, operation=cap.operation, body=body,
                               files=dict(inputs))

    def parse_result(self, *, payload: dict) -> PollResult:
        """Return the PollResult of a normalised Veo operation or Omni interaction payload.

        ``payload``: ``{"done", "error": {code, message} | None, "videos": [{"data", "uri", "mime"}],
        "rai_filtered_count", "rai_filtered_reasons", "status"}`` (``status`` = cancelled for a
        cancelled interaction). A finished call without videos is a failure naming the reasons.
        """
        if not payload.get("done"):
            return PollResult(status=RUNNING, raw={k: v for k, v in payload.items() if k != "videos"})
        if payload.get("status") == CANCELLED:
            return PollResult(status=CANCELLED, error="cancelled at the provider")
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
            return PollResult(status=FAILED, error=f"the model returned no video ({reasons}).")
        return PollResult(status=SUCCEEDED, outputs=outputs)

    # --- transport ----------------------------------------------------------------------------
    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Send the request. Veo and Omni return an operation/interaction id as ``operation_id``;
        the other calls are synchronous and return outputs. Raises ProviderError / MissingCredentials."""
        check_provider_id(value=request.model, pattern=MODEL_NAME, field="model", provider="Google",
                          what="model name")  # it goes into the URL path
        method, auth, params = request.body["method"], request.body["auth"], request.body["params"]
        client = self._client(auth)
        try:
            if method in (rq.VIDEOS, rq.INTERACTIONS):
                if method == rq.VIDEOS:
                    source, config = rq.video_call(params=params, files=request.files)
                    payload = rq.veo_payload(client.models.generate_videos(model=request.model, source=source,
                                                                             config=config))
                else:
                    payload = rq.interaction_payload(client.interactions.create(
                        model=request.model, **rq.interaction_call(params=params, files=request.files)))
                if payload["done"]:
                    result = self.parse_result(payload=payload)
                    return SubmitResult(operation_id=payload["name"], status=result.status, outputs=result.outputs)
                return SubmitResult(operation_id=payload["name"], status=SUBMITTED)
            if method == rq.CONTENT_IMAGE:
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

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        """Ask where a Veo operation (Vertex ``fetchPredictOperation``) or an Omni interaction
        (``GET interactions/{id}``) stands, from its stored id alone.

        Raises InvalidInput for an id that is not an operation name / interaction id (checked before
        the call), ProviderError; refused credentials come back ``awaiting_credentials`` (the cached
        clients and settings are dropped first, so the next poll reads fresh ones).
        """
        _check_operation_id(request=request, operation_id=operation_id)
        try:
            client = self._client(request.body["auth"])
            if request.body["method"] == rq.INTERACTIONS:
                payload = rq.interaction_payload(client.interactions.get(id=operation_id))
            else:
                payload = rq.veo_payload(client.operations.get(types.GenerateVideosOperation(name=operation_id)))
        except MissingCredentials as exc:
            self.forget_credentials()
            raise ProviderError(f"{exc.message}; the running job waits for credentials", provider=PROVIDER,
                                retryable=True, awaiting_credentials=True) from None
        except Exception as exc:
            err = map_error(exc, during="poll")
            if getattr(err, "awaiting_credentials", False):
                self.forget_credentials()
            raise err from None
        return self.parse_result(payload=payload)

    def download(self, *, output: Output) -> bytes:
        """Return an output's bytes. Vertex and Omni answer inline; a ``gs://`` URI (only with an
        output bucket configured) cannot be fetched without Cloud Storage access."""
        if output.data is not None:
            return output.data
        raise ProviderError(f"output at {output.url} is not inline; Storyreel does not set an output bucket, "
                            "so this should not happen", provider=PROVIDER)

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """Cancel an Omni interaction (``POST interactions/{id}/cancel``). Veo operations cannot be
        cancelled through google-genai: raises UnsupportedCapability."""
        if request.body.get("method") != rq.INTERACTIONS:
            raise UnsupportedCapability("Google Veo operations cannot be cancelled once started; the result will "
                                        "still be stored when it arrives.", field="job")
        _check_operation_id(request=request, operation_id=operation_id)
        try:
            self._client(request.body["auth"]).interactions.cancel(id=operation_id)
        except Exception as exc:
            raise map_error(exc, during="cancel") from None

    # --- the key check (python -m core doctor) ---------------------------------------------------
    def check_credentials(self, *, models: dict[str, tuple[str, ...]]) -> list[KeyCheck]:
        """Return one KeyCheck per configured credential: the API key lists its models
        (``GET models``); Vertex asks for each shipped Vertex model (``GET publishers/google/models/{m}``),
        which also settles the models UPDATE-2026-12 marks uncertain on Vertex.

        ``models`` maps each shipped model id to the settings it needs. Never raises for a refused
        key or an unreachable host: those are the checks' answers.
        """
        probe = GoogleAdapter(timeout_s=min(self.timeout_s, KeyCheck.TIMEOUT_S))  # own, short-timeout clients

        def call(auth: str, fn):
            def run():
                try:
                    found = fn(probe._client(auth))
                except (MissingCredentials, ProviderError):
                    raise
                except Exception as exc:
                    raise map_error(exc, during="key check") from None
                return f"{len(found)} models visible", found, {}
            return run

        checks = []
        if get_setting(setting="GOOGLE_API_KEY"):
            # Google answers a bad API key with 400 INVALID_ARGUMENT (API_KEY_INVALID).
            checks.append(hs.key_check(provider=PROVIDER, setting="GOOGLE_API_KEY", refused=(400, 401, 403), call=call(
                "api_key", lambda c: sorted(m.name.removeprefix("models/") for m in c.models.list() if m.name))))
        if get_setting(setting="GOOGLE_CLOUD_PROJECT"):
            wanted = sorted(m for m, needs in models.items() if "GOOGLE_CLOUD_PROJECT" in needs)
            checks.append(hs.key_check(provider=PROVIDER, setting="GOOGLE_CLOUD_PROJECT", call=call(
                "vertex", lambda c: [m for m in wanted if _vertex_has(c, m)])))
        return checks

    # --- direct helpers used by the story tools ------------------------------------------------
    def generate_json(self, *, model: str, operation: str, params: dict) -> dict:
        """Run a structured-output text operation now and return its JSON object."""
        req = ProviderRequest(provider=PROVIDER, model=model, operation=operation,
                              body={"method": rq.CONTENT_JSON, "auth": "api_key", "params": params})
        out = self.submit(request=req).outputs[0]
        return json.loads(out.data)


def _vertex_has(client: Any, model: str) -> bool:
    """True when Vertex knows ``model`` (``models.get``); False on 404; other errors propagate."""
    try:
        client.models.get(model=model)
    except genai_errors.APIError as exc:
        if exc.code == 404:
            return False
        raise
    return True


ADAPTER = GoogleAdapter()
# UPDATE-2026-12 §5.1: GA on both backends; gemini-2.5-flash was retired.
DEFAULT_TEXT_MODEL = "gemini-3.8-flash"


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
