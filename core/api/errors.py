"""HTTP error boundary of the API: every failure leaves as ``{"error": {"code", "message", "fields"}}``.

Three sources are reshaped into that one body: the core's ``StoryreelError`` hierarchy (with its
own ``http_status``), FastAPI's request-validation errors (422 ``invalid_input``, one entry per
bad field) and Starlette's routing errors (404/405). Anything else is a bug: it answers a generic
500 ``internal_error`` and is logged with secrets redacted — never a stack trace to the client.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Iterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from core.credentials import redact
from core.settings import get_settings
from core.storage import check_data_dir
from core.errors import InsufficientStorage, InvalidInput, StoryreelError, is_disk_full, scrub_paths

log = logging.getLogger("storyreel.api")

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "upload_too_large", 415: "unsupported_media_type", 507: "insufficient_storage"}


class Unauthorized(StoryreelError):
    """The bearer token is missing or wrong (401)."""

    code = "unauthorized"
    http_status = 401


class UploadTooLarge(InvalidInput):
    """A request body or uploaded file is over the configured limit (413)."""

    code = "upload_too_large"
    http_status = 413


def error_body(*, code: str, message: str, fields: list[dict] | None = None) -> dict:
    """Return the one API error body."""
    return {"error": {"code": code, "message": redact(message), "fields": fields or []}}


def error_response(exc: StoryreelError) -> JSONResponse:
    """Return the JSON response for a core error, with its own status code, secrets redacted and
    server paths cut from every message."""
    body = exc.to_dict()
    body["message"] = scrub_paths(redact(str(body.get("message", ""))))
    for entry in body.get("fields") or []:
        if isinstance(entry.get("message"), str):
            entry["message"] = scrub_paths(redact(entry["message"]))
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse({"error": body}, status_code=exc.http_status, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "params") -> "params"; ("path", "project_id") -> "project_id"; keep nested paths dotted.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "path", "query", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_fields(errors: list[dict]) -> list[dict]:
    """Return ``[{"name", "message"}]`` for FastAPI/pydantic error dicts (input values left out)."""
    return [{"name": _field_name(tuple(e.get("loc", ()))), "message": str(e.get("msg", "invalid value"))}
            for e in errors]


async def _storyreel_handler(_request: Request, exc: StoryreelError) -> JSONResponse:
    return error_response(exc)


async def _validation_handler(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = validation_fields(list(exc.errors()))
    names = ", ".join(dict.fromkeys(f["name"] for f in fields)) or "request"
    return JSONResponse(error_body(code="invalid_input", message=f"Invalid request: check {names}.",
                                   fields=fields), status_code=422)


def _plain_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(prefix, route)`` for every route, looking inside included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            extra = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            yield from _plain_routes(list(inner.routes), prefix + extra)
        else:
            yield prefix, route


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path (Starlette's 405 names only one route's)."""
    methods: set[str] = set()
    path = request.scope.get("path", "")
    for prefix, route in _plain_routes(list(request.app.routes)):
        if not path.startswith(prefix):
            continue
        match, _ = route.matches({**request.scope, "path": path[len(prefix):] or "/", "method": "__none__"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _http_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, StoryreelError):  # e.g. the size limit tripped while FastAPI read the body
        return error_response(cause)
    if exc.status_code == 400:  # FastAPI's "error parsing the body": malformed JSON, multipart or UTF-8
        return JSONResponse(error_body(code="invalid_input", message="The request body could not be parsed: send "
                                       "valid JSON (UTF-8) or multipart form data as the route documents.",
                                       fields=[{"name": "body", "message": "could not be parsed"}]),
                            status_code=422)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        message = f"Method not allowed here; this path answers {', '.join(allowed)}."
    return JSONResponse(error_body(code=code, message=message), status_code=exc.status_code,
                        headers=headers or None)


def internal_error_response() -> JSONResponse:
    """Return the generic 500 body (no detail of the failure leaves the server)."""
    return JSONResponse(error_body(code="internal_error",
                                   message="Internal error; the server log has the details."),
                        status_code=500)


def log_unexpected(exc: BaseException) -> None:
    """Log an unexpected exception with its traceback, every configured secret redacted."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unhandled error in API request:\n%s", redact(text))


async def _unexpected_handler(_request: Request, exc: Exception) -> JSONResponse:
    log_unexpected(exc)
    if is_disk_full(exc):  # SQLite "database or disk is full", ENOSPC from a library
        return error_response(InsufficientStorage())
    return internal_error_response()


class HttpMiddleware:
    """Base of the API's ASGI middlewares: other scopes (lifespan, websocket) pass straight
    through; each HTTP request goes to ``handle``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class CatchAllMiddleware(HttpMiddleware):
    """Turn any exception that escapes the app into the generic 500 body, without re-raising.

    (Starlette's own server-error middleware re-raises after answering, which test clients and
    some servers surface as a crash; this one ends the request cleanly.)
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except StoryreelError as exc:  # raised by a middleware below the exception handlers
            if started:
                raise
            await error_response(exc)(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - the one boundary that must not leak
            log_unexpected(exc)
            if started:
                return
            answer = error_response(InsufficientStorage()) if is_disk_full(exc) else internal_error_response()
            await answer(scope, receive, send)


class DataDirGuard(HttpMiddleware):
    """Check the data dir once per process and data dir (exists, writable, free space; stale partial
    files swept) before the first request is served; while it is unusable every request — ``/docs``
    too — answers 503 ``data_dir_unavailable`` naming STORYREEL_DATA_DIR instead of a bare 500."""

    _ready: set[str] = set()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = str(get_settings().data_dir)
        if root not in self._ready:
            try:
                check_data_dir()
            except StoryreelError as exc:
                await error_response(exc)(scope, receive, send)
                return
            self._ready.add(root)
        await self.app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the API.md shape."""
    app.add_exception_handler(StoryreelError, _storyreel_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
