"""The HTTP API: FastAPI app ``app`` (``uvicorn core.api:app`` or ``python -m core serve``).

The routes of API.md over the same core functions the pages and the CLI use. This module only
assembles: routers (``core.api_routes_*``), the error boundary (``core.api.errors``) and the
security layer (``core.api.security``: bearer token, loopback-only default, body size limit).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from core.api.errors import CatchAllMiddleware, install_error_handlers
from core.api.routes_ai import router as ai_router
from core.api.routes_resources import router as resources_router
from core.api.routes_share import router as share_router
from core.api.security import SecurityMiddleware
from core.commands.worker import start_workers

DESCRIPTION = """\
Storyreel's HTTP API: the media-generation routes of the spec plus project, script, scene, shot
and character resources.

* Generation routes validate provider `params` against the model's capabilities **before**
  anything is queued and answer `202` with a job (`job_id`, `status`); poll `GET /jobs/{job_id}`,
  then read `GET /media/{media_id}` and `GET /media/{media_id}/file`.
* Errors: `{"error": {"code", "message", "fields": [...]}}` — `422` invalid input or
  `invalid_combination` (one entry per broken rule), `401` missing/wrong token, `404` unknown ids,
  `413` oversized uploads, `501` a service not in this build, `502` a provider's permanent failure.
* With `STORYREEL_API_TOKEN` set every route needs `Authorization: Bearer <token>`; without it the
  API serves loopback clients only.
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
    # worker` processes do the work); they take over unfinished jobs as they start.
    start_workers()
    yield


def create_app() -> FastAPI:
    """Return a new API app (tests may build their own; ``app`` below is the served one)."""
    api = FastAPI(title="Storyreel API", version="1.0", description=DESCRIPTION, lifespan=_lifespan)
    install_error_handlers(api)
    api.include_router(ai_router)
    api.include_router(resources_router)
    api.include_router(share_router)
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
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return api


app = create_app()
