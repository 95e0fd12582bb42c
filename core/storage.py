"""Content-addressed media files under ``<data dir>/media/<project>/``, kept in the media store.

Files are named by the SHA-256 of their bytes plus an extension derived from their content, never
by a user-supplied name, and are written atomically (temp file in the same folder, fsync, rename),
so a crash never leaves a half file under a final name. The database keeps each file's path
relative to the data dir, which is also its key in the media store (``core.media.store``,
STORYREEL_MEDIA_URL): with the default store that file is the object; with an S3 store every stored
file is put in the bucket before its row is written, and a file this machine does not have is
fetched from the bucket on first read (the data dir is then this machine's read-through cache), so
workers on several machines share media with no shared disk.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from core.media.files import atomic_path, atomic_write_bytes, sha256_bytes, sha256_file
from core.errors import (
    DataDirUnavailable, InsufficientStorage, InvalidInput, MediaStoreUnavailable, NotFound, is_disk_full,
)
from core.media.store import media_store
from core.settings import get_settings

PARTIAL_PREFIX = ".tmp-"      # hidden temp files of older atomic writes
PARTIAL_SUFFIX = ".part"      # hidden temp files of atomic writes (core.media.files) and downloads
STALE_PARTIAL_S = 120.0       # a partial file untouched this long is left over from a crash
MIN_FREE_MB = 64              # free space the data dir needs to start
_CONTENT_NAME = re.compile(r"^[0-9a-f]{64}$")  # a content-addressed file's stem: its SHA-256
CACHE_KEEP_S = 7 * 24 * 3600  # with an S3 store, local copies unused this long are dropped (fetched again on use)
TOUCH_EVERY_S = 24 * 3600  # a cached copy read again is marked as used at most this often

_EXT_BY_MIME = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
    "audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/webm": ".weba",
    "audio/mp4": ".m4a", "audio/flac": ".flac", "text/plain": ".txt", "application/json": ".json",
    "application/x-subrip": ".srt", "text/vtt": ".vtt",
}






@contextmanager
def disk_full_as_507() -> Iterator[None]:
    """Turn a full disk (ENOSPC, SQLite's "database or disk is full") inside the block into
    InsufficientStorage, which names STORYREEL_DATA_DIR; other errors pass unchanged."""
    try:
        yield
    except InsufficientStorage:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            raise InsufficientStorage() from exc
        raise


def ext_for_mime(mime: str) -> str:
    return _EXT_BY_MIME.get(mime.split(";")[0].strip().lower(), ".bin")


def _project_dir(project_id: int | None) -> Path:
    sub = str(int(project_id)) if project_id is not None else "shared"
    d = get_settings().media_dir / sub
    d.mkdir(parents=True, exist_ok=True)
    return d




def _publish(path: Path) -> None:
    """Put a stored file in the media store under its data-dir-relative key (a no-op for the
    default store, whose object is the file itself). Raises MediaStoreUnavailable."""
    store = media_store()
    if store.remote:
        store.put(key=relative_to_data(path), path=path)


def store_bytes(*, data: bytes, mime: str, project_id: int | None) -> tuple[Path, str]:
    """Store bytes content-addressed (locally, and in the media store); returns (absolute local path,
    sha256). Identical bytes share a file. Raises InsufficientStorage, MediaStoreUnavailable."""
    digest = sha256_bytes(data)
    path = _project_dir(project_id) / f"{digest}{ext_for_mime(mime)}"
    if not path.exists():
        with disk_full_as_507():  # the atomic writer removes its temp file; the user reads 507
            atomic_write_bytes(path=path, data=data)
    _publish(path)
    return path, digest


def store_file(*, src: Path, mime: str, project_id: int | None, move: bool = False) -> tuple[Path, str]:
    """Store an existing file content-addressed (copy, or move when ``move``), locally and in the
    media store; returns (path, sha256). Raises InsufficientStorage, MediaStoreUnavailable."""
    digest = sha256_file(src)
    path = _project_dir(project_id) / f"{digest}{ext_for_mime(mime)}"
    if path.exists():
        if move:
            Path(src).unlink(missing_ok=True)
    else:
        with disk_full_as_507(), atomic_path(path) as tmp:
            if move:
                shutil.move(str(src), tmp)
            else:
                shutil.copyfile(src, tmp)
    _publish(path)
    return path, digest


def publish_file(*, path: Path) -> None:
    """Put a file that changes in place (an asset's metadata file) in the media store, replacing
    what was there; a no-op for the default store. Raises MediaStoreUnavailable."""
    store = media_store()
    if store.remote:
        store.put(key=relative_to_data(path), path=path, overwrite=True)


def remove_media(*, rel: str) -> None:
    """Delete a stored file (data-dir relative) here and from the media store. Raises InvalidInput
    for a path outside the data dir, MediaStoreUnavailable."""
    root = get_settings().data_dir.resolve()
    path = (root / rel).resolve()
    if root not in path.parents:
        raise InvalidInput("File path is outside the data directory.", field="file_path")
    path.unlink(missing_ok=True)
    store = media_store()
    if store.remote:
        store.delete(key=rel)


def relative_to_data(path: Path) -> str:
    """Return ``path`` relative to the data dir (what the database stores)."""
    return Path(path).resolve().relative_to(get_settings().data_dir.resolve()).as_posix()


def resolve_data_path(rel: str) -> Path:
    """Return the absolute local path of a stored relative path, fetching it from the media store
    first when this machine does not have it (its SHA-256 name checked), and refusing anything
    outside the data dir.

    Raises NotFound when the file is in neither place, InvalidInput for a path that escapes the data
    dir, MediaStoreUnavailable when the store does not answer or hands back other bytes.
    """
    root = get_settings().data_dir.resolve()
    path = (root / rel).resolve()
    if path != root and root not in path.parents:
        raise InvalidInput("File path is outside the data directory.", field="file_path")
    store = media_store()
    if path.is_file():
        if store.remote:
            _touch(path)  # a cached copy in use is never pruned (prune_media_cache)
        return path
    if not store.remote or not store.fetch(key=Path(rel).as_posix(), dest=path):
        raise NotFound(f"Media file {rel!r} is missing from {store.describe()}.", field="file_path")
    if _CONTENT_NAME.match(path.stem) and sha256_file(path) != path.stem:
        path.unlink(missing_ok=True)
        raise MediaStoreUnavailable(f"The media store {store.describe()} handed back other bytes for {rel!r} "
                                    "than were stored (its SHA-256 differs); the copy was not kept.")
    return path


def _touch(path: Path) -> None:
    """Mark a cached copy as in use; at most once a day (reads are frequent, the pruning window is a week)."""
    try:
        if path.stat().st_mtime < time.time() - TOUCH_EVERY_S:
            os.utime(path)
    except OSError:  # gone meanwhile or read-only: the next read fetches it again
        pass


def prune_media_cache(*, older_than_s: float = CACHE_KEEP_S) -> int:
    """With an S3 media store, remove this machine's local copies of media (``<data dir>/media``)
    not written or read for ``older_than_s`` seconds — they are fetched again on next use; returns
    how many. With the default store nothing is removed (the files are the media). Raises
    MediaStoreUnavailable for a malformed STORYREEL_MEDIA_URL."""
    if not media_store().remote:
        return 0
    return _remove_older(get_settings().media_dir, cutoff=time.time() - older_than_s)


def _remove_older(root: Path, *, cutoff: float, match: Callable[[str], bool] = lambda name: True) -> int:
    """Remove the files below ``root`` whose name ``match``es and that were not written since
    ``cutoff``; returns how many (a file gone meanwhile, or not ours to remove, is skipped)."""
    removed = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not match(name):
                continue
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
    return removed


def check_media_store() -> str:
    """Check that the media store answers (for S3: the bucket exists and the credentials may read
    it); returns where it is. Raises MediaStoreUnavailable naming the setting."""
    store = media_store()
    store.check()
    return store.describe()


def scratch_dir(*, name: str = "tmp") -> Path:
    """Return a writable scratch folder inside the data dir (same filesystem, so renames are atomic)."""
    d = get_settings().data_dir / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def remove_partial_files(*, older_than_s: float = STALE_PARTIAL_S) -> int:
    """Remove hidden partial files (``.tmp-*`` of atomic writes, ``*.part`` downloads) left in the
    data dir by a crash or a full disk, untouched for ``older_than_s`` seconds; returns how many."""
    return _remove_older(get_settings().data_dir, cutoff=time.time() - older_than_s,
                         match=lambda name: name.startswith(PARTIAL_PREFIX) or name.endswith(PARTIAL_SUFFIX))


def check_data_dir(*, min_free_mb: float | None = None) -> Path:
    """Check that the data dir exists (creating it), is writable and has ``min_free_mb`` free
    (default MIN_FREE_MB), and sweep stale partial files; returns the data dir.

    Raises DataDirUnavailable with a message naming STORYREEL_DATA_DIR (never the absolute path).
    """
    root = get_settings().data_dir
    need = MIN_FREE_MB if min_free_mb is None else min_free_mb
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirUnavailable(
            f"The data dir (STORYREEL_DATA_DIR) does not exist and cannot be created ({exc.strerror}): "
            "create it, or set STORYREEL_DATA_DIR to a writable folder.") from exc
    probe = root / f"{PARTIAL_PREFIX}write-check-{os.getpid()}"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
        if is_disk_full(exc):
            raise DataDirUnavailable(
                "The disk holding the data dir (STORYREEL_DATA_DIR) is full: free some space or set "
                "STORYREEL_DATA_DIR to a folder on a larger disk.") from exc
        raise DataDirUnavailable(
            f"The data dir (STORYREEL_DATA_DIR) is not writable ({exc.strerror}): fix its permissions, or set "
            "STORYREEL_DATA_DIR to a writable folder.") from exc
    free_mb = shutil.disk_usage(root).free / (1024 * 1024)
    if free_mb < need:
        raise DataDirUnavailable(
            f"The data dir (STORYREEL_DATA_DIR) has {free_mb:.0f} MB free; Storyreel needs at least {need:.0f} MB. "
            "Free some space or set STORYREEL_DATA_DIR to a folder on a larger disk.")
    remove_partial_files()
    return root
