"""Sign-in for the API when ``STORYREEL_AUTH=on``: who is calling, and may their role do this?

Every route needs ``Authorization: Bearer <token>``: a user's API token (``python -m core tokens
create NAME``) or ``STORYREEL_API_TOKEN`` (the admin, for scripts). Missing or unknown → 401. The
route is then classified into an action (``core.accounts.service.ACTIONS``) and checked against the
caller's role in the project it touches (from the path, the stored scene/shot/media, or the JSON
body's ``project_id``) → 403 when the role may not. Share links (``GET /share/{token}``) open without
an account. The verdict also names the caller, who becomes ``created_by`` of what the request makes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive

from core.accounts import service
from core.accounts.identity import ADMIN
from core.api.errors import Unauthorized

READ_METHODS = ("GET", "HEAD", "OPTIONS")
OPEN_PATHS = re.compile(r"^/share/[^/]+/?$")  # GET only: a share link opens without an account
GENERATE_PREFIXES = ("/ai/video/generate", "/ai/video/smooth-transition", "/ai/image/", "/ai/voice/", "/ai/lipsync/",
                     "/generate/", "/render/", "/export/")
READ_POSTS = ("/ai/video/get-capabilities",)
_PROJECT_PATH = re.compile(r"^/projects/(\d+)(/|$)")
_OWNED_PATH = re.compile(r"^/(scenes|shots|media)/([A-Za-z0-9_-]+)(/|$)")


@dataclass(frozen=True)
class Verdict:
    """Who is calling (None on an open path) and the receive callable to hand on (the body may have been read)."""

    user: str | None
    receive: Receive


def is_open(*, method: str, path: str) -> bool:
    """True for routes that need no account (reading a share link)."""
    return method in READ_METHODS and bool(OPEN_PATHS.match(path))


def action_for(*, method: str, path: str) -> str:
    """Return the action a request performs: watch, generate, share, delete or edit."""
    if method in READ_METHODS or path in READ_POSTS:
        return "watch"
    if method == "DELETE" and re.fullmatch(r"/projects/\d+/?", path):
        return "delete"
    if path.startswith(GENERATE_PREFIXES):
        return "generate"
    if re.fullmatch(r"/media/[^/]+/share/?", path) or path.startswith("/share/"):
        return "share"
    return "edit"


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return given.strip() or None


def identify(*, header: str | None, admin_token: str | None) -> str:
    """Return the caller's user name from an ``Authorization`` header; raises Unauthorized."""
    token = _bearer(header)
    if token and admin_token and service.constant_equal(token, admin_token):
        return ADMIN
    user = service.user_for_token(token=token) if token else None
    if user is None:
        raise Unauthorized("Sign-in is on (STORYREEL_AUTH): send 'Authorization: Bearer <token>' with a user's "
                           "API token (python -m core tokens create NAME) or STORYREEL_API_TOKEN.",
                           setting="STORYREEL_AUTH")
    return user.name


def _body_project_id(body: bytes) -> int | None:
    try:
        value = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    pid = value.get("project_id") if isinstance(value, dict) else None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else None


def project_for(*, path: str, body: bytes) -> int | None:
    """Return the project a request touches: from the path, the stored scene/shot/media, or the JSON body."""
    match = _PROJECT_PATH.match(path)
    if match:
        return int(match.group(1))
    match = _OWNED_PATH.match(path)
    if match:
        return service.project_of(kind=match.group(1), ident=match.group(2))
    return _body_project_id(body)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body and return it with a receive that replays it (``receive`` is already
    size-limited by the security middleware)."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def authorize(*, method: str, path: str, header: str | None, content_type: str, admin_token: str | None,
                    receive: Receive) -> Verdict:
    """Return the Verdict for one request; raises Unauthorized (401) or Forbidden (403)."""
    if is_open(method=method, path=path):
        return Verdict(user=None, receive=receive)
    user = await run_in_threadpool(lambda: identify(header=header, admin_token=admin_token))
    action = action_for(method=method, path=path)
    body = b""
    if action != "watch" and "json" in content_type and not _PROJECT_PATH.match(path):
        body, receive = await _read_body(receive)
    project_id = await run_in_threadpool(lambda: project_for(path=path, body=body))
    await run_in_threadpool(lambda: service.require(name=user, action=action, project_id=project_id))
    return Verdict(user=user, receive=receive)

