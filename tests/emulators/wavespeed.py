"""Loopback emulator of the WaveSpeed API for InfiniteTalk (../shared/provider_docs/wavespeed.md §10).

Serves ``POST /api/v3/{model_id}`` for the eight InfiniteTalk model ids, the poll endpoints
``GET /api/v3/predictions/{id}/result`` and ``GET /api/v3/predictions/{id}``, both upload flows
(``POST /api/v3/media/upload/binary`` multipart ``file``; ``POST /api/v3/media/uploads`` + ``PUT``),
and plain hosts for uploaded media (``/media/...``) and outputs (``/outputs/...``).

Checks: ``Authorization: Bearer <key>`` (401), every body field against the model's documented
table (an undocumented field, a missing required media field, a bad ``resolution``/``order``/
``seed`` → 400 with ``{"code": 400, "message": …}``), media fields must be http(s) URLs (a
local path is refused, as the real service does), and an uploaded file must have the right kind
(``image`` field an image, ``audio`` an audio file, ``video`` a video). Answers use the documented
envelope ``{"code": 200, "message": "success", "data": {...}}``. A failed task is answered with
**HTTP 200** and ``data.status == "failed"``, as documented.

Tasks move ``created`` → ``processing`` → ``completed`` over ``steps`` polls. Faults
(``FaultQueue``, routes ``submit``, ``poll``, ``upload``, ``download``): ``status`` (with
``Retry-After``), ``slow``, ``malformed``, ``fail_job`` (the task ends failed with the message),
``forbidden_download`` (the output answers 403).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.emulators.media import clip_mp4
from tests.emulators.server import Fault, RecordingEmulator, answer_fault, base_url, read_body, record, retry_after

_IMAGE = {"audio", "image", "mask_image", "prompt", "resolution", "seed"}
_VIDEO = {"audio", "video", "mask_image", "prompt", "resolution", "seed"}
_MULTI = {"image", "left_audio", "right_audio", "prompt", "order", "resolution", "seed"}
_VIDEO_MULTI = {"video", "left_audio", "right_audio", "mask_image", "prompt", "order", "resolution", "seed"}
MODELS: dict[str, set[str]] = {
    "wavespeed-ai/infinitetalk": _IMAGE,
    "wavespeed-ai/infinitetalk/video-to-video": _VIDEO,
    "wavespeed-ai/infinitetalk/multi": _MULTI,
    "wavespeed-ai/infinitetalk/video-to-video-multi": _VIDEO_MULTI,
    "wavespeed-ai/infinitetalk-fast": _IMAGE - {"resolution"},
    "wavespeed-ai/infinitetalk-fast/video-to-video": _VIDEO - {"resolution"},
    "wavespeed-ai/infinitetalk-fast/multi": _MULTI - {"resolution"},
    "wavespeed-ai/infinitetalk-fast/video-to-video-multi": _VIDEO_MULTI - {"resolution"},
}
_REQUIRED = ("image", "video", "audio", "left_audio", "right_audio")
_KIND = {"image": "image/", "mask_image": "image/", "video": "video/", "audio": "audio/",
         "left_audio": "audio/", "right_audio": "audio/"}
_COMMON = {"enable_sync_mode"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "message": message, "data": None}, status_code=status, headers=headers)


def _ok(data: dict) -> JSONResponse:
    return JSONResponse({"code": 200, "message": "success", "data": data})


class WaveSpeedEmulator(RecordingEmulator):
    """State, request log and FastAPI ``app`` of one emulated WaveSpeed account."""

    def __init__(self, *, api_key: str, steps: int = 2):
        self.api_key = api_key
        self.steps = steps
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.tasks: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.balance_paths = {"/api/v3/balance", "/api/v3/account/balance"}

    def media_for(self, url: str) -> dict | None:
        """The uploaded file a ``download_url`` names (``{"filename", "content_type", "data"}``), or None."""
        return self.media.get(url.rsplit("/media/", 1)[-1].split("/", 1)[0]) if "/media/" in url else None

    async def _enter(self, request: Request, route: str, *, auth: bool = True) -> tuple[Response | None, Fault | None, Any]:
        """Record the request, check auth, apply a due fault. Returns (early response, fault, body)."""
        body = await read_body(request)
        record(self.requests, request, route=route, body=body)
        if auth and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Unauthorized: invalid API key"), None, body
        early, fault = await answer_fault(self.faults, route, malformed="<html>502 upstream",
                                          error=lambda f: _error(f.status, f.message, retry_after(f)))
        return early, fault, body

    def _store(self, base: str, filename: str, content_type: str, data: bytes) -> dict:
        fid = secrets.token_hex(8)
        self.media[fid] = {"filename": filename, "content_type": content_type, "data": data}
        kind = content_type.split("/", 1)[0] if "/" in content_type else "file"
        return {"type": kind, "download_url": f"{base}/media/{fid}/{filename}", "filename": filename, "size": len(data)}

    def _check_body(self, model: str, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "request body must be a JSON object"
        allowed = MODELS[model] | _COMMON
        for k in body:
            if k not in allowed:
                return f"invalid parameter: {k} is not supported by {model}"
        for k in _REQUIRED:
            if k in MODELS[model] and not body.get(k):
                return f"missing required parameter: {k}"
        for k, prefix in _KIND.items():
            if k not in body:
                continue
            url = body[k]
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                return f"{k} must be a URL (got {str(url)[:40]!r})"
            media = self.media_for(url)
            if "/media/" in url and media is None:
                return f"{k}: file not found"
            if media and not media["content_type"].startswith(prefix):
                return f"{k} must be {prefix[:-1]} media, got {media['content_type']}"
        if "resolution" in body and body["resolution"] not in ("480p", "720p"):
            return "resolution must be one of 480p, 720p"
        if "order" in body and body["order"] not in ("meanwhile", "left_right", "right_left"):
            return "order must be one of meanwhile, left_right, right_left"
        seed = body.get("seed", -1)
        if not isinstance(seed, int) or isinstance(seed, bool) or not -1 <= seed <= 2147483647:
            return "seed must be an integer between -1 and 2147483647"
        return None

    def _task(self, base: str, tid: str) -> dict:
        t = self.tasks[tid]
        return {"id": tid, "model": t["model"], "status": t["status"], "outputs": t["outputs"],
                "urls": {"get": f"{base}/api/v3/predictions/{tid}/result"},
                "has_nsfw_contents": [False] * len(t["outputs"]), "created_at": t["created_at"],
                "error": t["error"], "timings": {"inference": t["inference_ms"]}}

    def _advance(self, base: str, tid: str) -> None:
        t = self.tasks[tid]
        if t["status"] not in ("created", "processing"):
            return
        t["polls"] += 1
        if t["polls"] < self.steps:
            t["status"] = "processing"
        elif t["fault"] is not None and t["fault"].kind == "fail_job":
            t.update(status="failed", error=t["fault"].message)
        else:
            t.update(status="completed", outputs=[f"{base}/outputs/{tid}.mp4"], inference_ms=1234)

    def _build(self) -> FastAPI:
        app = FastAPI()
        em = self

        @app.post("/api/v3/media/upload/binary")
        async def upload_binary(request: Request):
            early, _, body = await em._enter(request, "upload")
            if early:
                return early
            part = body.get("file") if isinstance(body, dict) else None
            if not isinstance(part, dict) or not part["data"]:
                return _error(400, "missing file part 'file'")
            return _ok(em._store(base_url(request), part["filename"] or "upload", part["content_type"] or
                                 "application/octet-stream", part["data"]))

        @app.post("/api/v3/media/uploads")
        async def upload_ticket(request: Request):
            early, _, body = await em._enter(request, "upload")
            if early:
                return early
            if not isinstance(body, dict) or not body.get("filename") or not isinstance(body.get("size"), int):
                return _error(400, "filename and size are required")
            data = em._store(base_url(request), body["filename"], body.get("content_type") or "application/octet-stream", b"")
            fid = data["download_url"].rsplit("/media/", 1)[1].split("/", 1)[0]
            data["upload"] = {"method": "PUT", "url": f"{base_url(request)}/upload/{fid}",
                              "headers": {"Content-Type": body.get("content_type") or "application/octet-stream"}}
            return _ok(data)

        @app.put("/upload/{fid}")
        async def upload_put(fid: str, request: Request):
            if fid not in em.media:
                return Response(status_code=404)
            em.media[fid]["data"] = await request.body()
            return Response(status_code=200)

        @app.get("/media/{fid}/{filename}")
        async def media_get(fid: str, filename: str):
            m = em.media.get(fid)
            return Response(m["data"], media_type=m["content_type"]) if m else Response(status_code=404)

        async def poll(tid: str, request: Request):
            early, _, _ = await em._enter(request, "poll")
            if early:
                return early
            if tid not in em.tasks:
                return _error(404, f"prediction {tid} not found")
            with em._lock:
                em._advance(base_url(request), tid)
            return _ok(em._task(base_url(request), tid))

        @app.get("/api/v3/predictions/{tid}/result")
        async def poll_result(tid: str, request: Request):
            return await poll(tid, request)

        @app.get("/api/v3/predictions/{tid}")
        async def poll_plain(tid: str, request: Request):
            return await poll(tid, request)

        @app.get("/outputs/{name}")
        async def output(name: str, request: Request):
            early, fault, _ = await em._enter(request, "download", auth=False)
            if early:
                return early
            if fault and fault.kind == "forbidden_download":
                return Response("Forbidden", status_code=403)
            if name.removesuffix(".mp4") not in em.tasks:
                return Response(status_code=404)
            return Response(clip_mp4(), media_type="video/mp4")

        @app.get("/api/v3/balance")
        async def balance(request: Request):
            # Two documented paths (UPDATE-2026-12 §4); ``balance_paths`` lets a test serve only one.
            early, _, _ = await em._enter(request, "balance")
            if early:
                return early
            if "/api/v3/balance" not in em.balance_paths:
                return _error(404, "Not Found")
            return _ok({"balance": 12.5})

        @app.get("/api/v3/account/balance")
        async def account_balance(request: Request):
            early, _, _ = await em._enter(request, "balance")
            if early:
                return early
            if "/api/v3/account/balance" not in em.balance_paths:
                return _error(404, "Not Found")
            return _ok({"balance": 12.5, "currency": "USD"})

        @app.post("/api/v3/{model_id:path}")
        async def submit(model_id: str, request: Request):
            early, fault, body = await em._enter(request, "submit")
            if early:
                return early
            if model_id not in MODELS:
                return _error(404, f"model {model_id} not found")
            problem = em._check_body(model_id, body)
            if problem:
                return _error(400, problem)
            tid = secrets.token_hex(16)
            with em._lock:
                em.tasks[tid] = {"model": model_id, "status": "created", "outputs": [], "error": "", "polls": 0,
                                 "created_at": _now(), "inference_ms": 0, "fault": fault, "body": body}
            return _ok(em._task(base_url(request), tid))

        return app


def make_app(*, api_key: str, steps: int = 2) -> WaveSpeedEmulator:
    """Return an emulator; serve ``emulator.app`` with ``tests.emulators.server.serve``."""
    return WaveSpeedEmulator(api_key=api_key, steps=steps)
