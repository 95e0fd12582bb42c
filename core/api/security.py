"""Who may call the API and how much they may send.

- With ``STORYREEL_AUTH=on`` every route needs a user (``core.api.auth``: a user's API token or
  ``STORYREEL_API_TOKEN`` as admin; 401 without, 403 when the role may not), from any address.
- Otherwise, with ``STORYREEL_API_TOKEN`` set, every request needs ``Authorization: Bearer <token>``
  (compared in constant time). Without it the API is for this machine only: ``serve`` binds to
  loopback, and a request arriving from a non-loopback address is refused even if the app was
  started some other way (``uvicorn core.api:app --host 0.0.0.0``).
- Request bodies are limited (``STORYREEL_MAX_UPLOAD_MB``, default 50) before they are parsed.
- Ids that reach the filesystem or the database are plain tokens (letters, digits, ``_``, ``-``).
"""
from __future__ import annotations

import hmac
import ipaddress
import os

from starlette.types import Message, Receive, Scope, Send

from core.accounts.identity import acting_as
from core.accounts.service import auth_enabled
from core.api.auth import authorize, is_open
from core.api.errors import HttpMiddleware, Unauthorized, UploadTooLarge, error_response
from core.credentials import get_setting
from core.errors import StoryreelError
from core.settings import get_settings

DEFAULT_MAX_UPLOAD_MB = 50.0
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def api_token() -> str | None:
    """Return the configured bearer token, or None when the API is loopback-only."""
    return get_setting(setting="STORYREEL_API_TOKEN")


def max_upload_bytes() -> int:
    """Return the request/upload size limit in bytes (setting ``STORYREEL_MAX_UPLOAD_MB``, default 50)."""
    value = getattr(get_settings(), "storyreel_max_upload_mb", None) or os.environ.get("STORYREEL_MAX_UPLOAD_MB")
    try:
        mb = float(value) if value not in (None, "") else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return max(1, int(mb * 1024 * 1024))


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind_host(*, host: str) -> None:
    """Raise Unauthorized when ``host`` is not loopback and neither sign-in nor an API token is configured."""
    if not is_loopback_host(host) and not api_token() and not auth_enabled():
        raise Unauthorized(
            f"Refusing to serve on {host}: without STORYREEL_API_TOKEN the API listens on 127.0.0.1 only. "
            "Set STORYREEL_API_TOKEN to serve other interfaces.", setting="STORYREEL_API_TOKEN")


def token_matches(*, header: str | None, token: str) -> bool:
    """True when an ``Authorization`` header carries exactly ``Bearer <token>`` (constant-time compare)."""
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def _client_is_remote(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    try:
        return not ipaddress.ip_address(client[0]).is_loopback
    except ValueError:  # not an IP (in-process test clients): not a network peer
        return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class SecurityMiddleware(HttpMiddleware):
    """Token check, loopback-only default and body size limit, before any route runs."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = api_token()
        limit = max_upload_bytes()
        if auth_enabled():
            await self._signed_in(scope, receive, send, token=token, limit=limit)
            return
        if token and not is_open(method=scope.get("method", "GET").upper(), path=scope.get("path", "")):
            if not token_matches(header=_header(scope, b"authorization"), token=token):
                await error_response(Unauthorized(
                    "Missing or wrong bearer token: send 'Authorization: Bearer <STORYREEL_API_TOKEN>'.",
                    setting="STORYREEL_API_TOKEN"))(scope, receive, send)
                return
        elif _client_is_remote(scope):
            await error_response(Unauthorized(
                "This API serves loopback clients only; set STORYREEL_API_TOKEN to allow other hosts.",
                setting="STORYREEL_API_TOKEN"))(scope, receive, send)
            return
        if await self._declared_too_large(scope, receive, send, limit=limit):
            return
        await self.app(scope, _limited_receive(receive, limit), send)

    async def _declared_too_large(self, scope: Scope, receive: Receive, send: Send, *, limit: int) -> bool:
        """Answer 413 and return True when the declared Content-Length is over ``limit``."""
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await error_response(_too_large(limit))(scope, receive, send)
            return True
        return False

    async def _signed_in(self, scope: Scope, receive: Receive, send: Send, *, token: str | None, limit: int) -> None:
        """Sign-in mode: identify the caller, check the role, then run the route as that user."""
        if await self._declared_too_large(scope, receive, send, limit=limit):
            return
        try:
            verdict = await authorize(method=scope.get("method", "GET").upper(), path=scope.get("path", ""),
                                      header=_header(scope, b"authorization"),
                                      content_type=_header(scope, b"content-type") or "", admin_token=token,
                                      receive=_limited_receive(receive, limit))
        except StoryreelError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = verdict.user
        with acting_as(name=verdict.user):
            await self.app(scope, verdict.receive, send)


def _too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(f"The request body is larger than the limit of {limit // (1024 * 1024)} MB "
                          "(setting STORYREEL_MAX_UPLOAD_MB).", field="body", setting="STORYREEL_MAX_UPLOAD_MB")


def _limited_receive(receive: Receive, limit: int) -> Receive:
    """Wrap ``receive`` so a streamed body (no or false Content-Length) cannot exceed ``limit``."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return wrapped
