"""HTTP error boundary of the API: every failure leaves as ``{"error": {"code", "message", "fields"}}``.

Three sources are reshaped into that one body: the core's ``StoryreelError`` hierarchy (with its
own ``http_status``), FastAPI's request-validation errors (422 ``invalid_input``, one entry per
bad field) and Starlette's routing errors (404/405). Anything else is a bug: it answers a generic
500 ``internal_error`` and is logged with secrets redacted — never a stack trace to the client.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from core.credentials import redact
from core.errors import InvalidInput, StoryreelError

log = logging.getLogger("storyreel.api")

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "upload_too_large", 415: "unsupported_media_type"}


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
    """Return the JSON response for a core error, with its own status code and secrets redacted."""
    body = exc.to_dict()
    body["message"] = redact(str(body.get("message", "")))
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


async def _http_handler(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return JSONResponse(error_body(code=code, message=message), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


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
            await internal_error_response()(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the API.md shape."""
    app.add_exception_handler(StoryreelError, _storyreel_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)
