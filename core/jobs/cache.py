"""The result cache (DESIGN §5): identical requests return the stored asset without a provider call.

The key is the SHA-256 of the provider, model, operation, adapter version, the validated params
(sorted JSON) and the content hashes of the input files — so renaming or re-uploading the same
file still hits, and changing any byte of an input misses. Values are media ids; a hit counts only
while that asset (row and file) still exists. Stored with diskcache under ``settings.cache_dir``.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import diskcache

from core.errors import NotFound
from core.settings import get_settings
from core.media_assets import asset_path

_caches: dict[str, diskcache.Cache] = {}
_lock = threading.Lock()


def _cache() -> diskcache.Cache:
    # One Cache per cache dir: tests switch data dirs between cases.
    directory = str(Path(get_settings().cache_dir) / "results")
    with _lock:
        cache = _caches.get(directory)
        if cache is None:
            cache = _caches[directory] = diskcache.Cache(directory)
        return cache


def make_key(*, provider: str, model: str, operation: str, adapter_version: str, params: dict[str, Any],
             input_hashes: dict[str, Any]) -> str:
    """Return the canonical cache key (hex SHA-256) of a request (pure).

    ``input_hashes`` maps each file param to the content hash (or list of hashes) of its file(s).
    """
    doc = {"provider": provider, "model": model, "operation": operation, "adapter": adapter_version,
           "params": params, "inputs": input_hashes}
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lookup(*, key: str) -> str | None:
    """Return the cached media id for ``key`` when its asset still exists, else None (stale entries are dropped)."""
    media_id = _cache().get(key)
    if media_id is None:
        return None

    try:
        asset_path(media_id=media_id)
    except NotFound:
        _cache().delete(key)
        return None
    return media_id


def store(*, key: str, media_id: str) -> None:
    """Remember ``media_id`` as the result of ``key``."""
    _cache().set(key, media_id)


def forget(*, key: str) -> None:
    """Drop one entry (e.g. after the user deletes the asset)."""
    _cache().delete(key)


def close_all() -> None:
    """Close every open cache (tests switching data dirs)."""
    with _lock:
        for c in _caches.values():
            c.close()
        _caches.clear()
