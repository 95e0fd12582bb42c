"""Turning a finished job's outputs into MediaAssets with the full unified metadata (seed §10):
probe each file (duration, size), record what went in (params, frames, references, character,
shot, cost), and for videos extract the first and last frames as image assets.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlmodel import select

from core.db import session
from core.media.checks import KINDS, check_media_file
from core.models import Job, MediaAsset
from core.providers.base import Output
from core.storage import scratch_dir
from core.media.files import sha256_bytes, sha256_file
from core.errors import RenderError
from core.media.ffmpeg import run_ffmpeg
from core.media_assets import asset_path, create_asset, update_asset

log = logging.getLogger("storyreel.jobs")

# Capability media types that are stored under another asset type.
_ASSET_TYPE = {"lipsync": "video"}


def asset_type_for(*, media_type: str, mime: str) -> str:
    """Return the MediaAsset type of an output: the capability's media type, except that a lip-sync
    result is a video and JSON answers are text."""
    if mime == "application/json":
        return "text"
    return _ASSET_TYPE.get(media_type, media_type)


def _local_file(url: str | None) -> Path | None:
    if url and url.startswith("file://"):
        return Path(url[len("file://"):])
    return None


def _measure(path: Path, mime: str) -> dict[str, Any]:
    """Check a provider's media output like an upload (pixel limit, duration limit, readable
    headers; ``core.media.checks``) and return its width/height/duration. Raises InvalidInput
    naming ``output`` for media that breaks a limit or cannot be read; other outputs pass."""
    if mime.split("/")[0] not in KINDS:
        return {}
    return check_media_file(path=path, field="output", decode=False).asset_fields()


def _existing(job_id: str, digest: str) -> MediaAsset | None:
    # Idempotence: a job finalised before a crash (row written, status not yet) is not stored twice.
    with session() as s:
        rows = s.exec(select(MediaAsset).where(MediaAsset.content_hash == digest)).all()
    return next((a for a in rows if (a.extra or {}).get("job_id") == job_id), None)


def store_output(*, job: Job, output: Output, data: bytes | None, first: bool) -> MediaAsset:
    """Store one output of ``job`` as a MediaAsset and return it (an existing one on a retry).

    ``data`` is the downloaded bytes, or None when ``output.url`` is a ``file://`` path the
    adapter produced locally (moved into storage, not copied).
    """

    req = job.request or {}
    src = _local_file(output.url) if data is None else None
    digest = sha256_bytes(data) if data is not None else sha256_file(src)
    found = _existing(job.id, digest)
    if found is not None:
        return found
    tmp: Path | None = None
    if data is not None:
        fd, name = tempfile.mkstemp(dir=scratch_dir(), suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp = src = Path(name)
    try:
        measured = _measure(src, output.mime)
        used = req.get("used") or {}
        asset = create_asset(
            type=asset_type_for(media_type=req.get("media_type", ""), mime=output.mime),
            project_id=job.project_id, src_path=src, move=True, mime=output.mime,
            provider=job.provider, model=job.model, operation=job.kind,
            input_params={**(req.get("params") or {}), **(req.get("inputs") or {})},
            character_id=job.character_id, shot_id=job.shot_id,
            start_frame_used=used.get("start_frame"), end_frame_used=used.get("end_frame"),
            reference_images_used=list(used.get("reference_images") or []),
            cost_estimate_usd=req.get("cost_estimate_usd") if first else None,
            extra={**(output.extra or {}), "job_id": job.id, **({"context": req["context"]} if req.get("context") else {})},
            **measured,
        )
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    if asset.type == "video":
        asset = attach_frames(asset=asset)
    return asset


def first_and_last_frames(*, video: Path) -> tuple[bytes, bytes]:
    """Return the first and last frames of a video as PNG bytes, decoded by one ffmpeg run (the
    video opened twice: from the start, and seeking to its last second).

    Raises RenderError when ffmpeg fails or yields no frame.
    """

    with tempfile.TemporaryDirectory(dir=scratch_dir()) as tmp:
        first, last = Path(tmp) / "first.png", Path(tmp) / "last.png"
        run_ffmpeg(["-loglevel", "error", "-i", str(video), "-sseof", "-1", "-i", str(video),
                    "-map", "0:v:0", "-frames:v", "1", str(first),
                    "-map", "1:v:0", "-update", "1", str(last)], what="extracting first and last frames")
        if not (first.is_file() and last.is_file()):
            raise RenderError(f"no frame could be decoded from {video.name}")
        return first.read_bytes(), last.read_bytes()


def attach_frames(*, asset: MediaAsset) -> MediaAsset:
    """Extract a video's first and last frames as image assets; returns the video asset with their ids
    in ``extra`` (``first_frame_media_id``, ``last_frame_media_id``). A video whose frames cannot be
    decoded keeps its record without them."""

    ids: dict[str, str] = {}
    try:
        frames = first_and_last_frames(video=asset_path(media_id=asset.media_id))
        for which, png in zip(("first", "last"), frames):
            frame = create_asset(type="image", project_id=asset.project_id, data=png, mime="image/png",
                                 provider=asset.provider, model=asset.model, operation="extract_frame",
                                 input_params={"which": which}, shot_id=asset.shot_id,
                                 character_id=asset.character_id, parent_id=asset.media_id,
                                 width=asset.width, height=asset.height,
                                 extra={"frame": which, "source_media_id": asset.media_id}, activity=False)
            ids[f"{which}_frame_media_id"] = frame.media_id
    except Exception as exc:
        log.warning("could not extract frames of %s: %s", asset.media_id, exc)
        return asset
    return update_asset(media_id=asset.media_id, extra={**(asset.extra or {}), **ids})
