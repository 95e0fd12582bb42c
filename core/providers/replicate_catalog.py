"""Replicate's catalogue answers, read without any I/O: model and version objects into kept
records, schema changes between two versions, search and collection answers into listings, and a
record into schema-file data for the registry.

Facts followed (../shared/provider_docs/replicate.md §1 "Model / version objects",
UPDATE-2026-12.md §3.1): a model's input schema is ``latest_version.openapi_schema``
(``components.schemas.Input``); official models (``is_official``) run by model path, community
models by version id — a model object without ``is_official`` (recordings older than the field)
counts as community, since running by version works for every model. The search answer is
``{"query", "models": [{"model", "metadata": {"generated_description", "score", "tags"}}],
"collections", "pages"}``.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from core.errors import InvalidInput, ProviderError
from core.providers.replicate import PROVIDER, split_model_ref

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_COMPARED = ("type", "enum", "default", "minimum", "maximum", "format")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ModelRecord:
    """What Storyreel keeps of one Replicate model reference."""

    ref: str  # owner/name, or owner/name:version when pinned
    owner: str
    name: str
    pinned: str | None
    version_id: str | None
    is_official: bool
    openapi_schema: dict
    fetched_at: str  # ISO 8601, UTC
    description: str = ""
    run_count: int | None = None
    url: str = ""
    changes: dict | None = None  # {"added", "removed", "changed", "at"} of the last change seen

    @property
    def run_version(self) -> str | None:
        """The version a prediction must name: the pinned one, none for an official model, else the latest."""
        if self.pinned:
            return self.pinned
        return None if self.is_official else self.version_id

    def age(self, *, now: datetime | None = None) -> timedelta:
        """How long ago the record was fetched."""
        return (now or now_utc()) - datetime.fromisoformat(self.fetched_at)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ModelRecord":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})


def parse_ref(ref: str) -> tuple[str, str, str | None]:
    """Return ``(owner, name, version_or_None)``; raises InvalidInput for anything else.

    A version must be the 64-hex id Replicate gives versions.
    """
    owner, name, version = split_model_ref((ref or "").strip())
    if version is not None and not _HEX64.match(version):
        raise InvalidInput(f"{ref!r}: a Replicate version is a 64-character hex id", field="model")
    return owner, name, version


def accepts(model: str) -> bool:
    """True when ``model`` reads as ``owner/name`` or ``owner/name:<64-hex version>``."""
    try:
        parse_ref(model)
    except InvalidInput:
        return False
    return True


def input_properties(openapi: dict | None) -> dict[str, dict]:
    """Return ``components.schemas.Input.properties`` of a Cog schema (``{}`` when absent)."""
    return (((openapi or {}).get("components") or {}).get("schemas") or {}).get("Input", {}).get("properties") or {}


def _resolved(openapi: dict, prop: dict) -> dict:
    comps = ((openapi.get("components") or {}).get("schemas") or {})
    out = dict(prop)
    for part in prop.get("allOf") or []:
        ref = str(part.get("$ref", "")).rsplit("/", 1)[-1]
        out = {**comps.get(ref, {}), **out}
    return out


def schema_changes(old: dict | None, new: dict | None) -> dict:
    """Return ``{"added", "removed", "changed"}`` (sorted field names) between two Cog schemas.

    A field is changed when its type, enum, default, bounds or format differ (``$ref`` enums
    resolved first, so the inline and reference forms of one enum compare equal).
    """
    before, after = input_properties(old), input_properties(new)
    changed = []
    for name in sorted(set(before) & set(after)):
        a, b = _resolved(old or {}, before[name]), _resolved(new or {}, after[name])
        if any(a.get(k) != b.get(k) for k in _COMPARED):
            changed.append(name)
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": changed}


def change_note(changes: dict | None) -> str | None:
    """Return a one-line note (``new field X, removed Y, changed Z``), or None when nothing changed."""
    if not changes:
        return None
    parts = []
    for key, word in (("added", "new field"), ("removed", "removed"), ("changed", "changed")):
        names = changes.get(key) or []
        if names:
            label = word + ("s" if word == "new field" and len(names) > 1 else "")
            parts.append(f"{label} {', '.join(names)}")
    return ", ".join(parts) or None


def record_from_model(payload: dict, *, fetched_at: str) -> ModelRecord:
    """Return the record of a ``GET /v1/models/{o}/{n}`` answer.

    Raises ProviderError (404) when the model has no published version with a schema.
    """
    owner, name = str(payload.get("owner") or ""), str(payload.get("name") or "")
    latest = payload.get("latest_version") or {}
    schema = latest.get("openapi_schema")
    if not isinstance(schema, dict) or not input_properties(schema):
        raise ProviderError(f"{owner}/{name} has no published version with an input schema", provider=PROVIDER,
                            status_code=404)
    return ModelRecord(ref=f"{owner}/{name}", owner=owner, name=name, pinned=None,
                       version_id=latest.get("id"), is_official=bool(payload.get("is_official", False)),
                       openapi_schema=schema, fetched_at=fetched_at, description=payload.get("description") or "",
                       run_count=payload.get("run_count"), url=payload.get("url") or f"https://replicate.com/{owner}/{name}")


def record_from_version(payload: dict, *, owner: str, name: str, fetched_at: str) -> ModelRecord:
    """Return the record of a pinned version (``GET /v1/models/{o}/{n}/versions/{id}``); raises ProviderError."""
    schema = payload.get("openapi_schema")
    vid = str(payload.get("id") or "")
    if not isinstance(schema, dict) or not input_properties(schema):
        raise ProviderError(f"{owner}/{name}:{vid} has no input schema", provider=PROVIDER, status_code=404)
    return ModelRecord(ref=f"{owner}/{name}:{vid}", owner=owner, name=name, pinned=vid, version_id=vid,
                       is_official=False, openapi_schema=schema, fetched_at=fetched_at,
                       url=f"https://replicate.com/{owner}/{name}/versions/{vid}")


def _listing(model: dict, metadata: dict | None = None) -> dict:
    metadata = metadata or {}
    ref = f"{model.get('owner')}/{model.get('name')}"
    return {"ref": ref, "description": metadata.get("generated_description") or model.get("description") or "",
            "run_count": model.get("run_count"), "is_official": bool(model.get("is_official", False)),
            "tags": list(metadata.get("tags") or []), "url": model.get("url") or f"https://replicate.com/{ref}"}


def search_results(payload: dict) -> dict:
    """Return ``{"models": [listing], "collections": [{"slug", "name", "description"}]}`` of a search answer.

    A listing is ``{"ref", "description", "run_count", "is_official", "tags", "url"}``.
    """
    models = [_listing(m.get("model") or {}, m.get("metadata")) for m in payload.get("models") or []]
    collections = [{"slug": c.get("slug"), "name": c.get("name"), "description": c.get("description") or ""}
                   for c in payload.get("collections") or []]
    return {"models": models, "collections": collections}


def query_results(payload: dict) -> dict:
    """Return :func:`search_results`' shape for a ``QUERY /v1/models`` page (models only)."""
    return {"models": [_listing(m) for m in payload.get("results") or []], "collections": []}


def collection_listing(payload: dict) -> dict:
    """Return ``{"slug", "name", "description", "models": [listing]}`` of ``GET /v1/collections/{slug}``."""
    return {"slug": payload.get("slug"), "name": payload.get("name"), "description": payload.get("description") or "",
            "models": [_listing(m) for m in payload.get("models") or []]}


def capability_data(record: ModelRecord, *, shipped: dict | None, media_type: str) -> dict:
    """Return schema-file data (``core.registry.schema_file.SchemaFile`` shape) for a record.

    With ``shipped`` (the shipped file's data) the file's title, roles, rules and pricing stay
    and only the schema (and version) come from the record; otherwise roles are left to
    inference. The fetch date is the ``checked`` date.
    """
    if shipped is not None:
        data = {k: v for k, v in shipped.items() if k != "input_schema"}
    else:
        data = {"provider": PROVIDER, "model": record.ref, "media_type": media_type, "operation": "generate",
                "title": record.ref, "docs": [record.url or f"https://replicate.com/{record.owner}/{record.name}"],
                "notes": record.description or None}
    data["openapi_schema"] = record.openapi_schema
    data["checked"] = record.fetched_at[:16]
    version = record.run_version
    if version and _HEX64.match(version):
        data["version"] = version
    elif shipped is None or record.is_official:
        data.pop("version", None)
    return {k: v for k, v in data.items() if v is not None}
