"""Who may call the API and how much they may send (the exposure rules of README and docs/api.md).

Checked before any route runs, in this order:

1. **Host** — the ``Host`` header must name a host in ``STORYREEL_ALLOWED_HOSTS`` (default: the
   loopback names ``localhost``, ``127.0.0.1``, ``::1``), so a web page whose name resolves to
   127.0.0.1 (DNS rebinding) is refused. 400 ``host_not_allowed``.
2. **Cross-site** — a state-changing request (POST, PUT, PATCH, DELETE) whose ``Sec-Fetch-Site``
   says ``cross-site`` or whose ``Origin`` names a host that is not allowed is refused, so a web page
   cannot make the browser run paid jobs here. 403 ``cross_site_request``.
3. **Who is calling** — the peer address, or, only when the peer is one of
   ``STORYREEL_TRUSTED_PROXIES``, the client its ``Forwarded``/``X-Forwarded-For`` names. A request
   with no IP address (a unix socket, an odd proxy value) or with forwarded headers from a proxy that
   is not trusted counts as remote; IPv4-mapped loopback (``::ffff:127.0.0.1``) is loopback.
4. **Who may** — with ``STORYREEL_AUTH=on`` every route needs a user (``core.api.auth``: a user's API
   token or ``STORYREEL_API_TOKEN`` as admin; 401 without, 403 when the role may not), from any
   address. Otherwise, with ``STORYREEL_API_TOKEN`` set, every request needs ``Authorization: Bearer
   <token>`` (constant-time compare); without it only loopback clients are served. 401 ``unauthorized``.
5. **Size** — request bodies are limited (``STORYREEL_MAX_UPLOAD_MB``, default 50) before they are
   parsed, declared or streamed. 413 ``upload_too_large``.

Ids that reach the filesystem or the database are plain tokens (letters, digits, ``_``, ``-``).
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
from core.settings import LOOPBACK_NAMES, get_settings, is_loopback_host, loopback_ip

DEFAULT_MAX_UPLOAD_MB = 50.0
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
LOOPBACK_HOSTS = LOOPBACK_NAMES
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORWARDED = (b"forwarded", b"x-forwarded-for", b"x-real-ip")


class HostNotAllowed(StoryreelError):
    """The Host header names a host this API does not answer to (400)."""

    code = "host_not_allowed"
    http_status = 400


class CrossSiteRequest(StoryreelError):
    """A state-changing request sent by a page of another site (403)."""

    code = "cross_site_request"
    http_status = 403


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


def check_bind_host(*, host: str) -> None:
    """Raise Unauthorized when ``host`` is not loopback and neither sign-in nor an API token is configured."""
    if not is_loopback_host(host) and not api_token() and not auth_enabled():
        raise Unauthorized(
            f"Refusing to serve on {host}: without STORYREEL_API_TOKEN the API listens on 127.0.0.1 only. "
            "Set STORYREEL_API_TOKEN to serve other interfaces (and STORYREEL_ALLOWED_HOSTS to the names "
            "clients use).", setting="STORYREEL_API_TOKEN")


def token_matches(*, header: str | None, token: str) -> bool:
    """True when an ``Authorization`` header carries exactly ``Bearer <token>`` (constant-time compare)."""
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


# --- hosts and origins -----------------------------------------------------------------------------

def _split(value: str | None) -> list[str]:
    return [part.strip().lower() for part in (value or "").split(",") if part.strip()]


def allowed_hosts() -> list[str]:
    """Return the host patterns of ``STORYREEL_ALLOWED_HOSTS`` (default: the loopback names)."""
    return _split(get_settings().storyreel_allowed_hosts) or list(LOOPBACK_NAMES)


def host_name(value: str) -> str:
    """Return the host part of a ``Host`` header or URL authority (port and IPv6 brackets dropped)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_allowed(host: str) -> bool:
    """True when ``host`` (a bare name or address) matches ``STORYREEL_ALLOWED_HOSTS``."""
    if not host:
        return False
    for pattern in allowed_hosts():
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith(".") and (host == pattern[1:] or host.endswith(pattern)):
            return True
    return False


def _origin_host(origin: str) -> str:
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https"):
        return ""
    return host_name(rest.split("/", 1)[0])


def check_host_and_origin(*, method: str, host: str | None, origin: str | None, fetch_site: str | None) -> None:
    """Raise HostNotAllowed for a Host outside ``STORYREEL_ALLOWED_HOSTS`` and CrossSiteRequest for a
    state-changing request another site's page sent (Sec-Fetch-Site ``cross-site``, or an Origin
    whose host is not allowed, including ``null``)."""
    name = host_name(host or "")
    if not host_allowed(name):
        shown = name[:80] if name.isprintable() else "(unreadable)"
        raise HostNotAllowed(
            f"Host {shown!r} is not one this API answers to; add it to STORYREEL_ALLOWED_HOSTS "
            "(comma-separated) to serve it.", field="Host", setting="STORYREEL_ALLOWED_HOSTS")
    if method.upper() not in STATE_CHANGING:
        return
    if (fetch_site or "").strip().lower() == "cross-site":
        raise CrossSiteRequest("Refused: a page of another site sent this request (Sec-Fetch-Site: cross-site).",
                               field="Sec-Fetch-Site")
    if origin is not None and not host_allowed(_origin_host(origin)):
        raise CrossSiteRequest("Refused: the request's Origin is not an allowed host "
                               "(STORYREEL_ALLOWED_HOSTS).", field="Origin", setting="STORYREEL_ALLOWED_HOSTS")


# --- the calling client ----------------------------------------------------------------------------

def _networks(value: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets = []
    for part in _split(value):
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue  # a typo trusts nothing rather than everything
    return nets


def _as_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip


def _trusted(ip, nets) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in nets)


def _forwarded_chain(headers: dict[bytes, str]) -> list[str]:
    """Addresses the forwarding headers list, client first (``Forwarded: for=``, else X-Forwarded-For)."""
    if b"forwarded" in headers:
        chain = []
        for element in headers[b"forwarded"].split(","):
            pairs = dict(p.strip().split("=", 1) for p in element.split(";") if "=" in p)
            chain.append({k.lower(): v for k, v in pairs.items()}.get("for", ""))
        return chain
    if b"x-forwarded-for" in headers:
        return [p for p in headers[b"x-forwarded-for"].split(",")]
    return [headers.get(b"x-real-ip", "")]


def client_address(*, peer: str | None, headers: dict[bytes, str]) -> str | None:
    """Return the calling client's IP address, or None when it has none a rule could trust.

    Forwarding headers are believed only from a peer in ``STORYREEL_TRUSTED_PROXIES``; then the
    client is the right-most listed address that is not itself a trusted proxy (an entry that is no
    IP address makes the client unknown). Forwarding headers
    from any other peer make the client unknown (None): a proxy nobody configured stands in front.
    """
    peer_ip = _as_ip(peer) if peer else None
    forwarded = any(name in headers for name in _FORWARDED)
    if peer_ip is None:
        return None
    if not forwarded:
        return str(peer_ip)
    nets = _networks(get_settings().storyreel_trusted_proxies)
    if not _trusted(peer_ip, nets):
        return None
    chain = [_as_ip(entry) for entry in _forwarded_chain(headers)]
    if not chain or any(ip is None for ip in chain):
        return None
    for ip in reversed(chain):
        if not _trusted(ip, nets):
            return str(ip)
    return str(chain[0])  # every hop is a trusted proxy: the first one is the client


def client_is_loopback(scope: Scope) -> bool:
    """True when the request comes from this machine (see :func:`client_address`)."""
    client = scope.get("client")
    headers = _headers(scope)
    address = client_address(peer=str(client[0]) if client else None, headers=headers)
    return address is not None and loopback_ip(address)


def _headers(scope: Scope) -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    for key, value in scope.get("headers") or []:
        name = key.lower()
        text = value.decode("latin-1")
        found[name] = f"{found[name]},{text}" if name in found else text
    return found


class SecurityMiddleware(HttpMiddleware):
    """Host, cross-site, sign-in / token / loopback-only and body size checks, before any route runs."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        limit = max_upload_bytes()
        try:
            check_host_and_origin(method=scope.get("method", "GET"), host=headers.get(b"host"),
                                  origin=headers.get(b"origin"), fetch_site=headers.get(b"sec-fetch-site"))
            if not auth_enabled():
                self._check_caller(scope, headers)
        except StoryreelError as exc:
            await error_response(exc)(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await error_response(_too_large(limit))(scope, receive, send)
            return
        if auth_enabled():
            await self._signed_in(scope, receive, send, headers=headers, limit=limit)
            return
        await self.app(scope, _limited_receive(receive, limit), send)

    async def _signed_in(self, scope: Scope, receive: Receive, send: Send, *, headers: dict[bytes, str],
                         limit: int) -> None:
        """Sign-in mode: identify the caller, check the role, then run the route as that user."""
        try:
            verdict = await authorize(method=scope.get("method", "GET").upper(), path=scope.get("path", ""),
                                      header=headers.get(b"authorization"),
                                      content_type=headers.get(b"content-type") or "", admin_token=api_token(),
                                      receive=_limited_receive(receive, limit))
        except StoryreelError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = verdict.user
        with acting_as(name=verdict.user):
            await self.app(scope, verdict.receive, send)

    @staticmethod
    def _check_caller(scope: Scope, headers: dict[bytes, str]) -> None:
        token = api_token()
        if token and not is_open(method=scope.get("method", "GET").upper(), path=scope.get("path", "")):
            if not token_matches(header=headers.get(b"authorization"), token=token):
                raise Unauthorized("Missing or wrong bearer token: send 'Authorization: Bearer "
                                   "<STORYREEL_API_TOKEN>'.", setting="STORYREEL_API_TOKEN")
        elif not client_is_loopback(scope):
            raise Unauthorized("This API serves loopback clients only; set STORYREEL_API_TOKEN to allow other "
                               "hosts (behind a reverse proxy, list it in STORYREEL_TRUSTED_PROXIES).",
                               setting="STORYREEL_API_TOKEN")


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
