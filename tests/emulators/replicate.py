"""Loopback emulator of the Replicate HTTP API (../shared/provider_docs/replicate.md §1).

Serves the endpoints the adapter and the ``replicate`` 1.0.x client use — models get, version get
(latest or a pinned older one), search and collections (``tests.emulators.replicate_catalog``),
prediction create on the official path (``/v1/models/{o}/{n}/predictions``) and the version path
(``/v1/predictions``), prediction get, list (newest first, cursor pages) and cancel, files create/get — plus a ``/delivery/...`` host
for output files. Every request is checked: ``Authorization: Bearer <token>`` (401 problem JSON
as recorded in run__invalid-token.yaml), body keys (``additionalProperties: false``), and the
``input`` against the model's ``components.schemas.Input`` (required, unknown property, type,
enum, ``format: uri`` must be an http(s) URL or data URI) — answered with 422 problem JSON
(``title``/``detail``/``status``/``invalid_fields``) like the real service. This emulator is a
little stricter than Replicate on unknown input properties on purpose: an adapter must never send
a field the schema does not declare.

Predictions move ``starting`` → ``processing`` → terminal over ``steps`` polls; the prediction
object follows the recorded bodies of predictions-get.yaml / run.yaml. Faults (``FaultQueue``,
routes ``create``, ``poll``, ``list``, ``cancel``, ``upload``, ``model``, ``search``, ``download``): ``status`` (problem
JSON, with ``Retry-After``), ``slow`` (sleeps, then answers normally — a create still happens),
``malformed`` (a 2xx body that is not JSON), ``fail_job`` (ends ``failed`` with the message),
``abort_job`` (ends ``aborted``), ``forbidden_download`` (the output answers 403).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.emulators.media import clip_mp4, seeded_png, solid_png
from tests.emulators.replicate_catalog import add_catalog_routes, model_json, version_json
from tests.emulators.server import Fault, RecordingEmulator, answer_fault, base_url, read_body, record, retry_after

PROBLEM = "application/problem+json"
_PREFER = re.compile(r"^wait(=([1-9]|[1-9][0-9]|60))?$")
_OFFICIAL_KEYS = {"input", "webhook", "webhook_events_filter", "stream"}
_VERSION_KEYS = _OFFICIAL_KEYS | {"version"}
_FILE_FIELDS = {"content", "filename", "type", "metadata"}
_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


# ---- models ------------------------------------------------------------------------------------
@dataclass
class EmulatedModel:
    """A model the emulator knows: its Cog ``openapi_schema`` and what kind of file it outputs."""

    owner: str
    name: str
    openapi_schema: dict
    output: str = "image"  # image | images | video
    official: bool = True
    version_id: str = ""
    description: str = ""
    run_count: int = 0
    tags: tuple[str, ...] = ()
    # Older versions a caller may pin (``owner/name:id``): version id -> its openapi_schema.
    versions: dict = field(default_factory=dict)
    # A recorded model object (cassette) served as is by ``GET /v1/models/{o}/{n}``.
    recorded: dict | None = None

    def __post_init__(self) -> None:
        if not self.version_id:
            self.version_id = hashlib.sha256(f"{self.owner}/{self.name}".encode()).hexdigest()

    @property
    def ref(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def input_schema(self) -> dict:
        return self.openapi_schema.get("components", {}).get("schemas", {}).get("Input", {})

    def schema_of(self, version_id: str) -> dict | None:
        """The openapi_schema of one version (latest or pinned), or None when it has no such version."""
        if version_id == self.version_id:
            return self.openapi_schema
        return self.versions.get(version_id)


def _now(delta_s: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_s)).isoformat().replace("+00:00", "Z")


def _problem(status: int, title: str, detail: str, *, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail, "status": status, **extra}, status_code=status,
                        media_type=PROBLEM, headers=headers)


_TITLES = {401: "Unauthenticated", 404: "Not found", 422: "Input validation failed", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _fault_problem(fault: Fault) -> JSONResponse:
    detail = fault.message
    if fault.status == 429 and fault.message == "injected failure":
        detail = "Request was throttled. Your rate limit resets in ~30s."
    return _problem(fault.status, _TITLES.get(fault.status, "Error"), detail, headers=retry_after(fault))


class ReplicateEmulator(RecordingEmulator):
    """State, request log and FastAPI ``app`` of one emulated Replicate account."""

    def __init__(self, *, token: str, models: list[EmulatedModel], steps: int = 2,
                 collections: dict[str, dict] | None = None):
        self.token = token
        self.models = {m.ref: m for m in models}
        self.steps = steps
        # True: each image output is a PNG of its own colour, seeded by the prediction's prompt (tests
        # that tell results apart by content); False: the same small PNG for every prediction.
        self.image_by_prompt = False
        # slug -> {"name", "description", "models": [refs]} (GET /v1/collections[/{slug}])
        self.collections = dict(collections or {})
        super().__init__()

    # -- helpers --------------------------------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        self.predictions: dict[str, dict] = {}
        self.files: dict[str, dict] = {}

    async def _enter(self, request: Request, route: str, *, auth: bool = True) -> tuple[Response | None, Fault | None, Any]:
        """Record the request, check auth, apply a due fault. Returns (early response, fault, body)."""
        body = await read_body(request)
        record(self.requests, request, route=route, body=body)
        if auth:
            header = request.headers.get("authorization", "")
            if header not in (f"Bearer {self.token}", f"Token {self.token}"):
                return _problem(401, "Unauthenticated", "You did not pass a valid authentication token"), None, body
        early, fault = await answer_fault(self.faults, route, error=_fault_problem, malformed="<html>upstream hiccup")
        return early, fault, body  # job-level faults are applied by the route

    def _validate_input(self, model: EmulatedModel, input_: Any, openapi: dict | None = None) -> list[dict]:
        if not isinstance(input_, dict):
            return [{"type": "type", "field": "input", "description": "input must be an object"}]
        openapi = openapi or model.openapi_schema
        comps = openapi.get("components", {}).get("schemas", {})
        schema = comps.get("Input", {})
        props = schema.get("properties", {})
        problems = []
        for name in schema.get("required", []):
            if name not in input_:
                problems.append({"type": "required", "field": "input", "description": f"{name} is required"})
        for name, value in input_.items():
            prop = props.get(name)
            if prop is None:
                problems.append({"type": "additional_property_not_allowed", "field": "input",
                                 "description": f"Additional property {name} is not allowed"})
                continue
            resolved = dict(prop)
            for part in prop.get("allOf", []):
                ref = part.get("$ref", "")
                resolved = {**comps.get(ref.rsplit("/", 1)[-1], {}), **resolved}
            problems += self._check_value(name, value, resolved)
        return problems

    def _check_value(self, name: str, value: Any, prop: dict) -> list[dict]:
        if value is None and prop.get("nullable"):
            return []
        expected = _JSON_TYPES.get(prop.get("type", ""))
        if expected and (not isinstance(value, expected) or (prop.get("type") != "boolean" and isinstance(value, bool))):
            return [{"type": "invalid_type", "field": f"input.{name}", "description": f"{name}: Invalid type. Expected: {prop['type']}"}]
        if "enum" in prop and value not in prop["enum"]:
            return [{"type": "enum", "field": f"input.{name}", "description": f"{name} must be one of the following: {prop['enum']}"}]
        for bound, ok in (("minimum", lambda b: value >= b), ("maximum", lambda b: value <= b)):
            if bound in prop and isinstance(value, (int, float)) and not ok(prop[bound]):
                return [{"type": bound, "field": f"input.{name}", "description": f"{name} must be {bound} {prop[bound]}"}]
        uris = [value] if prop.get("format") == "uri" else (
            value if prop.get("type") == "array" and prop.get("items", {}).get("format") == "uri" else [])
        for uri in uris:
            if not isinstance(uri, str) or not re.match(r"^(https?://|data:[^;,]*;base64,)", uri):
                return [{"type": "format", "field": f"input.{name}", "description": f"{name}: Does not match format 'uri'"}]
            if uri.startswith("data:"):
                try:
                    base64.b64decode(uri.split(",", 1)[1], validate=True)
                except ValueError:
                    return [{"type": "format", "field": f"input.{name}", "description": f"{name}: bad data URI"}]
        return []

    def _prediction(self, base: str, pid: str) -> dict:
        p = self.predictions[pid]
        obj = {k: p[k] for k in ("id", "model", "version", "input", "logs", "output", "data_removed", "error",
                                 "status", "created_at", "source")}
        obj["urls"] = {"get": f"{base}/v1/predictions/{pid}", "cancel": f"{base}/v1/predictions/{pid}/cancel",
                       "web": f"https://replicate.com/p/{pid}"}
        for k in ("started_at", "completed_at", "metrics"):
            if p.get(k) is not None:
                obj[k] = p[k]
        return obj

    def _advance(self, base: str, pid: str) -> None:
        p = self.predictions[pid]
        if p["status"] in ("succeeded", "failed", "canceled", "aborted"):
            return
        p["polls"] += 1
        if p["job_fault"] and p["job_fault"].kind == "abort_job":
            p.update(status="aborted", completed_at=_now())
            return
        if p["polls"] < self.steps:
            p.update(status="processing", started_at=p.get("started_at") or _now(),
                     logs=f"Using seed: 42\n {int(100 * p['polls'] / self.steps):3d}%|#####     | {p['polls']}/{self.steps}")
            return
        if p["job_fault"] and p["job_fault"].kind == "fail_job":
            p.update(status="failed", error=p["job_fault"].message, completed_at=_now())
            return
        kind = self.models[p["model"]].output
        ext = "mp4" if kind == "video" else "png"
        urls = [f"{base}/delivery/{pid}/out-{i}.{ext}" for i in range(2 if kind == "images" else 1)]
        p.update(status="succeeded", output=urls if kind == "images" else urls[0], completed_at=_now(),
                 metrics={"predict_time": 1.5}, logs=p["logs"] + "\n100%|##########| done")

    def _create(self, base: str, model: EmulatedModel, input_: dict, fault: Fault | None,
                version: str | None = None) -> JSONResponse:
        pid = secrets.token_hex(13)[:26]
        with self._lock:
            self.predictions[pid] = {
                "id": pid, "model": model.ref, "version": version or ("hidden" if model.official else model.version_id),
                "input": input_, "logs": "", "output": None, "data_removed": False, "error": None,
                "status": "starting", "created_at": _now(), "source": "api", "polls": 0, "job_fault": fault,
            }
        return JSONResponse(self._prediction(base, pid), status_code=201)

    # -- app ----------------------------------------------------------------------------------------
    def _build(self) -> FastAPI:
        app = FastAPI()
        em = self

        @app.get("/v1/account")
        async def account(request: Request):
            early, _, _ = await em._enter(request, "account")
            return early or JSONResponse({"type": "user", "username": "storyreel-test", "name": "Storyreel Test",
                                          "github_url": None})

        @app.get("/v1/models/{owner}/{name}")
        async def models_get(owner: str, name: str, request: Request):
            early, _, _ = await em._enter(request, "model")
            if early:
                return early
            m = em.models.get(f"{owner}/{name}")
            return JSONResponse(model_json(m)) if m else _problem(404, "Not found", "Not found")

        @app.get("/v1/models/{owner}/{name}/versions/{version_id}")
        async def versions_get(owner: str, name: str, version_id: str, request: Request):
            early, _, _ = await em._enter(request, "model")
            if early:
                return early
            m = em.models.get(f"{owner}/{name}")
            schema = m.schema_of(version_id) if m else None
            if schema is None:
                return _problem(404, "Not found", "Not found")
            return JSONResponse(version_json(m, version_id))

        def check_create(request: Request, body: Any, allowed: set[str]) -> JSONResponse | None:
            prefer = request.headers.get("prefer")
            if prefer is not None and not _PREFER.match(prefer):
                return _problem(422, "Invalid Prefer header", f"Prefer header {prefer!r} is not valid")
            if not isinstance(body, dict) or "input" not in body:
                return _problem(422, "Input validation failed", "- (root): input is required",
                                invalid_fields=[{"type": "required", "field": "(root)", "description": "input is required"}])
            extra = sorted(set(body) - allowed)
            if extra:
                return _problem(422, "Input validation failed", "".join(f"- (root): Additional property {k} is not allowed\n" for k in extra),
                                invalid_fields=[{"type": "additional_property_not_allowed", "field": "(root)",
                                                 "description": f"Additional property {k} is not allowed"} for k in extra])
            return None

        def input_problems(m: EmulatedModel, body: dict, openapi: dict | None = None) -> JSONResponse | None:
            problems = em._validate_input(m, body["input"], openapi)
            if problems:
                return _problem(422, "Input validation failed",
                                "".join(f"- {p['field']}: {p['description']}\n" for p in problems), invalid_fields=problems)
            return None

        @app.post("/v1/models/{owner}/{name}/predictions")
        async def models_predictions_create(owner: str, name: str, request: Request):
            early, fault, body = await em._enter(request, "create")
            if early:
                return early
            m = em.models.get(f"{owner}/{name}")
            if m is None or not m.official:
                return _problem(404, "Not found", "The requested resource could not be found.")
            return check_create(request, body, _OFFICIAL_KEYS) or input_problems(m, body) or em._create(
                base_url(request), m, body["input"], fault)

        @app.post("/v1/predictions")
        async def predictions_create(request: Request):
            early, fault, body = await em._enter(request, "create")
            if early:
                return early
            bad = check_create(request, body, _VERSION_KEYS)
            if bad:
                return bad
            version = str(body.get("version") or "")
            vid = version.split(":", 1)[1] if ":" in version else version
            # Since 2025-08 a bare ``owner/name`` names an official model (UPDATE-2026-12 §3.1).
            official = em.models.get(version) if "/" in version and ":" not in version else None
            if official is not None and official.official:
                return input_problems(official, body) or em._create(base_url(request), official, body["input"], fault)
            m = next((x for x in em.models.values() if x.schema_of(vid) is not None), None)
            if m is None:
                return _problem(422, "Invalid version or not permitted",
                                "The specified version does not exist (or perhaps you don't have permission to use it?)")
            return input_problems(m, body, m.schema_of(vid)) or em._create(base_url(request), m, body["input"], fault,
                                                                           version=vid)

        @app.get("/v1/predictions")
        async def predictions_list(request: Request):
            # replicate.md: newest first, cursor pages {"next", "previous", "results"} (page size here: 20).
            early, _, _ = await em._enter(request, "list")
            if early:
                return early
            base = base_url(request)
            with em._lock:
                ids = sorted(em.predictions, key=lambda k: em.predictions[k]["created_at"], reverse=True)
            start = int(request.query_params.get("offset", "0"))
            page = ids[start:start + 20]
            nxt = f"{base}/v1/predictions?offset={start + 20}" if start + 20 < len(ids) else None
            return JSONResponse({"next": nxt, "previous": None,
                                 "results": [em._prediction(base, pid) for pid in page]})

        @app.get("/v1/predictions/{pid}")
        async def predictions_get(pid: str, request: Request):
            early, _, _ = await em._enter(request, "poll")
            if early:
                return early
            if pid not in em.predictions:
                return _problem(404, "Not found", "Not found")
            with em._lock:
                em._advance(base_url(request), pid)
            return JSONResponse(em._prediction(base_url(request), pid))

        @app.post("/v1/predictions/{pid}/cancel")
        async def predictions_cancel(pid: str, request: Request):
            early, _, _ = await em._enter(request, "cancel")
            if early:
                return early
            p = em.predictions.get(pid)
            if p is None:
                return _problem(404, "Not found", "Not found")
            if p["status"] in ("starting", "processing"):
                p.update(status="canceled", completed_at=_now())
            return JSONResponse(em._prediction(base_url(request), pid))

        @app.post("/v1/files")
        async def files_create(request: Request):
            early, _, body = await em._enter(request, "upload")
            if early:
                return early
            if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
                return _problem(422, "Input validation failed", "- content: content is required")
            extra = sorted(set(body) - _FILE_FIELDS)
            if extra:
                return _problem(422, "Input validation failed", f"- Additional property {extra[0]} is not allowed")
            part = body["content"]
            if part["size"] >= 100 * 1024 * 1024:
                return _problem(413, "Payload Too Large", "Files must be less than 100MB in size")
            fid = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode().rstrip("=")
            data = part["data"]
            created = _now()
            em.files[fid] = {
                "id": fid, "name": body.get("filename") or part["filename"] or "file",
                "content_type": body.get("type") or part["content_type"] or "application/octet-stream",
                "size": len(data), "etag": hashlib.md5(data).hexdigest(),
                "checksums": {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()},
                "metadata": json.loads(body.get("metadata") or "{}"), "created_at": created,
                "expires_at": _now(24 * 3600), "urls": {"get": f"{base_url(request)}/v1/files/{fid}"},
                "data": data,
            }
            return JSONResponse({k: v for k, v in em.files[fid].items() if k != "data"}, status_code=201)

        @app.get("/v1/files/{fid}")
        async def files_get(fid: str, request: Request):
            early, _, _ = await em._enter(request, "file_get")
            if early:
                return early
            f = em.files.get(fid)
            if f is None:
                return _problem(404, "Not found", "File not found")
            return JSONResponse({k: v for k, v in f.items() if k != "data"})

        @app.get("/delivery/{pid}/{filename}")
        async def delivery(pid: str, filename: str, request: Request):
            early, fault, _ = await em._enter(request, "download", auth=False)
            if early:
                return early
            if fault and fault.kind == "forbidden_download":
                return Response("<Error><Code>AccessDenied</Code></Error>", status_code=403, media_type="application/xml")
            if pid not in em.predictions:
                return Response("not found", status_code=404)
            if filename.endswith(".mp4"):
                return Response(clip_mp4(), media_type="video/mp4")
            if em.image_by_prompt:
                prompt = str((em.predictions[pid].get("input") or {}).get("prompt", pid))
                return Response(seeded_png(width=320, height=180, seed=prompt), media_type="image/png")
            return Response(solid_png(), media_type="image/png")

        add_catalog_routes(app, em)
        return app


def make_app(*, token: str, models: list[EmulatedModel], steps: int = 2,
             collections: dict[str, dict] | None = None) -> ReplicateEmulator:
    """Return an emulator; serve ``emulator.app`` with ``tests.emulators.server.serve``."""
    return ReplicateEmulator(token=token, models=models, steps=steps, collections=collections)
