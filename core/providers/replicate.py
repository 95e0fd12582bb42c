"""Replicate adapter: predictions through the official ``replicate`` client (1.0.x).

Facts followed (../shared/provider_docs/replicate.md):
- ``client.run()`` may hand back an unfinished prediction, so jobs use ``predictions.create``
  (no ``Prefer: wait``) and poll ``GET /v1/predictions/{id}`` themselves.
- Official models: ``POST /v1/models/{owner}/{name}/predictions`` with ``{"input"}``; community
  models: ``POST /v1/predictions`` with ``{"version", "input"}``. Which one is data: a version in
  the capability (``cap.version`` or ``owner/name:version`` as the model) selects the version path.
- Terminal statuses: succeeded, failed, canceled, **aborted** — the 1.0.x client's pydantic model
  rejects ``aborted``, so that one answer is re-read raw and parsed here.
- File inputs: a data URI up to 256 KB (the API spec's guidance), the files API above that.
- Errors are problem JSON (``title``, ``detail``); POSTs are never retried by the client, GETs
  are (429/503/504), so a poll rarely sees those.
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Iterator

import httpx
import replicate
from pydantic.v1 import ValidationError as PydanticV1ValidationError
from replicate.exceptions import ReplicateError

from core.credentials import get_setting, require_setting
from core.errors import InvalidInput, ProviderError
import core.providers.http_support as hs
from core.providers.base import (
    CANCELLED, FAILED, RUNNING, SUBMITTED, SUCCEEDED, InputFile, KeyCheck, Output, PollResult,
    ProviderRequest, Reconciled, SubmitResult, check_provider_id,
)
from core.settings import get_settings

log = logging.getLogger(__name__)

PROVIDER = "replicate"
SETTING = "REPLICATE_API_TOKEN"
# replicate.md §1 "File inputs": data URL for ≤256 KB one-off files, HTTP URL (files API) above.
DATA_URI_MAX_BYTES = 256 * 1024

_STATUS = {
    "starting": SUBMITTED, "processing": RUNNING, "succeeded": SUCCEEDED,
    "failed": FAILED, "canceled": CANCELLED, "aborted": FAILED,
}
# Ids that go into API paths (/v1/models/{owner}/{name}/…, /v1/predictions/{id}): checked before any call.
_MODEL_REF = re.compile(r"^(?P<owner>[A-Za-z0-9][A-Za-z0-9_.-]{0,99})/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,99})"
                        r"(?::(?P<version>[0-9A-Za-z]{1,128}))?$")
PREDICTION_ID = re.compile(r"[A-Za-z0-9]{1,64}")
# The top-level keys a prediction create accepts (additionalProperties: false in the API spec).
_BODY_KEYS = ("input", "version")
_PERCENT = re.compile(r"(\d{1,3})%\|")
# Reconciling a lost create (UPDATE-2026-12 §3.1 "Crash recovery"): how far back the prediction list
# is read, the clock skew allowed between us and Replicate, and how long a create may still land.
RECONCILE_PAGES = 5
CLOCK_SKEW_S = 120.0


def split_model_ref(ref: str) -> tuple[str, str, str | None]:
    """Return ``(owner, name, version_or_None)`` of ``owner/name[:version]``; raises InvalidInput."""
    m = _MODEL_REF.match(ref or "")
    if not m:
        raise InvalidInput("not a Replicate model reference (owner/name[:version]; letters, digits, '_', '.', '-')",
                           field="model")
    return m["owner"], m["name"], m["version"]


def _check_prediction_id(value: str) -> None:
    check_provider_id(value=value, pattern=PREDICTION_ID, field="operation_id", provider="Replicate",
                      what="prediction id")


def _progress(logs: Any) -> float | None:
    """Return the last tqdm percentage printed in a prediction's logs, as 0..1 (None if none)."""
    found = _PERCENT.findall(logs) if isinstance(logs, str) else []
    return min(1.0, int(found[-1]) / 100) if found else None


def _parse_time(value: Any) -> datetime | None:
    """Return an ISO-8601 timestamp (``Z`` or offset) as an aware datetime, None when unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _outputs(value: Any) -> list[Output]:
    """Collect every file URL (or data URI) in a prediction's ``output``, in order."""
    if isinstance(value, str):
        if value.startswith("data:"):
            mime, data = hs.decode_data_uri(value)
            return [Output(mime=mime, data=data)]
        if value.startswith(("http://", "https://")):
            return [Output(mime=hs.guess_mime(value), url=value)]
        return []
    if isinstance(value, list):
        return [o for v in value for o in _outputs(v)]
    if isinstance(value, dict):
        return [o for v in value.values() for o in _outputs(v)]
    return []


class _DefaultTimeoutTransport(httpx.BaseTransport):
    """Gives every request a timeout when the client sent it with none.

    replicate 1.0.x creates predictions (without ``wait``) and uploads files with
    ``timeout=None``, which in httpx means *no timeout at all*: a hung create would block a
    worker forever. Per-request timeouts arrive as ``request.extensions["timeout"]``.
    """

    def __init__(self, timeout: httpx.Timeout):
        self._inner = httpx.HTTPTransport()
        self._timeout = timeout.as_dict()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        given = request.extensions.get("timeout") or {}
        if not any(v is not None for v in given.values()):
            request.extensions["timeout"] = self._timeout
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class ReplicateAdapter:
    """Adapter for any Replicate model; the capability's schema says what the model takes."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "1"
    credential_settings: ClassVar[tuple[str, ...]] = (SETTING,)

    def __init__(self, *, timeout_s: float = 30.0, api_token: str | None = None,
                 data_uri_max_bytes: int = DATA_URI_MAX_BYTES):
        self.timeout_s = timeout_s
        self._explicit_token = api_token
        self.data_uri_max_bytes = data_uri_max_bytes

    # ---- pure -------------------------------------------------------------------------------
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the prediction request: ``body = {"input": {...}}`` plus ``"version"`` when the
        capability names one. Files stay as paths in ``files`` until ``submit``.

        Raises InvalidInput for a bad model reference or a parameter the schema does not declare.
        """
        owner, name, ref_version = split_model_ref(cap.model)
        version = getattr(cap, "version", None) or ref_version
        input_: dict[str, Any] = {}
        for key, value in (params or {}).items():
            if value is not None:
                input_[hs.param_for(cap, key)] = value
        files: dict[str, Any] = {}
        for key, value in (inputs or {}).items():
            if value is None or value == []:
                continue
            param = hs.param_for(cap, key)
            files[param] = hs.as_input_files(value, field=param)
            input_.pop(param, None)
        hs.check_known(cap=cap, names=[*input_, *files])
        body: dict[str, Any] = {"input": input_}
        if version:
            body["version"] = version
        return ProviderRequest(provider=PROVIDER, model=f"{owner}/{name}", operation=cap.operation,
                               body=body, files=files)

    def parse_result(self, *, payload: dict) -> PollResult:
        """Return the PollResult of a prediction object (any status, including ``aborted``)."""
        raw_status = payload.get("status")
        status = _STATUS.get(raw_status)
        if status is None:
            return PollResult(status=FAILED, error=f"unknown prediction status {raw_status!r}", raw=payload)
        error = None
        if raw_status == "failed":
            error = str(payload.get("error") or "prediction failed")
        elif raw_status == "aborted":
            error = "prediction aborted: its deadline passed before it started (not billed)"
        outputs = _outputs(payload.get("output")) if status == SUCCEEDED else []
        if status == SUCCEEDED and not outputs:
            removed = " (data_removed: outputs are deleted about an hour after creation)" if payload.get("data_removed") else ""
            return PollResult(status=FAILED, error=f"prediction succeeded without a file output{removed}", raw=payload)
        return PollResult(
            status=status, outputs=outputs, error=error,
            # aborted never ran and is not billed: running it again is safe.
            retryable=raw_status == "aborted",
            progress=1.0 if status == SUCCEEDED else _progress(payload.get("logs")), raw=payload,
        )

    # ---- transport --------------------------------------------------------------------------
    def _token(self) -> str:
        return require_setting(provider=PROVIDER, setting=SETTING, explicit=self._explicit_token)

    @contextmanager
    def _session(self) -> Iterator[tuple[replicate.Client, str, dict]]:
        """Yield ``(client, token, seen)`` for one operation and close its connections after.

        ``seen`` receives the last response's ``Retry-After``: ReplicateError keeps no headers.
        """
        token, seen = self._token(), {}

        def remember(response: httpx.Response) -> None:
            seen["retry_after"] = response.headers.get("Retry-After")

        timeout = httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s))
        transport = _DefaultTimeoutTransport(timeout)
        client = replicate.Client(api_token=token, base_url=get_settings().replicate_base_url or None,
                                  timeout=timeout, transport=transport, event_hooks={"response": [remember]})
        try:
            yield client, token, seen
        finally:
            transport.close()

    def _call(self, fn, *, action: str, idempotent: bool, token: str, seen: dict):
        """Run one client call and map every failure to ProviderError (messages scrubbed)."""
        try:
            return fn()
        except ReplicateError as exc:
            message = exc.detail or exc.title or "request failed"
            raise hs.provider_error(provider=PROVIDER, message=f"{action}: {message}", status=exc.status,
                                    retry_after_s=hs.parse_retry_after(seen.get("retry_after")),
                                    secrets=[token]) from None
        except httpx.HTTPError as exc:
            raise hs.transport_error(provider=PROVIDER, exc=exc, action=action, idempotent=idempotent,
                                     secrets=[token]) from None
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            if isinstance(exc, PydanticV1ValidationError):
                raise
            raise hs.malformed_answer(provider=PROVIDER, action=action, idempotent=idempotent,
                                      secrets=[token]) from None

    def _file_value(self, client: replicate.Client, f: InputFile, *, token: str, seen: dict) -> str:
        if f.p.stat().st_size <= self.data_uri_max_bytes:
            return hs.data_uri(path=f.p, mime=f.mime)
        uploaded = self._call(lambda: client.files.create(f.p, content_type=f.mime),
                              action="file upload", idempotent=True, token=token, seen=seen)
        return uploaded.urls["get"]

    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Create the prediction; returns its id and normalised status.

        Raises MissingCredentials without a token, ProviderError on any API or transport failure.
        """
        split_model_ref(request.model)  # the model goes into the URL path: checked before any call
        with self._session() as (client, token, seen):
            input_ = dict(request.body.get("input") or {})
            for param, value in request.files.items():
                files = [InputFile(**v) if isinstance(v, dict) else v for v in (value if isinstance(value, list) else [value])]
                urls = [self._file_value(client, f, token=token, seen=seen) for f in files]
                input_[param] = urls if isinstance(value, list) else urls[0]
            version = request.body.get("version")
            if version:
                create = lambda: client.predictions.create(version=version, input=input_)  # noqa: E731
            else:
                create = lambda: client.models.predictions.create(model=request.model, input=input_)  # noqa: E731
            try:
                prediction = self._call(create, action="prediction create", idempotent=False, token=token, seen=seen)
            except PydanticV1ValidationError:
                raise hs.provider_error(provider=PROVIDER, message="prediction create: unexpected prediction object",
                                        retryable=False, secrets=[token]) from None
        result = self.parse_result(payload=prediction.dict())
        log.info("replicate prediction %s created for %s (%s)", prediction.id, request.model, prediction.status)
        return SubmitResult(operation_id=prediction.id, status=result.status, outputs=result.outputs,
                            raw={"id": prediction.id, "status": prediction.status})

    def reconcile(self, *, request: ProviderRequest, submitted_at: datetime, taken_ids: set[str]) -> Reconciled:
        """Find the prediction a create whose answer was lost started: ``GET /v1/predictions``
        (newest first), the same model created since ``submitted_at`` (minus clock skew) with the
        same plain (non-file) inputs, not owned by another job (``taken_ids``).

        Returns ``found`` with its id; ``pending`` while the create could still arrive (within the
        request timeout); ``unknown`` after that (Replicate may have dropped or hidden it: the user
        decides). Raises ProviderError when the list cannot be read (the caller tries again later).
        """
        since = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=timezone.utc)
        plain = {k: v for k, v in (request.body.get("input") or {}).items() if k not in request.files}
        with self._session() as (client, token, seen):
            cursor: Any = ...
            for _ in range(RECONCILE_PAGES):
                page = self._call(lambda: client._request("GET", "/v1/predictions" if cursor is ... else cursor).json(),
                                  action="prediction list", idempotent=True, token=token, seen=seen)
                older = False
                for p in page.get("results") or []:
                    created = _parse_time(p.get("created_at"))
                    if created is not None and created < since - timedelta(seconds=CLOCK_SKEW_S):
                        older = True
                        continue
                    if p.get("id") in taken_ids or p.get("model") != request.model:
                        continue
                    got = p.get("input") or {}
                    if all(got.get(k) == v for k, v in plain.items()) and set(request.files) <= set(got):
                        return Reconciled(outcome="found", operation_id=p["id"])
                cursor = page.get("next")
                if older or not cursor:
                    break
        waited = (datetime.now(timezone.utc) - since).total_seconds()
        if waited < self.timeout_s + 5:
            return Reconciled(outcome="pending", message="the create request may still arrive")
        return Reconciled(outcome="unknown", message="no matching prediction in Replicate's list")

    def _prediction_json(self, *, operation_id: str, action: str, call) -> dict:
        with self._session() as (client, token, seen):
            try:
                return self._call(lambda: call(client).dict(), action=action, idempotent=True, token=token, seen=seen)
            except PydanticV1ValidationError:
                # 1.0.x cannot parse newer statuses (``aborted``): read the same object raw.
                resp = self._call(lambda: client._request("GET", f"/v1/predictions/{operation_id}"),
                                  action=action, idempotent=True, token=token, seen=seen)
                return self._call(resp.json, action=action, idempotent=True, token=token, seen=seen)

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        """Return where the prediction stands (``GET /v1/predictions/{id}``); raises ProviderError,
        InvalidInput for an id that is not a prediction id."""
        _check_prediction_id(operation_id)
        payload = self._prediction_json(operation_id=operation_id, action="prediction poll",
                                        call=lambda c: c.predictions.get(operation_id))
        return self.parse_result(payload=payload)

    def check_credentials(self, *, models: dict[str, tuple[str, ...]]) -> list[KeyCheck]:
        """The key check: ``GET /v1/account`` (creates nothing). Returns [] without a token; never
        raises for a refused token or an unreachable host (python -m core doctor)."""
        if not (self._explicit_token or get_setting(setting=SETTING)):
            return []

        def run():
            with self._session() as (client, token, seen):
                account = self._call(client.accounts.current, action="key check", idempotent=True, token=token,
                                     seen=seen)
            return f"account {account.username}", None, {}

        return [hs.key_check(provider=PROVIDER, setting=SETTING, call=run)]

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """Cancel the prediction (``POST /v1/predictions/{id}/cancel``); raises ProviderError."""
        _check_prediction_id(operation_id)
        self._prediction_json(operation_id=operation_id, action="prediction cancel",
                              call=lambda c: c.predictions.cancel(operation_id))

    def download(self, *, output: Output) -> bytes:
        """Return the bytes of one output (inline data, or the URL fetched with httpx).

        The token is sent only to Replicate's own hosts (outputs there may need it), never to
        a third-party URL. Raises ProviderError (403/404 permanent, 429/5xx retryable).
        """
        if output.data is not None:
            return output.data
        if not output.url:
            raise ProviderError("output has neither data nor url", provider=PROVIDER)
        headers = {}
        host = httpx.URL(output.url).host
        base_host = httpx.URL(get_settings().replicate_base_url or "https://api.replicate.com").host
        token = None
        if host == base_host or host == "replicate.delivery" or host.endswith(".replicate.delivery"):
            token = self._token()
            headers["Authorization"] = f"Bearer {token}"
        return hs.download(provider=PROVIDER, url=output.url, headers=headers, timeout_s=self.timeout_s,
                           secrets=[token])

    def get_json(self, *, path: str, action: str, params: dict | None = None) -> Any:
        """Return the JSON of one catalogue read (``GET /v1/...``: model, version, search, collections).

        Raises MissingCredentials without a token, ProviderError (404 for an unknown model,
        not retryable; 429/5xx retryable) on any API or transport failure.
        """
        with self._session() as (client, token, seen):
            resp = self._call(lambda: client._request("GET", path, params=params or None), action=action,
                              idempotent=True, token=token, seen=seen)
            return self._call(resp.json, action=action, idempotent=True, token=token, seen=seen)

    def query_models(self, *, query: str) -> Any:
        """Return the JSON page of the older model search (``QUERY /v1/models``, plain-text body),
        what the 1.0.x client's ``models.search`` sends. Raises MissingCredentials, ProviderError."""
        with self._session() as (client, token, seen):
            resp = self._call(lambda: client._request("QUERY", "/v1/models", content=query,
                                                      headers={"Content-Type": "text/plain"}),
                              action="model search", idempotent=True, token=token, seen=seen)
            return self._call(resp.json, action="model search", idempotent=True, token=token, seen=seen)

    def fetch_model_schema(self, *, owner: str, name: str) -> dict:
        """Return ``latest_version.openapi_schema`` of ``GET /v1/models/{owner}/{name}``.

        Raises MissingCredentials, ProviderError (404 for an unknown model, not retryable).
        """
        with self._session() as (client, token, seen):
            model = self._call(lambda: client.models.get(f"{owner}/{name}"), action="model get",
                               idempotent=True, token=token, seen=seen)
        if model.latest_version is None or not model.latest_version.openapi_schema:
            raise ProviderError(f"{owner}/{name} has no published version with a schema", provider=PROVIDER,
                                status_code=404)
        return model.latest_version.openapi_schema


ADAPTER = ReplicateAdapter()


def fetch_model_schema(*, owner: str, name: str) -> dict:
    """Module-level shortcut for the registry: ``ADAPTER.fetch_model_schema``."""
    return ADAPTER.fetch_model_schema(owner=owner, name=name)
