"""``python -m core export PROJECT_ID --format otio/fcpxml/edl --out FILE.zip``: the project's
timeline for an editing program (OpenTimelineIO, Final Cut Pro 7 XML, CMX 3600 EDL), zipped with
its media relinked by relative paths. Runs as an export job, like ``POST /export/timeline``, and
prints a JSON summary as the last line.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from core.commands import report_user_error
from core.errors import RenderError, StoryreelError
from core.jobs.service import reset_runner
from core.media_assets import asset_path, get_asset
from core.render.handoff import FORMATS
from core.render.service import export_project, wait_render


def handler(args: argparse.Namespace) -> int:
    """Export and copy the zip to ``--out``; returns 0, or 2 with the message on stderr."""
    try:
        job = wait_render(job_id=export_project(project_id=args.project_id, fmt=args.format).id)
        if job.status != "succeeded":
            raise RenderError(f"Export {job.status}: {job.error or 'no result'}", field="project_id")
        asset = get_asset(media_id=job.result_media_id)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset_path(media_id=asset.media_id), out)
    except StoryreelError as exc:
        return report_user_error(exc)
    finally:
        reset_runner()  # stop the job workers so the process exits promptly
    print(json.dumps({"out": str(out), "format": args.format, "media_id": asset.media_id,
                      "timeline_file": asset.extra.get("timeline_file"), "clips": asset.extra.get("clips"),
                      "track_files": asset.extra.get("track_files") or [],
                      "media": len(asset.extra.get("media") or [])}), flush=True)
    return 0


def register(subparsers) -> None:
    """Add the ``export`` subcommand to an argparse ``subparsers`` object."""
    p = subparsers.add_parser("export", help="the timeline for an editing program, with its media (zip)",
                              description=__doc__.split("\n\n")[0].split(": ", 1)[-1])
    p.add_argument("project_id", type=int, help="the project's id")
    p.add_argument("--format", choices=tuple(FORMATS), default="otio",
                   help="otio (OpenTimelineIO), fcpxml (Final Cut Pro 7 XML: Premiere, Resolve) or edl (CMX 3600)")
    p.add_argument("--out", required=True, help="the zip to write")
    p.set_defaults(func=handler)
