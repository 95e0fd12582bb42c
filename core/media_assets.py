"""Create and read MediaAsset records: the one place that turns stored bytes into metadata rows.

Every stored asset also has a JSON metadata file beside its media file, ``<media_id>.json`` in
the same folder, holding the unified record exactly as ``GET /media/{media_id}`` answers it
(:func:`asset_record`). It is written atomically after each commit that inserts or changes the
row — whichever code path changed it, through the session events below — and removed with the
row, so it stays in step with the database.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from core.accounts.activity import record
from core.accounts.identity import current_user
from core.credentials import redact
from core.db import session
from core.errors import NotFound
from core.models import MediaAsset
from core.settings import get_settings
from core.storage import publish_file, relative_to_data, remove_media, resolve_data_path, store_bytes, store_file
from core.media.files import atomic_write_bytes

log = logging.getLogger(__name__)
_PENDING = "storyreel_sidecars"
# The origin of what the studio makes itself from other assets (a voice line's treatment, a score
# joined from beds): the offline engine's name, so the library, costs and caches treat it as local work.
MADE_HERE = "local"


def _redact(params: dict) -> dict:
    # Secrets never belong in metadata; providers' keys are never passed as params, but a user
    # could paste one into a free-form field name like "api_key" — drop such keys defensively.
    return {k: v for k, v in (params or {}).items() if not any(s in k.lower() for s in ("key", "token", "secret", "password"))}


def create_asset(
    *,
    type: str,
    project_id: int | None,
    data: bytes | None = None,
    src_path: Path | None = None,
    move: bool = False,
    mime: str,
    provider: str = "",
    model: str = "",
    operation: str = "",
    input_params: dict | None = None,
    activity: bool = True,
    **fields: Any,
) -> MediaAsset:
    """Store bytes (or a file) and record a MediaAsset with the unified metadata; returns the saved row.

    ``fields`` are further MediaAsset columns (character_id, shot_id, start_frame_used, duration_s…).
    ``created_by`` defaults to the current user, who also gets an entry in the project's activity list
    (``activity=False`` for pieces derived from another asset: extracted frames, subtitle files).
    """
    if data is not None:
        path, digest = store_bytes(data=data, mime=mime, project_id=project_id)
    elif src_path is not None:
        path, digest = store_file(src=src_path, mime=mime, project_id=project_id, move=move)
    else:
        raise ValueError("create_asset needs data or src_path")
    fields.setdefault("created_by", current_user())
    asset = MediaAsset(
        type=type,
        project_id=project_id,
        provider=provider,
        model=model,
        operation=operation,
        input_params=_redact(input_params or {}),
        file_path=relative_to_data(path),
        mime_type=mime,
        content_hash=digest,
        size_bytes=path.stat().st_size,
        **fields,
    )
    with session() as s:
        s.add(asset)
        if activity:
            record(s, project_id=project_id, action="asset", subject=_describe(asset), ref=asset.media_id)
    return asset


def _describe(asset: MediaAsset) -> str:
    """A short line naming a new asset for the activity list: "image · keyframe · local/keyframe · shot 3"."""
    parts = [asset.type, asset.label or asset.operation]
    if asset.provider and asset.model and asset.provider not in ("upload", "render"):
        parts.append(f"{asset.provider}/{asset.model}")
    if asset.shot_id is not None:
        parts.append(f"shot {asset.shot_id}")
    return " · ".join(p for p in parts if p)


def _asset_in(s, media_id: str) -> MediaAsset:
    """The asset ``media_id`` read through session ``s``; raises NotFound."""
    asset = s.get(MediaAsset, media_id)
    if asset is None:
        raise NotFound(f"No media with id {media_id!r}.", field="media_id")
    return asset


def get_asset(*, media_id: str) -> MediaAsset:
    """Return the MediaAsset with this id; raises NotFound."""
    with session() as s:
        return _asset_in(s, media_id)


def asset_path(*, media_id: str) -> Path:
    """Return the absolute file path of an asset; raises NotFound."""
    return resolve_data_path(get_asset(media_id=media_id).file_path)


def list_assets(*, project_id: int | None, type: str | None = None, shot_id: int | None = None) -> list[MediaAsset]:
    """Return a project's assets, newest first, optionally filtered by type and shot."""
    with session() as s:
        q = select(MediaAsset).where(MediaAsset.project_id == project_id)
        if type:
            q = q.where(MediaAsset.type == type)
        if shot_id is not None:
            q = q.where(MediaAsset.shot_id == shot_id)
        return list(s.exec(q.order_by(MediaAsset.timestamp.desc())).all())


def update_asset(*, media_id: str, **fields: Any) -> MediaAsset:
    """Set fields on an asset; returns it. Raises NotFound."""
    with session() as s:
        asset = _asset_in(s, media_id)
        for k, v in fields.items():
            setattr(asset, k, v)
        s.add(asset)
    return asset


# ---- the unified record and its JSON file beside the media --------------------------------------
def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def asset_record(asset: MediaAsset) -> dict:
    """Return the unified metadata record of an asset (what ``GET /media/{id}`` answers and the
    sidecar holds): every stored field, input params with any secret redacted, and the file URL."""
    data = asset.model_dump(mode="json")
    data["input_params"] = _scrub(data.get("input_params") or {})
    data["url"] = f"/media/{asset.media_id}/file"
    return data


def sidecar_path(*, file_path: str, media_id: str) -> Path:
    """Return where the metadata file of the asset stored at ``file_path`` (data-dir relative) lives."""
    return (get_settings().data_dir / file_path).parent / f"{media_id}.json"


def write_sidecar(asset: MediaAsset) -> Path:
    """Write the asset's metadata file atomically, here and in the media store; returns its path."""
    path = sidecar_path(file_path=asset.file_path, media_id=asset.media_id)
    body = json.dumps(asset_record(asset), indent=1, ensure_ascii=False, sort_keys=True)
    atomic_write_bytes(path=path, data=body.encode("utf-8"))
    publish_file(path=path)
    return path


@event.listens_for(OrmSession, "after_flush")
def _note_changed_assets(s: OrmSession, _context) -> None:
    # new/dirty/deleted still show the flushed state here; the files are written after commit.
    pending = s.info.setdefault(_PENDING, {})
    for obj in (*s.new, *s.dirty):
        if isinstance(obj, MediaAsset):
            pending[obj.media_id] = ("write", obj.file_path)
    for obj in s.deleted:
        if isinstance(obj, MediaAsset):
            pending[obj.media_id] = ("delete", obj.file_path)


@event.listens_for(OrmSession, "after_rollback")
def _forget_changed_assets(s: OrmSession) -> None:
    s.info.pop(_PENDING, None)


@event.listens_for(OrmSession, "after_commit")
def _write_sidecars(s: OrmSession) -> None:
    pending = s.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        # Read the rows as committed (a fresh session): the file holds what the API answers.
        with session() as fresh:
            for media_id, (action, file_path) in pending.items():
                asset = fresh.get(MediaAsset, media_id) if action == "write" else None
                if asset is not None:
                    write_sidecar(asset)
                else:
                    remove_media(rel=str(Path(file_path).parent / f"{media_id}.json"))
    except Exception:  # noqa: BLE001 - the row is committed; a missing sidecar is logged, never fatal
        log.exception("could not write the metadata file of media %s", ", ".join(pending))
