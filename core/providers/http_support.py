"""Helpers shared by the remote adapters (replicate, elevenlabs, wavespeed).

What lives here: how an HTTP status becomes a retryable or permanent ``ProviderError``, how a
``Retry-After`` header is read, how every message is scrubbed of keys, how capability
parameters and input files are resolved, and a plain httpx download of an output URL.
Nothing here knows a provider's paths or field names — those stay in each adapter.
"""
from __future__ import annotations

import base64
import email.utils
import mimetypes
import time
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlparse

import httpx

from core.credentials import redact
from core.errors import InvalidInput, MissingCredentials, ProviderError
from core.providers.base import InputFile, KeyCheck

# 408/425/429 are "try later"; 5xx are server-side trouble. Everything else in 4xx means the
# request itself is wrong (bad key, unknown model, invalid input) and retrying cannot help.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_retryable_status(status: int | None) -> bool:
    """Return True when an HTTP status says that the same request may succeed later."""
    return status is not None and status in RETRYABLE_STATUSES


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks to wait (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with configured keys and the given ``secrets`` replaced by ``***``."""
    text = redact(str(text))
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def provider_error(
    *,
    provider: str,
    message: str,
    status: int | None = None,
    retry_after_s: float | None = None,
    retryable: bool | None = None,
    secrets: Iterable[str | None] = (),
) -> ProviderError:
    """Build a ProviderError whose message is scrubbed; ``retryable`` defaults from ``status``."""
    if retryable is None:
        retryable = is_retryable_status(status)
    text = scrub(message, secrets)
    if status is not None and str(status) not in text:
        text = f"{text} (HTTP {status})"
    return ProviderError(text, provider=provider, retryable=retryable, status_code=status,
                         retry_after_s=retry_after_s)


def transport_error(*, provider: str, exc: Exception, action: str, idempotent: bool,
                    secrets: Iterable[str | None] = ()) -> ProviderError:
    """Map an httpx transport failure (timeout, refused connection, broken answer) to ProviderError.

    A request that never reached the server (connect failures) is always safe to retry. A
    timeout or broken answer on a non-idempotent call (creating a paid job) is *not* marked
    retryable: the job may exist and be billed already, and re-sending would pay twice.
    """
    never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
    retryable = never_sent or idempotent
    hint = "" if retryable else " — it may have been accepted; not re-sent automatically to avoid paying twice"
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed ({type(exc).__name__})"
    err = provider_error(provider=provider, message=f"{action} {kind}{hint}", retryable=retryable,
                         secrets=secrets)
    err.maybe_accepted = not retryable  # the job engine reconciles such a create, never re-sends it
    return err


def malformed_answer(*, provider: str, action: str, idempotent: bool,
                     secrets: Iterable[str | None] = ()) -> ProviderError:
    """A 2xx answer that is not the documented JSON: retryable only for idempotent calls."""
    hint = "" if idempotent else " — it may have been accepted; not re-sent automatically to avoid paying twice"
    err = provider_error(provider=provider, message=f"{action} returned an answer that is not valid JSON{hint}",
                         retryable=idempotent, secrets=secrets)
    err.maybe_accepted = not idempotent
    return err


def guess_mime(url_or_name: str, *, default: str = "application/octet-stream") -> str:
    """Return the MIME type implied by a URL's or file name's extension, else ``default``."""
    path = urlparse(url_or_name).path if "://" in url_or_name else url_or_name
    mime, _ = mimetypes.guess_type(path)
    return mime or default


def data_uri(*, path: str | Path, mime: str) -> str:
    """Return the file at ``path`` as a ``data:<mime>;base64,…`` URI."""
    payload = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{payload}"


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """Return ``(mime, bytes)`` of a base64 ``data:`` URI; raises ValueError when it is not one."""
    head, _, payload = uri.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise ValueError("not a base64 data URI")
    return head[5:-7] or "application/octet-stream", base64.b64decode(payload)


def as_input_files(value: Any, *, field: str) -> InputFile | list[InputFile]:
    """Normalise one input value (InputFile, ``{"path", "mime"}`` dict, path, or a list of them).

    Returns an InputFile or a list of them. Raises InvalidInput naming ``field`` when a file is
    missing — better here than as a confusing provider error after an upload.
    """
    if isinstance(value, (list, tuple)):
        return [as_input_files(v, field=field) for v in value]  # type: ignore[misc]
    if isinstance(value, InputFile):
        f = value
    elif isinstance(value, dict) and "path" in value:
        f = InputFile(path=str(value["path"]), mime=value.get("mime") or guess_mime(str(value["path"])),
                      media_id=value.get("media_id"))
    elif isinstance(value, (str, Path)):
        f = InputFile(path=str(value), mime=guess_mime(str(value)))
    else:
        raise InvalidInput(f"{field}: expected a file, got {type(value).__name__}", field=field)
    if not Path(f.path).is_file():
        raise InvalidInput(f"{field}: input file not found: {Path(f.path).name}", field=field)
    return f


def schema_properties(schema: dict | None) -> dict[str, dict] | None:
    """Return the input properties of a capability schema (plain JSON Schema or a Cog
    ``openapi_schema``), or None when the schema does not list them."""
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("properties"), dict):
        return schema["properties"]
    inp = (((schema.get("components") or {}).get("schemas") or {}).get("Input") or {})
    props = inp.get("properties")
    return props if isinstance(props, dict) else None


def param_for(cap: Any, key: str) -> str:
    """Return the provider parameter for ``key``: itself when it is a parameter, else the
    parameter that plays role ``key`` in the capability (``cap.roles``)."""
    props = schema_properties(getattr(cap, "input_schema", None)) or {}
    if key in props:
        return key
    roles = getattr(cap, "roles", None) or {}
    return roles.get(key) or key


def check_known(*, cap: Any, names: Iterable[str], allowed_extra: Iterable[str] = ()) -> None:
    """Raise InvalidInput naming every parameter the capability's schema does not declare.

    An undeclared field is never sent: the provider would reject it (or, worse, ignore it).
    When the schema lists no properties, nothing can be checked here and all names pass.
    """
    props = schema_properties(getattr(cap, "input_schema", None))
    if props is None:
        return
    known = set(props) | set(allowed_extra)
    unknown = sorted(n for n in names if n not in known)
    if unknown:
        raise InvalidInput(f"{getattr(cap, 'model', '?')} does not take {', '.join(unknown)}", field=unknown[0])


def download(*, provider: str, url: str, headers: dict[str, str] | None = None, timeout_s: float = 60.0,
             secrets: Iterable[str | None] = ()) -> bytes:
    """GET ``url`` and return its bytes.

    Raises ProviderError: retryable for 429/5xx/transport trouble; permanent for 403/404/410
    (an expired or forbidden output link will not come back by retrying).
    """
    try:
        resp = httpx.get(url, headers=headers or {}, timeout=timeout_s, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise transport_error(provider=provider, exc=exc, action="output download", idempotent=True,
                              secrets=secrets) from None
    if resp.status_code >= 400:
        raise provider_error(provider=provider, status=resp.status_code,
                             message=f"output download refused: {resp.text[:200] or resp.reason_phrase}",
                             retry_after_s=parse_retry_after(resp.headers.get("Retry-After")), secrets=secrets)
    return resp.content


def key_check(*, provider: str, setting: str, call: Callable[[], tuple[str, list[str] | None, dict]],
              refused: Iterable[int] = (401, 403)) -> KeyCheck:
    """Run one cheap authenticated call and classify its outcome (``python -m core doctor``).

    ``call`` returns ``(detail, models, facts)`` (see :class:`KeyCheck`) or raises the adapter's
    errors: a ProviderError with a status in ``refused`` (or MissingCredentials) is "key refused",
    one without a status (no connection, timeout) is "unreachable", anything else "error". Returns
    the KeyCheck; never raises for those. Messages are scrubbed of keys.
    """
    try:
        detail, models, facts = call()
    except MissingCredentials as exc:
        return KeyCheck(provider=provider, setting=setting, status=KeyCheck.REFUSED, detail=scrub(exc.message))
    except ProviderError as exc:
        if exc.status_code in set(refused):
            status = KeyCheck.REFUSED
        elif exc.status_code is None and not str(exc.message).count("not valid JSON"):
            status = KeyCheck.UNREACHABLE
        else:
            status = KeyCheck.ERROR
        return KeyCheck(provider=provider, setting=setting, status=status, detail=scrub(exc.message))
    return KeyCheck(provider=provider, setting=setting, status=KeyCheck.OK, detail=scrub(detail), models=models,
                    facts=facts or {})
