"""Serve an ASGI app on 127.0.0.1 in a background thread, a tiny fault-injection queue, and the
request intake the HTTP emulators share (read and record a request, answer a due fault).

Every emulator is a FastAPI app built by a function; tests start it with ``serve(app)`` and aim
the real SDK clients at the returned base URL through the API.md base-URL settings.
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import uvicorn
from fastapi import Request
from fastapi.responses import Response


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` on a free loopback port; yields its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("emulator did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@dataclass
class Fault:
    """One injected failure for the next matching request.

    kind: "status" (answer ``status`` with the provider's documented error body, and
    ``Retry-After`` when given), "slow" (sleep ``delay_s`` before answering), "malformed" (200 with
    a body that is not JSON), "fail_job" (the job ends in the provider's failed state),
    "forbidden_download" (the output download answers 403).
    """

    kind: str
    route: str = "*"  # a key the emulator matches, e.g. "create", "poll", "download"
    status: int = 500
    retry_after: float | None = None
    delay_s: float = 0.0
    message: str = "injected failure"


@dataclass
class FaultQueue:
    """Faults consumed in order by the first request whose route matches."""

    items: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault, times: int = 1) -> None:
        with self.lock:
            for _ in range(times):
                self.items.append(fault)

    def take(self, route: str) -> Fault | None:
        with self.lock:
            for f in list(self.items):
                if f.route in ("*", route):
                    self.items.remove(f)
                    return f
        return None


def retry_after(fault: Fault) -> dict | None:
    """The ``Retry-After`` header of a status fault, or None when it has none."""
    return {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None


async def read_body(request: Request) -> Any:
    """The body as emulators record it: a multipart form as ``{name: text or {"filename",
    "content_type", "size", "data"}}``, JSON parsed, other bytes as they are, an empty body None."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        body = {}
        for k, v in form.multi_items():
            if hasattr(v, "read"):
                data = await v.read()
                body[k] = {"filename": v.filename, "content_type": v.content_type, "size": len(data), "data": data}
            else:
                body[k] = v
        return body
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def record(requests: list, request: Request, *, route: str, body: Any) -> None:
    """Append one request to an emulator's log (what ``calls(route)`` filters)."""
    requests.append({"route": route, "method": request.method, "path": request.url.path,
                     "query": dict(request.query_params), "headers": dict(request.headers), "body": body})


async def answer_fault(faults: FaultQueue, route: str, *, error: Callable[[Fault], Response],
                       malformed: str) -> tuple[Response | None, Fault | None]:
    """Take the fault due for ``route`` and apply it: returns (early answer, job-level fault).

    ``slow`` sleeps then lets the request through; ``status`` answers ``error(fault)``;
    ``malformed`` answers 200 with the body ``malformed`` (not JSON); any other kind is handed back
    for the route to apply to its job."""
    fault = faults.take(route)
    if fault is None:
        return None, None
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay_s)
        return None, None
    if fault.kind == "status":
        return error(fault), None
    if fault.kind == "malformed":
        return Response(malformed, status_code=200, media_type="application/json"), None
    return None, fault


class RecordingEmulator:
    """Base of the HTTP emulators: a request log, a fault queue, a lock and the FastAPI ``app``
    that ``_build`` makes. A subclass sets its own settings, then calls ``super().__init__()``,
    and extends ``reset`` with its own jobs and files."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()
        self.app = self._build()

    def reset(self) -> None:
        """Forget every request, job, file and pending fault (one server can serve many tests)."""
        self.faults = FaultQueue()
        self.requests: list[dict[str, Any]] = []

    def calls(self, route: str) -> list[dict]:
        """Recorded requests of one route (the routes are listed in each emulator's docstring)."""
        return [r for r in self.requests if r["route"] == route]

    def _build(self):
        raise NotImplementedError


def base_url(request: Request) -> str:
    """The emulator's own base URL as the client reached it (``http://127.0.0.1:PORT``)."""
    return str(request.base_url).rstrip("/")
