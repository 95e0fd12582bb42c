"""Any Replicate model: fetch its schema, keep it, refresh it, search the catalogue.

Facts followed (../shared/provider_docs/replicate.md §1, UPDATE-2026-12.md §3.1):
- ``owner/name`` is read with ``GET /v1/models/{owner}/{name}`` (``latest_version.id`` and
  ``latest_version.openapi_schema``); a pinned ``owner/name:<version>`` with
  ``GET /v1/models/{owner}/{name}/versions/{version}``. Schemas change, so a kept record is
  re-fetched on demand and when older than :data:`MAX_AGE`.
- Official models (``is_official``) run by model path (no version); community models must run
  by version (``POST /v1/predictions`` with ``version``), so their record keeps the version id.
  A model object without ``is_official`` (recordings from before the field) counts as community:
  running by version works for every model.
- Search: ``GET /v1/search?query=&limit=1..50`` (models with ``run_count`` and a generated
  description, and collections); collections: ``GET /v1/collections`` and ``/v1/collections/{slug}``.

Records live in ``<data dir>/replicate/models/`` as JSON (one per reference, written
atomically), so the app, the API, the CLI and the workers of one data dir share them. Each
record keeps the schema, the version id, the fetch date and the last schema change seen
(``changes``: fields added, removed, changed). The pure parts (record building, change notes,
search parsing, capability data) are in ``core.providers.replicate_catalog``; the few transport
calls go through the adapter.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from core.credentials import get_setting
from core.errors import InvalidInput, MissingCredentials, ProviderError, UnsupportedCapability
from core.providers.replicate import ADAPTER, PROVIDER, SETTING
from core.providers.replicate_catalog import (
    ModelRecord, now_utc, accepts, capability_data, change_note, collection_listing, input_properties, parse_ref,
    query_results, record_from_model, record_from_version, schema_changes, search_results,
)
from core.settings import get_settings
from core.media.files import atomic_write_bytes

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
# After a failed refresh of a kept or shipped schema, wait this long before asking again (pages
# rerun often; the kept schema serves meanwhile).
RETRY_AFTER_FAILURE = timedelta(minutes=10)
# Collections offered in the search box (the list call discovers the others).
SUGGESTED_COLLECTIONS = ("text-to-video", "image-to-video", "text-to-image")
SEARCH_LIMIT = 20


# ---- the kept records ------------------------------------------------------------------------------
_memo: dict[Path, tuple[int, ModelRecord]] = {}
_failed: dict[tuple[Path, str], tuple[datetime, Exception]] = {}
_lock = threading.Lock()


def records_dir() -> Path:
    """The folder of kept records in the configured data dir."""
    return get_settings().data_dir / "replicate" / "models"


def _path(ref: str) -> Path:
    return records_dir() / (ref.replace("/", "__").replace(":", "@") + ".json")


def load_record(ref: str) -> ModelRecord | None:
    """Return the kept record of ``ref``, or None when it was never fetched (or is unreadable)."""
    path = _path(ref)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        memo = _memo.get(path)
        if memo and memo[0] == stamp:
            return memo[1]
    try:
        record = ModelRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        log.warning("ignoring unreadable Replicate model record %s: %s", path.name, exc)
        return None
    with _lock:
        _memo[path] = (stamp, record)
    return record


def save_record(record: ModelRecord) -> None:
    """Keep ``record`` (atomic write)."""
    path = atomic_write_bytes(path=_path(record.ref), data=json.dumps(record.to_json(), indent=1).encode())
    with _lock:
        _memo[path] = (path.stat().st_mtime_ns, record)


def kept_refs() -> list[str]:
    """Return the references of every kept record, sorted."""
    d = records_dir()
    if not d.is_dir():
        return []
    refs = []
    for p in d.glob("*.json"):
        record = load_record(p.stem.replace("__", "/", 1).replace("@", ":"))
        if record is not None:
            refs.append(record.ref)
    return sorted(refs)


def configured() -> bool:
    """True when ``REPLICATE_API_TOKEN`` is set (catalogue reads need it)."""
    return bool(get_setting(setting=SETTING))


# ---- transport -------------------------------------------------------------------------------------
def fetch(ref: str, *, baseline: dict | None = None) -> ModelRecord:
    """Fetch ``ref`` from Replicate, keep it and return it.

    The change note compares with ``baseline`` (a shipped file's schema) when given, else with
    the record kept before; it is kept until a later fetch changes the schema again.
    Raises InvalidInput for a bad reference, MissingCredentials without a token,
    UnsupportedCapability for a model Replicate does not know, ProviderError otherwise.
    """
    owner, name, version = parse_ref(ref)
    fetched_at = now_utc().isoformat()
    try:
        if version:
            payload = ADAPTER.get_json(path=f"/v1/models/{owner}/{name}/versions/{version}", action="version get")
            record = record_from_version(payload, owner=owner, name=name, fetched_at=fetched_at)
        else:
            payload = ADAPTER.get_json(path=f"/v1/models/{owner}/{name}", action="model get")
            record = record_from_model(payload, fetched_at=fetched_at)
    except ProviderError as exc:
        if exc.status_code == 404:
            raise UnsupportedCapability(f"Replicate has no model {ref!r} ({exc.message})", field="model") from None
        raise
    before = load_record(record.ref)
    base = baseline if baseline is not None else (before.openapi_schema if before else None)
    if base is not None:
        changes = schema_changes(base, record.openapi_schema)
        if any(changes.values()):
            record.changes = {**changes, "at": fetched_at}
        elif baseline is None and before is not None:
            record.changes = before.changes  # unchanged since: the last note stays
    save_record(record)
    with _lock:
        _failed.pop((records_dir(), record.ref), None)
    log.info("fetched Replicate model %s (version %s, official=%s)", record.ref, record.version_id, record.is_official)
    return record


def lookup(ref: str, *, refresh: bool = False, fetch_allowed: bool = True,
           baseline: dict | None = None) -> ModelRecord | None:
    """Return the record to use for ``ref``: the kept one while fresh, else a new fetch.

    ``refresh`` forces a fetch. A stale record is re-fetched when a token is set; if that fails,
    the stale record serves (logged) and the fetch is not retried for a few minutes (a failed
    first fetch is answered with the same error meanwhile, unless ``refresh``). Returns
    None only when nothing is kept and ``fetch_allowed`` is false. A never-fetched model
    without a token raises MissingCredentials naming ``REPLICATE_API_TOKEN``; a failed first
    fetch raises what :func:`fetch` raises.
    """
    owner, name, version = parse_ref(ref)
    ref = f"{owner}/{name}" + (f":{version}" if version else "")
    kept = load_record(ref)
    if not fetch_allowed:
        return kept
    pinned_fresh = kept is not None and kept.pinned is not None  # a pinned version never changes
    if kept is not None and not refresh and (pinned_fresh or kept.age() < MAX_AGE):
        return kept
    if not configured():
        if kept is not None:
            return kept
        err = MissingCredentials(PROVIDER, SETTING)
        err.message = (f"Replicate model {ref} has not been fetched yet: set {SETTING} (environment or "
                       ".streamlit/secrets.toml) so Storyreel can read its schema from Replicate.")
        err.args = (err.message,)
        raise err
    key = (records_dir(), ref)
    with _lock:
        failed = _failed.get(key)
    if failed and not refresh and now_utc() - failed[0] < RETRY_AFTER_FAILURE:
        if kept is not None:
            return kept
        raise failed[1]
    try:
        return fetch(ref, baseline=baseline)
    except (ProviderError, UnsupportedCapability) as exc:
        with _lock:
            _failed[key] = (now_utc(), exc)
        if kept is None:
            raise
        log.warning("refresh of Replicate model %s failed, the schema fetched %s serves: %s",
                    ref, kept.fetched_at[:16], exc.message)
        return kept


def search(query: str, *, limit: int = SEARCH_LIMIT) -> dict:
    """Search Replicate (``GET /v1/search``, a beta; where it is not served, the older
    ``QUERY /v1/models``); returns :func:`search_results`' shape.

    Raises InvalidInput for an empty query, MissingCredentials, ProviderError.
    """
    query = (query or "").strip()
    if not query:
        raise InvalidInput("type something to search for", field="query")
    try:
        payload = ADAPTER.get_json(path="/v1/search", params={"query": query, "limit": max(1, min(50, limit))},
                                   action="search")
    except ProviderError as exc:
        if exc.status_code not in (404, 405):
            raise
        log.info("GET /v1/search answered %s; searching with QUERY /v1/models", exc.status_code)
        found = query_results(ADAPTER.query_models(query=query))
        return {**found, "models": found["models"][:limit]}
    return search_results(payload)


def collection(slug: str) -> dict:
    """Return one collection's models (``GET /v1/collections/{slug}``); raises UnsupportedCapability, ProviderError."""
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", slug or ""):
        raise InvalidInput(f"not a collection slug: {slug!r}", field="collection")
    try:
        return collection_listing(ADAPTER.get_json(path=f"/v1/collections/{slug}", action="collection get"))
    except ProviderError as exc:
        if exc.status_code == 404:
            raise UnsupportedCapability(f"Replicate has no collection {slug!r}", field="collection") from None
        raise


def collections() -> list[dict]:
    """Return ``[{"slug", "name", "description"}]`` of Replicate's collections (first page)."""
    payload = ADAPTER.get_json(path="/v1/collections", action="collections list")
    return [{"slug": c.get("slug"), "name": c.get("name"), "description": c.get("description") or ""}
            for c in payload.get("results") or []]


@dataclass
class ReplicateModels:
    """The registry's view of Replicate as a source of models (see ``core.registry.registry``)."""

    provider: str = PROVIDER
    setting: str = SETTING
    suggested_collections: tuple[str, ...] = field(default=SUGGESTED_COLLECTIONS)

    def accepts(self, model: str) -> bool:
        return accepts(model)

    def configured(self) -> bool:
        return configured()

    def kept(self) -> list[str]:
        return kept_refs()

    def lookup(self, model: str, *, refresh: bool = False, fetch_allowed: bool = True,
               baseline: dict | None = None) -> ModelRecord | None:
        return lookup(model, refresh=refresh, fetch_allowed=fetch_allowed, baseline=baseline)

    def capability_data(self, record: ModelRecord, *, shipped: dict | None, media_type: str) -> dict:
        return capability_data(record, shipped=shipped, media_type=media_type)

    def properties(self, record: ModelRecord) -> dict[str, dict]:
        return input_properties(record.openapi_schema)

    def search(self, query: str) -> dict:
        return search(query)

    def collection(self, slug: str) -> dict:
        return collection(slug)

    def note(self, record: ModelRecord) -> str | None:
        text = change_note(record.changes)
        return f"Replicate changed this model's schema ({record.changes['at'][:10]}): {text}" if text else None


SOURCE = ReplicateModels()
