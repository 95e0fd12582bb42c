"""``python -m core serve [--host 127.0.0.1] [--port 8000]``: run the HTTP API (``core.api:app``).

Without ``STORYREEL_API_TOKEN`` only a loopback host is accepted; with it any interface may be
served and every request needs ``Authorization: Bearer <token>``.
"""
from __future__ import annotations

import argparse

from core.api.security import check_bind_host
from core.errors import InvalidInput
from core.storage import check_data_dir, check_media_store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser("serve", help="start the HTTP API (OpenAPI docs at /docs)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default 127.0.0.1; others need STORYREEL_API_TOKEN)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace, *, run=None) -> int:
    """Serve until interrupted; returns 0. Raises Unauthorized (exit 2 via the CLI) for a non-loopback
    ``--host`` without a token, DataDirUnavailable for an unusable data dir. ``run`` replaces ``uvicorn.run`` (tests)."""
    check_bind_host(host=args.host)
    check_data_dir()  # refuse to start on a missing, read-only or full data dir, naming STORYREEL_DATA_DIR
    check_media_store()  # and on an S3 media store that does not answer, naming STORYREEL_MEDIA_URL
    if not 0 < args.port < 65536:

        raise InvalidInput(f"--port must be between 1 and 65535 (got {args.port}).", field="port")
    if run is None:
        import uvicorn

        run = uvicorn.run
    run("core.api:app", host=args.host, port=args.port, log_level=args.log_level, proxy_headers=False)
    return 0
