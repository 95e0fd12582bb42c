"""Content-addressed media files under ``<data dir>/media/<project>/``.

Files are named by the SHA-256 of their bytes plus an extension derived from their content, never
by a user-supplied name, and are written atomically (temp file in the same folder, fsync, rename),
so a crash never leaves a half file under a final name.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from core.media.files import atomic_path, atomic_write_bytes, sha256_bytes, sha256_file
from core.errors import InvalidInput, NotFound
from core.settings import get_settings

_EXT_BY_MIME = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
    "audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/webm": ".weba",
    "audio/mp4": ".m4a", "audio/flac": ".flac", "text/plain": ".txt", "application/json": ".json",
    "application/x-subrip": ".srt", "text/vtt": ".vtt",
}






def ext_for_mime(mime: str) -> str:
    return _EXT_BY_MIME.get(mime.split(";")[0].strip().lower(), ".bin")


def _project_dir(project_id: int | None) -> Path:
    sub = str(int(project_id)) if project_id is not None else "shared"
    d = get_settings().media_dir / sub
    d.mkdir(parents=True, exist_ok=True)
    return d




def store_bytes(*, data: bytes, mime: str, project_id: int | None) -> tuple[Path, str]:
    """Store bytes content-addressed; returns (absolute path, sha256). Identical bytes share a file."""
    digest = sha256_bytes(data)
    path = _project_dir(project_id) / f"{digest}{ext_for_mime(mime)}"
    if not path.exists():
        atomic_write_bytes(path=path, data=data)
    return path, digest


def store_file(*, src: Path, mime: str, project_id: int | None, move: bool = False) -> tuple[Path, str]:
    """Store an existing file content-addressed (copy, or move when ``move``); returns (path, sha256)."""
    digest = sha256_file(src)
    path = _project_dir(project_id) / f"{digest}{ext_for_mime(mime)}"
    if path.exists():
        if move:
            Path(src).unlink(missing_ok=True)
        return path, digest
    with atomic_path(path) as tmp:
        if move:
            shutil.move(str(src), tmp)
        else:
            shutil.copyfile(src, tmp)
    return path, digest


def relative_to_data(path: Path) -> str:
    """Return ``path`` relative to the data dir (what the database stores)."""
    return Path(path).resolve().relative_to(get_settings().data_dir.resolve()).as_posix()


def resolve_data_path(rel: str) -> Path:
    """Return the absolute path of a stored relative path, refusing anything outside the data dir.

    Raises NotFound when the file is missing, InvalidInput for a path that escapes the data dir.
    """
    root = get_settings().data_dir.resolve()
    path = (root / rel).resolve()
    if path != root and root not in path.parents:
        raise InvalidInput("File path is outside the data directory.", field="file_path")
    if not path.is_file():
        raise NotFound(f"Media file {rel!r} is missing from the data directory.", field="file_path")
    return path


def scratch_dir(*, name: str = "tmp") -> Path:
    """Return a writable scratch folder inside the data dir (same filesystem, so renames are atomic)."""
    d = get_settings().data_dir / name
    d.mkdir(parents=True, exist_ok=True)
    return d
