"""The media store: where stored media lives, behind one small interface (STORYREEL_MEDIA_URL).

Keys are the data-dir-relative paths the database keeps (``media/<project>/<sha256>.<ext>``, the
metadata file ``media/<project>/<media_id>.json`` beside it), so a row names its object the same way
on every machine.

* :class:`LocalStore` (the default, STORYREEL_MEDIA_URL unset): the objects are the files under the
  data dir, as they always were.
* ``core.media.s3.S3Store`` (``s3://bucket/prefix``, with STORYREEL_S3_ENDPOINT_URL for MinIO, R2 or any
  S3-compatible server): the objects live in the bucket under ``prefix/<key>``; each machine keeps
  the files it wrote or read in its own data dir as a read-through cache (``core.storage``), so
  workers on other machines need no shared disk. An S3 PUT makes an object appear whole or not at
  all, and media keys are content-addressed, so a second put of the same key is skipped.

Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, an
instance role); nothing here prints them.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from core.errors import MediaStoreUnavailable
from core.media.files import atomic_path
from core.settings import get_settings



class MediaStore(Protocol):
    """What every store does. Keys are data-dir-relative POSIX paths."""

    remote: bool  # False: the objects are the local files themselves (nothing to upload or fetch)

    def describe(self) -> str:
        """Return where the store is, for messages (no credentials)."""

    def check(self) -> None:
        """Raise MediaStoreUnavailable unless the store answers and may be used."""

    def put(self, *, key: str, path: Path, overwrite: bool = False) -> None:
        """Store the file ``path`` as ``key`` whole or not at all; an existing key is kept unless
        ``overwrite``. Raises MediaStoreUnavailable."""

    def exists(self, *, key: str) -> bool:
        """True when ``key`` is stored. Raises MediaStoreUnavailable."""

    def fetch(self, *, key: str, dest: Path) -> bool:
        """Copy ``key`` to the local file ``dest`` atomically; returns False when it is not stored.
        Raises MediaStoreUnavailable."""

    def delete(self, *, key: str) -> None:
        """Remove ``key`` (absent is fine). Raises MediaStoreUnavailable."""

    def presigned_url(self, *, key: str, expires_in_s: int, filename: str, mime: str) -> str | None:
        """Return a URL that downloads ``key`` without credentials until ``expires_in_s`` from now,
        or None when the store cannot make one (the local store)."""


class LocalStore:
    """The data dir itself: the object of ``key`` is the file ``<data dir>/<key>``."""

    remote = False

    def __init__(self, *, root: Path):
        self.root = Path(root)

    def describe(self) -> str:
        return "the data dir (STORYREEL_DATA_DIR)"

    def check(self) -> None:
        return None  # the data dir is checked by core.storage.check_data_dir

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, *, key: str, path: Path, overwrite: bool = False) -> None:
        target = self._path(key)
        if Path(path).resolve() == target.resolve() or (target.exists() and not overwrite):
            return
        with atomic_path(target) as tmp:
            shutil.copyfile(path, tmp)

    def exists(self, *, key: str) -> bool:
        return self._path(key).is_file()

    def fetch(self, *, key: str, dest: Path) -> bool:
        src = self._path(key)
        if not src.is_file():
            return False
        if src.resolve() != Path(dest).resolve():
            with atomic_path(dest) as tmp:
                shutil.copyfile(src, tmp)
        return True

    def delete(self, *, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def presigned_url(self, *, key: str, expires_in_s: int, filename: str, mime: str) -> str | None:
        return None


_stores: dict[tuple, MediaStore] = {}
_lock = threading.Lock()


def parse_media_url(*, url: str, data_dir: Path) -> tuple[str, str] | None:
    """Return (bucket, prefix) for an ``s3://bucket/prefix`` URL, None for the data dir (unset, or a
    path or ``file://`` URL naming the data dir). Raises MediaStoreUnavailable for anything else."""
    value = (url or "").strip()
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise MediaStoreUnavailable(f"STORYREEL_MEDIA_URL {value!r} names no bucket: use s3://bucket/prefix.")
        return parsed.netloc, parsed.path.strip("/")
    local = parsed.path if parsed.scheme == "file" else (value if not parsed.scheme else None)
    if local is not None and os.path.realpath(os.path.expanduser(local)) == os.path.realpath(data_dir):
        return None
    raise MediaStoreUnavailable(
        f"STORYREEL_MEDIA_URL must be unset (media in the data dir) or s3://bucket/prefix, not {value!r}; "
        "to keep media in another local folder, set STORYREEL_DATA_DIR instead.")


def media_store() -> MediaStore:
    """Return the store STORYREEL_MEDIA_URL names (one per setting, shared by every thread).
    Raises MediaStoreUnavailable for a malformed URL."""
    settings = get_settings()
    target = parse_media_url(url=settings.storyreel_media_url, data_dir=settings.data_dir)
    key = (target, settings.storyreel_s3_endpoint_url, str(settings.data_dir))
    with _lock:
        store = _stores.get(key)
        if store is None:
            if target is None:
                store = LocalStore(root=settings.data_dir)
            else:
                # boto3 takes about a second to import and only an S3 store needs it: every process of
                # the default setup would pay for it otherwise. import here: loaded on first use.
                from core.media.s3 import S3Store

                store = S3Store(bucket=target[0], prefix=target[1], endpoint_url=settings.storyreel_s3_endpoint_url)
            _stores[key] = store
        return store

