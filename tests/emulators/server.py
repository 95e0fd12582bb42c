"""Serve an ASGI app on 127.0.0.1 in a background thread, and a tiny fault-injection queue.

Every emulator is a FastAPI app built by a function; tests start it with ``serve(app)`` and aim
the real SDK clients at the returned base URL through the API.md base-URL settings.
"""
from __future__ import annotations

import socket
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import uvicorn


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
