"""The HTTP API: FastAPI app ``app`` (``uvicorn core.api:app`` or ``python -m core serve``).

The routes of API.md over the same core functions the pages and the CLI use. This module only
assembles: routers (``core.api_routes_*``), the error boundary (``core.api.errors``) and the
security layer (``core.api.security``: bearer token, loopback-only default, body size limit).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from core.api.errors import CatchAllMiddleware, DataDirGuard, install_error_handlers
from core.api.routes_ai import router as ai_router
from core.api.routes_resources import router as resources_router
from core.api.routes_share import router as share_router
from core.api.security import STATE_CHANGING, SecurityMiddleware
from core.commands.worker import start_workers
from core.errors import DataDirUnavailable
from core.storage import check_data_dir

DESCRIPTION = """\
Storyreel's HTTP API: the media-generation routes of the spec plus project, script, scene, shot
and character resources.

* Generation routes validate provider `params` against the model's capabilities **before**
  anything is queued and answer `202` with a job (`job_id`, `status`); poll `GET /jobs/{job_id}`,
  then read `GET /media/{media_id}` and `GET /media/{media_id}/file`.
* Errors: `{"error": {"code", "message", "fields": [...]}}` — `422` invalid input or
  `invalid_combination` (one entry per broken rule), `400` a Host outside STORYREEL_ALLOWED_HOSTS,
  `401` missing/wrong token, `403` a cross-site state-changing request, `404` unknown ids, `413`
  oversized bodies, `502` a provider's permanent failure, `503` an unusable data dir, `507` a full
  disk. Every route lists the statuses it can answer.
* With `STORYREEL_API_TOKEN` set every route needs `Authorization: Bearer <token>`; without it the
  API serves loopback clients only (forwarded headers count only from STORYREEL_TRUSTED_PROXIES).
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object"}}},
        "required": ["code", "message", "fields"]}},
    "required": ["error"],
}


@asynccontextmanager
async def _lifespan(_app: FastAPI):
    # The API process runs STORYREEL_WORKERS job workers of its own (0: separate `python -m core
    # worker` processes do the work); they take over unfinished jobs as they start. On an unusable
    # data dir none start: every request then answers 503 naming STORYREEL_DATA_DIR (DataDirGuard).
    try:
        check_data_dir()
    except DataDirUnavailable:
        yield
        return
    start_workers()
    yield


# Every status a route may answer besides its success, with the one error body (docs/api.md).
ERROR_STATUSES = {
    "400": "Bad request: a Host this API does not answer to (`host_not_allowed`, STORYREEL_ALLOWED_HOSTS) "
           "or a provider that is not configured (`missing_credentials`).",
    "401": "Missing or wrong bearer token, or a non-loopback client without STORYREEL_API_TOKEN (`unauthorized`).",
    "404": "An id that names nothing (`not_found`).",
    "413": "The request body is over STORYREEL_MAX_UPLOAD_MB (`upload_too_large`).",
    "422": "Invalid input naming the field (`invalid_input`, `invalid_combination`, `unsupported`).",
    "503": "The data dir is missing, not writable or full at start (`data_dir_unavailable`, STORYREEL_DATA_DIR).",
    "507": "The disk holding the data dir is full (`insufficient_storage`, STORYREEL_DATA_DIR).",
}
STATE_CHANGING_STATUSES = {
    "403": "A state-changing request sent by another site's page (`cross_site_request`).",
    "409": "The work was cancelled or conflicts with the current state (`cancelled`).",
}
PROVIDER_STATUSES = {"502": "A provider failed for good (`provider_error`, with the provider's message)."}
PROVIDER_PATHS = ("/ai/", "/generate/", "/render/")


def document_error_statuses(schema: dict) -> None:
    """Add every error status each operation can answer to the OpenAPI ``schema`` (in place)."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            statuses = dict(ERROR_STATUSES)
            if method.upper() in STATE_CHANGING:
                statuses |= STATE_CHANGING_STATUSES
            if path.startswith(PROVIDER_PATHS):
                statuses |= PROVIDER_STATUSES
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                if status == "422" and status in responses:
                    responses[status] = {"description": description, **ref}
                responses.setdefault(status, {"description": description, **ref})


def create_app() -> FastAPI:
    """Return a new API app (tests may build their own; ``app`` below is the served one)."""
    api = FastAPI(title="Storyreel API", version="1.0", description=DESCRIPTION, lifespan=_lifespan)
    install_error_handlers(api)
    api.include_router(ai_router)
    api.include_router(resources_router)
    api.include_router(share_router)
    api.add_middleware(DataDirGuard)  # inside the security checks: strangers learn nothing about the disk
    api.add_middleware(SecurityMiddleware)
    api.add_middleware(CatchAllMiddleware)  # outermost: nothing escapes as a stack trace

    def openapi() -> dict:
        if api.openapi_schema is None:
            schema = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer",
                                                         "description": "STORYREEL_API_TOKEN, when set"}}
            schema["security"] = [{"bearer": []}, {}]
            document_error_statuses(schema)
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return api


app = create_app()
