"""Loopback emulator of the Google GenAI HTTP API as google-genai 3.x calls it (google.md §1.6, §2–§5).

Vertex routes (``/v1beta1/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}``):
``predictLongRunning`` (Veo start), ``fetchPredictOperation`` (Veo poll, a POST), ``predict``
(Imagen), ``generateContent``. Gemini Developer routes (``/{v1|v1beta}/models/{m}:generateContent``)
for Nano Banana and text. Every request is checked against the documented field names and
combination rules and rejected the way Google does (``400 INVALID_ARGUMENT`` with the JSON error
body); auth headers are checked; every request is recorded in ``state.calls``.

Also (UPDATE-2026-12): the Interactions API for Gemini Omni Flash video (``tests.emulators.google_omni``),
the key checks ``GET /{ver}/models`` (API key) and ``GET /v1beta1/publishers/google/models/{m}``
(Vertex), and an OAuth token endpoint ``POST /token`` that application default credentials
(an ``authorized_user`` file whose ``token_uri`` points here) refresh against. Shut-down models
answer 404 like Google does.

Faults (``FaultQueue``) match the routes ``create``, ``poll``, ``predict``, ``generate``,
``interaction``, ``interaction_poll``, ``models``.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.emulators import google_omni as omni
from tests.emulators.media import clip_mp4, seeded_png
from tests.emulators.server import Fault, FaultQueue, retry_after

# --- documented wire fields (google.md §1.2, §1.6, §3, §4) -------------------------------------
VEO_INSTANCE_FIELDS = {"prompt", "image", "lastFrame", "referenceImages", "video", "mask"}
VEO_PARAMETER_FIELDS = {
    "sampleCount", "storageUri", "fps", "durationSeconds", "seed", "aspectRatio", "resolution",
    "personGeneration", "pubsubTopic", "negativePrompt", "enhancePrompt", "generateAudio",
    "compressionQuality", "resizeMode",
}
IMAGEN_PARAMETER_FIELDS = {
    "sampleCount", "aspectRatio", "negativePrompt", "seed", "guidanceScale", "safetySetting",
    "personGeneration", "includeSafetyAttributes", "includeRaiReason", "language", "outputOptions",
    "addWatermark", "sampleImageSize", "enhancePrompt", "storageUri",
}
IMAGE_FIELDS = {"bytesBase64Encoded", "gcsUri", "mimeType"}
CONTENT_TOP_FIELDS = {"contents", "systemInstruction", "generationConfig", "safetySettings", "tools",
                      "toolConfig", "labels", "cachedContent"}
GENERATION_CONFIG_FIELDS = {
    "temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences",
    "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "imageConfig",
    "seed", "presencePenalty", "frequencyPenalty", "thinkingConfig",
}
IMAGE_CONFIG_FIELDS = {"aspectRatio", "imageSize"}
ASPECTS_VEO = {"16:9", "9:16"}
ASPECTS_IMAGE = {"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8", "8:1"}
# What each backend serves (UPDATE-2026-12 §1.2-§1.5); anything else — the shut-down ids — is 404.
VEO_MODELS = {"veo-3.1-generate-001", "veo-3.1-fast-generate-001", "veo-3.1-lite-generate-001"}
VEO_RESOLUTIONS = {"veo-3.1-lite-generate-001": {"720p", "1080p"}}  # others: 720p, 1080p, 4k
CONTENT_MODELS = {"gemini-3.8-flash", "gemini-4-argon", "gemini-3.6-flash", "gemini-3.5-flash-lite",
                  "gemini-3.1-flash-lite", "gemini-nano-banana-2.1", "gemini-3-pro-image", "gemini-3.1-flash-lite-image"}
VERTEX_CONTENT_MODELS = CONTENT_MODELS - {"gemini-nano-banana-2.1", "gemini-3.6-flash"} | {"gemini-3.1-flash-image"}
PERSON_GENERATION_VEO = {"dont_allow", "allow_adult", "allow_all"}

_VERTEX = re.compile(r"^/(v1beta1|v1)/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+):(\w+)$")
_DEV = re.compile(r"^/(v1|v1beta)/models/([^/:]+):(\w+)$")
_DEV_LIST = re.compile(r"^/(v1|v1beta)/models$")
_VERTEX_GET = re.compile(r"^/(v1beta1|v1)/publishers/google/models/([^/:]+)$")
_INTERACTIONS = re.compile(r"^/(v1|v1beta|v1alpha)/interactions(?:/([^/]+?))?(/cancel)?$")


class Reject(Exception):
    """A documented error answer."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT"):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_body(code: int, message: str, status: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


def tiny_mp4(*, width: int = 64, height: int = 36, seconds: float = 1.0, color: str = "teal") -> bytes:
    """Return a small valid H.264 MP4 without sound (made once per shape)."""
    return clip_mp4(width=width, height=height, seconds=seconds, color=color, audio=False)


def _aspect_size(aspect: str | None, short: int = 36) -> tuple[int, int]:
    if not aspect:
        return short, short
    w, h = (int(x) for x in aspect.split(":"))
    if w >= h:
        return (round(short * w / h) // 2 * 2, short)
    return (short, round(short * h / w) // 2 * 2)


@dataclass
class Operation:
    name: str
    model: str
    created: float
    seconds: float
    fail: Fault | None = None
    aspect: str = "16:9"
    polls: int = 0


@dataclass
class GoogleState:
    """What the emulator holds: operations, recorded calls, faults and the credentials it accepts."""

    faults: FaultQueue = field(default_factory=FaultQueue)
    job_seconds: float = 0.0  # how long a Veo operation runs
    max_running: int | None = None  # concurrent operations allowed (429 beyond)
    bearer_token: str = "fake-vertex-token"
    api_key: str = "fake-google-key"
    calls: list[dict] = field(default_factory=list)
    operations: dict[str, Operation] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    max_seen_running: int = 0
    interactions: dict[str, "omni.Interaction"] = field(default_factory=dict)
    # Models each credential sees (the key checks); tests narrow them to model an account.
    api_models: set[str] = field(default_factory=lambda: CONTENT_MODELS | omni.OMNI_MODELS)
    vertex_models: set[str] = field(default_factory=lambda: VEO_MODELS | VERTEX_CONTENT_MODELS)
    # OAuth tokens handed out by POST /token (ADC refresh); each is accepted like ``bearer_token``.
    issued_tokens: list[str] = field(default_factory=list)
    token_lifetime_s: int = 3600

    def count(self, route: str) -> int:
        with self.lock:
            return sum(1 for c in self.calls if c["route"] == route)

    def running(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        return sum(1 for o in self.operations.values() if now - o.created < o.seconds)


def _check_keys(obj: dict, allowed: set[str], where: str) -> None:
    for k in obj:
        if k not in allowed:
            raise Reject(400, f'Invalid JSON payload received. Unknown name "{k}" at \'{where}\': Cannot find field.')


def _check_image(obj: Any, where: str) -> None:
    if not isinstance(obj, dict):
        raise Reject(400, f"{where} must be an object.")
    _check_keys(obj, IMAGE_FIELDS, where)
    if not (obj.get("bytesBase64Encoded") or obj.get("gcsUri")):
        raise Reject(400, f"{where}: one of bytesBase64Encoded or gcsUri is required.")
    if obj.get("bytesBase64Encoded"):
        try:
            base64.b64decode(obj["bytesBase64Encoded"], validate=True)
        except Exception:
            raise Reject(400, f"{where}.bytesBase64Encoded is not valid base64.") from None


def check_veo(body: dict, model: str | None = None) -> dict:
    """Validate a predictLongRunning body (google.md §1.2–§1.4, UPDATE-2026-12 §1.4) for ``model``;
    returns the single instance."""
    _check_keys(body, {"instances", "parameters", "labels"}, "")
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1:
        raise Reject(400, "instances must hold exactly one instance.")
    inst = instances[0]
    _check_keys(inst, VEO_INSTANCE_FIELDS, "instances[0]")
    params = body.get("parameters") or {}
    _check_keys(params, VEO_PARAMETER_FIELDS, "parameters")
    for key in ("image", "lastFrame"):
        if key in inst:
            _check_image(inst[key], f"instances[0].{key}")
    if "video" in inst:
        _check_image(inst["video"], "instances[0].video")
    refs = inst.get("referenceImages")
    if refs is not None:
        if not isinstance(refs, list) or not 1 <= len(refs) <= 3:
            raise Reject(400, "referenceImages must hold 1 to 3 images.")
        for i, ref in enumerate(refs):
            _check_keys(ref, {"image", "referenceType"}, f"instances[0].referenceImages[{i}]")
            _check_image(ref.get("image"), f"instances[0].referenceImages[{i}].image")
            if ref.get("referenceType") not in ("ASSET", "STYLE"):
                raise Reject(400, "referenceType must be ASSET or STYLE.")
    # Combination rules of VideoGenerationModelInstance (google.md §1.3).
    if "image" in inst and "video" in inst:
        raise Reject(400, "image is not supported when video is provided.")
    if "lastFrame" in inst and "image" not in inst:
        raise Reject(400, "lastFrame requires an input image.")
    if refs is not None and any(k in inst for k in ("image", "video", "lastFrame")):
        raise Reject(400, "referenceImages are not supported with image, video or lastFrame.")
    if refs is not None and not inst.get("prompt"):
        raise Reject(400, "referenceImages require a text prompt.")
    if not any(k in inst for k in ("prompt", "image", "video")):
        raise Reject(400, "A prompt, image or video is required.")
    if params.get("aspectRatio") not in (None, *ASPECTS_VEO):
        raise Reject(400, f"Unsupported aspect ratio {params['aspectRatio']}.")
    if params.get("resolution") not in (None, *VEO_RESOLUTIONS.get(model or "", {"720p", "1080p", "4k"})):
        raise Reject(400, f"Unsupported resolution {params['resolution']}.")
    if model == "veo-3.1-lite-generate-001" and refs is not None:
        raise Reject(400, "referenceImages are not supported by veo-3.1-lite-generate-001.")
    if params.get("durationSeconds") not in (None, 4, 5, 6, 7, 8):
        raise Reject(400, f"Unsupported duration {params['durationSeconds']}.")
    if ("lastFrame" in inst or refs is not None) and params.get("durationSeconds") not in (None, 8):
        raise Reject(400, "durationSeconds must be 8 with lastFrame or referenceImages.")
    if params.get("personGeneration") not in (None, *PERSON_GENERATION_VEO):
        raise Reject(400, f"Unsupported personGeneration {params['personGeneration']}.")
    if "seed" in params and not (isinstance(params["seed"], int) and 0 <= params["seed"] < 2**32):
        raise Reject(400, "seed must be an unsigned 32-bit integer.")
    return inst


def check_imagen(body: dict) -> None:
    _check_keys(body, {"instances", "parameters", "labels"}, "")
    inst = (body.get("instances") or [{}])[0]
    _check_keys(inst, {"prompt"}, "instances[0]")
    if not inst.get("prompt"):
        raise Reject(400, "prompt is required.")
    params = body.get("parameters") or {}
    _check_keys(params, IMAGEN_PARAMETER_FIELDS, "parameters")
    if params.get("aspectRatio") not in (None, "1:1", "3:4", "4:3", "9:16", "16:9"):
        raise Reject(400, f"Unsupported aspect ratio {params['aspectRatio']}.")


def check_content(body: dict) -> dict:
    _check_keys(body, CONTENT_TOP_FIELDS, "")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise Reject(400, "contents is required.")
    for ci, content in enumerate(contents):
        _check_keys(content, {"role", "parts"}, f"contents[{ci}]")
        for pi, part in enumerate(content.get("parts") or []):
            _check_keys(part, {"text", "inlineData", "fileData"}, f"contents[{ci}].parts[{pi}]")
            if "inlineData" in part:
                # The SDK sends ``mime_type`` in snake case; the server accepts both spellings (§2).
                _check_keys(part["inlineData"], {"data", "mimeType", "mime_type"},
                            f"contents[{ci}].parts[{pi}].inlineData")
    config = body.get("generationConfig") or {}
    _check_keys(config, GENERATION_CONFIG_FIELDS, "generation_config")
    image_config = config.get("imageConfig") or {}
    _check_keys(image_config, IMAGE_CONFIG_FIELDS, "generation_config.image_config")
    if image_config.get("aspectRatio") not in (None, *ASPECTS_IMAGE):
        raise Reject(400, f"Unsupported aspect ratio {image_config['aspectRatio']}.")
    if image_config.get("imageSize") not in (None, "1K", "2K", "4K"):
        raise Reject(400, f"Unsupported image size {image_config['imageSize']}.")
    return config


def instance_from_schema(schema: dict, name: str = "value") -> Any:
    """Return a JSON value that fits a (JSON Schema or OpenAPI-style) schema, for structured output."""
    kind = str(schema.get("type", "object")).lower()
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object":
        return {k: instance_from_schema(v, k) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [instance_from_schema(schema.get("items") or {"type": "string"}, name)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(max(1.0, schema.get("minimum", 1.0)))
    if kind == "boolean":
        return False
    if name == "fountain":
        return "INT. KITCHEN - NIGHT\n\nMaya pours tea.\n\nMAYA\nYou came back.\n"
    return f"emulated {name}"


def make_app(state: GoogleState | None = None) -> FastAPI:
    """Return the emulator app; its ``state`` attribute (a GoogleState) is what tests inspect."""
    state = state or GoogleState()
    app = FastAPI()
    app.state.google = state

    def answer_fault(fault: Fault | None) -> Response | None:
        if fault is None:
            return None
        if fault.kind == "status":
            status = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 403: "PERMISSION_DENIED",
                      404: "NOT_FOUND", 400: "INVALID_ARGUMENT"}.get(fault.status, "UNKNOWN")
            return JSONResponse(error_body(fault.status, fault.message, status), status_code=fault.status,
                                headers=retry_after(fault))
        if fault.kind == "malformed":
            return Response(b'{"name": "projects/oops', media_type="application/json")
        if fault.kind == "slow":
            time.sleep(fault.delay_s)
        return None

    def check_auth(request: Request, vertex: bool) -> None:
        if vertex:
            if request.headers.get("authorization") not in {f"Bearer {t}" for t in [state.bearer_token, *state.issued_tokens]}:
                raise Reject(401, "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                             "UNAUTHENTICATED")
        elif request.headers.get("x-goog-api-key") != state.api_key:
            raise Reject(400, "API key not valid. Please pass a valid API key.")

    def record(route: str, request: Request, path: str, body: Any) -> None:
        with state.lock:
            state.calls.append({"route": route, "path": path, "method": request.method,
                                "headers": dict(request.headers), "body": body, "t": time.monotonic()})

    def create(model: str, base: str, body: dict, fault: Fault | None) -> dict:
        if model not in VEO_MODELS:
            raise Reject(404, f"Publisher Model `{base}` was not found or your project does not have access to it.",
                         "NOT_FOUND")
        inst = check_veo(body, model)
        with state.lock:
            now = time.monotonic()
            if state.max_running is not None and state.running(now) >= state.max_running:
                raise Reject(429, "Quota exceeded: too many concurrent video generations.", "RESOURCE_EXHAUSTED")
            name = f"{base}/operations/{uuid.uuid4()}"
            aspect = (body.get("parameters") or {}).get("aspectRatio") or "16:9"
            state.operations[name] = Operation(name=name, model=model, created=now, seconds=state.job_seconds,
                                               fail=fault if fault and fault.kind == "fail_job" else None,
                                               aspect=aspect)
            state.max_seen_running = max(state.max_seen_running, state.running(now))
        del inst
        return {"name": name}

    def fetch(base: str, body: dict) -> dict:
        _check_keys(body, {"operationName"}, "")
        name = body.get("operationName") or ""
        with state.lock:
            op = state.operations.get(name)
        if op is None or not name.startswith(base + "/operations/"):
            raise Reject(404, f"Operation {name} not found.", "NOT_FOUND")
        op.polls += 1
        if time.monotonic() - op.created < op.seconds:
            return {"name": name}  # ``done`` omitted while pending (google.md §1.6)
        if op.fail is not None:
            return {"name": name, "done": True, "error": {"code": 3, "message": op.fail.message}}
        w, h = _aspect_size(op.aspect)
        video = base64.b64encode(tiny_mp4(width=w, height=h)).decode()
        return {"name": name, "done": True, "response": {
            "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
            "videos": [{"bytesBase64Encoded": video, "mimeType": "video/mp4"}],
            "raiMediaFilteredCount": 0, "raiMediaFilteredReasons": []}}

    def predict(body: dict) -> dict:
        check_imagen(body)
        params = body.get("parameters") or {}
        prompt = body["instances"][0]["prompt"]
        w, h = _aspect_size(params.get("aspectRatio"), 64)
        return {"predictions": [
            {"bytesBase64Encoded": base64.b64encode(seeded_png(width=w, height=h, seed=f"{prompt}{i}")).decode(),
             "mimeType": "image/png"} for i in range(int(params.get("sampleCount") or 1))]}

    def generate(model: str, body: dict, vertex: bool) -> dict:
        if model not in (VERTEX_CONTENT_MODELS if vertex else CONTENT_MODELS):
            raise Reject(404, f"models/{model} is not found for API version v1beta, or is not supported for "
                              "generateContent.", "NOT_FOUND")
        config = check_content(body)
        parts: list[dict]
        if "IMAGE" in (config.get("responseModalities") or []):
            w, h = _aspect_size((config.get("imageConfig") or {}).get("aspectRatio"), 64)
            text = json.dumps(body["contents"])[:200]
            parts = [{"inlineData": {"mimeType": "image/png",
                                     "data": base64.b64encode(seeded_png(width=w, height=h, seed=text)).decode()}}]
        elif config.get("responseMimeType") == "application/json":
            schema = config.get("responseJsonSchema") or config.get("responseSchema") or {"type": "object"}
            parts = [{"text": json.dumps(instance_from_schema(schema))}]
        else:
            parts = [{"text": "emulated answer"}]
        return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 10, "totalTokenCount": 20},
                "modelVersion": model}

    async def other_routes(full: str, request: Request, body: Any) -> Response | None:
        """The key checks, the token endpoint and the Interactions API; None for the classic routes."""
        m_list, m_get, m_int = _DEV_LIST.match(full), _VERTEX_GET.match(full), _INTERACTIONS.match(full)
        if full == "/token" and request.method == "POST":
            record("token", request, full, {})
            state.calls[-1]["raw"] = (await request.body()).decode("utf-8", "replace")
            with state.lock:
                token = f"ya29.issued-{len(state.issued_tokens) + 1}-{uuid.uuid4().hex[:8]}"
                state.issued_tokens.append(token)
            return JSONResponse({"access_token": token, "expires_in": state.token_lifetime_s, "token_type": "Bearer"})
        if not (m_list or m_get or m_int):
            return None
        route = "models" if (m_list or m_get) else ("interaction" if request.method == "POST" and not m_int.group(2)
                                                    else "interaction_poll")
        record(route, request, full, body)
        try:
            check_auth(request, vertex=bool(m_get))
            import anyio

            early = await anyio.to_thread.run_sync(answer_fault, state.faults.take(route))
            if early is not None:
                return early
            if m_list:
                return JSONResponse({"models": [{"name": f"models/{m}", "supportedGenerationMethods": ["generateContent"]}
                                                for m in sorted(state.api_models)]})
            if m_get:
                if m_get.group(2) not in state.vertex_models:
                    raise Reject(404, f"Publisher model {m_get.group(2)} not found.", "NOT_FOUND")
                return JSONResponse({"name": f"publishers/google/models/{m_get.group(2)}"})
            _, iid, cancel = m_int.groups()
            if not iid:
                try:
                    it = omni.start(body, seconds=state.job_seconds)
                except omni.OmniReject as exc:
                    raise Reject(exc.code, exc.message, exc.status) from None
                with state.lock:
                    state.interactions[it.id] = it
                return JSONResponse({"id": it.id, "model": it.model, "status": "in_progress"})
            it = state.interactions.get(iid)
            if it is None:
                raise Reject(404, f"Interaction {iid} not found.", "NOT_FOUND")
            if cancel:
                it.cancelled = True
            return JSONResponse(omni.answer(it, _aspect_size(it.aspect)))
        except Reject as exc:
            return JSONResponse(error_body(exc.code, exc.message, exc.status), status_code=exc.code)

    routes = {"predictLongRunning": "create", "fetchPredictOperation": "poll", "predict": "predict",
              "generateContent": "generate"}

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def dispatch(path: str, request: Request) -> Response:
        raw = await request.body()
        full = "/" + path
        m_vertex, m_dev = _VERTEX.match(full), _DEV.match(full)
        try:
            body = json.loads(raw) if raw and full != "/token" else {}
        except json.JSONDecodeError:
            return JSONResponse(error_body(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"), 400)
        extra = await other_routes(full, request, body)
        if extra is not None:
            return extra
        if m_vertex:
            _, project, location, model, method = m_vertex.groups()
            base = f"projects/{project}/locations/{location}/publishers/google/models/{model}"
        elif m_dev:
            _, model, method = m_dev.groups()
            base = f"models/{model}"
        else:
            record("unknown", request, full, body)
            return JSONResponse(error_body(404, f"Method not found: {full}", "NOT_FOUND"), 404)
        route = routes.get(method, "unknown")
        record(route, request, full, body)
        if route == "unknown" or request.method != "POST" or (m_dev and route != "generate"):
            return JSONResponse(error_body(404, f"Method not found: {full}", "NOT_FOUND"), 404)
        try:
            check_auth(request, vertex=bool(m_vertex))
            fault = state.faults.take(route)
            # Slow answers must not block the event loop: run the handler in a worker thread.
            import anyio

            early = await anyio.to_thread.run_sync(answer_fault, fault)
            if early is not None:
                return early
            if route == "create":
                return JSONResponse(create(model, base, body, fault))
            if route == "poll":
                return JSONResponse(fetch(base, body))
            if route == "predict":
                return JSONResponse(predict(body))
            return JSONResponse(generate(model, body, vertex=bool(m_vertex)))
        except Reject as exc:
            return JSONResponse(error_body(exc.code, exc.message, exc.status), status_code=exc.code)

    return app
