"""``python -m core jobs list [--project ID] [--status S]`` | ``jobs show ID`` | ``jobs cancel ID`` |
``jobs resend ID --yes``: look at jobs and act on them (one JSON object per line).

``resend`` sends again a job whose outcome is unknown (the provider may have accepted and may bill
the first request) or that failed with a temporary error; it needs ``--yes`` to say the user
checked the provider's dashboard and accepts paying again.
"""
from __future__ import annotations

import argparse
import json

from core.errors import InvalidInput
from core.jobs import service


def _line(job) -> str:
    return json.dumps({"job_id": job.id, "status": job.status, "provider": job.provider, "model": job.model,
                       "kind": job.kind, "project_id": job.project_id, "shot_id": job.shot_id,
                       "progress": job.progress, "attempts": job.attempts, "worker": job.worker,
                       "media_id": job.result_media_id, "error": job.error or None,
                       "created_at": job.created_at.isoformat() if job.created_at else None}, ensure_ascii=False)


def handle(args: argparse.Namespace) -> int:
    """Run one jobs action; returns 0. Raises NotFound, InvalidInput (exit 2 via the CLI)."""

    if args.action == "list":
        for job in service.list_jobs(project_id=args.project, status=args.status, limit=args.limit):
            print(_line(job))
        return 0
    if not args.job_id:
        raise InvalidInput(f"jobs {args.action} needs a job id", field="job_id")
    if args.action == "show":
        job = service.get_job(job_id=args.job_id)
    elif args.action == "cancel":
        job = service.cancel_job(job_id=args.job_id)
    else:
        if not args.yes:
            raise InvalidInput("resend may pay the provider a second time: check its dashboard, then add --yes",
                               field="yes")
        job = service.resend_job(job_id=args.job_id)
    print(_line(job))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``jobs`` command."""
    parser = subparsers.add_parser("jobs", help="list, show, cancel or send again jobs",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("list", "show", "cancel", "resend"))
    parser.add_argument("job_id", nargs="?", default=None)
    parser.add_argument("--project", type=int, default=None, help="only this project's jobs (list)")
    parser.add_argument("--status", default=None, help="only this status, or 'active' (list)")
    parser.add_argument("--limit", type=int, default=50, help="at most this many (list)")
    parser.add_argument("--yes", action="store_true", help="confirm sending again (resend)")
    parser.set_defaults(func=handle)
