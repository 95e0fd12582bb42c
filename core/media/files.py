"""Files written whole or not at all, and content hashes: the one atomic writer and the one hasher.

Every writer in Storyreel goes through :func:`atomic_path` (a hidden temp file beside the target,
renamed over it on success, removed on failure), so a crash, a full disk or a cancel never leaves a
partial file where a reader would take it for a finished one.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from core.errors import InvalidInput

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Return the SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks (memoized by path, size and mtime, so
    renders hash each unchanged source once). Raises OSError when the file cannot be read."""
    st = os.stat(path)
    return _file_digest(os.path.abspath(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4096)  # bounded: a worker that runs for weeks sees many files
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def forget_file_digests() -> None:
    """Forget the memoized file digests, so the next ``sha256_file`` reads each file again (a
    benchmark's cold render hashes its sources as a first render does)."""
    _file_digest.cache_clear()


@contextmanager
def atomic_path(final: Path | str, *, field: str = "out_path") -> Iterator[Path]:
    """Yield a hidden temp path beside ``final``; on success rename it over ``final``.

    On any exception the temp file is removed, so nothing partial is left behind.
    Raises InvalidInput(field) when the folder cannot be created.
    """
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"{field}: cannot create the folder for {final.name}: {exc.strerror}", field=field) from exc
    fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=(final.suffix or "") + ".part", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(*, path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename); returns ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(*, path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; returns ``path``."""
    return atomic_write_bytes(path=path, data=text.encode("utf-8"))
