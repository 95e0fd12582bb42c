"""Create and read MediaAsset records: the one place that turns stored bytes into metadata rows."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import select

from core.db import session
from core.errors import NotFound
from core.models import MediaAsset
from core.storage import relative_to_data, resolve_data_path, store_bytes, store_file


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
    **fields: Any,
) -> MediaAsset:
    """Store bytes (or a file) and record a MediaAsset with the unified metadata; returns the saved row.

    ``fields`` are further MediaAsset columns (character_id, shot_id, start_frame_used, duration_s…).
    """
    if data is not None:
        path, digest = store_bytes(data=data, mime=mime, project_id=project_id)
    elif src_path is not None:
        path, digest = store_file(src=src_path, mime=mime, project_id=project_id, move=move)
    else:
        raise ValueError("create_asset needs data or src_path")
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
    return asset


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
